// Rules -> SQLAlchemy: lower a BITCUP expression to Python source that builds
// a SQL expression with the runtime helpers (app/runtime/rules.py, `rt`).
// Null semantics live in those helpers (COALESCE), so the same lowering
// serves read filters, permissions, checks, guards, `set`, defaults and
// event payloads. Paths through to-one relations become per-hop scalar
// subqueries (`rt.hop`), which keeps list queries filtering in the database.
import type { Expr, ExprType } from '../../ir/schema.js';
import { type Ctx, fieldInfo, info } from './context.js';
import { call, type Doc, type Imports, list, prefix, pyNum, pyStr } from './py.js';

/** How the root row of an expression is reached. */
export interface RowSource {
  entity: string;
  /**
   * 'model': columns of the mapped class (filters, UPDATE ... SET, checks on
   * a stored row); 'values': attributes of a Python object `var` bound as
   * parameters (defaults of a row not stored yet).
   */
  mode: 'model' | 'values';
  var?: string;
}

export interface ExprEnv {
  ctx: Ctx;
  imports: Imports;
  row?: RowSource;
  /** Python expression holding the current user's id (uuid | None) */
  userId?: string;
  /** Python expression holding the behavior input object */
  input?: string;
}

export function paramKind(type: ExprType): string {
  switch (type.kind) {
    case 'entity':
    case 'uuid':
      return 'uuid';
    case 'enum':
      return 'string';
    case 'int':
      return 'bigint';
    case 'float':
    case 'decimal':
    case 'bool':
    case 'date':
    case 'datetime':
    case 'time':
    case 'json':
    case 'string':
      return type.kind;
    default:
      return 'string';
  }
}

export function compileExpr(env: ExprEnv, expr: Expr): Doc {
  const { imports } = env;
  imports.add('app.runtime', 'rules as rt');
  switch (expr.kind) {
    case 'literal': {
      const v = expr.value;
      if (v === null) return call('rt.param', 'None', pyStr(paramKind(expr.type)));
      if (typeof v === 'boolean') {
        imports.add('sqlalchemy', v ? 'true' : 'false');
        return v ? 'true()' : 'false()';
      }
      if (typeof v === 'number') {
        imports.add('sqlalchemy', 'literal');
        return call('literal', pyNum(v, expr.type.kind === 'float'));
      }
      imports.add('sqlalchemy', 'literal');
      return call('literal', pyStr(v));
    }
    case 'enumValue': {
      const cls = env.ctx.enumClass.get(expr.enum) ?? expr.enum;
      imports.add('app.models.enums', cls);
      return `${cls}.${enumMember(expr.value)}`;
    }
    case 'now':
      return 'rt.now()';
    case 'path':
      return compilePath(env, expr);
    case 'unary':
      return expr.op === 'not'
        ? call('rt.negate', compileExpr(env, expr.operand))
        : call('rt.neg', compileExpr(env, expr.operand));
    case 'binary': {
      const op = expr.op;
      if (op === 'and' || op === 'or') {
        const items = flattenLogic(expr, op).map((e) => compileExpr(env, e));
        return call(op === 'and' ? 'rt.all_of' : 'rt.any_of', ...items);
      }
      if (op === '==' || op === '!=') {
        const nullSide = isNullLiteral(expr.right)
          ? expr.left
          : isNullLiteral(expr.left)
            ? expr.right
            : undefined;
        if (nullSide) {
          const other = compileExpr(env, nullSide);
          return call(op === '==' ? 'rt.is_null' : 'rt.not_null', other);
        }
      }
      const fn = {
        '==': 'rt.eq',
        '!=': 'rt.ne',
        '<': 'rt.lt',
        '<=': 'rt.le',
        '>': 'rt.gt',
        '>=': 'rt.ge',
        '+': 'rt.add',
        '-': 'rt.sub',
        '*': 'rt.mul',
        '/': 'rt.div',
      }[op];
      return call(fn, compileExpr(env, expr.left), compileExpr(env, expr.right));
    }
    case 'in':
      return call(
        'rt.in_',
        compileExpr(env, expr.value),
        list(expr.list.map((e) => compileExpr(env, e))),
      );
    case 'call': {
      const args = expr.args.map((a) => a);
      switch (expr.fn) {
        case 'len':
        case 'trim':
        case 'lower':
        case 'upper':
          imports.add('sqlalchemy', 'func');
          return call(`func.${expr.fn === 'len' ? 'length' : expr.fn}`, compileExpr(env, args[0]!));
        case 'matches': {
          const pattern = args[1];
          const text = pattern?.kind === 'literal' ? String(pattern.value) : '';
          return call('rt.matches', compileExpr(env, args[0]!), pyStr(text));
        }
        case 'count':
          return compileCount(env, args[0]!);
      }
      break;
    }
    case 'countEntity':
      return call('rt.param', 'None', '"int"');
  }
  return call('rt.param', 'None', '"string"');
}

