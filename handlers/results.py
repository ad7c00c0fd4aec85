"""Text of a questionnaire result and of the interest-type pages (shared with the public info)."""

from __future__ import annotations

from html import escape

from content import Catalogue, OrganisationKind, Programme
from content.catalogue import INTEREST_TYPES, LEVELS
from db.records import AttemptRecord
from locales import Texts
from quizzes import Questionnaire, interpret

#: How many examples a result shows per leading type; the type page shows them all.
RESULT_PROFESSIONS = 6
RESULT_PROGRAMMES = 3
#: Up to this many leading types are shown in full on the result screen.
COMPACT_FROM = 2


def is_interest_quiz(quiz: Questionnaire) -> bool:
    """Whether the questionnaire's scales are the catalogue's interest types (Klimov's five), so
    that its results lead to professions and places to study."""
    return {s.id for s in quiz.scales} == set(INTEREST_TYPES)


def interest_quiz(quizzes: dict[str, Questionnaire]) -> Questionnaire:
    """The questionnaire of the interest types: the one /quiz opens and the type pages use."""
    found = [q for q in quizzes.values() if is_interest_quiz(q)]
    if len(found) != 1:
        raise ValueError(
            f"exactly one questionnaire must have the scales {INTEREST_TYPES}; found {len(found)}"
        )
    return found[0]


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


def result_text(
    texts: Texts, quiz: Questionnaire, catalogue: Catalogue, attempt: AttemptRecord
) -> str:
    assert attempt.scores is not None
    assert attempt.finished_at is not None
    scores = {s.id: attempt.scores.get(s.id, 0) for s in quiz.scales}
    result = interpret(quiz, scores)
    lines = [
        texts(
            "result-head",
            title=escape(quiz.title),
            date=texts.date(attempt.finished_at),
        ),
        "",
    ]
    lines.extend(
        texts(
            "result-scale",
            title=escape(quiz.scale(item.scale_id).title),
            score=item.score,
            max=quiz.max_score,
            band=escape(item.band.title),
            leading="yes" if item.scale_id in result.leading else "no",
        )
        for item in sorted(result.scales, key=lambda r: -r.score)
    )
    lines += ["", texts("result-leading", count=len(result.leading))]
    # With three or more leading types the full blocks would not fit a phone screen: their
    # professions and places to study are one tap away ("Подробнее" buttons).
    typed = is_interest_quiz(quiz)
    compact = typed and len(result.leading) > COMPACT_FROM
    for scale_id in result.leading:
        scale = quiz.scale(scale_id)
        if compact or not typed:  # professions and places are known for interest types only
            block = texts(
                "result-type-short",
                title=escape(scale.title),
                description=escape(scale.description),
            )
        else:
            block = texts(
                "result-type",
                title=escape(scale.title),
                description=escape(scale.description),
                professions=professions(catalogue, scale_id, RESULT_PROFESSIONS),
                study=where_to_study(texts, catalogue, scale_id, RESULT_PROGRAMMES),
            )
        lines += ["", block]
    if compact:
        lines += ["", texts("result-more")]
    lines += ["", texts("result-footer")]
    return "\n".join(lines)


def type_text(texts: Texts, quiz: Questionnaire, catalogue: Catalogue, scale_id: str) -> str:
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
    return text


def place_text(texts: Texts, quiz: Questionnaire, catalogue: Catalogue, code: str) -> str:
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
    return "\n\n".join(parts)
