"""The Klimov questionnaire as data, and the pure scoring engine (no Telegram, no database)."""

from __future__ import annotations

import itertools
import random
from pathlib import Path

import pytest
from pydantic import ValidationError

import quizzes
from quizzes import Progress, Questionnaire

# The published key (Е. А. Климов), by pair number and letter.
PUBLISHED_KEY = {
    "nature": ["1a", "3b", "6a", "10a", "11a", "13b", "16a", "20a"],
    "technic": ["1b", "4a", "7b", "9a", "11b", "14a", "17b", "19a"],
    "human": ["2a", "4b", "6b", "8a", "12a", "14b", "16b", "18a"],
    "sign": ["2b", "5a", "9b", "10b", "12b", "15b", "19b", "20b"],
    "art": ["3a", "5b", "7a", "8b", "13a", "15a", "17a", "18b"],
}


@pytest.fixture(scope="module")
def klimov() -> Questionnaire:
    return quizzes.load_all()["klimov"]


def test_twenty_pairs_five_types(klimov: Questionnaire) -> None:
    assert klimov.length == 20
    assert all(len(q.options) == 2 for q in klimov.questions)
    assert [s.id for s in klimov.scales] == ["nature", "technic", "human", "sign", "art"]
    assert [s.title for s in klimov.scales] == [
        "Человек — природа",
        "Человек — техника",
        "Человек — человек",
        "Человек — знаковая система",
        "Человек — художественный образ",
    ]


def test_every_type_has_exactly_eight_statements(klimov: Questionnaire) -> None:
    per_scale = {s.id: 0 for s in klimov.scales}
    for question in klimov.questions:
        for option in question.options:
            per_scale[option.scale] += 1
    assert per_scale == dict.fromkeys(per_scale, 8)
    assert klimov.max_score == 8


def test_every_statement_belongs_to_exactly_one_type_and_matches_the_published_key(
    klimov: Questionnaire,
) -> None:
    keyed = {}
    for number, question in enumerate(klimov.questions, start=1):
        for option in question.options:
            position = f"{number}{option.key}"
            assert position not in keyed
            keyed[position] = option.scale
    assert len(keyed) == 40
    expected = {pos: scale for scale, positions in PUBLISHED_KEY.items() for pos in positions}
    assert keyed == expected


def test_the_key_follows_the_content_of_the_statements(klimov: Questionnaire) -> None:
    by_text = {o.text: o.scale for q in klimov.questions for o in q.options}
    assert by_text["Ухаживать за животными"] == "nature"
    assert by_text["Обслуживать машины, приборы (следить, регулировать)"] == "technic"
    assert by_text["Помогать больным"] == "human"
    assert by_text["Выполнять вычисления, расчёты"] == "sign"
    assert by_text["Играть на сцене, принимать участие в концертах"] == "art"
    assert by_text["Делать лабораторные анализы в больнице"] == "nature"


def test_scores_always_sum_to_twenty(klimov: Questionnaire) -> None:
    rng = random.Random(7)
    for _ in range(300):
        answers = [rng.choice("ab") for _ in range(20)]
        assert sum(quizzes.score(klimov, answers).values()) == 20


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        # all "а": П 1,6,10,11,16,20 / Т 4,9,14,19 / Ч 2,8,12,18 / З 5 / Х 3,7,13,15,17
        ("a" * 20, {"nature": 6, "technic": 4, "human": 4, "sign": 1, "art": 5}),
        # all "б": П 3,13 / Т 1,7,11,17 / Ч 4,6,14,16 / З 2,9,10,12,15,19,20 / Х 5,8,18
        ("b" * 20, {"nature": 2, "technic": 4, "human": 4, "sign": 7, "art": 3}),
        # the technic statement wherever a pair has one (1б 4а 7б 9а 11б 14а 17б 19а), else "а":
        # П 6,10,16,20 / Ч 2,8,12,18 / Х 3,13,15 / З 5
        ("baaaaabaaabaaaaabaaa", {"nature": 4, "technic": 8, "human": 4, "sign": 1, "art": 3}),
    ],
)
def test_known_patterns_give_hand_computed_scores(
    klimov: Questionnaire, answers: str, expected: dict[str, int]
) -> None:
    assert quizzes.score(klimov, list(answers)) == expected


def test_bands_are_the_standard_ones(klimov: Questionnaire) -> None:
    bands = {score: klimov.band(score).id for score in range(9)}
    assert bands == {
        0: "low", 1: "low", 2: "low",
        3: "moderate", 4: "moderate", 5: "moderate", 6: "moderate",
        7: "high", 8: "high",
    }  # fmt: skip


