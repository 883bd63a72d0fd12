// The model-evolution cases: pairs of models (v1 -> v2) built with the IR
// builder, rows inserted under v1, and what must hold after the upgrade.
import type { Program } from '../../compiler/ir/schema.js';
import {
  buildProgram,
  enumType,
  lit,
  scalar,
  str,
  toMany,
  toOne,
  type EntitySpec,
  type ProgramSpec,
} from './ir-builder.js';

export interface EvolutionCase {
  name: string;
  v1: Program;
  v2: Program;
  allowDestructive?: boolean;
  /** destructive changes the diff must report (refused without the flag) */
  destructive?: number;
  /** SQL returning one text line per row; must give `expect` after the upgrade */
  check: string;
  expect: string[];
  /** the check is PostgreSQL-only SQL (casts, boolean text): SQLite checks the row count */
  postgresqlOnlyCheck?: boolean;
}

const AUTHOR_ID = '11111111-1111-4111-8111-111111111111';
const POST_ID = '22222222-2222-4222-8222-222222222222';

/** Rows inserted under v1 (same statements on PostgreSQL and SQLite). */
export function seedSql(sqlite: boolean): string {
  const id = (uuid: string) => (sqlite ? `'${uuid.replace(/-/g, '')}'` : `'${uuid}'`);
  return [
    `INSERT INTO authors (id, name, email) VALUES (${id(AUTHOR_ID)}, 'Ada', 'ada@example.com');`,
    `INSERT INTO posts (id, title, body, status, views, summary, author_id, created_at) VALUES (${id(POST_ID)}, 'Hello', 'First post', 'draft', 7, NULL, ${id(AUTHOR_ID)}, CURRENT_TIMESTAMP);`,
  ].join('\n');
}

function base(): ProgramSpec {
  return {
    enums: { Status: ['draft', 'published'] },
    entities: [
      {
        name: 'Author',
        fields: {
          name: { type: str(80) },
          email: { type: scalar('email'), unique: true },
          posts: { type: toMany('Post', 'author') },
        },
      },
      {
        name: 'Post',
        timestamps: true,
        fields: {
          title: { type: str(200), min: 1 },
          body: { type: scalar('text') },
          status: { type: enumType('Status'), default: { kind: 'enum', value: 'draft' } },
          views: { type: scalar('int'), default: lit(0) },
          summary: { type: scalar('text'), optional: true },
          author: { type: toOne('Author', 'cascade') },
        },
      },
    ],
  };
}

type Edit = (spec: ProgramSpec) => void;
const entity = (spec: ProgramSpec, name: string): EntitySpec =>
  spec.entities.find((e) => e.name === name)!;

function evolve(edit: Edit, start: Edit = () => {}): [Program, Program] {
  const v1 = base();
  start(v1);
  const v2 = structuredClone(v1);
  edit(v2);
  return [buildProgram(v1), buildProgram(v2)];
}

function pair(
  name: string,
  edit: Edit,
  check: string,
  expect: string[],
  extra: Partial<EvolutionCase> = {},
  start?: Edit,
): EvolutionCase {
  const [v1, v2] = evolve(edit, start);
  return { name, v1, v2, check, expect, ...extra };
}

const POST_CHECK = "SELECT title || '|' || body || '|' || views FROM posts";
const POST_ROW = ['Hello|First post|7'];

