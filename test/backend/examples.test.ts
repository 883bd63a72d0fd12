// Issue 4 item 10: every shared example, built for real and checked for
// real. For each: `bitcup build` into a temp dir (in-process), then with the
// shared venv (no pip install per example): the generated pytest suite on
// SQLite and on a throwaway PostgreSQL 15, ruff check, ruff format --check,
// pyright, and schemathesis against the live app's OpenAPI as a signed-in
// user — zero 5xx in at least 200 requests (custom-behavior endpoints,
// 501 by design, are left out). Examples run concurrently, a few jobs at once.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../../compiler/build.js';
import { compile } from '../../compiler/index.js';
import type { Program } from '../../compiler/ir/schema.js';
import { startBackend } from '../helpers/backend-server.js';
import { startPostgres, type PostgresCluster } from '../helpers/postgres.js';
import { REPO, runToolAsync, venvBin, type RunResult } from '../helpers/venv.js';
import { limit } from '../helpers/limit.js';
import { customEndpointPattern, signInScript } from './support.js';

const EXAMPLES = ['blog', 'shop', 'platform'] as const;
type Example = (typeof EXAMPLES)[number];

/**
 * Known gaps of the generated app (each written up under "For H4a" in
 * docs/notes/backend-tests.md): the generated tests named here are deselected
 * (and printed), or the coverage bar is not applied, for that example only.
 * Everything else runs in full. Remove an entry as soon as its fix lands.
 */
interface Gap {
  reason: string;
  deselect?: string[];
  /** run the suite without --cov-fail-under=90 (the percentage is still printed) */
  belowCoverageBar?: boolean;
}
const GAPS: Record<'sqlite' | 'postgres', Partial<Record<Example, Gap>>> = {
  sqlite: {},
  postgres: {},
};

function pytestArgs(database: 'sqlite' | 'postgres', example: Example): string[] {
  const args = ['-m', 'pytest', '-q', '-p', 'no:cacheprovider'];
  const gap = GAPS[database][example];
  if (gap) console.log(`${example} (${database}): known gap, ${gap.reason}`);
  for (const test of gap?.deselect ?? []) args.push('--deselect', test);
  if (database === 'sqlite') {
    args.push('--cov=app');
    if (!gap?.belowCoverageBar) args.push('--cov-fail-under=90');
  }
  return args;
}

/** Heavy jobs (pytest, pyright, a live server) allowed at once on 2 cores. */
const run = limit(3);
/** Per-test timeout: a test's jobs may queue behind the other examples' (see `run`). */
const SLOW = 1_200_000;

let root: string;
let pg: PostgresCluster;
const programs = new Map<Example, Program>();
const backendDir = (example: Example): string => join(root, example, 'backend');

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'bitcup-backend-'));
  for (const example of EXAMPLES) {
    const entry = join(REPO, 'examples', `${example}.bitcup`);
    const compiled = compile(entry);
    if (!compiled.program) throw new Error(JSON.stringify(compiled.diagnostics, null, 2));
    programs.set(example, compiled.program);
    const result = build(entry, join(root, example));
    const errors = result.diagnostics.filter((d) => d.severity === 'error');
    if (!result.ok) throw new Error(`build ${example} failed: ${JSON.stringify(errors, null, 2)}`);
  }
  pg = await startPostgres();
});

