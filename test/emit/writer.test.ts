// The emitter on hand-made file lists: what it writes, keeps, merges, removes.
import {
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
  mkdirSync,
  existsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GeneratedFile } from '../../compiler/backends/types.js';
import {
  MANIFEST_PATH,
  PRISTINE_DIR,
  readManifest,
  readPristine,
} from '../../compiler/emit/manifest.js';
import { writeOutput, type EmitOptions } from '../../compiler/emit/writer.js';

let out: string;
beforeEach(() => {
  out = mkdtempSync(join(tmpdir(), 'bitcup-emit-'));
});
afterEach(() => {
  rmSync(out, { recursive: true, force: true });
});

const gen = (path: string, content: string, dependsOn = ['app']): GeneratedFile => ({
  path,
  content,
  ownership: 'generated',
  dependsOn,
});
const read = (path: string) => readFileSync(join(out, path), 'utf8');
const emit = (files: GeneratedFile[], options: Partial<EmitOptions> = {}) =>
  writeOutput(out, files, { force: false, ...options });
const codes = (summary: { diagnostics: { code: string }[] }) =>
  summary.diagnostics.map((d) => d.code);

/** Every file under out (manifest included), sorted, with its content. */
function tree(dir = out, prefix = ''): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) Object.assign(files, tree(full, `${prefix}${name}/`));
    else files[`${prefix}${name}`] = readFileSync(full, 'utf8');
  }
  return files;
}

/** The manifest as the next build reads it (manifest.json, then its journal). */
const manifestOf = (dir = out) => readManifest(dir).manifest;
const pathsOf = () => [...manifestOf().files.keys()];

/** The pristine content the manifest keeps for `path` (from the journal or the content-addressed store). */
function pristineOf(path: string): string | undefined {
  const manifest = manifestOf();
  const entry = manifest.files.get(path);
  return entry && (manifest.pristine?.get(entry.hash) ?? readPristine(out, entry.hash));
}

/** The content-addressed store's file names (sha256 hashes), sorted. */
const store = () =>
  existsSync(join(out, PRISTINE_DIR)) ? readdirSync(join(out, PRISTINE_DIR)).sort() : [];

const model = 'line 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\n';

