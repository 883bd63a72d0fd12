// Shared pieces of the test generator: which fields a request may carry,
// scenario set-up code, Python function headers laid out as ruff does.
import type { Entity, Field, Program } from '../../ir/schema.js';
import type { CodeWriter } from '../../emit/code-writer.js';
import { snake } from '../../names.js';
import { LINE_LIMIT, str } from './python.js';
import type { Tv } from './values.js';
import { Model, type Scenario } from './world.js';

export const PY_KEYWORDS = new Set(
  'False None True and as assert async await break class continue def del elif else except finally for from global if import in is lambda nonlocal not or pass raise return try while with yield'.split(
    ' ',
  ),
);

/** A Python identifier from a model name (snake_case, keyword-safe). */
export function pyName(name: string): string {
  const s = snake(name);
  return PY_KEYWORDS.has(s) ? `${s}_` : s;
}

export const factoryName = (entity: string): string => `create_${snake(entity)}`;
export const payloadName = (entity: string): string => `payload_${snake(entity)}`;

export function isToOneOwning(field: Field): boolean {
  return (
    field.type.kind === 'relation' &&
    field.type.owning &&
    (field.type.relation === 'many-to-one' || field.type.relation === 'one-to-one')
  );
}

/** Fields a create request may carry (the model's writable fields). */
export function writableFields(program: Program, entity: Entity): Field[] {
  return entity.fields.filter((f) => {
    if (f.primaryKey || f.readonly || f.flow || f.ownerField || f.origin === 'timestamps') {
      return false;
    }
    if (f.type.kind === 'scalar' && f.type.scalar === 'password') return false;
    if (f.type.kind === 'relation') return isToOneOwning(f);
    return true;
  });
}

export function isPrivate(field: Field): boolean {
  return field.private || (field.type.kind === 'scalar' && field.type.scalar === 'password');
}

/** Writable scalar (or enum) fields, the ones constraint and check tests vary. */
export function writableScalars(program: Program, entity: Entity): Field[] {
  return writableFields(program, entity).filter((f) => f.type.kind !== 'relation');
}

/** `async def name(params) -> ret:` as ruff lays it out (exploded with a trailing comma). */
export function defLine(
  w: CodeWriter,
  name: string,
  params: string[],
  returns: string,
  indent = 0,
  isAsync = true,
): void {
  const head = `${isAsync ? 'async ' : ''}def ${name}(`;
  const flat = `${head}${params.join(', ')}) -> ${returns}:`;
  if (indent + flat.length <= LINE_LIMIT) {
    w.line(flat);
    return;
  }
  w.line(head);
  w.indent(() => {
    for (const p of params) w.line(`${p},`);
  });
  w.line(`) -> ${returns}:`);
}

/** A Python dict literal of overrides, `{"status": "paid"}`, or '' when empty. */
export function overridesDict(entries: [string, string][]): string {
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${str(k)}: ${v}`).join(', ')}}`;
}

export interface Setup {
  scenario: Scenario;
  /** column -> Python value of the row under test */
  columns: [string, string][];
  /** field -> TS value for the evaluator */
  values: Map<string, Tv>;
}

/**
 * Emit `actor`, `owner` and `row` for a scenario. Public apps have no users:
 * only `row`. For the user entity, the row is the owner (the actor when it owns).
 */
export function emitSetup(
  w: CodeWriter,
  model: Model,
  entity: Entity,
  setup: Setup,
  options: { row?: boolean } = {},
): void {
  const user = model.userEntity;
  const extra = overridesDict(setup.columns);
  if (!user) {
    if (options.row !== false) {
      w.line(`row = await ${factoryName(entity.name)}(${extra ? `None, ${extra}` : ''})`);
    }
    return;
  }
  const makeUser = factoryName(user.name);
  const isUser = model.isUser(entity.name);
  const admin = setup.scenario.actor === 'admin' ? 'True' : 'False';
  if (isUser && setup.scenario.owns && options.row !== false) {
    w.line(`actor = await ${makeUser}(${admin}${extra ? `, ${extra}` : ''})`);
    w.line('owner = actor');
    w.line('row = actor');
    return;
  }
  w.line(`actor = await ${makeUser}(${admin})`);
  w.line(setup.scenario.owns ? 'owner = actor' : `owner = await ${makeUser}()`);
  if (options.row === false) return;
  if (isUser) {
    if (extra) w.line(`row = await ${makeUser}(False, ${extra})`);
    else w.line('row = owner');
  } else {
    w.line(`row = await ${factoryName(entity.name)}(owner${extra ? `, ${extra}` : ''})`);
  }
}

/** `, headers=auth(actor)` in apps with auth. */
export const headers = (model: Model, who = 'actor'): string =>
  model.userEntity ? `, headers=auth(${who})` : '';

export function pickScenario(
  model: Model,
  entity: string,
  op: string,
  order: Scenario[],
  overrides?: Map<string, Tv>,
): Scenario | undefined {
  if (!model.userEntity) return order[0];
  return order.find((s) => model.allows(entity, op, model.world(entity, s, overrides)) === true);
}

export const OWNS_FIRST: Scenario[] = [
  { actor: 'plain', owns: true },
  { actor: 'admin', owns: true },
  { actor: 'admin', owns: false },
];

/** For the user entity a row owned by "self" is the actor; prefer another user's row. */
export const OTHER_FIRST: Scenario[] = [
  { actor: 'admin', owns: false },
  { actor: 'plain', owns: true },
  { actor: 'admin', owns: true },
];
