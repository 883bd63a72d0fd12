// What a rule's paths mean in the browser: on a loaded row (`r`, an API read)
// with the signed-in user (`auth.user`), or on a form's values (`v`).
import type { Entity, Expr } from '../../ir/schema.js';
import { compileExpr, pathsOf, type ExprScope, type PathExpr } from './expr.js';
import { isToOne, type VueModel } from './model.js';
import { call, type Code } from './ts-code.js';

/** Paths on a row `rowVar` (single steps only; none without a row) and on `auth.user`. */
export function rowScope(model: VueModel, entity: Entity, rowVar: string | undefined): ExprScope {
  return {
    path(expr: PathExpr) {
      if (expr.root === 'input') return undefined;
      if (expr.root === 'currentUser') {
        if (!model.hasAuth) return undefined;
        if (expr.steps.length === 0) return 'auth.user?.id';
        if (expr.steps.length > 1) return undefined;
        const user = model.entity(model.program.app.auth!.user);
        const field = user && model.field(user, expr.steps[0]!.field);
        if (field === undefined || field.private) return undefined;
        if (field.type.kind === 'relation' && !isToOne(field)) return undefined;
        return `auth.user?.['${field.apiName}']`;
      }
      if (rowVar === undefined) return undefined;
      if (expr.steps.length === 0) return `${rowVar}.id`;
      if (expr.steps.length > 1) return undefined;
      const field = model.field(entity, expr.steps[0]!.field);
      if (field === undefined || field.private) return undefined;
      if (field.type.kind === 'relation' && !isToOne(field)) return undefined;
      return `${rowVar}.${field.apiName}`;
    },
  };
}

/** Paths on a form's normalized values `v` (field names), only fields the form edits. */
export function formScope(fieldNames: Set<string>): ExprScope {
  return {
    path(expr: PathExpr) {
      if (expr.root !== 'row' || expr.steps.length !== 1) return undefined;
      const name = expr.steps[0]!.field;
      return fieldNames.has(name) ? `v.${name}` : undefined;
    },
  };
}

/** A condition as TS, or undefined when the browser cannot decide it. */
export function condition(expr: Expr, scope: ExprScope): Code | undefined {
  const code = compileExpr(expr, scope);
  return code === undefined ? undefined : call('bc.truthy', code);
}

/**
 * May the signed-in user run `op` on row `rowVar`? 'true' when the browser
 * cannot tell (the server decides), 'false' when no rule allows it.
 */
export function permission(
  model: VueModel,
  entity: Entity,
  op: string,
  rowVar: string | undefined,
): Code {
  if (entity.allows.length === 0) return model.hasAuth ? 'auth.signedIn' : 'true';
  const ops = new Set([op, 'all']);
  if (op !== 'create' && op !== 'read' && op !== 'delete') ops.add('update');
  const rules = entity.allows.filter((rule) => rule.ops.some((o) => ops.has(o)));
  if (rules.length === 0) return 'false';
  const scope = rowScope(model, entity, rowVar);
  const parts: Code[] = [];
  for (const rule of rules) {
    // `owned by`: on create the API fills the owner from the token, so it holds
    if (op === 'create' && rule.source === 'ownedBy') {
      parts.push('auth.signedIn');
      continue;
    }
    const code = compileExpr(rule.expr, scope);
    if (code === undefined) return 'true';
    parts.push(code);
  }
  return parts.length === 1 ? call('bc.truthy', parts[0]!) : call('bc.or', ...parts);
}

/** Names of the row fields an expression reads (first step of each row path). */
export function fieldsUsed(expr: Expr): { names: Set<string>; onlyRow: boolean } {
  const names = new Set<string>();
  let onlyRow = true;
  for (const path of pathsOf(expr)) {
    if (path.root !== 'row' || path.steps.length !== 1) onlyRow = false;
    else names.add(path.steps[0]!.field);
  }
  return { names, onlyRow };
}
