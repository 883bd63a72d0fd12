// IR parts and their hashes: what a generated file's `dependsOn` names.
//   app, deploy, architecture, sources            the settings blocks
//   entity:<Name>  enum:<Name>  flow:<Name>        one declaration each
//   behavior:<Name> (row behaviors: <Entity>.<name>)  event:<Name>  view:<Name>
//   indexes:<Entity>  joinTable:<name>
//   views:<Entity>  flows:<Entity>  behaviors:<Entity>
//                                                  an entity's share of a list (the
//                                                  items whose entity is <Entity>,
//                                                  in program order): what a file
//                                                  that reads "the views of X" needs
//   entities enums flows behaviors events views indexes joinTables
//                                                  a whole list (any change in it)
//   program                                        everything
// A name a backend uses that is not here counts as `program` (always safe).
// Spans are left out of the hashes: moving a declaration is not changing it
// (backends must not print source positions into generated files).
import { contentHash } from '../emit/hash.js';
import type { Program } from '../ir/schema.js';

// A span serializes as a flat object; removing it from the JSON text is much
// faster than a replacer function (a file name with a brace only keeps its
// span in the hash: a needless rebuild, never a missed one).
const SPAN_JSON = /"span":\{[^{}]*\},?/g;

function hashOf(value: unknown): string {
  return contentHash((JSON.stringify(value) ?? 'null').replace(SPAN_JSON, ''));
}

export function behaviorKey(behavior: { name: string; entity?: string | undefined }): string {
  return behavior.entity ? `${behavior.entity}.${behavior.name}` : behavior.name;
}

/**
 * Whether two IR values are the same, spans aside: what hashing both would
 * tell, without serializing either. Key order counts (it would change the
 * JSON, hence the hash), so `true` means "the hash would be the same".
 */
export function sameIr(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameIr(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  // for-in walks `a`'s keys without making an array of them (IR objects are
  // plain: no inherited enumerable keys)
  const keysB = Object.keys(b);
  let i = 0;
  for (const key in a) {
    if (key !== keysB[i++]) return false;
    if (key === 'span') continue;
    if (!sameIr((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]))
      return false;
  }
  return i === keysB.length;
}

/** A previous run: its program and the part hashes computed for it. */
export interface HashedProgram {
  program: Program;
  parts: Record<string, string>;
}

/**
 * Hash of every IR part of `program`, keyed as in the table above. With the
 * `previous` run, a part equal to its previous value (sameIr) keeps its
 * previous hash instead of being serialized and hashed again: an edit then
 * costs one comparison walk plus the hashing of what changed.
 */
export function hashParts(program: Program, previous?: HashedProgram): Record<string, string> {
  const parts: Record<string, string> = {};
  const hashPart = (name: string, value: unknown, before: unknown): string => {
    const known = previous?.parts[name];
    return known !== undefined && sameIr(value, before) ? known : hashOf(value);
  };
  const each = <T>(
    prefix: string,
    items: readonly T[],
    beforeItems: readonly T[] | undefined,
    key: (item: T) => string,
  ) => {
    const beforeByKey = new Map<string, T>();
    for (const item of beforeItems ?? []) beforeByKey.set(key(item), item);
    const itemHashes: string[] = [];
    for (const item of items) {
      const name = `${prefix}:${key(item)}`;
      const h = hashPart(name, item, beforeByKey.get(key(item)));
      parts[name] = h;
      itemHashes.push(`${key(item)}=${h}`);
    }
    return contentHash(itemHashes.join('\n'));
  };
  const before = previous?.program;
  parts['app'] = hashPart('app', program.app, before?.app);
  parts['deploy'] = hashPart('deploy', program.deploy, before?.deploy);
  parts['architecture'] = hashPart('architecture', program.architecture, before?.architecture);
  parts['sources'] = hashPart('sources', program.sources, before?.sources);
  parts['entities'] = each('entity', program.entities, before?.entities, (e) => e.name);
  parts['enums'] = each('enum', program.enums, before?.enums, (e) => e.name);
  parts['flows'] = each('flow', program.flows, before?.flows, (f) => f.name);
  parts['behaviors'] = each('behavior', program.behaviors, before?.behaviors, behaviorKey);
  parts['events'] = each('event', program.events, before?.events, (e) => e.name);
  parts['views'] = each('view', program.views, before?.views, (v) => v.name);
  parts['joinTables'] = each('joinTable', program.joinTables, before?.joinTables, (j) => j.name);
  const byEntity = (from: Program | undefined) => {
    const lists = new Map<string, unknown[]>(from?.entities.map((e) => [e.name, []]));
    for (const index of from?.indexes ?? []) {
      const list = lists.get(index.entity) ?? [];
      list.push(index);
      lists.set(index.entity, list);
    }
    return lists;
  };
  const indexesBefore = byEntity(before);
  for (const [entity, list] of byEntity(program))
    parts[`indexes:${entity}`] = hashPart(`indexes:${entity}`, list, indexesBefore.get(entity));
  parts['indexes'] = hashPart('indexes', program.indexes, before?.indexes);
  // an entity's share of a list, from the item hashes just made
  const shares = <T extends { entity?: string | undefined }>(
    list: string,
    itemPrefix: string,
    items: readonly T[],
    key: (item: T) => string,
  ) => {
    const byEntity = new Map<string, string[]>(program.entities.map((e) => [e.name, []]));
    for (const item of items) {
      if (item.entity === undefined) continue;
      const lines = byEntity.get(item.entity) ?? [];
      lines.push(`${key(item)}=${parts[`${itemPrefix}:${key(item)}`]}`);
      byEntity.set(item.entity, lines);
    }
    for (const [entity, lines] of byEntity)
      parts[`${list}:${entity}`] = contentHash(lines.join('\n'));
  };
  shares('views', 'view', program.views, (v) => v.name);
  shares('flows', 'flow', program.flows, (f) => f.name);
  shares('behaviors', 'behavior', program.behaviors, behaviorKey);
  parts['program'] = contentHash(
    Object.keys(parts)
      .filter((k) => k !== 'sources')
      .sort()
      .map((k) => `${k}=${parts[k]}`)
      .join('\n'),
  );
  return parts;
}

/** Parts whose hash differs between two runs (added and removed ones included). */
export function changedParts(
  before: Record<string, string>,
  after: Record<string, string>,
): Set<string> {
  const changed = new Set<string>();
  for (const key of Object.keys(after)) if (before[key] !== after[key]) changed.add(key);
  for (const key of Object.keys(before)) if (!(key in after)) changed.add(key);
  return changed;
}

/**
 * Whether a file that depends on `dependsOn` must be regenerated after the
 * parts in `changed` changed: a named part changed, or a name that is not a
 * part (which counts as the whole program) while anything changed.
 */
export function isAffected(
  dependsOn: readonly string[],
  changed: ReadonlySet<string>,
  parts: Record<string, string>,
): boolean {
  if (changed.size === 0) return false;
  return dependsOn.length === 0 || dependsOn.some((d) => changed.has(d) || !(d in parts));
}
