import { describe, expect, it } from 'vitest';
import { APP, AUTH, codesOf, compileText, program } from './helpers.js';

describe('settings', () => {
  it('applies defaults and splits one-line blocks at keys', () => {
    const p = program(
      'app CornerShop {\n  title "C"\n  auth { user U  login email  password pw  tokenTtl 2h }\n}\nentity U {\n  email email unique\n  pw password\n}\ndeploy {\n  compose { frontendPort 8081  backendPort 8001 }\n  kubernetes { backend { replicas 2  cpu "250m" } }\n}\n',
    );
    expect(p.app).toMatchObject({
      version: '0.1.0',
      apiPrefix: '/api',
      auth: { tokenTtlSeconds: 7200 },
    });
    expect(p.deploy).toEqual({
      compose: { frontendPort: 8081, backendPort: 8001 },
      kubernetes: {
        namespace: 'corner-shop',
        backend: { replicas: 2, maxReplicas: 6, cpu: { request: '250m', limit: '250m' } },
        frontend: { replicas: 1 },
      },
    });
  });

  it('without deploy, every default applies', () => {
    expect(program(APP).deploy).toEqual({
      compose: { frontendPort: 8080, backendPort: 8000 },
      kubernetes: {
        namespace: 't',
        backend: { replicas: 1, maxReplicas: 3 },
        frontend: { replicas: 1 },
      },
    });
  });

  it('the first value always belongs to its key (`password password`)', () => {
    const p = program(
      'app T {\n  title "T"\n  auth { user U  login login  password password }\n}\nentity U {\n  login string unique\n  password password\n}\n',
    );
    expect(p.app.auth).toMatchObject({ login: 'login', password: 'password' });
  });

  it('reports unknown keys with a suggestion and wrong value types', () => {
    const result = compileText('app T {\n  title "T"\n  api { prefx "/v1" }\n  version 2\n}\n');
    expect(result.diagnostics.map((d) => [d.code, d.message])).toEqual([
      ['BC6001', 'unknown key `prefx` in `api` (did you mean `prefix`?)'],
      ['BC6002', '`version` expects a string, found a number'],
    ]);
  });
});

describe('owned by, flows, behaviors, events', () => {
  const shopLike =
    AUTH +
    'enum S { draft placed }\nentity Order with timestamps owned by buyer {\n  buyer U\n  s S = draft\n  note text?\n  lines Line[]\n}\nentity Line { order Order  qty int = 1 }\n' +
    'event Placed { order Order  note text? }\n' +
    'flow F for Order.s {\n  draft -> placed as place if count(lines) > 0 emit Placed\n}\n' +
    'behavior Order.copy {\n  input { note text? }\n  create Order { buyer = currentUser  note = input.note }\n  returns Order\n}\n';

  it('owned by marks the owner field and adds an allow-all rule from the token', () => {
    const p = program(shopLike);
    const order = p.entities.find((e) => e.name === 'Order')!;
    expect(order.ownedBy).toBe('buyer');
    expect(order.fields.find((f) => f.name === 'buyer')!.ownerField).toBe(true);
    expect(order.allows).toEqual([
      expect.objectContaining({
        ops: ['all'],
        source: 'ownedBy',
        expr: expect.objectContaining({ op: '==' }),
      }),
    ]);
  });

  it('emit without braces fills the event field of the flow entity with this', () => {
    const p = program(shopLike);
    expect(p.flows[0]!.transitions[0]!.emits[0]!.assignments).toEqual([
      expect.objectContaining({
        field: 'order',
        expr: expect.objectContaining({ kind: 'path', root: 'row', steps: [] }),
      }),
    ]);
    expect(p.events[0]!.fields.map((f) => f.apiName)).toEqual(['orderId', 'note']);
  });

  it('lowers behavior inputs and statements', () => {
    const b = program(shopLike).behaviors[0]!;
    expect(b).toMatchObject({
      name: 'copy',
      entity: 'Order',
      apiPath: 'copy',
      returns: { kind: 'entity', entity: 'Order' },
    });
    expect(b.input).toEqual([expect.objectContaining({ name: 'note', optional: true })]);
    expect(b.statements[0]).toMatchObject({
      kind: 'create',
      assignments: [
        { field: 'buyer', expr: { kind: 'path', root: 'currentUser' } },
        {
          field: 'note',
          expr: { kind: 'path', root: 'input', steps: [{ entity: '<input>', field: 'note' }] },
        },
      ],
    });
  });

  it('a readonly required field set by a transition is fine; never set is an error', () => {
    const base = AUTH + 'enum S { a b }\nentity A {\n  s S = a\n  doneAt datetime readonly\n}\n';
    expect(codesOf(base)).toEqual(['BC2016']);
    expect(codesOf(base + 'flow F for A.s {\n  a -> b as done set doneAt = now\n}\n')).toEqual([]);
  });

  it('warns for unreachable and dead-end states, with a program', () => {
    const result = compileText(
      APP +
        'enum S { a b c }\nentity A { s S = a }\nflow F for A.s {\n  a -> b as go\n  b -> a as back\n}\n',
    );
    expect(result.diagnostics.map((d) => [d.code, d.severity])).toEqual([
      ['BC4004', 'warning'],
      ['BC4005', 'warning'],
      ['BC4005', 'warning'],
    ]);
    expect(result.program).toBeDefined();
  });
});

