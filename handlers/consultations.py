"""Consultation requests: a person asks the employment centre or a college for one (where,
topic, time, how to be reached); the organisation's coordinators take it and mark it held or
not held from their cabinet. The draft lives in the dialog data, so a restart loses nothing."""

from __future__ import annotations

from typing import Any

from aiogram import Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove

from handlers import waiting
from handlers.callbacks import Consult, ConsultAct, ConsultAction, ConsultQueue, ConsultStep
from handlers.context import NO_USER, Request
from handlers.flow import refuse, require_profile, show_menu
from handlers.ui import Event, show
from handlers.views.consultations import (
    card_view,
    contact_view,
    phone_keyboard,
    places_view,
    queue_view,
    sent_view,
    summary_view,
    time_view,
    topic_view,
)
from services import consultations as service
from services.consultations import TIMES, BadPhone, Draft, EmptyTopic, TopicTooLong
from services.errors import NotAllowed, NotFound, NotPermitted, NotRegistered

KEY = "consultation"
#: The steps' waiting markers all start with `waiting.CONSULTATION`: leaving clears them.
TOPIC = "consult-topic"
PHONE = "consult-phone"
#: «Когда вам удобнее?» is on the screen: typed text gets a hint and the same question.
TIME = "consult-time"
#: «Как с вами связаться?» is on the screen: a typed phone number is the phone.
CONTACT = "consult-contact"
#: «Проверьте заявку» is on the screen: typed text gets a hint and the same summary.
SUMMARY = "consult-summary"
#: The key of the draft each step needs (its steps' waiting markers, in the order of the steps).
_NEEDS = {TOPIC: "org", TIME: "topic", CONTACT: "time", PHONE: "time", SUMMARY: "phone"}


async def _draft(ctx: Request) -> dict[str, Any] | None:
    if ctx.state is None:
        return None
    found = (await ctx.state.get_data()).get(KEY)
    return dict(found) if isinstance(found, dict) else None


async def _save(ctx: Request, draft: dict[str, Any] | None) -> None:
    await ctx.dialog.update_data({KEY: draft})


async def _lost(event: Event, ctx: Request) -> None:
    """A step's button without a draft (sent already, cancelled, or forged): start again."""
    ctx.outdated()
    await on_start(event, ctx)


async def on_start(event: Event, ctx: Request) -> None:
    await waiting.leave_consultation(ctx)  # a request begun again: no step is on the screen
    if await require_profile(event, ctx) is None:
        return
    await show(event, places_view(ctx.texts, await service.places(ctx.uow)))


async def on_step(callback: CallbackQuery, callback_data: Consult, ctx: Request) -> None:
    step, value = callback_data.step, callback_data.value
    if step == ConsultStep.START:
        await on_start(callback, ctx)
        return
    if step == ConsultStep.CANCEL:
        await _save(ctx, None)
        await waiting.clear(ctx)
        await show_menu(callback, ctx, note=ctx.texts("consult-cancelled"))
        return
    if step == ConsultStep.ORG:
        await _pick_place(callback, ctx, value)
        return
    draft = await _draft(ctx)
    if draft is None and step == ConsultStep.SEND:
        await _sent_before(callback, ctx, value)
        return
    if draft is None or "topic" not in draft:
        await _lost(callback, ctx)
        return
    if step == ConsultStep.TIME:
        if value not in TIMES:
            ctx.outdated()
            await show(callback, time_view(ctx.texts))
            return
        draft["time"] = value
        await _save(ctx, draft)
        await waiting.wait_for(ctx, CONTACT)
        await show(callback, contact_view(ctx.texts))
    elif step == ConsultStep.CONTACT:
        await _pick_contact(callback, ctx, draft, value)
    elif step == ConsultStep.SEND:
        await _send(callback, ctx, draft)


