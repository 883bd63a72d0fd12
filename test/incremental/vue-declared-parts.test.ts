// dependsOn must name every IR part a file reads: the incremental builds of
// the vue, fastapi-tests and sql backends skip a file whose declared parts did
// not change. With whole runs of those backends (no generateChanged), the
// emitter lists as `undeclared` every file whose content changed while its
// declared parts did not. Edits: one of every entity gets a string field (a
// row label where views show related rows, a factory column, a table column),
// one of every enum a value, one of every view a list item less or a copy
// before it, one of every flow a guard. Then, with the real (incremental) vue
// backend: a view or flow edit of one entity remakes no file of another
// entity, except detail views listing its rows (they read its first views).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IncrementalBuilder } from '../../compiler/build.js';
import { fastapiTestsBackend } from '../../compiler/backends/fastapi-tests/index.js';
import { sqlBackend } from '../../compiler/backends/sql/index.js';
import type { Backend } from '../../compiler/backends/types.js';
import { vueBackend } from '../../compiler/backends/vue/index.js';
import type { PartialBackend } from '../../compiler/incremental/builder.js';
import type { Program } from '../../compiler/ir/schema.js';
import { kebab } from '../../compiler/names.js';

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

interface Edit {
  name: string;
  text: string;
  /** a view or flow edit: the entity whose `views:` / `flows:` share it changes */
  entity?: string;
  kind?: 'view' | 'flow';
}

/**
 * Every single-place edit of a model file: a field per entity, a value per
 * enum; per view, its last column / field / action / related list dropped and
 * a copy (without its path) put before it (the entity's first view of that
 * kind changes); per flow, a guard on a transition that has none.
 */
function editsOf(text: string): Edit[] {
  const out: Edit[] = [];
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
  for (const header of text.matchAll(/^view (\w+) (\w+)(?: (\w+))?[^{\n]*\{/gm)) {
    const [, name, , entity] = header;
    const start = header.index;
    const lineEnd = text.indexOf('\n', start);
    const end = text.slice(start, lineEnd).includes('}') ? lineEnd : text.indexOf('\n}', start) + 2;
    const view = text.slice(start, end);
    const edit = (what: string, edited: string) =>
      out.push({
        name: `${what} of view ${name}`,
        text: text.slice(0, start) + edited + text.slice(end),
        ...(entity !== undefined ? { entity, kind: 'view' as const } : {}),
      });
    for (const list of view.matchAll(/\b(columns|fields|actions|related) [\w.]+((?:, [\w.]+)+)/g)) {
      // (a form must keep its required fields)
      if (header[2] === 'form' && list[1] === 'fields') continue;
      const cut = list.index + list[0].lastIndexOf(', ');
      edit(`last of ${list[1]}`, view.slice(0, cut) + view.slice(list.index + list[0].length));
    }
    const path = `/zz-${name!.toLowerCase()}${header[2] === 'detail' ? '/:id' : ''}`;
    const copy = view
      .replace(/^\s*path "[^"]*"\n/m, '')
      .replace(`view ${name} `, `view Zz${name} `)
      .replace('{', `{ path "${path}"`);
    edit('a copy before', `${copy}\n\n${view}`);
  }
  for (const flow of text.matchAll(/^flow \w+ for (\w+)\.\w+ \{\n([\s\S]*?)\n\}/gm)) {
    const bodyAt = flow.index + flow[0].indexOf('{') + 2;
    for (const line of flow[2]!.matchAll(/^.*-> *\w+ +as (\w+)(?!.* if )/gm)) {
      const at = bodyAt + line.index + line[0].length;
      out.push({
        name: `guard on ${line[1]} of ${flow[1]}`,
        text: `${text.slice(0, at)}  if currentUser != null${text.slice(at)}`,
        entity: flow[1],
        kind: 'flow',
      });
    }
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
        expect(
          edited.ok && restored.ok,
          `${edit.name}: ${edited.diagnostics.map((d) => d.message).join(' | ')}`,
        ).toBe(true);
        for (const path of [...edited.summary!.undeclared, ...restored.summary!.undeclared])
          found.push(`${edit.name}: ${path}`);
      }
    }
    expect(found).toEqual([]);
  });
});

/**
 * The entity a vue file belongs to (its API client, store, store spec, or a
 * view of it), and whether an edit of `edited`'s views may still remake it:
 * a detail view listing `edited`'s rows (it links to their first detail and
 * form) or a list naming one of its views as `detailView`.
 */
function ownerOf(
  program: Program,
  path: string,
): { entity: string; readsViewsOf: (edited: string) => boolean } | undefined {
  const client = /^frontend\/src\/(?:api\/(.+)\.api|stores\/(.+)\.store(?:\.spec)?)\.ts$/.exec(
    path,
  );
  if (client) {
    const file = client[1] ?? client[2];
    const entity = program.entities.find((e) => kebab(e.name) === file);
    return entity && { entity: entity.name, readsViewsOf: () => false };
  }
  const component = /^frontend\/src\/views\/(\w+)\.vue$/.exec(path)?.[1];
  const view = program.views.find((v) => v.component === component);
  if (view?.entity === undefined) return undefined;
  const entity = program.entities.find((e) => e.name === view.entity)!;
  return {
    entity: view.entity,
    readsViewsOf: (edited) =>
      view.related.some((name) => {
        const type = entity.fields.find((f) => f.name === name)?.type;
        return type?.kind === 'relation' && type.target === edited;
      }) || program.views.some((v) => v.name === view.detailView && v.entity === edited),
  };
}

describe.each(Object.keys(examples))('%s', (example) => {
  it('a view or flow edit of one entity remakes no vue file of another entity', () => {
    const dir = join(root, `${example}-others`);
    cpSync(examplesDir, join(dir, 'src'), { recursive: true });
    const made: string[] = [];
    const recording: PartialBackend = {
      ...vueBackend,
      generateChanged: (...args) => {
        const files = vueBackend.generateChanged(...args);
        made.push(...files.map((f) => f.path));
        return files;
      },
    };
    const builder = new IncrementalBuilder(
      join(dir, 'src', examples[example]![0]!),
      join(dir, 'out'),
      { backends: [recording] },
    );
    expect(builder.rebuild().ok).toBe(true);
    const found: string[] = [];
    let edits = 0;
    for (const name of examples[example]!) {
      const file = join(dir, 'src', name);
      const original = readFileSync(file, 'utf8');
      for (const edit of editsOf(original)) {
        if (edit.entity === undefined) continue;
        edits++;
        made.length = 0;
        writeFileSync(file, edit.text);
        const edited = builder.rebuild();
        const madeByEdit = [...made];
        writeFileSync(file, original);
        expect(edited.ok && builder.rebuild().ok, edit.name).toBe(true);
        // the edit's own view is made: the recording saw this run
        expect(madeByEdit.length, edit.name).toBeGreaterThan(0);
        for (const path of madeByEdit) {
          const owner = ownerOf(edited.program!, path);
          if (owner === undefined || owner.entity === edit.entity) continue;
          if (edit.kind === 'view' && owner.readsViewsOf(edit.entity)) continue;
          found.push(`${edit.name}: ${path}`);
        }
      }
    }
    expect(edits).toBeGreaterThan(0);
    expect(found).toEqual([]);
  });
});
