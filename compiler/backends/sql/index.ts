// The sql backend: <out>/database/schema.sql (PostgreSQL 15).
//
// schema.sql lists every table, so any entity edit rewrites it. An
// incremental build (generateChanged) lowers and renders again only the
// tables whose inputs changed: each entity's Table and its SQL text are kept
// between runs with what they were made from (the hashes of the entity, its
// indexes and the enums its fields use; its relation targets' table names)
// and reused while all of that is unchanged. Join tables and the outbox are few and always lowered again; the
// creation order is always computed again (one changed foreign key can move
// any table).
import type { Entity, Program } from '../../ir/schema.js';
import { isAffected } from '../../incremental/parts.js';
import type { PartialBackend } from '../../incremental/builder.js';
import type { GeneratedFile } from '../types.js';
import { renderSchemaSql, tableSql, type TableText } from './ddl.js';
import { entityMap, entityTable, entityTableReads, lowerProgram, type Table } from './model.js';

export const SCHEMA_SQL_PATH = 'database/schema.sql';
// `app`: the header names the app
const DEPENDS_ON = ['app', 'entities', 'enums', 'indexes', 'joinTables', 'events'];

interface CachedTable {
  /** the part keys of its entity and indexes (kept: a looked-up key string is hashed once) */
  entityKey: string;
  indexesKey: string;
  /** what the table was lowered from: part hashes, enum hashes, target table names */
  entityHash: string | undefined;
  indexesHash: string | undefined;
  enums: [key: string, hash: string | undefined][];
  targets: [entity: string, table: string | undefined][];
  table: Table;
  /** the SQL text when no foreign key of the table is deferred */
  text?: string;
}

/** Entity tables of the last incremental run, by entity name. */
let cache = new Map<string, CachedTable>();

/** Whether a cached table was lowered from what the program holds now. */
function stillValid(cached: CachedTable, program: Program, parts: Record<string, string>): boolean {
  if (cached.entityHash !== parts[cached.entityKey]) return false;
  if (cached.indexesHash !== parts[cached.indexesKey]) return false;
  for (const [key, hash] of cached.enums) if (parts[key] !== hash) return false;
  if (cached.targets.length === 0) return true;
  const entities = entityMap(program);
  for (const [target, table] of cached.targets)
    if (entities.get(target)?.table !== table) return false;
  return true;
}

function lowered(entity: Entity, program: Program, parts: Record<string, string>): CachedTable {
  const reads = entityTableReads(entity, program);
  const entityKey = `entity:${entity.name}`;
  const indexesKey = `indexes:${entity.name}`;
  return {
    entityKey,
    indexesKey,
    entityHash: parts[entityKey],
    indexesHash: parts[indexesKey],
    enums: reads.enums.map((name) => [`enum:${name}`, parts[`enum:${name}`]]),
    targets: reads.targets,
    table: entityTable(entity, program),
  };
}

/**
 * A whole run (generate(), which gets no part hashes) records its tables apart,
 * hashes blank, with the files it returned: the next incremental run handed
 * those very files is given the change since that run, so the tables whose
 * parts it leaves alone are promoted with their hashes (target table names
 * are checked on use anyway).
 */
let seeded: { tables: Map<string, CachedTable>; files?: readonly GeneratedFile[] } = {
  tables: new Map(),
};

function promoteSeed(changed: ReadonlySet<string>, parts: Record<string, string>): void {
  cache = new Map();
  for (const [name, entry] of seeded.tables) {
    const keys = [entry.entityKey, entry.indexesKey, ...entry.enums.map(([key]) => key)];
    if (keys.some((key) => changed.has(key))) continue;
    entry.entityHash = parts[entry.entityKey];
    entry.indexesHash = parts[entry.indexesKey];
    entry.enums = entry.enums.map(([key]) => [key, parts[key]]);
    cache.set(name, entry);
  }
  seeded = { tables: new Map() };
}

/** `parts` (incremental runs): reuse the tables of the last run; without, record them (seed). */
function schemaSql(program: Program, parts?: Record<string, string>): string {
  const next = new Map<string, CachedTable>();
  const byTable = new Map<Table, CachedTable>();
  const schema = lowerProgram(program, (entity) => {
    const before = parts ? cache.get(entity.name) : undefined;
    const entry =
      before !== undefined && parts && stillValid(before, program, parts)
        ? before
        : lowered(entity, program, parts ?? {});
    next.set(entity.name, entry);
    byTable.set(entry.table, entry);
    return entry.table;
  });
  if (parts) cache = next;
  else seeded = { tables: next };
  const text: TableText = (table, deferred) => {
    const entry = byTable.get(table);
    const hasDeferred = table.constraints.some((c) => c.kind === 'foreignKey' && deferred.has(c));
    if (entry === undefined || hasDeferred) return tableSql(table, deferred);
    entry.text ??= tableSql(table, deferred);
    return entry.text;
  };
  return renderSchemaSql(schema, program.app.name, text);
}

function schemaFiles(program: Program, parts?: Record<string, string>): GeneratedFile[] {
  const files: GeneratedFile[] = [
    {
      path: SCHEMA_SQL_PATH,
      content: schemaSql(program, parts),
      ownership: 'generated',
      dependsOn: DEPENDS_ON,
    },
  ];
  if (parts === undefined) seeded.files = files;
  return files;
}

export const sqlBackend: PartialBackend = {
  name: 'sql',
  generate: (program) => schemaFiles(program),
  // one file, regenerated when a part it reads changed, from the tables that did not
  generateChanged: (program, _context, changed, parts, previous) => {
    if (previous === seeded.files) promoteSeed(changed, parts);
    return isAffected(DEPENDS_ON, changed, parts) ? schemaFiles(program, parts) : [];
  },
};
