import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  MAX_NESTING,
  parseSource,
  splitSettingsEntry,
  type Declaration,
  type EntityDecl,
  type Expr,
  type RulesDecl,
  type ViewDecl,
} from '../../grammar/index.js';

const examples = join(import.meta.dirname, '../../examples');
const exampleFiles = ['blog.bitcup', 'shop.bitcup', 'shop-catalog.bitcup', 'platform.bitcup'];

function parse(text: string) {
  return parseSource(text, 'test.bitcup');
}

function codes(text: string): string[] {
  return parse(text).diagnostics.map((d) => d.code);
}

function decl<K extends Declaration['kind']>(
  text: string,
  kind: K,
): Extract<Declaration, { kind: K }> {
  const result = parse(text);
  expect(result.diagnostics).toEqual([]);
  const found = result.ast.declarations.find((d) => d.kind === kind);
  expect(found).toBeDefined();
  return found as Extract<Declaration, { kind: K }>;
}

/** A compact rendering of an expression tree, to assert precedence. */
function show(e: Expr): string {
  switch (e.kind) {
    case 'binary':
      return `(${show(e.left)} ${e.op} ${show(e.right)})`;
    case 'unary':
      return `(${e.op} ${show(e.operand)})`;
    case 'in':
      return `(${show(e.value)} in [${e.list.map(show).join(', ')}])`;
    case 'call':
      return `${e.fn}(${e.args.map(show).join(', ')}${e.where ? ` where ${show(e.where)}` : ''})`;
    case 'path':
      return [e.root === 'name' ? [] : [e.root], e.segments.map((s) => s.name)].flat().join('.');
    case 'number':
    case 'string':
      return e.raw;
    case 'duration':
      return `${e.raw}=${e.seconds}s`;
    case 'bool':
      return String(e.value);
    case 'list':
      return `[${e.items.map(show).join(', ')}]`;
    default:
      return e.kind;
  }
}

function checkExpr(source: string): string {
  const rules = decl(`rules A { check ${source} "m" }`, 'rules');
  const item = rules.items[0]!;
  expect(item.kind).toBe('check');
  return show(item.condition);
}

describe('examples', () => {
  it.each(exampleFiles)('%s parses with no diagnostic', (file) => {
    const result = parseSource(readFileSync(join(examples, file), 'utf8'), file);
    expect(result.diagnostics).toEqual([]);
    expect(result.ast.declarations.length).toBeGreaterThan(5);
  });

  it('keeps platform.bitcup fields named like keywords', () => {
    const text = readFileSync(join(examples, 'platform.bitcup'), 'utf8');
    const { ast } = parseSource(text, 'platform.bitcup');
    const model = ast.declarations.find(
      (d): d is EntityDecl => d.kind === 'entity' && d.name === 'BitcupModel',
    )!;
    const names = model.fields.map((f) => f.name);
    for (const name of ['entities', 'behaviors', 'flows', 'views', 'events', 'rules', 'version']) {
      expect(names).toContain(name);
    }
    expect(model.options).toEqual([
      expect.objectContaining({ kind: 'table', name: 'bitcup_models' }),
    ]);
    const rsd = ast.declarations.find(
      (d): d is EntityDecl => d.kind === 'entity' && d.name === 'RsdDocument',
    )!;
    expect(rsd.fields.map((f) => f.name)).toContain('constraints');
  });

  it('reads the shop: import, flow clauses, behaviors, views', () => {
    const text = readFileSync(join(examples, 'shop.bitcup'), 'utf8');
    const { ast } = parseSource(text, 'shop.bitcup');
    expect(ast.imports.map((i) => i.path)).toEqual(['./shop-catalog.bitcup']);
    const flow = ast.declarations.find((d) => d.kind === 'flow')!;
    expect(flow.kind === 'flow' && flow.transitions.map((t) => t.name.name)).toEqual([
      'place',
      'pay',
      'ship',
      'cancel',
    ]);
    if (flow.kind !== 'flow') return;
    const ship = flow.transitions[2]!;
    expect(show(ship.guard!)).toBe('currentUser.isStaff');
    expect(ship.sets.map((s) => `${s.field.name}=${show(s.value)}`)).toEqual(['shippedAt=now']);
    expect(ship.emits[0]!.event.name).toBe('OrderShipped');
    expect(ship.emits[0]!.assignments!.map((a) => `${a.field.name}=${show(a.value)}`)).toEqual([
      'order=this',
      'carrier=carrier',
    ]);
    expect(flow.transitions[3]!.from.map((f) => f.name)).toEqual(['draft', 'placed']);
    const behaviors = ast.declarations.filter((d) => d.kind === 'behavior');
    expect(
      behaviors.map(
        (b) => b.kind === 'behavior' && `${b.entity?.name ?? ''}.${b.name}:${b.custom}`,
      ),
    ).toEqual(['Order.reorder:false', 'Order.recalculate:true', '.monthlyReport:true']);
    const reorder = behaviors[0]!;
    if (reorder.kind !== 'behavior') return;
    expect(reorder.statements.map((s) => s.kind)).toEqual([
      'input',
      'require',
      'create',
      'returns',
    ]);
    const home = ast.declarations.find(
      (d): d is ViewDecl => d.kind === 'view' && d.name === 'Home',
    )!;
    expect(home.viewKind.name).toBe('dashboard');
    expect(home.entity).toBeUndefined();
    expect(home.clauses.map((c) => c.kind)).toEqual(['path', 'metric', 'metric', 'table']);
    const metric = home.clauses[1]!;
    expect(metric.kind === 'metric' && show(metric.value)).toBe(
      'count(Order where (status in [placed, paid]))',
    );
  });
});

