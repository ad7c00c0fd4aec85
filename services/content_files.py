"""Content files a committee coordinator changes without code: download the one in force, send
back an edited one (checked as a whole and either swapped in at once or refused with every
problem and its line), see the versions and restore an earlier one.

Accepted versions are kept in the database (`content_files`); the newest of each kind is in
force. This process swaps it in at once; other processes (a second bot process, the worker)
look for a newer one at most every `REFRESH_SECONDS`, and every process loads the newest at
start. A new catalogue also updates the organisations table in the same transaction."""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from content.catalogue import Catalogue
from content.files import Checked, Model, check, entries_of, parse_stored, shipped_text
from content.library import Content, ContentKind, Library
from content.problems import Problem
from db.records import ContentFileRecord
from db.repositories.organisations import CatalogueEntry
from db.uow import UnitOfWork
from services import coordinators
from services.coordinators import Staff
from services.errors import NotFound, NotPermitted

log = logging.getLogger(__name__)

#: How often a process looks for a version accepted by another process.
REFRESH_SECONDS = 30.0
#: Versions listed for restoring.
SHOWN_VERSIONS = 8
#: Kinds in the order they depend on each other (the bank and retraining refer to the catalogue).
ORDER = (ContentKind.CATALOGUE, ContentKind.PROFESSIONS, ContentKind.RETRAINING)


async def require_editor(uow: UnitOfWork, staff: Staff) -> None:
    """Only the committee's coordinators (and administrators) change the town's content;
    read from the database on every call."""
    manager = await coordinators.require_manager(uow, staff)
    if manager.organisation_id is not None:
        raise NotPermitted(staff.user_id)


async def may_edit(uow: UnitOfWork, staff: Staff) -> bool:
    try:
        await require_editor(uow, staff)
    except NotPermitted:
        return False
    finally:
        await uow.end_read()
    return True


async def current_text(uow: UnitOfWork, staff: Staff, kind: ContentKind) -> str:
    """The file in force, as text (the one that comes with the code until one is uploaded)."""
    await require_editor(uow, staff)
    newest = (await uow.content_files.newest_ids()).get(kind)
    stored = await uow.content_files.text(newest) if newest is not None else None
    await uow.end_read()
    return stored[1] if stored is not None else shipped_text(kind)


@dataclass(frozen=True, slots=True)
class Outcome:
    """An upload or a restore: accepted (`version`, `entries`, `samples` still marked), or
    refused with every problem."""

    problems: tuple[Problem, ...] = ()
    version: int = 0
    entries: int = 0
    samples: int = 0

    @property
    def accepted(self) -> bool:
        return not self.problems


async def upload(  # noqa: PLR0913 - who, where, what, when
    uow: UnitOfWork,
    staff: Staff,
    library: Library,
    *,
    kind: ContentKind,
    data: bytes,
    now: datetime,
) -> Outcome:
    await require_editor(uow, staff)
    await uow.end_read()
    checked = check(kind, data, library.content)
    if isinstance(checked, list):
        return Outcome(problems=tuple(checked))
    return await _accept(uow, staff, library, checked, restored_from=None, now=now)


async def restore(  # noqa: PLR0913 - who, where, what, when
    uow: UnitOfWork,
    staff: Staff,
    library: Library,
    *,
    kind: ContentKind,
    version: int,
    now: datetime,
) -> Outcome:
    """Put an earlier version (0: the file that comes with the code) in force again, as a new
    version: checked again against the other files as they are now."""
    await require_editor(uow, staff)
    if version == 0:
        text = shipped_text(kind)
    else:
        stored = await uow.content_files.text(version)
        if stored is None or stored[0] != kind:
            await uow.end_read()
            raise NotFound(version)
        text = stored[1]
    await uow.end_read()
    checked = check(kind, text, library.content)
    if isinstance(checked, list):
        return Outcome(problems=tuple(checked))
    return await _accept(uow, staff, library, checked, restored_from=version, now=now)


async def _accept(  # noqa: PLR0913
    uow: UnitOfWork,
    staff: Staff,
    library: Library,
    checked: Checked,
    *,
    restored_from: int | None,
    now: datetime,
) -> Outcome:
    async with uow.write():
        await require_editor(uow, staff)  # still one, now, in the transaction that writes
        uploader = staff.user_id if await uow.users.get(staff.user_id) is not None else None
        version = await uow.content_files.add(
            kind=checked.kind,
            text=checked.text,
            entries=checked.entries,
            uploaded_by=uploader,
            restored_from=restored_from,
            now=now,
        )
        if isinstance(checked.model, Catalogue):
            await uow.organisations.sync(catalogue_entries(checked.model))
    library.install(checked.kind, checked.model, version)
    return Outcome(version=version, entries=checked.entries, samples=checked.samples)


async def versions(uow: UnitOfWork, staff: Staff, kind: ContentKind) -> list[ContentFileRecord]:
    await require_editor(uow, staff)
    found = await uow.content_files.versions(kind, SHOWN_VERSIONS)
    await uow.end_read()
    return found


def catalogue_entries(catalogue: Catalogue) -> Iterable[CatalogueEntry]:
    return (
        CatalogueEntry(
            code=o.code,
            kind=o.kind,
            name=o.name,
            short_name=o.short_name,
            in_town=o.in_town,
            is_sample=o.sample,
        )
        for o in catalogue.organisations
    )


async def load(uow: UnitOfWork, library: Library) -> None:
    """Swap in the newest accepted version of each kind this process does not have yet (at
    start, and when another process accepted one). A stored version that no longer fits (the
    code changed its schema) is logged and skipped: the one before stays in force."""
    newest = await uow.content_files.newest_ids()
    changed: list[tuple[ContentKind, int, str]] = []
    for kind in ORDER:
        version = newest.get(kind)
        if version is not None and library.versions.get(kind) != version:
            stored = await uow.content_files.text(version)
            if stored is not None:
                changed.append((kind, version, stored[1]))
    await uow.end_read()
    for kind, version, text in changed:
        try:
            model: Model = parse_stored(kind, text, library.content)
        except ValueError:
            log.exception(
                "content file %s version %d does not load; keeping the one before", kind, version
            )
            library.versions[kind] = version
            continue
        library.install(kind, model, version)
        log.info(
            "content file %s: version %d (%d entries) in force", kind, version, entries_of(model)
        )


async def refresh_if_due(uow: UnitOfWork, library: Library) -> None:
    """At most every REFRESH_SECONDS: pick up what another process accepted."""
    now = time.monotonic()
    if now - library.checked_at < REFRESH_SECONDS:
        return
    library.checked_at = now
    await load(uow, library)


def initial(content: Content) -> Library:
    return Library(content, checked_at=time.monotonic())
