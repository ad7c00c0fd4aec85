"""Taking the Klimov questionnaire through the bot, as a student would."""

from __future__ import annotations

from html import escape

from aiogram import methods
from sqlalchemy import select

from bot.conversation import Conversation
from db.models import QuizAttempt, Step, User
from handlers.views.catalogue import professions, where_to_study
from handlers.views.quiz import RESULT_PROFESSIONS, RESULT_PROGRAMMES
from tests.conftest import (
    KLIMOV,
    KLIMOV_TITLE,
    MENU_HEAD,
    TEXTS,
    World,
    consent_text,
    question_head,
    quiz_intro,
    register,
    result_head,
    type_page,
)

# The technic statement wherever a pair has one, "А" elsewhere: Т8 П4 Ч4 Х3 З1 (see test_klimov).
ALL_TECHNIC = "БАААААБАААБАААААБААА"
START = TEXTS("btn-quiz-start", title=KLIMOV_TITLE)


async def open_quiz(chat: Conversation) -> None:
    await chat.click(START)
    assert quiz_intro() in chat.last.text
    await chat.click(TEXTS("btn-quiz-begin"))


def scale_line(scale_id: str, score: int, band: str, *, leading: bool) -> str:
    """A scale's line in the result; `band`: the questionnaire's name of the band."""
    return TEXTS(
        "result-scale",
        title=KLIMOV.scale(scale_id).title,
        score=score,
        max=KLIMOV.max_score,
        band=band,
        leading="yes" if leading else "no",
    )


def type_block(world: World, scale_id: str) -> str:
    """A leading type in full on the result screen: some professions and places to study."""
    scale, catalogue = KLIMOV.scale(scale_id), world.app.catalogue
    return TEXTS(
        "result-type",
        title=escape(scale.title),
        description=escape(scale.description),
        professions=professions(catalogue, scale_id, RESULT_PROFESSIONS),
        study=where_to_study(TEXTS, catalogue, scale_id, RESULT_PROGRAMMES),
    )


async def answer_all(chat: Conversation, letters: str) -> None:
    for letter in letters:
        await chat.click(letter)


async def attempts(world: World, user_id: int) -> list[QuizAttempt]:
    async with world.app.uow_factory() as uow:
        rows = await uow.session.scalars(
            select(QuizAttempt).where(QuizAttempt.user_id == user_id).order_by(QuizAttempt.id)
        )
        return list(rows)


async def test_one_question_per_screen_in_the_same_message(
    world: World, chat: Conversation
) -> None:
    await register(chat)
    await open_quiz(chat)
    screen = chat.last
    assert question_head(1) in screen.text
    assert TEXTS("quiz-option", letter="А", text="Ухаживать за животными") in screen.text
    statement = "Обслуживать машины, приборы (следить, регулировать)"
    assert TEXTS("quiz-option", letter="Б", text=statement) in screen.text
    assert [label for label, _ in screen.buttons] == ["А", "Б", TEXTS("btn-quiz-pause")]
    await chat.click("А")
    assert chat.last.message_id == screen.message_id  # edited, not a new message
    assert question_head(2) in chat.last.text
    assert TEXTS("btn-quiz-back") in [label for label, _ in chat.last.buttons]
    sent = world.telegram.calls(methods.SendMessage)
    await chat.click("Б")
    assert world.telegram.calls(methods.SendMessage) == sent


async def test_progress_is_saved_after_every_answer(world: World, chat: Conversation) -> None:
    await register(chat)
    await open_quiz(chat)
    await answer_all(chat, "АБА")
    [attempt] = await attempts(world, chat.user_id)
    assert attempt.answers[:4] == ["a", "b", "a", None]
    assert attempt.position == 3
    assert attempt.finished_at is None


