// app/events/: the outbox table (written in the same transaction as the
// change), typed payloads, the relay process (`python -m app.events.relay`:
// Redis Streams, at least once) and user-owned handler stubs with a consumer
// (`python -m app.events.consume`) that dispatches stream entries to them.
import type { EventDecl } from '../../ir/schema.js';
import { CodeWriter } from '../../emit/code-writer.js';
import { pascal, snake } from '../../names.js';
import type { Ctx } from './context.js';
import { type FileSpec, spec } from './files.js';
import { appendBody, call, docstring, Imports, moduleHeader, pyStr, stmt } from './py.js';
import { schemaType } from './types.js';

export const payloadClass = (event: string): string => `${pascal(event)}Payload`;
const handlerModule = (event: string): string => snake(event);

export function generateEvents(ctx: Ctx, events: readonly EventDecl[]): FileSpec[] {
  if (events.length === 0) return [];
  const gen = (path: string, make: () => string): FileSpec =>
    spec(`backend/app/events/${path}`, make);
  const files: FileSpec[] = [
    gen('__init__.py', () => '"""Published events: outbox, payloads, relay and handlers."""\n'),
    gen('outbox.py', () => OUTBOX),
    gen('payloads.py', () => payloads(ctx)),
    gen('relay.py', () => RELAY),
    gen('consume.py', () => consume(ctx)),
    gen(
      'handlers/__init__.py',
      () => '"""Your event handlers, one module per event (yours to edit)."""\n',
    ),
  ];
  for (const event of events) {
    const path = `backend/app/events/handlers/${handlerModule(event.name)}.py`;
    files.push(spec(path, () => handlerStub(event.name), 'user'));
  }
  return files;
}

const OUTBOX = `"""The outbox: events stored in the same transaction as the change that caused them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel
from sqlalchemy import DateTime, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import Base, JsonColumn
from app.runtime.rules import utcnow


class OutboxEvent(Base):
    """One emitted event; \`sent_at\` is set once the relay published it."""

    __tablename__ = "outbox"
    __table_args__ = (Index("ix_outbox_sent_at_created_at", "sent_at", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    event: Mapped[str] = mapped_column(String(100))
    stream: Mapped[str] = mapped_column(String(200))
    payload: Mapped[Any] = mapped_column(JsonColumn)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class EventPayload(BaseModel):
    """Base of the typed payloads; \`EVENT\` and \`STREAM\` name them."""

    EVENT: ClassVar[str] = ""
    STREAM: ClassVar[str] = ""


def outbox_event(payload: EventPayload) -> OutboxEvent:
    """An outbox row for a payload (add it to the session of the change)."""
    return OutboxEvent(
        id=uuid.uuid4(),
        event=payload.EVENT,
        stream=payload.STREAM,
        payload=payload.model_dump(mode="json", by_alias=True),
        created_at=utcnow(),
    )
`;

function payloads(ctx: Ctx): string {
  const imports = new Imports();
  imports.add('__future__', 'annotations');
  imports.add('typing', 'ClassVar');
  imports.add('pydantic', 'ConfigDict');
  imports.add('app.events.outbox', 'EventPayload');
  const w = new CodeWriter();
  for (const event of ctx.program.events) {
    w.blank(2);
    w.line(`class ${payloadClass(event.name)}(EventPayload):`);
    w.indent(() => {
      docstring(w, 1, event.doc ?? `Payload of ${event.name} (stream \`${event.stream}\`).`);
      w.line();
      stmt(
        w,
        1,
        call(
          'model_config = ConfigDict',
          'validate_by_name=True',
          'validate_by_alias=True',
          'serialize_by_alias=True',
        ),
      );
      w.line(`EVENT: ClassVar[str] = ${pyStr(event.name)}`);
      w.line(`STREAM: ClassVar[str] = ${pyStr(event.stream)}`);
      w.line();
      for (const f of event.fields) {
        let annotation: string;
        if (f.type.kind === 'entity') {
          imports.module('uuid');
          annotation = 'uuid.UUID';
        } else if (f.type.kind === 'enum') {
          annotation = schemaType(
            ctx,
            { type: { kind: 'enum', enum: f.type.enum } },
            imports,
            false,
          );
        } else {
          annotation = schemaType(
            ctx,
            { type: { kind: 'scalar', scalar: f.type.scalar, length: f.type.length } },
            imports,
            false,
          );
        }
        const attr = snake(f.apiName);
        const alias = attr !== f.apiName ? `alias=${pyStr(f.apiName)}` : '';
        if (f.optional) {
          imports.add('pydantic', 'Field');
          w.line(`${attr}: ${annotation} | None = Field(default=None${alias ? ', ' + alias : ''})`);
        } else if (alias) {
          imports.add('pydantic', 'Field');
          w.line(`${attr}: ${annotation} = Field(${alias})`);
        } else w.line(`${attr}: ${annotation}`);
      }
    });
  }
  w.blank(2);
  const names = ctx.program.events.map((e) => `${pyStr(e.name)}: ${payloadClass(e.name)}`);
  stmt(w, 0, { open: 'PAYLOADS: dict[str, type[EventPayload]] = {', items: names, close: '}' });
  const out = new CodeWriter();
  moduleHeader(out, 'Typed payloads of the published events.', imports);
  appendBody(out, w.toString());
  return out.toString();
}

