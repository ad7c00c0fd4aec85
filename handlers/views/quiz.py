"""The questionnaire's screens: intro, one question per screen, the restart confirmation, the
result, past results, and the reminder about an unfinished questionnaire."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from content import Catalogue
from content.library import Content
from db.records import AttemptRecord, EventRecord
from handlers.callbacks import (
    Adults,
    Answer,
    Back,
    Bank,
    Nav,
    Page,
    QuizControl,
    QuizStep,
    RestartQuiz,
    ShowEvent,
    ShowResult,
    ShowType,
)
from handlers.ui import Row, View, back_row, fit_label, menu_row
from handlers.views.catalogue import professions, where_to_study
from handlers.views.retraining import retraining_lines
from locales import Texts
from quizzes import Questionnaire
from services import quiz as quiz_service
from services.quiz import QuizState

LETTERS = "АБВГДЕЖЗ"

#: How many examples a result shows per leading type; the type page shows them all.
RESULT_PROFESSIONS = 6
RESULT_PROGRAMMES = 3
#: Up to this many leading types are shown in full on the result screen.
COMPACT_FROM = 2


def intro_view(texts: Texts, quiz: Questionnaire, state: QuizState | None) -> View:
    """Before the first question, or (with an open attempt) where the user stopped."""
    if state is None:
        text = texts(
            "quiz-intro",
            title=escape(quiz.title),
            author=escape(quiz.author) or "none",
            summary=escape(quiz.summary),
            instruction=escape(quiz.instruction),
            duration=escape(quiz.duration) or "none",
            total=quiz.length,
        )
        return View(
            text,
            [
                [(texts("btn-quiz-begin"), QuizControl(action=QuizStep.BEGIN, quiz=quiz.id))],
                menu_row(texts),
            ],
        )
    text = texts(
        "quiz-resume",
        title=escape(quiz.title),
        number=state.progress.position + 1,
        done=state.progress.answered,
        total=quiz.length,
    )
    return View(
        text,
        [
            [
                (
                    texts("btn-quiz-continue-short"),
                    QuizControl(action=QuizStep.BEGIN, quiz=quiz.id),
                )
            ],
            [
                (
                    texts("btn-quiz-restart"),
                    QuizControl(action=QuizStep.ASK_RESTART, quiz=quiz.id),
                )
            ],
            menu_row(texts),
        ],
    )


def restart_confirm_view(texts: Texts, quiz: Questionnaire, state: QuizState | None) -> View:
    text = texts(
        "quiz-restart-confirm",
        done=state.progress.answered if state else 0,
        total=quiz.length,
    )
    confirm = RestartQuiz(quiz=quiz.id, attempt=state.attempt.id if state else 0)
    return View(
        text,
        [
            [(texts("btn-quiz-restart-yes"), confirm)],
            back_row(texts, QuizControl(action=QuizStep.INTRO, quiz=quiz.id)),
        ],
    )


def question_view(texts: Texts, quiz: Questionnaire, state: QuizState) -> View:
    index = state.progress.position
    question = quiz.questions[index]
    chosen = state.progress.current_answer()
    options = "\n\n".join(
        texts("quiz-option", letter=LETTERS[i], text=escape(option.text))
        for i, option in enumerate(question.options)
    )
    if question.text:  # a question with its own wording (not one of Klimov's pairs)
        options = f"<b>{escape(question.text)}</b>\n\n{options}"
    text = texts(
        "quiz-question",
        title=escape(quiz.title),
        number=index + 1,
        total=quiz.length,
        options=options,
    )
    attempt = state.attempt.id
    answer_row: Row = [
        (
            ("✓ " if option.key == chosen else "") + LETTERS[i],
            Answer(quiz=quiz.id, attempt=attempt, question=index, key=option.key),
        )
        for i, option in enumerate(question.options)
    ]
    nav_row: Row = []
    if index > 0:
        back = Back(quiz=quiz.id, attempt=attempt, question=index)
        nav_row.append((texts("btn-quiz-back"), back))
    nav_row.append((texts("btn-quiz-pause"), QuizControl(action=QuizStep.PAUSE, quiz=quiz.id)))
    return View(text, [answer_row, nav_row])


def result_view(
    texts: Texts,
    quiz: Questionnaire,
    catalogue: Catalogue,
    attempt: AttemptRecord,
    *,
    adult: Content | None = None,
) -> View:
    """A finished attempt opened from «Мои результаты», with a way back there. `adult`: the
    content an adult's result points to (retraining rather than school programmes)."""
    rows = type_rows(texts, quiz, attempt) + adult_rows(texts, adult)
    rows += [back_row(texts, Nav(to=Page.RESULTS)), menu_row(texts)]
    return View(result_text(texts, quiz, catalogue, attempt, adult=adult), rows)