async def test_back_shows_the_previous_answer_and_allows_changing_it(
    world: World, chat: Conversation
) -> None:
    await register(chat)
    await open_quiz(chat)
    await answer_all(chat, "АБ")
    await chat.click(TEXTS("btn-quiz-back"))
    assert question_head(2) in chat.last.text
    assert [label for label, _ in chat.last.buttons][:2] == ["А", "✓ Б"]
    await chat.click("А")
    assert question_head(3) in chat.last.text
    [attempt] = await attempts(world, chat.user_id)
    assert attempt.answers[:2] == ["a", "a"]


async def test_pause_and_resume_at_the_same_question(world: World, chat: Conversation) -> None:
    await register(chat)
    await open_quiz(chat)
    await answer_all(chat, "АААААА")
    await chat.click(TEXTS("btn-quiz-pause"))
    assert TEXTS("quiz-paused", done=6, total=20) in chat.last.text
    continue_label = TEXTS("btn-quiz-continue", title=KLIMOV_TITLE, done=6, total=20)
    assert continue_label in [b for b, _ in chat.last.buttons]
    await chat.click(TEXTS("btn-quiz-continue-short"))
    resume = TEXTS("quiz-resume", title=KLIMOV_TITLE, number=7, done=6, total=20)
    assert resume in chat.last.text
    await chat.click(TEXTS("btn-quiz-continue-short"))
    assert question_head(7) in chat.last.text


async def test_result_shows_scores_bands_leading_type_and_where_to_study(
    world: World, chat: Conversation
) -> None:
    await register(chat)
    await open_quiz(chat)
    await answer_all(chat, ALL_TECHNIC)
    result = chat.last.text
    assert result_head(world.clock.now) in result
    assert scale_line("technic", 8, "выражен ярко", leading=True) in result
    assert scale_line("nature", 4, "выражен умеренно", leading=False) in result
    assert scale_line("sign", 1, "не выражен", leading=False) in result
    assert TEXTS("result-leading", count=1) in result
    assert "машины, механизмы" in result  # what the type means
    assert type_block(world, "technic") in result  # its professions and where to study
    # A programme in town (those come first).
    [first, *_] = world.app.catalogue.programmes_for("technic")
    college = world.app.catalogue.by_code[first.organisation]
    assert college.in_town
    in_town = TEXTS(
        "study-line",
        title=escape(first.title),
        organisation=escape(college.short_name),
        in_town="yes",
        sample="yes" if first.sample or college.sample else "no",
    )
    assert in_town in result
    assert "ЗЖДТ" in result
    assert world.telegram.toasts[-1].text == TEXTS("quiz-finished-toast")
    await chat.click(TEXTS("btn-type-more", title="Человек — техника"))
    assert type_page(world, "technic") in chat.last.text


async def test_ties_are_stated_as_ties(world: World, chat: Conversation) -> None:
    await register(chat)
    await open_quiz(chat)
    # "А" everywhere gives П6 Т4 Ч4 З1 Х5; "Б" in pair 5 moves a point from З to Х:
    # П6 Т4 Ч4 З0 Х6, so nature and art tie at 6.
    await answer_all(chat, "ААААБ" + "А" * 15)
    result = chat.last.text
    assert TEXTS("result-leading", count=2) in result
    assert scale_line("nature", 6, "выражен умеренно", leading=True) in result
    assert scale_line("art", 6, "выражен умеренно", leading=True) in result
    assert result.count(type_block(world, "nature")) == 1
    assert result.count(type_block(world, "art")) == 1


async def test_finishing_logs_a_monitoring_step_with_school_and_grade(
    world: World, chat: Conversation
) -> None:
    await register(chat, organisation="Школа № 5", grade=TEXTS("btn-grade", grade=10))
    await open_quiz(chat)
    await answer_all(chat, "А" * 20)
    async with world.app.uow_factory() as uow:
        steps = list(await uow.session.scalars(select(Step)))
        user = await uow.session.get(User, chat.user_id)
    assert user is not None
    assert len(steps) == 1
    step = steps[0]
    assert step.kind == "quiz_finished"
    assert (step.role, step.organisation_id, step.grade) == ("student", user.organisation_id, 10)
    assert step.academic_year == 2026
    assert step.detail["leading"] == ["nature"]
    assert step.detail["scores"]["nature"] == 6