describe('contextual keywords', () => {
  it('accepts keywords as field names and entity options by the following token', () => {
    const entity = decl(
      `entity Thing {
        status string  type string  view string  order int  text text
        index int  label string label "Shown"  rules json  table string  public bool
        sort int  path string  unique string unique  private bool private
        index (status, type)
        unique (order, view)
        table "things"
      }`,
      'entity',
    );
    expect(entity.fields.map((f) => f.name)).toEqual([
      'status',
      'type',
      'view',
      'order',
      'text',
      'index',
      'label',
      'rules',
      'table',
      'public',
      'sort',
      'path',
      'unique',
      'private',
    ]);
    expect(entity.fields[6]!.modifiers).toEqual([
      expect.objectContaining({ kind: 'label', text: 'Shown' }),
    ]);
    expect(entity.fields[12]!.modifiers.map((m) => m.kind)).toEqual(['unique']);
    expect(entity.options.map((o) => o.kind)).toEqual(['index', 'unique', 'table']);
    expect(
      entity.options[0]!.kind === 'index' && entity.options[0]!.fields.map((f) => f.name),
    ).toEqual(['status', 'type']);
  });

  it('uses keywords in expressions and view lists', () => {
    expect(checkExpr('index > 0 and label != null and this.view == order.type')).toBe(
      '(((index > 0) and (label != null)) and (this.view == order.type))',
    );
    const view = decl('view V list A { columns status, type, label  sort order desc }', 'view');
    expect(
      view.clauses[0]!.kind === 'columns' && view.clauses[0]!.items.map((i) => i.text),
    ).toEqual(['status', 'type', 'label']);
    expect(view.clauses[1]).toMatchObject({ kind: 'sort', direction: 'desc' });
  });

  it('ends a view list at the next clause keyword, but not after a comma', () => {
    const view = decl(
      'view PostPage detail Post { fields title, body, author.name, createdAt  related tags }',
      'view',
    );
    expect(view.clauses.map((c) => c.kind)).toEqual(['fields', 'related']);
    const afterComma = decl('view V list A { columns a, filter  filter status }', 'view');
    expect(
      afterComma.clauses[0]!.kind === 'columns' && afterComma.clauses[0]!.items.map((i) => i.text),
    ).toEqual(['a', 'filter']);
  });

  it('reads public in the view header', () => {
    const view = decl('view Catalog list Product public { path "/catalog" }', 'view');
    expect(view.public).toBe(true);
    expect(view.entity?.name).toBe('Product');
  });
});

