// tests/test_<entity>.py: CRUD happy paths, list paging / filter / search /
// sort, a constant statement count for lists, and the statuses LANGUAGE.md
// prescribes (401, 403, 404, 409, 422), each derived from the entity's
// fields and rules in the IR.
import type { Entity, Field, Program } from '../../ir/schema.js';
import type { CodeWriter } from '../../emit/code-writer.js';
import { PyWriter } from './py-writer.js';
import { snake } from '../../names.js';
import {
  emitSetup,
  factoryName,
  headers,
  isPrivate,
  isToOneOwning,
  OTHER_FIRST,
  OWNS_FIRST,
  payloadName,
  pickScenario,
  writableFields,
  writableScalars,
  type Setup,
} from './common.js';
import { manyToMany, pyVar } from './conftest.js';
import { fstr, LINE_LIMIT, str } from './python.js';
import {
  candidates,
  invalidValues,
  isStringLike,
  sample,
  scalarOf,
  withoutCounter,
  type Sample,
  type Tv,
} from './values.js';
import { Model, rowFieldsOf, SCENARIOS, type Scenario } from './world.js';

export class TestFile {
  readonly w = new PyWriter();
  readonly imports = new Set<string>();
  count = 0;

  /** `import x` / `from x import y` lines of the standard library, beyond the detected ones */
  readonly stdImports: string[] = [];
  /** `from app... import ...` lines */
  readonly appImports: string[] = [];
  /** module-level code after the imports (helper classes) */
  prelude = '';

  test(
    name: string,
    doc: string,
    body: (w: PyWriter) => void,
    params = 'client: AsyncClient',
  ): void {
    const inner = new PyWriter();
    body(inner);
    // `owner = ...` set up by a scenario but never read afterwards: drop it (F841).
    let text = inner.toString();
    const rest = text.replace(/^owner = .*$/m, '');
    if (!/\bowner\b/.test(rest)) text = rest.replace(/\n\n/g, '\n').replace(/^\n/, '');
    this.w.blank(2);
    this.w.line(`async def test_${name}(${params}) -> None:`);
    this.w.indent(() => {
      this.w.line(`"""${doc.replace(/"/g, "'")}"""`);
      this.w.text(text);
    });
    this.count++;
  }

