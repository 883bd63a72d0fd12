import { describe, expect, it } from 'vitest';
import type { Expr } from '../../compiler/ir/schema.js';
import { APP, AUTH, codesOf, program } from './helpers.js';

const checkExpr = (p: ReturnType<typeof program>, entity: string, i = 0): Expr =>
  p.entities.find((e) => e.name === entity)!.checks[i]!.expr;

describe('expression type checking', () => {
  it('accepts int literals where decimals or floats are expected and now against dates', () => {
    const p = program(
      APP +
        'entity A {\n  price decimal(10, 2)\n  ratio float\n  day date\n}\nrules A {\n  check price >= 0 and ratio < 1 "range"\n  check day <= now "past"\n}\n',
    );
    expect(checkExpr(p, 'A', 1)).toMatchObject({
      kind: 'binary',
      op: '<=',
      right: { kind: 'now' },
    });
  });

  it('rejects a date compared with a string and a bool ordered', () => {
    expect(codesOf(APP + 'entity A { day date }\nrules A { check day == "x" "m" }\n')).toEqual([
      'BC3002',
    ]);
    expect(codesOf(APP + 'entity A { b bool }\nrules A { check b < true "m" }\n')).toEqual([
      'BC3003',
    ]);
  });

  it('resolves enum values: bare where expected, Enum.value anywhere, in lists', () => {
    const p = program(
      APP +
        'enum S { open closed }\nentity A { s S = open }\nrules A {\n  check s != closed "a"\n  check S.open == s "b"\n  check s in [open, S.closed] "c"\n}\n',
    );
    expect(checkExpr(p, 'A', 0)).toMatchObject({
      right: { kind: 'enumValue', enum: 'S', value: 'closed' },
    });
    expect(checkExpr(p, 'A', 1)).toMatchObject({ left: { kind: 'enumValue', value: 'open' } });
    expect(checkExpr(p, 'A', 2)).toMatchObject({
      kind: 'in',
      list: [
        { kind: 'enumValue', value: 'open' },
        { kind: 'enumValue', value: 'closed' },
      ],
    });
  });

  it('follows to-one paths of any depth; a path through an optional relation is nullable', () => {
    const p = program(
      AUTH +
        'entity A { owner U? }\nentity B { a A }\nentity C { b B }\nrules C {\n  allow read if b.a.owner == currentUser\n  check b.a.owner.email != null "m"\n}\n',
    );
    const allow = p.entities.find((e) => e.name === 'C')!.allows[0]!.expr;
    expect(allow).toMatchObject({
      left: {
        kind: 'path',
        root: 'row',
        steps: [
          { entity: 'C', field: 'b' },
          { entity: 'B', field: 'a' },
          { entity: 'A', field: 'owner' },
        ],
        type: { kind: 'entity', name: 'U', nullable: true },
      },
      right: {
        kind: 'path',
        root: 'currentUser',
        steps: [],
        type: { kind: 'entity', name: 'U', nullable: true },
      },
    });
    expect(checkExpr(p, 'C')).toMatchObject({ left: { type: { kind: 'string', nullable: true } } });
  });

  it('currentUser is never null inside transitions of an app with auth', () => {
    const p = program(
      AUTH +
        'enum S { open done }\nentity A { s S = open }\nflow F for A.s {\n  open -> done as finish if currentUser.isStaff\n}\n',
    );
    expect(p.flows[0]!.transitions[0]!.guard).toMatchObject({
      type: { kind: 'bool', nullable: false },
    });
    expect(p.flows[0]!.transitions[0]!.guardMentionsCurrentUser).toBe(true);
  });

  it('knows the functions and their argument types', () => {
    const p = program(
      APP +
        'entity A {\n  name string\n  items B[]\n}\nentity B { a A }\nrules A {\n  check len(trim(lower(upper(name)))) > 0 and matches(name, "^[a-z]+$") and count(items) < 10 "m"\n}\n',
    );
    expect(p.entities[0]!.checks[0]!.field).toBe('name');
    expect(
      codesOf(APP + 'entity A { name string }\nrules A { check matches(name, "(") "m" }\n'),
    ).toEqual(['BC2015']);
    expect(
      codesOf(APP + 'entity A { name string }\nrules A { check size(name) > 1 "m" }\n'),
    ).toEqual(['BC3008']);
  });

  it('reports a name that is both a field and an enum value', () => {
    expect(
      codesOf(
        APP +
          'enum S { open closed }\nentity A {\n  s S = open\n  closed bool\n}\nrules A { check s == closed "m" }\n',
      ),
    ).toEqual(['BC3007']);
  });

  it('checks defaults: literals, negative numbers, enum values, json, expressions over relations', () => {
    const p = program(
      APP +
        'enum S { a b }\nentity P { price decimal(10, 2) }\nentity L {\n  p P\n  n int = -1\n  s S = b\n  meta json = {}\n  tags json = []\n  unit decimal(10, 2) = p.price\n  at datetime = now\n}\n',
    );
    const l = p.entities.find((e) => e.name === 'L')!;
    const d = (f: string) => l.fields.find((x) => x.name === f)!.default;
    expect(d('n')).toEqual({ kind: 'literal', value: -1 });
    expect(d('s')).toEqual({ kind: 'enum', value: 'b' });
    expect(d('meta')).toEqual({ kind: 'emptyObject' });
    expect(d('tags')).toEqual({ kind: 'emptyArray' });
    expect(d('unit')).toMatchObject({
      kind: 'expression',
      expr: { kind: 'path', steps: [{ field: 'p' }, { field: 'price' }] },
    });
    expect(d('at')).toEqual({ kind: 'now' });
  });
});
