// Incremental analysis: an edit re-analyses the declarations it touches and
// hands back, as the very same objects, the IR of everything else — so the
// builder's part hashing sees `a === b` instead of walking the whole IR, and
// an edit allocates a few IR objects instead of all of them.
//
// The unit of reuse is an entity with everything that hangs off it: its
// `entity` declaration, its `rules`, its flows, its row behaviors and its
// views ("" is the app's unit: dashboards and app-level behaviors).
//
//   1. The skeleton — every declared type name, the app block, enums,
//      events and each entity's relation fields and table — decides whether
//      reuse is possible at all: what the whole passes give one entity can
//      depend on any of it. A changed skeleton means a whole analysis.
//   2. A unit is reused when its declarations are the very same AST objects
//      as last time (the parse cache hands back an unchanged file's AST as
//      is) or, in a re-parsed file, the same text at the same place with the
//      same doc comment; and none of the entities it read last time belongs
//      to a unit that changed. A unit that only moved (lines added above
//      it) is analysed again for its spans, but its readers are not: what
//      they read of it is the same, and no unit keeps another's spans.
//      Reads are recorded while a unit's declarations are analysed
//      (`ctx.entities` / `ctx.actions` lookups; enumerating all entities
//      counts as reading every one); lowering's reads do not count (they
//      resolve type names: the skeleton's part).
//   3. A reused unit's finished entity and fields go in the context right
//      after `names`: lowering and modifiers skip it, the relations pass
//      pairs with fresh copies of its relation fields, and the units that
//      are analysed again read it exactly as a whole analysis would (flows,
//      rules and views of other entities have finished with it by then). Its
//      flows, behaviors and views, its warnings and the fields its
//      statements set are replayed. The app-wide view checks run over every
//      view.
// Only a run without errors is remembered; `BITCUP_VERIFY_INCREMENTAL=1`
// makes compile() check every incremental analysis against a whole one.
import type * as ast from '../../../grammar/ast.js';
import type { ReadCache } from '../1-load/index.js';
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import type { Behavior, Entity, Flow } from '../../ir/schema.js';
import { sameOrNext } from '../../ir/compare.js';
import { loweredRelationType } from './lowering.js';
import {
  declarations,
  type AnalyzeContext,
  type EntityInfo,
  type ActionName,
  type FieldInfo,
  type LeafHooks,
} from './context.js';

/** What a unit's last analysis gave and read. */
interface UnitRecord {
  /** its declarations (entity first), the AST objects themselves */
  decls: ast.Declaration[];
  /** each declaration's source text (a re-parsed file gives new objects for the same text) */
  texts: string[];
  /** entity names its declarations looked up; '*' when they enumerated all */
  reads: Set<string>;
  /** the finished IR entity (absent for the app's unit) */
  entity?: Entity;
  /** its fields as the context knew them (the finished IR in each) */
  fields?: Map<string, FieldInfo>;
  /** its `index (...)` options */
  declaredIndexes?: string[][];
  /** the flow, behavior or view each declaration produced */
  produced: Map<ast.Declaration, object>;
  /** warnings its declarations reported */
  diagnostics: Diagnostic[];
  /** `Entity.field` its statements set */
  setFields: string[];
}

/** One per incremental builder: what the last analysis can lend the next. */
export class AnalysisMemo {
  skeleton: string | undefined;
  units = new Map<string, UnitRecord>();
  /** last run's enums, events and join tables (`enum:<Name>`...), handed back when equal */
  lists = new Map<string, object>();
  /** units reused by the last analysis (tests and benches) */
  lastReused = 0;
  /** source files read before (1-load re-reads one only when its stat changed) */
  readonly readCache: ReadCache = new Map();

  forget(): void {
    this.skeleton = undefined;
    this.units = new Map();
    this.lists = new Map();
  }
}

const ALL = '*';

function newRecord(): UnitRecord {
  return {
    decls: [],
    texts: [],
    reads: new Set(),
    produced: new Map(),
    diagnostics: [],
    setFields: [],
  };
}

/** The unit a declaration belongs to; undefined for the skeleton's own (app, enums...). */
function unitKey(decl: ast.Declaration): string | undefined {
  switch (decl.kind) {
    case 'entity':
      return decl.name;
    case 'flow':
    case 'rules':
      return decl.entity.name;
    case 'behavior':
      return decl.entity?.name ?? '';
    case 'view':
      return decl.entity?.name ?? '';
    default:
      return undefined;
  }
}

/** A declaration's source text, by span (files looked up once). */
function sourceText(ctx: AnalyzeContext): (span: ast.Span) => string {
  const texts = new Map(ctx.modules.map((m) => [m.path, m.text]));
  return (span) => texts.get(span.file)?.slice(span.offset, span.offset + span.length) ?? '';
}

