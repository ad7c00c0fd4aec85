"""Telegram UI: one router per feature. Thin: parse, call a service, render locale text."""

from __future__ import annotations

from aiogram import Router

from handlers import catalogue, fallback, menu, privacy, quiz, start


def get_routers() -> list[Router]:
    """In order of precedence; the fallback router must stay last."""
    return [
        start.router,
        quiz.router,
        catalogue.router,
        privacy.router,
        menu.router,
        fallback.router,
    ]