describe('writing generated files', () => {
  it('writes every file once, then nothing when the output is the same', () => {
    const files = [gen('b/two.py', 'two\n'), gen('a/one.ts', 'one\n'), gen('z.txt', 'z\n')];
    const first = emit(files);
    expect(first.written).toEqual(['a/one.ts', 'b/two.py', 'z.txt']);
    expect(first.diagnostics).toEqual([]);
    const manifestBefore = read(MANIFEST_PATH);
    const mtime = statSync(join(out, 'a/one.ts')).mtimeMs;

    const second = emit(files);
    expect(second.written).toEqual([]);
    expect(second.unchanged).toEqual(['a/one.ts', 'b/two.py', 'z.txt']);
    expect(read(MANIFEST_PATH)).toBe(manifestBefore);
    expect(statSync(join(out, 'a/one.ts')).mtimeMs).toBe(mtime);
  });

  it('rewrites only the files whose content changed', () => {
    emit([gen('a.txt', 'a\n'), gen('b.txt', 'b\n')]);
    const summary = emit([gen('a.txt', 'a\n'), gen('b.txt', 'B\n')]);
    expect(summary.written).toEqual(['b.txt']);
    expect(summary.unchanged).toEqual(['a.txt']);
    expect(read('b.txt')).toBe('B\n');
  });

  it('keeps the pristine content and hash in a deterministic manifest', () => {
    const files = [gen('z.txt', 'z\n', ['entity:B', 'app']), gen('a.txt', 'a "quoted"\n')];
    emit(files);
    const first = read(MANIFEST_PATH);
    const parsed = JSON.parse(first);
    expect(Object.keys(parsed.files)).toEqual(['a.txt', 'z.txt']);
    expect(parsed.files['a.txt'].content).toBeUndefined();
    expect(pristineOf('a.txt')).toBe('a "quoted"\n');
    expect(parsed.files['z.txt'].dependsOn).toEqual(['app', 'entity:B']);
    expect(parsed.files['a.txt'].hash).toMatch(/^[0-9a-f]{64}$/);
    // another folder, files given in another order: the same bytes
    const other = mkdtempSync(join(tmpdir(), 'bitcup-emit-'));
    writeOutput(other, [...files].reverse(), { force: false });
    expect(readFileSync(join(other, MANIFEST_PATH), 'utf8')).toBe(first);
    rmSync(other, { recursive: true, force: true });
    expect(readPristine(out, readManifest(out).manifest.files.get('a.txt')!.hash)).toBe(
      'a "quoted"\n',
    );
  });

  it('stores each pristine content once by hash and drops the ones no file refers to', () => {
    // with no room for a journal: every emit writes manifest.json and the store
    const compacting = { journalLimit: 0 };
    emit([gen('a.txt', 'same\n'), gen('b.txt', 'same\n'), gen('c.txt', 'c\n')], compacting);
    expect(store()).toHaveLength(2); // a.txt and b.txt share one content
    const before = store();
    const summary = emit(
      [gen('a.txt', 'same\n'), gen('b.txt', 'B\n'), gen('c.txt', 'c\n')],
      compacting,
    );
    expect(summary.written).toEqual(['b.txt']);
    // the shared content is still referenced by a.txt; B is new
    expect(store()).toHaveLength(3);
    expect(before.every((h) => store().includes(h))).toBe(true);
    emit([gen('b.txt', 'B\n')], compacting);
    expect(store()).toHaveLength(1);
    expect(pristineOf('b.txt')).toBe('B\n');
    expect(JSON.parse(read(MANIFEST_PATH)).version).toBe(2);
  });

  it('moves a version 1 manifest (contents inline) to the store and still merges from it', () => {
    emit([gen('m.py', model)]);
    const manifest = JSON.parse(read(MANIFEST_PATH));
    manifest.version = 1;
    manifest.files['m.py'].content = model;
    writeFileSync(join(out, MANIFEST_PATH), JSON.stringify(manifest));
    rmSync(join(out, PRISTINE_DIR), { recursive: true });
    writeFileSync(join(out, 'm.py'), model.replace('line 2\n', 'line 2\n# mine\n'));
    const next = model.replace('line 7', 'line seven');
    const summary = emit([gen('m.py', next)]);
    expect(summary.merged).toEqual(['m.py']);
    expect(read('m.py')).toBe(next.replace('line 2\n', 'line 2\n# mine\n'));
    expect(JSON.parse(read(MANIFEST_PATH)).version).toBe(2);
    expect(JSON.parse(read(MANIFEST_PATH)).files['m.py'].content).toBeUndefined();
    expect(pristineOf('m.py')).toBe(next);
  });

  it('treats a user-edited file whose pristine content was lost as not ours (never overwrites it)', () => {
    emit([gen('m.py', model)]);
    rmSync(join(out, PRISTINE_DIR), { recursive: true });
    writeFileSync(join(out, 'm.py'), `${model}# mine\n`);
    const summary = emit([gen('m.py', model.replace('line 7', 'line seven'))]);
    expect(codes(summary)).toEqual(['BC8005']);
    expect(read('m.py')).toBe(`${model}# mine\n`);
  });

  it('never merges against a pristine content that does not match its hash', () => {
    emit([gen('m.py', model)]);
    const hash = JSON.parse(read(MANIFEST_PATH)).files['m.py'].hash as string;
    const mine = model.replace('line 2\n', 'line 2\n# mine\n');
    // a damaged base equal to the user's file would make the merge drop the edit
    writeFileSync(join(out, PRISTINE_DIR, hash), mine);
    writeFileSync(join(out, 'm.py'), mine);
    const summary = emit([gen('m.py', model.replace('line 7', 'line seven'))]);
    expect(codes(summary)).toEqual(['BC8005']);
    expect(read('m.py')).toBe(mine);
  });

  it('drops a torn pristine file and stores the content again when it comes back', () => {
    emit([gen('m.py', model)]);
    const hash = JSON.parse(read(MANIFEST_PATH)).files['m.py'].hash as string;
    // the store writes in place: a crash can leave a file cut short
    writeFileSync(join(out, PRISTINE_DIR, hash), model.slice(0, 10));
    writeFileSync(join(out, 'm.py'), `${model}# mine\n`);
    const next = model.replace('line 7', 'line seven');
    expect(codes(emit([gen('m.py', next)]))).toEqual(['BC8005']); // no base: not ours
    expect(existsSync(join(out, PRISTINE_DIR, hash))).toBe(false);
    // the user gives the file back; a build producing the first content stores it again
    writeFileSync(join(out, 'm.py'), model);
    emit([gen('m.py', model)], { force: true });
    expect(pristineOf('m.py')).toBe(model);
  });

  it('refuses output paths inside the pristine store', () => {
    const summary = emit([gen('.bitcup/pristine/x', 'x\n')]);
    expect(codes(summary)).toEqual(['BC8002']);
  });

  it('writes with the requested mode and leaves no temp file behind', () => {
    emit([{ ...gen('run.sh', '#!/bin/sh\n'), mode: 0o755 }, gen('x/y/z.txt', 'z\n')]);
    expect(statSync(join(out, 'run.sh')).mode & 0o777).toBe(0o755);
    expect(statSync(join(out, 'x/y/z.txt')).mode & 0o777).toBe(0o644);
    expect(Object.keys(tree()).filter((p) => p.includes('tmp'))).toEqual([]);
  });

  it('recreates a generated file the user deleted', () => {
    emit([gen('a.txt', 'a\n')]);
    rmSync(join(out, 'a.txt'));
    expect(emit([gen('a.txt', 'a\n')]).written).toEqual(['a.txt']);
    expect(read('a.txt')).toBe('a\n');
  });
});

