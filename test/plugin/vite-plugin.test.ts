// The Vite plugin on a real Vite dev server (127.0.0.1, a free port) serving
// a tiny stand-in app that a stand-in backend generates from the real IR of
// the blog example: build on start, hot updates of only the rebuilt modules,
// the error overlay while the model is broken, `virtual:bitcup`.
import {
  copyFileSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer as createNetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build as viteBuild, createServer, type ViteDevServer } from 'vite';
import { afterEach, beforeEach, expect, it } from 'vitest';
import bitcupVite from '../../plugins/vite.js';
import type { Backend, GeneratedFile } from '../../compiler/backends/types.js';

/** The stand-in app: index.html, a main module, one self-accepting module per list view. */
const standInFrontend: Backend = {
  name: 'stand-in-frontend',
  generate(program) {
    const file = (path: string, content: string, dependsOn: string[]): GeneratedFile => ({
      path: `frontend/${path}`,
      content,
      ownership: 'generated',
      dependsOn,
    });
    const lists = program.views.filter((v) => v.kind === 'list');
    return [
      file(
        'index.html',
        '<!doctype html>\n<div id="app"></div>\n<script type="module" src="/src/main.js"></script>\n',
        ['app'],
      ),
      file(
        'src/main.js',
        `import meta from 'virtual:bitcup';\n${lists.map((v) => `import './views/${v.component}.js';\n`).join('')}document.title = meta.app.title;\n`,
        ['views'],
      ),
      ...lists.map((v) =>
        file(
          `src/views/${v.component}.js`,
          `export const columns = ${JSON.stringify(v.columns.map((c) => c.path))};\nif (import.meta.hot) import.meta.hot.accept();\n`,
          [`view:${v.name}`],
        ),
      ),
    ];
  },
};

let dir: string;
let server: ViteDevServer | undefined;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bitcup-vite-'));
});
afterEach(async () => {
  await server?.close();
  rmSync(dir, { recursive: true, force: true });
});

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createNetServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => done(port));
    });
  });
}

async function until<T>(what: string, probe: () => T | undefined, ms = 15_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface Payload {
  type: string;
  updates?: { path: string }[];
  err?: { message: string; plugin?: string };
}

it('builds on start, hot-updates only changed modules, shows and clears errors', async () => {
  const entry = join(dir, 'blog.bitcup');
  const out = join(dir, 'out');
  copyFileSync(join(import.meta.dirname, '../../examples/blog.bitcup'), entry);
  const original = readFileSync(entry, 'utf8');
  const port = await freePort();
  server = await createServer({
    root: join(out, 'frontend'),
    configFile: false,
    logLevel: 'silent',
    server: { host: '127.0.0.1', port, strictPort: true },
    plugins: [bitcupVite({ entry, out, build: { backends: [standInFrontend] } })],
  });
  // what the server sends to browsers: HMR updates (the client environment's
  // hot channel sends through ws) and the plugin's overlay messages
  const sent: Payload[] = [];
  const wsSend = server.ws.send.bind(server.ws) as (p: Payload) => void;
  server.ws.send = ((payload: Payload) => (
    sent.push(payload),
    wsSend(payload)
  )) as typeof server.ws.send;
  await server.listen();
  const base = `http://127.0.0.1:${port}`;
  const view = () => readFileSync(join(out, 'frontend/src/views/AuthorsView.js'), 'utf8');

  // built on start: the page and its modules are served
  expect(await (await fetch(`${base}/`)).text()).toContain('/src/main.js');
  for (const path of ['/src/main.js', '/src/views/PostsView.js', '/src/views/AuthorsView.js'])
    expect((await fetch(`${base}${path}`)).status).toBe(200);
  const virtual = await (await fetch(`${base}/@id/__x00__virtual:bitcup`)).text();
  expect(virtual).toContain('"name": "Author"');
  expect(virtual).toContain('"path": "/posts/:id"');

  // one list view's columns edited: only its module is hot-updated
  writeFileSync(entry, original.replace('columns name, email', 'columns email, name'));
  await until('a hot update', () => sent.find((p) => p.type === 'update' && p.updates?.length));
  await new Promise((r) => setTimeout(r, 300)); // late updates would show here
  const updated = sent
    .filter((p) => p.type === 'update')
    .flatMap((p) => p.updates!.map((u) => u.path));
  expect(updated).toEqual(['/src/views/AuthorsView.js']);
  expect(sent.some((p) => p.type === 'full-reload')).toBe(false);
  expect(view()).toContain('["email","name"]');

  // an entity edited: the metadata module is hot-updated too
  sent.length = 0;
  writeFileSync(
    entry,
    original.replace('  name   string(80)\n', '  name   string(80)\n  bio    text?\n'),
  );
  await until('virtual:bitcup updated', () =>
    sent.find(
      (p) => p.type === 'update' && p.updates?.some((u) => u.path.includes('virtual:bitcup')),
    ),
  );
  expect(await (await fetch(`${base}/@id/__x00__virtual:bitcup`)).text()).toContain('"bio"');

  // a broken model: an error overlay, and the app is left as it was
  sent.length = 0;
  const before = view();
  writeFileSync(entry, original.replace('columns name, email', 'columns name, emial'));
  const error = await until('an error payload', () => sent.find((p) => p.type === 'error'));
  expect(error.err!.plugin).toBe('bitcup');
  expect(error.err!.message).toMatch(/BC\d{4}/);
  expect(error.err!.message).toContain('emial');
  expect(view()).toBe(before);

  // fixed: the overlay is cleared (an update, no reload)
  sent.length = 0;
  writeFileSync(entry, original);
  await until('the overlay cleared', () => sent.find((p) => p.type === 'update'));
  expect(sent.some((p) => p.type === 'error' || p.type === 'full-reload')).toBe(false);
  expect(view()).toContain('["name","email"]');
});

it('vite build builds the app first and fails on model errors', async () => {
  const entry = join(dir, 'blog.bitcup');
  const out = join(dir, 'out');
  copyFileSync(join(import.meta.dirname, '../../examples/blog.bitcup'), entry);
  const original = readFileSync(entry, 'utf8');
  const root = join(out, 'frontend');
  // the root must exist before Vite resolves its config: a first build makes it
  const viteOptions = () => ({
    root,
    configFile: false as const,
    logLevel: 'silent' as const,
    build: { outDir: join(dir, 'dist'), emptyOutDir: true },
    // as in a user's own vite.config.ts: paths relative to the Vite root
    plugins: [
      bitcupVite({ entry: '../../blog.bitcup', out: '..', build: { backends: [standInFrontend] } }),
    ],
  });
  writeFileSync(entry, original.replace('title "Field Notes"', 'title "Notes from the field"'));
  const { build } = await import('../../compiler/build.js');
  expect(build(entry, out, { backends: [standInFrontend] }).ok).toBe(true);
  writeFileSync(entry, original);
  await viteBuild(viteOptions());
  const assets = readdirSync(join(dir, 'dist/assets'));
  const bundle = assets.map((a) => readFileSync(join(dir, 'dist/assets', a), 'utf8')).join('\n');
  // the plugin rebuilt from the current model before bundling
  expect(bundle).toContain('Field Notes');
  expect(bundle).not.toContain('Notes from the field');

  writeFileSync(entry, original.replace('columns name, email', 'columns name, emial'));
  await expect(viteBuild(viteOptions())).rejects.toThrow(/emial/);
});