async def _pick_place(callback: CallbackQuery, ctx: Request, value: str) -> None:
    if await require_profile(callback, ctx) is None:
        return
    places = {str(o.id): o for o in await service.places(ctx.uow)}
    place = places.get(value)
    if place is None:
        ctx.outdated()
        await show(callback, places_view(ctx.texts, list(places.values())))
        return
    draft = {"org": place.id, "org_name": place.short_name, "token": service.new_token()}
    await _save(ctx, draft)
    await waiting.wait_for(ctx, TOPIC)
    await show(callback, topic_view(ctx.texts, place.short_name))


async def _pick_contact(
    callback: CallbackQuery, ctx: Request, draft: dict[str, Any], value: str
) -> None:
    if "time" not in draft:
        await _lost(callback, ctx)
        return
    if value == "bot":
        draft["phone"] = None
        await _save(ctx, draft)
        await waiting.wait_for(ctx, SUMMARY)
        await show(callback, summary_view(ctx.texts, draft, draft["org_name"]))
        return
    if value != "phone":
        ctx.outdated()
        await show(callback, contact_view(ctx.texts))
        return
    await waiting.wait_for(ctx, PHONE)
    assert callback.message is not None
    # A reply keyboard with Telegram's contact button; typing the number works too (MAX has no
    # contact button).
    await callback.message.answer(
        ctx.texts("consult-phone"), reply_markup=phone_keyboard(ctx.texts)
    )


async def _send(callback: CallbackQuery, ctx: Request, draft: dict[str, Any]) -> None:
    if "time" not in draft or "phone" not in draft:
        await _lost(callback, ctx)
        return
    request = Draft(
        organisation_id=int(draft["org"]),
        topic=draft["topic"],
        preferred=draft["time"],
        phone=draft["phone"],
        token=draft["token"],
    )
    try:
        found = await service.submit(ctx.uow, ctx.sender_id, request, ctx.now())
    except NotRegistered:
        await require_profile(callback, ctx)
        return
    except (NotAllowed, EmptyTopic, TopicTooLong):
        await _save(ctx, None)
        await _lost(callback, ctx)
        return
    await _save(ctx, None)
    await waiting.clear(ctx)
    await show(callback, sent_view(ctx.texts, found))


async def _sent_before(callback: CallbackQuery, ctx: Request, token: str) -> None:
    """«Отправить» tapped again (a double tap, or an old screen): the request went once; say so."""
    found = await service.sent(ctx.uow, ctx.sender_id, token)
    if found is None:
        await _lost(callback, ctx)
        return
    ctx.toast("consult-already-sent")
    await show(callback, sent_view(ctx.texts, found))


async def on_message(message: Message, ctx: Request) -> None:
    """Typed text (or a contact card) while a request's step is on the screen: the topic, the
    time, the way of contact, the phone or the summary; anything else goes on."""
    found = await waiting.load(ctx)
    what = found.get("for") if found else None
    if what not in _NEEDS or (message.text or "").startswith("/"):
        raise SkipHandler
    draft = await _draft(ctx)
    if draft is None or _NEEDS[what] not in draft:
        await waiting.clear(ctx)
        raise SkipHandler
    texts = ctx.texts
    if what == TOPIC:
        await _typed_topic(message, ctx, draft)
    elif what == TIME:  # buttons only: a hint, the same question, the draft kept
        await show(message, time_view(texts).noted(texts("consult-when-typed")))
    elif what == SUMMARY:
        view = summary_view(texts, draft, draft["org_name"])
        await show(message, view.noted(texts("consult-summary-typed")))
    elif what == CONTACT:
        await _typed_contact(message, ctx, draft)
    else:
        await _shared_phone(message, ctx, draft)


async def _typed_topic(message: Message, ctx: Request, draft: dict[str, Any]) -> None:
    texts = ctx.texts
    try:
        draft["topic"] = service.check_topic(message.text or "")
    except EmptyTopic:
        await show(message, topic_view(texts, draft["org_name"], texts("consult-topic-empty")))
        return
    except TopicTooLong:
        note = texts("consult-topic-long", max=service.MAX_TOPIC)
        await show(message, topic_view(texts, draft["org_name"], note))
        return
    await _save(ctx, draft)
    await waiting.wait_for(ctx, TIME)
    await show(message, time_view(texts))


