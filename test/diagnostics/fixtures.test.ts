// Diagnostic fixtures: each folder under fixtures/ holds input.bitcup (plus
// any files it imports) and expected.json, the list of every diagnostic the
// compiler must report: file, code, severity, line, column. The folder name starts
// with the code it is about. UPDATE_SNAPSHOTS=1 rewrites expected.json (then
// review the diff). A meta-test checks that every code of the table has a
// fixture or is asserted by another suite.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/index.js';
import { codes } from '../../compiler/diagnostics/codes.js';
import { codesAssertedElsewhere, rangesAssertedElsewhere } from './external-codes.js';

const root = join(import.meta.dirname, '..', '..');
const fixtures = join(import.meta.dirname, 'fixtures');
const cases = readdirSync(fixtures).sort();
const update = process.env.UPDATE_SNAPSHOTS === '1';

interface Expected {
  file: string;
  code: string;
  severity: string;
  line: number;
  column: number;
}

describe.each(cases)('fixture %s', (name) => {
  it('reports exactly the expected diagnostics', () => {
    const dir = join(fixtures, name);
    const result = compile(join(dir, 'input.bitcup'));
    const actual: Expected[] = result.diagnostics.map((d) => ({
      file: d.span?.file ?? '',
      code: d.code,
      severity: d.severity,
      line: d.span?.line ?? 0,
      column: d.span?.column ?? 0,
    }));
    const file = join(dir, 'expected.json');
    if (update || !existsSync(file)) writeFileSync(file, JSON.stringify(actual, null, 2) + '\n');
    const expected = JSON.parse(readFileSync(file, 'utf8')) as Expected[];
    expect(actual).toEqual(expected);
    // the case is about its code, and an error means no program
    expect(actual.map((d) => d.code)).toContain(name.slice(0, 6));
    const hasError = actual.some((d) => d.severity === 'error');
    expect(result.program === undefined).toBe(hasError);
    for (const d of result.diagnostics) {
      expect(d.message).not.toMatch(/\{\w+\}/); // every template argument given
      expect(d.code).toMatch(/^BC\d{4}$/);
    }
  });
});

describe('code table', () => {
  it('has at least 40 error fixtures', () => {
    const errorCases = cases.filter((c) => {
      const expected = JSON.parse(
        readFileSync(join(fixtures, c, 'expected.json'), 'utf8'),
      ) as Expected[];
      return expected.some((d) => d.severity === 'error');
    });
    expect(errorCases.length).toBeGreaterThanOrEqual(40);
  });

  it('every code has a fixture or is asserted by another suite', () => {
    const covered = new Set(cases.map((c) => c.slice(0, 6)));
    const missing = Object.keys(codes).filter(
      (code) =>
        !covered.has(code) &&
        !(code in codesAssertedElsewhere) &&
        !Object.keys(rangesAssertedElsewhere).some((range) => code.startsWith(range)),
    );
    expect(missing).toEqual([]);
    for (const [code, suite] of Object.entries(codesAssertedElsewhere)) {
      expect(code in codes, `${code} is in the table`).toBe(true);
      expect(readFileSync(join(root, suite), 'utf8')).toContain(code);
    }
  });

  it('fixture folders name codes of the table', () => {
    for (const c of cases) expect(Object.keys(codes)).toContain(c.slice(0, 6));
  });
});
