// The FastAPI backend's test suite: `<out>/backend/tests/`, generated from
// the IR beside the app that compiler/backends/fastapi/ writes. Pass list:
//   1-conftest   fixtures, users + tokens, one factory and payload per entity
//   2-entities   CRUD, lists, access statuses, constraints, checks, uniques
//   3-flows      transitions, illegal states, guards, emits, atomicity
//   4-behaviors  happy path, require, allow, custom -> 501
//   5-auth       register, login, me, password; health and ready
import { makeDiagnostic } from '../../diagnostics/collector.js';
import type { Behavior, Entity, Flow, Program } from '../../ir/schema.js';
import { snake } from '../../names.js';
import { behaviorKey, isAffected } from '../../incremental/parts.js';
import type { PartialBackend } from '../../incremental/builder.js';
import { comparePaths, type BackendContext, type GeneratedFile } from '../types.js';
import { generateAuthTests, generateHealthTests } from './auth.js';
import { generateBehaviorTests } from './behaviors.js';
import { isToOneOwning } from './common.js';
import { countedRelations, rowFieldsOf } from './world.js';
import {
  factoryChunk,
  factoryChunkReads,
  generateConftest,
  type FactoryChunk,
} from './conftest.js';
import { generateEntityTests, restrictsDelete, type TestFile } from './entity.js';
import { generateFlowTests } from './flows.js';
import { generateEventTests, generateManageTests, manageTestsKey } from './operations.js';

/** Names test modules may import from tests/conftest.py. */
const CONFTEST_NAMES = [
  'API',
  'PASSWORD',
  'auth',
  'count_rows',
  'count_statements',
  'mentions',
  'outbox_rows',
];

/** Entity names a declaration's IR mentions, by part key (`entity:X`, `flow:F`…). */
type MentionsOf = (partKey: string, value: unknown) => ReadonlySet<string>;

/**
 * The entities and enums a test file reads (incremental builds: its
 * dependsOn, beside `app` and the file's own declaration or views). Every
 * test file reads the user entity; one about an entity reads that entity,
 * what the symbolic world and the factories build for its rows (required
 * to-one parents, closed over theirs), and:
 *   entity tests    the entities whose relation restricts its deletes (409
 *                   tests) and the targets of relations its checks name
 *                   (a parent owned by someone else);
 *   flow tests      whatever the flow's IR names, and the targets of the
 *                   relations its guards count (children are made for them);
 *   behavior tests  whatever the behavior's IR names.
 * Other relation targets are only named (factory names, which the entity's
 * own IR holds): an optional parent stays None, a list stays empty. The enums
 * read are those of the fields of these entities (samples, candidates and
 * invalid values of every row the world and the factories build), a flow's
 * state enum and a behavior's enum inputs. Which
 * entities restrict a delete is asked of the whole program each run: an
 * entity that starts to do so has changed and is then in the list.
 * A generator that starts reading another entity must add it here.
 */
class TestDependencies {
  private readonly names: Set<string>;
  private readonly byName = new Map<string, Entity>();
  private readonly restrictedBy = new Map<string, Set<string>>();
  private readonly user: string | undefined;
  readonly mentionsOf: MentionsOf;

  /** `mentionsOf`: an incremental build's cache in front of `mentioned` */
  constructor(program: Program, mentionsOf?: (mentioned: MentionsOf) => MentionsOf) {
    this.names = new Set(program.entities.map((e) => e.name));
    this.user = program.app.auth?.user;
    const fresh: MentionsOf = (_key, value) => this.mentioned(value);
    this.mentionsOf = mentionsOf ? mentionsOf(fresh) : fresh;
    for (const entity of program.entities) {
      if (!this.byName.has(entity.name)) this.byName.set(entity.name, entity);
      for (const f of entity.fields) {
        if (f.type.kind !== 'relation' || !restrictsDelete(f)) continue;
        const by = this.restrictedBy.get(f.type.target);
        if (by) by.add(entity.name);
        else this.restrictedBy.set(f.type.target, new Set([entity.name]));
      }
    }
  }

