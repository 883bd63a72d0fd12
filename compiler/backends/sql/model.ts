// The database model: the IR lowered once to tables, columns, constraints
// and indexes. schema.sql, the Alembic revisions and the migration diff all
// read this model, so they cannot disagree about a name or a type.
//
// Every table and column carries a `key`: its identity in the model
// (`entity:Order`, field `buyer`), independent of its SQL name, so the diff
// can tell a rename (`was`) from a drop + add.
import type { Entity, Field, Program } from '../../ir/schema.js';
import { limitName, quoteIdent, sqlString } from './identifiers.js';

export type SqlType =
  | { kind: 'uuid' }
  | { kind: 'varchar'; length: number }
  | { kind: 'text' }
  | { kind: 'numeric'; precision: number; scale: number }
  | { kind: 'timestamptz' }
  | { kind: 'date' }
  | { kind: 'time' }
  | { kind: 'jsonb' }
  | { kind: 'boolean' }
  | { kind: 'integer' }
  | { kind: 'bigint' }
  | { kind: 'double' };

/** A default the database itself can apply. */
export type ColumnDefault =
  | { kind: 'now' } // timestamptz: now()
  | { kind: 'currentDate' }
  | { kind: 'currentTime' }
  | { kind: 'uuid' } // gen_random_uuid(), PostgreSQL only
  | { kind: 'json'; value: '{}' | '[]' }
  | { kind: 'literal'; sql: string }; // a rendered literal: 'active', 0, true

export interface Column {
  key: string;
  name: string;
  type: SqlType;
  nullable: boolean;
  default?: ColumnDefault;
  /** the model's default cannot be applied by the database (currentUser, expressions) */
  serverSideDefault?: boolean;
}

export type OnDeleteSql = 'CASCADE' | 'RESTRICT' | 'SET NULL';

export interface ForeignKey {
  kind: 'foreignKey';
  name: string;
  columns: string[];
  refTable: string;
  refTableKey: string;
  refColumns: string[];
  onDelete: OnDeleteSql;
}

export interface UniqueConstraint {
  kind: 'unique';
  name: string;
  columns: string[];
}

export type CheckKind = 'min' | 'max' | 'min_len' | 'max_len' | 'pattern' | 'enum';

export interface CheckConstraint {
  kind: 'check';
  name: string;
  column: string;
  check: CheckKind;
  /** the bound, the regex, or the enum values joined by ',' */
  value: string;
  /** regexes: `~` exists only on PostgreSQL */
  postgresqlOnly: boolean;
}

export type Constraint = ForeignKey | UniqueConstraint | CheckConstraint;

export interface Index {
  name: string;
  columns: string[];
  unique: boolean;
  method: 'btree' | 'gin_trgm';
}

export interface Table {
  key: string;
  name: string;
  /** the entity it stores, for diagnostics */
  entity?: string;
  columns: Column[];
  primaryKey: { name: string; columns: string[] };
  constraints: Constraint[];
  indexes: Index[];
}

export interface DbSchema {
  extensions: string[];
  /** in program order: entities, join tables, the outbox */
  tables: Table[];
}

/**
 * The transactional outbox (LANGUAGE.md, events), present when the app has
 * events: the columns bitcup_runtime/relay.py reads and the FastAPI model maps.
 */
export const OUTBOX_TABLE = 'outbox';

const ENUM_MIN_LENGTH = 32;

// ---- 1. types and defaults ---------------------------------------------------

interface Lookup {
  enumValues: Map<string, string[]>;
  entities: Map<string, Entity>;
  entitiesByTable: Map<string, Entity>;
  indexesByEntity: Map<string, Program['indexes']>;
  indexesByTable: Map<string, Program['indexes']>;
}

const lookups = new WeakMap<Program, Lookup>();

/**
 * Name -> declaration maps, built once per program (models have hundreds of
 * entities), each on first use (an incremental build asks for few of them).
 */
function lookupOf(program: Program): Lookup {
  let lookup = lookups.get(program);
  if (lookup) return lookup;
  const group = (key: (i: Program['indexes'][number]) => string) => {
    const map = new Map<string, Program['indexes']>();
    for (const index of program.indexes) {
      const list = map.get(key(index));
      if (list) list.push(index);
      else map.set(key(index), [index]);
    }
    return map;
  };
  const lazy = <T>(make: () => T): (() => T) => {
    let value: T | undefined;
    return () => (value ??= make());
  };
  const enumValues = lazy(() => new Map(program.enums.map((e) => [e.name, e.values])));
  const entities = lazy(() => new Map(program.entities.map((e) => [e.name, e])));
  const entitiesByTable = lazy(() => new Map(program.entities.map((e) => [e.table, e])));
  const indexesByEntity = lazy(() => group((i) => i.entity));
  const indexesByTable = lazy(() => group((i) => i.table));
  lookup = {
    get enumValues() {
      return enumValues();
    },
    get entities() {
      return entities();
    },
    get entitiesByTable() {
      return entitiesByTable();
    },
    get indexesByEntity() {
      return indexesByEntity();
    },
    get indexesByTable() {
      return indexesByTable();
    },
  };
  lookups.set(program, lookup);
  return lookup;
}

