"""Telegram UI: one router per feature. Thin: parse, call a service, render locale text.

Routers are built by `create_router()` in each module, so every dispatcher (production, demo,
each test) gets its own.
"""

from __future__ import annotations

from aiogram import Router

from handlers import catalogue, errors, fallback, menu, privacy, quiz, start


def get_routers() -> list[Router]:
    """In order of precedence (the questionnaire, the most frequent, first); the fallback
    router must stay last."""
    return [
        errors.create_router(),
        quiz.create_router(),
        start.create_router(),
        catalogue.create_router(),
        privacy.create_router(),
        menu.create_router(),
        fallback.create_router(),
    ]
