// Model evolution, for real: for each pair of models, the first revision and
// a `bitcup migrate` revision run on PostgreSQL 15 and SQLite with rows
// present. Upgrading must give the schema a fresh v2 has (schema.sql), keep
// the rows (renamed columns included), and downgrading must give v1's schema.
import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alembicBackend } from '../../compiler/backends/alembic/index.js';
import { sqlBackend } from '../../compiler/backends/sql/index.js';
import type { BackendContext } from '../../compiler/backends/types.js';
import type { Program } from '../../compiler/ir/schema.js';
import { migrateProgram } from '../../compiler/migrate/migrate.js';
import { startPostgres, type PostgresCluster } from '../helpers/postgres.js';
import { evolutionCases, seedSql } from './evolution-cases.js';
import { alembicSteps, catalog, PYTHON, ruffClean, writeFiles } from './harness.js';

const run = promisify(execFile);
const firstBuild: BackendContext = { previous: { revisions: new Map() }, report: () => {} };

function schemaSql(program: Program): string {
  return sqlBackend.generate(program, firstBuild)[0]!.content;
}

/** At most `limit` cases talk to the databases at once (2 shared cores). */
function limiter(limit: number) {
  let active = 0;
  const queue: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((resolve) => queue.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}

describe('model evolution (PostgreSQL 15 and SQLite)', () => {
  let pg: PostgresCluster;
  const outs: string[] = [];
  const slot = limiter(3);

  beforeAll(async () => {
    pg = await startPostgres();
  });
  afterAll(() => {
    pg?.stop();
    for (const out of outs) rmSync(out, { recursive: true, force: true });
  });

  it('has at least 12 version pairs', () => {
    expect(evolutionCases.length).toBeGreaterThanOrEqual(12);
  });

  evolutionCases.forEach((c, i) => {
    it.concurrent(c.name, async () => {
      const out = mkdtempSync(join(tmpdir(), 'bitcup-evolution-'));
      outs.push(out);
      writeFiles(out, alembicBackend.generate(c.v1, firstBuild));
      const versions = join(out, 'backend/alembic/versions');
      const [initial] = readdirSync(versions);
      const rev1 = /^0001_([0-9a-f]{12})_/.exec(initial!)![1]!;

      // destructive changes are refused, one diagnostic each, and nothing is written
      if (c.destructive) {
        const refused = migrateProgram(c.v2, out, { message: c.name });
        expect(refused.status).toBe('refused');
        expect(refused.diagnostics.map((d) => d.code)).toEqual(Array(c.destructive).fill('BC7001'));
        expect(readdirSync(versions)).toHaveLength(1);
      }
      const result = migrateProgram(c.v2, out, {
        message: c.name,
        allowDestructive: c.allowDestructive ?? false,
      });
      expect(result.diagnostics).toEqual([]);
      expect(result.status).toBe('written');
      expect(readdirSync(versions)).toHaveLength(2);
      // the revision now covers the model
      expect(migrateProgram(c.v2, out, { check: true }).status).toBe('no-change');

      // the revisions are ruff-formatted and lint-clean as the backend configures ruff
      await ruffClean(out);

      await slot(async () => {
        // PostgreSQL: fresh v1 and v2 from schema.sql, and the migrated database
        const db = (s: string) => pg.createDatabase(`evo${i}_${s}`);
        const [fresh1, fresh2, migrated] = [db('v1'), db('v2'), db('migrated')];
        pg.psql(fresh1, schemaSql(c.v1));
        pg.psql(fresh2, schemaSql(c.v2));
        const url = pg.asyncUrl(migrated);
        await alembicSteps(out, url, [
          ['upgrade', rev1],
          ['sql', seedSql(false)],
          ['upgrade', 'head'],
        ]);
        expect(catalog(pg, migrated)).toEqual(catalog(pg, fresh2));
        expect(pg.psql(migrated, c.check).trim().split('\n')).toEqual(c.expect);
        await alembicSteps(out, url, [['downgrade', '-1']]);
        expect(catalog(pg, migrated)).toEqual(catalog(pg, fresh1));
        expect(pg.psql(migrated, 'SELECT name FROM authors').trim()).toBe('Ada');

        // SQLite: the same revisions, with the same rows, in one process
        const file = join(out, 'app.db');
        await alembicSteps(
          out,
          `sqlite+aiosqlite:///${file}`,
          [
            ['upgrade', rev1],
            ['sqlite', seedSql(true)],
            ['upgrade', 'head'],
            ['downgrade', '-1'],
            ['upgrade', 'head'],
          ],
          file,
        );
        // the rows survived there too, renamed columns included
        const query = c.postgresqlOnlyCheck ? 'SELECT count(*) FROM posts' : c.check;
        const { stdout } = await run(PYTHON, [
          '-c',
          'import sqlite3, sys\nfor row in sqlite3.connect(sys.argv[1]).execute(sys.argv[2]): print(row[0])',
          file,
          query,
        ]);
        expect(stdout.trim().split('\n')).toEqual(c.postgresqlOnlyCheck ? ['1'] : c.expect);
      });
    });
  });
});
