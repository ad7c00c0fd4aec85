"""The profession bank: browse by interest type, a profession's card, search by typed text
(part of a word, case and ё/е, a typo of one letter), the closest suggestion when nothing is
found; links from a questionnaire result and an event's card."""

from __future__ import annotations

from html import escape

import pytest
from sqlalchemy import func, select

from bot.conversation import Conversation
from content.catalogue import load_catalogue
from content.problems import DEFER
from content.professions import BankProfession, ProfessionBank, load_professions
from db.models import ConversationState
from services.professions import normalise, search
from tests.conftest import TEXTS, World, register
from tests.test_privacy import finish_quiz
from tests.test_subscriptions import publish

BANK = load_professions()


def titles(query: str, bank: ProfessionBank = BANK) -> list[str]:
    return [p.title for p in search(bank, query).found]


def test_the_shipped_bank_is_valid_and_refers_to_the_catalogue() -> None:
    assert BANK.problems(load_catalogue()) == []
    zhdt = [p for p in BANK.professions if "zhdt" in p.study]
    assert {"машинист локомотива", "монтёр пути", "электромеханик СЦБ"} <= {p.title for p in zhdt}
    assert all(p.sample for p in BANK.professions)  # nothing unverified shown as verified


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("сварщ", "электрогазосварщик"),  # part of a word
        ("СВАРЩИК", "электрогазосварщик"),  # case
        ("монтер пути", "монтёр пути"),  # ё typed as е
        ("ветеринар", "ветеринарный врач"),
        ("медсестра", "медицинская сестра"),  # an alias
    ],
)
def test_search_finds_part_of_a_word_whatever_the_case_and_yo(query: str, expected: str) -> None:
    result = search(BANK, query)
    assert expected in [p.title for p in result.found]
    assert not result.fuzzy


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("програмист", "программист"),  # a letter missing
        ("прогрвммист", "программист"),  # a letter wrong
        ("сварщщик", "электрогазосварщик"),  # a letter extra
        ("воспетатель", "воспитатель детского сада"),
        ("машинст", "машинист локомотива"),
    ],
)
def test_a_typo_of_one_letter_still_finds_it(query: str, expected: str) -> None:
    result = search(BANK, query)
    assert result.fuzzy
    assert expected in [p.title for p in result.found]


def test_a_typo_does_not_match_unrelated_names() -> None:
    assert "водитель автомобиля" not in titles("учитель")
    assert titles("космонавт") == []


def test_nothing_found_suggests_the_closest() -> None:
    result = search(BANK, "космонавт")
    assert result.found == ()
    assert result.closest is not None


def test_normalise() -> None:
    assert normalise("  Монтёр   ПУТИ ") == "монтер пути"


def test_a_new_bank_gets_its_own_index() -> None:
    one = BankProfession(code="x-one", title="стеклодув", types=("art",), about="Выдувает стекло.")
    bank = ProfessionBank.model_validate({"professions": [one.model_dump()]}, context=DEFER)
    assert titles("стеклодув", bank) == ["стеклодув"]
    assert titles("стеклодув") == []


# --- through the bot -------------------------------------------------------------------------


async def open_bank(chat: Conversation) -> None:
    await register(chat)
    await chat.send("/menu")
    await chat.click(TEXTS("btn-bank"))


def card(world: World, code: str) -> str:
    """The first lines of a profession's card as the bot shows it."""
    profession = BANK.by_code[code]
    return TEXTS("profession-card", **_card_args(world, profession)).split("\n")[0]


def _card_args(world: World, profession: BankProfession) -> dict[str, str]:
    quiz = world.app.quizzes["klimov"]
    return {
        "title": escape(profession.title),
        "sample": "yes" if profession.sample else "no",
        "types": ", ".join(quiz.scale(t).title for t in profession.types),
        "about": escape(profession.about),
        "demanded": "yes" if profession.demanded else "no",
        "study": "",
    }