async def test_retaking_keeps_earlier_results(world: World, chat: Conversation) -> None:
    await register(chat)
    await open_quiz(chat)
    await answer_all(chat, "А" * 20)
    world.clock.advance(days=30)
    await chat.click(TEXTS("btn-menu"))
    await open_quiz(chat)
    await answer_all(chat, "Б" * 20)
    done = await attempts(world, chat.user_id)
    assert [a.finished_at is not None for a in done] == [True, True]
    await chat.send("/results")
    labels = [label for label, _ in chat.last.buttons]
    # The dates as babel writes them; the types by the questionnaire's short names.
    # One questionnaire only: the items need not name it.
    item = TEXTS(
        "results-item", named="no", title=KLIMOV_TITLE, date="24 декабря 2026", leading="x"
    )
    assert KLIMOV_TITLE not in item
    assert labels[0] == TEXTS(
        "results-item",
        named="no",
        title=KLIMOV_TITLE,
        date="24 декабря 2026",
        leading="знаковая система",
    )
    assert labels[1] == TEXTS(
        "results-item", named="no", title=KLIMOV_TITLE, date="24 ноября 2026", leading="природа"
    )
    await chat.click(labels[1])
    assert scale_line("nature", 6, "выражен умеренно", leading=True) in chat.last.text


async def test_results_are_offered_in_the_menu_once_there_are_any(chat: Conversation) -> None:
    await register(chat)
    await chat.send("/results")
    assert TEXTS("results-empty") in chat.last.text
    await chat.send("/menu")
    assert TEXTS("menu", role="student", done="no") in chat.last.text  # «Начните с опросника»
    await chat.click(START)
    await chat.click(TEXTS("btn-quiz-begin"))
    await answer_all(chat, "А" * 20)
    await chat.click(TEXTS("btn-menu"))
    assert TEXTS("btn-results") in [label for label, _ in chat.last.buttons]
    # Done: the menu no longer tells them to start with the questionnaire, but where to go next.
    assert TEXTS("menu", role="student", done="yes") in chat.last.text
    assert TEXTS("menu", role="student", done="no") not in chat.last.text


async def test_a_student_without_a_grade_is_asked_for_it_first(chat: Conversation) -> None:
    await register(chat, grade=None)
    await chat.send("/quiz")
    assert TEXTS("quiz-need-profile") in chat.last.text
    assert TEXTS("ask-grade", role="student") in chat.last.text


async def test_a_tie_of_all_five_types_fits_a_phone_screen(chat: Conversation) -> None:
    await register(chat)
    await open_quiz(chat)
    # "А" gives П6 Т4 Ч4 З1 Х5; "Б" in pairs 10 and 20 (П→З) and 15 (Х→З): all five at 4.
    letters = ["А"] * 20
    for number in (10, 15, 20):
        letters[number - 1] = "Б"
    await answer_all(chat, "".join(letters))
    result = chat.last.text
    for scale in KLIMOV.scales:
        assert scale_line(scale.id, 4, "выражен умеренно", leading=True) in result
    assert TEXTS("result-more") in result
    assert len(result) < 2500
    labels = [label for label, _ in chat.last.buttons]
    more = {TEXTS("btn-type-more", title=scale.title) for scale in KLIMOV.scales}
    assert sum(label in more for label in labels) == 5


async def test_restarting_asks_first_and_keeps_the_answers_on_back(
    world: World, chat: Conversation
) -> None:
    await register(chat)
    await open_quiz(chat)
    await answer_all(chat, "ААА")
    await chat.click(TEXTS("btn-quiz-pause"))
    await chat.click(TEXTS("btn-quiz-continue-short"))
    await chat.click(TEXTS("btn-quiz-restart"))
    assert TEXTS("quiz-restart-confirm", done=3, total=20) in chat.last.text
    await chat.click(TEXTS("btn-back"))
    assert TEXTS("quiz-resume", title=KLIMOV_TITLE, number=4, done=3, total=20) in chat.last.text
    await chat.click(TEXTS("btn-quiz-restart"))
    await chat.click(TEXTS("btn-quiz-restart-yes"))
    assert question_head(1) in chat.last.text
    [attempt] = await attempts(world, chat.user_id)
    assert attempt.answers[0] is None


