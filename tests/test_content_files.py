"""Content files changed without code: a committee coordinator downloads the profession bank
(or the catalogue, or the retraining file), sends back an edited one, which is checked and
swapped in at once or refused with every problem and its line; earlier versions are kept and
can be restored; other processes pick up the newest; nobody else may do any of it."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bench.bench_content import big_bank
from bot.config import Settings
from bot.conversation import Conversation
from bot.factory import create_app
from content.files import check, locate, shipped_text
from content.library import ContentKind, shipped
from db.models import ContentFile, Organisation
from services import content_files, coordinators
from services.coordinators import Staff
from services.professions import search
from tests.conftest import TEXTS, World, register, settings_for_tests

ADMIN = 9001
COMMITTEE = 7101
CENTRE = 7102

NEW_PROFESSION = """
[[professions]]
code = "glassblower"
title = "стеклодув"
types = ["art", "technic"]
about = "Выдувает изделия из стекла: посуду, ёлочные игрушки, лабораторную посуду."
demanded = false
sample = false
"""


@pytest.fixture
def settings(database_url: str) -> Settings:
    return settings_for_tests(database_url, admin_ids=frozenset({ADMIN}))


def admin() -> Staff:
    return Staff(ADMIN, frozenset({ADMIN}))


async def coordinator(world: World, user_id: int, code: str) -> Conversation:
    chat = world.user(user_id, "Ольга")
    await register(chat, role=TEXTS("role-adult"), organisation=None, grade=None)
    async with world.app.uow_factory() as uow:
        organisation = next(o for o in await uow.organisations.list_active() if o.code == code)
        invite = await coordinators.create_invite(uow, admin(), organisation.id, world.clock())
    await chat.send(f"/start {invite.code}")
    return chat


async def open_files(chat: Conversation) -> None:
    await chat.send("/manage")
    await chat.click(TEXTS("btn-content-files"))


async def versions(world: World) -> list[ContentFile]:
    async with world.app.uow_factory() as uow:
        return list(await uow.session.scalars(select(ContentFile).order_by(ContentFile.id)))


async def download(world: World, chat: Conversation, kind: str) -> str:
    await chat.click(TEXTS("content-kind", kind=kind))
    sent = world.telegram.files[-1]
    assert (sent.chat_id, sent.filename) == (chat.user_id, f"{kind}.toml")
    return sent.data.decode("utf-8")


async def test_download_edit_and_send_back_swaps_it_in_at_once(world: World) -> None:
    chat = await coordinator(world, COMMITTEE, "committee")
    await open_files(chat)
    text = await download(world, chat, "professions")
    assert text == (shipped_text(ContentKind.PROFESSIONS))
    edited = text.replace('title = "агроном"', 'title = "агроном-семеновод"') + NEW_PROFESSION
    await chat.click(TEXTS("btn-content-upload"))  # the first file's: the catalogue
    await chat.send_document(edited.encode(), "professions.toml")  # named: the bank
    [stored] = await versions(world)
    bank = world.app.library.content.professions
    assert (
        TEXTS(
            "content-accepted",
            kind="professions",
            version=stored.id,
            entries=len(bank.professions),
            samples=sum(p.sample for p in bank.professions),
        )
        in chat.last.text
    )
    assert stored.text == edited
    assert stored.uploaded_by == COMMITTEE
    # In force at once, for everyone: the new profession is found, marked as verified; the
    # entries still marked as samples stay marked.
    person = world.user(5001)
    await person.send("/find стеклодув")
    await person.click("стеклодув")
    assert "(пример)" not in person.last.text.split("\n")[0]
    await person.send("/find семеновод")
    await person.click("агроном-семеновод")
    assert "(пример)" in person.last.text.split("\n")[0]


async def test_a_file_with_mistakes_is_refused_with_every_line(world: World) -> None:
    chat = await coordinator(world, COMMITTEE, "committee")
    await open_files(chat)
    text = shipped_text(ContentKind.PROFESSIONS)
    broken = (
        text.replace('title = "агроном"', 'title = "а"')
        .replace('types = ["nature"]', 'types = ["space"]', 1)
        .replace('code = "doctor"', 'code = "vet"')
    )
    lines = broken.splitlines()
    expected = {
        lines.index('title = "а"') + 1,
        lines.index('types = ["space"]') + 1,
        [i for i, line in enumerate(lines) if line == 'code = "vet"'][1] + 1,
    }
    await chat.send_document(broken.encode(), "professions.toml")
    assert TEXTS("content-rejected", kind="professions", count=3) in chat.last.text
    for line in expected:
        assert f"строка {line}:" in chat.last.text
    assert await versions(world) == []
    assert world.app.library.content.professions.by_code["agronomist"].title == "агроном"
    # Not TOML at all, or not UTF-8: refused too.
    await chat.send_document(b"[[professions]\ncode = 1", "professions.toml")
    assert "строка 1:" in chat.last.text
    await chat.send_document("код".encode("cp1251"), "professions.toml")
    assert TEXTS("content-rejected", kind="professions", count=1) in chat.last.text


async def test_restore_an_earlier_version(world: World) -> None:
    chat = await coordinator(world, COMMITTEE, "committee")
    await open_files(chat)
    text = shipped_text(ContentKind.PROFESSIONS)
    await chat.send_document((text + NEW_PROFESSION).encode(), "professions.toml")
    assert "glassblower" in world.app.library.content.professions.by_code
    await chat.press("cfa:professions:versions")
    await chat.click(TEXTS("btn-content-shipped", current="no"))
    assert "glassblower" not in world.app.library.content.professions.by_code
    first, restored = await versions(world)
    assert (restored.restored_from, restored.text) == (0, text)
    # And back to the uploaded one.
    await chat.press("cfa:professions:versions")
    await chat.click(
        TEXTS(
            "btn-content-version",
            version=first.id,
            date=TEXTS.when(first.created_at, "d MMM, HH:mm"),
            entries=first.entries,
            current="no",
        )
    )
    assert "glassblower" in world.app.library.content.professions.by_code


async def test_another_process_picks_up_the_newest(world: World, settings: Settings) -> None:
    chat = await coordinator(world, COMMITTEE, "committee")
    text = shipped_text(ContentKind.PROFESSIONS)
    # A process started after the upload loads it; one running already, within its refresh.
    other = await create_app(settings, clock=world.clock)
    try:
        await chat.send_document((text + NEW_PROFESSION).encode(), "professions.toml")
        later = await create_app(settings, clock=world.clock)
        try:
            assert search(later.library.content.professions, "стеклодув").found
        finally:
            await later.close()
        assert not search(other.library.content.professions, "стеклодув").found
        other.library.checked_at -= content_files.REFRESH_SECONDS
        async with other.uow_factory() as uow:
            await content_files.refresh_if_due(uow, other.library)
        assert search(other.library.content.professions, "стеклодув").found
    finally:
        await other.close()


async def test_a_new_catalogue_updates_the_organisations(world: World) -> None:
    chat = await coordinator(world, COMMITTEE, "committee")
    await open_files(chat)
    text = await download(world, chat, "catalogue")
    renamed = text.replace('short_name = "Центр занятости"', 'short_name = "ЦЗН Зимы"')
    await chat.send_document(renamed.encode(), "catalogue.toml")
    async with world.app.uow_factory() as uow:
        centre = await uow.session.scalar(select(Organisation).where(Organisation.code == "czn"))
    assert centre is not None
    assert centre.short_name == "ЦЗН Зимы"
    # Removing an organisation the other files refer to is refused.
    without = renamed.replace('code = "tulun-agrarian"', 'code = "tulun-agro"')
    await chat.send_document(without.encode(), "catalogue.toml")
    assert "tulun-agrarian" in chat.last.text
    assert len(await versions(world)) == 1


@pytest.mark.parametrize(
    "data",
    [
        "cf",
        "cfa:professions:down",
        "cfa:professions:up",
        "cfa:retraining:versions",
        "cfr:professions:0",
    ],
)
async def test_others_are_refused(world: World, data: str) -> None:
    centre = await coordinator(world, CENTRE, "czn")  # a coordinator, but not the committee's
    stranger = world.user(5002)
    await register(stranger)
    for chat in (centre, stranger):
        await chat.press(data)
        assert chat.last_toast == TEXTS("not-permitted-toast")
    text = shipped_text(ContentKind.PROFESSIONS)
    await centre.send_document((text + NEW_PROFESSION).encode(), "professions.toml")
    assert await versions(world) == []
    assert "glassblower" not in world.app.library.content.professions.by_code


async def test_the_committee_button_is_only_for_the_committee(world: World) -> None:
    centre = await coordinator(world, CENTRE, "czn")
    await centre.send("/manage")
    assert TEXTS("btn-content-files") not in [label for label, _ in centre.last.buttons]


def test_locate() -> None:
    lines = ["# c", "[[a]]", "x = 1", "", "[[a]]", "y = 2", "x = 3", "[[b]]", "x = 4"]
    assert locate(lines, ("a", 1, "x")) == 7
    assert locate(lines, ("a", 1, "z")) == 5
    assert locate(lines, ("b", 0, "x")) == 9
    assert locate(lines, ("a",)) == 2
    assert locate(lines, ()) is None


def test_two_thousand_entries_are_checked() -> None:
    library = content_files.initial(shipped())
    checked = check(ContentKind.PROFESSIONS, big_bank(2000), library.content)
    assert not isinstance(checked, list)
    assert checked.entries == 2000
