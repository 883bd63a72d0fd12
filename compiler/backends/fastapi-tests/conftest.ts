// tests/conftest.py: a fresh schema per session on the DATABASE_URL given
// (a temp SQLite file by default), an httpx client over ASGI, users made
// directly in the database with tokens from create_access_token, and one
// factory + one request-payload builder per entity, derived from the IR.
import type { Entity, Field, Program } from '../../ir/schema.js';
import type { CodeWriter } from '../../emit/code-writer.js';
import { PyWriter } from './py-writer.js';
import { defLine, factoryName, isToOneOwning, payloadName, writableFields } from './common.js';
import { str } from './python.js';
import { isStringLike, sample } from './values.js';
import { Model } from './world.js';

/** Python value inserted for a column by the factory (relations are handled apart). */
function dbValue(model: Model, entity: Entity, field: Field): string | undefined {
  if (field.primaryKey) return 'uuid.uuid4()';
  if (field.type.kind === 'relation') return undefined;
  // Optional non-text values start empty (a transition's `set` must be seen to fill them).
  if (field.optional && !isStringLike(field)) return 'None';
  if (model.isUser(entity.name) && field.type.kind === 'scalar' && field.type.scalar === 'bool') {
    const lit = field.default?.kind === 'literal' ? field.default.value : undefined;
    return lit === true ? 'True' : 'admin';
  }
  if (field.type.kind === 'scalar' && field.type.scalar === 'password') return 'PASSWORD_HASH';
  if (field.default?.kind === 'now') return 'datetime.now(UTC)';
  return sample(model.program, field)?.db ?? 'None';
}

function emitFactory(w: CodeWriter, model: Model, entity: Entity): void {
  const isUser = model.isUser(entity.name);
  const first = isUser ? 'admin: bool = False' : 'owner: Row | None = None';
  defLine(w, factoryName(entity.name), [first, 'values: Row | None = None'], 'Row');
  w.indent(() => {
    w.line(`"""A valid ${entity.name} row inserted directly; \`values\` overrides columns."""`);
    const entries: [string, string][] = [];
    for (const f of entity.fields) {
      if (!f.column) continue;
      const v = dbValue(model, entity, f);
      if (v !== undefined) entries.push([f.column, v]);
    }
    const body = entries.map(([k, v]) => `${str(k)}: ${v},`);
    if (body.join('').includes('{n}')) w.line('n = next_number()');
    w.line('row: Row = {');
    w.indent(() => w.lines_(body));
    w.line('}');
    w.line('values = values or {}');
    for (const f of entity.fields) {
      const column = f.column;
      if (!isToOneOwning(f) || !column || f.type.kind !== 'relation') continue;
      const target = f.type.target;
      let value: string;
      if (model.isUser(target)) {
        value = isUser
          ? 'None'
          : f.optional
            ? 'owner["id"] if owner else None'
            : `(owner or await ${factoryName(target)}())["id"]`;
      } else if (f.optional) value = 'None';
      else if (model.isUser(target) || target === entity.name) value = 'None';
      else value = `(await ${factoryName(target)}(${isUser ? '' : 'owner'}))["id"]`;
      if (value === 'None') {
        w.line(`row[${str(column)}] = None`);
        continue;
      }
      w.block(`if ${str(column)} not in values:`, () => {
        w.line(`row[${str(column)}] = ${value}`);
      });
    }
    w.line('row.update(values)');
    w.line(`return await insert_row(${str(entity.table)}, row)`);
  });
}

/** JSON payload for POST: every writable field, parents made for relations. */
function emitPayload(w: CodeWriter, model: Model, entity: Entity): void {
  const isUser = model.isUser(entity.name);
  defLine(w, payloadName(entity.name), ['owner: Row | None = None'], 'Row');
  w.indent(() => {
    w.line(`"""A valid create request for ${entity.name}, as JSON."""`);
    const entries: string[] = [];
    const before: string[] = [];
    for (const f of writableFields(model.program, entity)) {
      if (f.type.kind === 'relation') {
        const target = f.type.target;
        if (f.optional) continue;
        const parent = model.isUser(target)
          ? `owner or await ${factoryName(target)}()`
          : `await ${factoryName(target)}(owner)`;
        before.push(`${pyVar(f.apiName)} = ${parent}`);
        entries.push(`${str(f.apiName)}: str(${pyVar(f.apiName)}["id"]),`);
        continue;
      }
      const s = sample(model.program, f);
      if (s) entries.push(`${str(f.apiName)}: ${s.json},`);
    }
    for (const f of manyToMany(model, entity)) {
      const target = (f.type as { target: string }).target;
      before.push(`${pyVar(f.apiName)} = await ${factoryName(target)}(owner)`);
      entries.push(`${str(f.apiName)}: [str(${pyVar(f.apiName)}["id"])],`);
    }
    if (isUser) entries.push('"password": PASSWORD,');
    if (entries.join('').includes('{n}')) w.line('n = next_number()');
    w.lines_(before);
    if (entries.length === 0) {
      w.line('return {}');
      return;
    }
    w.line('return {');
    w.indent(() => w.lines_(entries));
    w.line('}');
  });
}