describe('removing files that are no longer generated', () => {
  it('removes them and their emptied folders', () => {
    emit([gen('keep.txt', 'k\n'), gen('deep/er/gone.txt', 'g\n')]);
    const summary = emit([gen('keep.txt', 'k\n')]);
    expect(summary.removed).toEqual(['deep/er/gone.txt']);
    expect(existsSync(join(out, 'deep'))).toBe(false);
    expect(pathsOf()).toEqual(['keep.txt']);
  });

  it('leaves a removed file the user edited in place and says so', () => {
    emit([gen('gone.txt', 'g\n')]);
    writeFileSync(join(out, 'gone.txt'), 'g\nmine\n');
    const summary = emit([]);
    expect(summary.removed).toEqual([]);
    expect(summary.kept).toEqual(['gone.txt']);
    expect(codes(summary)).toEqual(['BC8006']);
    expect(summary.diagnostics[0]!.severity).toBe('warning');
    expect(read('gone.txt')).toBe('g\nmine\n');
  });
});

describe('user-owned files and migration revisions', () => {
  for (const ownership of ['user', 'history'] as const) {
    it(`creates a '${ownership}' file once and never touches or removes it`, () => {
      const file = (content: string): GeneratedFile => ({
        path: 'custom/stub.py',
        content,
        ownership,
        dependsOn: ['app'],
      });
      expect(emit([file('stub v1\n')]).written).toEqual(['custom/stub.py']);
      writeFileSync(join(out, 'custom/stub.py'), 'my code\n');
      const again = emit([file('stub v2\n')]);
      expect(again.written).toEqual([]);
      expect(read('custom/stub.py')).toBe('my code\n');
      const gone = emit([]);
      expect(gone.removed).toEqual([]);
      expect(read('custom/stub.py')).toBe('my code\n');
      expect(pathsOf()).toEqual([]);
    });
  }

  it('never writes migration revisions with skipHistory (bitcup dev)', () => {
    const summary = emit(
      [
        {
          path: 'backend/alembic/versions/0001_initial.py',
          content: 'r\n',
          ownership: 'history',
          dependsOn: [],
        },
        gen('a.txt', 'a\n'),
      ],
      { skipHistory: true },
    );
    expect(summary.written).toEqual(['a.txt']);
    expect(existsSync(join(out, 'backend/alembic'))).toBe(false);
  });
});