/**
 * How a unit's declarations compare with its record's: `same` — the same
 * objects, or (a re-parsed file) the same text at the same place with the
 * same doc comment: the same input, hence the same IR, spans included;
 * `moved` — the same text and doc comments somewhere else (lines added
 * above): the same IR but for its spans; `changed` otherwise.
 */
function compareDeclarations(
  record: UnitRecord,
  decls: readonly ast.Declaration[],
  textOf: (span: ast.Span) => string,
): 'same' | 'moved' | 'changed' {
  if (record.decls.length !== decls.length) return 'changed';
  let moved = false;
  for (let i = 0; i < decls.length; i++) {
    const [old, decl] = [record.decls[i]!, decls[i]!];
    if (old === decl) continue;
    if (
      old.kind !== decl.kind ||
      (old as { doc?: string }).doc !== (decl as { doc?: string }).doc ||
      textOf(decl.span) !== record.texts[i]
    )
      return 'changed';
    const [a, b] = [old.span, decl.span];
    if (
      a.file !== b.file ||
      a.offset !== b.offset ||
      a.line !== b.line ||
      a.column !== b.column ||
      a.length !== b.length
    )
      moved = true;
  }
  return moved ? 'moved' : 'same';
}

// Skeleton pieces per declaration object: an unchanged file's declarations
// are the same objects next time, so only an edited file's are rebuilt.
const skeletonPieces = new WeakMap<
  ast.Declaration,
  { head: string; relations: { type: string; text: string }[] }
>();

function piecesOf(
  decl: ast.Declaration,
  textOf: (span: ast.Span) => string,
): { head: string; relations: { type: string; text: string }[] } {
  let pieces = skeletonPieces.get(decl);
  if (pieces) return pieces;
  switch (decl.kind) {
    case 'app':
    case 'event':
      pieces = { head: `${decl.kind} ${textOf(decl.span)}`, relations: [] };
      break;
    case 'enum':
      pieces = {
        head: `enum ${decl.name} ${decl.values.map((v) => v.name).join(' ')}`,
        relations: [],
      };
      break;
    case 'entity': {
      const table = decl.options.find((o) => o.kind === 'table');
      // every field that names a type: which of them are relations depends
      // on the program's entity names, settled when the skeleton is joined
      const relations: { type: string; text: string }[] = [];
      for (const f of decl.fields) {
        if (f.type.name === '') continue;
        const by = f.modifiers.find((m) => m.kind === 'by');
        const unique = f.modifiers.some((m) => m.kind === 'unique');
        relations.push({
          type: f.type.name,
          text: `${f.name}:${textOf(f.type.span)}${by?.kind === 'by' ? ` by ${by.field.name}` : ''}${unique ? ' unique' : ''}`,
        });
      }
      pieces = {
        head: `entity ${decl.name}${table?.kind === 'table' ? ` table ${table.name}` : ''}`,
        relations,
      };
      break;
    }
    default:
      pieces = { head: '', relations: [] };
  }
  skeletonPieces.set(decl, pieces);
  return pieces;
}

/**
 * Everything the whole passes can carry from one entity to another, as text
 * without positions: declared type names, the app block, enums, events, and
 * each entity's table and relation fields (name, type, list, `by`, `unique`).
 */
function skeletonOf(ctx: AnalyzeContext, textOf: (span: ast.Span) => string): string {
  const entityNames = new Set<string>();
  const typeNames: string[] = [];
  for (const decl of declarations(ctx)) {
    if (decl.kind === 'entity') entityNames.add(decl.name);
    if (decl.kind === 'enum' || decl.kind === 'entity' || decl.kind === 'event')
      typeNames.push(decl.name);
  }
  const lines = [typeNames.join(' ')];
  for (const decl of declarations(ctx)) {
    if (
      decl.kind !== 'app' &&
      decl.kind !== 'event' &&
      decl.kind !== 'enum' &&
      decl.kind !== 'entity'
    )
      continue;
    const { head, relations } = piecesOf(decl, textOf);
    let line = head;
    for (const r of relations) if (entityNames.has(r.type)) line += ` ${r.text}`;
    lines.push(line);
  }
  return lines.join('\n');
}

/** `get`/`has` of a key count as reading it, enumerating as reading all. */
class ReadTrackingMap<V> extends Map<string, V> {
  reads: Set<string> | undefined;
  override get(key: string): V | undefined {
    this.reads?.add(key);
    return super.get(key);
  }
  override has(key: string): boolean {
    this.reads?.add(key);
    return super.has(key);
  }
  override keys(): MapIterator<string> {
    this.reads?.add(ALL);
    return super.keys();
  }
  override values(): MapIterator<V> {
    this.reads?.add(ALL);
    return super.values();
  }
  override entries(): MapIterator<[string, V]> {
    this.reads?.add(ALL);
    return super.entries();
  }
  override [Symbol.iterator](): MapIterator<[string, V]> {
    this.reads?.add(ALL);
    return super[Symbol.iterator]();
  }
  override forEach(fn: (value: V, key: string, map: Map<string, V>) => void): void {
    this.reads?.add(ALL);
    super.forEach(fn);
  }
}

