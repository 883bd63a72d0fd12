// BITCUP's null semantics in TypeScript: the same answers as SQL and Python.
import { describe, expect, it } from 'vitest';
import * as bc from './expr';
import * as problems from './validate';

describe('rule helpers', () => {
  it('compares with null as false, except against the literal null', () => {
    expect(bc.eq(null, 1)).toBe(false);
    expect(bc.ne(null, 1)).toBe(false);
    expect(bc.gt(undefined, 0)).toBe(false);
    expect(bc.isNull(null)).toBe(true);
    expect(bc.notNull(0)).toBe(true);
  });

  it('compares decimals sent as strings with numbers', () => {
    expect(bc.gt('0.00', 0)).toBe(false);
    expect(bc.gt('12.50', 0)).toBe(true);
    expect(bc.eq('3', 3)).toBe(true);
  });

  it('counts a null boolean as false, also under not', () => {
    expect(bc.truthy(null)).toBe(false);
    expect(bc.and(true, null)).toBe(false);
    expect(bc.or(null, true)).toBe(true);
    expect(bc.not(null)).toBe(true);
    expect(bc.not(true)).toBe(false);
  });

  it('propagates null through arithmetic and string functions', () => {
    expect(bc.add(1, null)).toBeNull();
    expect(bc.div(1, 0)).toBeNull();
    expect(bc.len(null)).toBeNull();
    expect(bc.len(trimmed(' ab '))).toBe(2);
    expect(bc.oneOf('paid', 'placed', 'paid')).toBe(true);
    expect(bc.oneOf(null, 'placed')).toBe(false);
    expect(bc.matches('AB-1', '^[A-Z0-9-]+$')).toBe(true);
  });

  it('mirrors field modifiers', () => {
    expect(problems.missing('  ')).toBe(true);
    expect(problems.missing(0)).toBe(false);
    expect(problems.notNumber('1.5x')).toBe(true);
    expect(problems.tooManyDecimals('1.234', 2)).toBe(true);
    expect(problems.tooManyDecimals('1.23', 2)).toBe(false);
    expect(problems.below(0, 1)).toBe(true);
    expect(problems.shorter('a', 2)).toBe(true);
    expect(problems.longer('abc', 2)).toBe(true);
    expect(problems.mismatch('ab', '^[A-Z]+$')).toBe(true);
    expect(problems.notEmail('a@b.co')).toBe(false);
    expect(problems.notJson('{')).toBe(true);
  });
});

function trimmed(text: string): string | null {
  return bc.trim(text);
}
