// `bitcup dev` for real on the blog example: the generated backend under
// uvicorn on a dev SQLite database (rebuilt when the schema changes, never a
// migration revision), the generated frontend on a Vite dev server with the
// plugin, and headless Chromium: editing a list view's columns in the model
// changes the page without a full reload; an error shows Vite's overlay,
// fixing it clears it.
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { build } from '../../compiler/build.js';
import { startDev, type DevSession } from '../../compiler/cli/commands/dev.js';
import { launchChromium, type LaunchedChromium } from '../helpers/chromium.js';
import { freePort } from '../helpers/postgres.js';
import { venvBin } from '../helpers/venv.js';
import { linkDependencies } from '../frontend/support.js';

let dir: string;
let entry: string;
let out: string;
let original: string;
let session: DevSession | undefined;
let chromium: LaunchedChromium | undefined;
const logs: string[] = [];

async function until<T>(
  what: string,
  probe: () => Promise<T | undefined> | T | undefined,
  ms = 60_000,
) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${logs.join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'bitcup-dev-'));
  entry = join(dir, 'blog.bitcup');
  out = join(dir, 'out');
  copyFileSync(join(import.meta.dirname, '../../examples/blog.bitcup'), entry);
  original = readFileSync(entry, 'utf8');
  // the frontend's dependencies, from a cache (bitcup dev would npm install them)
  expect(build(entry, out, { skipHistory: true }).ok).toBe(true);
  linkDependencies(join(out, 'frontend'));
  session = await startDev({
    entry,
    out,
    port: await freePort(),
    apiPort: await freePort(),
    python: venvBin('python'),
    install: false,
    log: (line) => logs.push(line),
  });
  chromium = await launchChromium();
});

afterAll(async () => {
  await chromium?.close();
  await session?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** The list's column headers, by the first word of each (a sort arrow may follow it). */
const headers = async (page: Page) =>
  (await page.locator('table th').allInnerTexts()).map((h) =>
    (h.trim().split(/\s+/)[0] ?? '').toLowerCase(),
  );

it('runs the backend on a dev database and never writes a migration revision', async () => {
  const health = await until('the backend', async () => {
    try {
      const response = await fetch(`${session!.apiOrigin}/api/health`);
      return response.ok ? response : undefined;
    } catch {
      return undefined;
    }
  });
  expect(health.status).toBe(200);
  expect(existsSync(session!.database)).toBe(true);
  expect(logs.some((l) => l.includes('created the development database'))).toBe(true);
  const versions = join(out, 'backend/alembic/versions');
  expect(
    existsSync(versions) ? readdirSync(versions).filter((f) => f.endsWith('.py')) : [],
  ).toEqual([]);

  // a schema change rebuilds the database, and says so
  writeFileSync(
    entry,
    original.replace('  name   string(80)\n', '  name   string(80)\n  bio    text?\n'),
  );
  await until(
    'the database rebuilt',
    () =>
      logs.some((l) => l.includes('the schema changed; rebuilt the development database')) ||
      undefined,
  );
  writeFileSync(entry, original);
  await until(
    'the database rebuilt again',
    () => logs.filter((l) => l.includes('the schema changed')).length >= 2 || undefined,
  );
});

it('hot-updates a list view when its columns change, shows and clears errors', async () => {
  const page = await chromium!.context.newPage();
  await page.goto(new URL('/authors', session!.url).href);
  await until('the Authors table', async () => ((await headers(page)).length ? true : undefined));
  const before = await headers(page);
  expect(before).toEqual(expect.arrayContaining(['name', 'email']));
  await page.evaluate('window.bitcupMarker = 42');

  writeFileSync(entry, original.replace('columns name, email', 'columns email'));
  await until('the column gone', async () => {
    const now = await headers(page);
    return now.includes('email') && !now.includes('name') ? now : undefined;
  });
  // the same page: hot-updated, not reloaded
  expect(await page.evaluate('window.bitcupMarker')).toBe(42);

  writeFileSync(entry, original.replace('columns name, email', 'columns name, emial'));
  const overlay = page.locator('vite-error-overlay');
  await until('the error overlay', async () => ((await overlay.count()) > 0 ? true : undefined));
  expect(
    await page.evaluate("document.querySelector('vite-error-overlay')?.shadowRoot?.textContent"),
  ).toContain('emial');

  writeFileSync(entry, original);
  await until('the overlay cleared and the column back', async () =>
    (await overlay.count()) === 0 && (await headers(page)).includes('name') ? true : undefined,
  );
  await page.close();
});