describe('lexical rules', () => {
  it('decodes only \\", \\\\ and \\n in strings', () => {
    const entity = decl(
      String.raw`entity A { code string pattern("^\d+\"x\\y\n$") label "a\tb" }`,
      'entity',
    );
    const modifiers = entity.fields[0]!.modifiers;
    expect(modifiers[0]).toMatchObject({ kind: 'pattern', regex: '^\\d+"x\\y\n$' });
    expect(modifiers[1]).toMatchObject({ kind: 'label', text: 'a\\tb' });
  });

  it('reads numbers, durations and literals', () => {
    expect(checkExpr('a + 3.5 * 2 > 15m')).toBe('((a + (3.5 * 2)) > 15m=900s)');
    expect(checkExpr('x == true or y != false or z == null')).toBe(
      '(((x == true) or (y != false)) or (z == null))',
    );
    const app = decl('app A { auth { tokenTtl 7d } }', 'app');
    expect(app.entries[0]!.block![0]!.values[0]).toMatchObject({
      kind: 'duration',
      value: 604_800,
      amount: 7,
      unit: 'd',
    });
  });

  it('attaches /// doc comments to the next declaration or field', () => {
    const entity = decl(
      `// not a doc
      /// First line.
      /// Second line.
      entity A {
        /// The name.
        name string
        other int // trailing comment
      }`,
      'entity',
    );
    expect(entity.doc).toBe('First line.\nSecond line.');
    expect(entity.fields[0]!.doc).toBe('The name.');
    expect(entity.fields[1]!.doc).toBeUndefined();
  });

  it('reports lexical errors with codes and keeps going', () => {
    const result = parse(
      'entity A { x int § }\nentity B { s string label "open\n }\n/* never closed',
    );
    expect(result.diagnostics.map((d) => [d.code, d.span?.line, d.span?.column])).toEqual(
      expect.arrayContaining([
        ['BC1001', 1, 18],
        ['BC1002', 2, 27],
        ['BC1003', 4, 1],
      ]),
    );
    expect(result.ast.declarations.map((d) => d.kind)).toEqual(['entity', 'entity']);
  });
});

describe('expressions', () => {
  it.each([
    ['a or b and c', '(a or (b and c))'],
    ['not a == b and c', '((not (a == b)) and c)'],
    ['a + b * c - d', '((a + (b * c)) - d)'],
    ['-a * b', '((- a) * b)'],
    ['a - -b', '(a - (- b))'],
    ['(a or b) and c', '((a or b) and c)'],
    ['status in [paid, shipped] or x', '((status in [paid, shipped]) or x)'],
    ['len(trim(name)) > 0', '(len(trim(name)) > 0)'],
    ['matches(code "^[A-Z]+$")', 'matches(code, "^[A-Z]+$")'],
    [
      'count(Order where status in [placed, paid]) > 0',
      '(count(Order where (status in [placed, paid])) > 0)',
    ],
    [
      'this == currentUser and input.note != null',
      '((this == currentUser) and (input.note != null))',
    ],
    ['order.buyer.email == currentUser.email', '(order.buyer.email == currentUser.email)'],
  ])('%s', (source, expected) => {
    expect(checkExpr(source)).toBe(expected);
  });

  it('ends an expression where the next token cannot continue it', () => {
    const entity = decl(
      'entity A { total decimal(10, 2) = product.price min(0) readonly }',
      'entity',
    );
    const modifiers = entity.fields[0]!.modifiers;
    expect(modifiers.map((m) => m.kind)).toEqual(['default', 'min', 'readonly']);
    expect(modifiers[0]!.kind === 'default' && show(modifiers[0]!.value)).toBe('product.price');
  });

  it('reads json defaults {} and []', () => {
    const entity = decl('entity A { a json = {}  b json = [] }', 'entity');
    expect(
      entity.fields.map((f) => f.modifiers[0]!.kind === 'default' && f.modifiers[0]!.value.kind),
    ).toEqual(['object', 'list']);
  });
});

