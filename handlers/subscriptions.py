"""«Мои подписки» (/subscriptions): subscribing to announcements of new events, narrowing them
(kinds, whose events, grades, a school), a parent's first choice of their child's grades and
school, unsubscribing at once (also from an announcement) and «Вернуть подписку»."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram import Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery

from db.records import SubscriptionRecord, UserRecord
from handlers.callbacks import SetupStep, SubSchool, Subscriptions, SubSetup, SubStep, SubToggle
from handlers.context import Request
from handlers.flow import require_profile
from handlers.ui import Event, View, show
from handlers.views import subscriptions as views
from locales import Texts
from services import subscriptions
from services.errors import NotAllowed, NotFound
from services.subscriptions import NothingLeft, Part


async def _show_overview(event: Event, ctx: Request, user_id: int, note: str = "") -> None:
    found = await subscriptions.overview(ctx.uow, user_id)
    await show(event, views.subscription_view(ctx.texts, found, ctx.role).noted(note or None))


async def _outdated(event: Event, ctx: Request, user_id: int) -> None:
    """A button of a screen that no longer applies (or forged): say so, show the current one."""
    ctx.outdated()
    await _show_overview(event, ctx, user_id)


async def on_subscriptions(event: Event, ctx: Request) -> None:
    if (user := await require_profile(event, ctx)) is not None:
        await _show_overview(event, ctx, user.id)


async def on_action(callback: CallbackQuery, callback_data: Subscriptions, ctx: Request) -> None:
    if callback_data.action == SubStep.UNSUBSCRIBE:  # no consent or profile needed to stop
        await _unsubscribe(callback, ctx)
        return
    if (user := await require_profile(callback, ctx)) is None:
        return
    await _ACTIONS[callback_data.action](callback, ctx, user)


async def _unsubscribe(callback: CallbackQuery, ctx: Request) -> None:
    await subscriptions.unsubscribe(ctx.uow, ctx.sender_id, ctx.now())
    ctx.toast("unsubscribed-toast")
    await show(callback, views.unsubscribed_view(ctx.texts))


async def _overview(callback: CallbackQuery, ctx: Request, user: UserRecord) -> None:
    await _show_overview(callback, ctx, user.id)


async def _subscribe(callback: CallbackQuery, ctx: Request, user: UserRecord) -> None:
    if subscriptions.asks_for_child(user):
        found = await subscriptions.overview(ctx.uow, user.id)
        if found.subscription is None:  # first the child's grades, then the school
            await show(callback, views.setup_grades_view(ctx.texts, 0))
            return
    await subscriptions.subscribe(ctx.uow, user, ctx.moment())
    ctx.toast("subscribed-toast")
    await _show_overview(callback, ctx, user.id)


async def _resubscribe(callback: CallbackQuery, ctx: Request, user: UserRecord) -> None:
    try:
        await subscriptions.resubscribe(ctx.uow, user.id, ctx.now())
    except NotFound:
        await _outdated(callback, ctx, user.id)
        return
    ctx.toast("resubscribed-toast")
    await _show_overview(callback, ctx, user.id)


_PICKERS: dict[SubStep, Callable[[Texts, SubscriptionRecord], View]] = {
    SubStep.KINDS: views.kinds_view,
    SubStep.AUDIENCES: views.audiences_view,
    SubStep.GRADES: views.grades_view,
}
#: The picker a toggle was tapped on.
_PICKER_OF_PART = {
    Part.KIND: SubStep.KINDS,
    Part.AUDIENCE: SubStep.AUDIENCES,
    Part.GRADE: SubStep.GRADES,
}


async def _picker(callback: CallbackQuery, ctx: Request, user: UserRecord, step: SubStep) -> None:
    """One of the pickers of an active subscription (its screen shows their buttons only then)."""
    subscription = (await subscriptions.overview(ctx.uow, user.id)).subscription
    if subscription is None or not subscription.active:
        await _outdated(callback, ctx, user.id)
        return
    picker = _PICKERS.get(step)
    if picker is not None:
        await show(callback, picker(ctx.texts, subscription))
        return
    schools = await subscriptions.schools(ctx.uow)
    await show(callback, views.schools_view(ctx.texts, subscription, schools))


def _opens(step: SubStep) -> Callable[[CallbackQuery, Request, UserRecord], Awaitable[None]]:
    async def open_picker(callback: CallbackQuery, ctx: Request, user: UserRecord) -> None:
        await _picker(callback, ctx, user, step)

    return open_picker


_ACTIONS: dict[SubStep, Callable[[CallbackQuery, Request, UserRecord], Awaitable[None]]] = {
    SubStep.SHOW: _overview,
    SubStep.SUBSCRIBE: _subscribe,
    SubStep.RESUBSCRIBE: _resubscribe,
    **{step: _opens(step) for step in (*_PICKERS, SubStep.SCHOOLS)},
}


async def on_toggle(callback: CallbackQuery, callback_data: SubToggle, ctx: Request) -> None:
    if (user := await require_profile(callback, ctx)) is None:
        return
    part = Part(callback_data.part.value)
    try:
        changed = await subscriptions.toggle(ctx.uow, user.id, part, callback_data.value, ctx.now())
    except NothingLeft:
        ctx.toast("subscription-keep-one", part=part)
        await _picker(callback, ctx, user, _PICKER_OF_PART[part])
        return
    except (NotFound, NotAllowed):
        await _outdated(callback, ctx, user.id)
        return
    await show(callback, _PICKERS[_PICKER_OF_PART[part]](ctx.texts, changed))


async def on_school(callback: CallbackQuery, callback_data: SubSchool, ctx: Request) -> None:
    if (user := await require_profile(callback, ctx)) is None:
        return
    try:
        await subscriptions.choose_school(ctx.uow, user.id, callback_data.id or None, ctx.now())
    except (NotFound, NotAllowed):
        await _outdated(callback, ctx, user.id)
        return
    ctx.toast("subscription-saved-toast")
    await _show_overview(callback, ctx, user.id)


async def on_setup(callback: CallbackQuery, callback_data: SubSetup, ctx: Request) -> None:
    """A parent's first subscription, a step at a time; nothing is stored before the school."""
    if (user := await require_profile(callback, ctx)) is None:
        return
    grades = callback_data.grades
    if not subscriptions.asks_for_child(user) or not subscriptions.valid_grades(grades):
        await _outdated(callback, ctx, user.id)
        return
    texts = ctx.texts
    if callback_data.step == SetupStep.GRADES:
        await show(callback, views.setup_grades_view(texts, grades))
        return
    if callback_data.step == SetupStep.SCHOOLS:
        schools = await subscriptions.schools(ctx.uow)
        await show(callback, views.setup_schools_view(texts, grades, schools))
        return
    school = callback_data.school or None
    try:
        await subscriptions.subscribe_for_child(ctx.uow, user, grades, school, ctx.now())
    except NotAllowed:
        await _outdated(callback, ctx, user.id)
        return
    ctx.toast("subscribed-toast")
    await _show_overview(callback, ctx, user.id)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(on_subscriptions, Command("subscriptions"))
    router.callback_query.register(on_action, Subscriptions.filter())
    router.callback_query.register(on_toggle, SubToggle.filter())
    router.callback_query.register(on_school, SubSchool.filter())
    router.callback_query.register(on_setup, SubSetup.filter())
    return router