function scalarType(field: Field, program: Program): SqlType {
  const type = field.type;
  if (type.kind === 'relation') return { kind: 'uuid' };
  if (type.kind === 'enum') {
    const values = lookupOf(program).enumValues.get(type.enum) ?? [];
    return {
      kind: 'varchar',
      length: Math.max(ENUM_MIN_LENGTH, ...values.map((v) => Buffer.byteLength(v, 'utf8'))),
    };
  }
  switch (type.scalar) {
    case 'string':
    case 'email':
    case 'url':
    case 'password':
      return { kind: 'varchar', length: type.length ?? 255 };
    case 'text':
      return { kind: 'text' };
    case 'int':
      return { kind: 'integer' };
    case 'bigint':
      return { kind: 'bigint' };
    case 'float':
      return { kind: 'double' };
    case 'decimal':
      return { kind: 'numeric', precision: type.precision ?? 10, scale: type.scale ?? 2 };
    case 'bool':
      return { kind: 'boolean' };
    case 'date':
      return { kind: 'date' };
    case 'datetime':
      return { kind: 'timestamptz' };
    case 'time':
      return { kind: 'time' };
    case 'uuid':
      return { kind: 'uuid' };
    case 'json':
      return { kind: 'jsonb' };
  }
}

function literalSql(value: string | number | boolean, type: SqlType): string {
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (type.kind === 'double' && Number.isInteger(value)) return value.toFixed(1);
    return String(value);
  }
  return sqlString(value);
}

function columnDefault(field: Field, type: SqlType): Pick<Column, 'default' | 'serverSideDefault'> {
  if (field.primaryKey) return { default: { kind: 'uuid' } };
  const d = field.default;
  if (!d) return {};
  switch (d.kind) {
    case 'literal':
      return { default: { kind: 'literal', sql: literalSql(d.value, type) } };
    case 'enum':
      return { default: { kind: 'literal', sql: sqlString(d.value) } };
    case 'now':
      if (type.kind === 'date') return { default: { kind: 'currentDate' } };
      if (type.kind === 'time') return { default: { kind: 'currentTime' } };
      return { default: { kind: 'now' } };
    case 'emptyObject':
      return { default: { kind: 'json', value: '{}' } };
    case 'emptyArray':
      return { default: { kind: 'json', value: '[]' } };
    case 'currentUser':
    case 'expression':
      return { serverSideDefault: true };
  }
}

/** The SQL text of a default as PostgreSQL stores it in schema.sql. */
export function defaultSql(d: ColumnDefault): string {
  switch (d.kind) {
    case 'now':
      return 'now()';
    case 'currentDate':
      return 'CURRENT_DATE';
    case 'currentTime':
      return 'CURRENT_TIME';
    case 'uuid':
      return 'gen_random_uuid()';
    case 'json':
      return `'${d.value}'::jsonb`;
    case 'literal':
      return d.sql;
  }
}

export function sameDefault(a?: ColumnDefault, b?: ColumnDefault): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

export function sameType(a: SqlType, b: SqlType): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

export function pgTypeSql(type: SqlType): string {
  switch (type.kind) {
    case 'varchar':
      return `varchar(${type.length})`;
    case 'numeric':
      return `numeric(${type.precision}, ${type.scale})`;
    case 'double':
      return 'double precision';
    default:
      return type.kind;
  }
}

// ---- 2. checks -------------------------------------------------------------

const STRING_TYPES = new Set(['varchar', 'text']);

/** The boolean SQL of a CHECK constraint; the same text on PostgreSQL and SQLite. */
export function checkSql(check: CheckConstraint): string {
  const col = quoteIdent(check.column);
  switch (check.check) {
    case 'min':
      return `${col} >= ${check.value}`;
    case 'max':
      return `${col} <= ${check.value}`;
    case 'min_len':
      return `length(${col}) >= ${check.value}`;
    case 'max_len':
      return `length(${col}) <= ${check.value}`;
    case 'pattern':
      return `${col} ~ ${sqlString(check.value)}`;
    case 'enum':
      return `${col} IN (${check.value
        .split(',')
        .map((v) => sqlString(v))
        .join(', ')})`;
  }
}

