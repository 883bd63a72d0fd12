// The diagnostics machinery: templates, sorting, the text form with code
// frames and notes, the JSON form, did-you-mean, and the never-throw guard
// (BC9001) and unreadable entry (BC0001) that no fixture can express.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/index.js';
import { codes, formatTemplate } from '../../compiler/diagnostics/codes.js';
import { DiagnosticCollector, sortDiagnostics } from '../../compiler/diagnostics/collector.js';
import { closest, didYouMean } from '../../compiler/diagnostics/did-you-mean.js';
import { formatDiagnostics, formatJson } from '../../compiler/diagnostics/printer.js';
import { runGuarded } from '../../compiler/phases/2-analyze/index.js';
import type { Span } from '../../compiler/ir/schema.js';

const span = (file: string, line: number, column: number, offset: number, length = 1): Span => ({
  file,
  line,
  column,
  offset,
  length,
});

describe('code table', () => {
  it('has stable BC codes with a severity and a message', () => {
    for (const [code, info] of Object.entries(codes)) {
      expect(code).toMatch(/^BC\d{4}$/);
      expect(['error', 'warning']).toContain(info.severity);
      expect(info.message.length).toBeGreaterThan(0);
    }
  });

  it('fills templates, dropping an absent hint and keeping other gaps visible', () => {
    expect(formatTemplate('unknown type `{name}`{hint}', { name: 'strin' })).toBe(
      'unknown type `strin`',
    );
    expect(formatTemplate('{a} and {b}', { a: 1 })).toBe('1 and {b}');
  });
});

describe('printer', () => {
  const text = 'app T {\n  title "T"\n}\nentity A {\n  x strin\n}\n';
  const sources = new Map([['m.bitcup', text]]);

  it('prints path:line:col: severity code: message, a code frame and notes, sorted', () => {
    const report = new DiagnosticCollector();
    report.report('BC2004', span('m.bitcup', 5, 5, 44, 5), {
      name: 'strin',
      hint: ' (did you mean `string`?)',
    });
    report.report('BC2003', span('m.bitcup', 1, 5, 4, 1), {}, [span('m.bitcup', 2, 3, 10, 5)]);
    expect(formatDiagnostics(report.diagnostics, { sources })).toBe(
      [
        'm.bitcup:1:5: error BC2003: a program has exactly one `app` declaration',
        '1 | app T {',
        '  |     ^',
        'm.bitcup:2:3: note: first `app` declared here',
        '2 |   title "T"',
        '  |   ^^^^^',
        'm.bitcup:5:5: error BC2004: unknown type `strin` (did you mean `string`?)',
        '5 |   x strin',
        '  |     ^^^^^',
        '',
      ].join('\n'),
    );
  });

  it('sorts by file then position; diagnostics without a span first', () => {
    const report = new DiagnosticCollector();
    report.report('BC2002', span('b.bitcup', 1, 1, 0));
    report.report('BC2002', span('a.bitcup', 3, 1, 20));
    report.report('BC2002', span('a.bitcup', 1, 1, 0));
    report.report('BC0001', undefined, { file: 'x', reason: 'gone' });
    expect(
      sortDiagnostics(report.diagnostics).map((d) => `${d.span?.file}:${d.span?.line}`),
    ).toEqual(['undefined:undefined', 'a.bitcup:1', 'a.bitcup:3', 'b.bitcup:1']);
  });

  it('has a JSON form with positions and notes', () => {
    const report = new DiagnosticCollector();
    report.report('BC2001', span('m.bitcup', 4, 8, 30, 1), { kind: 'type', name: 'A' }, [
      span('m.bitcup', 1, 8, 3),
    ]);
    expect(JSON.parse(formatJson(report.diagnostics))).toEqual([
      {
        code: 'BC2001',
        severity: 'error',
        message: 'type `A` is declared more than once',
        file: 'm.bitcup',
        line: 4,
        column: 8,
        offset: 30,
        length: 1,
        notes: [{ message: 'first declared here', file: 'm.bitcup', line: 1, column: 8 }],
      },
    ]);
  });
});

describe('did you mean', () => {
  it('suggests the closest name within a few edits, else nothing', () => {
    expect(closest('strin', ['string', 'int', 'text'])).toBe('string');
    expect(closest('titel', ['title', 'version'])).toBe('title');
    expect(closest('Strng', ['string'])).toBe('string');
    expect(closest('zzzzzz', ['string', 'int'])).toBeUndefined();
    expect(didYouMean('raed', ['read', 'create'])).toBe(' (did you mean `read`?)');
    expect(didYouMean('qqq', ['read'])).toBe('');
  });
});

describe('never throws', () => {
  it('turns an exception in a pass into BC9001', () => {
    const report = new DiagnosticCollector();
    const ok = runGuarded(report, 'the test pass', () => {
      throw new Error('boom');
    });
    expect(ok).toBe(false);
    expect(report.diagnostics).toEqual([
      {
        code: 'BC9001',
        severity: 'error',
        message: 'internal compiler error in the test pass: boom (please report this bug)',
        notes: [],
      },
    ]);
  });

  it('reports an unreadable entry file as BC0001 without a program', () => {
    const result = compile(join(import.meta.dirname, 'does-not-exist.bitcup'));
    expect(result.program).toBeUndefined();
    expect(result.diagnostics.map((d) => d.code)).toEqual(['BC0001']);
  });
});
