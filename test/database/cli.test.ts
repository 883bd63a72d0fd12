// `bitcup migrate` end to end through the real CLI and compiler, on an
// edited copy of the blog example: an entity rename with `was` (its join
// table renamed with it, links kept) and an added field, applied with rows on
// PostgreSQL 15 and SQLite; then a destructive edit, refused and allowed.
import {
  copyFileSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../compiler/cli/main.js';
import { startPostgres, type PostgresCluster } from '../helpers/postgres.js';
import { alembicSteps, catalog, python, ROOT } from './harness.js';

const ids = {
  author: '11111111-1111-4111-8111-111111111111',
  post: '22222222-2222-4222-8222-222222222222',
  tag: '33333333-3333-4333-8333-333333333333',
};

function seed(sqlite: boolean): string {
  const id = (uuid: string) => (sqlite ? `'${uuid.replace(/-/g, '')}'` : `'${uuid}'`);
  return [
    `INSERT INTO authors (id, name, email) VALUES (${id(ids.author)}, 'Ada', 'ada@example.com');`,
    `INSERT INTO posts (id, title, slug, body, published, author_id, created_at) VALUES (${id(ids.post)}, 'Hello', 'hello', 'Body', true, ${id(ids.author)}, CURRENT_TIMESTAMP);`,
    `INSERT INTO tags (id, name) VALUES (${id(ids.tag)}, 'news');`,
    `INSERT INTO post_tag (post_id, tag_id) VALUES (${id(ids.post)}, ${id(ids.tag)});`,
  ].join('\n');
}

async function cli(...argv: string[]): Promise<{ code: number; output: string }> {
  let output = '';
  const capture = (chunk: string | Uint8Array) => {
    output += String(chunk);
    return true;
  };
  const out = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const err = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    return { code: await main(argv), output };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

describe('bitcup migrate through the CLI', () => {
  let pg: PostgresCluster;
  let dir: string;
  beforeAll(async () => {
    pg = await startPostgres();
    dir = mkdtempSync(join(tmpdir(), 'bitcup-db-cli-'));
  });
  afterAll(() => {
    pg?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('renames an entity and its join table with `was`, keeping the links', async () => {
    const entry = join(dir, 'blog.bitcup');
    const out = join(dir, 'out');
    copyFileSync(join(ROOT, 'examples/blog.bitcup'), entry);
    expect((await cli('build', entry, '--out', out)).code).toBe(0);
    expect((await cli('migrate', entry, '--out', out, '--check')).code).toBe(0);
    const v1 = pg.createDatabase('cli_v1');
    pg.psql(v1, readFileSync(join(out, 'database/schema.sql'), 'utf8'));

    const migrated = pg.createDatabase('cli_migrated');
    const sqlite = join(dir, 'app.db');
    const sqliteUrl = `sqlite+aiosqlite:///${sqlite}`;
    await alembicSteps(out, pg.asyncUrl(migrated), [['upgrade', 'head']]);
    pg.psql(migrated, seed(false));
    await alembicSteps(
      out,
      sqliteUrl,
      [
        ['upgrade', 'head'],
        ['sqlite', seed(true)],
      ],
      sqlite,
    );

    const model = readFileSync(entry, 'utf8');
    const edited = model
      .replace('entity Tag {', 'entity Label was Tag {')
      .replace('tags       Tag[]', 'tags       Label[]')
      .replace(
        'title      string(200) min(1)',
        'title      string(200) min(1)\n  subtitle   string(100)?',
      );
    expect(edited).not.toBe(model);
    writeFileSync(entry, edited);

    const pending = await cli('migrate', entry, '--out', out, '--check');
    expect(pending.code).toBe(1);
    expect(pending.output).toContain('BC7003');
    const written = await cli('migrate', entry, '--out', out, '-m', 'labels and subtitles');
    expect(written.output).toContain('rename table tags to labels');
    expect(written.output).toContain('rename table post_tag to label_post');
    expect(written.code).toBe(0);
    expect(readdirSync(join(out, 'backend/alembic/versions'))).toHaveLength(2);
    expect((await cli('migrate', entry, '--out', out, '--check')).code).toBe(0);
    const again = await cli('migrate', entry, '--out', out, '-m', 'again');
    expect(again.output).toContain('no changes');
    expect(readdirSync(join(out, 'backend/alembic/versions'))).toHaveLength(2);

    // the build writes the new schema.sql and no revision
    expect((await cli('build', entry, '--out', out)).code).toBe(0);
    expect(readdirSync(join(out, 'backend/alembic/versions'))).toHaveLength(2);
    const v2 = pg.createDatabase('cli_v2');
    pg.psql(v2, readFileSync(join(out, 'database/schema.sql'), 'utf8'));

    await alembicSteps(out, pg.asyncUrl(migrated), [['upgrade', 'head']]);
    expect(catalog(pg, migrated)).toEqual(catalog(pg, v2));
    const links = `SELECT l.name || '|' || p.title FROM labels l JOIN label_post lp ON lp.label_id = l.id JOIN posts p ON p.id = lp.post_id`;
    expect(pg.psql(migrated, links).trim()).toBe('news|Hello');
    await alembicSteps(out, pg.asyncUrl(migrated), [['downgrade', '-1']]);
    expect(catalog(pg, migrated)).toEqual(catalog(pg, v1));
    expect(pg.psql(migrated, 'SELECT count(*) FROM post_tag').trim()).toBe('1');

    await alembicSteps(out, sqliteUrl, [
      ['upgrade', 'head'],
      ['downgrade', '-1'],
      ['upgrade', 'head'],
    ]);
    const count = await python(
      `import sqlite3; print(sqlite3.connect(${JSON.stringify(sqlite)}).execute("SELECT count(*) FROM label_post").fetchone()[0])`,
    );
    expect(count.trim()).toBe('1');

    // dropping the new field loses data: refused, then allowed
    writeFileSync(entry, edited.replace('\n  subtitle   string(100)?', ''));
    const refused = await cli('migrate', entry, '--out', out, '-m', 'drop subtitle');
    expect(refused.code).toBe(1);
    expect(refused.output.match(/BC7001/g)).toHaveLength(1);
    expect(refused.output).toContain('posts.subtitle');
    expect(readdirSync(join(out, 'backend/alembic/versions'))).toHaveLength(2);
    const allowed = await cli(
      'migrate',
      entry,
      '--out',
      out,
      '-m',
      'drop subtitle',
      '--allow-destructive',
    );
    expect(allowed.code).toBe(0);
    expect(readdirSync(join(out, 'backend/alembic/versions'))).toHaveLength(3);
  });
});