function fieldChecks(table: string, field: Field, column: Column, program: Program) {
  const checks: CheckConstraint[] = [];
  const add = (check: CheckKind, value: string, postgresqlOnly = false) =>
    checks.push({
      kind: 'check',
      name: limitName(`ck_${table}_${column.name}_${check}`),
      column: column.name,
      check,
      value,
      postgresqlOnly,
    });
  const type = field.type;
  if (type.kind === 'enum') {
    const values = lookupOf(program).enumValues.get(type.enum) ?? [];
    add('enum', values.join(','));
    return checks;
  }
  // A password's min/max bound the plain text the user types, never the stored hash.
  if (type.kind !== 'scalar' || type.scalar === 'password') return checks;
  const isString = STRING_TYPES.has(column.type.kind);
  if (field.min !== undefined) add(isString ? 'min_len' : 'min', String(field.min));
  if (field.max !== undefined) add(isString ? 'max_len' : 'max', String(field.max));
  if (field.pattern !== undefined && isString) add('pattern', field.pattern, true);
  return checks;
}

// ---- 3. tables ---------------------------------------------------------------

const ON_DELETE: Record<string, OnDeleteSql> = {
  cascade: 'CASCADE',
  restrict: 'RESTRICT',
  'set null': 'SET NULL',
};

export function entityTable(entity: Entity, program: Program): Table {
  const table = entity.table;
  const columns: Column[] = [];
  const constraints: Constraint[] = [];
  const checks: CheckConstraint[] = [];
  let primaryKey: string[] = [];
  for (const field of entity.fields) {
    if (!field.column) continue;
    const type = field.type;
    if (type.kind === 'relation' && !type.owning) continue;
    const sqlType = scalarType(field, program);
    const column: Column = {
      key: field.name,
      name: field.column,
      type: sqlType,
      nullable: field.optional && !field.primaryKey,
      ...columnDefault(field, sqlType),
    };
    columns.push(column);
    if (field.primaryKey) primaryKey = [column.name];
    if (type.kind === 'relation') {
      const target = lookupOf(program).entities.get(type.target);
      constraints.push({
        kind: 'foreignKey',
        name: limitName(`fk_${table}_${column.name}`),
        columns: [column.name],
        refTable: target?.table ?? type.target,
        refTableKey: `entity:${type.target}`,
        refColumns: ['id'],
        onDelete: ON_DELETE[type.onDelete ?? 'restrict'] ?? 'RESTRICT',
      });
    }
    if (field.unique && !field.primaryKey)
      constraints.push({
        kind: 'unique',
        name: limitName(`uq_${table}_${column.name}`),
        columns: [column.name],
      });
    checks.push(...fieldChecks(table, field, column, program));
  }
  const columnOf = (fieldName: string) =>
    entity.fields.find((f) => f.name === fieldName)?.column ?? fieldName;
  for (const unique of entity.uniques) {
    const cols = unique.fields.map(columnOf);
    constraints.push({
      kind: 'unique',
      name: limitName(`uq_${table}_${cols.join('_')}`),
      columns: cols,
    });
  }
  const indexes: Index[] = (lookupOf(program).indexesByEntity.get(entity.name) ?? []).map((i) => ({
    name: i.name,
    columns: [...i.columns],
    unique: i.unique,
    method: i.method,
  }));
  return {
    key: `entity:${entity.name}`,
    name: table,
    entity: entity.name,
    columns,
    primaryKey: { name: limitName(`pk_${table}`), columns: primaryKey },
    constraints: [...constraints, ...checks],
    indexes,
  };
}

function joinTable(join: Program['joinTables'][number], program: Program): Table {
  const sideKey = (side: (typeof join.sides)[number], i: number) =>
    `${side.entity}.${side.field}${join.symmetric ? `#${i}` : ''}`;
  const columns: Column[] = join.sides.map((side, i) => ({
    key: sideKey(side, i),
    name: side.column,
    type: { kind: 'uuid' },
    nullable: false,
  }));
  // A side's column points at the table named in `references`.
  const constraints: Constraint[] = join.sides.map((side) => {
    const target = lookupOf(program).entitiesByTable.get(side.references);
    return {
      kind: 'foreignKey',
      name: limitName(`fk_${join.name}_${side.column}`),
      columns: [side.column],
      refTable: side.references,
      refTableKey: `entity:${target?.name ?? side.references}`,
      refColumns: ['id'],
      onDelete: 'CASCADE',
    };
  });
  // The primary key serves lookups by its first column; the second gets its own.
  const second = join.sides[1]!.column;
  const declared = lookupOf(program).indexesByTable.get(join.name) ?? [];
  const indexes: Index[] = declared.map((i) => ({
    name: i.name,
    columns: [...i.columns],
    unique: i.unique,
    method: i.method,
  }));
  if (!indexes.some((i) => i.columns[0] === second))
    indexes.push({
      name: limitName(`ix_${join.name}_${second}`),
      columns: [second],
      unique: false,
      method: 'btree',
    });
  return {
    key: `join:${columns
      .map((c) => c.key)
      .sort()
      .join('|')}`,
    name: join.name,
    columns,
    primaryKey: { name: limitName(`pk_${join.name}`), columns: columns.map((c) => c.name) },
    constraints,
    indexes,
  };
}

