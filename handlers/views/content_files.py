"""The committee's content files: the list, the upload prompt, the report of an upload (every
problem with its line), the versions to restore."""

from __future__ import annotations

from html import escape

from content.library import ContentKind, Library
from db.records import ContentFileRecord
from handlers.callbacks import (
    ContentFileAct,
    ContentFiles,
    ContentRestore,
    ContentStep,
    ManageList,
)
from handlers.ui import Row, View, back_row, menu_row
from locales import Texts
from services.content_files import Outcome

#: Problems listed in the reply (the rest are counted), to stay within one message.
SHOWN_PROBLEMS = 30


def cabinet_row(texts: Texts) -> Row:
    return [(texts("btn-content-files"), ContentFiles())]


def files_view(texts: Texts, library: Library) -> View:
    rows: list[Row] = []
    for kind in ContentKind:
        rows.append(
            [
                (
                    texts("content-kind", kind=kind.value),
                    ContentFileAct(kind=kind, action=ContentStep.DOWNLOAD),
                )
            ]
        )
        rows.append(
            [
                (texts("btn-content-upload"), ContentFileAct(kind=kind, action=ContentStep.UPLOAD)),
                (
                    texts("btn-content-versions"),
                    ContentFileAct(kind=kind, action=ContentStep.VERSIONS),
                ),
            ]
        )
    versions = {k.value: library.versions.get(k, 0) for k in ContentKind}
    text = texts("content-files", **versions)
    return View(text, [*rows, back_row(texts, ManageList()), menu_row(texts)])


def upload_prompt_view(texts: Texts, kind: ContentKind) -> View:
    return View(
        texts("content-upload", kind=kind.value, file=f"{kind.value}.toml"),
        [back_row(texts, ContentFiles()), menu_row(texts)],
    )


def outcome_view(texts: Texts, kind: ContentKind, outcome: Outcome) -> View:
    rows = [back_row(texts, ContentFiles()), menu_row(texts)]
    if outcome.accepted:
        text = texts(
            "content-accepted",
            kind=kind.value,
            version=outcome.version,
            entries=outcome.entries,
            samples=outcome.samples,
        )
        return View(text, rows)
    lines = [
        texts("content-problem", line=p.line or "none", message=escape(p.message))
        for p in outcome.problems[:SHOWN_PROBLEMS]
    ]
    more = len(outcome.problems) - SHOWN_PROBLEMS
    if more > 0:
        lines.append(texts("content-problems-more", count=more))
    text = texts("content-rejected", kind=kind.value, count=len(outcome.problems))
    return View(text + "\n" + "\n".join(lines), rows)


def versions_view(
    texts: Texts, kind: ContentKind, found: list[ContentFileRecord], current: int
) -> View:
    rows: list[Row] = []
    for version in found:
        label = texts(
            "btn-content-version",
            version=version.id,
            date=texts.when(version.created_at, "d MMM, HH:mm"),
            entries=version.entries,
            current="yes" if version.id == current else "no",
        )
        rows.append([(label, ContentRestore(kind=kind, version=version.id))])
    rows.append(
        [
            (
                texts("btn-content-shipped", current="yes" if current == 0 else "no"),
                ContentRestore(kind=kind, version=0),
            )
        ]
    )
    text = texts("content-versions", kind=kind.value)
    return View(text, [*rows, back_row(texts, ContentFiles()), menu_row(texts)])