describe('spans', () => {
  const text = readFileSync(join(examples, 'blog.bitcup'), 'utf8');
  const { ast } = parseSource(text, 'blog.bitcup');
  const slice = (span: { offset: number; length: number }) =>
    text.slice(span.offset, span.offset + span.length);

  it('points names and nodes at their text', () => {
    const post = ast.declarations.find(
      (d): d is EntityDecl => d.kind === 'entity' && d.name === 'Post',
    )!;
    expect(post.nameSpan).toMatchObject({ file: 'blog.bitcup', line: 13, column: 8, length: 4 });
    expect(slice(post.nameSpan)).toBe('Post');
    expect(slice(post.span).startsWith('entity Post with timestamps {')).toBe(true);
    expect(slice(post.span).endsWith('}')).toBe(true);
    expect(slice(post.timestamps!)).toBe('with timestamps');
    const slug = post.fields.find((f) => f.name === 'slug')!;
    expect(slug.span.line).toBe(15);
    expect(slice(slug.span)).toBe('slug       string(200) unique pattern("^[a-z0-9-]+$")');
    expect(slice(slug.type.span)).toBe('string(200)');
    const pattern = slug.modifiers[1]!;
    expect(pattern.kind === 'pattern' && slice(pattern.regexSpan)).toBe('"^[a-z0-9-]+$"');
    const author = post.fields.find((f) => f.name === 'author')!;
    const onDelete = author.modifiers[0]!;
    expect(onDelete.kind === 'onDelete' && slice(onDelete.span)).toBe('on delete cascade');
  });

  it('spans expressions', () => {
    const source = 'rules A {\n  check  total >= 0 and (x or y)  "m"\n}';
    const { ast: file } = parse(source);
    const check = (file.declarations[0] as RulesDecl).items[0]!;
    const condition = check.condition;
    expect(source.slice(condition.span.offset, condition.span.offset + condition.span.length)).toBe(
      'total >= 0 and (x or y)',
    );
    expect(condition.kind === 'binary' && condition.opSpan).toMatchObject({ line: 2, column: 21 });
  });
});

describe('settings', () => {
  it('keeps values on their line and splits them with the block keys', () => {
    const deploy = decl(
      `deploy {
        compose { frontendPort 8080  backendPort 8000 }
        kubernetes {
          backend  { replicas 3  cpu "500m" "1"  memory "512Mi" "1Gi" }
          tls { issuer "letsencrypt-prod" }
        }
      }`,
      'deploy',
    );
    const compose = deploy.entries[0]!;
    expect(compose.key).toBe('compose');
    const line = compose.block![0]!;
    expect(line.values.map((v) => v.raw)).toEqual(['8080', 'backendPort', '8000']);
    const split = splitSettingsEntry(line, (k) => k === 'frontendPort' || k === 'backendPort');
    expect(split.map((e) => [e.key, e.values.map((v) => v.value)])).toEqual([
      ['frontendPort', [8080]],
      ['backendPort', [8000]],
    ]);
    expect(split[1]!.span).toMatchObject({ line: 2, column: 38 });
    const backend = deploy.entries[1]!.block![0]!;
    const keys = new Set(['replicas', 'cpu', 'memory', 'maxReplicas']);
    expect(
      splitSettingsEntry(backend.block![0]!, (k) => keys.has(k)).map((e) => [
        e.key,
        e.values.map((v) => v.value),
      ]),
    ).toEqual([
      ['replicas', [3]],
      ['cpu', ['500m', '1']],
      ['memory', ['512Mi', '1Gi']],
    ]);
  });

  it('lets the first value of a key be a word that is also a key', () => {
    const app = decl('app A { auth { user U  login email\n password password } }', 'app');
    const auth = app.entries[0]!.block!;
    expect(auth.map((e) => [e.key, e.values.map((v) => v.raw)])).toEqual([
      ['user', ['U', 'login', 'email']],
      ['password', ['password']],
    ]);
    const keys = new Set(['user', 'login', 'password']);
    expect(splitSettingsEntry(auth[1]!, (k) => keys.has(k))[0]!.values.map((v) => v.raw)).toEqual([
      'password',
    ]);
  });
});

