"""Adults' screens: the section «Переобучение и работа», retraining programmes (narrowed to
who qualifies), a programme's card, the trades in demand, the employment centre; and the
retraining lines an adult's questionnaire result shows instead of school programmes."""

from __future__ import annotations

from html import escape

from content import OrganisationKind
from content.library import Content
from content.retraining import DemandedTrade, Group, RetrainingProgramme
from handlers.callbacks import (
    Adults,
    Bank,
    EmploymentCentre,
    RetrainingList,
    ShowProfession,
    ShowRetraining,
    Trades,
)
from handlers.ui import Row, View, back_row, fit_label, menu_row
from locales import Texts

#: The «Работа России» portal, where one applies for training and registers as a job seeker.
WORK_PORTAL = "https://trudvsem.ru"


def adults_view(texts: Texts, content: Content, consult: Row) -> View:
    """The adults' section; `consult`: the consultation button (its own feature)."""
    rows: list[Row] = [
        [(texts("btn-retraining"), RetrainingList())],
        [(texts("btn-trades"), Trades())],
        [(texts("btn-employment-centre"), EmploymentCentre())],
        consult,
        [(texts("btn-bank"), Bank())],
        menu_row(texts),
    ]
    return View(
        texts("adults", programmes=len(content.retraining.programmes)),
        rows,
        links=[(texts("btn-work-portal"), WORK_PORTAL)],
    )


def _fits(programme: RetrainingProgramme, group: str) -> bool:
    return not group or group in programme.groups or Group.ANYONE in programme.groups


def retraining_list_view(texts: Texts, content: Content, group: str) -> View:
    programmes = [p for p in content.retraining.programmes if _fits(p, group)]
    rows: list[Row] = [
        [
            (
                fit_label(texts("btn-retraining-item", title=p.title, format=p.format)),
                ShowRetraining(code=p.code, group=group),
            )
        ]
        for p in programmes
    ]
    used = {g for p in content.retraining.programmes for g in p.groups} - {Group.ANYONE}
    filters: list[Row] = [
        [
            (
                texts(
                    "btn-retraining-group", group=g.value, on="yes" if g.value == group else "no"
                ),
                RetrainingList(group="" if g.value == group else g.value),
            )
        ]
        for g in Group
        if g in used
    ]
    text = texts("retraining-list", count=len(programmes), group=group or "all")
    if content.retraining.has_samples:
        text += "\n\n" + texts("retraining-sample-note")
    return View(text, [*rows, *filters, back_row(texts, Adults()), menu_row(texts)])


def retraining_text(texts: Texts, content: Content, programme: RetrainingProgramme) -> str:
    provider = content.catalogue.by_code.get(programme.provider)
    groups = ", ".join(texts("retraining-group", group=g.value) for g in programme.groups)
    return texts(
        "retraining-card",
        title=escape(programme.title),
        sample="yes" if programme.sample else "no",
        provider=escape(provider.short_name if provider else programme.provider),
        duration=escape(programme.duration),
        format=programme.format.value,
        groups=groups,
        about=escape(programme.about),
        apply=escape(programme.apply) if programme.apply else texts("retraining-apply"),
    )


def retraining_view(
    texts: Texts, content: Content, programme: RetrainingProgramme, group: str
) -> View:
    rows: list[Row] = []
    if programme.profession in content.professions.by_code:
        profession = content.professions.by_code[programme.profession]
        label = texts("btn-retraining-profession", title=profession.title)
        rows.append([(fit_label(label), ShowProfession(code=profession.code))])
    rows += [back_row(texts, RetrainingList(group=group)), menu_row(texts)]
    return View(
        retraining_text(texts, content, programme),
        rows,
        links=[(texts("btn-work-portal"), WORK_PORTAL)],
    )


def _trade_text(texts: Texts, content: Content, trade: DemandedTrade) -> str:
    places = [content.catalogue.by_code[c] for c in trade.where if c in content.catalogue.by_code]
    return texts(
        "trade",
        title=escape(trade.title),
        sample="yes" if trade.sample else "no",
        about=escape(trade.about),
        where=", ".join(escape(o.short_name) for o in places) or "none",
    )


def trades_view(texts: Texts, content: Content) -> View:
    trades = content.retraining.trades
    parts = [texts("trades"), *(_trade_text(texts, content, t) for t in trades)]
    rows: list[Row] = [
        [
            (
                fit_label(texts("btn-trade-profession", title=t.title)),
                ShowProfession(code=t.profession),
            )
        ]
        for t in trades
        if t.profession in content.professions.by_code
    ]
    if content.retraining.has_samples:
        parts.append(texts("retraining-sample-note"))
    return View("\n\n".join(parts), [*rows, back_row(texts, Adults()), menu_row(texts)])


def employment_centre_view(texts: Texts, content: Content, consult: Row) -> View:
    centres = content.catalogue.of_kind(OrganisationKind.EMPLOYMENT_CENTRE)
    name = centres[0].name if centres else ""
    about = centres[0].about if centres else ""
    text = texts("employment-centre", name=escape(name), about=escape(about) or "none")
    return View(
        text,
        [
            consult,
            [(texts("btn-retraining"), RetrainingList())],
            back_row(texts, Adults()),
            menu_row(texts),
        ],
        links=[(texts("btn-work-portal"), WORK_PORTAL)],
    )


def retraining_lines(texts: Texts, content: Content, scale_id: str, limit: int | None) -> str:
    """For an adult's result: retraining programmes that lead to a profession of this type
    (instead of school and college admission)."""
    bank = content.professions.by_code
    found = [
        p
        for p in content.retraining.programmes
        if p.profession in bank and scale_id in bank[p.profession].types
    ][:limit]
    if not found:
        return texts("result-retraining-none")
    return "\n".join(
        texts(
            "result-retraining-line",
            title=escape(p.title),
            duration=escape(p.duration),
            sample="yes" if p.sample else "no",
        )
        for p in found
    )


def retraining_rows(texts: Texts, content: Content, profession: str) -> list[Row]:
    """On a profession's card: the retraining programmes that lead to it."""
    return [
        [(fit_label(texts("btn-retraining-for", title=p.title)), ShowRetraining(code=p.code))]
        for p in content.retraining.programmes
        if p.profession == profession
    ]
