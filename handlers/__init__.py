"""Telegram UI: one router per feature. Thin: parse, call a service, show a view.

Each router module takes the event, its typed callback data and the request context (`ctx`,
see `handlers.context`); screens live in `handlers.views`, one module per feature, shared by
the routers that show them. Only private chats reach the routers (`bot.middlewares`).

Routers are built by `create_router()` in each module, so every dispatcher (production, demo,
each test) gets its own.
"""

from __future__ import annotations

from aiogram import Router

from handlers import (
    admin,
    broadcasts,
    catalogue,
    consultations,
    content_files,
    editor,
    errors,
    events,
    fallback,
    family,
    handover,
    manage,
    menu,
    minor,
    privacy,
    professions,
    profile,
    quiz,
    results,
    retraining,
    start,
    stats,
    subscriptions,
    teachers,
)


def get_routers() -> list[Router]:
    """In order of precedence: the most frequent updates first (questionnaire answers, then
    events, where a whole class signs up at once), so that they pass the fewest filters; the
    fallback router must stay last among those with handlers of messages and buttons. The
    errors router has only the error handler, so it comes after them all: an update passes no
    router it has nothing for on its way to the questionnaire's. Before them all, one handler
    of commands only (a command ends a consultation request's step, then goes on), which no
    button passes."""
    return [
        consultations.create_leaving_router(),  # commands only: the buttons never pass it
        quiz.create_router(),
        events.create_router(),
        subscriptions.create_router(),
        start.create_router(),
        profile.create_router(),
        results.create_router(),
        catalogue.create_router(),
        privacy.create_router(),
        menu.create_router(),
        stats.create_router(),
        broadcasts.create_router(),
        content_files.create_router(),  # before manage: its document handler takes any file
        manage.create_router(),
        editor.create_router(),
        admin.create_router(),
        professions.create_router(),
        retraining.create_router(),
        consultations.create_router(),
        teachers.create_router(),
        handover.create_router(),
        family.create_router(),
        minor.create_router(),
        fallback.create_router(),
        errors.create_router(),
    ]