async def test_a_restart_confirmed_on_an_old_message_does_not_wipe_newer_answers(
    world: World, chat: Conversation
) -> None:
    await register(chat)
    await open_quiz(chat)
    await answer_all(chat, "АА")
    await chat.send("/quiz")
    await chat.click(TEXTS("btn-quiz-restart"))
    old_confirmation = chat.last  # left unanswered; the user restarts from a new message
    await chat.send("/quiz")
    await chat.click(TEXTS("btn-quiz-restart"))
    await chat.click(TEXTS("btn-quiz-restart-yes"))
    await answer_all(chat, "БББ")

    await chat.click(TEXTS("btn-quiz-restart-yes"), on=old_confirmation)

    assert world.telegram.toasts[-1].text == TEXTS("button-outdated")
    assert question_head(4) in old_confirmation.text
    [attempt] = await attempts(world, chat.user_id)
    assert attempt.answers[:4] == ["b", "b", "b", None]


async def test_buttons_of_an_older_questionnaire_version_do_not_trap_the_user(
    world: World, chat: Conversation
) -> None:
    await register(chat)
    await open_quiz(chat)
    await answer_all(chat, "АА")
    async with world.app.uow_factory() as uow, uow.write():
        await uow.session.execute(
            QuizAttempt.__table__.update().values(quiz_version="0")  # type: ignore[attr-defined]
        )
    await chat.click("А")
    assert world.telegram.toasts[-1].text == TEXTS("button-outdated")
    assert MENU_HEAD in chat.last.text
    await chat.click(START)
    await chat.click(TEXTS("btn-quiz-begin"))
    assert question_head(1) in chat.last.text


async def test_a_changed_consent_text_is_agreed_to_again(world: World, chat: Conversation) -> None:
    await register(chat)
    async with world.app.uow_factory() as uow, uow.write():
        await uow.session.execute(User.__table__.update().values(consent_version="2020-01"))  # type: ignore[attr-defined]
    await chat.send("/quiz")
    assert consent_text(updated=True) in chat.last.text
    await chat.click(TEXTS("btn-agree"))
    async with world.app.uow_factory() as uow:
        user = await uow.users.get(chat.user_id)
    assert user is not None
    assert user.consent_version == world.app.texts("consent-version")
    await chat.send("/menu")
    assert MENU_HEAD in chat.last.text


async def test_a_consent_text_changed_mid_questionnaire_stops_answers_until_agreed(
    world: World, chat: Conversation
) -> None:
    await register(chat)
    await open_quiz(chat)
    await answer_all(chat, "АА")
    back = dict(chat.last.buttons)[TEXTS("btn-quiz-back")]
    async with world.app.uow_factory() as uow, uow.write():
        await uow.session.execute(User.__table__.update().values(consent_version="2020-01"))  # type: ignore[attr-defined]

    await chat.click("А")
    assert consent_text(updated=True) in chat.last.text
    await chat.press(back)
    assert consent_text(updated=True) in chat.last.text
    [attempt] = await attempts(world, chat.user_id)
    assert (attempt.answers[:3], attempt.position) == (["a", "a", None], 2)

    await chat.click(TEXTS("btn-agree"))
    await chat.send("/quiz")
    await chat.click(TEXTS("btn-quiz-continue-short"))
    assert question_head(3) in chat.last.text
    await chat.click("А")
    [attempt] = await attempts(world, chat.user_id)
    assert (attempt.answers[:3], attempt.position) == (["a", "a", "a"], 3)
