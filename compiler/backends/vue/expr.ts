// IR expression -> TypeScript over the runtime's null-aware helpers
// (runtime/vue/src/runtime/expr.ts, imported as `bc`). A scope decides what a
// path means; anything a scope cannot resolve makes the whole expression
// uncompilable (undefined), and callers then leave the decision to the server.
import type { Expr } from '../../ir/schema.js';
import { call, type Code } from './ts-code.js';

export type PathExpr = Extract<Expr, { kind: 'path' }>;

export interface ExprScope {
  /** TypeScript for a path, or undefined when this scope cannot see it */
  path(expr: PathExpr): Code | undefined;
}

const COMPARE: Record<string, string> = {
  '==': 'eq',
  '!=': 'ne',
  '<': 'lt',
  '<=': 'le',
  '>': 'gt',
  '>=': 'ge',
};
const ARITHMETIC: Record<string, string> = { '+': 'add', '-': 'sub', '*': 'mul', '/': 'div' };

const isNullLiteral = (expr: Expr): boolean => expr.kind === 'literal' && expr.value === null;

export function compileExpr(expr: Expr, scope: ExprScope): Code | undefined {
  const sub = (inner: Expr) => compileExpr(inner, scope);
  const all = (parts: (Code | undefined)[]): parts is Code[] => parts.every((p) => p !== undefined);
  switch (expr.kind) {
    case 'literal':
      return literal(expr.value);
    case 'enumValue':
      return literal(expr.value);
    case 'path':
      return scope.path(expr);
    case 'now':
    case 'countEntity':
      return undefined;
    case 'unary': {
      const operand = sub(expr.operand);
      if (operand === undefined) return undefined;
      return call(expr.op === 'not' ? 'bc.not' : 'bc.neg', operand);
    }
    case 'binary': {
      if (
        (expr.op === '==' || expr.op === '!=') &&
        (isNullLiteral(expr.left) || isNullLiteral(expr.right))
      ) {
        const other = sub(isNullLiteral(expr.left) ? expr.right : expr.left);
        if (other === undefined) return undefined;
        return call(expr.op === '==' ? 'bc.isNull' : 'bc.notNull', other);
      }
      const parts = [sub(expr.left), sub(expr.right)];
      if (!all(parts)) return undefined;
      if (expr.op === 'and' || expr.op === 'or') return call(`bc.${expr.op}`, ...parts);
      const name = COMPARE[expr.op] ?? ARITHMETIC[expr.op]!;
      return call(`bc.${name}`, ...parts);
    }
    case 'in': {
      const parts = [sub(expr.value), ...expr.list.map(sub)];
      if (!all(parts)) return undefined;
      return call('bc.oneOf', ...parts);
    }
    case 'call': {
      if (expr.fn === 'count') return undefined;
      const args = expr.args.map(sub);
      if (!all(args)) return undefined;
      return call(`bc.${expr.fn}`, ...args);
    }
  }
}

/** A literal as TS, quoted the way prettier quotes it (single unless that needs more escapes). */
export function literal(value: string | number | boolean | null): string {
  if (typeof value !== 'string') return JSON.stringify(value);
  return quote(value);
}

export function quote(text: string): string {
  const singles = (text.match(/'/g) ?? []).length;
  const doubles = (text.match(/"/g) ?? []).length;
  const q = singles > doubles ? '"' : "'";
  const body = text
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(new RegExp(q, 'g'), `\\${q}`);
  return `${q}${body}${q}`;
}

/** Every path in an expression (to decide which fields it uses). */
export function pathsOf(expr: Expr): PathExpr[] {
  switch (expr.kind) {
    case 'path':
      return [expr];
    case 'unary':
      return pathsOf(expr.operand);
    case 'binary':
      return [...pathsOf(expr.left), ...pathsOf(expr.right)];
    case 'in':
      return [...pathsOf(expr.value), ...expr.list.flatMap(pathsOf)];
    case 'call':
      return expr.args.flatMap(pathsOf);
    case 'countEntity':
      return expr.where === undefined ? [] : pathsOf(expr.where);
    default:
      return [];
  }
}