const RELAY = `"""The outbox relay: \`python -m app.events.relay\` publishes unsent events to Redis Streams.

At least once: a row is marked sent only after XADD succeeded, so a crash
between the two publishes it again (consumers dedupe by the \`id\` field).
"""

from __future__ import annotations

import asyncio
import logging
import signal

from redis.asyncio import Redis

from app.core.config import settings
from app.core.db import SessionLocal, engine
from app.events.outbox import OutboxEvent
from app.runtime.relay import relay_once, run_forever

__all__ = ["main", "relay_once"]


async def main() -> None:  # pragma: no cover - the relay process
    logging.basicConfig(level=logging.INFO)
    redis = Redis.from_url(settings.redis_url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    logging.getLogger("relay").info("relaying the outbox to %s", settings.redis_url)
    try:
        await run_forever(SessionLocal, OutboxEvent, redis, stop=stop)
    finally:
        await redis.aclose()
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
`;

function consume(ctx: Ctx): string {
  const imports = new Imports();
  imports.add('__future__', 'annotations');
  imports.module('asyncio');
  imports.module('json');
  imports.add('collections.abc', 'Awaitable', 'Callable');
  imports.add('typing', 'Any');
  imports.add('redis.asyncio', 'Redis');
  imports.add('redis.exceptions', 'ResponseError');
  imports.add('app.core.config', 'settings');
  imports.add('app.events.outbox', 'EventPayload');
  imports.add('app.events.payloads', 'PAYLOADS');
  for (const e of ctx.program.events) imports.add('app.events.handlers', handlerModule(e.name));
  const w = new CodeWriter();
  w.blank(2);
  w.line('Handler = Callable[[Any], Awaitable[None]]');
  stmt(w, 0, {
    open: 'HANDLERS: dict[str, Handler] = {',
    items: ctx.program.events.map((e) => `${pyStr(e.stream)}: ${handlerModule(e.name)}.handle`),
    close: '}',
  });
  w.line('GROUP = "app"');
  w.blank(2);
  w.text(`async def dispatch(fields: dict[bytes, bytes]) -> None:
    """Validate one stream entry's payload and call its handler."""
    event = fields[b"event"].decode()
    payload_class: type[EventPayload] = PAYLOADS[event]
    payload = payload_class.model_validate(json.loads(fields[b"payload"]))
    await HANDLERS[payload_class.STREAM](payload)


async def main() -> None:  # pragma: no cover - the consumer process
    """Read every event stream in a consumer group and acknowledge handled entries."""
    redis = Redis.from_url(settings.redis_url)
    for stream in HANDLERS:
        try:
            await redis.xgroup_create(stream, GROUP, id="0", mkstream=True)
        except ResponseError:
            pass  # the group exists already
    streams: dict[Any, Any] = {stream: ">" for stream in HANDLERS}
    while True:
        batches: Any = await redis.xreadgroup(GROUP, "consumer-1", streams, count=50, block=5000)
        for stream, entries in batches or []:
            for entry_id, fields in entries:
                await dispatch(fields)
                await redis.xack(stream, GROUP, entry_id)


if __name__ == "__main__":
    asyncio.run(main())
`);
  const out = new CodeWriter();
  moduleHeader(
    out,
    'Consume the event streams: `python -m app.events.consume` calls your handlers.',
    imports,
  );
  appendBody(out, w.toString());
  return out.toString();
}

function handlerStub(event: string): string {
  return `"""Handle ${event} events. This file is yours: BITCUP writes it once and never again."""

from __future__ import annotations

import logging

from app.events.payloads import ${payloadClass(event)}

logger = logging.getLogger(__name__)


async def handle(payload: ${payloadClass(event)}) -> None:
    """Called once per ${event} (at least once: make it idempotent)."""
    logger.info("${event}: %s", payload.model_dump_json())
`;
}
