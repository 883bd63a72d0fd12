// The deploy output run for real, without a container engine: the Compose
// migrate step and the backend image's entrypoint against a throwaway
// PostgreSQL, then the built frontend served through the generated nginx
// config (backend at 127.0.0.1), as the containers would run them.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { build } from '../../compiler/build.js';
import { freePort, startPostgres, type PostgresCluster } from '../helpers/postgres.js';
import { buildFrontend } from './frontend-build.js';
import {
  NGINX,
  REPO,
  VENV_BIN,
  parseYaml,
  renderNginxTemplate,
  writeNginxConfig,
} from './helpers.js';

const EXAMPLE = join(REPO, 'examples', 'blog.bitcup');

interface Running {
  child: ChildProcess;
  log: () => string;
}

function start(
  command: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv },
): Running {
  const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return { child, log: () => output };
}

function stop(running: Running | undefined): Promise<void> {
  if (!running || running.child.exitCode !== null || running.child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    const timer = setTimeout(() => running.child.kill('SIGKILL'), 5000);
    running.child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    running.child.kill('SIGTERM');
  });
}

async function waitFor(url: string, running: Running, seconds = 60): Promise<Response> {
  const deadline = Date.now() + seconds * 1000;
  let last = '';
  while (Date.now() < deadline) {
    if (running.child.exitCode !== null) {
      throw new Error(
        `process exited (${running.child.exitCode}) before ${url} answered:\n${running.log()}`,
      );
    }
    try {
      const response = await fetch(url);
      if (response.status === 200) return response;
      last = `status ${response.status}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer 200 in ${seconds}s (${last}):\n${running.log()}`);
}

describe('deploy output, run for real (blog)', () => {
  let out: string;
  let pg: PostgresCluster | undefined;
  let backend: Running | undefined;
  let nginx: Running | undefined;
  let backendPort: number;
  let nginxPort: number;
  let compose: {
    services: Record<string, { command?: string[]; environment?: Record<string, string> }>;
  };
  const prefix = '/api';

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'bitcup-deploy-run-'));
    // nginx workers (as `nobody` when the test runs as root) read dist/ in here
    chmodSync(out, 0o755);
    const result = build(EXAMPLE, out);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    compose = parseYaml(
      readFileSync(join(out, 'deploy/docker-compose.yml'), 'utf8'),
    ) as typeof compose;
    pg = await startPostgres();
  });

  afterAll(async () => {
    await stop(nginx);
    await stop(backend);
    pg?.stop();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  const backendEnv = (database: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv => ({
    PATH: `${VENV_BIN}:/usr/bin:/bin`,
    HOME: process.env.HOME ?? '/tmp',
    DATABASE_URL: pg!.asyncUrl(database),
    SECRET_KEY: 'run-test-only',
    ENVIRONMENT: 'production',
    CORS_ORIGINS: '',
    ...extra,
  });

  /** The command of the backend Deployment's wait-for-migrations init container. */
  const waitForMigrationsCommand = (): string[] => {
    const docs = parseAllDocuments(readFileSync(join(out, 'deploy/k8s/backend.yaml'), 'utf8'));
    const deployment = docs.map((d) => d.toJS()).find((o) => o.kind === 'Deployment');
    return deployment.spec.template.spec.initContainers[0].command as string[];
  };

  const hasAlembicVersion = (database: string) =>
    pg!
      .psql(database, "SELECT count(*) FROM pg_tables WHERE tablename = 'alembic_version'")
      .trim() === '1';

  it("runs the migrate service's command against PostgreSQL", () => {
    const database = pg!.createDatabase('migrate_step');
    const command = compose.services.migrate!.command!;
    expect(command).toEqual(['alembic', 'upgrade', 'head']);
    // the backend pods' init container waits while the database is behind...
    const wait = waitForMigrationsCommand();
    const cwd = join(out, 'backend');
    const waiting = spawnSync('timeout', ['5', ...wait], { cwd, env: backendEnv(database) });
    expect(waiting.status).toBe(124);
    const result = spawnSync(command[0]!, command.slice(1), {
      cwd: join(out, 'backend'),
      env: backendEnv(database),
      encoding: 'utf8',
    });
    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
    expect(hasAlembicVersion(database)).toBe(true);
    // ...and lets them start once the migrate step ran
    const done = spawnSync('timeout', ['30', ...wait], { cwd, env: backendEnv(database) });
    expect(done.status).toBe(0);
    expect(
      pg!.psql(database, "SELECT count(*) FROM pg_tables WHERE tablename = 'posts'").trim(),
    ).toBe('1');
  });

  it('starts the backend through its entrypoint, migrating only with MIGRATE_ON_START', async () => {
    const entrypoint = join(out, 'deploy/backend/entrypoint.sh');
    const database = pg!.createDatabase('entrypoint');
    // without MIGRATE_ON_START the entrypoint only runs its command
    const plain = spawnSync(entrypoint, ['true'], {
      cwd: join(out, 'backend'),
      env: backendEnv(database),
    });
    expect(plain.status).toBe(0);
    expect(hasAlembicVersion(database)).toBe(false);
    // the deploy runs ENVIRONMENT=production: no SECRET_KEY, no start (no development fallback)
    const { SECRET_KEY: _unset, ...withoutSecret } = backendEnv(database);
    const refused = spawnSync(entrypoint, ['python', '-c', 'import app.main'], {
      cwd: join(out, 'backend'),
      env: withoutSecret,
      encoding: 'utf8',
    });
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('SECRET_KEY');
    backendPort = await freePort();
    backend = start(
      entrypoint,
      ['uvicorn', 'app.main:app', '--host', '127.0.0.1', '--port', String(backendPort)],
      { cwd: join(out, 'backend'), env: backendEnv(database, { MIGRATE_ON_START: '1' }) },
    );
    const ready = await waitFor(`http://127.0.0.1:${backendPort}${prefix}/ready`, backend, 90);
    expect(ready.status).toBe(200);
    expect(hasAlembicVersion(database)).toBe(true);
  });

  it('serves the built frontend and proxies the API through the generated nginx config', async () => {
    expect(backend, 'the backend test ran first').toBeDefined();
    // the real app: npm install (cached under test-output/) and vite build
    const dist = buildFrontend(join(out, 'frontend'));
    nginxPort = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'bitcup-deploy-nginx-'));
    const rendered = renderNginxTemplate(
      readFileSync(join(out, 'deploy/frontend/default.conf.template'), 'utf8'),
      {
        BACKEND_URL: `http://127.0.0.1:${backendPort}`,
        NGINX_PORT: `127.0.0.1:${nginxPort}`,
        FRONTEND_ROOT: dist,
      },
    );
    const conf = writeNginxConfig(dir, rendered);
    nginx = start(NGINX, ['-p', `${dir}/`, '-e', `${dir}/error.log`, '-c', conf], {
      cwd: dir,
      env: {},
    });
    try {
      const base = `http://127.0.0.1:${nginxPort}`;
      const home = await waitFor(`${base}/`, nginx, 30);
      const html = await home.text();
      expect(html).toContain('<div id="app"');
      expect(home.headers.get('cache-control')).toBe('no-cache');
      // a deep link into the single-page app gets the same page
      const deep = await fetch(`${base}/posts/00000000-0000-0000-0000-000000000000/edit`);
      expect(deep.status).toBe(200);
      expect(await deep.text()).toBe(html);
      // the API prefix goes to the backend
      const ready = await fetch(`${base}${prefix}/ready`);
      expect(ready.status).toBe(200);
      expect(ready.headers.get('content-type')).toContain('application/json');
      // any path under the prefix is the backend's, never the app's fallback page
      const unknown = await fetch(`${base}${prefix}/no-such-resource`);
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual({ detail: 'Not Found' });
      expect((await fetch(`${base}${prefix}/health`)).status).toBe(200);
      // hashed assets are cached for a year, a missing asset is a 404 (not the app)
      const asset = /(?:src|href)="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
      expect(asset).toBeDefined();
      const script = await fetch(`${base}${asset}`);
      expect(script.status).toBe(200);
      expect(script.headers.get('cache-control')).toContain('immutable');
      expect((await fetch(`${base}/assets/missing-0000.js`)).status).toBe(404);
      // the frontend's own probes
      expect((await fetch(`${base}/health`)).status).toBe(200);
      expect((await fetch(`${base}/ready`)).status).toBe(200);
    } finally {
      await stop(nginx);
      if (existsSync(dir)) rmSync(dir, { recursive: true, force: true });
    }
  });
});
