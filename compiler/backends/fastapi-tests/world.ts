// A tiny symbolic world the test generator reasons in: which user acts,
// who owns the row, what the row's fields hold (the factories' values). Rules,
// guards, checks and requires are evaluated here with LANGUAGE.md's null
// semantics, so each generated test knows the status it must see. Anything
// this evaluator cannot decide is `undefined`, and no test is built on it.
import type { Entity, Expr, Field, Program, View } from '../../ir/schema.js';
import { isStringLike, sample, type Tv } from './values.js';

export interface RowModel {
  entity: string;
  id: string;
  values: Map<string, Tv>;
  refs: Map<string, RowModel | null>;
  /** count(relation) results the test arranges (absent: unknown) */
  counts: Map<string, number>;
}

export type Actor = 'plain' | 'admin';

export interface Scenario {
  actor: Actor;
  /** the acting user owns the row (every path to the user entity leads to the actor) */
  owns: boolean;
}

export const SCENARIOS: Scenario[] = [
  { actor: 'plain', owns: true },
  { actor: 'admin', owns: true },
  { actor: 'plain', owns: false },
  { actor: 'admin', owns: false },
];

export interface World {
  row: RowModel;
  currentUser: RowModel | null;
  input?: Map<string, Tv>;
}

type Value = Tv | RowModel | '<now>';

const models = new WeakMap<Program, Model>();

export class Model {
  private readonly entities = new Map<string, Entity>();
  readonly userEntity: Entity | undefined;
  private listViewsOf: Map<string, View[]> | undefined;
  private referencesTo: Map<string, [Entity, Field][]> | undefined;

  /** One model per program: its lookups are built once, not once per test file. */
  static of(program: Program): Model {
    let model = models.get(program);
    if (model === undefined) models.set(program, (model = new Model(program)));
    return model;
  }

  constructor(readonly program: Program) {
    for (const entity of program.entities)
      if (!this.entities.has(entity.name)) this.entities.set(entity.name, entity);
    const auth = program.app.auth;
    this.userEntity = auth ? this.entities.get(auth.user) : undefined;
  }

  /** The list views of an entity, in program order. */
  listViews(entity: string): View[] {
    if (this.listViewsOf === undefined) {
      this.listViewsOf = new Map();
      for (const view of this.program.views) {
        if (view.kind !== 'list' || view.entity === undefined) continue;
        const list = this.listViewsOf.get(view.entity);
        if (list) list.push(view);
        else this.listViewsOf.set(view.entity, [view]);
      }
    }
    return this.listViewsOf.get(entity) ?? [];
  }

  /** Every (entity, relation field) that targets `entity`, in program and field order. */
  referencing(entity: string): [Entity, Field][] {
    if (this.referencesTo === undefined) {
      this.referencesTo = new Map();
      for (const child of this.program.entities) {
        for (const f of child.fields) {
          if (f.type.kind !== 'relation') continue;
          const list = this.referencesTo.get(f.type.target);
          if (list) list.push([child, f]);
          else this.referencesTo.set(f.type.target, [[child, f]]);
        }
      }
    }
    return this.referencesTo.get(entity) ?? [];
  }

  entity(name: string): Entity {
    const found = this.entities.get(name);
    if (!found) throw new Error(`unknown entity ${name}`);
    return found;
  }

  isUser(entity: string): boolean {
    return this.program.app.auth?.user === entity;
  }

  /** bool fields of the user entity: all true for an admin, defaults for a plain user */
  user(actor: Actor, id: string): RowModel {
    const entity = this.userEntity!;
    const row = this.row(entity.name, null, id);
    if (actor === 'admin') {
      for (const f of entity.fields) {
        if (f.type.kind === 'scalar' && f.type.scalar === 'bool') row.values.set(f.name, true);
      }
    }
    return row;
  }

  /** The row a factory builds: samples for scalars, required parents owned by `owner`. */
  row(
    entityName: string,
    owner: RowModel | null,
    id: string,
    overrides: Map<string, Tv> = new Map(),
    depth = 0,
  ): RowModel {
    const entity = this.entity(entityName);
    const row: RowModel = {
      entity: entityName,
      id,
      values: new Map(),
      refs: new Map(),
      counts: new Map(),
    };
    for (const f of entity.fields) {
      if (f.type.kind === 'relation') {
        if (f.type.relation === 'one-to-many' || f.type.relation === 'many-to-many') {
          row.counts.set(f.name, 0);
          continue;
        }
        if (!f.type.owning) continue;
        if (this.isUser(f.type.target)) row.refs.set(f.name, owner);
        else if (!f.optional && depth < 8) {
          row.refs.set(
            f.name,
            this.row(f.type.target, owner, `${id}.${f.name}`, new Map(), depth + 1),
          );
        } else row.refs.set(f.name, null);
        continue;
      }
      if (overrides.has(f.name)) row.values.set(f.name, overrides.get(f.name));
      else if (f.optional && !isStringLike(f)) row.values.set(f.name, null);
      else row.values.set(f.name, sample(this.program, f)?.ts);
    }
    return row;
  }

