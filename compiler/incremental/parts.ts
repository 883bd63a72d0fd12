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

// Each IR item's part name, hash and list line, by the item object: IR
// objects do not change once compiled, and an incremental analysis hands back
// unchanged declarations as the same objects, so an edit looks up most items
// instead of naming and comparing them again. (A hash is the content's,
// whichever run computed it.)
const itemFacts = new WeakMap<object, { name: string; line: string; hash: string }>();

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
  const before = previous?.program;
  const known = previous?.parts;
  const hashPart = (name: string, value: unknown, beforeValue: unknown): string => {
    const last = known?.[name];
    return last !== undefined && sameIr(value, beforeValue) ? last : hashOf(value);
  };
  const each = <T extends object>(
    list: string,
    prefix: string,
    items: readonly T[],
    beforeItems: readonly T[] | undefined,
    key: (item: T) => string,
  ): void => {
    let beforeByKey: Map<string, T> | undefined; // built for the first item not seen before
    let same = beforeItems !== undefined && items.length === beforeItems.length;
    const lines: string[] = [];
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      let facts = itemFacts.get(item);
      if (facts === undefined) {
        const itemKey = key(item);
        const name = `${prefix}:${itemKey}`;
        if (!beforeByKey) {
          beforeByKey = new Map();
          for (const b of beforeItems ?? []) beforeByKey.set(key(b), b);
        }
        const hash = hashPart(name, item, beforeByKey.get(itemKey));
        facts = { name, line: `${itemKey}=${hash}`, hash };
        itemFacts.set(item, facts);
      }
      if (same && beforeItems![i] !== item) same = false;
      parts[facts.name] = facts.hash;
      lines.push(facts.line);
    }
    const last = known?.[list];
    parts[list] = same && last !== undefined ? last : contentHash(lines.join('\n'));
  };
  parts['app'] = hashPart('app', program.app, before?.app);
  parts['deploy'] = hashPart('deploy', program.deploy, before?.deploy);
  parts['architecture'] = hashPart('architecture', program.architecture, before?.architecture);
  parts['sources'] = hashPart('sources', program.sources, before?.sources);
  each('entities', 'entity', program.entities, before?.entities, (e) => e.name);
  each('enums', 'enum', program.enums, before?.enums, (e) => e.name);
  each('flows', 'flow', program.flows, before?.flows, (f) => f.name);
  each('behaviors', 'behavior', program.behaviors, before?.behaviors, behaviorKey);
  each('events', 'event', program.events, before?.events, (e) => e.name);
  each('views', 'view', program.views, before?.views, (v) => v.name);
  each('joinTables', 'joinTable', program.joinTables, before?.joinTables, (j) => j.name);
  // Per-entity parts (an entity's indexes, its share of a list) are made
  // again only for the entities an edit touched: those of an item that is not
  // the one at its place last run (either run's item there). Without a last
  // run, or when the entities are not the same names in the same order, all.
  const entityNames = program.entities.map((e) => e.name);
  const sameNames =
    known !== undefined &&
    before !== undefined &&
    before.entities.length === entityNames.length &&
    before.entities.every((e, i) => e.name === entityNames[i]);
  const touched = <T extends { entity?: string | undefined }>(
    items: readonly T[],
    beforeItems: readonly T[] | undefined,
  ): Set<string> | undefined => {
    if (!sameNames || !beforeItems) return undefined;
    const entities = new Set<string>();
    for (let i = 0; i < Math.max(items.length, beforeItems.length); i++) {
      const [now, then] = [items[i], beforeItems[i]];
      if (now === then) continue;
      if (now?.entity !== undefined) entities.add(now.entity);
      if (then?.entity !== undefined) entities.add(then.entity);
    }
    return entities;
  };
  /** Fill `<list>:<Entity>` for every entity: copied when untouched, else made by `make`. */
  const perEntity = (
    list: string,
    entities: Set<string> | undefined,
    make: (wanted: ReadonlySet<string> | undefined) => Map<string, string>,
  ): void => {
    const remade = make(entities);
    for (const entity of entityNames) {
      const name = partName(list, entity);
      parts[name] = remade.get(entity) ?? known![name]!;
    }
  };
  /** `items` of each wanted entity (all when undefined), in program order. */
  const groupBy = <T extends { entity?: string | undefined }>(
    items: readonly T[],
    wanted: ReadonlySet<string> | undefined,
  ): Map<string, T[]> => {
    const groups = new Map<string, T[]>();
    for (const entity of entityNames) if (!wanted || wanted.has(entity)) groups.set(entity, []);
    for (const item of items) {
      if (item.entity === undefined) continue;
      groups.get(item.entity)?.push(item);
    }
    return groups;
  };
  const indexesTouched = touched(program.indexes, before?.indexes);
  perEntity('indexes', indexesTouched, (wanted) => {
    const now = groupBy(program.indexes, wanted);
    const then = groupBy(before?.indexes ?? [], wanted);
    const hashes = new Map<string, string>();
    for (const [entity, list] of now)
      hashes.set(entity, hashPart(partName('indexes', entity), list, then.get(entity)));
    return hashes;
  });
  parts['indexes'] =
    indexesTouched?.size === 0 && known?.['indexes'] !== undefined
      ? known['indexes']
      : hashPart('indexes', program.indexes, before?.indexes);
  // an entity's share of a list, from the item lines just made (`key=hash`)
  const shares = <T extends { entity?: string | undefined }>(
    list: string,
    items: readonly T[],
    beforeItems: readonly T[] | undefined,
  ) =>
    perEntity(list, touched(items, beforeItems), (wanted) => {
      const hashes = new Map<string, string>();
      for (const [entity, group] of groupBy(items, wanted))
        hashes.set(entity, shareHash(group.map((item) => itemFacts.get(item)!.line).join('\n')));
      return hashes;
    });
  shares('views', program.views, before?.views);
  shares('flows', program.flows, before?.flows);
  shares('behaviors', program.behaviors, before?.behaviors);
  // every other part is one of these lists' items or made from them
  parts['program'] = contentHash(PROGRAM_PARTS.map((k) => `${k}=${parts[k]}`).join('\n'));
  const names = known ? partNamesOf.get(known) : undefined;
  partNamesOf.set(parts, names !== undefined && sameKeys(known!, parts) ? names : {});
  return parts;
}

