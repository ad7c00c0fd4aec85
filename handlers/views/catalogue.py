"""Public information, open without consent: the interest types with their professions and
where to study them, and the places to study (the town's college, the employment centre, the
region's colleges) with their programmes by level."""

from __future__ import annotations

from html import escape

from content import Catalogue, OrganisationKind, Programme
from content.catalogue import LEVELS
from handlers.callbacks import Nav, Page, ShowPlace, ShowType
from handlers.ui import Row, View, back_row, menu_row
from locales import Texts
from quizzes import Questionnaire


def where_to_study(texts: Texts, catalogue: Catalogue, scale_id: str, limit: int | None) -> str:
    programmes = catalogue.programmes_for(scale_id)[:limit]
    if not programmes:
        return texts("study-none")
    return "\n".join(_study_line(texts, catalogue, programme) for programme in programmes)


def _study_line(texts: Texts, catalogue: Catalogue, programme: Programme) -> str:
    organisation = catalogue.by_code[programme.organisation]
    return texts(
        "study-line",
        title=escape(programme.title),
        organisation=escape(organisation.short_name),
        in_town="yes" if organisation.in_town else "no",
        sample="yes" if programme.sample or organisation.sample else "no",
    )


def professions(catalogue: Catalogue, scale_id: str, limit: int | None) -> str:
    return ", ".join(escape(p.title) for p in catalogue.professions_for(scale_id)[:limit])


def types_view(texts: Texts, quiz: Questionnaire) -> View:
    rows: list[Row] = [[(s.title, ShowType(scale=s.id))] for s in quiz.scales]
    return View(texts("types"), [*rows, menu_row(texts)])


def type_view(texts: Texts, quiz: Questionnaire, catalogue: Catalogue, scale_id: str) -> View:
    scale = quiz.scale(scale_id)
    text = texts(
        "type-page",
        title=escape(scale.title),
        description=escape(scale.description),
        qualities=escape(scale.qualities),
        professions=professions(catalogue, scale_id, None),
        study=where_to_study(texts, catalogue, scale_id, None),
    )
    if catalogue.has_samples:
        text += "\n\n" + texts("sample-note-study")
    return View(text, [back_row(texts, Nav(to=Page.TYPES)), menu_row(texts)])


def places_view(texts: Texts, catalogue: Catalogue, role: str) -> View:
    places = catalogue.places()
    if role == "adult":  # retraining and job search start at the employment centre
        places.sort(key=lambda o: o.kind != OrganisationKind.EMPLOYMENT_CENTRE)
    rows: list[Row] = [
        [
            (
                texts("btn-place", name=o.short_name, in_town="yes" if o.in_town else "no"),
                ShowPlace(code=o.code),
            )
        ]
        for o in places
    ]
    return View(texts("places", role=role), [*rows, menu_row(texts)])


def place_view(texts: Texts, quiz: Questionnaire, catalogue: Catalogue, code: str) -> View:
    """One place to study: what it is and its programmes by level, each with its interest types
    (the names a questionnaire result uses)."""
    place = catalogue.by_code[code]
    programmes = catalogue.programmes_of(code)
    parts = [
        texts(
            "place-head",
            name=escape(place.name),
            in_town="yes" if place.in_town else "no",
            sample="yes" if place.sample else "no",
        )
    ]
    if place.about:
        parts.append(escape(place.about))
    if place.kind == OrganisationKind.EMPLOYMENT_CENTRE:
        parts.append(texts("place-employment-centre"))
    for level in LEVELS:
        of_level = [p for p in programmes if p.level == level]
        if not of_level:
            continue
        lines = [texts("place-level", level=level)]
        lines.extend(
            texts(
                "place-programme",
                title=escape(p.title),
                types=", ".join(escape(quiz.scale(t).title) for t in p.types),
                sample="yes" if p.sample else "no",
            )
            for p in of_level
        )
        parts.append("\n".join(lines))
    if any(p.sample for p in programmes) or place.sample:
        parts.append(texts("sample-note-study"))
    return View("\n\n".join(parts), [back_row(texts, Nav(to=Page.PLACES)), menu_row(texts)])