  /** The world of a scenario for a row of `entity`. */
  world(entityName: string, scenario: Scenario, overrides?: Map<string, Tv>): World {
    if (!this.userEntity) {
      return { row: this.row(entityName, null, 'row', overrides), currentUser: null };
    }
    const actor = this.user(scenario.actor, 'actor');
    const owner = scenario.owns ? actor : this.user('plain', 'owner');
    if (this.isUser(entityName)) {
      if (overrides) for (const [k, v] of overrides) owner.values.set(k, v);
      return { row: owner, currentUser: actor };
    }
    return { row: this.row(entityName, owner, 'row', overrides), currentUser: actor };
  }

  /**
   * Whether the rules allow `op` ('create', 'read', 'update', 'delete', or a
   * transition / behavior name) in `world`; undefined when it cannot tell.
   */
  allows(entityName: string, op: string, world: World): boolean | undefined {
    if (!this.program.app.auth) return true;
    const entity = this.entity(entityName);
    if (entity.allows.length === 0) return world.currentUser !== null;
    const named = !['create', 'read', 'update', 'delete'].includes(op);
    let unknown = false;
    for (const rule of entity.allows) {
      const applies =
        rule.ops.includes(op) || rule.ops.includes('all') || (named && rule.ops.includes('update'));
      if (!applies) continue;
      const v = truth(this.eval(rule.expr, world));
      if (v === true) return true;
      if (v === undefined) unknown = true;
    }
    return unknown ? undefined : false;
  }

  /** true / false / undefined (cannot tell) for a boolean expression. */
  test(expr: Expr, world: World): boolean | undefined {
    return truth(this.eval(expr, world));
  }

  eval(expr: Expr, world: World): Value {
    switch (expr.kind) {
      case 'literal':
        return expr.value;
      case 'enumValue':
        return expr.value;
      case 'now':
        return '<now>';
      case 'path': {
        let current: Value =
          expr.root === 'row'
            ? world.row
            : expr.root === 'currentUser'
              ? world.currentUser
              : undefined;
        if (expr.root === 'input') {
          const name = expr.steps[0]?.field;
          return name === undefined ? undefined : world.input?.get(name);
        }
        for (const step of expr.steps) {
          if (current === null) return null;
          if (!isRow(current)) return undefined;
          if (current.refs.has(step.field)) current = current.refs.get(step.field)!;
          else if (current.values.has(step.field)) current = current.values.get(step.field);
          else if (step.field === 'id') current = current.id;
          else return undefined;
        }
        return current;
      }
      case 'unary': {
        const v = this.eval(expr.operand, world);
        if (expr.op === 'not') {
          if (v === undefined) return undefined;
          return !(v === true);
        }
        return typeof v === 'number' ? -v : v === null ? null : undefined;
      }
      case 'in': {
        const v = this.eval(expr.value, world);
        if (v === undefined || isRow(v) || v === '<now>') return undefined;
        if (v === null) return false;
        const items = expr.list.map((e) => this.eval(e, world));
        if (items.some((i) => i === undefined)) return undefined;
        return items.some((i) => i === v);
      }
      case 'binary':
        return this.binary(expr, world);
      case 'call': {
        const args = expr.args.map((a) => this.eval(a, world));
        const [a, b] = args;
        switch (expr.fn) {
          case 'count': {
            const path = expr.args[0];
            if (path?.kind !== 'path' || path.root !== 'row' || path.steps.length !== 1) {
              return undefined;
            }
            return world.row.counts.get(path.steps[0]!.field);
          }
          case 'len':
            return typeof a === 'string' ? a.length : a === null ? null : undefined;
          case 'trim':
            return typeof a === 'string' ? a.trim() : a === null ? null : undefined;
          case 'lower':
            return typeof a === 'string' ? a.toLowerCase() : a === null ? null : undefined;
          case 'upper':
            return typeof a === 'string' ? a.toUpperCase() : a === null ? null : undefined;
          case 'matches': {
            if (a === null) return false;
            if (typeof a !== 'string' || typeof b !== 'string') return undefined;
            try {
              return new RegExp(b).test(a);
            } catch {
              return undefined;
            }
          }
        }
        return undefined;
      }
      case 'countEntity':
        return undefined;
    }
  }