describe('error recovery', () => {
  it('reports several syntax errors in one run, each at its place', () => {
    const result = parse(
      [
        'entity A { x int = }', // 1: missing default
        'entity B { y strin( }', // 2: bad type args
        'view V list A { columns x, }', // 3: item after comma
        'flow F for A.s { a -> b }', // 4: missing `as`
        'entity C { ok int }',
      ].join('\n'),
    );
    expect(result.diagnostics.map((d) => [d.code, d.span?.line])).toEqual([
      ['BC1004', 1],
      ['BC1004', 2],
      ['BC1004', 3],
      ['BC1004', 4],
    ]);
    expect(result.diagnostics[3]!.message).toBe('expected `as`, found `}`');
    const names = result.ast.declarations.map((d) => ('name' in d ? d.name : d.kind));
    expect(names).toContain('C');
  });

  it('reports stray tokens between declarations', () => {
    const result = parse('entity A { x int }\n}}\nentity B { y int }');
    expect(result.diagnostics.map((d) => [d.code, d.span?.line, d.span?.column])).toEqual([
      ['BC1005', 2, 1],
    ]);
    expect(result.ast.declarations).toHaveLength(2);
  });

  it('keeps the next declaration when a brace is missing', () => {
    const result = parse('entity A {\n  x int\n\nentity B { y int }');
    expect(result.diagnostics.map((d) => [d.code, d.span?.line])).toEqual([['BC1004', 4]]);
    expect(result.ast.declarations.map((d) => ('name' in d ? d.name : ''))).toEqual(['A', 'B']);
  });

  it('never throws on garbage', () => {
    for (const text of [
      '',
      '}',
      '{{{{',
      '"',
      '/*',
      'entity',
      'view V',
      '-> -> ->',
      '\u0000\uffff',
    ]) {
      const result = parse(text);
      expect(Array.isArray(result.diagnostics)).toBe(true);
    }
  });
});

describe('nesting depth', () => {
  it(`accepts ${MAX_NESTING} levels and reports deeper nesting`, () => {
    const nested = (n: number) => `rules A { check ${'('.repeat(n)}x${')'.repeat(n)} "m" }`;
    expect(codes(nested(MAX_NESTING - 1))).toEqual([]);
    expect(codes(nested(MAX_NESTING + 1))).toEqual(['BC1006']);
    expect(codes(`rules A { check ${'not '.repeat(MAX_NESTING + 1)}x "m" }`)).toEqual(['BC1006']);
    expect(codes(`rules A { check x${' + x'.repeat(MAX_NESTING + 1)} "m" }`)).toEqual(['BC1006']);
  });
});

describe('operand spans', () => {
  it('does not include prefix operators in the operand', () => {
    const source = 'rules A { check not x.y and -{} == 1 "m" }';
    const { ast } = parse(source);
    const condition = (ast.declarations[0] as RulesDecl).items[0]!.condition;
    const slice = (span: { offset: number; length: number }) =>
      source.slice(span.offset, span.offset + span.length);
    expect(condition.kind).toBe('binary');
    if (condition.kind !== 'binary') return;
    const not = condition.left;
    expect(not.kind === 'unary' && [slice(not.span), slice(not.operand.span)]).toEqual([
      'not x.y',
      'x.y',
    ]);
    const eq = condition.right;
    expect(eq.kind === 'binary' && eq.left.kind === 'unary' && slice(eq.left.operand.span)).toBe(
      '{}',
    );
  });
});