  render(doc: string, conftestNames: string[]): string {
    const body = withoutCounter(this.w.toString());
    const out = new PyWriter();
    out.line(`"""${doc}"""`);
    out.blank();
    const std: string[] = [...this.stdImports];
    const add = (line: string): void => {
      if (!std.includes(line)) std.push(line);
    };
    if (/\basyncio\./.test(body)) add('import asyncio');
    if (/\buuid\./.test(body)) add('import uuid');
    const dt = ['UTC', 'date', 'datetime'].filter((n) =>
      n === 'UTC' ? /\bUTC\b/.test(body) : new RegExp(`\\b${n}\\(`).test(body),
    );
    if (dt.length > 0) add(`from datetime import ${dt.join(', ')}`);
    if (/\bDecimal\(/.test(body)) add('from decimal import Decimal');
    // isort: plain imports first, then from-imports, each by module name
    const module = (line: string): string => line.split(' ')[1]!;
    std.sort((a, b) => {
      const kind = Number(a.startsWith('from')) - Number(b.startsWith('from'));
      return kind || (module(a) < module(b) ? -1 : module(a) > module(b) ? 1 : 0);
    });
    out.lines_(std);
    if (std.length > 0) out.blank();
    out.line('from httpx import AsyncClient');
    out.blank();
    out.lines_([...this.appImports].sort());
    // functions count when called (`auth(` is not the `/auth/` path), constants when named
    // (one scan of the body, not one regex per name: linear in the model's size)
    const called = new Set(body.match(/\b[A-Za-z_]\w*(?=\()/g) ?? []);
    const named = new Set(body.match(/\b[A-Z][A-Z0-9_]*\b/g) ?? []);
    const used = conftestNames
      .filter((n) => (/^[a-z]/.test(n) ? called.has(n) : named.has(n)))
      .sort(sortNames);
    const flat = `from tests.conftest import ${used.join(', ')}`;
    if (flat.length <= LINE_LIMIT) out.line(flat);
    else {
      out.line('from tests.conftest import (');
      out.indent(() => out.lines_(used.map((n) => `${n},`)));
      out.line(')');
    }
    const prelude = this.prelude ? `\n\n${this.prelude}\n` : '';
    return `${out.toString()}${prelude}\n\n${body}`;
  }
}

/** isort's order-by-type: CONSTANTS, then Classes, then functions. */
function sortNames(a: string, b: string): number {
  const rank = (n: string): number => (/^[A-Z0-9_]+$/.test(n) ? 0 : /^[A-Z]/.test(n) ? 1 : 2);
  return rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0);
}

export interface EntityContext {
  program: Program;
  model: Model;
  entity: Entity;
  url: string; // Python expression of the collection URL
}

/** Python assertion lines comparing a response body field with the payload. */
export function compareField(field: Field, body = 'body', payload = 'payload'): string | undefined {
  const key = str(field.apiName);
  if (field.type.kind === 'relation') return `assert ${body}[${key}] == ${payload}[${key}]`;
  if (field.type.kind === 'enum') return `assert ${body}[${key}] == ${payload}[${key}]`;
  switch (scalarOf(field)) {
    case 'decimal':
      return `assert Decimal(str(${body}[${key}])) == Decimal(${payload}[${key}])`;
    case 'string':
    case 'text':
    case 'url':
    case 'int':
    case 'bigint':
    case 'float':
    case 'bool':
    case 'json':
      return `assert ${body}[${key}] == ${payload}[${key}]`;
    case 'email':
      return `assert ${body}[${key}] == ${payload}[${key}].lower()`;
    default:
      return undefined;
  }
}

function privateChecks(ctx: EntityContext, w: CodeWriter, body = 'body'): void {
  for (const f of ctx.entity.fields.filter(isPrivate)) {
    w.line(`assert ${str(f.apiName)} not in ${body}`);
    if (f.apiName !== f.name) w.line(`assert ${str(f.name)} not in ${body}`);
  }
}

const setupOf = (scenario: Scenario, columns: [string, string][] = []): Setup => ({
  scenario,
  columns,
  values: new Map(),
});

/** For one entity: all its tests. */
export function generateEntityTests(program: Program, entity: Entity): TestFile {
  const model = Model.of(program);
  const ctx: EntityContext = { program, model, entity, url: `f"{API}/${entity.apiPath}"` };
  const file = new TestFile();
  const order = model.isUser(entity.name) ? OTHER_FIRST : OWNS_FIRST;
  crud(file, ctx, order);
  lists(file, ctx);
  access(file, ctx);
  constraints(file, ctx);
  checks(file, ctx);
  uniques(file, ctx);
  restrictDeletes(file, ctx);
  return file;
}

function rowUrl(ctx: EntityContext, row = 'row'): string {
  return fstr(`{API}/${ctx.entity.apiPath}/{${row}['id']}`);
}

function crud(file: TestFile, ctx: EntityContext, order: Scenario[]): void {
  const { model, entity } = ctx;
  const name = snake(entity.name);
  const h = headers(model);
  const creatable = writableFields(ctx.program, entity);
  const create = pickScenario(model, entity.name, 'create', OWNS_FIRST);
  if (create) {
    file.test(`create_${name}`, `POST creates a ${entity.name} (201) and answers it.`, (w) => {
      emitSetup(w, model, entity, setupOf(create), { row: false });
      w.line(`payload = await ${payloadName(entity.name)}(${model.userEntity ? 'actor' : ''})`);
      w.line(`response = await client.post(${ctx.url}, json=payload${h})`);
      w.line('assert response.status_code == 201, response.text');
      w.line('body = response.json()');
      w.line('assert body["id"]');
      for (const f of creatable) {
        if (f.type.kind === 'relation' && f.optional) continue;
        const line = compareField(f);
        if (line) w.line(line);
      }
      for (const f of manyToMany(model, entity)) {
        const key = str(f.apiName);
        w.line(`assert sorted(body[${key}]) == sorted(payload[${key}])`);
      }
      privateChecks(ctx, w);
      w.line(`fetched = await client.get(${fstr(`{API}/${entity.apiPath}/{body['id']}`)}${h})`);
      w.line('assert fetched.status_code == 200, fetched.text');
      w.line('assert fetched.json()["id"] == body["id"]');
    });
  }
  const read = pickScenario(model, entity.name, 'read', order);
  if (read) {
    file.test(
      `get_${name}`,
      `GET /{id} answers the ${entity.name} without private fields.`,
      (w) => {
        emitSetup(w, model, entity, setupOf(read));
        w.line(`response = await client.get(${rowUrl(ctx)}${h})`);
        w.line('assert response.status_code == 200, response.text');
        w.line('body = response.json()');
        w.line('assert body["id"] == str(row["id"])');
        privateChecks(ctx, w);
      },
    );
    file.test(`get_unknown_${name}`, 'An id that does not exist is a 404.', (w) => {
      emitSetup(w, model, entity, setupOf(read), { row: false });
      w.line(`response = await client.get(${fstr(`{API}/${entity.apiPath}/{uuid.uuid4()}`)}${h})`);
      w.line('assert response.status_code == 404, response.text');
    });
  }
  const patchField = pickPatchField(ctx);
  if (patchField) {
    const { field, alt, scenario } = patchField;
    file.test(`update_${name}`, `PATCH changes ${field.name} and answers the row.`, (w) => {
      emitSetup(w, model, entity, setupOf(scenario));
      w.line(`payload = {${str(field.apiName)}: ${alt.json}}`);
      w.line(`response = await client.patch(${rowUrl(ctx)}, json=payload${h})`);
      w.line('assert response.status_code == 200, response.text');
      w.line('body = response.json()');
      const line = compareField(field);
      if (line) w.line(line);
      privateChecks(ctx, w);
    });
    file.test(
      `update_${name}_every_field`,
      'PATCH with every writable field changes them all.',
      (w) => {
        emitSetup(w, model, entity, setupOf(scenario));
        w.line(`payload = await ${payloadName(entity.name)}(${model.userEntity ? 'owner' : ''})`);
        if (model.isUser(entity.name)) w.line('del payload["password"]');
        w.line(`response = await client.patch(${rowUrl(ctx)}, json=payload${h})`);
        w.line('assert response.status_code == 200, response.text');
        w.line('body = response.json()');
        for (const f of creatable) {
          if (f.type.kind === 'relation' && f.optional) continue;
          const compare = compareField(f);
          if (compare) w.line(compare);
        }
        for (const f of manyToMany(model, entity)) {
          w.line(`assert sorted(body[${str(f.apiName)}]) == sorted(payload[${str(f.apiName)}])`);
        }
      },
    );
  }
  const del = pickScenario(model, entity.name, 'delete', order);
  if (del && !(model.isUser(entity.name) && del.owns)) {
    file.test(`delete_${name}`, 'DELETE answers 204 and the row is gone.', (w) => {
      emitSetup(w, model, entity, setupOf(del));
      w.line(`response = await client.delete(${rowUrl(ctx)}${h})`);
      w.line('assert response.status_code == 204, response.text');
      w.line(`again = await client.get(${rowUrl(ctx)}${h})`);
      w.line('assert again.status_code == 404, again.text');
    });
  }
}

function pickPatchField(
  ctx: EntityContext,
): { field: Field; alt: Sample; scenario: Scenario } | undefined {
  const { model, entity } = ctx;
  const order = model.isUser(entity.name) ? OTHER_FIRST : OWNS_FIRST;
  const fields = writableScalars(ctx.program, entity).sort(
    (a, b) => Number(a.unique) - Number(b.unique),
  );
  for (const field of fields) {
    const alt = sample(ctx.program, field, 'alt');
    if (!alt || compareField(field) === undefined) continue;
    const overrides = new Map<string, Tv>([[field.name, alt.ts]]);
    for (const scenario of order) {
      const before = model.world(entity.name, scenario);
      const after = model.world(entity.name, scenario, overrides);
      if (model.allows(entity.name, 'update', before) !== true) continue;
      if (model.allows(entity.name, 'update', after) !== true) continue;
      if (entity.checks.some((c) => model.test(c.expr, after) === false)) continue;
      return { field, alt, scenario };
    }
  }
  return undefined;
}

interface ListParams {
  filter: string[];
  search: string[];
  sort: string[];
}

function listParams(ctx: EntityContext): ListParams {
  const views = ctx.model.listViews(ctx.entity.name);
  const uniq = (xs: string[]): string[] => [...new Set(xs)];
  return {
    filter: uniq(views.flatMap((v) => v.filter)),
    search: uniq(views.flatMap((v) => v.search)),
    sort: uniq(views.flatMap((v) => (v.sort ? [v.sort.field] : []))),
  };
}

function lists(file: TestFile, ctx: EntityContext): void {
  const { model, entity } = ctx;
  const name = snake(entity.name);
  const h = headers(model);
  const isUser = model.isUser(entity.name);
  // The user entity: list as someone who may read other users' rows.
  const order: Scenario[] = isUser ? [{ actor: 'admin', owns: false }] : OWNS_FIRST;
  const scenario = pickScenario(model, entity.name, 'read', order);
  if (!scenario) return;
  const own = model.userEntity ? 'owner' : 'None';
  const make = (w: CodeWriter, columns = ''): void => {
    if (isUser) w.line(`await ${factoryName(entity.name)}(False${columns ? `, ${columns}` : ''})`);
    else w.line(`await ${factoryName(entity.name)}(${own}${columns ? `, ${columns}` : ''})`);
  };
  const create = (w: CodeWriter, count: number, columns = ''): void => {
    if (count === 1) make(w, columns);
    else w.block(`for _ in range(${count}):`, () => make(w, columns));
  };
  // Rows visible besides the ones a test makes: the signed-in user itself.
  const selfVisible =
    isUser &&
    model.allows(entity.name, 'read', model.world(entity.name, { ...scenario, owns: true }));
  const extra = selfVisible ? 1 : 0;
  const setup = (w: CodeWriter): void =>
    emitSetup(w, model, entity, setupOf(scenario), { row: false });

  // the list views' page size when they agree, 20 without a list view
  const sizes = new Set(model.listViews(entity.name).map((v) => v.pageSize));
  const defaultPageSize = sizes.size === 0 ? 20 : sizes.size === 1 ? [...sizes][0] : undefined;
  file.test(
    `list_${name}_pages`,
    'Lists answer {items,total,page,pageSize} and page through rows.',
    (w) => {
      setup(w);
      create(w, 3);
      w.line(`response = await client.get(${ctx.url}, params={"page": 1, "pageSize": 2}${h})`);
      w.line('assert response.status_code == 200, response.text');
      w.line('body = response.json()');
      w.line(`assert body["total"] == ${3 + extra}`);
      w.line('assert body["page"] == 1');
      w.line('assert body["pageSize"] == 2');
      w.line('assert len(body["items"]) == 2');
      w.line(`second = await client.get(${ctx.url}, params={"page": 2, "pageSize": 2}${h})`);
      w.line('assert second.status_code == 200, second.text');
      w.line(`assert len(second.json()["items"]) == ${1 + extra}`);
      w.line('ids = {item["id"] for item in body["items"] + second.json()["items"]}');
      w.line(`assert len(ids) == ${3 + extra}`);
    },
  );

  file.test(
    `list_${name}_page_size_is_capped`,
    'pageSize defaults to the list view page size (else 20) and is capped at 100.',
    (w) => {
      setup(w);
      if (defaultPageSize !== undefined) {
        w.line(`response = await client.get(${ctx.url}${h})`);
        w.line('assert response.status_code == 200, response.text');
        w.line(`assert response.json()["pageSize"] == ${defaultPageSize}`);
      }
      w.line(`response = await client.get(${ctx.url}, params={"pageSize": 1000}${h})`);
      w.line('assert response.status_code == 200, response.text');
      w.line('assert response.json()["pageSize"] == 100');
    },
  );

  file.test(
    `list_${name}_statement_count`,
    'A list costs the same number of SQL statements for 1 and 10 rows.',
    (w) => {
      setup(w);
      create(w, 1);
      w.block('with count_statements() as one_row:', () => {
        w.line(`response = await client.get(${ctx.url}${h})`);
        w.line('assert response.status_code == 200, response.text');
      });
      create(w, 9);
      w.block('with count_statements() as ten_rows:', () => {
        w.line(`response = await client.get(${ctx.url}${h})`);
        w.line('assert response.status_code == 200, response.text');
      });
      w.line(`assert len(response.json()["items"]) == ${10 + extra}`);
      w.line('assert len(ten_rows) == len(one_row), ten_rows');
    },
  );

  const params = listParams(ctx);
  file.test(
    `list_${name}_rejects_bad_queries`,
    'An unknown sort field or page 0 is a 422 naming the parameter.',
    (w) => {
      setup(w);
      w.line(`response = await client.get(${ctx.url}, params={"sort": "noSuchField"}${h})`);
      w.line('assert response.status_code == 422, response.text');
      w.line('assert "sort" in response.text');
      w.line(`response = await client.get(${ctx.url}, params={"page": 0}${h})`);
      w.line('assert response.status_code == 422, response.text');
      w.line('assert "page" in response.text');
      if (params.search.length > 0) {
        w.line(`response = await client.get(${ctx.url}, params={"q": "a\\x00b"}${h})`);
        w.line('assert response.status_code == 422, response.text');
        w.line(`response = await client.get(${ctx.url}, params={"q": "   "}${h})`);
        w.line('assert response.status_code == 200, response.text');
      }
    },
  );
  for (const fieldName of params.filter) {
    const field = entity.fields.find((f) => f.name === fieldName);
    if (!field || !field.column) continue;
    const a = sample(ctx.program, field);
    const b = sample(ctx.program, field, 'alt');
    if (!a || !b || a.ts === b.ts || a.ts === undefined) continue;
    const query = typeof a.ts === 'boolean' ? (a.ts ? '"true"' : '"false"') : a.json;
    file.test(
      `list_${name}_filter_${snake(fieldName)}`,
      `?${field.apiName}= keeps matching rows only.`,
      (w) => {
        setup(w);
        const maker = isUser
          ? `${factoryName(entity.name)}(False, `
          : `${factoryName(entity.name)}(${own}, `;
        w.line(`match = await ${maker}{${str(field.column!)}: ${a.db}})`);
        w.line(`await ${maker}{${str(field.column!)}: ${b.db}})`);
        w.line(
          `response = await client.get(${ctx.url}, params={${str(field.apiName)}: ${query}}${h})`,
        );
        w.line('assert response.status_code == 200, response.text');
        w.line('ids = [item["id"] for item in response.json()["items"]]');
        w.line('assert str(match["id"]) in ids');
        const op = typeof a.ts === 'boolean' ? 'is' : '==';
        w.line('items = response.json()["items"]');
        w.line(`assert all(item[${str(field.apiName)}] ${op} ${a.json} for item in items)`);
      },
    );
  }
  for (const fieldName of params.search) {
    const field = entity.fields.find((f) => f.name === fieldName);
    if (!field || !field.column || !isStringLike(field) || field.pattern) continue;
    const max = field.type.kind === 'scalar' ? field.type.length : undefined;
    if (max !== undefined && max < 20) continue;
    file.test(
      `list_${name}_search_${snake(fieldName)}`,
      `?q= finds rows by ${fieldName}, case-insensitively.`,
      (w) => {
        setup(w);
        const maker = isUser
          ? `${factoryName(entity.name)}(False, `
          : `${factoryName(entity.name)}(${own}, `;
        w.line(`match = await ${maker}{${str(field.column!)}: "Zebra crossing"})`);
        make(w);
        w.line(`response = await client.get(${ctx.url}, params={"q": "zEBRA"}${h})`);
        w.line('assert response.status_code == 200, response.text');
        w.line('body = response.json()');
        w.line('assert body["total"] == 1');
        w.line('assert body["items"][0]["id"] == str(match["id"])');
      },
    );
  }
  for (const fieldName of params.sort) {
    const field = entity.fields.find((f) => f.name === fieldName);
    if (!field || !field.column) continue;
    const s = scalarOf(field);
    const values =
      s === 'datetime'
        ? [1, 2, 3].map((d) => `datetime(2024, 1, ${d}, tzinfo=UTC)`)
        : s === 'date'
          ? [1, 2, 3].map((d) => `date(2024, 1, ${d})`)
          : undefined;
    if (!values && !isStringLike(field)) continue;
    file.test(
      `list_${name}_sort_${snake(fieldName)}`,
      `?sort=${fieldName} and ?sort=-${fieldName} order the rows.`,
      (w) => {
        setup(w);
        w.line('made = []');
        if (values) {
          for (const v of values) {
            const maker = isUser
              ? `${factoryName(entity.name)}(False, `
              : `${factoryName(entity.name)}(${own}, `;
            w.line(`made.append(await ${maker}{${str(field.column!)}: ${v}}))`);
          }
        } else {
          w.block('for _ in range(3):', () => {
            const maker = isUser
              ? `${factoryName(entity.name)}(False)`
              : `${factoryName(entity.name)}(${model.userEntity ? 'owner' : ''})`;
            w.line(`made.append(await ${maker})`);
          });
        }
        w.line('expected = [str(row["id"]) for row in made]');
        for (const [param, rev] of [
          [field.apiName, false],
          [`-${field.apiName}`, true],
        ] as const) {
          w.line(`response = await client.get(${ctx.url}, params={"sort": ${str(param)}}${h})`);
          w.line('assert response.status_code == 200, response.text');
          w.line(
            'ids = [item["id"] for item in response.json()["items"] if item["id"] in expected]',
          );
          w.line(`assert ids == ${rev ? 'expected[::-1]' : 'expected'}`);
        }
      },
    );
  }
}

function access(file: TestFile, ctx: EntityContext): void {
  const { model, entity } = ctx;
  if (!model.userEntity) return;
  const name = snake(entity.name);
  const anon = (op: string): boolean | undefined => {
    const world = model.world(entity.name, { actor: 'plain', owns: true });
    return model.allows(entity.name, op, { ...world, currentUser: null });
  };
  if (anon('read') === false) {
    file.test(`list_${name}_needs_sign_in`, 'Without a token the list is a 401.', (w) => {
      w.line(`response = await client.get(${ctx.url})`);
      w.line('assert response.status_code == 401, response.text');
      w.line(`bad = await client.get(${ctx.url}, headers={"Authorization": "Bearer not-a-token"})`);
      w.line('assert bad.status_code == 401, bad.text');
    });
  }
  if (anon('create') === false) {
    file.test(`create_${name}_needs_sign_in`, 'Without a token a create is a 401.', (w) => {
      w.line(`payload = await ${payloadName(entity.name)}()`);
      w.line(`response = await client.post(${ctx.url}, json=payload)`);
      w.line('assert response.status_code == 401, response.text');
    });
  }
  const h = headers(model);
  const isUser = model.isUser(entity.name);
  for (const scenario of SCENARIOS.filter((s) => !s.owns)) {
    const world = model.world(entity.name, scenario);
    const read = model.allows(entity.name, 'read', world);
    const label = `${scenario.actor}_user`;
    if (read === false) {
      file.test(
        `${name}_of_another_user_is_404_for_${label}`,
        "Another user's row is a 404 and missing from lists.",
        (w) => {
          emitSetup(w, model, entity, setupOf(scenario));
          for (const [verb, extra] of [
            ['get', ''],
            ['patch', ', json={}'],
            ['delete', ''],
          ] as const) {
            w.line(`response = await client.${verb}(${rowUrl(ctx)}${extra}${h})`);
            w.line('assert response.status_code == 404, response.text');
          }
          w.line(`listed = await client.get(${ctx.url}${h})`);
          w.line('assert listed.status_code == 200, listed.text');
          w.line('assert str(row["id"]) not in [item["id"] for item in listed.json()["items"]]');
        },
      );
    }
    if (read !== true) continue;
    const update = model.allows(entity.name, 'update', world);
    const patch = pickPatchField(ctx);
    if (update === false && patch) {
      file.test(
        `${name}_readable_but_not_writable_is_403_for_${label}`,
        'A row the user may read but not change: PATCH is a 403.',
        (w) => {
          emitSetup(w, model, entity, setupOf(scenario));
          w.line(
            `response = await client.patch(${rowUrl(ctx)}, json={${str(patch.field.apiName)}: ${patch.alt.json}}${h})`,
          );
          w.line('assert response.status_code == 403, response.text');
        },
      );
    }
    const del = model.allows(entity.name, 'delete', world);
    if (del === false && !isUser) {
      file.test(
        `${name}_readable_but_not_deletable_is_403_for_${label}`,
        'A row the user may read but not delete: DELETE is a 403.',
        (w) => {
          emitSetup(w, model, entity, setupOf(scenario));
          w.line(`response = await client.delete(${rowUrl(ctx)}${h})`);
          w.line('assert response.status_code == 403, response.text');
        },
      );
    }
  }
  const create = pickScenario(model, entity.name, 'create', [{ actor: 'plain', owns: true }]);
  const someoneCreates = pickScenario(model, entity.name, 'create', OWNS_FIRST);
  if (!create && someoneCreates && !isUser) {
    file.test(
      `create_${name}_denied_is_403`,
      'A signed-in user the rules do not allow to create gets a 403.',
      (w) => {
        emitSetup(w, model, entity, setupOf({ actor: 'plain', owns: true }), { row: false });
        w.line(`payload = await ${payloadName(entity.name)}(actor)`);
        w.line(`response = await client.post(${ctx.url}, json=payload${h})`);
        w.line('assert response.status_code == 403, response.text');
      },
    );
  }
}

function constraints(file: TestFile, ctx: EntityContext): void {
  const { model, entity } = ctx;
  const name = snake(entity.name);
  const h = headers(model);
  const patch = pickPatchField(ctx);
  const required = writableFields(ctx.program, entity).find((f) => !f.optional);
  if (patch && required) {
    file.test(
      `update_${name}_${snake(required.name)}_to_null_is_422`,
      `PATCH may omit ${required.name} but not set it to null.`,
      (w) => {
        emitSetup(w, model, entity, setupOf(patch.scenario));
        w.line(
          `response = await client.patch(${rowUrl(ctx)}, json={${str(required.apiName)}: None}${h})`,
        );
        w.line('assert response.status_code == 422, response.text');
        w.line(`assert ${str(required.apiName)} in response.text`);
      },
    );
  }
  const create = pickScenario(model, entity.name, 'create', OWNS_FIRST);
  if (!create) return;
  for (const f of manyToMany(model, entity)) {
    file.test(
      `create_${name}_${snake(f.name)}_unknown_id_is_422`,
      `${f.name}: an id that does not exist is a 422.`,
      (w) => {
        emitSetup(w, model, entity, setupOf(create), { row: false });
        w.line(`payload = await ${payloadName(entity.name)}(${model.userEntity ? 'actor' : ''})`);
        w.line(`payload[${str(f.apiName)}] = [str(uuid.uuid4())]`);
        w.line(`response = await client.post(${ctx.url}, json=payload${h})`);
        w.line('assert response.status_code == 422, response.text');
        w.line(`assert ${str(f.apiName)} in response.text`);
      },
    );
  }
  for (const field of writableFields(ctx.program, entity)) {
    const required = !field.optional && field.default === undefined;
    const cases = field.type.kind === 'relation' ? [] : invalidValues(ctx.program, field);
    if (required) cases.unshift({ reason: 'missing', json: '' });
    if (field.type.kind === 'relation')
      cases.push({ reason: 'unknown_id', json: 'str(uuid.uuid4())' });
    for (const c of cases) {
      file.test(
        `create_${name}_${snake(field.name)}_${c.reason}_is_422`,
        `${field.name}: ${c.reason.replace(/_/g, ' ')} is a 422 naming the field.`,
        (w) => {
          emitSetup(w, model, entity, setupOf(create), { row: false });
          w.line(`payload = await ${payloadName(entity.name)}(${model.userEntity ? 'actor' : ''})`);
          if (c.reason === 'missing') w.line(`del payload[${str(field.apiName)}]`);
          else w.line(`payload[${str(field.apiName)}] = ${c.json}`);
          w.line(`response = await client.post(${ctx.url}, json=payload${h})`);
          w.line('assert response.status_code == 422, response.text');
          w.line(`assert ${str(field.apiName)} in response.text`);
        },
      );
    }
  }
}

/** For each check rule: the first valid request that breaks it (searched, not hand-picked). */
function checks(file: TestFile, ctx: EntityContext): void {
  const { model, entity, program } = ctx;
  const name = snake(entity.name);
  const h = headers(model);
  const writable = writableFields(program, entity);
  entity.checks.forEach((check, index) => {
    const mentioned = rowFieldsOf(check.expr);
    const fields = writable.filter((f) => mentioned.includes(f.name));
    const found = findViolation(ctx, check, fields);
    if (!found) return;
    const { scenario, assignment } = found;
    const scalarOnly = assignment.every(([f]) => f.type.kind !== 'relation');
    file.test(
      `create_${name}_breaking_check_${index + 1}_is_422`,
      `check: ${check.message}`,
      (w) => {
        emitSetup(w, model, entity, setupOf(scenario), { row: false });
        w.line(`payload = await ${payloadName(entity.name)}(${model.userEntity ? 'actor' : ''})`);
        for (const [f, v] of assignment) {
          if (v.kind === 'other-parent') {
            const target = (f.type as { target: string }).target;
            w.line(`stranger = await ${factoryName(model.userEntity!.name)}()`);
            w.line(`${pyVar(f.apiName)} = await ${factoryName(target)}(stranger)`);
            w.line(`payload[${str(f.apiName)}] = str(${pyVar(f.apiName)}["id"])`);
          } else w.line(`payload[${str(f.apiName)}] = ${v.sample.json}`);
        }
        w.line(`response = await client.post(${ctx.url}, json=payload${h})`);
        w.line('assert response.status_code == 422, response.text');
        if (scalarOnly) w.line(`assert ${str(check.message)} in response.text`);
      },
    );
    if (!scalarOnly) return;
    const update = pickScenario(model, entity.name, 'update', [scenario]);
    if (!update) return;
    file.test(
      `update_${name}_breaking_check_${index + 1}_is_422`,
      `check on PATCH: ${check.message}`,
      (w) => {
        emitSetup(w, model, entity, setupOf(scenario));
        const entries = assignment.map(
          ([f, v]) => `${str(f.apiName)}: ${v.kind === 'value' ? v.sample.json : 'None'}`,
        );
        w.line(`payload = {${entries.join(', ')}}`);
        w.line(`response = await client.patch(${rowUrl(ctx)}, json=payload${h})`);
        w.line('assert response.status_code == 422, response.text');
        w.line(`assert ${str(check.message)} in response.text`);
      },
    );
  });
}

type Choice = { kind: 'value'; sample: Sample } | { kind: 'other-parent' };

function findViolation(
  ctx: EntityContext,
  check: Entity['checks'][number],
  fields: Field[],
): { scenario: Scenario; assignment: [Field, Choice][] } | undefined {
  const { model, entity, program } = ctx;
  const options = fields.map((f): [Field, Choice[]] => [
    f,
    f.type.kind === 'relation'
      ? model.userEntity && !model.isUser(f.type.target)
        ? [{ kind: 'other-parent' }]
        : []
      : candidates(program, f).map((s): Choice => ({ kind: 'value', sample: s })),
  ]);
  const combos: [Field, Choice][][] = [];
  for (const [f, cs] of options) for (const c of cs) combos.push([[f, c]]);
  for (let i = 0; i < options.length; i++) {
    for (let j = i + 1; j < options.length; j++) {
      for (const a of options[i]![1])
        for (const b of options[j]![1])
          combos.push([
            [options[i]![0], a],
            [options[j]![0], b],
          ]);
    }
  }
  const scenarios = model.userEntity ? OWNS_FIRST.filter((s) => s.owns) : [OWNS_FIRST[0]!];
  for (const scenario of scenarios) {
    for (const combo of combos) {
      const overrides = new Map<string, Tv>();
      for (const [f, c] of combo) if (c.kind === 'value') overrides.set(f.name, c.sample.ts);
      const world = model.world(entity.name, scenario, overrides);
      for (const [f, c] of combo) {
        if (c.kind === 'other-parent') {
          const target = (f.type as { target: string }).target;
          world.row.refs.set(
            f.name,
            model.row(target, model.user('plain', 'stranger'), 'stranger-parent'),
          );
        }
      }
      if (model.allows(entity.name, 'create', world) !== true) continue;
      if (model.test(check.expr, world) !== false) continue;
      if (entity.checks.some((c) => c !== check && model.test(c.expr, world) !== true)) continue;
      return { scenario, assignment: combo };
    }
  }
  return undefined;
}

function uniques(file: TestFile, ctx: EntityContext): void {
  const { model, entity, program } = ctx;
  const create = pickScenario(model, entity.name, 'create', OWNS_FIRST);
  if (!create) return;
  const name = snake(entity.name);
  const h = headers(model);
  const writable = writableFields(program, entity);
  const groups: Field[][] = [];
  for (const f of writable) if (f.unique && (isStringLike(f) || isToOneOwning(f))) groups.push([f]);
  for (const u of entity.uniques) {
    const fs = u.fields.map((n) => writable.find((f) => f.name === n));
    if (fs.every((f): f is Field => f !== undefined && (isStringLike(f) || isToOneOwning(f)))) {
      if (fs.every((f) => f.type.kind !== 'relation' || !f.optional)) groups.push(fs);
    }
  }
  const isUser = model.isUser(entity.name);
  for (const group of groups) {
    const label = group.map((f) => snake(f.name)).join('_');
    file.test(
      `create_${name}_duplicate_${label}_is_409`,
      `A second row with the same ${group.map((f) => f.name).join(' + ')} is a 409.`,
      (w) => {
        emitSetup(w, model, entity, setupOf(create), { row: false });
        w.line(`payload = await ${payloadName(entity.name)}(${model.userEntity ? 'actor' : ''})`);
        const cols = group.map((f) => {
          const v =
            f.type.kind === 'relation'
              ? `uuid.UUID(payload[${str(f.apiName)}])`
              : `payload[${str(f.apiName)}]`;
          return `${str(f.column!)}: ${v}`;
        });
        const owner = isUser ? 'False' : model.userEntity ? 'actor' : 'None';
        w.line(`await ${factoryName(entity.name)}(${owner}, {${cols.join(', ')}})`);
        w.line(`response = await client.post(${ctx.url}, json=payload${h})`);
        w.line('assert response.status_code == 409, response.text');
      },
    );
  }
}

/** A to-one relation with a column that blocks deleting its target (`on delete restrict`). */
export function restrictsDelete(f: Field): boolean {
  return (
    f.type.kind === 'relation' &&
    isToOneOwning(f) &&
    (f.type.onDelete ?? 'restrict') === 'restrict' &&
    f.column !== undefined &&
    f.column !== ''
  );
}

/** A delete blocked by `on delete restrict` is a 409. */
function restrictDeletes(file: TestFile, ctx: EntityContext): void {
  const { model, entity } = ctx;
  const name = snake(entity.name);
  const h = headers(model);
  const order = model.isUser(entity.name) ? OTHER_FIRST : OWNS_FIRST;
  const del = pickScenario(model, entity.name, 'delete', order);
  if (!del || (model.isUser(entity.name) && del.owns)) return;
  for (const [child, f] of model.referencing(entity.name)) {
    if (!restrictsDelete(f)) continue;
    file.test(
      `delete_${name}_still_referenced_by_${snake(child.name)}_is_409`,
      `${child.name}.${f.name} restricts the delete: 409.`,
      (w) => {
        emitSetup(w, model, entity, setupOf(del));
        const owner = model.isUser(child.name) ? 'False' : model.userEntity ? 'owner' : 'None';
        w.line(`await ${factoryName(child.name)}(${owner}, {${str(f.column!)}: row["id"]})`);
        w.line(`response = await client.delete(${rowUrl(ctx)}${h})`);
        w.line('assert response.status_code == 409, response.text');
      },
    );
  }
}

export { isPrivate };
