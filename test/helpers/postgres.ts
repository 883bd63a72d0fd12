// A throwaway PostgreSQL 15 cluster for tests: initdb + pg_ctl on 127.0.0.1
// and a free port, removed by stop(). initdb refuses root, so as root the
// cluster runs as the `postgres` user.
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface PostgresCluster {
  port: number;
  /** superuser name used for connections (no password, trust auth on loopback) */
  user: string;
  /** create a fresh database and return its name */
  createDatabase(name: string): string;
  /** libpq URL for a database: postgresql://user@127.0.0.1:port/db */
  url(database: string): string;
  /** SQLAlchemy async URL (asyncpg) */
  asyncUrl(database: string): string;
  /** run SQL through psql, ON_ERROR_STOP; returns stdout */
  psql(database: string, sql: string): string;
  stop(): void;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const isRoot = process.getuid?.() === 0;

function asClusterUser(command: string, args: string[]): [string, string[]] {
  return isRoot ? ['runuser', ['-u', 'postgres', '--', command, ...args]] : [command, args];
}

function run(command: string, args: string[], input?: string): string {
  const [cmd, argv] = asClusterUser(command, args);
  const result = spawnSync(cmd, argv, { encoding: 'utf8', input, maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed (${result.status}):\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

export async function startPostgres(): Promise<PostgresCluster> {
  if (!existsSync(join(PG_BIN, 'initdb'))) {
    throw new Error(`PostgreSQL binaries not found in ${PG_BIN} (set PG_BIN)`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'bitcup-pg-'));
  chmodSync(dir, 0o777);
  const data = join(dir, 'data');
  const user = isRoot ? 'postgres' : (process.env.USER ?? 'postgres');
  run(join(PG_BIN, 'initdb'), ['-D', data, '-U', user, '--auth=trust', '-E', 'UTF8', '--no-sync']);
  const port = await freePort();
  run(join(PG_BIN, 'pg_ctl'), [
    '-D',
    data,
    '-w',
    '-l',
    join(dir, 'log'),
    '-o',
    `-p ${port} -h 127.0.0.1 -k ${dir} -c fsync=off -c synchronous_commit=off -c full_page_writes=off`,
    'start',
  ]);
  const psqlBin = join(PG_BIN, 'psql');
  const cluster: PostgresCluster = {
    port,
    user,
    createDatabase(name) {
      run(psqlBin, [
        '-h',
        '127.0.0.1',
        '-p',
        String(port),
        '-U',
        user,
        '-d',
        'postgres',
        '-v',
        'ON_ERROR_STOP=1',
        '-c',
        `CREATE DATABASE "${name}"`,
      ]);
      return name;
    },
    url: (database) => `postgresql://${user}@127.0.0.1:${port}/${database}`,
    asyncUrl: (database) => `postgresql+asyncpg://${user}@127.0.0.1:${port}/${database}`,
    psql(database, sql) {
      return run(
        psqlBin,
        [
          '-h',
          '127.0.0.1',
          '-p',
          String(port),
          '-U',
          user,
          '-d',
          database,
          '-v',
          'ON_ERROR_STOP=1',
          '-X',
          '-q',
          '-A',
          '-t',
          '-f',
          '-',
        ],
        sql,
      );
    },
    stop() {
      try {
        const [cmd, argv] = asClusterUser(join(PG_BIN, 'pg_ctl'), [
          '-D',
          data,
          '-m',
          'immediate',
          'stop',
        ]);
        execFileSync(cmd, argv, { stdio: 'ignore' });
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
  return cluster;
}