describe('every construct', () => {
  it('reads every modifier and entity header item', () => {
    const entity = decl(
      `entity Person was Human with timestamps owned by owner {
        owner     User on delete cascade
        manager   Person? on delete set null by reports
        team      Team on delete restrict
        reports   Person[] by manager
        updated   datetime? on update now
        score     int = -1 min(-10) max(10) index
        nick      string(40) unique private readonly label "Nick name" was nickname
        code      string pattern("^[A-Z]{2}$")
      }`,
      'entity',
    );
    expect(entity.was?.name).toBe('Human');
    expect(entity.ownedBy?.name).toBe('owner');
    expect(entity.timestamps).toBeDefined();
    const mods = Object.fromEntries(
      entity.fields.map((f) => [f.name, f.modifiers.map((m) => JSON.stringify(strip(m)))]),
    );
    expect(mods).toEqual({
      owner: ['{"kind":"onDelete","action":"cascade"}'],
      manager: [
        '{"kind":"onDelete","action":"set null"}',
        '{"kind":"by","field":{"name":"reports"}}',
      ],
      team: ['{"kind":"onDelete","action":"restrict"}'],
      reports: ['{"kind":"by","field":{"name":"manager"}}'],
      updated: ['{"kind":"onUpdateNow"}'],
      score: [
        '{"kind":"default","value":{"kind":"unary","op":"-","operand":{"kind":"number","value":1,"raw":"1","integer":true}}}',
        '{"kind":"min","value":-10}',
        '{"kind":"max","value":10}',
        '{"kind":"index"}',
      ],
      nick: [
        '{"kind":"unique"}',
        '{"kind":"private"}',
        '{"kind":"readonly"}',
        '{"kind":"label","text":"Nick name"}',
        '{"kind":"was","name":{"name":"nickname"}}',
      ],
      code: ['{"kind":"pattern","regex":"^[A-Z]{2}$"}'],
    });
    const manager = entity.fields[1]!;
    expect(manager.type).toMatchObject({ name: 'Person', optional: true, list: false });
    expect(entity.fields[3]!.type).toMatchObject({ name: 'Person', optional: false, list: true });
    expect(entity.fields[6]!.type.args.map((a) => a.value)).toEqual([40]);
  });

  it('reads events, behaviors and every statement', () => {
    const { ast, diagnostics } = parse(`
      event Shipped { order Order  carrier string? }
      behavior Order.archive {
        input { reason text?  at date }
        require status == done  "Only done orders"
        set note = input.reason, archivedAt = now
        create Log { order = this  text = "archived" }
        emit Shipped
        emit Shipped { order = this }
        returns Order
      }
      behavior report custom {
        allow if currentUser.isStaff
        returns json
      }`);
    expect(diagnostics).toEqual([]);
    const [event, archive, report] = ast.declarations;
    expect(event!.kind === 'event' && event!.fields.map((f) => f.name)).toEqual([
      'order',
      'carrier',
    ]);
    if (archive?.kind !== 'behavior' || report?.kind !== 'behavior') throw new Error('behaviors');
    expect([archive.entity?.name, archive.name, archive.custom]).toEqual([
      'Order',
      'archive',
      false,
    ]);
    expect(archive.statements.map((s) => s.kind)).toEqual([
      'input',
      'require',
      'set',
      'set',
      'create',
      'emit',
      'emit',
      'returns',
    ]);
    const sets = archive.statements.filter((s) => s.kind === 'set');
    expect(sets.map((s) => s.kind === 'set' && s.assignment.field.name)).toEqual([
      'note',
      'archivedAt',
    ]);
    const emits = archive.statements.filter((s) => s.kind === 'emit');
    expect(emits.map((e) => e.kind === 'emit' && e.emit.assignments?.length)).toEqual([
      undefined,
      1,
    ]);
    expect([report.entity, report.name, report.custom]).toEqual([undefined, 'report', true]);
    expect(report.statements[0]).toMatchObject({ kind: 'allow' });
  });

  it('reads several assignments after one set in a transition', () => {
    const flow = decl(
      'flow F for A.s {\n  a -> b as go  set x = 1, y = now  z = 2\n  b -> a as back\n}',
      'flow',
    );
    expect(flow.transitions[0]!.sets.map((s) => s.field.name)).toEqual(['x', 'y', 'z']);
    expect(flow.transitions.map((t) => t.name.name)).toEqual(['go', 'back']);
  });
});

/** A node without its spans, for compact comparisons. */
function strip(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(strip);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== 'span' && !key.endsWith('Span'))
        .map(([key, v]) => [key, strip(v)]),
    );
  }
  return value;
}

describe('line endings', () => {
  it('reads CRLF files like LF files, with the same lines and columns', () => {
    const lf = readFileSync(join(examples, 'shop.bitcup'), 'utf8');
    const crlf = lf.replace(/\n/g, '\r\n');
    const a = parseSource(lf, 'shop.bitcup');
    const b = parseSource(crlf, 'shop.bitcup');
    expect(b.diagnostics).toEqual([]);
    const where = (r: typeof a) =>
      r.ast.declarations.map((d) => [d.kind, d.span.line, d.span.column]);
    expect(where(b)).toEqual(where(a));
    const app = b.ast.declarations.find((d) => d.kind === 'app')!;
    expect(app.kind === 'app' && app.entries.map((e) => e.key)).toEqual([
      'title',
      'version',
      'auth',
    ]);
  });
});