export function enumMember(value: string): string {
  return /^(False|None|True|and|as|assert|async|await|break|class|continue|def|del|elif|else|except|finally|for|from|global|if|import|in|is|lambda|nonlocal|not|or|pass|raise|return|try|while|with|yield|name|value|mro)$/.test(
    value,
  )
    ? value + '_'
    : value;
}

function isNullLiteral(e: Expr): boolean {
  return e.kind === 'literal' && e.value === null;
}

function flattenLogic(e: Expr, op: 'and' | 'or'): Expr[] {
  if (e.kind === 'binary' && e.op === op)
    return [...flattenLogic(e.left, op), ...flattenLogic(e.right, op)];
  return [e];
}

/** The root row's id and the attribute of one of its fields. */
function rowId(env: ExprEnv): Doc {
  const row = env.row!;
  if (row.mode === 'values') return call('rt.param', `${row.var}.id`, '"uuid"');
  env.imports.add('app.models', info(env.ctx, row.entity).className);
  return `${info(env.ctx, row.entity).className}.id`;
}

function rowColumn(env: ExprEnv, attr: string, kind: string): Doc {
  const row = env.row!;
  if (row.mode === 'values') return call('rt.param', `${row.var}.${attr}`, pyStr(kind));
  const cls = info(env.ctx, row.entity).className;
  env.imports.add('app.models', cls);
  return `${cls}.${attr}`;
}

function userIdDoc(env: ExprEnv): Doc {
  return call('rt.param', env.userId ?? 'None', '"uuid"');
}

/**
 * Lower a path: the start value (row column / user id / input) then one hop
 * per further step. A to-one step yields the target's id, so comparing a
 * relation with `currentUser` compares ids.
 */
function compilePath(env: ExprEnv, expr: Extract<Expr, { kind: 'path' }>): Doc {
  const steps = expr.steps;
  if (expr.root === 'input') {
    const name = steps[0]?.field ?? '';
    return call(
      'rt.param',
      `${env.input ?? 'None'}.${inputAttr(name)}`,
      pyStr(paramKind(expr.type)),
    );
  }
  let current: Doc;
  let entity: string;
  let rest = steps;
  if (expr.root === 'currentUser') {
    current = userIdDoc(env);
    entity = env.ctx.program.app.auth?.user ?? '';
  } else {
    if (!env.row) return call('rt.param', 'None', pyStr(paramKind(expr.type)));
    entity = env.row.entity;
    if (steps.length === 0) return rowId(env);
    const first = fieldInfo(env.ctx, entity, steps[0]!.field);
    if (first.kind === 'toOne') current = rowColumn(env, first.columnAttr, 'uuid');
    else if (first.kind === 'id') current = rowId(env);
    else if (first.kind === 'inverseOne')
      current = reverseHop(env, first.target!, first, rowId(env));
    else current = rowColumn(env, first.columnAttr, paramKind(expr.type));
    entity = first.target ?? entity;
    rest = steps.slice(1);
  }
  for (const step of rest) {
    const f = fieldInfo(env.ctx, step.entity, step.field);
    const cls = info(env.ctx, step.entity).className;
    env.imports.add('app.models', cls);
    if (f.kind === 'id') continue;
    if (f.kind === 'inverseOne') current = reverseHop(env, f.target!, f, current);
    else current = call('rt.hop', cls, pyStr(f.columnAttr), current);
    entity = f.target ?? entity;
  }
  void entity;
  return current;
}

