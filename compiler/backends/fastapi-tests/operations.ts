// tests/test_manage.py and tests/test_events.py: the operator commands
// (`app.manage`: create-user, seed) and the event path after the outbox (the
// relay publishing to a stream client and marking rows sent, the consumer
// dispatching to the user-owned handlers), run in-process on the test database.
import type { Program } from '../../ir/schema.js';
import { snake } from '../../names.js';
import { factoryName, isToOneOwning, payloadName } from './common.js';
import { TestFile } from './entity.js';
import { arrange, find } from './flows.js';
import { fstr, str } from './python.js';
import { sample } from './values.js';
import { Model } from './world.js';

/**
 * Everything generateManageTests reads, as one string: an incremental build
 * reuses test_manage.py while it is unchanged (most entity edits leave it so).
 * The app, the user entity and the enums (whole, by part hash), and of every
 * entity its name, table and owner relations. Keep in step with the function
 * below: a read it adds must show here.
 */
export function manageTestsKey(program: Program, parts: Record<string, string>): string {
  const user = program.app.auth?.user;
  const lines = [
    parts['app'] ?? '?',
    user === undefined ? '-' : (parts[`entity:${user}`] ?? '?'),
    parts['enums'] ?? '?',
  ];
  for (const entity of program.entities) {
    let line = `${entity.name} ${entity.table}`;
    for (const f of entity.fields) if (f.ownerField && isToOneOwning(f)) line += ` ${f.apiName}`;
    lines.push(line);
  }
  return lines.join('\n');
}

export function generateManageTests(program: Program): TestFile {
  const model = Model.of(program);
  const file = new TestFile();
  const user = model.userEntity;
  const auth = program.app.auth;
  if (user && auth) {
    const login = user.fields.find((f) => f.name === auth.login);
    const loginValue =
      login?.type.kind === 'scalar' && login.type.scalar === 'email'
        ? 'operator@example.com'
        : 'operator';
    const assignments: string[] = [];
    for (const f of user.fields) {
      if (f.name === auth.login || f.primaryKey || f.type.kind === 'relation') continue;
      if (f.type.kind === 'scalar' && f.type.scalar === 'password') continue;
      const bool = f.type.kind === 'scalar' && f.type.scalar === 'bool';
      if (f.readonly && bool) assignments.push(`${f.apiName}=true`);
      else if (!f.optional && f.default === undefined && !f.readonly) {
        const s = sample(program, f);
        if (s?.ts !== undefined && s.ts !== null) assignments.push(`${f.apiName}=${String(s.ts)}`);
      }
    }
    file.test(
      'create_user_command',
      'create-user makes a user who can sign in, readonly fields set.',
      (w) => {
        w.line(
          `await manage.create_user(${str(loginValue)}, PASSWORD, [${assignments.map(str).join(', ')}])`,
        );
        w.line(`form = {"username": ${str(loginValue)}, "password": PASSWORD}`);
        w.line('response = await client.post(f"{API}/auth/login", data=form)');
        w.line('assert response.status_code == 200, response.text');
        w.line('token = response.json()["access_token"]');
        w.line(
          'me = await client.get(f"{API}/auth/me", headers={"Authorization": f"Bearer {token}"})',
        );
        w.line('assert me.status_code == 200, me.text');
        for (const a of assignments.filter((x) => x.endsWith('=true'))) {
          w.line(`assert me.json()[${str(a.split('=')[0]!)}] is True`);
        }
      },
    );
  }
  // `from app import manage`: a user entity called User has a factory `create_user` too
  file.appImports.push('from app import manage');
  const entities = program.entities;
  if (entities.length > 0) {
    file.stdImports.push('import json', 'from pathlib import Path');
    file.test(
      'seed_command',
      'seed loads one row of every entity from a JSON file.',
      (w) => {
        if (user) w.line(`owner = await ${factoryName(user.name)}()`);
        w.line('data = {}');
        for (const entity of entities) {
          const v = `${snake(entity.name)}_row`;
          w.line(`${v} = await ${payloadName(entity.name)}(${user ? 'owner' : ''})`);
          for (const f of entity.fields) {
            if (f.ownerField && isToOneOwning(f))
              w.line(`${v}[${str(f.apiName)}] = str(owner["id"])`);
          }
          w.line(`data[${str(entity.name)}] = [${v}]`);
        }
        w.line('seed = tmp_path / "seed.json"');
        w.line('seed.write_text(json.dumps(data), encoding="utf-8")');
        const tables = entities.map((e) => str(e.table));
        w.line(`tables = [${tables.join(', ')}]`);
        w.line('before = [await count_rows(table) for table in tables]');
        w.line('await manage.seed_file(str(seed))');
        w.line('after = [await count_rows(table) for table in tables]');
        w.line('assert [b - a for a, b in zip(before, after, strict=True)] == [1] * len(tables)');
      },
      'client: AsyncClient, tmp_path: Path',
    );
  }
  return file;
}