async def _typed_contact(message: Message, ctx: Request, draft: dict[str, Any]) -> None:
    """Typed at «Как с вами связаться?» before a button: a phone number (or the person's contact
    card) is taken as the phone, as after «Оставить телефон»; anything else gets a hint and the
    same question, the draft kept. Someone else's card is refused with this step's buttons (the
    contact button is not on the screen yet)."""
    texts = ctx.texts
    contact = message.contact
    if contact is None:
        try:
            service.phone_number(message.text or "")
        except BadPhone:
            await show(message, contact_view(texts).noted(texts("consult-how-typed")))
            return
    elif contact.user_id != ctx.sender_id:
        await show(message, contact_view(texts).noted(texts("consult-how-not-yours")))
        return
    await _shared_phone(message, ctx, draft)


async def _shared_phone(message: Message, ctx: Request, draft: dict[str, Any]) -> None:
    texts = ctx.texts
    contact = message.contact
    if contact is not None:
        if contact.user_id != ctx.sender_id:  # someone else's card: refused, nothing kept
            # The contact button again with the answer, so the one it names is on the screen.
            keyboard = phone_keyboard(texts)
            await message.answer(texts("consult-phone-not-yours"), reply_markup=keyboard)
            return
        text = contact.phone_number
    else:
        text = message.text or ""
    try:
        phone = service.phone_number(text)
    except BadPhone:
        await message.answer(texts("consult-phone-bad"))
        return
    draft["phone"] = phone
    await _save(ctx, draft)
    await waiting.wait_for(ctx, SUMMARY)
    await message.answer(texts("consult-phone-saved"), reply_markup=ReplyKeyboardRemove())
    await show(message, summary_view(texts, draft, draft["org_name"]))


# --- coordinators -------------------------------------------------------------------------------


async def on_queue(callback: CallbackQuery, ctx: Request) -> None:
    try:
        queue = await service.queue(ctx.uow, ctx.staff)
    except NotPermitted:
        await refuse(callback, ctx)
        return
    await show(callback, queue_view(ctx.texts, queue))


async def on_act(callback: CallbackQuery, callback_data: ConsultAct, ctx: Request) -> None:
    action = callback_data.action
    note = ""
    try:
        if action == ConsultAction.SHOW:
            found = await service.one(ctx.uow, ctx.staff, callback_data.id)
        elif action == ConsultAction.TAKE:
            change = await service.take(ctx.uow, ctx.staff, callback_data.id, ctx.now())
            found, note = change.consultation, "" if change.done else "consult-taken-by-other"
        else:
            held = action == ConsultAction.HELD
            change = await service.close(
                ctx.uow, ctx.staff, callback_data.id, held=held, moment=ctx.moment()
            )
            found, note = change.consultation, "" if change.done else "consult-not-taken"
    except NotPermitted:
        await refuse(callback, ctx)
        return
    except NotFound:
        ctx.outdated()
        await on_queue(callback, ctx)
        return
    if note:
        ctx.toast(note)
    view = card_view(ctx.texts, found)
    await show(callback, view.noted(ctx.texts(note) if note else None))


async def on_command(_message: Message, ctx: Request) -> None:
    """Any command leaves a request's step: its waiting marker goes, the command goes on."""
    await waiting.leave_consultation(ctx)
    raise SkipHandler


def _is_command(message: Message) -> bool:
    return (message.text or "").startswith("/")


def create_leaving_router() -> Router:
    """First of the routers (commands only; no button passes it): a command leaves the step."""
    router = Router(name=f"{__name__}.leaving")
    router.message.register(on_command, _is_command, flags=NO_USER)
    return router


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(on_step, Consult.filter())
    router.callback_query.register(on_queue, ConsultQueue.filter())
    router.callback_query.register(on_act, ConsultAct.filter())
    router.message.register(on_message)
    return router