  /**
   * Entity names found anywhere in `value` (any string equal to one: never too
   * few), source positions left out (they are not part of the IR's meaning).
   */
  mentioned(value: unknown, into = new Set<string>()): Set<string> {
    if (typeof value === 'string') {
      if (this.names.has(value)) into.add(value);
    } else if (Array.isArray(value)) {
      for (const item of value) this.mentioned(item, into);
    } else if (value !== null && typeof value === 'object') {
      for (const [key, item] of Object.entries(value))
        if (key !== 'span') this.mentioned(item, into);
    }
    return into;
  }

  /** The targets of `entity`'s relations named `fields`. */
  private targets(entity: Entity, fields: Iterable<string>, into: Set<string>): void {
    for (const name of fields) {
      const field = entity.fields.find((f) => f.name === name);
      if (field?.type.kind === 'relation') into.add(field.type.target);
    }
  }

  entityFile(entity: Entity): string[] {
    const found = new Set([entity.name, ...(this.restrictedBy.get(entity.name) ?? [])]);
    for (const check of entity.checks) this.targets(entity, rowFieldsOf(check.expr), found);
    return this.closed(found);
  }

  flowFile(flow: Flow, key: string): string[] {
    const found = new Set([flow.entity, ...this.mentionsOf(key, flow)]);
    const entity = this.byName.get(flow.entity);
    for (const t of flow.transitions)
      if (entity && t.guard) this.targets(entity, countedRelations(t.guard), found);
    return this.closed(found, [flow.enum]);
  }

  behaviorFile(behavior: Behavior, key: string): string[] {
    const found = new Set(this.mentionsOf(key, behavior));
    if (behavior.entity !== undefined) found.add(behavior.entity);
    const enums: string[] = [];
    for (const input of behavior.input) if (input.type.kind === 'enum') enums.push(input.type.enum);
    return this.closed(found, enums);
  }

  /**
   * `found` and the user entity, closed over required to-one parents, and the
   * enums of their fields and `enums`, as parts.
   */
  private closed(found: Set<string>, enums: readonly string[] = []): string[] {
    if (this.user !== undefined) found.add(this.user);
    const queue = [...found];
    while (queue.length > 0) {
      const decl = this.byName.get(queue.pop()!);
      for (const f of decl?.fields ?? []) {
        if (f.type.kind !== 'relation' || f.optional || !isToOneOwning(f)) continue;
        if (found.has(f.type.target)) continue;
        found.add(f.type.target);
        queue.push(f.type.target);
      }
    }
    const usedEnums = new Set(enums);
    for (const name of found) {
      const decl = this.byName.get(name);
      if (decl) for (const e of factoryChunkReads(decl).enums) usedEnums.add(e);
    }
    return [
      ...[...found].sort().map((name) => partKey('entity:', name)),
      ...[...usedEnums].sort().map((name) => partKey('enum:', name)),
    ];
  }
}

/**
 * What an incremental build keeps between runs (generateChanged), each entry
 * with what it was made from, reused only while that is unchanged:
 * the entity names each declaration mentions (its part hash; the set of
 * entity names), each entity's conftest factories (its hash, the user
 * entity's name, the hashes of the enums it uses) and test_manage.py
 * (manageTestsKey).
 *
 * A whole run (generate(), which gets no part hashes) records its entries
 * with the hashes left blank and `seed` set to the files it returned. When
 * the next run is handed those very files as its previous ones, the change
 * it is given is the change since that whole run: the entries whose parts it
 * leaves alone get their hashes, the others are dropped (`promoteSeed`).
 */
interface Cache {
  names: string;
  mentions: Map<string, { hash: string; found: ReadonlySet<string> }>;
  factories: Map<
    string,
    {
      hash: string;
      user: string | undefined;
      enumKeys: string[];
      enums: string[];
      chunk: FactoryChunk;
    }
  >;
  /** the content of test_manage.py (undefined: no such file) */
  manage?: { key: string; content: string | undefined };
  /** set by a whole run: the files it returned */
  seed?: readonly GeneratedFile[];
}

