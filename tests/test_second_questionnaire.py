"""A second questionnaire needs only its data file: it appears in the menu, runs, scores, is
remembered in the results and logged for monitoring, with no code written for it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

import bot.factory
import quizzes
from bot.conversation import Conversation
from db.models import Step
from services.quiz import interest_quiz
from tests.conftest import (
    KLIMOV_TITLE,
    TEXTS,
    World,
    question_head,
    quiz_intro,
    register,
    result_head,
)

VALUES = """
id = "values"
version = "1"
title = "Что для меня важно"
summary = "Три вопроса о том, что вам интереснее."
instruction = "Выберите, что вам ближе."

[[scales]]
id = "people"
title = "Люди"
description = "Вам важно общение."

[[scales]]
id = "things"
title = "Вещи"
description = "Вам важно, как всё устроено."

[[bands]]
id = "few"
min = 0
max = 1
title = "почти нет"

[[bands]]
id = "many"
min = 2
max = 3
title = "заметно"

[[questions]]
options = [
  { key = "a", scale = "people", text = "Поговорить с другом" },
  { key = "b", scale = "things", text = "Разобрать будильник" },
]

[[questions]]
options = [
  { key = "a", scale = "people", text = "Помочь однокласснику" },
  { key = "b", scale = "things", text = "Починить велосипед" },
]

[[questions]]
options = [
  { key = "a", scale = "people", text = "Устроить праздник" },
  { key = "b", scale = "things", text = "Собрать модель" },
]
"""


def professions_label() -> str:
    """What introduces the professions in a type's block of a result («Профессии:»): the text
    of its line in front of the professions."""
    marker = "\x00"
    block = TEXTS("result-type", title="", description="", professions=marker, study="")
    line = next(line for line in block.split("\n") if marker in line)
    return line.split(marker)[0].strip()


@pytest.fixture(autouse=True)
def two_questionnaires(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "klimov_ddo.toml").write_text(
        (quizzes.DATA_DIR / "klimov_ddo.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "values.toml").write_text(VALUES, encoding="utf-8")
    monkeypatch.setattr(bot.factory, "load_all", lambda: quizzes.load_all(tmp_path))


async def test_a_questionnaire_added_as_a_data_file_works_end_to_end(
    world: World, chat: Conversation
) -> None:
    await register(chat)
    labels = [label for label, _ in chat.last.buttons]
    assert TEXTS("btn-quiz-start", title=KLIMOV_TITLE) in labels
    values = world.app.quizzes["values"]
    start = TEXTS("btn-quiz-start", title="Что для меня важно")
    assert start in labels

    await chat.click(start)
    assert quiz_intro(values) in chat.last.text  # «3 вопроса», from the data file
    await chat.click(TEXTS("btn-quiz-begin"))
    assert question_head(1, total=3, title="Что для меня важно") in chat.last.text
    for letter in "АБА":
        await chat.click(letter)

    result = chat.last.text
    assert result_head(world.clock.now, title="Что для меня важно") in result
    people = TEXTS("result-scale", title="Люди", score=2, max=3, band="заметно", leading="yes")
    assert people in result
    things = TEXTS("result-scale", title="Вещи", score=1, max=3, band="почти нет", leading="no")
    assert things in result
    assert TEXTS("result-type-short", title="Люди", description="Вам важно общение.") in result
    assert professions_label()  # the check below means something
    assert professions_label() not in result  # professions are known for Klimov's types only
    more = {
        TEXTS("btn-type-more", title=scale.title)
        for quiz in world.app.quizzes.values()
        for scale in quiz.scales
    }
    assert not more & {label for label, _ in chat.last.buttons}

    await chat.send("/results")
    assert TEXTS("results-list", count=1, shown="all") in chat.last.text
    async with world.app.uow_factory() as uow:
        [step] = await uow.session.scalars(select(Step))
    assert step.detail["quiz"] == "values"
    assert step.detail["scores"] == {"people": 2, "things": 1}

    await chat.send("/quiz")  # the command stays the Klimov questionnaire
    assert quiz_intro(world.app.quizzes["klimov"]) in chat.last.text


async def test_with_results_of_two_questionnaires_each_item_names_its_questionnaire(
    world: World, chat: Conversation
) -> None:
    await register(chat)
    await chat.click(TEXTS("btn-quiz-start", title="Что для меня важно"))
    await chat.click(TEXTS("btn-quiz-begin"))
    for letter in "АБА":
        await chat.click(letter)
    await chat.send("/quiz")
    await chat.click(TEXTS("btn-quiz-begin"))
    for _ in range(20):
        await chat.click("А")
    await chat.send("/results")
    labels = [label for label, _ in chat.last.buttons]
    date = TEXTS.date(world.clock.now)
    assert labels[:2] == [
        TEXTS("results-item", named="yes", title=KLIMOV_TITLE, date=date, leading="природа"),
        TEXTS("results-item", named="yes", title="Что для меня важно", date=date, leading="Люди"),
    ]
    assert labels[0].startswith(KLIMOV_TITLE)
    assert labels[1].startswith("Что для меня важно")


def test_the_bot_refuses_to_start_without_exactly_one_interest_type_questionnaire(
    tmp_path: Path,
) -> None:
    only_values = tmp_path / "only-values"
    only_values.mkdir()
    (only_values / "values.toml").write_text(VALUES, encoding="utf-8")
    with pytest.raises(ValueError, match="exactly one questionnaire"):
        interest_quiz(quizzes.load_all(only_values))
