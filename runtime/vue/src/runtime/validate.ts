// Field checks that mirror the model's modifiers; each answers "is this a
// problem?" so a generated form reads as a list of `if (problem) fail(...)`.
import { toNumber } from './expr';

/** Nothing entered (null, undefined, blank text or an empty list is not "nothing"). */
export function missing(value: unknown): boolean {
  return (
    value === null || value === undefined || (typeof value === 'string' && value.trim() === '')
  );
}

export function notNumber(text: string): boolean {
  return text.trim() !== '' && toNumber(text) === null;
}

export function notInteger(value: number | null): boolean {
  return value !== null && !Number.isInteger(value);
}

export function tooManyDecimals(text: string, scale: number): boolean {
  const match = /\.(\d*)$/.exec(text.trim());
  return match !== null && match[1]!.length > scale;
}

/** A number below `min` (null is not checked here: `missing` is). */
export function below(value: unknown, min: number): boolean {
  const number = toNumber(value);
  return number !== null && number < min;
}

export function above(value: unknown, max: number): boolean {
  const number = toNumber(value);
  return number !== null && number > max;
}

/** Text shorter than `min` characters (empty text counts as missing, not short). */
export function shorter(value: unknown, min: number): boolean {
  return typeof value === 'string' && value !== '' && [...value].length < min;
}

export function longer(value: unknown, max: number): boolean {
  return typeof value === 'string' && [...value].length > max;
}

export function mismatch(value: unknown, pattern: string): boolean {
  return typeof value === 'string' && value !== '' && !new RegExp(pattern).test(value);
}

export function notEmail(value: unknown): boolean {
  return typeof value === 'string' && value !== '' && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value);
}

export function notUrl(value: unknown): boolean {
  if (typeof value !== 'string' || value === '') return false;
  try {
    new URL(value);
    return false;
  } catch {
    return true;
  }
}

export function notJson(text: string): boolean {
  if (text.trim() === '') return false;
  try {
    JSON.parse(text);
    return false;
  } catch {
    return true;
  }
}
