// Index inference (LANGUAGE.md "User views", last bullet): declared
// composites, `index` modifiers, then a B-tree index for every foreign key and
// every list view's filter and sort field unless an existing index (or unique
// constraint, or the primary key) already starts with that field; `search`
// fields get a pg_trgm GIN index each. Unique constraints stay in
// entity.uniques / field.unique (their own index comes with the constraint),
// so every index here has unique=false.
import { createHash } from 'node:crypto';
import type { Entity, IndexDecl, Program, View } from '../../ir/schema.js';

type Reason = IndexDecl['reasons'][number];
const REASON_ORDER: readonly Reason[] = [
  'declared',
  'modifier',
  'foreign-key',
  'filter',
  'sort',
  'search',
];

/** PostgreSQL truncates identifiers at 63 bytes; keep names unique by hashing the tail. */
export function limitIdentifier(name: string, max = 63): string {
  if (Buffer.byteLength(name) <= max) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  let head = name.slice(0, max - hash.length - 1);
  while (Buffer.byteLength(head) > max - hash.length - 1) head = head.slice(0, -1);
  return `${head}_${hash}`;
}

export function indexName(
  table: string,
  columns: readonly string[],
  method: IndexDecl['method'],
): string {
  return limitIdentifier(`ix_${table}_${columns.join('_')}${method === 'gin_trgm' ? '_trgm' : ''}`);
}

/** The entity's declared `index (a, b)` composites, in source order (not in the IR Entity). */
export type DeclaredIndexes = ReadonlyMap<string, readonly (readonly string[])[]>;

export function inferIndexes(program: Program, declared: DeclaredIndexes): IndexDecl[] {
  const result: IndexDecl[] = [];
  const listsByEntity = new Map<string, View[]>();
  for (const v of program.views) {
    if (v.kind !== 'list' || v.entity === undefined) continue;
    const lists = listsByEntity.get(v.entity);
    if (lists) lists.push(v);
    else listsByEntity.set(v.entity, [v]);
  }
  for (const entity of program.entities) {
    const lists = listsByEntity.get(entity.name) ?? [];
    result.push(...cachedEntityIndexes(entity, lists, declared.get(entity.name) ?? []));
  }
  return result.sort((a, b) =>
    a.table < b.table ? -1 : a.table > b.table ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
  );
}

// An incremental analysis hands back an unchanged entity (and its list
// views) as the same objects: their indexes are then the same objects too.
const indexesOf = new WeakMap<
  Entity,
  { lists: readonly View[]; declared: string; indexes: IndexDecl[] }
>();

function cachedEntityIndexes(
  entity: Entity,
  lists: readonly View[],
  declared: readonly (readonly string[])[],
): IndexDecl[] {
  const declaredKey = declared.map((d) => d.join(',')).join(';');
  const cached = indexesOf.get(entity);
  if (
    cached &&
    cached.declared === declaredKey &&
    cached.lists.length === lists.length &&
    cached.lists.every((v, i) => v === lists[i])
  )
    return cached.indexes;
  const indexes = entityIndexes(entity, lists, declared);
  indexesOf.set(entity, { lists, declared: declaredKey, indexes });
  return indexes;
}

function entityIndexes(
  entity: Entity,
  lists: readonly View[],
  declared: readonly (readonly string[])[],
): IndexDecl[] {
  const columnOf = new Map<string, string>();
  for (const f of entity.fields) if (f.column !== undefined) columnOf.set(f.name, f.column);
  const btree: IndexDecl[] = [];
  const btreeByFields = new Map<string, IndexDecl>();
  // First fields already served by some index-backed structure.
  const leading = new Set<string>();
  for (const f of entity.fields) if (f.primaryKey || f.unique) leading.add(f.name);
  for (const u of entity.uniques) if (u.fields[0] !== undefined) leading.add(u.fields[0]);

  const addBtree = (fields: readonly string[], reason: Reason, always: boolean): void => {
    const columns = fields.map((f) => columnOf.get(f));
    if (fields.length === 0 || columns.some((c) => c === undefined)) return;
    const key = fields.join(',');
    const same = btreeByFields.get(key);
    if (same) {
      if (!same.reasons.includes(reason)) same.reasons.push(reason);
      return;
    }
    if (!always && leading.has(fields[0]!)) {
      // Record why the covering index exists too, when it is one of ours.
      const covering = btree.find((ix) => ix.fields[0] === fields[0]);
      if (covering && !covering.reasons.includes(reason)) covering.reasons.push(reason);
      return;
    }
    const index: IndexDecl = {
      name: indexName(entity.table, columns as string[], 'btree'),
      entity: entity.name,
      table: entity.table,
      fields: [...fields],
      columns: columns as string[],
      unique: false,
      method: 'btree',
      reasons: [reason],
    };
    btree.push(index);
    btreeByFields.set(key, index);
    leading.add(fields[0]!);
  };

  for (const fields of declared) addBtree(fields, 'declared', true);
  for (const f of entity.fields) if (f.indexed) addBtree([f.name], 'modifier', false);
  for (const f of entity.fields) {
    if (f.type.kind === 'relation' && f.type.owning && f.column !== undefined)
      addBtree([f.name], 'foreign-key', false);
  }
  for (const v of lists) for (const field of v.filter) addBtree([field], 'filter', false);
  for (const v of lists) if (v.sort) addBtree([v.sort.field], 'sort', false);

  const trigram: IndexDecl[] = [];
  for (const v of lists) {
    for (const field of v.search) {
      const column = columnOf.get(field);
      if (column === undefined || trigram.some((ix) => ix.fields[0] === field)) continue;
      trigram.push({
        name: indexName(entity.table, [column], 'gin_trgm'),
        entity: entity.name,
        table: entity.table,
        fields: [field],
        columns: [column],
        unique: false,
        method: 'gin_trgm',
        reasons: ['search'],
      });
    }
  }
  for (const ix of btree)
    ix.reasons.sort((a, b) => REASON_ORDER.indexOf(a) - REASON_ORDER.indexOf(b));
  return [...btree, ...trigram];
}
