"""The welcome screen and the consent to data processing."""

from __future__ import annotations

from aiogram.filters.callback_data import CallbackData

from handlers.callbacks import Consent, ConsentAction, ConsentFor, Minor, MinorStep, Nav, Page
from handlers.context import Request
from handlers.ui import Row, View, menu_row
from handlers.views.menu import public_rows
from locales import Texts


def _consent_button(action: ConsentAction, code: str) -> CallbackData:
    """The consent buttons; opened from a link (`code`), they carry it to land there after."""
    return ConsentFor(action=action, code=code) if code else Consent(action=action)


def welcome_view(texts: Texts, code: str = "") -> View:
    """The greeting; `code`: the event or invite link the user came by."""
    first: Row = [(texts("btn-welcome-next"), _consent_button(ConsentAction.SHOW, code))]
    # Under 14 a parent gives the consent: asked before anything is stored.
    minor: Row = [(texts("btn-minor"), Minor(action=MinorStep.ASK))]
    return View(
        texts("welcome", linked="yes" if code else "no"), [first, minor, *public_rows(texts)]
    )


def consent_view(ctx: Request, *, updated: bool = False, code: str = "") -> View:
    texts = ctx.texts
    return View(
        texts(
            "consent",
            version=ctx.consent_version,
            updated="yes" if updated else "no",
            days=ctx.settings.rejected_updates_keep_days,
        ),
        [
            [(texts("btn-agree"), _consent_button(ConsentAction.AGREE, code))],
            [(texts("btn-decline"), _consent_button(ConsentAction.DECLINE, code))],
            [(texts("btn-back"), Nav(to=Page.WELCOME))],
        ],
    )


def consent_needed_view(ctx: Request) -> View | None:
    """What a user must do before anything is stored about them: give consent, or agree to a
    changed consent text. None when their consent is current."""
    if ctx.user is None:
        texts = ctx.texts
        return View(
            texts("need-consent"),
            [[(texts("btn-consent"), Consent(action=ConsentAction.SHOW))], menu_row(texts)],
        )
    if ctx.consent_outdated:
        return consent_view(ctx, updated=True)
    return None


def declined_view(ctx: Request) -> View:
    texts = ctx.texts
    if ctx.user is not None:
        # Declining after agreeing is a withdrawal: that is what /forget is for.
        return View(
            texts("consent-decline-registered"),
            [
                [(texts("btn-mydata"), Nav(to=Page.MYDATA))],
                menu_row(texts),
            ],
        )
    return View(
        texts("consent-declined"),
        [
            *public_rows(texts),
            [(texts("btn-consent-again"), Consent(action=ConsentAction.SHOW))],
        ],
    )
