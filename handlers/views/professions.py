"""The profession bank's screens: its front page (interest types, search), a type's
professions a page at a time, a profession's card, the search prompt and its results."""

from __future__ import annotations

from html import escape

from content import Catalogue
from content.professions import BankProfession, ProfessionBank
from handlers.callbacks import Bank, BankSearch, ShowProfession
from handlers.ui import Row, View, back_row, fit_label, menu_row
from locales import Texts
from quizzes import Questionnaire
from services.professions import MIN_QUERY, SearchResult

#: Professions listed on one page of a type, and search results shown as buttons.
PAGE = 8
RESULTS = 8


def _label(texts: Texts, profession: BankProfession) -> str:
    return fit_label(
        texts(
            "btn-profession",
            title=profession.title,
            demanded="yes" if profession.demanded else "no",
        )
    )


def bank_view(texts: Texts, quiz: Questionnaire, bank: ProfessionBank) -> View:
    rows: list[Row] = [[(texts("btn-bank-search"), BankSearch())]]
    rows.extend(
        [(texts("btn-bank-type", title=s.title, count=len(bank.of_type(s.id))), Bank(scale=s.id))]
        for s in quiz.scales
    )
    rows.append(menu_row(texts))
    return View(texts("bank", count=len(bank.professions)), rows)


def type_list_view(
    texts: Texts, quiz: Questionnaire, bank: ProfessionBank, scale_id: str, page: int
) -> View:
    found = bank.of_type(scale_id)
    pages = max(1, -(-len(found) // PAGE))
    page = min(page, pages - 1)
    shown = found[page * PAGE : (page + 1) * PAGE]
    rows: list[Row] = [
        [(_label(texts, p), ShowProfession(code=p.code, scale=scale_id, page=page))] for p in shown
    ]
    paging: Row = []
    if page > 0:
        paging.append((texts("btn-page-back"), Bank(scale=scale_id, page=page - 1)))
    if page + 1 < pages:
        paging.append((texts("btn-page-next"), Bank(scale=scale_id, page=page + 1)))
    rows.append(paging)
    rows.append(back_row(texts, Bank()))
    rows.append(menu_row(texts))
    text = texts(
        "bank-type",
        title=escape(quiz.scale(scale_id).title),
        count=len(found),
        page=page + 1,
        pages=pages,
    )
    return View(text, rows)


def profession_text(
    texts: Texts, quiz: Questionnaire, catalogue: Catalogue, profession: BankProfession
) -> str:
    places = [catalogue.by_code[c] for c in profession.study if c in catalogue.by_code]
    places.sort(key=lambda o: not o.in_town)
    study = "\n".join(
        texts(
            "study-line",
            title=escape(profession.programme or profession.title),
            organisation=escape(o.short_name),
            in_town="yes" if o.in_town else "no",
            sample="no",
        )
        for o in places
    )
    return texts(
        "profession-card",
        title=escape(profession.title),
        sample="yes" if profession.sample else "no",
        types=", ".join(escape(quiz.scale(t).title) for t in profession.types),
        about=escape(profession.about),
        demanded="yes" if profession.demanded else "no",
        study=study or texts("profession-study-none"),
    )


def profession_view(
    texts: Texts,
    quiz: Questionnaire,
    catalogue: Catalogue,
    profession: BankProfession,
    *,
    back: ShowProfession,
) -> View:
    text = profession_text(texts, quiz, catalogue, profession)
    if profession.sample:
        text += "\n\n" + texts("profession-sample-note")
    rows: list[Row] = []
    if back.scale:
        rows.append(back_row(texts, Bank(scale=back.scale, page=back.page)))
    rows.append([(texts("btn-bank-search-again"), BankSearch())])
    rows.append([(texts("btn-bank"), Bank())])
    rows.append(menu_row(texts))
    return View(text, rows)


def search_prompt_view(texts: Texts, note: str = "", *, guest: bool = False) -> View:
    """`guest`: the bot keeps nothing for them, so they type /find and the name at once."""
    text = texts("bank-search-prompt", min=MIN_QUERY, guest="yes" if guest else "no")
    return View(text, [back_row(texts, Bank()), menu_row(texts)]).noted(note or None)


def search_results_view(texts: Texts, result: SearchResult) -> View:
    query = escape(result.query)
    rows: list[Row] = [
        [(_label(texts, p), ShowProfession(code=p.code))] for p in result.found[:RESULTS]
    ]
    if result.found:
        text = texts(
            "bank-search-found",
            query=query,
            count=len(result.found),
            shown=min(len(result.found), RESULTS),
            more="yes" if len(result.found) > RESULTS else "no",
            fuzzy="yes" if result.fuzzy else "no",
        )
    elif result.closest is not None:
        text = texts("bank-search-closest", query=query, closest=escape(result.closest.title))
        rows.append([(_label(texts, result.closest), ShowProfession(code=result.closest.code))])
    else:
        text = texts("bank-search-none", query=query)
    rows.append([(texts("btn-bank-search-again"), BankSearch())])
    rows.append([(texts("btn-bank"), Bank())])
    rows.append(menu_row(texts))
    return View(text, rows)