async def test_browse_by_type_and_open_a_profession(world: World) -> None:
    chat = world.user()
    await open_bank(chat)
    assert TEXTS("bank", count=len(BANK.professions)) in chat.last.text
    quiz = world.app.quizzes["klimov"]
    technic = quiz.scale("technic")
    count = len(BANK.of_type("technic"))
    await chat.click(TEXTS("btn-bank-type", title=technic.title, count=count))
    assert technic.title in chat.last.text
    first = BANK.by_code["loco-driver"]
    await chat.click(first.title)
    text = chat.last.text
    assert text.startswith(card(world, first.code))
    assert first.about in text
    assert "ЗЖДТ" in text  # where to study it in town
    assert TEXTS("profession-sample-note") in text
    # The second page of the type, and back.
    await chat.click(TEXTS("btn-back"))
    await chat.click(TEXTS("btn-page-next"))
    assert TEXTS("bank-type", title=technic.title, count=count, page=2, pages=-(-count // 8)) in (
        chat.last.text
    )


async def test_search_by_typed_text_with_a_typo(world: World) -> None:
    chat = world.user()
    await open_bank(chat)
    await chat.click(TEXTS("btn-bank-search"))
    await chat.send("Програмист")
    assert (
        TEXTS("bank-search-found", query="програмист", count=1, shown=1, more="no", fuzzy="yes")
        in chat.last.text
    )
    await chat.click("программист")
    assert chat.last.text.startswith(card(world, "programmer"))
    # After a search, typed text is not searched again unless asked («Искать другую»).
    await chat.send("сварщик")
    assert TEXTS("unexpected-text") in chat.last.text
    await chat.send("/menu")
    await chat.click(TEXTS("btn-bank"))
    await chat.click(TEXTS("btn-bank-search"))
    await chat.send("космонавт")
    closest = search(BANK, "космонавт").closest
    assert closest is not None
    assert TEXTS("bank-search-closest", query="космонавт", closest=closest.title) in (
        chat.last.text
    )
    await chat.click(closest.title)
    assert chat.last.text.startswith(card(world, closest.code))


async def test_too_short_a_query_is_asked_again_and_find_command(world: World) -> None:
    chat = world.user()
    await open_bank(chat)
    await chat.click(TEXTS("btn-bank-search"))
    await chat.send("а")
    assert TEXTS("bank-search-short") in chat.last.text
    await chat.send("/find сварщик")
    assert TEXTS("btn-profession", title="электрогазосварщик", demanded="yes") in [
        label for label, _ in chat.last.buttons
    ]


async def test_text_without_a_search_goes_to_the_fallback(world: World) -> None:
    chat = world.user()
    await register(chat)
    await chat.send("сварщик")
    assert TEXTS("unexpected-text") in chat.last.text


async def test_forged_or_removed_profession_button(world: World) -> None:
    chat = world.user()
    await open_bank(chat)
    await chat.press("pf:no-such-code::0")
    assert chat.last_toast == TEXTS("button-outdated")
    assert TEXTS("bank", count=len(BANK.professions)) in chat.last.text
    await chat.press("pb:martian:0")
    assert chat.last_toast == TEXTS("button-outdated")


async def test_a_result_and_an_event_card_link_into_the_bank(world: World) -> None:
    chat = world.user()
    await register(chat)
    await finish_quiz(world, chat)
    quiz = world.app.quizzes["klimov"]
    leading = [
        s for s in quiz.scales if TEXTS("btn-result-bank", title=s.title) in str(chat.last.buttons)
    ]
    assert leading
    scale = leading[0]
    await chat.click(TEXTS("btn-result-bank", title=scale.title))
    assert (
        TEXTS(
            "bank-type",
            title=scale.title,
            count=len(BANK.of_type(scale.id)),
            page=1,
            pages=-(-len(BANK.of_type(scale.id)) // 8),
        )
        in chat.last.text
    )

    event = await publish(world, "Профпроба: машинист", profession="машинист локомотива")
    await chat.send(f"/start {event.code}")
    await chat.click(TEXTS("btn-event-professions"))
    assert chat.last.text.startswith(card(world, "loco-driver"))


async def test_a_guest_can_use_the_bank(world: World) -> None:
    chat = world.user()
    await chat.send("/menu")
    await chat.click(TEXTS("btn-bank"))
    await chat.click(TEXTS("btn-bank-search"))
    assert TEXTS("bank-search-prompt", min=2, guest="yes") in chat.last.text
    async with world.app.uow_factory() as uow:  # nothing stored for the guest's chat
        assert await uow.session.scalar(select(func.count()).select_from(ConversationState)) == 0
    await chat.send("/find монтёр")
    assert TEXTS("btn-profession", title="монтёр пути", demanded="yes") in [
        label for label, _ in chat.last.buttons
    ]
