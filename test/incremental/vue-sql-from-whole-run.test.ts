// The vue and sql backends keep blocks between runs (types.ts per
// declaration, schema.sql per table). Starting from the files of a whole run
// (the builder's first edit after a cold build) or of the last incremental
// run, generateChanged plus the kept files must equal a clean generate()
// after each edit of the shop example: a field, an enum value, a table name.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../../compiler/index.js';
import { sqlBackend } from '../../compiler/backends/sql/index.js';
import type { BackendContext, GeneratedFile } from '../../compiler/backends/types.js';
import { vueBackend } from '../../compiler/backends/vue/index.js';
import type { PartialBackend } from '../../compiler/incremental/builder.js';
import { changedParts, hashParts, isAffected } from '../../compiler/incremental/parts.js';

const dir = mkdtempSync(join(tmpdir(), 'bitcup-vue-sql-incremental-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
cpSync(join(import.meta.dirname, '../../examples'), dir, { recursive: true });
const entry = join(dir, 'shop.bitcup');
const original = readFileSync(entry, 'utf8');
const context: BackendContext = { previous: { revisions: new Map() }, report: () => {} };

const edits: ((text: string) => string)[] = [
  (t) => t.replace(/^entity Customer[^{\n]*\{\n/m, (m) => `${m}  nickname string(30)?\n`),
  (t) => t.replace(/^enum (\w+) \{ ?/m, (m) => `${m}zz_extra `),
  (t) => t.replace(/^entity Order[^{\n]*\{\n/m, (m) => `${m}  table "order_rows"\n`),
  (t) => t,
];

describe.each([
  ['vue', vueBackend],
  ['sql', sqlBackend],
] as [string, PartialBackend][])('%s', (_, backend) => {
  it.each([
    ['the last incremental run', false],
    ['a whole run', true],
  ])('from %s, each edit equals a clean build', (_label, fromWholeRun) => {
    let text = original;
    writeFileSync(entry, text);
    let program = compile(entry).program!;
    let parts = hashParts(program);
    let clean = backend.generate(program, context);
    let files = clean;
    let changes = 0;
    for (const edit of edits) {
      const next = edit(text);
      if (next !== text) changes++;
      text = next;
      writeFileSync(entry, text);
      program = compile(entry).program!;
      const nextParts = hashParts(program);
      const changed = changedParts(parts, nextParts);
      const previous = fromWholeRun ? clean : files;
      const fresh = backend.generateChanged(program, context, changed, nextParts, previous);
      clean = backend.generate(program, context);
      const freshPaths = new Set(fresh.map((f) => f.path));
      const kept = previous.filter((f) => !freshPaths.has(f.path));
      expect(kept.filter((f) => isAffected(f.dependsOn, changed, nextParts))).toEqual([]);
      files = [...kept, ...fresh].sort((a: GeneratedFile, b: GeneratedFile) =>
        a.path < b.path ? -1 : 1,
      );
      expect(files).toEqual(clean);
      parts = nextParts;
    }
    expect(changes).toBe(3);
  });
});
