"""Administrators' screens: the coordinators, the open invites, a new invite."""

from __future__ import annotations

from html import escape
from typing import Any

from db.channels import channel_of, messenger_id
from db.records import CoordinatorRecord, InviteRecord, OrganisationRecord
from handlers.callbacks import AdminAction, AdminStep, Nav, Page
from handlers.ui import Row, View, back_row, menu_row
from locales import Texts


def admin_view(
    texts: Texts,
    coordinators: list[CoordinatorRecord],
    invites: list[InviteRecord],
    names: dict[int, str],
) -> View:
    lines = [texts("admin-head", coordinators=len(coordinators), invites=len(invites))]
    rows: list[Row] = [[(texts("btn-admin-invite"), AdminAction(action=AdminStep.INVITE))]]
    for c in coordinators:
        name = escape(names.get(c.organisation_id, "?"))
        shown = str(messenger_id(c.user_id))
        lines.append(
            texts(
                "admin-coordinator",
                user=shown,
                channel=channel_of(c.user_id),
                organisation=name,
            )
        )
        rows.append(
            [
                (
                    texts("btn-admin-revoke", user=shown),
                    AdminAction(action=AdminStep.REVOKE, target=c.user_id),
                )
            ]
        )
    for invite in invites:
        organisation = escape(names.get(invite.organisation_id, "?"))
        lines.append(
            texts("admin-invite", organisation=organisation, expires=texts.when(invite.expires_at))
        )
        rows.append(
            [
                (
                    texts(
                        "btn-admin-revoke-invite",
                        organisation=names.get(invite.organisation_id, "?"),
                    ),
                    AdminAction(action=AdminStep.REVOKE_INVITE, target=invite.id),
                )
            ]
        )
    rows.append(menu_row(texts))
    return View("\n".join(lines), rows)


def invite_for_view(texts: Texts, organisations: list[OrganisationRecord]) -> View:
    rows: list[Row] = [
        [(o.short_name, AdminAction(action=AdminStep.INVITE_FOR, target=o.id))]
        for o in organisations
    ]
    rows.append(back_row(texts, Nav(to=Page.ADMIN)))
    return View(texts("admin-invite-for"), rows)


def invite_made_view(texts: Texts, organisation: str, link: str, invite: InviteRecord) -> View:
    return View(
        texts(
            "admin-invite-made",
            organisation=escape(organisation),
            link=link,
            expires=texts.when(invite.expires_at),
        ),
        [back_row(texts, Nav(to=Page.ADMIN))],
    )


def revoke_confirm_view(texts: Texts, user_id: int) -> View:
    return View(
        texts("admin-revoke-confirm", user=str(messenger_id(user_id))),
        [
            [
                (
                    texts("btn-admin-revoke-yes"),
                    AdminAction(action=AdminStep.REVOKE_CONFIRMED, target=user_id),
                )
            ],
            back_row(texts, Nav(to=Page.ADMIN)),
        ],
    )


def revoked_view(texts: Texts, payload: dict[str, Any]) -> View:
    """What a coordinator is told when an administrator takes their rights away."""
    text = texts("coordinator-revoked", organisation=escape(str(payload.get("organisation", ""))))
    return View(text, [menu_row(texts)])