export function generateEventTests(program: Program): TestFile | undefined {
  if (program.events.length === 0) return undefined;
  const model = Model.of(program);
  // The first transition that emits, from a state where it can run.
  for (const flow of program.flows) {
    const entity = model.entity(flow.entity);
    for (const t of flow.transitions) {
      if (t.emits.length === 0) continue;
      for (const from of t.from) {
        const a = find(model, flow, t, from, true);
        if (!a) continue;
        return eventTests(program, model, flow, t, from, a, entity.apiPath);
      }
    }
  }
  return undefined;
}

function eventTests(
  program: Program,
  model: Model,
  flow: Program['flows'][number],
  t: Program['flows'][number]['transitions'][number],
  from: string,
  a: NonNullable<ReturnType<typeof find>>,
  apiPath: string,
): TestFile {
  const file = new TestFile();
  const entity = model.entity(flow.entity);
  const streams = t.emits.map(
    (e) => program.events.find((x) => x.name === e.event)?.stream ?? e.event,
  );
  file.stdImports.push('import asyncio', 'from typing import Any');
  file.appImports.push(
    'from app.core.db import SessionLocal',
    'from app.events.consume import dispatch',
    'from app.events.outbox import OutboxEvent',
    'from app.events.relay import relay_once',
    'from app.runtime.relay import run_forever',
  );
  file.prelude = `class FakeStreams:
    """Stands in for Redis: records every XADD."""

    def __init__(self, stop: asyncio.Event | None = None) -> None:
        self.entries: list[tuple[str, dict[str, Any]]] = []
        self.stop = stop

    async def xadd(self, name: str, fields: dict[str, Any]) -> str:
        self.entries.append((name, fields))
        if self.stop is not None:
            self.stop.set()
        return f"{len(self.entries)}-0"`;
  const url = fstr(`{API}/${apiPath}/{row['id']}/${t.apiPath}`);
  const h = model.userEntity ? ', headers=auth(actor)' : '';
  const emit = (w: Parameters<Parameters<TestFile['test']>[2]>[0]): void => {
    arrange(w, model, entity, flow, from, a);
    w.line(`response = await client.post(${url}${h})`);
    w.line('assert response.status_code == 200, response.text');
  };
  file.test(
    `relay_publishes_${snake(t.name)}_events_once`,
    'The relay publishes each outbox row to its stream, marks it sent, and not again.',
    (w) => {
      emit(w);
      w.line('streams = FakeStreams()');
      w.block('async with SessionLocal() as session:', () => {
        w.line(`assert await relay_once(session, OutboxEvent, streams) == ${t.emits.length}`);
      });
      w.line(
        `assert sorted(name for name, _ in streams.entries) == ${JSON.stringify([...streams].sort())}`,
      );
      w.line('assert all(row["sent_at"] is not None for row in await outbox_rows())');
      w.block('async with SessionLocal() as session:', () => {
        w.line('assert await relay_once(session, OutboxEvent, streams) == 0');
      });
      w.line(`assert len(streams.entries) == ${t.emits.length}`);
      w.block('for _, fields in streams.entries:', () => {
        w.line('await dispatch({k.encode(): str(v).encode() for k, v in fields.items()})');
      });
    },
  );
  file.test(
    `relay_loop_stops_when_asked`,
    'run_forever relays until its stop event is set.',
    (w) => {
      emit(w);
      w.line('stop = asyncio.Event()');
      w.line('streams = FakeStreams(stop)');
      w.line('await run_forever(SessionLocal, OutboxEvent, streams, interval=0, stop=stop)');
      w.line('assert streams.entries');
    },
  );
  return file;
}
