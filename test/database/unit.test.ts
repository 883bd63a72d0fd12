// Unit tests of the database backend on hand-built IR: names, ordering,
// the migration diff's safety classification, and `migrate` decisions.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { alembicBackend } from '../../compiler/backends/alembic/index.js';
import { flat, statement, call, kw, str as pyStr } from '../../compiler/backends/alembic/python.js';
import { limitName, quoteIdent } from '../../compiler/backends/sql/identifiers.js';
import { creationPlan, lowerProgram } from '../../compiler/backends/sql/model.js';
import { renderSchemaSql } from '../../compiler/backends/sql/ddl.js';
import type { BackendContext } from '../../compiler/backends/types.js';
import { diff, downgradeOf, isWidening } from '../../compiler/migrate/diff.js';
import { migrateProgram, revisionChain } from '../../compiler/migrate/migrate.js';
import { buildProgram, lit, scalar, str, toMany, toOne, type ProgramSpec } from './ir-builder.js';
import { evolutionCases } from './evolution-cases.js';
import { writeFiles } from './harness.js';

const firstBuild: BackendContext = { previous: { revisions: new Map() }, report: () => {} };
const temps: string[] = [];
const temp = () => {
  const dir = mkdtempSync(join(tmpdir(), 'bitcup-db-unit-'));
  temps.push(dir);
  return dir;
};
afterAll(() => temps.forEach((d) => rmSync(d, { recursive: true, force: true })));

const small: ProgramSpec = {
  entities: [
    // declared before the entity it references: tables must still come in dependency order
    {
      name: 'Line',
      fields: { order: { type: toOne('Order', 'cascade') }, from: { type: scalar('int') } },
    },
    {
      name: 'Order',
      fields: {
        note: { type: scalar('text'), optional: true },
        lines: { type: toMany('Line', 'order') },
      },
    },
  ],
};

describe('identifiers', () => {
  it('keeps names within 63 bytes, deterministically and distinctly', () => {
    const a = `ix_${'very_long_table_name_'.repeat(4)}a`;
    const b = `ix_${'very_long_table_name_'.repeat(4)}b`;
    expect(Buffer.byteLength(limitName(a))).toBeLessThanOrEqual(63);
    expect(limitName(a)).toBe(limitName(a));
    expect(limitName(a)).not.toBe(limitName(b));
    expect(limitName('ix_short')).toBe('ix_short');
  });

  it('quotes keywords and unusual names only', () => {
    expect(quoteIdent('order')).toBe('"order"');
    expect(quoteIdent('user')).toBe('"user"');
    expect(quoteIdent('name')).toBe('name');
    expect(quoteIdent('Weird')).toBe('"Weird"');
  });
});

describe('database model', () => {
  it('orders tables so every foreign key points at an earlier table', () => {
    const schema = lowerProgram(buildProgram(small));
    expect(creationPlan(schema.tables).order.map((t) => t.name)).toEqual(['orders', 'lines']);
    const sql = renderSchemaSql(schema, 'Test');
    expect(sql.indexOf('CREATE TABLE orders')).toBeLessThan(sql.indexOf('CREATE TABLE lines'));
    expect(sql).toContain('"from" integer NOT NULL');
  });

  it('defers a foreign key that closes a cycle', () => {
    const program = buildProgram({
      entities: [
        { name: 'A', fields: { b: { type: toOne('B'), optional: true } } },
        { name: 'B', fields: { a: { type: toOne('A'), optional: true } } },
      ],
    });
    const plan = creationPlan(lowerProgram(program).tables);
    expect(plan.deferred.map((d) => d.foreignKey.name)).toEqual(['fk_as_b_id']);
    expect(renderSchemaSql(lowerProgram(program), 'T')).toContain(
      'ALTER TABLE "as" ADD CONSTRAINT fk_as_b_id FOREIGN KEY (b_id) REFERENCES bs (id) ON DELETE RESTRICT;',
    );
  });

  it('is deterministic', () => {
    expect(renderSchemaSql(lowerProgram(buildProgram(small)), 'T')).toBe(
      renderSchemaSql(lowerProgram(buildProgram(small)), 'T'),
    );
  });
});

