"""Taking a questionnaire: start or resume, answer, step back, finish (and log the step)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

import quizzes
from content.catalogue import INTEREST_TYPES
from db.calendar import Moment
from db.models import StepKind
from db.records import AttemptRecord, UserRecord
from db.uow import UnitOfWork
from quizzes import Progress, Questionnaire
from services import profile, steps, surveys
from services.errors import ConsentOutdated, NotFound, NotRegistered


class Outcome(StrEnum):
    #: The step was taken.
    DONE = "done"
    #: The same answer arrived again (double tap, re-delivered update): nothing changed.
    REPEATED = "repeated"
    #: The button belongs to another question or an older screen: nothing changed.
    STALE = "stale"


@dataclass(frozen=True, slots=True)
class QuizState:
    attempt: AttemptRecord
    progress: Progress
    outcome: Outcome = Outcome.DONE

    @property
    def finished(self) -> bool:
        return self.attempt.finished


@dataclass(frozen=True, slots=True)
class Tap:
    """A tap on a question's button: whose, which attempt, which question (the one on screen),
    and for an answer, which option."""

    user_id: int
    attempt_id: int
    question: int
    key: str = ""


def is_interest_quiz(quiz: Questionnaire) -> bool:
    """Whether the questionnaire's scales are the catalogue's interest types (Klimov's five), so
    that its results lead to professions and places to study."""
    return {s.id for s in quiz.scales} == set(INTEREST_TYPES)


def interest_quiz(quizzes: dict[str, Questionnaire]) -> Questionnaire:
    """The questionnaire of the interest types: the one /quiz opens and the type pages use.
    Checked at start-up, so that a broken data file stops the bot before a user taps."""
    found = [q for q in quizzes.values() if is_interest_quiz(q)]
    if len(found) != 1:
        raise ValueError(
            f"exactly one questionnaire must have the scales {INTEREST_TYPES}; found {len(found)}"
        )
    return found[0]


def offered(quiz: Questionnaire, user: UserRecord, moment: Moment) -> bool:
    """Whether the questionnaire is offered to this user now (its audience and windows)."""
    if quiz.audience is None and not quiz.windows:
        return True
    grade = profile.current_grade(user, moment.academic_year)
    return quiz.offered_to(user.role, grade, moment.now.astimezone(moment.tz).month)


def progress_of(quiz: Questionnaire, attempt: AttemptRecord) -> Progress:
    return Progress.restore(quiz, attempt.answers, attempt.position)


def interpretation(quiz: Questionnaire, attempt: AttemptRecord) -> quizzes.Interpretation:
    """What a finished attempt's scores mean: bands and the leading scales."""
    if attempt.scores is None:
        raise NotFound(attempt.id)
    return quizzes.interpret(quiz, attempt.scores)


def _state(quiz: Questionnaire, attempt: AttemptRecord, outcome: Outcome) -> QuizState:
    return QuizState(attempt, progress_of(quiz, attempt), outcome)


async def start(
    uow: UnitOfWork,
    quiz: Questionnaire,
    user_id: int,
    now: datetime,
    *,
    restart: int | None = None,
) -> QuizState:
    """The user's open attempt (resumed where they stopped), or a new one. With `restart`, the
    id of the open attempt the user agreed to drop (0: none was open), that attempt is dropped
    and a new one begun; finished results are always kept. If the open attempt is no longer
    the one the user saw (a confirmation tapped on an old message), nothing is dropped and the
    open attempt comes back as STALE.

    An open attempt made for an older version of the questionnaire is discarded: its answers
    belong to other statements.
    """
    async with uow.write():
        if await uow.users.get(user_id, for_update=True) is None:
            raise NotRegistered
        attempt = await uow.attempts.get_open(user_id, quiz.id, for_update=True)
        if attempt is not None and attempt.quiz_version != quiz.version:
            await uow.attempts.delete(attempt.id)
            attempt = None
        if restart is not None and attempt is not None:
            if attempt.id != restart:
                return _state(quiz, attempt, Outcome.STALE)
            await uow.attempts.delete(attempt.id)
            attempt = None
        if attempt is None:
            attempt = await uow.attempts.start(user_id, quiz.id, quiz.version, quiz.length, now)
    return _state(quiz, attempt, Outcome.DONE)


async def _own_attempt(
    uow: UnitOfWork, quiz: Questionnaire, tap: Tap, consent_version: str
) -> AttemptRecord:
    """The attempt, locked for the change, if it is this user's and of the current version
    (an attempt of an older version belongs to other statements: its buttons are out of date),
    and the user's consent is of the current version.
    """
    found = await uow.attempts.get_for_change(tap.attempt_id)
    attempt, agreed_to = found if found is not None else (None, None)
    if (
        attempt is None
        or attempt.user_id != tap.user_id
        or attempt.quiz_id != quiz.id
        or attempt.quiz_version != quiz.version
    ):
        raise NotFound(tap.attempt_id)
    if agreed_to != consent_version:
        raise ConsentOutdated
    return attempt


async def answer(
    uow: UnitOfWork, quiz: Questionnaire, tap: Tap, moment: Moment, *, consent_version: str
) -> QuizState:
    """Record one answer; the last one finishes the attempt and logs a monitoring step.

    One write transaction: read the attempt (locked), write it back. This is the path every tap
    of a questionnaire takes, so it reads nothing else unless the questionnaire is finished.
    """
    index, key, now = tap.question, tap.key, moment.now
    async with uow.write():
        attempt = await _own_attempt(uow, quiz, tap, consent_version)
        if not 0 <= index < quiz.length or quiz.questions[index].option(key) is None:
            raise NotFound(key)
        progress = progress_of(quiz, attempt)
        try:
            if attempt.finished:
                raise quizzes.StaleQuestion(index)
            progress = quizzes.answer(quiz, progress, index, key)
        except quizzes.StaleQuestion:
            # The same answer is already recorded there: a double tap or a re-delivered update.
            repeated = attempt.answers[index] == key
            return _state(quiz, attempt, Outcome.REPEATED if repeated else Outcome.STALE)
        if progress.complete and progress.position == quiz.length:
            scores = quizzes.score(quiz, progress.answers)
            user = await uow.users.get(tap.user_id)
            if user is None:  # erased while answering
                raise NotRegistered
            await uow.attempts.finish(attempt.id, progress.answers, scores, now)
            detail = {
                "quiz": quiz.id,
                "version": quiz.version,
                "scores": scores,
                "leading": list(quizzes.interpret(quiz, scores).leading),
            }
            ref = f"attempt:{attempt.id}"
            step = steps.step_of(user, StepKind.QUIZ_FINISHED, ref, moment, detail)
            await uow.steps.log(step)
            sheet = surveys.self_check_sheet(quiz, user, scores, moment, step.grade)
            if sheet is not None:  # the monitoring's self-assessment: its sheet is kept too
                await uow.stats.add_sheet(sheet)
            updated = replace(attempt, finished_at=now, scores=scores)
        else:
            await uow.attempts.save_progress(attempt.id, progress.answers, progress.position, now)
            updated = attempt
    updated = replace(updated, answers=progress.answers, position=progress.position, updated_at=now)
    return QuizState(updated, progress, Outcome.DONE)


async def back(
    uow: UnitOfWork, quiz: Questionnaire, tap: Tap, now: datetime, *, consent_version: str
) -> QuizState:
    """Go back from question `tap.question` (the one on screen) to the one before it."""
    index = tap.question
    async with uow.write():
        attempt = await _own_attempt(uow, quiz, tap, consent_version)
        if attempt.finished or attempt.position != index or index == 0:
            return _state(quiz, attempt, Outcome.STALE)
        progress = quizzes.back(progress_of(quiz, attempt))
        await uow.attempts.save_progress(attempt.id, progress.answers, progress.position, now)
    updated = replace(attempt, position=progress.position, updated_at=now)
    return QuizState(updated, progress, Outcome.DONE)


async def current(uow: UnitOfWork, quiz: Questionnaire, user_id: int) -> QuizState | None:
    """The unfinished attempt of the current version, if any (read only)."""
    attempt = await uow.attempts.get_open(user_id, quiz.id)
    await uow.end_read()
    if attempt is None or attempt.quiz_version != quiz.version:
        return None
    return _state(quiz, attempt, Outcome.DONE)


async def result(uow: UnitOfWork, user_id: int, attempt_id: int) -> AttemptRecord:
    attempt = await uow.attempts.get(attempt_id)
    await uow.end_read()
    if attempt is None or attempt.user_id != user_id or not attempt.finished:
        raise NotFound(attempt_id)
    return attempt


async def count_finished(uow: UnitOfWork, user_id: int) -> int:
    count = await uow.attempts.count_finished(user_id)
    await uow.end_read()
    return count


async def unfinished(uow: UnitOfWork, user_id: int) -> list[AttemptRecord]:
    found = await uow.attempts.list_open(user_id)
    await uow.end_read()
    return found


async def history(uow: UnitOfWork, user_id: int, limit: int = 10) -> list[AttemptRecord]:
    found = await uow.attempts.list_finished(user_id, limit=limit)
    await uow.end_read()
    return found