describe('views', () => {
  it('default paths, multi-word unique component names, detail links, nav', () => {
    const p = program(
      AUTH +
        'entity OrderLine { qty int }\nview Lines list OrderLine {}\nview LinesView list OrderLine { path "/lines2" }\nview Login detail OrderLine {}\nview Second detail OrderLine { path "/x/:id" }\nview EditLine form OrderLine { fields qty }\nview Home dashboard { path "/" }\n',
    );
    const v = (name: string) => p.views.find((x) => x.name === name)!;
    expect(v('Lines')).toMatchObject({
      paths: ['/lines'],
      component: 'LinesView',
      detailView: 'Login',
      inNav: true,
    });
    expect(v('LinesView')).toMatchObject({ component: 'LinesView2' });
    expect(v('Login')).toMatchObject({
      paths: ['/order-lines/:id'],
      component: 'LoginView2',
      inNav: false,
    });
    expect(v('EditLine').paths).toEqual(['/order-lines/new', '/order-lines/:id/edit']);
    expect(v('Home')).toMatchObject({ component: 'HomeView', inNav: true });
    expect(v('Lines').columns.map((c) => c.path)).toEqual(['qty']); // default columns
  });

  it('a form need not list fields filled by owned by or defaults; a public view needs a visitor read rule', () => {
    const base =
      AUTH + 'entity Note owned by author {\n  author U\n  body text\n  pinned bool = false\n}\n';
    expect(codesOf(base + 'view NewNote form Note { fields body }\n')).toEqual([]);
    expect(codesOf(base + 'view Notes list Note public {}\n')).toEqual(['BC5007']);
    expect(
      codesOf(base + 'rules Note { allow read if pinned }\nview Notes list Note public {}\n'),
    ).toEqual([]);
  });

  it('columns follow to-one relations and get labels', () => {
    const p = program(
      APP +
        'entity Author { name string }\nentity Post {\n  author Author\n}\nview Posts list Post { columns author.name }\n',
    );
    expect(p.views[0]!.columns[0]).toMatchObject({
      path: 'author.name',
      steps: [
        { entity: 'Post', field: 'author' },
        { entity: 'Author', field: 'name' },
      ],
      label: 'Author name',
    });
  });
});

describe('indexes', () => {
  it('a long name stays within 63 bytes and stays unique', () => {
    const long = 'a'.repeat(40);
    const p = program(
      APP +
        `entity VeryLongEntityNameForTesting {\n  ${long}One string index\n  ${long}Two string index\n}\n`,
    );
    const names = p.indexes.map((i) => i.name);
    expect(names.every((n) => Buffer.byteLength(n) <= 63)).toBe(true);
    expect(new Set(names).size).toBe(2);
    expect(p.indexes.map((i) => i.reasons)).toEqual([['modifier'], ['modifier']]);
  });

  it('no index for a field an existing index, unique constraint or unique field starts with', () => {
    const p = program(
      APP +
        'entity A { n int }\nentity B {\n  a A\n  c A\n  code string unique\n  unique (a, code)\n  index (c, code)\n}\nview Bs list B { filter code  sort code }\n',
    );
    expect(p.indexes.map((i) => [i.name, i.reasons])).toEqual([
      ['ix_bs_c_id_code', ['declared', 'foreign-key']],
    ]);
  });
});
