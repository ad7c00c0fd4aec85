"""Questionnaires as data files plus a pure engine. Knows nothing of Telegram or databases.

Adding a questionnaire means adding a TOML file to `quizzes/data/`.
"""

from __future__ import annotations

from pathlib import Path

from quizzes.engine import (
    Interpretation,
    NotFinished,
    Progress,
    QuizError,
    ScaleResult,
    StaleQuestion,
    UnknownOption,
    answer,
    back,
    interpret,
    score,
)
from quizzes.model import Band, Option, Question, Questionnaire, Scale, load_questionnaire

DATA_DIR = Path(__file__).with_name("data")


def load_all(directory: Path = DATA_DIR) -> dict[str, Questionnaire]:
    """Every questionnaire in `directory`, by id."""
    found: dict[str, Questionnaire] = {}
    for path in sorted(directory.glob("*.toml")):
        quiz = load_questionnaire(path)
        if quiz.id in found:
            raise ValueError(f"{path.name}: questionnaire id {quiz.id!r} is used twice")
        found[quiz.id] = quiz
    return found


__all__ = [
    "DATA_DIR",
    "Band",
    "Interpretation",
    "NotFinished",
    "Option",
    "Progress",
    "Question",
    "Questionnaire",
    "QuizError",
    "Scale",
    "ScaleResult",
    "StaleQuestion",
    "UnknownOption",
    "answer",
    "back",
    "interpret",
    "load_all",
    "load_questionnaire",
    "score",
]