afterAll(() => {
  pg?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

const explain = (what: string, r: RunResult): string =>
  `${what} exited ${r.status}\n${r.output.slice(-20_000)}`;

describe.each(EXAMPLES)('%s backend', (example) => {
  it.concurrent(
    'passes ruff check and ruff format --check',
    async () => {
      const dir = backendDir(example);
      const check = await run(() => runToolAsync('ruff', ['check', '--no-cache', '.'], dir));
      expect(check.status, explain('ruff check', check)).toBe(0);
      const format = await run(() =>
        runToolAsync('ruff', ['format', '--check', '--no-cache', '.'], dir),
      );
      expect(format.status, explain('ruff format --check', format)).toBe(0);
    },
    SLOW,
  );

  it.concurrent(
    'passes pyright',
    async () => {
      const dir = backendDir(example);
      const r = await run(() => runToolAsync('pyright', ['--pythonpath', venvBin('python')], dir));
      expect(r.status, explain('pyright', r)).toBe(0);
    },
    SLOW,
  );

  it.concurrent(
    'passes its generated tests on SQLite with >= 90% coverage',
    async () => {
      const dir = backendDir(example);
      const r = await run(() =>
        runToolAsync('python', pytestArgs('sqlite', example), dir, { DATABASE_URL: undefined }),
      );
      console.log(`${example}: ${/^TOTAL.*$/m.exec(r.stdout)?.[0] ?? 'no coverage total'}`);
      expect(r.status, explain('pytest (SQLite)', r)).toBe(0);
      expect(r.output).toMatch(/\d+ passed/);
      if (!GAPS.sqlite[example]?.belowCoverageBar) {
        expect(r.output).toMatch(/Required test coverage of 90% reached/);
      }
    },
    SLOW,
  );

  it.concurrent(
    'passes its generated tests on PostgreSQL 15',
    async () => {
      const dir = backendDir(example);
      const db = pg.createDatabase(`tests_${example}`);
      const r = await run(() =>
        runToolAsync('python', pytestArgs('postgres', example), dir, {
          DATABASE_URL: pg.asyncUrl(db),
        }),
      );
      expect(r.status, explain('pytest (PostgreSQL)', r)).toBe(0);
    },
    SLOW,
  );

  it.concurrent(
    'answers no 5xx to schemathesis as a signed-in user',
    async () => {
      const program = programs.get(example)!;
      const dir = backendDir(example);
      const databaseUrl = `sqlite+aiosqlite:///${join(root, example, 'live.db')}`;
      await run(async () => {
        const script = join(root, example, 'sign_in.py');
        writeFileSync(script, signInScript(program));
        const setup = await runToolAsync('python', [script], dir, { DATABASE_URL: databaseUrl });
        expect(setup.status, explain('database set-up', setup)).toBe(0);
        const token = setup.stdout.trim().split('\n').pop() ?? '';
        const server = await startBackend({
          backendDir: dir,
          databaseUrl,
          apiPrefix: program.app.apiPrefix,
        });
        try {
          const before = server.statuses().length;
          const args = [
            'run',
            `${server.origin}${program.app.apiPrefix}/openapi.json`,
            '--url',
            server.origin,
            '--checks',
            'not_a_server_error',
            '--phases',
            'coverage,fuzzing',
            '--max-examples',
            '4',
            '--seed',
            '1',
            '--workers',
            '1',
            '--generation-database',
            'none',
            '--no-color',
          ];
          if (program.app.auth) args.push('--header', `Authorization: Bearer ${token}`);
          const custom = customEndpointPattern(program);
          if (custom) args.push('--exclude-path-regex', custom);
          const st = await runToolAsync('st', args, dir);
          const statuses = server.statuses().slice(before);
          const errors = statuses.filter((s) => s >= 500);
          const histogram: Record<string, number> = {};
          for (const s of statuses) histogram[s] = (histogram[s] ?? 0) + 1;
          console.log(
            `${example}: schemathesis: ${statuses.length} requests ${JSON.stringify(histogram)}`,
          );
          // signed in for real: plenty of requests succeed, not only 401s
          const succeeded = statuses.filter((s) => s >= 200 && s < 300).length;
          expect(succeeded, JSON.stringify(histogram)).toBeGreaterThanOrEqual(20);
          expect(statuses.length, explain('schemathesis', st)).toBeGreaterThanOrEqual(200);
          expect(
            errors,
            `${explain('schemathesis', st)}\n--- server log\n${server.log().slice(-20_000)}`,
          ).toEqual([]);
        } finally {
          await server.stop();
        }
      });
    },
    SLOW,
  );
});