  private binary(expr: Extract<Expr, { kind: 'binary' }>, world: World): Value {
    if (expr.op === 'and' || expr.op === 'or') {
      const l = truth(this.eval(expr.left, world));
      const r = truth(this.eval(expr.right, world));
      if (expr.op === 'and') {
        if (l === false || r === false) return false;
        return l === true && r === true ? true : undefined;
      }
      if (l === true || r === true) return true;
      return l === false && r === false ? false : undefined;
    }
    const l = this.eval(expr.left, world);
    const r = this.eval(expr.right, world);
    if (expr.op === '==' || expr.op === '!=') {
      if (nullLiteral(expr.right) || nullLiteral(expr.left)) {
        const other = nullLiteral(expr.right) ? l : r;
        if (other === undefined) return undefined;
        return (other === null) === (expr.op === '==');
      }
    }
    if (l === undefined || r === undefined || l === '<now>' || r === '<now>') return undefined;
    if (l === null || r === null) {
      return ['+', '-', '*', '/'].includes(expr.op) ? null : false;
    }
    switch (expr.op) {
      case '==':
        return key(l) === key(r);
      case '!=':
        return key(l) !== key(r);
    }
    if (typeof l !== 'number' || typeof r !== 'number') {
      if (typeof l === 'string' && typeof r === 'string') {
        switch (expr.op) {
          case '<':
            return l < r;
          case '<=':
            return l <= r;
          case '>':
            return l > r;
          case '>=':
            return l >= r;
        }
      }
      return undefined;
    }
    switch (expr.op) {
      case '<':
        return l < r;
      case '<=':
        return l <= r;
      case '>':
        return l > r;
      case '>=':
        return l >= r;
      case '+':
        return l + r;
      case '-':
        return l - r;
      case '*':
        return l * r;
      case '/':
        return r === 0 ? undefined : l / r;
    }
    return undefined;
  }
}

function nullLiteral(e: Expr): boolean {
  return e.kind === 'literal' && e.value === null;
}

/** What `==` compares: a row by its id. */
function key(v: Value): Tv {
  return isRow(v) ? v.id : v;
}

function isRow(v: Value): v is RowModel {
  return typeof v === 'object' && v !== null;
}

/** null counts as false; undefined stays unknown */
function truth(v: Value): boolean | undefined {
  if (v === undefined) return undefined;
  if (v === null) return false;
  if (typeof v === 'boolean') return v;
  return undefined;
}

/** Fields an expression reads on the row itself (first step of each row path). */
export function rowFieldsOf(expr: Expr): string[] {
  const out: string[] = [];
  const visit = (e: Expr): void => {
    switch (e.kind) {
      case 'path':
        if (e.root === 'row' && e.steps[0]) out.push(e.steps[0].field);
        return;
      case 'unary':
        return visit(e.operand);
      case 'binary':
        visit(e.left);
        return visit(e.right);
      case 'in':
        visit(e.value);
        return e.list.forEach(visit);
      case 'call':
        return e.args.forEach(visit);
      default:
        return;
    }
  };
  visit(expr);
  return [...new Set(out)];
}

export function mentionsCurrentUser(expr: Expr): boolean {
  switch (expr.kind) {
    case 'path':
      return expr.root === 'currentUser';
    case 'unary':
      return mentionsCurrentUser(expr.operand);
    case 'binary':
      return mentionsCurrentUser(expr.left) || mentionsCurrentUser(expr.right);
    case 'in':
      return mentionsCurrentUser(expr.value) || expr.list.some(mentionsCurrentUser);
    case 'call':
      return expr.args.some(mentionsCurrentUser);
    default:
      return false;
  }
}

/** count(relation) relations an expression mentions. */
export function countedRelations(expr: Expr): string[] {
  const out: string[] = [];
  const visit = (e: Expr): void => {
    if (e.kind === 'call' && e.fn === 'count') {
      const p = e.args[0];
      if (p?.kind === 'path' && p.root === 'row' && p.steps.length === 1)
        out.push(p.steps[0]!.field);
    }
    if (e.kind === 'unary') visit(e.operand);
    if (e.kind === 'binary') {
      visit(e.left);
      visit(e.right);
    }
    if (e.kind === 'in') [e.value, ...e.list].forEach(visit);
    if (e.kind === 'call') e.args.forEach(visit);
  };
  visit(expr);
  return [...new Set(out)];
}

export type { Field };
