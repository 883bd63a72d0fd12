// bitcup watch (programmatic): rebuilds on save, prints a summary line, and
// keeps the last good output while the model has errors.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { watchModel, type ModelWatcher } from '../../compiler/cli/commands/watch.js';
import type { BuildResult } from '../../compiler/incremental/builder.js';
import { fakeBackend, fakeFrontEnd, type FakeModel } from './fake-model.js';

let dir: string;
let watcher: ModelWatcher | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bitcup-watch-'));
});
afterEach(async () => {
  await watcher?.close();
  rmSync(dir, { recursive: true, force: true });
});

async function until(probe: () => true | undefined, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (probe() === undefined) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const model: FakeModel = { app: 'Blog', entities: [{ name: 'Post', fields: ['title'] }] };

it('rebuilds on save and keeps the last good output while there are errors', async () => {
  const entry = join(dir, 'blog.bitcup');
  const out = join(dir, 'out');
  writeFileSync(entry, JSON.stringify(model));
  const lines: string[] = [];
  const builds: BuildResult[] = [];
  let notify: (() => void) | undefined;
  const nextBuild = () => new Promise<void>((done) => (notify = done));
  watcher = watchModel(entry, out, {
    frontEnd: fakeFrontEnd,
    backends: [fakeBackend],
    debounceMs: 20,
    print: (diagnostics, summary) =>
      lines.push(...diagnostics.map((d) => `${d.code} ${d.message}`), summary),
    onBuild: (result) => {
      builds.push(result);
      notify?.();
    },
  });
  await watcher.ready;
  expect(lines.at(-1)).toMatch(/^bitcup: 3 written, 0 unchanged, 0 removed in \d+ ms$/);

  let built = nextBuild();
  writeFileSync(
    entry,
    JSON.stringify({ ...model, entities: [{ name: 'Post', fields: ['title', 'body'] }] }),
  );
  await built;
  expect(lines.at(-1)).toMatch(/^bitcup: 1 written, 2 unchanged, 0 removed in \d+ ms$/);
  expect(readFileSync(join(out, 'models/post.py'), 'utf8')).toContain('body: str');

  built = nextBuild();
  writeFileSync(entry, '{ broken');
  await built;
  expect(builds.at(-1)!.ok).toBe(false);
  expect(lines.at(-2)).toMatch(/^BC1001 /);
  expect(lines.at(-1)).toBe('bitcup: 1 error(s); the output was left as it was');
  expect(readFileSync(join(out, 'models/post.py'), 'utf8')).toContain('body: str');

  built = nextBuild();
  writeFileSync(entry, JSON.stringify(model));
  await built;
  expect(builds.at(-1)!.ok).toBe(true);
  expect(lines.at(-1)).toMatch(/^bitcup: 1 written, 2 unchanged/);
  expect(readFileSync(join(out, 'models/post.py'), 'utf8')).not.toContain('body');
});

it('debounces a burst of saves into one build', async () => {
  const entry = join(dir, 'blog.bitcup');
  writeFileSync(entry, JSON.stringify(model));
  let count = 0;
  watcher = watchModel(entry, join(dir, 'out'), {
    frontEnd: fakeFrontEnd,
    backends: [fakeBackend],
    debounceMs: 1500,
    print: () => undefined,
    onBuild: () => count++,
  });
  await watcher.ready;
  // saves 70 ms apart (the watcher passes each one on), well inside the quiet time
  for (let i = 0; i < 4; i++) {
    writeFileSync(entry, JSON.stringify({ ...model, app: `Blog${i}` }));
    await new Promise((r) => setTimeout(r, 70));
  }
  await until(() => (count >= 2 ? true : undefined));
  await new Promise((r) => setTimeout(r, 400)); // a second build would show here
  expect(count).toBe(2);
  expect(readFileSync(join(dir, 'out/README.md'), 'utf8')).toBe('# Blog3\n');
});