/** id of the row of `target` whose to-one field (the inverse of `f`) points at `key`. */
function reverseHop(
  env: ExprEnv,
  target: string,
  f: { field: { type: { kind: string } & Record<string, unknown> } },
  key: Doc,
): Doc {
  const inverseName = (f.field.type as { inverse?: string }).inverse ?? '';
  const inverse = fieldInfo(env.ctx, target, inverseName);
  const cls = info(env.ctx, target).className;
  env.imports.add('app.models', cls);
  return call('rt.hop_back', cls, pyStr(inverse.columnAttr), key);
}

/** count(relation): rows of a one-to-many or links of a many-to-many. */
function compileCount(env: ExprEnv, arg: Expr): Doc {
  if (arg.kind !== 'path' || arg.steps.length === 0) return call('rt.param', 'None', '"int"');
  const last = arg.steps[arg.steps.length - 1]!;
  const owner: Expr = { ...arg, steps: arg.steps.slice(0, -1) };
  const ownerId =
    owner.kind === 'path' && owner.steps.length === 0 && owner.root === 'row'
      ? rowId(env)
      : compileExpr(env, owner);
  const f = fieldInfo(env.ctx, last.entity, last.field);
  const type = f.field.type;
  if (type.kind !== 'relation') return call('rt.param', 'None', '"int"');
  if (f.kind === 'manyToMany') {
    const jt = type.joinTable === undefined ? undefined : env.ctx.joinTable(type.joinTable);
    const side = jt?.sides.find((s) => s.entity === last.entity && s.field === last.field);
    const variable = joinTableVar(type.joinTable ?? '');
    env.imports.add('app.models.associations', variable);
    return call('rt.count_links', variable, pyStr(side?.column ?? ''), ownerId);
  }
  const inverse = fieldInfo(env.ctx, type.target, type.inverse ?? '');
  const cls = info(env.ctx, type.target).className;
  env.imports.add('app.models', cls);
  return call('rt.count_children', cls, pyStr(inverse.columnAttr), ownerId);
}

export function joinTableVar(name: string): string {
  return `${name.replace(/[^A-Za-z0-9_]/g, '_')}_table`;
}

export function inputAttr(name: string): string {
  return safeInputAttr(name);
}

import { snake } from '../../names.js';
import { safeIdent } from './py.js';
const safeInputAttr = (name: string): string => safeIdent(snake(name));

/** BITCUP-like source text of an expression, for messages ("count(lines) > 0"). */
export function exprText(expr: Expr): string {
  switch (expr.kind) {
    case 'literal':
      return expr.value === null
        ? 'null'
        : typeof expr.value === 'string'
          ? JSON.stringify(expr.value)
          : String(expr.value);
    case 'enumValue':
      return expr.value;
    case 'now':
      return 'now';
    case 'path': {
      const names = expr.steps.map((s) => s.field);
      const root = expr.root === 'row' ? [] : [expr.root];
      const all = [...root, ...names];
      return all.length === 0 ? 'this' : all.join('.');
    }
    case 'unary':
      return expr.op === 'not' ? `not ${exprText(expr.operand)}` : `-${exprText(expr.operand)}`;
    case 'binary':
      return `${exprText(expr.left)} ${expr.op} ${exprText(expr.right)}`;
    case 'in':
      return `${exprText(expr.value)} in [${expr.list.map(exprText).join(', ')}]`;
    case 'call':
      return `${expr.fn}(${expr.args.map(exprText).join(', ')})`;
    case 'countEntity':
      return `count(${expr.entity}${expr.where ? ' where ' + exprText(expr.where) : ''})`;
  }
}

export { prefix };
