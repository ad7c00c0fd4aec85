"""The questionnaire without saving, for someone whose consent is not on record (a child under
14 waiting for a parent's consent). Its state is the answers so far, carried in the buttons
(one option key per character), so nothing about them is stored: not in the database, not in
the dialog state, not in memory. Pure: no database at all."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import quizzes
from db.records import AttemptRecord
from quizzes import Questionnaire

#: The most answers a button can carry (within Telegram's 64 bytes of callback data).
MOST_QUESTIONS = 40


def supports(quiz: Questionnaire) -> bool:
    """Whether the questionnaire fits in buttons: one-character option keys, few questions."""
    return quiz.length <= MOST_QUESTIONS and all(
        len(option.key) == 1 and option.key.isalnum()
        for question in quiz.questions
        for option in question.options
    )


@dataclass(frozen=True, slots=True)
class GuestProgress:
    answers: tuple[str, ...]

    @property
    def position(self) -> int:
        return len(self.answers)


def progress(quiz: Questionnaire, given: str) -> GuestProgress | None:
    """The answers a button carries, if each is an option of its question (else None: a
    forged or outdated button)."""
    if len(given) > quiz.length:
        return None
    for index, key in enumerate(given):
        if quiz.questions[index].option(key) is None:
            return None
    return GuestProgress(tuple(given))


def result(quiz: Questionnaire, answers: tuple[str, ...], now: datetime) -> AttemptRecord:
    """The finished questionnaire as an attempt that exists only to be shown (id 0)."""
    scores = quizzes.score(quiz, answers)
    return AttemptRecord(
        id=0,
        user_id=0,
        quiz_id=quiz.id,
        quiz_version=quiz.version,
        answers=answers,
        position=quiz.length,
        started_at=now,
        updated_at=now,
        finished_at=now,
        scores=scores,
    )