describe('migration diff', () => {
  const withField = (field: ProgramSpec['entities'][number]['fields'][string]) =>
    buildProgram({ entities: [{ name: 'Item', fields: { value: field } }] });
  const destructive = (
    a: ProgramSpec['entities'][number]['fields'][string],
    b: ProgramSpec['entities'][number]['fields'][string],
  ) => diff(withField(a), withField(b)).filter((c) => c.destructive).length;

  it('classifies narrowing as destructive and widening as safe', () => {
    expect(destructive({ type: str(80) }, { type: str(40) })).toBe(1);
    expect(destructive({ type: str(40) }, { type: str(80) })).toBe(0);
    expect(destructive({ type: scalar('text') }, { type: str(80) })).toBe(1);
    expect(destructive({ type: str(80) }, { type: scalar('text') })).toBe(0);
    expect(destructive({ type: scalar('bigint') }, { type: scalar('int') })).toBe(1);
    expect(destructive({ type: scalar('int') }, { type: scalar('bigint') })).toBe(0);
    const dec = (precision: number, scale: number) => ({
      type: scalar('decimal', { precision, scale }),
    });
    expect(destructive(dec(10, 2), dec(10, 1))).toBe(1);
    expect(destructive(dec(10, 2), dec(12, 2))).toBe(0);
    expect(destructive({ type: scalar('int') }, { type: scalar('bool') })).toBe(1);
    expect(isWidening({ kind: 'date' }, { kind: 'timestamptz' })).toBe(true);
  });

  it('refuses a column made required without a default, not with one', () => {
    expect(destructive({ type: str(), optional: true }, { type: str() })).toBe(1);
    expect(destructive({ type: str(), optional: true }, { type: str(), default: lit('x') })).toBe(
      0,
    );
  });

  it('refuses adding a required column without a database default', () => {
    const before = buildProgram({ entities: [{ name: 'Item', fields: {} }] });
    const count = (spec: ProgramSpec['entities'][number]['fields'][string]) =>
      diff(before, withField(spec)).filter((c) => c.destructive).length;
    expect(count({ type: str() })).toBe(1);
    expect(count({ type: str(), default: { kind: 'currentUser' } })).toBe(1);
    expect(count({ type: str(), default: lit('x') })).toBe(0);
    expect(count({ type: str(), optional: true })).toBe(0);
  });

  it('turns `was` renames into renames, never drop + add', () => {
    const c = evolutionCases.find((x) => x.name === 'rename field with was')!;
    const kinds = diff(c.v1, c.v2).map((p) => p.change.kind);
    expect(kinds).toContain('renameColumn');
    expect(kinds).not.toContain('dropColumn');
    const e = evolutionCases.find((x) => x.name === 'rename entity with was')!;
    const entityKinds = diff(e.v1, e.v2).map((p) => p.change.kind);
    expect(entityKinds).toContain('renameTable');
    expect(entityKinds).not.toContain('dropTable');
  });

  it('renames a relation field with its column, foreign key and index', () => {
    const spec = (name: string, was?: string): ProgramSpec => ({
      entities: [
        { name: 'Author', fields: { name: { type: str(80) } } },
        {
          name: 'Post',
          fields: { [name]: { type: toOne('Author', 'cascade'), ...(was ? { was } : {}) } },
        },
      ],
    });
    const changes = diff(buildProgram(spec('author')), buildProgram(spec('writer', 'author')));
    expect(changes.filter((c) => c.destructive)).toEqual([]);
    const described = changes
      .map((c) => c.change)
      .filter((c) => !('sqliteOnly' in c && c.sqliteOnly))
      .map((c) =>
        c.kind === 'renameColumn'
          ? `column ${c.from} -> ${c.to}`
          : c.kind === 'renameConstraint'
            ? `constraint ${c.from.name} -> ${c.to.name}`
            : c.kind === 'renameIndex'
              ? `index ${c.from.name} -> ${c.to.name}`
              : c.kind,
      );
    expect(described).toEqual([
      'column author_id -> writer_id',
      'constraint fk_posts_author_id -> fk_posts_writer_id',
      'index ix_posts_author_id -> ix_posts_writer_id',
    ]);
  });

  it('reports the destructive changes each evolution case expects', () => {
    for (const c of evolutionCases)
      expect(diff(c.v1, c.v2).filter((p) => p.destructive).length, c.name).toBe(c.destructive ?? 0);
  });

  it('downgrades by undoing every change in reverse', () => {
    const c = evolutionCases.find((x) => x.name === 'add relation')!;
    const up = diff(c.v1, c.v2).map((p) => p.change);
    expect(downgradeOf(downgradeOf(up))).toEqual(up);
  });

  it('has no change between a program and itself', () => {
    for (const c of evolutionCases) expect(diff(c.v2, c.v2)).toEqual([]);
  });
});