function outboxTable(): Table {
  const t = OUTBOX_TABLE;
  return {
    key: 'outbox',
    name: t,
    columns: [
      { key: 'id', name: 'id', type: { kind: 'uuid' }, nullable: false, default: { kind: 'uuid' } },
      { key: 'event', name: 'event', type: { kind: 'varchar', length: 100 }, nullable: false },
      { key: 'stream', name: 'stream', type: { kind: 'varchar', length: 200 }, nullable: false },
      { key: 'payload', name: 'payload', type: { kind: 'jsonb' }, nullable: false },
      {
        key: 'created_at',
        name: 'created_at',
        type: { kind: 'timestamptz' },
        nullable: false,
        default: { kind: 'now' },
      },
      { key: 'sent_at', name: 'sent_at', type: { kind: 'timestamptz' }, nullable: true },
    ],
    primaryKey: { name: `pk_${t}`, columns: ['id'] },
    constraints: [],
    indexes: [
      {
        name: `ix_${t}_sent_at_created_at`,
        columns: ['sent_at', 'created_at'],
        unique: false,
        method: 'btree',
      },
    ],
  };
}

/**
 * What an entity's table reads besides the entity and its indexes (an
 * incremental build checks these before it reuses a table): the enums its
 * fields use, and each relation target with that target's table name.
 */
export function entityTableReads(
  entity: Entity,
  program: Program,
): { enums: string[]; targets: [entity: string, table: string | undefined][] } {
  const { entities } = lookupOf(program);
  const enums: string[] = [];
  const targets: [string, string | undefined][] = [];
  for (const field of entity.fields) {
    const type = field.type;
    if (type.kind === 'enum') enums.push(type.enum);
    else if (type.kind === 'relation')
      targets.push([type.target, entities.get(type.target)?.table]);
  }
  return { enums, targets };
}

/** Every entity by name (built once per program). */
export function entityMap(program: Program): ReadonlyMap<string, Entity> {
  return lookupOf(program).entities;
}

/**
 * Lower a program to its database model. Never throws on a well-typed IR.
 * `tableOf` lowers one entity (an incremental build reuses unchanged ones).
 */
export function lowerProgram(
  program: Program,
  tableOf: (entity: Entity) => Table = (e) => entityTable(e, program),
): DbSchema {
  const tables = [
    ...program.entities.map(tableOf),
    ...program.joinTables.map((j) => joinTable(j, program)),
    ...(program.events.length > 0 ? [outboxTable()] : []),
  ];
  const extensions = tables.some((t) => t.indexes.some((i) => i.method === 'gin_trgm'))
    ? ['pg_trgm']
    : [];
  return { extensions, tables };
}

// ---- 4. creation order ---------------------------------------------------------

export interface CreationPlan {
  /** tables in an order where each one's foreign keys point at earlier tables */
  order: Table[];
  /** foreign keys that close a cycle: added after every table exists */
  deferred: { table: Table; foreignKey: ForeignKey }[];
}

/**
 * Order `tables` so that every foreign key points at a table that already
 * exists (`existing`), itself, or one created before; ties keep program order.
 * Foreign keys in a cycle are deferred.
 */
export function creationPlan(
  tables: Table[],
  existing: ReadonlySet<string> = new Set(),
): CreationPlan {
  const pending = [...tables];
  const created = new Set(existing);
  const order: Table[] = [];
  const deferred: CreationPlan['deferred'] = [];
  const ready = (t: Table) =>
    t.constraints.every(
      (c) =>
        c.kind !== 'foreignKey' ||
        c.refTable === t.name ||
        created.has(c.refTable) ||
        !pending.some((p) => p.name === c.refTable),
    );
  while (pending.length > 0) {
    let index = pending.findIndex(ready);
    if (index < 0) index = 0; // a cycle: create the first, defer its open references
    const table = pending.splice(index, 1)[0]!;
    for (const c of table.constraints)
      if (
        c.kind === 'foreignKey' &&
        c.refTable !== table.name &&
        !created.has(c.refTable) &&
        pending.some((p) => p.name === c.refTable)
      )
        deferred.push({ table, foreignKey: c });
    created.add(table.name);
    order.push(table);
  }
  return { order, deferred };
}

export { quoteIdent };