def test_ties_are_all_leading(klimov: Questionnaire) -> None:
    tie = quizzes.interpret(klimov, {"nature": 5, "technic": 5, "human": 5, "sign": 3, "art": 2})
    assert tie.leading == ("nature", "technic", "human")
    assert tie.is_tie
    all_equal = quizzes.interpret(
        klimov, dict.fromkeys(("nature", "technic", "human", "sign", "art"), 4)
    )
    assert len(all_equal.leading) == 5
    single = quizzes.interpret(klimov, {"nature": 2, "technic": 8, "human": 4, "sign": 3, "art": 3})
    assert single.leading == ("technic",)
    assert not single.is_tie


def test_progress_moves_forward_back_and_keeps_answers(klimov: Questionnaire) -> None:
    progress = Progress.start(klimov)
    progress = quizzes.answer(klimov, progress, 0, "a")
    progress = quizzes.answer(klimov, progress, 1, "b")
    assert progress.position == 2
    progress = quizzes.back(progress)
    assert progress.position == 1
    assert progress.current_answer() == "b"
    progress = quizzes.answer(klimov, progress, 1, "a")  # change the answer
    assert progress.answers[:2] == ("a", "a")
    assert progress.position == 2


def test_after_two_steps_back_the_user_walks_forward_in_order(klimov: Questionnaire) -> None:
    progress = Progress.start(klimov)
    for index, key in enumerate("abab"):
        progress = quizzes.answer(klimov, progress, index, key)
    progress = quizzes.back(quizzes.back(progress))
    assert progress.position == 2
    progress = quizzes.answer(klimov, progress, 2, "b")  # changed
    assert (progress.position, progress.current_answer()) == (3, "b")  # question 4, kept
    progress = quizzes.answer(klimov, progress, 3, "b")  # kept as it was
    assert (progress.position, progress.current_answer()) == (4, None)
    assert progress.answers[:5] == ("a", "b", "b", "b", None)


def test_an_answer_for_another_question_is_stale(klimov: Questionnaire) -> None:
    progress = quizzes.answer(klimov, Progress.start(klimov), 0, "a")
    with pytest.raises(quizzes.StaleQuestion):
        quizzes.answer(klimov, progress, 0, "b")
    with pytest.raises(quizzes.StaleQuestion):
        quizzes.answer(klimov, progress, 5, "a")
    with pytest.raises(quizzes.UnknownOption):
        quizzes.answer(klimov, progress, 1, "z")
    with pytest.raises(quizzes.StaleQuestion):
        quizzes.back(Progress.start(klimov))


def test_last_answer_completes(klimov: Questionnaire) -> None:
    progress = Progress.start(klimov)
    for index, key in zip(range(20), itertools.cycle("ab"), strict=False):
        progress = quizzes.answer(klimov, progress, index, key)
    assert progress.complete
    assert progress.position == 20
    with pytest.raises(quizzes.NotFinished):
        quizzes.score(klimov, ["a"] * 19)


def test_restore_clamps_bad_stored_values(klimov: Questionnaire) -> None:
    progress = Progress.restore(klimov, ["a", "b"], 99)
    assert len(progress.answers) == 20
    assert progress.position == 20
    assert progress.answered == 2


def _data(tmp_path: Path, text: str) -> Path:
    (tmp_path / "x.toml").write_text(text, encoding="utf-8")
    return tmp_path


MINIMAL = """
id = "mini"
version = "1"
title = "Мини"
summary = "s"
instruction = "i"
[[scales]]
id = "x"
title = "X"
description = "d"
[[scales]]
id = "y"
title = "Y"
description = "d"
[[bands]]
id = "low"
min = 0
max = 0
title = "нет"
[[bands]]
id = "high"
min = 1
max = 1
title = "да"
[[questions]]
options = [{ key = "a", scale = "x", text = "один" }, { key = "b", scale = "y", text = "два" }]
"""


def test_a_new_questionnaire_needs_only_a_data_file(tmp_path: Path) -> None:
    found = quizzes.load_all(_data(tmp_path, MINIMAL))
    quiz = found["mini"]
    assert quizzes.score(quiz, ["b"]) == {"x": 0, "y": 1}


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        (MINIMAL.replace('scale = "y"', 'scale = "zzz"'), "unknown scale"),
        (MINIMAL.replace('text = "два"', 'text = "один"'), "statement repeated"),
        (MINIMAL.replace("min = 1\nmax = 1", "min = 2\nmax = 2"), "bands must cover"),
        (MINIMAL.replace('key = "b"', 'key = "a"'), "option keys must be unique"),
    ],
)
def test_a_broken_data_file_is_rejected_on_load(tmp_path: Path, broken: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        quizzes.load_all(_data(tmp_path, broken))
