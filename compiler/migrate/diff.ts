// diff(previous, current): the typed changes that take the database of one
// IR to the database of the next, in the order they must run, each one
// classified safe or destructive (LANGUAGE.md, Migrations: narrowing).
//
// Both programs are lowered to the database model first; tables and columns
// are then matched by their model identity (entity and field names, after the
// current program's `was` renames), never by SQL name, so a rename keeps its
// data instead of becoming a drop and an add.
import type { Program, Span } from '../ir/schema.js';
import {
  creationPlan,
  lowerProgram,
  sameDefault,
  sameType,
  type CheckConstraint,
  type Column,
  type Constraint,
  type DbSchema,
  type ForeignKey,
  type Index,
  type SqlType,
  type Table,
} from '../backends/sql/model.js';

export type Change =
  | { kind: 'createExtension'; name: string }
  | { kind: 'dropExtension'; name: string }
  | { kind: 'createTable'; table: Table; deferredForeignKeys: string[] }
  | { kind: 'dropTable'; table: Table; deferredForeignKeys: string[] }
  | { kind: 'renameTable'; from: string; to: string; table: Table }
  | { kind: 'addColumn'; table: string; column: Column }
  | { kind: 'dropColumn'; table: string; column: Column }
  | { kind: 'renameColumn'; table: string; from: string; to: string }
  | { kind: 'alterColumn'; table: string; from: Column; to: Column }
  | { kind: 'addConstraint'; table: string; constraint: Constraint; sqliteOnly?: boolean }
  | { kind: 'dropConstraint'; table: string; constraint: Constraint; sqliteOnly?: boolean }
  | { kind: 'renamePrimaryKey'; table: string; from: string; to: string }
  | {
      kind: 'replacePrimaryKey';
      table: string;
      /** the old key, its columns under their new names (it runs after column renames) */
      from: { name: string; columns: string[] };
      to: { name: string; columns: string[] };
    }
  | { kind: 'renameConstraint'; table: string; from: Constraint; to: Constraint }
  | { kind: 'createIndex'; table: string; index: Index; sqliteOnly?: boolean }
  | { kind: 'dropIndex'; table: string; index: Index; sqliteOnly?: boolean }
  | { kind: 'renameIndex'; table: string; from: Index; to: Index };

export interface PlannedChange {
  change: Change;
  /** why this change can lose data; absent when it is safe */
  destructive?: string;
  /** the model declaration it comes from, for diagnostics */
  span?: Span;
}

/** The change that undoes `change` (downgrade), or undefined when nothing needs undoing. */
export function inverse(change: Change): Change | undefined {
  switch (change.kind) {
    case 'createExtension':
      return { kind: 'dropExtension', name: change.name };
    case 'dropExtension':
      return { kind: 'createExtension', name: change.name };
    case 'createTable':
      return { ...change, kind: 'dropTable' };
    case 'dropTable':
      return { ...change, kind: 'createTable' };
    case 'renameTable':
      return { kind: 'renameTable', from: change.to, to: change.from, table: change.table };
    case 'addColumn':
      return { ...change, kind: 'dropColumn' };
    case 'dropColumn':
      return { ...change, kind: 'addColumn' };
    case 'renameColumn':
      return { ...change, from: change.to, to: change.from };
    case 'alterColumn':
      return { ...change, from: change.to, to: change.from };
    case 'addConstraint':
      return { ...change, kind: 'dropConstraint' };
    case 'dropConstraint':
      return { ...change, kind: 'addConstraint' };
    case 'renamePrimaryKey':
      return { ...change, from: change.to, to: change.from };
    case 'replacePrimaryKey':
      return { ...change, from: change.to, to: change.from };
    case 'renameConstraint':
      return { ...change, from: change.to, to: change.from };
    case 'createIndex':
      return { ...change, kind: 'dropIndex' };
    case 'dropIndex':
      return { ...change, kind: 'createIndex' };
    case 'renameIndex':
      return { ...change, from: change.to, to: change.from };
  }
}

/** The downgrade of a list of upgrade changes: the inverses, last first. */
export function downgradeOf(changes: Change[]): Change[] {
  const undo: Change[] = [];
  for (const change of [...changes].reverse()) {
    const back = inverse(change);
    if (back) undo.push(back);
  }
  return undo;
}

