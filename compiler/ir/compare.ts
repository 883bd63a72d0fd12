// Comparing IR values as their JSON would: same keys in the same order, same
// values, spans included (parts.ts `sameIr` is the hashing twin that leaves
// spans out).

/** The first path where two JSON-like values differ, or undefined when they are the same. */
export function firstDifference(a: unknown, b: unknown, path = ''): string | undefined {
  if (a === b) return undefined;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return path;
  if (Array.isArray(a) !== Array.isArray(b)) return `${path} (array)`;
  const keysA = Object.keys(a);
  const keysB = Object.keys(b);
  if (keysA.length !== keysB.length || keysA.some((k, i) => k !== keysB[i]))
    return `${path} (keys)`;
  for (const key of keysA) {
    const found = firstDifference(
      (a as Record<string, unknown>)[key],
      (b as Record<string, unknown>)[key],
      `${path}.${key}`,
    );
    if (found !== undefined) return found;
  }
  return undefined;
}

/** `previous` when it is the same as `next` (see firstDifference), else `next`. */
export function sameOrNext<T>(previous: object | undefined, next: T): T {
  return previous !== undefined && firstDifference(previous, next) === undefined
    ? (previous as T)
    : next;
}