const emptyCache = (): Cache => ({ names: '', mentions: new Map(), factories: new Map() });
/** the last incremental run's entries */
let cache: Cache = emptyCache();
/** the last whole run's entries (kept apart: a whole run elsewhere must not drop `cache`) */
let seeded: Cache = emptyCache();

/** Give a whole run's entries the hashes of the parts that did not change since (see Cache). */
function promoteSeed(
  program: Program,
  changed: ReadonlySet<string>,
  parts: Record<string, string>,
): void {
  cache = seeded;
  seeded = emptyCache();
  cache.seed = undefined;
  for (const [key, entry] of cache.mentions) {
    const hash = parts[key];
    if (changed.has(key) || hash === undefined) cache.mentions.delete(key);
    else entry.hash = hash;
  }
  for (const [name, entry] of cache.factories) {
    const key = `entity:${name}`;
    const hash = parts[key];
    if (changed.has(key) || hash === undefined || entry.enumKeys.some((k) => changed.has(k)))
      cache.factories.delete(name);
    else {
      entry.hash = hash;
      entry.enums = entry.enumKeys.map((k) => parts[k] ?? '');
    }
  }
  const user = program.app.auth?.user;
  const manage = cache.manage;
  if (manage === undefined) return;
  const kept =
    !['app', 'enums', `entity:${user}`].some((k) => changed.has(k)) &&
    manage.key === manageTestsKey(program, {});
  if (kept) manage.key = manageTestsKey(program, parts);
  else cache.manage = undefined;
}

/**
 * The caches of this run, carrying over the entries of the last one that
 * still hold. Without `parts` (a whole run), entries are recorded with blank
 * hashes, for `promoteSeed`.
 */
function cachesFor(program: Program, parts: Record<string, string> | undefined) {
  const last = parts ? cache : emptyCache();
  const names = program.entities.map((e) => e.name).join('\n');
  const next: Cache = { names, mentions: new Map(), factories: new Map() };
  if (last.manage) next.manage = last.manage;
  if (parts) cache = next;
  else seeded = next;
  const hashOf = (key: string): string | undefined => (parts ? parts[key] : '');
  // which names count as mentions depends on the set of entity names
  const lastMentions = last.names === names && parts ? last.mentions : undefined;
  const mentionsOf =
    (mentioned: MentionsOf): MentionsOf =>
    (key, value) => {
      const hash = hashOf(key);
      if (hash === undefined) return mentioned(key, value);
      const before = lastMentions?.get(key);
      const entry =
        before !== undefined && before.hash === hash
          ? before
          : { hash, found: mentioned(key, value) };
      next.mentions.set(key, entry);
      return entry.found;
    };
  const user = program.app.auth?.user;
  const factories = (entity: Entity): FactoryChunk => {
    const before = parts ? last.factories.get(entity.name) : undefined;
    // an unchanged entity uses the same enums: check the kept keys' hashes
    if (
      before !== undefined &&
      before.hash === hashOf(partKey('entity:', entity.name)) &&
      before.user === user &&
      before.enumKeys.every((key, i) => hashOf(key) === before.enums[i])
    ) {
      next.factories.set(entity.name, before);
      return before.chunk;
    }
    const hash = hashOf(partKey('entity:', entity.name)) ?? '';
    const enumKeys = factoryChunkReads(entity).enums.map((name) => partKey('enum:', name));
    const enums = enumKeys.map((key) => hashOf(key) ?? '');
    const entry = { hash, user, enumKeys, enums, chunk: factoryChunk(program, entity) };
    next.factories.set(entity.name, entry);
    return entry.chunk;
  };
  const manage = (render: () => string | undefined): string | undefined => {
    const key = manageTestsKey(program, parts ?? {});
    if (next.manage?.key !== key) next.manage = { key, content: render() };
    return next.manage.content;
  };
  return { mentionsOf, factories, manage };
}

// Part keys, one string per name across runs (a kept key string is hashed once).
const partKeys = new Map<string, Map<string, string>>();

