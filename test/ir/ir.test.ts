// IR snapshot per example (reviewed; UPDATE_SNAPSHOTS=1 rewrites them), the
// examples compile with no diagnostic, the IR matches its schema, compiling
// twice gives identical JSON, and the naming rules of LANGUAGE.md hold.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../compiler/index.js';
import { ProgramSchema, type Program } from '../../compiler/ir/schema.js';

const root = join(import.meta.dirname, '..', '..');
const examples = ['blog', 'shop', 'platform'];
const update = process.env.UPDATE_SNAPSHOTS === '1';

function compileExample(name: string): Program {
  const result = compile(join(root, 'examples', `${name}.bitcup`));
  expect(result.diagnostics).toEqual([]);
  expect(result.program).toBeDefined();
  return result.program!;
}

describe.each(examples)('IR of %s', (name) => {
  it('compiles clean, matches the schema and its reviewed snapshot', () => {
    const program = compileExample(name);
    const parsed = ProgramSchema.safeParse(program);
    expect(parsed.success, JSON.stringify(parsed.error?.issues.slice(0, 3))).toBe(true);
    const json = JSON.stringify(program, null, 2) + '\n';
    const file = join(import.meta.dirname, 'snapshots', `${name}.json`);
    if (update || !existsSync(file)) writeFileSync(file, json);
    expect(json).toBe(readFileSync(file, 'utf8'));
  });

  it('is deterministic: compiling twice gives identical JSON', () => {
    expect(JSON.stringify(compileExample(name))).toBe(JSON.stringify(compileExample(name)));
  });
});

const entity = (p: Program, name: string) => p.entities.find((e) => e.name === name)!;
const field = (p: Program, e: string, f: string) => entity(p, e).fields.find((x) => x.name === f)!;

