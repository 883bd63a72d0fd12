// The TypeScript side of BITCUP's expression semantics, shared by every
// compiled `check` rule: a comparison with null is false (except against the
// literal null), a path through null is null, a null boolean counts as false.

const isNullish = (value: unknown): value is null | undefined =>
  value === null || value === undefined;

/** `x == null` in a rule. */
export function isNull(value: unknown): boolean {
  return isNullish(value);
}

/** `x != null` in a rule. */
export function notNull(value: unknown): boolean {
  return !isNullish(value);
}

/** A boolean as a condition: only `true` holds (null counts as false). */
export function truthy(value: unknown): boolean {
  return value === true;
}

/** `not x`: a null boolean counts as false, so `not null` holds. */
export function not(value: unknown): boolean {
  return value !== true;
}

export function and(...values: unknown[]): boolean {
  return values.every((value) => value === true);
}

export function or(...values: unknown[]): boolean {
  return values.some((value) => value === true);
}

/** A decimal travels as a string; arithmetic and ordering use it as a number. */
export function toNumber(value: unknown): number | null {
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (typeof value !== 'string' || value.trim() === '') return null;
  const number = Number(value);
  return Number.isFinite(number) ? number : null;
}

/** Two non-null values made comparable: numbers when either side is one, else strings. */
function comparable(left: unknown, right: unknown): [number, number] | [string, string] | null {
  if (isNullish(left) || isNullish(right)) return null;
  if (typeof left === 'number' || typeof right === 'number') {
    const a = toNumber(left);
    const b = toNumber(right);
    return a === null || b === null ? null : [a, b];
  }
  return [String(left), String(right)];
}

export function eq(left: unknown, right: unknown): boolean {
  const pair = comparable(left, right);
  return pair !== null && pair[0] === pair[1];
}

export function ne(left: unknown, right: unknown): boolean {
  const pair = comparable(left, right);
  return pair !== null && pair[0] !== pair[1];
}

export function lt(left: unknown, right: unknown): boolean {
  const pair = comparable(left, right);
  return pair !== null && pair[0] < pair[1];
}

export function le(left: unknown, right: unknown): boolean {
  const pair = comparable(left, right);
  return pair !== null && pair[0] <= pair[1];
}

export function gt(left: unknown, right: unknown): boolean {
  const pair = comparable(left, right);
  return pair !== null && pair[0] > pair[1];
}

export function ge(left: unknown, right: unknown): boolean {
  const pair = comparable(left, right);
  return pair !== null && pair[0] >= pair[1];
}

function arithmetic(left: unknown, right: unknown, op: (a: number, b: number) => number) {
  const a = toNumber(left);
  const b = toNumber(right);
  if (a === null || b === null) return null;
  const result = op(a, b);
  return Number.isFinite(result) ? result : null;
}

export const add = (left: unknown, right: unknown) => arithmetic(left, right, (a, b) => a + b);
export const sub = (left: unknown, right: unknown) => arithmetic(left, right, (a, b) => a - b);
export const mul = (left: unknown, right: unknown) => arithmetic(left, right, (a, b) => a * b);
export const div = (left: unknown, right: unknown) => arithmetic(left, right, (a, b) => a / b);

export function neg(value: unknown): number | null {
  const number = toNumber(value);
  return number === null ? null : -number;
}

export function oneOf(value: unknown, ...list: unknown[]): boolean {
  return list.some((item) => eq(value, item));
}

export function len(value: unknown): number | null {
  return typeof value === 'string' ? [...value].length : null;
}

export function trim(value: unknown): string | null {
  return typeof value === 'string' ? value.trim() : null;
}

export function lower(value: unknown): string | null {
  return typeof value === 'string' ? value.toLowerCase() : null;
}

export function upper(value: unknown): string | null {
  return typeof value === 'string' ? value.toUpperCase() : null;
}

export function matches(value: unknown, pattern: unknown): boolean {
  return (
    typeof value === 'string' && typeof pattern === 'string' && new RegExp(pattern).test(value)
  );
}