function partKey(prefix: string, name: string): string {
  let byName = partKeys.get(prefix);
  if (byName === undefined) partKeys.set(prefix, (byName = new Map()));
  let key = byName.get(name);
  if (key === undefined) byName.set(name, (key = `${prefix}${name}`));
  return key;
}

// File names, one string per name across runs: an incremental run looks up
// hundreds of them, and a kept string is not built and hashed again.
const testPaths = new Map<string, Map<string, string>>();
const fullPaths = new Map<string, string>();

/** `test_entity_order_line.py` for ('test_entity_', 'OrderLine'). */
function testPath(prefix: string, name: string): string {
  let byName = testPaths.get(prefix);
  if (byName === undefined) testPaths.set(prefix, (byName = new Map()));
  let path = byName.get(name);
  if (path === undefined) byName.set(name, (path = `${prefix}${snake(name)}.py`));
  return path;
}

/** The path in the output of a file of backend/tests/. */
function full(path: string): string {
  let found = fullPaths.get(path);
  if (found === undefined) fullPaths.set(path, (found = `backend/tests/${path}`));
  return found;
}

/** What an incremental build passes in (generateChanged). */
export interface TestsIncremental {
  changed: ReadonlySet<string>;
  parts: Record<string, string>;
  /** the last run's files */
  previous: readonly GeneratedFile[];
}

/**
 * `incremental`: make only the files a change affects — by what they read now
 * or read last time (a file that stops reading a changed entity comes back
 * too) — and reuse what the last run made from unchanged parts.
 */
