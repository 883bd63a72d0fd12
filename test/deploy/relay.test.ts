// The relay service as deployed (shop): after the Compose migrate step on a
// throwaway PostgreSQL, the relay service's own command and environment
// publish an outbox row to a real Redis Stream (redis-server on 127.0.0.1)
// and mark it sent; SIGTERM stops it cleanly.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../../compiler/build.js';
import { freePort, startPostgres, type PostgresCluster } from '../helpers/postgres.js';
import { REPO, VENV_BIN, interpolateCompose, parseEnvFile, parseYaml } from './helpers.js';

type ComposeService = { command?: string[]; environment?: Record<string, string> };

function waitForExit(child: ChildProcess, seconds: number): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve(child.exitCode);
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(null);
    }, seconds * 1000);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

async function until(check: () => boolean, seconds: number): Promise<boolean> {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return check();
}

describe('the relay service, run for real (shop)', () => {
  let out: string;
  let pg: PostgresCluster | undefined;
  let redis: ChildProcess | undefined;
  let relay: ChildProcess | undefined;
  let redisPort: number;
  let services: Record<string, ComposeService>;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'bitcup-deploy-relay-'));
    const result = build(join(REPO, 'examples', 'shop.bitcup'), out);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    // the Compose file as Compose reads it, with .env.example and the secrets filled in
    const env = {
      ...parseEnvFile(readFileSync(join(out, 'deploy/.env.example'), 'utf8')),
      POSTGRES_PASSWORD: 'unused',
      SECRET_KEY: 'relay-test-only',
    };
    const compose = parseYaml(
      interpolateCompose(readFileSync(join(out, 'deploy/docker-compose.yml'), 'utf8'), env),
    ) as { services: Record<string, ComposeService> };
    services = compose.services;
    pg = await startPostgres();
    redisPort = await freePort();
    redis = spawn(
      'redis-server',
      ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
  });

  afterAll(async () => {
    if (relay && relay.exitCode === null) {
      relay.kill('SIGKILL');
      await waitForExit(relay, 5);
    }
    if (redis && redis.exitCode === null) {
      redis.kill('SIGTERM');
      await waitForExit(redis, 5);
    }
    pg?.stop();
    if (out) rmSync(out, { recursive: true, force: true });
  });

  it('publishes the outbox to Redis Streams and marks the rows sent', async () => {
    const database = pg!.createDatabase('shop_relay');
    // the deployed environment, pointed at the test's PostgreSQL and Redis
    const environment = (service: string): NodeJS.ProcessEnv => ({
      ...services[service]!.environment,
      PATH: `${VENV_BIN}:/usr/bin:/bin`,
      HOME: process.env.HOME ?? '/tmp',
      DATABASE_URL: pg!.asyncUrl(database),
      REDIS_URL: `redis://127.0.0.1:${redisPort}/0`,
    });
    expect(services.relay!.environment!.REDIS_URL).toBe('redis://redis:6379/0');
    const cwd = join(out, 'backend');
    const [migrate, ...migrateArgs] = services.migrate!.command!;
    const migrated = spawnSync(migrate!, migrateArgs, {
      cwd,
      env: environment('migrate'),
      encoding: 'utf8',
    });
    expect(migrated.status, migrated.stderr).toBe(0);

    const orderId = '6f1c7f0e-3a52-4c55-9d7b-0c2f5e7a9b11';
    pg!.psql(
      database,
      `INSERT INTO outbox (event, stream, payload) VALUES ('OrderShipped', 'OrderShipped', '{"orderId": "${orderId}", "carrier": "DHL"}')`,
    );
    const redisCli = (...args: string[]) =>
      spawnSync('redis-cli', ['-p', String(redisPort), ...args], {
        encoding: 'utf8',
      }).stdout.trim();
    expect(await until(() => redisCli('PING') === 'PONG', 20)).toBe(true);

    const [command, ...args] = services.relay!.command!;
    expect([command, ...args]).toEqual(['python', '-m', 'app.events.relay']);
    let log = '';
    relay = spawn(command!, args, { cwd, env: environment('relay') });
    relay.stdout?.on('data', (d: Buffer) => (log += d.toString()));
    relay.stderr?.on('data', (d: Buffer) => (log += d.toString()));

    const published = await until(() => redisCli('XLEN', 'OrderShipped') === '1', 60);
    expect(published, log).toBe(true);
    const entry = redisCli('XRANGE', 'OrderShipped', '-', '+');
    expect(entry).toContain('OrderShipped');
    expect(entry).toContain(orderId);
    const sent = () =>
      pg!.psql(database, 'SELECT count(*) FROM outbox WHERE sent_at IS NOT NULL').trim() === '1';
    expect(await until(sent, 20), log).toBe(true);

    relay.kill('SIGTERM');
    expect(await waitForExit(relay, 15), log).toBe(0);
  });
});