// ---- 1. renames ---------------------------------------------------------------

interface Renames {
  entities: Map<string, string>; // old -> new
  fields: Map<string, Map<string, string>>; // new entity -> old field -> new field
}

function findRenames(previous: Program, current: Program): Renames {
  const renames: Renames = { entities: new Map(), fields: new Map() };
  const had = (name: string) => previous.entities.find((e) => e.name === name);
  for (const entity of current.entities) {
    let before = had(entity.name);
    if (!before && entity.was && had(entity.was)) {
      renames.entities.set(entity.was, entity.name);
      before = had(entity.was);
    }
    if (!before) continue;
    const fields = new Map<string, string>();
    for (const field of entity.fields) {
      const exists = (n: string) => before.fields.some((f) => f.name === n);
      if (field.was && !exists(field.name) && exists(field.was)) fields.set(field.was, field.name);
    }
    renames.fields.set(entity.name, fields);
  }
  return renames;
}

/** Rewrite the keys of the previous schema into the current program's names. */
function translate(schema: DbSchema, renames: Renames): DbSchema {
  const entity = (name: string) => renames.entities.get(name) ?? name;
  const field = (ent: string, name: string) => renames.fields.get(ent)?.get(name) ?? name;
  const tableKey = (key: string) =>
    key.startsWith('entity:') ? `entity:${entity(key.slice('entity:'.length))}` : key;
  const tables = schema.tables.map((t): Table => {
    const isEntity = t.key.startsWith('entity:');
    const ent = isEntity ? entity(t.key.slice('entity:'.length)) : '';
    const columns = t.columns.map((c) => {
      if (isEntity) return { ...c, key: field(ent, c.key) };
      const match = /^([^.]+)\.([^#]+)(#\d+)?$/.exec(c.key);
      if (!match) return c;
      const e = entity(match[1]!);
      return { ...c, key: `${e}.${field(e, match[2]!)}${match[3] ?? ''}` };
    });
    const key = isEntity
      ? `entity:${ent}`
      : t.key.startsWith('join:')
        ? `join:${columns
            .map((c) => c.key)
            .sort()
            .join('|')}`
        : t.key;
    const constraints = t.constraints.map((c) =>
      c.kind === 'foreignKey' ? { ...c, refTableKey: tableKey(c.refTableKey) } : c,
    );
    return { ...t, key, columns, constraints };
  });
  return { ...schema, tables };
}

// ---- 2. safety ------------------------------------------------------------------

const INTEGER_DIGITS: Partial<Record<SqlType['kind'], number>> = { integer: 10, bigint: 19 };

/** True when every value of `from` converts to `to` without loss. */
export function isWidening(from: SqlType, to: SqlType): boolean {
  if (sameType(from, to)) return true;
  switch (from.kind) {
    case 'varchar':
      return (to.kind === 'varchar' && to.length >= from.length) || to.kind === 'text';
    case 'integer':
      return (
        to.kind === 'bigint' ||
        to.kind === 'double' ||
        (to.kind === 'numeric' && to.precision - to.scale >= INTEGER_DIGITS.integer!)
      );
    case 'bigint':
      return to.kind === 'numeric' && to.precision - to.scale >= INTEGER_DIGITS.bigint!;
    case 'numeric':
      return (
        to.kind === 'numeric' &&
        to.scale >= from.scale &&
        to.precision - to.scale >= from.precision - from.scale
      );
    case 'date':
      return to.kind === 'timestamptz';
    default:
      return false;
  }
}

const typeName = (t: SqlType) =>
  t.kind === 'varchar'
    ? `varchar(${t.length})`
    : t.kind === 'numeric'
      ? `numeric(${t.precision}, ${t.scale})`
      : t.kind;

// ---- 3. the diff ------------------------------------------------------------------

function constraintSignature(
  c: Constraint,
  table: Table,
  refKeyOf?: (fk: ForeignKey) => string,
): string {
  const key = (name: string) => table.columns.find((col) => col.name === name)?.key ?? `?${name}`;
  switch (c.kind) {
    case 'foreignKey':
      return `fk:${c.columns.map(key).join(',')}->${refKeyOf ? refKeyOf(c) : c.refTableKey}:${c.onDelete}`;
    case 'unique':
      return `uq:${c.columns.map(key).join(',')}`;
    case 'check':
      return `ck:${key(c.column)}:${c.check}:${c.value}:${c.postgresqlOnly}`;
  }
}

function indexSignature(i: Index, table: Table): string {
  const key = (name: string) => table.columns.find((col) => col.name === name)?.key ?? `?${name}`;
  return `ix:${i.columns.map(key).join(',')}:${i.unique}:${i.method}`;
}

interface Locator {
  table(t: Table, previous: boolean): Span | undefined;
  column(t: Table, c: Column, previous: boolean): Span | undefined;
}

function locator(previous: Program | undefined, current: Program): Locator {
  // the current program by key (`entity:<Name>` is already in current names),
  // the previous one by the table's own entity (its old name)
  const nameOf = (t: Table) =>
    /^entity:(.+)$/.exec(t.key)?.[1] ?? /^join:([^.|]+)/.exec(t.key)?.[1];
  const inCurrent = (t: Table) => current.entities.find((e) => e.name === nameOf(t));
  const inPrevious = (t: Table) =>
    previous?.entities.find((e) => e.name === (t.entity ?? nameOf(t)));
  return {
    table: (t, prev) => (prev ? inPrevious(t) : inCurrent(t))?.span,
    column: (t, c, prev) => {
      const fieldName = c.key.includes('.') ? c.key.split('.')[1]!.split('#')[0]! : c.key;
      const now = inCurrent(t);
      const field = now?.fields.find((f) => f.name === fieldName);
      if (field) return field.span;
      // a field removed from an entity that still exists: point at that entity
      if (now) return now.span;
      const before = prev ? inPrevious(t) : undefined;
      return before?.fields.find((f) => f.name === fieldName)?.span ?? before?.span;
    },
  };
}

const EMPTY: DbSchema = { extensions: [], tables: [] };

/**
 * The changes from `previous` (undefined: an empty database) to `current`,
 * in upgrade order: drops first on the old names, then renames, then
 * creations and additions on the new names. downgradeOf() reverses them.
 */
export function diff(previous: Program | undefined, current: Program): PlannedChange[] {
  const before = previous
    ? translate(lowerProgram(previous), findRenames(previous, current))
    : EMPTY;
  const after = lowerProgram(current);
  const where = locator(previous, current);

  const dropConstraints: PlannedChange[] = [];
  const dropColumns: PlannedChange[] = [];
  const dropTables: PlannedChange[] = [];
  const renameTables: PlannedChange[] = [];
  const renameColumns: PlannedChange[] = [];
  const renameConstraints: PlannedChange[] = [];
  const createTables: PlannedChange[] = [];
  const addColumns: PlannedChange[] = [];
  const alterColumns: PlannedChange[] = [];
  const addConstraints: PlannedChange[] = [];

  const extensions = after.extensions
    .filter((e) => !before.extensions.includes(e))
    .map((name): PlannedChange => ({ change: { kind: 'createExtension', name } }));
  // an extension no index needs any more goes last, after the indexes that used it
  const dropExtensions = before.extensions
    .filter((e) => !after.extensions.includes(e))
    .map((name): PlannedChange => ({ change: { kind: 'dropExtension', name } }));

  const oldByKey = new Map(before.tables.map((t) => [t.key, t]));
  const newKeys = new Set(after.tables.map((t) => t.key));

  for (const t2 of after.tables) {
    const t1 = oldByKey.get(t2.key);
    if (!t1) continue;
    if (t1.name !== t2.name)
      renameTables.push({
        change: { kind: 'renameTable', from: t1.name, to: t2.name, table: t2 },
        span: where.table(t2, false),
      });
    // a key over other columns, or the same columns in another order (a join
    // table whose sides sort differently after an entity rename)
    const keyOf1 = (name: string) => t1.columns.find((c) => c.name === name)?.key;
    const nameIn2 = (name: string) => t2.columns.find((c) => c.key === keyOf1(name))?.name ?? name;
    const oldPk = t1.primaryKey.columns.map(nameIn2);
    if (oldPk.join(',') !== t2.primaryKey.columns.join(','))
      renameConstraints.push({
        change: {
          kind: 'replacePrimaryKey',
          table: t2.name,
          from: { name: t1.primaryKey.name, columns: oldPk },
          to: { ...t2.primaryKey },
        },
      });
    else if (t1.primaryKey.name !== t2.primaryKey.name)
      renameConstraints.push({
        change: {
          kind: 'renamePrimaryKey',
          table: t2.name,
          from: t1.primaryKey.name,
          to: t2.primaryKey.name,
        },
      });

    // columns
    const oldCols = new Map(t1.columns.map((c) => [c.key, c]));
    const newColKeys = new Set(t2.columns.map((c) => c.key));
    for (const c2 of t2.columns) {
      const c1 = oldCols.get(c2.key);
      if (!c1) {
        let destructive: string | undefined;
        if (!c2.nullable && !c2.default)
          destructive = c2.serverSideDefault
            ? `adds the required column ${t2.name}.${c2.name}, whose default is not a literal the database can fill existing rows with`
            : `adds the required column ${t2.name}.${c2.name} without a default`;
        addColumns.push({
          change: { kind: 'addColumn', table: t2.name, column: c2 },
          ...(destructive ? { destructive } : {}),
          span: where.column(t2, c2, false),
        });
        continue;
      }
      if (c1.name !== c2.name)
        renameColumns.push({
          change: { kind: 'renameColumn', table: t2.name, from: c1.name, to: c2.name },
          span: where.column(t2, c2, false),
        });
      const renamed = { ...c1, name: c2.name };
      if (
        !sameType(c1.type, c2.type) ||
        c1.nullable !== c2.nullable ||
        !sameDefault(c1.default, c2.default)
      ) {
        const reasons: string[] = [];
        if (!isWidening(c1.type, c2.type))
          reasons.push(`narrows ${typeName(c1.type)} to ${typeName(c2.type)}`);
        if (c1.nullable && !c2.nullable && !c2.default)
          reasons.push('makes it required without a default');
        alterColumns.push({
          change: { kind: 'alterColumn', table: t2.name, from: renamed, to: c2 },
          ...(reasons.length > 0
            ? { destructive: `changes column ${t2.name}.${c2.name}: ${reasons.join(', ')}` }
            : {}),
          span: where.column(t2, c2, false),
        });
      }
    }
    for (const c1 of t1.columns)
      if (!newColKeys.has(c1.key))
        dropColumns.push({
          change: { kind: 'dropColumn', table: t1.name, column: c1 },
          destructive: `drops column ${t1.name}.${c1.name} and its data`,
          span: where.column(t1, c1, true),
        });

    // constraints, compared by what they mean, not by name
    const refKey = (fk: ForeignKey) => fk.refTableKey;
    const oldSigs = new Map(t1.constraints.map((c) => [constraintSignature(c, t1, refKey), c]));
    const newSigs = new Map(t2.constraints.map((c) => [constraintSignature(c, t2, refKey), c]));
    for (const [sig, c2] of newSigs) {
      const c1 = oldSigs.get(sig);
      if (!c1) {
        addConstraints.push({
          change: { kind: 'addConstraint', table: t2.name, constraint: c2 },
        });
      } else if (c1.name !== c2.name) {
        // PostgreSQL renames in place; SQLite keeps constraints in the table's
        // text, so it drops the old one before the renames and adds the new after
        renameConstraints.push({
          change: { kind: 'renameConstraint', table: t2.name, from: c1, to: c2 },
        });
        if (!(c1.kind === 'check' && c1.postgresqlOnly)) {
          dropConstraints.push({
            change: { kind: 'dropConstraint', table: t1.name, constraint: c1, sqliteOnly: true },
          });
          addConstraints.push({
            change: { kind: 'addConstraint', table: t2.name, constraint: c2, sqliteOnly: true },
          });
        }
      }
    }
    for (const [sig, c1] of oldSigs) {
      if (newSigs.has(sig)) continue;
      // a constraint on a dropped column goes with the column
      const planned: PlannedChange = {
        change: { kind: 'dropConstraint', table: t1.name, constraint: c1 },
      };
      if (c1.kind === 'check' && c1.check === 'enum') {
        const col = t1.columns.find((c) => c.name === c1.column);
        const replacement = t2.constraints.find(
          (c): c is CheckConstraint =>
            c.kind === 'check' &&
            c.check === 'enum' &&
            t2.columns.find((x) => x.name === c.column)?.key === col?.key,
        );
        if (replacement) {
          const kept = new Set(replacement.value.split(','));
          const lost = c1.value.split(',').filter((v) => !kept.has(v));
          if (lost.length > 0) {
            planned.destructive = `drops the value${lost.length > 1 ? 's' : ''} ${lost.join(', ')} allowed in ${t1.name}.${c1.column}`;
            if (col) planned.span = where.column(t2, col, false);
          }
        }
      }
      dropConstraints.push(planned);
    }

    // indexes
    const oldIdx = new Map(t1.indexes.map((i) => [indexSignature(i, t1), i]));
    const newIdx = new Map(t2.indexes.map((i) => [indexSignature(i, t2), i]));
    for (const [sig, i2] of newIdx) {
      const i1 = oldIdx.get(sig);
      if (!i1) addConstraints.push({ change: { kind: 'createIndex', table: t2.name, index: i2 } });
      else if (i1.name !== i2.name) {
        renameConstraints.push({
          change: { kind: 'renameIndex', table: t2.name, from: i1, to: i2 },
        });
        if (i1.method !== 'gin_trgm') {
          dropConstraints.push({
            change: { kind: 'dropIndex', table: t1.name, index: i1, sqliteOnly: true },
          });
          addConstraints.push({
            change: { kind: 'createIndex', table: t2.name, index: i2, sqliteOnly: true },
          });
        }
      }
    }
    for (const [sig, i1] of oldIdx)
      if (!newIdx.has(sig))
        dropConstraints.push({ change: { kind: 'dropIndex', table: t1.name, index: i1 } });
  }

  // dropped tables: foreign keys between them first when they form a cycle
  const dropped = before.tables.filter((t) => !newKeys.has(t.key));
  const dropPlan = creationPlan(
    dropped,
    new Set(before.tables.filter((t) => newKeys.has(t.key)).map((t) => t.name)),
  );
  const deferredDrops = new Map<string, string[]>();
  for (const { table, foreignKey } of dropPlan.deferred) {
    dropConstraints.push({
      change: { kind: 'dropConstraint', table: table.name, constraint: foreignKey },
    });
    deferredDrops.set(table.name, [...(deferredDrops.get(table.name) ?? []), foreignKey.name]);
  }
  for (const table of [...dropPlan.order].reverse())
    dropTables.push({
      change: {
        kind: 'dropTable',
        table,
        deferredForeignKeys: deferredDrops.get(table.name) ?? [],
      },
      destructive: `drops table ${table.name} and its rows`,
      span: where.table(table, true),
    });

  // created tables, after every kept table exists under its new name
  const created = after.tables.filter((t) => !oldByKey.has(t.key));
  const createPlan = creationPlan(
    created,
    new Set(after.tables.filter((t) => oldByKey.has(t.key)).map((t) => t.name)),
  );
  const deferredCreates = new Map<string, string[]>();
  for (const { table, foreignKey } of createPlan.deferred) {
    addConstraints.push({
      change: { kind: 'addConstraint', table: table.name, constraint: foreignKey },
    });
    deferredCreates.set(table.name, [...(deferredCreates.get(table.name) ?? []), foreignKey.name]);
  }
  for (const table of createPlan.order)
    createTables.push({
      change: {
        kind: 'createTable',
        table,
        deferredForeignKeys: deferredCreates.get(table.name) ?? [],
      },
      span: where.table(table, false),
    });

  return [
    ...extensions,
    ...dropConstraints,
    ...dropColumns,
    ...dropTables,
    ...renameTables,
    ...renameColumns,
    ...renameConstraints,
    ...createTables,
    ...addColumns,
    ...alterColumns,
    ...addConstraints,
    ...dropExtensions,
  ];
}