class SetTrackingSet extends Set<string> {
  added: string[] | undefined;
  override add(value: string): this {
    this.added?.push(value);
    return super.add(value);
  }
}

/**
 * Run `body` (the relations pass) with the reused entities' relation fields
 * as the lowering pass leaves them, for it to pair anew with the re-analysed
 * entities: it writes into these copies, thrown away after (the finished
 * fields, which the skeleton guarantees agree, go back in place). The other
 * fields are the finished ones, which it only reads.
 */
function withRelationScratch(infos: readonly EntityInfo[], body: () => void): void {
  const finished: [Map<string, FieldInfo>, string, FieldInfo][] = [];
  for (const info of infos)
    info.fields.forEach((field, name) => {
      if (field.target !== undefined && field.ir.type.kind === 'relation')
        finished.push([info.fields, name, field]);
    });
  try {
    for (const [fields, name, field] of finished) {
      const target = field.ir.type.kind === 'relation' ? field.ir.type.target : '';
      const type = loweredRelationType(target, field.list);
      fields.set(name, { ...field, ir: { ...field.ir, type } });
    }
    body();
  } finally {
    for (const [fields, name, field] of finished) fields.set(name, field);
  }
}

/** An analysis pass as `index.ts` lists it. */
export interface StagedPass {
  name: string;
  stage: 'whole' | 'leaf' | 'final';
  run: (ctx: AnalyzeContext) => void;
}

/**
 * Run `passes` (in order; `names` first), re-analysing only the units that
 * changed since `memo`'s run or read one that did, and handing back the
 * others' IR as the same objects. The context's program lists end up in
 * program order, exactly as a whole analysis would leave them. Updates
 * `memo` for the next run.
 */
