"""The coordinator's cabinet's sections beyond events: consultation requests (with the count
of new ones) and, for the committee, the content files."""

from __future__ import annotations

from handlers.context import Request
from handlers.ui import Row
from handlers.views import content_files as content_views
from handlers.views.consultations import cabinet_row
from services import consultations
from services.coordinators import Manager


async def cabinet_rows(ctx: Request, manager: Manager) -> list[Row]:
    rows = [cabinet_row(ctx.texts, await consultations.count_new(ctx.uow, manager))]
    if manager.organisation_id is None:  # the committee and administrators
        rows.append(content_views.cabinet_row(ctx.texts))
    return rows