describe('naming and relations (LANGUAGE.md)', () => {
  it('blog: tables, columns, join table post_tag, relation kinds', () => {
    const p = compileExample('blog');
    expect(p.entities.map((e) => e.table)).toEqual(['authors', 'posts', 'tags']);
    expect(entity(p, 'Post').fields.map((f) => f.name)).toEqual([
      'id',
      'title',
      'slug',
      'body',
      'published',
      'author',
      'tags',
      'createdAt',
      'updatedAt',
    ]);
    const author = field(p, 'Post', 'author');
    expect(author).toMatchObject({ apiName: 'authorId', column: 'author_id' });
    expect(author.type).toMatchObject({
      kind: 'relation',
      relation: 'many-to-one',
      owning: true,
      onDelete: 'cascade',
      inverse: 'posts',
    });
    expect(field(p, 'Author', 'posts').type).toMatchObject({
      relation: 'one-to-many',
      owning: false,
      inverse: 'author',
    });
    expect(field(p, 'Author', 'posts').column).toBeUndefined();
    expect(field(p, 'Post', 'tags')).toMatchObject({ apiName: 'tagIds' });
    expect(field(p, 'Tag', 'posts')).toMatchObject({ apiName: 'postIds' });
    expect(p.joinTables).toEqual([
      {
        name: 'post_tag',
        sides: [
          { entity: 'Post', field: 'tags', column: 'post_id', references: 'posts' },
          { entity: 'Tag', field: 'posts', column: 'tag_id', references: 'tags' },
        ],
        symmetric: false,
      },
    ]);
    expect(field(p, 'Post', 'createdAt')).toMatchObject({
      origin: 'timestamps',
      column: 'created_at',
      default: { kind: 'now' },
    });
    expect(field(p, 'Post', 'updatedAt')).toMatchObject({ optional: true, onUpdateNow: true });
    expect(field(p, 'Post', 'id')).toMatchObject({
      primaryKey: true,
      origin: 'id',
      type: { kind: 'scalar', scalar: 'uuid' },
    });
  });

  it('blog: indexes for the FK, filter, sort and search; none where one already leads', () => {
    const p = compileExample('blog');
    expect(p.indexes.map((i) => [i.name, i.method, i.reasons])).toEqual([
      ['ix_posts_author_id', 'btree', ['foreign-key']],
      ['ix_posts_body_trgm', 'gin_trgm', ['search']],
      ['ix_posts_created_at', 'btree', ['sort']],
      ['ix_posts_published_created_at', 'btree', ['declared', 'filter']],
      ['ix_posts_title_trgm', 'gin_trgm', ['search']],
    ]);
  });

  it('shop: product_tag, order_lines, owned by, flow field, expression default, settings', () => {
    const p = compileExample('shop');
    expect(p.joinTables.map((j) => j.name)).toEqual(['product_tag']);
    expect(entity(p, 'OrderLine')).toMatchObject({
      table: 'order_lines',
      apiPath: 'order-lines',
      label: 'Order line',
      pluralLabel: 'Order lines',
    });
    expect(field(p, 'Customer', 'orders').type).toMatchObject({
      relation: 'one-to-many',
      inverse: 'buyer',
    });
    expect(field(p, 'Customer', 'passwordHash').private).toBe(true);
    expect(entity(p, 'Customer').isAuthUser).toBe(true);
    expect(field(p, 'Order', 'buyer').ownerField).toBe(true);
    expect(entity(p, 'Order').allows[0]).toMatchObject({ ops: ['all'], source: 'ownedBy' });
    expect(field(p, 'Order', 'status')).toMatchObject({
      flow: 'OrderLifecycle',
      readonly: true,
      default: { kind: 'enum', value: 'draft' },
    });
    expect(field(p, 'OrderLine', 'unitPrice').default).toMatchObject({
      kind: 'expression',
      expr: {
        kind: 'path',
        root: 'row',
        steps: [
          { entity: 'OrderLine', field: 'product' },
          { entity: 'Product', field: 'price' },
        ],
      },
    });
    expect(entity(p, 'Order').checks[0]).toMatchObject({ field: 'status' });
    expect(p.app).toMatchObject({
      version: '1.2.0',
      apiPrefix: '/api',
      auth: { user: 'Customer', tokenTtlSeconds: 1800 },
    });
    expect(p.deploy.kubernetes.backend).toEqual({
      replicas: 3,
      maxReplicas: 9,
      cpu: { request: '500m', limit: '1' },
      memory: { request: '512Mi', limit: '1Gi' },
    });
    const flow = p.flows[0]!;
    expect(flow).toMatchObject({ initial: 'draft', finalStates: ['shipped', 'cancelled'] });
    expect(flow.transitions.find((t) => t.name === 'ship')).toMatchObject({
      guardMentionsCurrentUser: true,
    });
    expect(flow.transitions.find((t) => t.name === 'place')).toMatchObject({
      guardMentionsCurrentUser: false,
    });
    const orders = p.views.find((v) => v.name === 'Orders')!;
    expect(orders).toMatchObject({
      component: 'OrdersView',
      detailView: 'OrderPage',
      inNav: true,
      paths: ['/orders'],
    });
    expect(p.views.find((v) => v.name === 'NewOrder')!.paths).toEqual([
      '/orders/new',
      '/orders/:id/edit',
    ]);
    expect(p.views.find((v) => v.name === 'ProductPage')!.paths).toEqual(['/products/:id']);
  });

  it('platform: rsd_documents, explicit tables, api prefix, deploy defaults', () => {
    const p = compileExample('platform');
    expect(entity(p, 'RsdDocument')).toMatchObject({
      table: 'rsd_documents',
      apiPath: 'rsd-documents',
    });
    expect(entity(p, 'BitcupModel').table).toBe('bitcup_models');
    expect(entity(p, 'GeneratedCode')).toMatchObject({
      table: 'generated_code',
      apiPath: 'generated-codes',
    });
    expect(p.app.apiPrefix).toBe('/api/v1');
    expect(p.deploy.kubernetes.backend).toMatchObject({ replicas: 3, maxReplicas: 9 });
    expect(field(p, 'User', 'hashedPassword').private).toBe(true);
    expect(entity(p, 'Session').checks[0]!.field).toBe('project');
    const components = p.views.map((v) => v.component);
    expect(new Set(components).size).toBe(components.length);
    expect(components.every((c) => /^[A-Z][a-z0-9]+[A-Z]/.test(c))).toBe(true);
  });
});