/** Many-to-many fields a request sets by ids (`tagIds`), to entities other than the user. */
export function manyToMany(model: Model, entity: Entity): Field[] {
  return entity.fields.filter(
    (f) =>
      f.type.kind === 'relation' &&
      f.type.relation === 'many-to-many' &&
      f.type.joinTable !== undefined &&
      !model.isUser(f.type.target),
  );
}

/** `buyerId` -> `buyer_parent`: a local name for a parent row. */
export function pyVar(apiName: string): string {
  return `${apiName.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()}_parent`;
}

/** One entity's factory and payload builder, with the imports they need. */
export interface FactoryChunk {
  /** the Python text, without a final newline */
  text: string;
  /** names from `datetime` it uses, and whether it uses Decimal */
  datetime: string[];
  decimal: boolean;
}

const DATETIME_NAMES = ['UTC', 'date', 'datetime', 'time'];
const DATETIME_USES = DATETIME_NAMES.map((n) =>
  n === 'UTC' ? /\bUTC\b/ : new RegExp(`\\b${n}[.(]`),
);

/**
 * What `factoryChunk` reads besides the entity itself: the user entity's name
 * (factories of the user and its relations differ) and the enums its fields
 * use (their sample values). An incremental build reuses a chunk while these
 * and the entity's hash are unchanged.
 */
export function factoryChunkReads(entity: Entity): { enums: string[] } {
  const enums: string[] = [];
  for (const f of entity.fields) if (f.type.kind === 'enum') enums.push(f.type.enum);
  return { enums };
}

