"""The committee's content files: a coordinator of the committee downloads the catalogue, the
profession bank or the retraining file, sends back an edited one (swapped in at once, or
refused with every problem and its line) and restores an earlier version. Every action checks
the sender's rights in the database."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.dispatcher.event.bases import SkipHandler
from aiogram.types import BufferedInputFile, CallbackQuery, Message

from content.files import MAX_BYTES
from content.library import ContentKind
from handlers import waiting
from handlers.callbacks import ContentFileAct, ContentFiles, ContentRestore, ContentStep
from handlers.context import Request
from handlers.flow import refuse
from handlers.ui import Event, show
from handlers.views.content_files import (
    files_view,
    outcome_view,
    upload_prompt_view,
    versions_view,
)
from services import content_files as service
from services.errors import NotFound, NotPermitted

UPLOAD = "content-upload"


async def on_files(event: Event, ctx: Request) -> None:
    if not await service.may_edit(ctx.uow, ctx.staff):
        await refuse(event, ctx)
        return
    assert ctx.library is not None
    await show(event, files_view(ctx.texts, ctx.library))


async def on_act(callback: CallbackQuery, callback_data: ContentFileAct, ctx: Request) -> None:
    kind = _kind(callback_data.kind)
    if kind is None:
        ctx.outdated()
        await on_files(callback, ctx)
        return
    try:
        if callback_data.action == ContentStep.DOWNLOAD:
            text = await service.current_text(ctx.uow, ctx.staff, kind)
            assert callback.message is not None
            await callback.message.answer_document(
                BufferedInputFile(text.encode("utf-8"), filename=f"{kind.value}.toml"),
                caption=ctx.texts("content-download", kind=kind.value),
            )
        elif callback_data.action == ContentStep.UPLOAD:
            if not await service.may_edit(ctx.uow, ctx.staff):
                raise NotPermitted(ctx.sender_id)
            await waiting.wait_for(ctx, UPLOAD, kind=kind.value)
            await show(callback, upload_prompt_view(ctx.texts, kind))
        else:
            found = await service.versions(ctx.uow, ctx.staff, kind)
            assert ctx.library is not None
            current = ctx.library.versions.get(kind, 0)
            await show(callback, versions_view(ctx.texts, kind, found, current))
    except NotPermitted:
        await refuse(callback, ctx)


async def on_restore(callback: CallbackQuery, callback_data: ContentRestore, ctx: Request) -> None:
    kind = _kind(callback_data.kind)
    if kind is None:
        ctx.outdated()
        await on_files(callback, ctx)
        return
    assert ctx.library is not None
    try:
        outcome = await service.restore(
            ctx.uow, ctx.staff, ctx.library, kind=kind, version=callback_data.version, now=ctx.now()
        )
    except NotPermitted:
        await refuse(callback, ctx)
        return
    except NotFound:
        ctx.outdated()
        await on_files(callback, ctx)
        return
    await show(callback, outcome_view(ctx.texts, kind, outcome))


async def on_document(message: Message, bot: Bot, ctx: Request) -> None:
    """A content file: while the bot waits for one, or named as one (catalogue.toml,
    professions.toml, retraining.toml). Any other file goes on (the events import)."""
    document = message.document
    assert document is not None
    found = await waiting.load(ctx)
    name = (document.file_name or "").lower()
    # The file's name says which it is; otherwise the one whose «Заменить» was tapped.
    kind = _kind(name.removesuffix(".toml")) if name.endswith(".toml") else None
    if kind is None and found and found.get("for") == UPLOAD:
        kind = _kind(str(found.get("kind", "")))
    if kind is None:
        raise SkipHandler
    if not await service.may_edit(ctx.uow, ctx.staff):
        if found and found.get("for") == UPLOAD:
            await waiting.clear(ctx)
            await refuse(message, ctx)
            return
        raise SkipHandler
    if (document.file_size or 0) > MAX_BYTES:
        await message.answer(ctx.texts("content-too-big", mb=MAX_BYTES // 1024 // 1024))
        return
    downloaded = await bot.download(document)
    assert downloaded is not None
    assert ctx.library is not None
    try:
        outcome = await service.upload(
            ctx.uow, ctx.staff, ctx.library, kind=kind, data=downloaded.read(), now=ctx.now()
        )
    except NotPermitted:
        await refuse(message, ctx)
        return
    if outcome.accepted:
        await waiting.clear(ctx)
    await show(message, outcome_view(ctx.texts, kind, outcome))


def _kind(value: str) -> ContentKind | None:
    try:
        return ContentKind(value)
    except ValueError:
        return None


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(on_files, ContentFiles.filter())
    router.callback_query.register(on_act, ContentFileAct.filter())
    router.callback_query.register(on_restore, ContentRestore.filter())
    router.message.register(on_document, F.document)
    return router
