// The shared examples, built for real: schema.sql applies on PostgreSQL 15;
// the Alembic project upgrades, downgrades to base and upgrades again on
// PostgreSQL and SQLite; the migrated schema equals the schema.sql one; a
// second build writes no revision; and the platform example has the tables,
// columns and constraints of test/database/data/platform-schema.md.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { build } from '../../compiler/build.js';
import { PG_RESERVED } from '../../compiler/backends/sql/identifiers.js';
import { migrate } from '../../compiler/migrate/migrate.js';
import { startPostgres, type PostgresCluster } from '../helpers/postgres.js';
import { alembicSteps, catalog, python, ROOT, ruffClean } from './harness.js';
import { checkPlatformSchema, parsePlatformSchema } from './platform-schema.js';

/** The shared examples, plus a fixture with the relation shapes they lack. */
const MODELS: Record<string, string> = {
  blog: 'examples/blog.bitcup',
  shop: 'examples/shop.bitcup',
  platform: 'examples/platform.bitcup',
  people: 'test/database/fixtures/people/people.bitcup',
};
const EXAMPLES = Object.keys(MODELS);

describe('examples: schema.sql and migrations on PostgreSQL 15 and SQLite', () => {
  let pg: PostgresCluster;
  const outs = new Map<string, string>();

  beforeAll(async () => {
    pg = await startPostgres();
    for (const name of EXAMPLES) {
      const out = mkdtempSync(join(tmpdir(), `bitcup-db-${name}-`));
      const result = build(join(ROOT, MODELS[name]!), out);
      expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      expect(result.ok).toBe(true);
      outs.set(name, out);
    }
  });
  afterAll(() => {
    pg?.stop();
    for (const out of outs.values()) rmSync(out, { recursive: true, force: true });
  });

  for (const name of EXAMPLES) {
    it.concurrent(
      `${name}: schema.sql equals upgrade head; downgrade base and upgrade again`,
      async () => {
        const out = outs.get(name)!;
        const fromSql = pg.createDatabase(`${name}_sql`);
        const migrated = pg.createDatabase(`${name}_alembic`);
        pg.psql(fromSql, readFileSync(join(out, 'database/schema.sql'), 'utf8'));
        const url = pg.asyncUrl(migrated);
        await alembicSteps(out, url, [
          ['upgrade', 'head'],
          ['downgrade', 'base'],
        ]);
        expect(catalog(pg, migrated)).toEqual([]);
        await alembicSteps(out, url, [['upgrade', 'head']]);
        const expected = catalog(pg, fromSql);
        expect(expected.length).toBeGreaterThan(10);
        expect(catalog(pg, migrated)).toEqual(expected);

        const file = join(out, 'sqlite.db');
        await alembicSteps(out, `sqlite+aiosqlite:///${file}`, [
          ['upgrade', 'head'],
          ['downgrade', 'base'],
          ['upgrade', 'head'],
        ]);
        await ruffClean(out);
      },
    );
  }

  it('env.py takes DATABASE_URL from .env when the environment has none, like the app', async () => {
    const out = outs.get('blog')!;
    const file = join(out, 'from-dotenv.db');
    writeFileSync(join(out, 'backend/.env'), `database_url=sqlite:///${file}\n`);
    try {
      await alembicSteps(out, '', [['upgrade', 'head']]);
      const tables = await python(
        `import sqlite3; print(sorted(r[0] for r in sqlite3.connect(${JSON.stringify(file)}).execute("SELECT name FROM sqlite_master WHERE type = 'table'")))`,
      );
      expect(tables).toContain("'posts'");
    } finally {
      rmSync(join(out, 'backend/.env'));
    }
  });

  it('quotes every keyword PostgreSQL 15 reserves (categories R and T)', () => {
    const words = pg
      .psql('postgres', "SELECT word FROM pg_get_keywords() WHERE catcode IN ('R', 'T') ORDER BY 1")
      .split('\n')
      .filter((w) => w.length > 0);
    expect(words.filter((w) => !PG_RESERVED.has(w))).toEqual([]);
    // one more, reserved from PostgreSQL 16 on, so a schema also loads there
    expect([...PG_RESERVED].filter((w) => !words.includes(w))).toEqual(['system_user']);
  });

  it('a later build writes no revision and keeps the snapshot; migrate --check passes', () => {
    const out = outs.get('shop')!;
    const versions = join(out, 'backend/alembic/versions');
    const before = readdirSync(versions);
    const snapshot = readFileSync(join(out, '.bitcup/snapshot.json'), 'utf8');
    expect(before).toHaveLength(1);
    expect(build(join(ROOT, 'examples/shop.bitcup'), out).ok).toBe(true);
    expect(readdirSync(versions)).toEqual(before);
    expect(readFileSync(join(out, '.bitcup/snapshot.json'), 'utf8')).toBe(snapshot);
    expect(migrate(join(ROOT, 'examples/shop.bitcup'), out, { check: true }).status).toBe(
      'no-change',
    );
  });

  it('builds the same database files twice (content-derived revision ids)', () => {
    const again = mkdtempSync(join(tmpdir(), 'bitcup-db-blog-again-'));
    try {
      expect(build(join(ROOT, 'examples/blog.bitcup'), again).ok).toBe(true);
      const first = outs.get('blog')!;
      for (const dir of ['database', 'backend/alembic/versions']) {
        const names = readdirSync(join(first, dir)).sort();
        expect(readdirSync(join(again, dir)).sort()).toEqual(names);
        for (const n of names)
          expect(readFileSync(join(again, dir, n), 'utf8')).toBe(
            readFileSync(join(first, dir, n), 'utf8'),
          );
      }
    } finally {
      rmSync(again, { recursive: true, force: true });
    }
  });

  it('platform: the live catalog has the tables, columns and constraints of platform-schema.md', () => {
    const expectations = parsePlatformSchema(
      readFileSync(join(ROOT, 'test/database/data/platform-schema.md'), 'utf8'),
    );
    expect(expectations).toHaveLength(59); // every column the table names
    const database = pg.createDatabase('platform_reference');
    pg.psql(database, readFileSync(join(outs.get('platform')!, 'database/schema.sql'), 'utf8'));
    expect(checkPlatformSchema(pg, database, expectations)).toEqual([]);
    // the check can fail: a wrong length and nullability are both caught
    const wrong = expectations.map((e) =>
      e.column === 'username' ? { ...e, type: 'varchar(51)', nullable: true } : e,
    );
    expect(checkPlatformSchema(pg, database, wrong)).toEqual([
      'users.username is character varying(50), not varchar(51)',
      'users.username is NOT NULL',
    ]);
  });
});
