// Which IR parts a generated file read (its `dependsOn`), recorded while it is
// generated rather than listed by hand: the context (context.ts) reports every
// part it hands out — `entity:<Name>` when an entity's info is looked up,
// `entities` when they are all iterated, `flows`, `behaviors`, `views`, `app`,
// ... when a program list is read — to the collector of the file being made.
// A list that is read whole (e.g. `flows`, to find an entity's flows) stays a
// whole-list dependency: a flow added later must reach the file too.

let current: Set<string> | undefined;

/** Record that the file being generated read `part` (no-op outside `tracked`). */
export function track(part: string): void {
  current?.add(part);
}

/** Record several parts at once (a cached piece's dependencies, replayed). */
export function trackAll(parts: Iterable<string>): void {
  if (current) for (const part of parts) current.add(part);
}

// a whole list covers each of its items (its hash changes with any of them)
const LISTS: [string, string][] = [
  ['entities', 'entity:'],
  ['enums', 'enum:'],
  ['flows', 'flow:'],
  ['behaviors', 'behavior:'],
  ['events', 'event:'],
  ['views', 'view:'],
  ['joinTables', 'joinTable:'],
  ['indexes', 'indexes:'],
];

function normalize(parts: Set<string>): string[] {
  if (parts.has('program')) return ['program'];
  const covered = LISTS.filter(([list]) => parts.has(list)).map(([, prefix]) => prefix);
  const out: string[] = [];
  for (const part of parts) if (!covered.some((prefix) => part.startsWith(prefix))) out.push(part);
  return out.sort();
}

/**
 * Run `make` and return its result with the parts it read (sorted, whole
 * lists absorbing their items). Nested calls also report to the outer one.
 */
export function tracked<T>(
  make: () => T,
  initial: readonly string[] = [],
): { value: T; deps: string[] } {
  const outer = current;
  const parts = new Set(initial);
  current = parts;
  let value: T;
  try {
    value = make();
  } finally {
    current = outer;
  }
  if (outer) for (const part of parts) outer.add(part);
  return { value, deps: normalize(parts) };
}
