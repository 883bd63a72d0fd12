import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import {
  clearParseCache,
  loadProgram,
  parseCacheStats,
} from '../../compiler/phases/1-load/index.js';

const root = mkdtempSync(join(tmpdir(), 'bitcup-load-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** In-memory files under the temp root (nothing of them exists on disk). */
function files(entries: Record<string, string>): Map<string, string> {
  return new Map(Object.entries(entries).map(([path, text]) => [join(root, path), text]));
}

beforeEach(() => clearParseCache());

describe('loadProgram', () => {
  it('loads imports depth first, each file once, with relative paths', () => {
    const result = loadProgram(join(root, 'main.bitcup'), {
      files: files({
        'main.bitcup': 'import "./lib/a.bitcup"\nimport "./b.bitcup"\napp M { title "m" }',
        'lib/a.bitcup': 'import "../b.bitcup"\nenum A { x }',
        'b.bitcup': 'enum B { y }',
      }),
    });
    expect(result.diagnostics).toEqual([]);
    expect(result.modules.map((m) => m.path)).toEqual(['main.bitcup', 'lib/a.bitcup', 'b.bitcup']);
    expect(result.modules[1]!.absPath).toBe(join(root, 'lib/a.bitcup'));
    expect(result.modules[1]!.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(result.modules[1]!.ast.declarations[0]!.span.file).toBe('lib/a.bitcup');
  });

  it('reads from disk when no in-memory file is given', () => {
    const dir = join(root, 'disk');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'main.bitcup'), 'import "./other.bitcup"\napp D { title "d" }');
    writeFileSync(join(dir, 'other.bitcup'), 'enum E { a b }');
    const result = loadProgram(join(dir, 'main.bitcup'));
    expect(result.diagnostics).toEqual([]);
    expect(result.modules.map((m) => m.text)).toEqual([
      'import "./other.bitcup"\napp D { title "d" }',
      'enum E { a b }',
    ]);
  });

  it('reports a missing import at the import', () => {
    const result = loadProgram(join(root, 'main.bitcup'), {
      files: files({ 'main.bitcup': 'app M { title "m" }\nimport "./nope.bitcup"' }),
    });
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        code: 'BC1007',
        message: 'cannot find imported file `./nope.bitcup`',
        span: expect.objectContaining({ file: 'main.bitcup', line: 2, column: 8 }),
      }),
    ]);
    expect(result.modules).toHaveLength(1);
  });

  it('reports a missing entry without a span and without throwing', () => {
    const result = loadProgram(join(root, 'absent.bitcup'));
    expect(result.modules).toEqual([]);
    expect(result.diagnostics.map((d) => d.code)).toEqual(['BC0001']);
    expect(result.diagnostics[0]!.span).toBeUndefined();
  });

  it('reports a folder given as an import', () => {
    mkdirSync(join(root, 'folder.bitcup'), { recursive: true });
    const result = loadProgram(join(root, 'main.bitcup'), {
      files: files({ 'main.bitcup': 'import "./folder.bitcup"' }),
    });
    expect(result.diagnostics.map((d) => d.code)).toEqual(['BC1007']);
  });

  it('reports import cycles with the chain', () => {
    const result = loadProgram(join(root, 'a.bitcup'), {
      files: files({
        'a.bitcup': 'import "./b.bitcup"\napp A { title "a" }',
        'b.bitcup': 'import "./c.bitcup"',
        'c.bitcup': 'import "./a.bitcup"',
      }),
    });
    expect(result.diagnostics).toEqual([
      expect.objectContaining({
        code: 'BC1008',
        message: 'import cycle: a.bitcup -> b.bitcup -> c.bitcup -> a.bitcup',
        span: expect.objectContaining({ file: 'c.bitcup', line: 1, column: 8 }),
      }),
    ]);
    expect(result.modules.map((m) => m.path)).toEqual(['a.bitcup', 'b.bitcup', 'c.bitcup']);
  });

  it('reports a file importing itself', () => {
    const result = loadProgram(join(root, 'self.bitcup'), {
      files: files({ 'self.bitcup': 'import "./self.bitcup"' }),
    });
    expect(result.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ['BC1008', 'import cycle: self.bitcup -> self.bitcup'],
    ]);
  });

  it('rejects non-relative imports and other extensions', () => {
    const result = loadProgram(join(root, 'main.bitcup'), {
      files: files({
        'main.bitcup': 'import "shop.bitcup"\nimport "/abs/x.bitcup"\nimport "./x.txt"',
      }),
    });
    expect(result.diagnostics.map((d) => [d.code, d.span?.line])).toEqual([
      ['BC1009', 1],
      ['BC1009', 2],
      ['BC1010', 3],
    ]);
  });

  it('passes on syntax diagnostics of every module', () => {
    const result = loadProgram(join(root, 'main.bitcup'), {
      files: files({ 'main.bitcup': 'import "./m.bitcup"', 'm.bitcup': 'entity A { x }' }),
    });
    expect(result.diagnostics.map((d) => [d.code, d.span?.file])).toEqual([['BC1004', 'm.bitcup']]);
  });
});

describe('parse cache', () => {
  it('re-parses only files whose content changed', () => {
    const entry = join(root, 'main.bitcup');
    const v1 = files({
      'main.bitcup': 'import "./m.bitcup"\napp M { title "m" }',
      'm.bitcup': 'enum A { x }',
    });
    const first = loadProgram(entry, { files: v1 });
    expect(parseCacheStats()).toMatchObject({ hits: 0, misses: 2 });

    const second = loadProgram(entry, { files: v1 });
    expect(parseCacheStats()).toMatchObject({ hits: 2, misses: 2 });
    // the very same AST objects: nothing was parsed again
    expect(second.modules[1]!.ast).toBe(first.modules[1]!.ast);

    const v2 = new Map(v1).set(join(root, 'm.bitcup'), 'enum A { x y }');
    const third = loadProgram(entry, { files: v2 });
    expect(parseCacheStats()).toMatchObject({ hits: 3, misses: 3, entries: 2 });
    expect(third.modules[0]!.ast).toBe(first.modules[0]!.ast);
    expect(third.modules[1]!.ast).not.toBe(first.modules[1]!.ast);
    const values = third.modules[1]!.ast.declarations[0]!;
    expect(values.kind === 'enum' && values.values.map((v) => v.name)).toEqual(['x', 'y']);
  });
});