describe('user edits in generated files', () => {
  it('merges an edit that does not overlap the new output', () => {
    emit([gen('m.py', model)]);
    writeFileSync(join(out, 'm.py'), model.replace('line 2\n', 'line 2\n# my comment\n'));
    const next = model.replace('line 7', 'line seven');
    const summary = emit([gen('m.py', next)]);
    expect(summary.merged).toEqual(['m.py']);
    expect(summary.written).toEqual(['m.py']);
    expect(summary.diagnostics).toEqual([]);
    expect(read('m.py')).toBe(next.replace('line 2\n', 'line 2\n# my comment\n'));
    // the base for the next merge is the new output, not the merged file
    expect(pristineOf('m.py')).toBe(next);
    // and the edit survives the next change too
    const third = next.replace('line 5', 'line five');
    emit([gen('m.py', third)]);
    expect(read('m.py')).toBe(third.replace('line 2\n', 'line 2\n# my comment\n'));
  });

  it('keeps the edit when the output does not change', () => {
    emit([gen('m.py', model)]);
    writeFileSync(join(out, 'm.py'), `${model}# mine\n`);
    const summary = emit([gen('m.py', model)]);
    expect(summary.written).toEqual([]);
    expect(read('m.py')).toBe(`${model}# mine\n`);
  });

  it('leaves a conflicting file untouched with BC8004, and --force keeps it as .orig', () => {
    emit([gen('m.py', model)]);
    const mine = model.replace('line 4', 'line 4 (mine)');
    writeFileSync(join(out, 'm.py'), mine);
    const next = model.replace('line 4', 'line 4 (new)');
    const summary = emit([gen('m.py', next), gen('other.txt', 'o\n')]);
    expect(codes(summary)).toEqual(['BC8004']);
    expect(summary.diagnostics[0]!.severity).toBe('error');
    expect(summary.diagnostics[0]!.message).toContain('m.py');
    expect(summary.conflicts).toEqual(['m.py']);
    expect(summary.written).toEqual(['other.txt']);
    expect(read('m.py')).toBe(mine);
    // the base stays the old output, so the conflict is found again
    expect(pristineOf('m.py')).toBe(model);
    expect(codes(emit([gen('m.py', next), gen('other.txt', 'o\n')]))).toEqual(['BC8004']);

    const forced = emit([gen('m.py', next), gen('other.txt', 'o\n')], { force: true });
    expect(forced.diagnostics).toEqual([]);
    expect(forced.saved).toEqual(['m.py.orig']);
    expect(read('m.py')).toBe(next);
    expect(read('m.py.orig')).toBe(mine);

    // a second forced conflict never overwrites the first saved file
    const mine2 = next.replace('line 4 (new)', 'line 4 (mine again)');
    writeFileSync(join(out, 'm.py'), mine2);
    const again = emit([gen('m.py', model.replace('line 4', 'line 4 (newer)'))], { force: true });
    expect(again.saved).toEqual(['m.py.orig.1']);
    expect(read('m.py.orig')).toBe(mine);
    expect(read('m.py.orig.1')).toBe(mine2);
  });

  it('does not overwrite a file it did not write (BC8005), unless forced', () => {
    mkdirSync(join(out, 'src'));
    writeFileSync(join(out, 'src/app.ts'), 'theirs\n');
    writeFileSync(join(out, 'src/same.ts'), 'same\n');
    const summary = emit([gen('src/app.ts', 'ours\n'), gen('src/same.ts', 'same\n')]);
    expect(codes(summary)).toEqual(['BC8005']);
    expect(summary.unchanged).toEqual(['src/same.ts']);
    expect(read('src/app.ts')).toBe('theirs\n');
    emit([gen('src/app.ts', 'ours\n'), gen('src/same.ts', 'same\n')], { force: true });
    expect(read('src/app.ts')).toBe('ours\n');
    expect(read('src/app.ts.orig')).toBe('theirs\n');
  });
});

describe('never throwing', () => {
  it('reports invalid and duplicate paths and writes the rest', () => {
    const summary = emit([
      gen('../escape.txt', 'x'),
      gen('/abs.txt', 'x'),
      gen('a/./b.txt', 'x'),
      gen('.bitcup/manifest.json', 'x'),
      { ...gen('dup.txt', 'first\n'), backend: 'sql' } as GeneratedFile,
      { ...gen('dup.txt', 'second\n'), backend: 'vue' } as GeneratedFile,
      gen('fine.txt', 'fine\n'),
    ]);
    expect(codes(summary).sort()).toEqual(['BC8002', 'BC8002', 'BC8002', 'BC8002', 'BC8003']);
    expect(summary.diagnostics.find((d) => d.code === 'BC8003')!.message).toContain('sql and vue');
    expect(summary.written).toEqual(['dup.txt', 'fine.txt']);
    expect(read('dup.txt')).toBe('first\n');
    expect(existsSync(join(out, '..', 'escape.txt'))).toBe(false);
  });

  it('turns an I/O error into BC8001 and keeps the file as it was', () => {
    mkdirSync(join(out, 'blocked/inside'), { recursive: true });
    const summary = emit([gen('blocked', 'a file where a folder is\n'), gen('ok.txt', 'ok\n')]);
    expect(codes(summary)).toEqual(['BC8001']);
    expect(statSync(join(out, 'blocked')).isDirectory()).toBe(true);
    expect(summary.written).toEqual(['ok.txt']);
    expect(Object.keys(tree()).filter((p) => p.includes('tmp'))).toEqual([]);
  });

  it('reports a file it cannot remove (BC8008) and keeps it in the manifest', () => {
    emit([gen('keep.txt', 'k\n'), gen('gone.txt', 'g\n')]);
    rmSync(join(out, 'gone.txt'));
    mkdirSync(join(out, 'gone.txt')); // a folder where the file was: not ours to remove
    const summary = emit([gen('keep.txt', 'k\n')]);
    expect(codes(summary)).toEqual(['BC8008']);
    expect(summary.removed).toEqual([]);
    expect(statSync(join(out, 'gone.txt')).isDirectory()).toBe(true);
    expect(pathsOf()).toEqual(['gone.txt', 'keep.txt']);
  });

  it('reports an unusable manifest (BC8007) and carries on', () => {
    emit([gen('a.txt', 'a\n')]);
    writeFileSync(join(out, MANIFEST_PATH), '{ not json');
    const summary = emit([gen('a.txt', 'a\n')]);
    expect(codes(summary)).toEqual(['BC8007']);
    expect(summary.unchanged).toEqual(['a.txt']);
    expect(pristineOf('a.txt')).toBe('a\n');
  });
});