export function analyzeIncrementally(
  ctx: AnalyzeContext,
  memo: AnalysisMemo,
  passes: readonly StagedPass[],
  runPass: (pass: StagedPass) => void,
): void {
  if (passes[0]?.name !== 'names') throw new Error('the names pass must come first');
  // tables that tell which unit reads what (quiet until a unit's work begins)
  const entities = new ReadTrackingMap<EntityInfo>();
  const actions = new ReadTrackingMap<Map<string, ActionName>>();
  const setFields = new SetTrackingSet();
  ctx.entities = entities;
  ctx.actions = actions;
  ctx.setFields = setFields;
  runPass(passes[0]);
  // the units of this program, in program order
  const units = new Map<string, ast.Declaration[]>();
  for (const decl of declarations(ctx)) {
    const key = unitKey(decl);
    if (key === undefined) continue;
    const list = units.get(key);
    if (list) list.push(decl);
    else units.set(key, [decl]);
  }
  const textOf = sourceText(ctx);
  const skeleton = skeletonOf(ctx, textOf);
  const reused = new Map<string, UnitRecord>();
  if (memo.skeleton === skeleton && !ctx.report.hasErrors) {
    // units analysed again: changed or moved; their readers analysed again:
    // those of a changed unit (a moved one reads and gives the same, spans
    // aside, and no unit keeps another's spans)
    const again = new Set<string>();
    const changed = new Set<string>();
    for (const [key, decls] of units) {
      const record = memo.units.get(key);
      const how = record ? compareDeclarations(record, decls, textOf) : 'changed';
      if (how !== 'same') again.add(key);
      if (how === 'changed') changed.add(key);
    }
    for (const key of memo.units.keys()) if (!units.has(key)) changed.add(key);
    for (const [key, record] of memo.units) {
      if (again.has(key) || changed.has(key) || !units.has(key)) continue;
      if (changed.size > 0 && record.reads.has(ALL)) continue;
      let readsChanged = false;
      for (const name of record.reads) if (changed.has(name)) readsChanged = true;
      if (readsChanged) continue;
      if (record.entity && !ctx.entities.get(key)) continue;
      reused.set(key, record);
    }
  }
  memo.lastReused = reused.size;
  for (const [key, record] of reused) {
    // a reused unit from a re-parsed file: its records now name the new declaration objects
    const decls = units.get(key)!;
    if (!decls.every((d, i) => d === record.decls[i])) {
      const produced = new Map<ast.Declaration, object>();
      record.decls.forEach((old, i) => {
        const ir = record.produced.get(old);
        if (ir) produced.set(decls[i]!, ir);
      });
      record.produced = produced;
      record.decls = decls;
    }
    // its finished entity goes in the context before lowering (which skips it)
    const info = ctx.entities.get(key);
    if (info && record.entity && record.fields) {
      info.ir = record.entity;
      info.fields = record.fields;
      info.declaredIndexes = record.declaredIndexes ?? [];
    }
  }

  // record what each re-analysed unit reads, reports, sets and produces
  const fresh = new Map<string, UnitRecord>();
  let current: UnitRecord | undefined;
  let reportedBefore = 0;
  const settle = () => {
    if (current) current.diagnostics.push(...ctx.report.diagnostics.slice(reportedBefore));
    current = undefined;
    entities.reads = actions.reads = undefined;
    setFields.added = undefined;
  };
  const hooks: LeafHooks = {
    begin(decl, readsCount = true) {
      settle();
      const key = unitKey(decl);
      if (key !== undefined && reused.has(key)) return false;
      if (key === undefined) return true;
      let record = fresh.get(key);
      if (!record) fresh.set(key, (record = newRecord()));
      current = record;
      reportedBefore = ctx.report.diagnostics.length;
      if (readsCount) entities.reads = actions.reads = record.reads;
      setFields.added = record.setFields;
      return true;
    },
    end: settle,
    produced(decl, ir) {
      const key = unitKey(decl);
      const record = key === undefined ? undefined : (reused.get(key) ?? fresh.get(key));
      record?.produced.set(decl, ir);
    },
    reused(decl) {
      const key = unitKey(decl);
      return key === undefined ? undefined : reused.get(key)?.produced.get(decl);
    },
    read(entity) {
      entities.reads?.add(entity);
    },
  };
  ctx.leaf = hooks;
  try {
    for (const pass of passes) {
      if (pass.stage === 'final' || pass === passes[0]) continue;
      if (pass.name !== 'relations') {
        runPass(pass);
        continue;
      }
      // relations pair fields app-wide: reused entities take part with fresh copies
      const reusedInfos: EntityInfo[] = [];
      for (const key of reused.keys()) {
        const info = entities.get(key);
        if (info) reusedInfos.push(info);
      }
      withRelationScratch(reusedInfos, () => runPass(pass));
    }
  } finally {
    settle();
    delete ctx.leaf;
  }
  for (const record of reused.values()) {
    for (const field of record.setFields) ctx.setFields.add(field);
    ctx.report.addAll(record.diagnostics);
  }
  for (const pass of passes) if (pass.stage === 'final') runPass(pass);

  // the program's lists in program order, reused IR in place
  const program = ctx.program;
  const producedBy = (decl: ast.Declaration): object | undefined => {
    const key = unitKey(decl);
    return key === undefined ? undefined : (reused.get(key) ?? fresh.get(key))?.produced.get(decl);
  };
  const inOrder = <T>(decls: readonly ast.Declaration[]): T[] =>
    decls.map(producedBy).filter((ir) => ir !== undefined) as T[];
  program.flows = inOrder<Flow>(ctx.flowDecls);
  program.behaviors = inOrder<Behavior>(ctx.behaviorDecls);
  // the whole passes make enums, events and join tables afresh: one equal to
  // last run's (spans included) goes on as last run's object
  program.enums = program.enums.map((e) => sameOrNext(memo.lists.get(`enum:${e.name}`), e));
  program.events = program.events.map((e) => sameOrNext(memo.lists.get(`event:${e.name}`), e));
  program.joinTables = program.joinTables.map((j) =>
    sameOrNext(memo.lists.get(`joinTable:${j.name}`), j),
  );
  for (const e of program.enums) {
    const info = ctx.enums.get(e.name);
    if (info) info.ir = e;
  }

  // remember this run (only one without errors: its units are complete)
  memo.units = new Map();
  if (ctx.report.hasErrors) {
    memo.skeleton = undefined;
    return;
  }
  memo.skeleton = skeleton;
  memo.lists = new Map<string, object>([
    ...program.enums.map((e) => [`enum:${e.name}`, e] as const),
    ...program.events.map((e) => [`event:${e.name}`, e] as const),
    ...program.joinTables.map((j) => [`joinTable:${j.name}`, j] as const),
  ]);
  for (const [key, decls] of units) {
    const record = reused.get(key) ?? fresh.get(key) ?? newRecord();
    if (!reused.has(key)) record.texts = decls.map((d) => textOf(d.span));
    record.decls = decls;
    const info = ctx.entities.get(key);
    if (info && decls[0]?.kind === 'entity') {
      record.entity = info.ir;
      record.fields = info.fields;
      record.declaredIndexes = info.declaredIndexes;
    }
    memo.units.set(key, record);
  }
}
