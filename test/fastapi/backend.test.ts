// The FastAPI backend, run for real: the hand-written runtime is linted,
// type-checked and tested where it lives; each example's generated backend
// must be byte-identical across two generations, ruff/ruff-format/pyright
// clean, and pass behaviour checks (test/fastapi/fixtures/smoke_*.py) on
// SQLite and on a throwaway PostgreSQL 15, both with tables from the models
// (create_all) and with the database backend's schema.sql (they must agree).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile } from '../../compiler/index.js';
import { generateFastapi } from '../../compiler/backends/fastapi/index.js';
import { sqlBackend } from '../../compiler/backends/sql/index.js';
import type { GeneratedFile } from '../../compiler/backends/types.js';
import { freePort, startPostgres, type PostgresCluster } from '../helpers/postgres.js';

const root = resolve(import.meta.dirname, '../..');
const venv = process.env.BITCUP_VENV ?? join(root, '.venv');
const bin = (tool: string): string => join(venv, 'bin', tool);
const fixtures = join(root, 'test/fastapi/fixtures');
const examples = ['blog', 'shop', 'platform', 'edge'] as const;
/** the shared examples, plus a model of names and shapes that stress the backend */
const entries: Record<(typeof examples)[number], string> = {
  blog: 'examples/blog.bitcup',
  shop: 'examples/shop.bitcup',
  platform: 'examples/platform.bitcup',
  edge: 'test/fastapi/fixtures/edge/edge.bitcup',
};

function run(cmd: string, args: string[], cwd: string, env: Record<string, string> = {}): string {
  const result = spawnSync(cmd, args, {
    cwd,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 300_000,
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`;
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${output}`);
  return output;
}

function generate(example: string): GeneratedFile[] {
  const compiled = compile(join(root, entries[example as keyof typeof entries]));
  const errors = compiled.diagnostics.filter((d) => d.severity === 'error');
  expect(errors).toEqual([]);
  return generateFastapi(compiled.program!);
}

function writeFiles(out: string, files: GeneratedFile[]): void {
  for (const f of files) {
    const path = join(out, f.path);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, f.content);
  }
}

let work: string;

beforeAll(() => {
  if (!existsSync(bin('python')))
    throw new Error(`no Python venv at ${venv}: run scripts/setup-python.sh first`);
  work = mkdtempSync(join(tmpdir(), 'bitcup-fastapi-'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('runtime/python', () => {
  it('is ruff, ruff-format and pyright clean and its tests cover at least 90% of it', () => {
    const dir = join(root, 'runtime/python');
    run(bin('ruff'), ['check', '.'], dir);
    run(bin('ruff'), ['format', '--check', '.'], dir);
    run(bin('pyright'), ['--pythonpath', bin('python')], dir);
    const output = run(
      bin('python'),
      [
        '-m',
        'pytest',
        '-q',
        '-p',
        'no:cacheprovider',
        '--cov=bitcup_runtime',
        '--cov-fail-under=90',
      ],
      dir,
      { COVERAGE_FILE: join(work, '.coverage-runtime') },
    );
    expect(output).toMatch(/\d+ passed/);
  });
});

describe.each(examples)('generated backend of %s', (example) => {
  let backend: string;

  beforeAll(() => {
    const files = generate(example);
    const again = generate(example);
    expect(again.map((f) => [f.path, f.content])).toEqual(files.map((f) => [f.path, f.content]));
    const out = join(work, example);
    writeFiles(out, files);
    backend = join(out, 'backend');
  });

  it('is ruff, ruff-format and pyright clean', () => {
    run(bin('ruff'), ['check', 'app'], backend);
    run(bin('ruff'), ['format', '--check', 'app'], backend);
    const output = run(bin('pyright'), ['--pythonpath', bin('python'), 'app'], backend);
    expect(output).toContain('0 errors');
  });

  it('behaves as the model says on SQLite', () => {
    const output = run(bin('python'), [join(fixtures, `smoke_${example}.py`)], fixtures, {
      APP_DIR: backend,
      DB: `sqlite+aiosqlite:///${join(backend, 'smoke.db')}`,
      PYTHONDONTWRITEBYTECODE: '1',
    });
    expect(output).toContain('0 failure(s)');
  });
});

describe('events on a real redis-server', () => {
  let server: ChildProcess | undefined;
  let port: number;

  beforeAll(async () => {
    port = await freePort();
    server = spawn(
      bin('redis-server'),
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    // wait until it answers PING
    for (let i = 0; i < 100; i++) {
      const ping = spawnSync(bin('python'), [
        '-c',
        `import redis; redis.Redis(port=${port}).ping()`,
      ]);
      if (ping.status === 0) return;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error('redis-server did not start');
  });

  afterAll(() => {
    server?.kill();
  });

  it('the relay publishes the outbox at least once and the consumer dispatches it', () => {
    const output = run(bin('python'), [join(fixtures, 'relay_shop.py')], fixtures, {
      APP_DIR: join(work, 'shop', 'backend'),
      DB: `sqlite+aiosqlite:///${join(work, 'shop', 'backend', 'relay.db')}`,
      REDIS_URL: `redis://127.0.0.1:${port}/0`,
      PYTHONDONTWRITEBYTECODE: '1',
    });
    expect(output).toContain('0 failure(s)');
  });
});

describe('generated backends on PostgreSQL 15', () => {
  let pg: PostgresCluster;

  beforeAll(async () => {
    pg = await startPostgres();
  });

  afterAll(() => pg?.stop());

  it.each(['blog', 'shop', 'platform'] as const)(
    "%s: the models match the database backend's schema.sql",
    (example) => {
      const compiled = compile(join(root, entries[example]));
      const files = sqlBackend.generate(compiled.program!, {
        previous: { revisions: new Map() },
        report: () => {},
      });
      const ddl = files.find((f) => f.path === 'database/schema.sql');
      expect(ddl).toBeDefined();
      const database = pg.createDatabase(`ddl_${example}`);
      pg.psql(database, ddl!.content);
      const output = run(bin('python'), [join(fixtures, `smoke_${example}.py`)], fixtures, {
        APP_DIR: join(work, example, 'backend'),
        DB: pg.asyncUrl(database),
        SKIP_CREATE: '1',
        PYTHONDONTWRITEBYTECODE: '1',
      });
      expect(output).toContain('0 failure(s)');
    },
  );

  it.each(examples)('%s behaves the same on PostgreSQL', (example) => {
    const backend = join(work, example, 'backend');
    const database = pg.createDatabase(`smoke_${example}`);
    const output = run(bin('python'), [join(fixtures, `smoke_${example}.py`)], fixtures, {
      APP_DIR: backend,
      DB: pg.asyncUrl(database),
      PYTHONDONTWRITEBYTECODE: '1',
    });
    expect(output).toContain('0 failure(s)');
  });
});