const partName = (list: string, entity: string): string => `${list}:${entity}`;

// An entity's share is mostly what it was last run: its hash is looked up by
// its text (a string lookup is much cheaper than a sha256 call).
let shareHashes = new Map<string, string>();
function shareHash(text: string): string {
  let h = shareHashes.get(text);
  if (h === undefined) {
    if (shareHashes.size >= 20_000) shareHashes = new Map();
    h = contentHash(text);
    shareHashes.set(text, h);
  }
  return h;
}

/** The parts whose hashes make `program`'s (`sources` is left out: moving a file is no change). */
const PROGRAM_PARTS = [
  'app',
  'deploy',
  'architecture',
  'entities',
  'enums',
  'flows',
  'behaviors',
  'events',
  'views',
  'joinTables',
  'indexes',
] as const;

/** Whether two part records have the same names. */
function sameKeys(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(b);
  if (keys.length !== Object.keys(a).length) return false;
  for (const key of keys) if (!Object.hasOwn(a, key)) return false;
  return true;
}

/** Parts whose hash differs between two runs (added and removed ones included). */
export function changedParts(
  before: Record<string, string>,
  after: Record<string, string>,
): Set<string> {
  const changed = new Set<string>();
  for (const key of Object.keys(after)) if (before[key] !== after[key]) changed.add(key);
  for (const key of Object.keys(before)) if (!Object.hasOwn(after, key)) changed.add(key);
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
  if (dependsOn.length === 0) return true;
  for (const d of dependsOn) if (changed.has(d)) return true;
  return namesUnknownPart(dependsOn, parts);
}

// Whether a dependsOn list names something that is not a part, remembered
// per list object for as long as the part names stay the same (an edit that
// adds or removes no declaration): every rebuild asks it of thousands of
// kept files, whose lists are the same objects run after run.
const unknownNames = new WeakMap<readonly string[], { names: object; unknown: boolean }>();

function namesUnknownPart(dependsOn: readonly string[], parts: Record<string, string>): boolean {
  const names = partNamesOf.get(parts) ?? parts;
  const known = unknownNames.get(dependsOn);
  if (known?.names === names) return known.unknown;
  let unknown = false;
  for (const d of dependsOn) if (!Object.hasOwn(parts, d)) unknown = true;
  unknownNames.set(dependsOn, { names, unknown });
  return unknown;
}

// The part names of a `parts` record, as a token shared by every record with
// the same names (hashParts hands it on when an edit adds or removes none).
const partNamesOf = new WeakMap<Record<string, string>, object>();
