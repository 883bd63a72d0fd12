// IR parts and their hashes: what a generated file's `dependsOn` names.
//   app, deploy, architecture, sources            the settings blocks
//   entity:<Name>  enum:<Name>  flow:<Name>        one declaration each
//   behavior:<Name> (row behaviors: <Entity>.<name>)  event:<Name>  view:<Name>
//   indexes:<Entity>  joinTable:<name>
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

/** Hash of every IR part of `program`, keyed as in the table above. */
export function hashParts(program: Program): Record<string, string> {
  const parts: Record<string, string> = {};
  const each = <T>(prefix: string, items: readonly T[], key: (item: T) => string) => {
    const itemHashes: string[] = [];
    for (const item of items) {
      const h = hashOf(item);
      parts[`${prefix}:${key(item)}`] = h;
      itemHashes.push(`${key(item)}=${h}`);
    }
    return contentHash(itemHashes.join('\n'));
  };
  parts['app'] = hashOf(program.app);
  parts['deploy'] = hashOf(program.deploy);
  parts['architecture'] = hashOf(program.architecture);
  parts['sources'] = hashOf(program.sources);
  parts['entities'] = each('entity', program.entities, (e) => e.name);
  parts['enums'] = each('enum', program.enums, (e) => e.name);
  parts['flows'] = each('flow', program.flows, (f) => f.name);
  parts['behaviors'] = each('behavior', program.behaviors, behaviorKey);
  parts['events'] = each('event', program.events, (e) => e.name);
  parts['views'] = each('view', program.views, (v) => v.name);
  parts['joinTables'] = each('joinTable', program.joinTables, (j) => j.name);
  const indexesByEntity = new Map<string, unknown[]>(program.entities.map((e) => [e.name, []]));
  for (const index of program.indexes) {
    const list = indexesByEntity.get(index.entity) ?? [];
    list.push(index);
    indexesByEntity.set(index.entity, list);
  }
  for (const [entity, list] of indexesByEntity) parts[`indexes:${entity}`] = hashOf(list);
  parts['indexes'] = hashOf(program.indexes);
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
