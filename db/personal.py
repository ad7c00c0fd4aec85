"""What `/mydata`'s file is made of: each repository that keeps something about a user has one
`personal_data(user_id)` method returning its rows as plain dicts (column name -> value), and
`services.mydata.SECTIONS` lists them. A new feature adds its method and one line there."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Select
from sqlalchemy.ext.asyncio import AsyncSession

PersonalRows = list[dict[str, Any]]


async def personal_rows(session: AsyncSession, query: Select[*tuple[Any, ...]]) -> PersonalRows:
    return [dict(row._mapping) for row in await session.execute(query)]