def finished_view(  # noqa: PLR0913 - the result's parts, and whom it is for
    texts: Texts,
    quiz: Questionnaire,
    catalogue: Catalogue,
    attempt: AttemptRecord,
    suggested: Sequence[EventRecord],
    *,
    adult: Content | None = None,
) -> View:
    """The result right after the last answer: a way to all results, and the upcoming events
    that match the leading types."""
    rows = type_rows(texts, quiz, attempt) + adult_rows(texts, adult)
    text = result_text(texts, quiz, catalogue, attempt, adult=adult)
    if suggested:
        text += "\n\n" + texts("result-events")
        for event in suggested:
            date = texts.when(event.starts_at, "d MMM")
            label = texts("btn-event-item", date=date, title=event.title)
            rows.append([(fit_label(label), ShowEvent(id=event.id))])
    rows += [[(texts("btn-results"), Nav(to=Page.RESULTS))], menu_row(texts)]
    return View(text, rows)


def type_rows(texts: Texts, quiz: Questionnaire, attempt: AttemptRecord) -> list[Row]:
    """A button to the full page (all professions, all places to study) of each leading type."""
    if not quiz_service.is_interest_quiz(quiz):
        return []
    leading = quiz_service.interpretation(quiz, attempt).leading
    rows: list[Row] = []
    for s in leading:
        title = quiz.scale(s).title
        rows.append([(texts("btn-type-more", title=title), ShowType(scale=s))])
        rows.append([(texts("btn-result-bank", title=title), Bank(scale=s))])
    return rows


def adult_rows(texts: Texts, adult: Content | None) -> list[Row]:
    return [[(texts("btn-result-retraining"), Adults())]] if adult is not None else []


def result_text(
    texts: Texts,
    quiz: Questionnaire,
    catalogue: Catalogue,
    attempt: AttemptRecord,
    *,
    adult: Content | None = None,
) -> str:
    assert attempt.finished_at is not None
    result = quiz_service.interpretation(quiz, attempt)
    lines = [
        texts("result-head", title=escape(quiz.title), date=texts.date(attempt.finished_at)),
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
    typed = quiz_service.is_interest_quiz(quiz)
    compact = typed and len(result.leading) > COMPACT_FROM
    for scale_id in result.leading:
        scale = quiz.scale(scale_id)
        if compact or not typed:  # professions and places are known for interest types only
            block = texts(
                "result-type-short",
                title=escape(scale.title),
                description=escape(scale.description),
            )
        elif adult is not None:  # an adult: retraining, not school and college admission
            block = texts(
                "result-type-adult",
                title=escape(scale.title),
                description=escape(scale.description),
                professions=professions(catalogue, scale_id, RESULT_PROFESSIONS),
                study=retraining_lines(texts, adult, scale_id, RESULT_PROGRAMMES),
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


def no_results_view(texts: Texts, first: Questionnaire) -> View:
    start = QuizControl(action=QuizStep.INTRO, quiz=first.id)
    return View(
        texts("results-empty"),
        [[(texts("btn-quiz-start", title=first.title), start)], menu_row(texts)],
    )


def results_view(
    texts: Texts,
    quizzes: dict[str, Questionnaire],
    attempts: list[AttemptRecord],
    total: int,
) -> View:
    """The latest finished attempts, one button each; `total` counts all of them."""
    rows: list[Row] = []
    # With results of more than one questionnaire each item says whose result it is.
    several = len({a.quiz_id for a in attempts if a.quiz_id in quizzes}) > 1
    for attempt in attempts:
        taken = quizzes.get(attempt.quiz_id)
        if taken is None or attempt.scores is None or attempt.finished_at is None:
            continue
        leading = quiz_service.interpretation(taken, attempt).leading
        label = texts(
            "results-item",
            named="yes" if several else "no",
            title=taken.title,
            date=texts.date(attempt.finished_at),
            leading=", ".join(_short_title(taken, s) for s in leading),
        )
        rows.append([(fit_label(label), ShowResult(attempt=attempt.id))])
    rows.append(menu_row(texts))
    shown = "all" if total <= len(attempts) else len(attempts)
    return View(texts("results-list", count=total, shown=shown), rows)


def _short_title(quiz: Questionnaire, scale_id: str) -> str:
    return quiz.scale(scale_id).title.split("—")[-1].strip()


def reminder_view(texts: Texts, quiz: Questionnaire, attempt: AttemptRecord) -> View:
    """The one reminder about a questionnaire left unfinished."""
    text = texts(
        "reminder-quiz",
        title=escape(quiz.title),
        done=quiz_service.progress_of(quiz, attempt).answered,
        total=quiz.length,
    )
    resume = QuizControl(action=QuizStep.INTRO, quiz=quiz.id)
    return View(text, [[(texts("btn-quiz-continue-short"), resume)]])