describe('bitcup migrate', () => {
  const c = evolutionCases.find((x) => x.name === 'drop field with --allow-destructive')!;

  function firstOut(): string {
    const out = temp();
    writeFiles(out, alembicBackend.generate(c.v1, firstBuild));
    return out;
  }
  const versions = (out: string) => readdirSync(join(out, 'backend/alembic/versions')).sort();

  it('writes the initial revision and snapshot on the first build only', () => {
    const files = alembicBackend.generate(c.v1, firstBuild).map((f) => f.path);
    expect(files.some((p) => p.startsWith('backend/alembic/versions/0001_'))).toBe(true);
    expect(files).toContain('.bitcup/snapshot.json');
    const later = alembicBackend.generate(c.v2, {
      previous: { snapshot: c.v1, revisions: new Map([['x.py', '']]) },
      report: () => {},
    });
    expect(later.map((f) => f.path).sort()).toEqual([
      'backend/alembic.ini',
      'backend/alembic/env.py',
      'backend/alembic/script.py.mako',
    ]);
  });

  it('says there is nothing to do when the model did not change', () => {
    const out = firstOut();
    expect(migrateProgram(c.v1, out, { message: 'nothing' }).status).toBe('no-change');
    expect(versions(out)).toHaveLength(1);
  });

  it('--check fails on uncovered changes and writes nothing', () => {
    const out = firstOut();
    const snapshot = readFileSync(join(out, '.bitcup/snapshot.json'), 'utf8');
    const result = migrateProgram(c.v2, out, { check: true });
    expect(result.status).toBe('pending');
    expect(result.diagnostics.map((d) => d.code)).toEqual(['BC7003']);
    expect(versions(out)).toHaveLength(1);
    expect(readFileSync(join(out, '.bitcup/snapshot.json'), 'utf8')).toBe(snapshot);
  });

  it('refuses a destructive change with one diagnostic, then accepts it when allowed', () => {
    const out = firstOut();
    const refused = migrateProgram(c.v2, out, { message: 'drop summary' });
    expect(refused.status).toBe('refused');
    expect(refused.diagnostics).toHaveLength(1);
    expect(refused.diagnostics[0]!.code).toBe('BC7001');
    expect(refused.diagnostics[0]!.message).toContain('posts.summary');
    expect(refused.diagnostics[0]!.span).toBeDefined();
    const written = migrateProgram(c.v2, out, { message: 'drop summary', allowDestructive: true });
    expect(written.status).toBe('written');
    expect(versions(out)).toHaveLength(2);
    expect(migrateProgram(c.v2, out, { check: true }).status).toBe('no-change');
  });

  it('needs a message for a revision after the first', () => {
    const out = firstOut();
    const result = migrateProgram(c.v2, out, { allowDestructive: true });
    expect(result.diagnostics.map((d) => d.code)).toEqual(['BC7004']);
    expect(versions(out)).toHaveLength(1);
  });

  it('derives revision ids from content: the same history gives the same files', () => {
    const a = firstOut();
    const b = firstOut();
    for (const out of [a, b]) migrateProgram(c.v2, out, { message: 'm', allowDestructive: true });
    expect(versions(a)).toEqual(versions(b));
    for (const name of versions(a))
      expect(readFileSync(join(a, 'backend/alembic/versions', name), 'utf8')).toBe(
        readFileSync(join(b, 'backend/alembic/versions', name), 'utf8'),
      );
    const chain = revisionChain(
      new Map(
        versions(a).map((n) => [n, readFileSync(join(a, 'backend/alembic/versions', n), 'utf8')]),
      ),
    );
    expect(chain.count).toBe(2);
    expect(versions(a)[1]).toContain(chain.head!);
  });
});

describe('python layout', () => {
  it('keeps short calls on one line and splits long ones like ruff format', () => {
    expect(statement(call('op.f', pyStr('a')), 0)).toEqual(['op.f("a")']);
    const long = call(
      'op.create_index',
      pyStr('x'.repeat(45)),
      pyStr('y'.repeat(30)),
      kw('unique', 'True'),
    );
    expect(statement(long, 0)).toEqual([
      'op.create_index(',
      `    "${'x'.repeat(45)}", "${'y'.repeat(30)}", unique=True`,
      ')',
    ]);
    expect(flat(long)).toContain('unique=True');
    expect(pyStr('say "hi"')).toBe(`'say "hi"'`);
  });
});

describe('bitcup migrate on a broken history', () => {
  const c = evolutionCases[0]!;

  it('needs the snapshot when revisions exist (BC7002)', () => {
    const out = temp();
    writeFiles(
      out,
      alembicBackend.generate(c.v1, firstBuild).filter((f) => !f.path.endsWith('snapshot.json')),
    );
    const result = migrateProgram(c.v2, out, { message: 'x' });
    expect(result.status).toBe('error');
    expect(result.diagnostics.map((d) => d.code)).toEqual(['BC7002']);
  });

  it('needs one chain of revisions (BC7005)', () => {
    const revision = (id: string, down: string) =>
      `revision: str = "${id}"\ndown_revision: str | None = ${down}\n`;
    expect(
      revisionChain(
        new Map([
          ['a.py', revision('a', 'None')],
          ['b.py', revision('b', '"a"')],
          ['c.py', revision('c', '"a"')],
        ]),
      ).error,
    ).toContain('2 heads');
    const out = temp();
    writeFiles(out, alembicBackend.generate(c.v1, firstBuild));
    writeFiles(out, [
      {
        path: 'backend/alembic/versions/0002_other.py',
        content: revision('other', 'None'),
        ownership: 'history',
        dependsOn: [],
      },
    ]);
    const result = migrateProgram(c.v2, out, { message: 'x' });
    expect(result.diagnostics.map((d) => d.code)).toEqual(['BC7005']);
  });
});
