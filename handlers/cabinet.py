"""The coordinator's cabinet's sections beyond events: consultation requests (with the count
of new ones) and, for the committee, the content files; and the mark that the coordinator is
in the cabinet, so that text typed there is answered with the cabinet, not the main menu."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

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


#: The dialog data's key marking that the coordinator's last screen was in the cabinet. Set
#: by the cabinet's screens, cleared by the main menu; only coordinators ever have it, so no
#: one else's screens touch the dialog state for it.
PLACE = "place"
CABINET = "cabinet"


def entered(data: Mapping[str, Any]) -> dict[str, Any]:
    """The change of the dialog data (`waiting.settle`) when a cabinet's screen is shown."""
    return {} if data.get(PLACE) == CABINET else {PLACE: CABINET}


def left(data: Mapping[str, Any]) -> dict[str, Any]:
    """The change when the coordinator goes to the main menu."""
    return {PLACE: None} if data.get(PLACE) is not None else {}


async def inside(ctx: Request) -> bool:
    return ctx.state is not None and (await ctx.state.get_data()).get(PLACE) == CABINET