export const evolutionCases: EvolutionCase[] = [
  pair(
    'add optional field',
    (s) => {
      entity(s, 'Post').fields.subtitle = { type: str(100), optional: true };
    },
    "SELECT title || '|' || coalesce(subtitle, '<null>') FROM posts",
    ['Hello|<null>'],
  ),
  pair(
    'add required field with default',
    (s) => {
      entity(s, 'Post').fields.featured = { type: scalar('bool'), default: lit(false) };
      entity(s, 'Post').fields.rating = {
        type: scalar('decimal', { precision: 4, scale: 1 }),
        default: lit(2.5),
      };
    },
    "SELECT title || '|' || featured || '|' || rating FROM posts",
    ['Hello|false|2.5'],
    { postgresqlOnlyCheck: true },
  ),
  pair(
    'rename field with was',
    (s) => {
      const post = entity(s, 'Post');
      const { title, ...rest } = post.fields;
      post.fields = { headline: { ...title!, was: 'title' }, ...rest };
    },
    "SELECT headline || '|' || body FROM posts",
    ['Hello|First post'],
  ),
  pair(
    'rename entity with was',
    (s) => {
      const author = entity(s, 'Author');
      author.name = 'Writer';
      author.was = 'Author';
      const post = entity(s, 'Post');
      post.fields.author = { type: toOne('Writer', 'cascade') };
    },
    "SELECT w.name || '|' || p.title FROM writers w JOIN posts p ON p.author_id = w.id",
    ['Ada|Hello'],
  ),
  pair(
    'change type (int to bigint)',
    (s) => {
      entity(s, 'Post').fields.views = { type: scalar('bigint'), default: lit(0) };
    },
    POST_CHECK,
    POST_ROW,
  ),
  pair(
    'widen string',
    (s) => {
      entity(s, 'Author').fields.name = { type: str(200) };
    },
    'SELECT name FROM authors',
    ['Ada'],
  ),
  pair(
    'add relation',
    (s) => {
      s.entities.push({
        name: 'Category',
        fields: {
          label: { type: str(60), unique: true },
          posts: { type: toMany('Post', 'category') },
        },
      });
      entity(s, 'Post').fields.category = { type: toOne('Category', 'set null'), optional: true };
    },
    "SELECT title || '|' || coalesce(category_id::text, '<null>') FROM posts",
    ['Hello|<null>'],
    { postgresqlOnlyCheck: true },
  ),
  pair(
    'add many-to-many',
    (s) => {
      s.entities.push({ name: 'Tag', fields: { name: { type: str(40), unique: true } } });
      s.manyToMany = [['Post', 'tags', 'Tag', 'posts']];
    },
    POST_CHECK,
    POST_ROW,
  ),
  pair(
    'add enum value',
    (s) => {
      s.enums!.Status = ['draft', 'published', 'archived'];
    },
    'SELECT status FROM posts',
    ['draft'],
  ),
  pair(
    'add index',
    (s) => {
      entity(s, 'Post').indexes = [['status', 'createdAt']];
      entity(s, 'Post').search = ['title'];
    },
    POST_CHECK,
    POST_ROW,
  ),
  pair(
    'drop field with --allow-destructive',
    (s) => {
      delete entity(s, 'Post').fields.summary;
    },
    POST_CHECK,
    POST_ROW,
    { allowDestructive: true, destructive: 1 },
  ),
  pair(
    'add check',
    (s) => {
      entity(s, 'Post').fields.views = {
        type: scalar('int'),
        default: lit(0),
        min: 0,
        max: 1000000,
      };
      entity(s, 'Author').fields.email = {
        type: scalar('email'),
        unique: true,
        pattern: '^[^@]+@[^@]+$',
      };
    },
    POST_CHECK,
    POST_ROW,
  ),
  pair(
    'make optional field required with a default',
    (s) => {
      entity(s, 'Post').fields.summary = { type: scalar('text'), default: lit('(none)') };
    },
    'SELECT summary FROM posts',
    ['(none)'],
  ),
  pair(
    'drop enum value and table with --allow-destructive',
    (s) => {
      s.enums!.Status = ['draft'];
      s.entities = s.entities.filter((e) => e.name !== 'Note');
    },
    'SELECT status FROM posts',
    ['draft'],
    { allowDestructive: true, destructive: 2 },
    (s) => {
      s.entities.push({ name: 'Note', fields: { text: { type: scalar('text') } } });
    },
  ),
];