export function generateTests(program: Program, incremental?: TestsIncremental): GeneratedFile[] {
  if (incremental && incremental.previous === seeded.seed)
    promoteSeed(program, incremental.changed, incremental.parts);
  const caches = cachesFor(program, incremental?.parts);
  const before = new Map(incremental?.previous.map((f) => [f.path, f.dependsOn]));
  const affected = (dependsOn: readonly string[] | undefined): boolean =>
    dependsOn !== undefined && isAffected(dependsOn, incremental!.changed, incremental!.parts);
  const wanted = (dependsOn: string[], path: string): boolean =>
    incremental === undefined || affected(dependsOn) || affected(before.get(full(path)));
  // A per-declaration file whose dependsOn of last time is unaffected reads
  // the same parts now (they decide what it reads), unless a changed entity
  // now restricts deleting its entity or is named by its flow or behavior
  // (an entity added under a name its IR holds): skip it without working out
  // its dependsOn.
  const changedEntities: string[] = [];
  const restrictedNow = new Set<string>();
  for (const key of incremental?.changed ?? []) {
    if (!key.startsWith('entity:')) continue;
    changedEntities.push(key.slice('entity:'.length));
    const changedEntity = program.entities.find((e) => `entity:${e.name}` === key);
    for (const f of changedEntity?.fields ?? [])
      if (f.type.kind === 'relation' && restrictsDelete(f)) restrictedNow.add(f.type.target);
  }
  const unchanged = (
    path: string,
    entity?: string,
    mentions?: () => ReadonlySet<string>,
  ): boolean => {
    if (!incremental) return false;
    const last = before.get(full(path));
    if (last === undefined || affected(last)) return false;
    if (entity !== undefined && restrictedNow.has(entity)) return false;
    if (mentions === undefined || changedEntities.length === 0) return true;
    const named = mentions();
    return !changedEntities.some((name) => named.has(name));
  };
  const deps = new TestDependencies(program, caches.mentionsOf);
  let names: string[] | undefined;
  const files: GeneratedFile[] = [];
  /** the Python text of a test file (undefined when it has no test) */
  const render = (doc: string, file: TestFile | undefined): string | undefined => {
    if (!file || file.count === 0) return undefined;
    names ??= [
      ...CONFTEST_NAMES,
      ...program.entities.flatMap((e) => [`create_${snake(e.name)}`, `payload_${snake(e.name)}`]),
    ];
    return file.render(doc, names);
  };
  const add = (path: string, content: string | undefined, dependsOn: string[]): void => {
    if (content === undefined) return;
    files.push({ path: full(path), content, ownership: 'generated', dependsOn });
  };
  /** a file of its own, made only when wanted */
  const single = (
    path: string,
    doc: string,
    dependsOn: string[],
    make: () => TestFile | undefined,
  ): void => {
    if (wanted(dependsOn, path)) add(path, render(doc, make()), dependsOn);
  };
  files.push({
    path: 'backend/tests/__init__.py',
    content: '',
    ownership: 'generated',
    dependsOn: [],
  });
  const conftestDependsOn = ['app', 'entities', 'enums'];
  if (wanted(conftestDependsOn, 'conftest.py')) {
    files.push({
      path: 'backend/tests/conftest.py',
      content: generateConftest(program, caches.factories),
      ownership: 'generated',
      dependsOn: conftestDependsOn,
    });
  }
  single('test_health.py', 'Health and readiness probes.', ['app'], generateHealthTests);
  // only the user entity's factories and fields
  const user = program.app.auth?.user;
  single(
    'test_auth.py',
    'Sign-up, sign-in and password endpoints.',
    user === undefined ? ['app'] : ['app', `entity:${user}`],
    () => generateAuthTests(program),
  );
  const manageDependsOn = ['app', 'entities', 'enums'];
  if (wanted(manageDependsOn, 'test_manage.py')) {
    const made = () =>
      render('Operator commands: create-user and seed.', generateManageTests(program));
    add('test_manage.py', caches.manage(made), manageDependsOn);
  }
  single(
    'test_events.py',
    'The outbox relay and the event consumer.',
    ['app', 'entities', 'enums', 'events', 'flows'],
    () => generateEventTests(program),
  );
  for (const entity of program.entities) {
    const path = testPath('test_entity_', entity.name);
    if (unchanged(path, entity.name)) continue;
    // factories and rules of related entities, its list views' filter/search/sort
    const dependsOn = ['app', partKey('views:', entity.name), ...deps.entityFile(entity)];
    if (!wanted(dependsOn, path)) continue;
    add(
      path,
      render(
        `The ${entity.name} API: CRUD, lists, rules and constraints.`,
        generateEntityTests(program, entity),
      ),
      dependsOn,
    );
  }
  for (const flow of program.flows) {
    const key = `flow:${flow.name}`;
    const path = testPath('test_flow_', flow.name);
    if (unchanged(path, undefined, () => deps.mentionsOf(key, flow))) continue;
    const dependsOn = ['app', key, ...deps.flowFile(flow, key)];
    if (!wanted(dependsOn, path)) continue;
    add(
      path,
      render(
        `The ${flow.name} flow on ${flow.entity}.${flow.field}.`,
        generateFlowTests(program, flow),
      ),
      dependsOn,
    );
  }
  for (const behavior of program.behaviors) {
    const key = `behavior:${behaviorKey(behavior)}`;
    const path = testPath('test_behavior_', behavior.name);
    if (unchanged(path, undefined, () => deps.mentionsOf(key, behavior))) continue;
    const dependsOn = ['app', key, ...deps.behaviorFile(behavior, key)];
    if (!wanted(dependsOn, path)) continue;
    add(
      path,
      render(`The ${behavior.name} behavior.`, generateBehaviorTests(program, behavior)),
      dependsOn,
    );
  }
  files.sort(comparePaths);
  if (!incremental) seeded.seed = files;
  return files;
}

function generateReported(
  program: Program,
  context: BackendContext,
  incremental?: TestsIncremental,
): GeneratedFile[] {
  try {
    return generateTests(program, incremental);
  } catch (error) {
    context.report(
      makeDiagnostic('BC9001', undefined, {
        phase: 'the FastAPI test generator',
        reason: (error as Error).message,
      }),
    );
    return [];
  }
}

export const fastapiTestsBackend: PartialBackend = {
  name: 'fastapi-tests',
  generate: (program, context) => generateReported(program, context),
  // only the files a change affects; conftest.py and test_manage.py (every
  // entity's) from what the last run made of the unchanged entities
  generateChanged: (program, context, changed, parts, previous) =>
    generateReported(program, context, { changed, parts, previous }),
};