export function factoryChunk(program: Program, entity: Entity): FactoryChunk {
  const model = Model.of(program);
  const w = new PyWriter();
  emitFactory(w, model, entity);
  w.blank(2);
  emitPayload(w, model, entity);
  const text = w.toString().slice(0, -1);
  return {
    text,
    datetime: DATETIME_NAMES.filter((_, i) => DATETIME_USES[i]!.test(text)),
    decimal: /\bDecimal\(/.test(text),
  };
}

/** Everything before the factories: it reads only these four things. */
const heads = new Map<string, string>();

function conftestHead(apiPrefix: string, hasAuth: boolean, dt: string[], decimal: boolean): string {
  const w = new PyWriter();
  w.line(`"""Fixtures and factories for the generated tests (generated by BITCUP)."""`);
  w.blank();
  const std = ['importlib', 'itertools', 'os', 'tempfile', 'uuid'];
  w.lines_(std.map((m) => `import ${m}`));
  w.line('from collections.abc import AsyncIterator, Iterator');
  w.line('from contextlib import contextmanager');
  if (dt.length > 0) w.line(`from datetime import ${dt.join(', ')}`);
  if (decimal) w.line('from decimal import Decimal');
  w.line('from typing import Any');
  w.blank();
  w.line('# Point the app at a throwaway database before it is imported.');
  w.line('_TEST_DIR = tempfile.mkdtemp(prefix="app-tests-")');
  w.block('if not os.environ.get("DATABASE_URL"):', () => {
    w.line('os.environ["DATABASE_URL"] = f"sqlite+aiosqlite:///{_TEST_DIR}/test.db"');
  });
  w.line('os.environ.setdefault("ENVIRONMENT", "test")');
  w.blank();
  w.line('import pytest  # noqa: E402');
  w.line('import pytest_asyncio  # noqa: E402');
  w.line('from httpx import ASGITransport, AsyncClient  # noqa: E402');
  w.line('from sqlalchemy import event, func, insert, select, text  # noqa: E402');
  w.blank();
  w.line('from app.core.db import Base, engine  # noqa: E402');
  if (hasAuth) {
    w.line('from app.core.security import create_access_token, hash_password  # noqa: E402');
  }
  w.line('from app.main import app  # noqa: E402');
  w.blank();
  w.line('Row = dict[str, Any]');
  w.blank();
  w.line(`API = ${str(apiPrefix)}`);
  w.line('PASSWORD = "Correct-horse-9"');
  if (hasAuth) w.line('PASSWORD_HASH = hash_password(PASSWORD)');
  w.line('_numbers = itertools.count(100001)');
  w.blank(2);
  w.text(`def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run every test in the session's event loop (the engine's pool lives there)."""
    marker = pytest.mark.asyncio(loop_scope="session")
    for item in items:
        if pytest_asyncio.is_async_test(item):
            item.add_marker(marker, append=False)


@pytest_asyncio.fixture(scope="session", loop_scope="session", autouse=True)
async def database() -> AsyncIterator[None]:
    """A fresh schema for the session on the DATABASE_URL given."""
    importlib.import_module("app.models")
    async with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            await conn.execute(text("CREATE EXTENSION IF NOT EXISTS pg_trgm"))
        await conn.run_sync(Base.metadata.drop_all)
        await conn.run_sync(Base.metadata.create_all)
    yield
    await engine.dispose()


@pytest_asyncio.fixture(loop_scope="session", autouse=True)
async def clean_tables(database: None) -> AsyncIterator[None]:
    """Every test starts from empty tables."""
    yield
    async with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            await conn.execute(table.delete())


@pytest_asyncio.fixture(loop_scope="session")
async def client() -> AsyncIterator[AsyncClient]:
    transport = ASGITransport(app=app)
    async with AsyncClient(transport=transport, base_url="http://test") as http:
        yield http


def next_number() -> int:
    """Six-digit counter that keeps unique values unique (and sortable as text)."""
    return next(_numbers)


async def insert_row(table: str, row: Row) -> Row:
    async with engine.begin() as conn:
        await conn.execute(insert(Base.metadata.tables[table]).values(row))
    return row


async def count_rows(table: str) -> int:
    async with engine.connect() as conn:
        query = select(func.count()).select_from(Base.metadata.tables[table])
        return int((await conn.execute(query)).scalar_one())


async def outbox_rows() -> list[Row]:
    async with engine.connect() as conn:
        result = await conn.execute(select(Base.metadata.tables["outbox"]))
        return [dict(r._mapping) for r in result]


def mentions(row: Row, needle: str) -> bool:
    """Whether any column of a row holds \`needle\` (event names, ids in payloads)."""
    return any(needle in str(value) for value in row.values())


@contextmanager
def count_statements() -> Iterator[list[str]]:
    """Collect every SQL statement the engine sends while the block runs."""
    statements: list[str] = []

    def before_cursor_execute(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(engine.sync_engine, "before_cursor_execute", before_cursor_execute)
    try:
        yield statements
    finally:
        event.remove(engine.sync_engine, "before_cursor_execute", before_cursor_execute)
`);
  if (hasAuth) {
    w.blank(2);
    w.text(`def auth(user: Row) -> dict[str, str]:
    """Bearer headers for a user row."""
    return {"Authorization": f"Bearer {create_access_token(str(user['id']))}"}
`);
  }
  return w.toString();
}

/** `chunkOf` makes each entity's factory chunk (an incremental build reuses unchanged ones). */
export function generateConftest(
  program: Program,
  chunkOf: (entity: Entity) => FactoryChunk = (entity) => factoryChunk(program, entity),
): string {
  const hasAuth = Model.of(program).userEntity !== undefined;
  const chunks = program.entities.map(chunkOf);
  const dt = DATETIME_NAMES.filter((n) => chunks.some((c) => c.datetime.includes(n)));
  const decimal = chunks.some((c) => c.decimal);
  const key = JSON.stringify([program.app.apiPrefix, hasAuth, dt, decimal]);
  let head = heads.get(key);
  if (head === undefined)
    heads.set(key, (head = conftestHead(program.app.apiPrefix, hasAuth, dt, decimal)));
  // the factories, two blank lines apart (as one writer would lay them out)
  return chunks.length === 0 ? head : `${head}\n\n${chunks.map((c) => c.text).join('\n\n\n')}\n`;
}
