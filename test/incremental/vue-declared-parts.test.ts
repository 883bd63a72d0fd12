// dependsOn must name every IR part a file reads: the incremental builds of
// the vue, fastapi-tests and sql backends skip a file whose declared parts did
// not change. With whole runs of those backends (no generateChanged), the
// emitter lists as `undeclared` every file whose content changed while its
// declared parts did not. Edits: one of every entity gets a string field (a
// row label where views show related rows, a factory column, a table column),
// one of every enum a value.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IncrementalBuilder } from '../../compiler/build.js';
import { fastapiTestsBackend } from '../../compiler/backends/fastapi-tests/index.js';
import { sqlBackend } from '../../compiler/backends/sql/index.js';
import type { Backend } from '../../compiler/backends/types.js';
import { vueBackend } from '../../compiler/backends/vue/index.js';

const root = mkdtempSync(join(tmpdir(), 'bitcup-declared-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const examplesDir = join(import.meta.dirname, '../../examples');
const examples: Record<string, string[]> = {
  blog: ['blog.bitcup'],
  shop: ['shop.bitcup', 'shop-catalog.bitcup'],
  platform: ['platform.bitcup'],
};
// whole runs only: what a file declares is then checked, not trusted
const wholeRuns: Backend[] = [vueBackend, fastapiTestsBackend, sqlBackend].map((b) => ({
  name: b.name,
  generate: b.generate,
}));

/** Every single-place edit of a model file: a field per entity, a value per enum. */
function editsOf(text: string): { name: string; text: string }[] {
  const out: { name: string; text: string }[] = [];
  for (const header of text.matchAll(/^entity (\w+)[^{\n]*\{\n/gm)) {
    const at = header.index + header[0].length;
    for (const field of ['title', 'zzNote']) {
      const body = text.slice(at, text.indexOf('\n}', at));
      if (new RegExp(`^\\s+${field}\\s`, 'm').test(body)) continue;
      out.push({
        name: `${field} on ${header[1]}`,
        text: `${text.slice(0, at)}  ${field} string(30)?\n${text.slice(at)}`,
      });
    }
  }
  for (const decl of text.matchAll(/^enum (\w+) \{([^}\n]*)\}/gm)) {
    const at = decl.index + decl[0].length - 1;
    out.push({
      name: `value of ${decl[1]}`,
      text: `${text.slice(0, at)} zz_extra ${text.slice(at)}`,
    });
  }
  return out;
}

describe.each(Object.keys(examples))('%s', (example) => {
  it('no file of vue, fastapi-tests or sql changes while its declared parts stay the same', () => {
    const dir = join(root, example);
    cpSync(examplesDir, join(dir, 'src'), { recursive: true });
    const builder = new IncrementalBuilder(
      join(dir, 'src', examples[example]![0]!),
      join(dir, 'out'),
      { backends: wholeRuns },
    );
    expect(builder.rebuild().ok).toBe(true);
    const found: string[] = [];
    for (const name of examples[example]!) {
      const file = join(dir, 'src', name);
      const original = readFileSync(file, 'utf8');
      for (const edit of editsOf(original)) {
        writeFileSync(file, edit.text);
        const edited = builder.rebuild();
        writeFileSync(file, original);
        const restored = builder.rebuild();
        expect(edited.ok && restored.ok, edit.name).toBe(true);
        for (const path of [...edited.summary!.undeclared, ...restored.summary!.undeclared])
          found.push(`${edit.name}: ${path}`);
      }
    }
    expect(found).toEqual([]);
  });
});
