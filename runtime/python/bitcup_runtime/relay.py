"""Outbox relay core: publish unsent outbox rows to Redis Streams, then mark them.

At least once: a row is marked sent only after XADD succeeded, in its own
commit, so a crash between the two republishes it (consumers dedupe by the
`id` field). On PostgreSQL rows are claimed with FOR UPDATE SKIP LOCKED so
several relays can run side by side.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession


class StreamPublisher(Protocol):
    async def xadd(self, name: str, fields: dict[Any, Any]) -> Any: ...


async def relay_once(session: AsyncSession, outbox: Any, redis: Any, batch: int = 100) -> int:
    """Publish up to `batch` unsent rows, oldest first; returns how many."""
    query = (
        select(outbox)
        .where(outbox.sent_at.is_(None))
        .order_by(outbox.created_at, outbox.id)
        .limit(batch)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    rows = list((await session.execute(query)).scalars())
    for row in rows:
        await redis.xadd(
            row.stream,
            {
                "id": str(row.id),
                "event": row.event,
                "payload": json.dumps(row.payload, sort_keys=True),
                "createdAt": row.created_at.isoformat(),
            },
        )
        row.sent_at = datetime.now(UTC)
    await session.commit()
    return len(rows)


async def run_forever(
    session_factory: Callable[[], AsyncSession],
    outbox: Any,
    redis: Any,
    interval: float = 1.0,
    stop: asyncio.Event | None = None,
) -> None:
    """Relay until `stop` is set, sleeping `interval` seconds when idle."""
    while stop is None or not stop.is_set():
        async with session_factory() as session:
            sent = await relay_once(session, outbox, redis)
        if sent == 0:
            await asyncio.sleep(interval)
