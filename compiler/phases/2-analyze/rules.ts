// Rules pass (LANGUAGE.md "Invariants and access"): `allow <ops> if expr`
// where ops are CRUD words, `all`, or a transition / behavior of the entity;
// `check expr "message"` with the first field it mentions (the 422 location).
// Several `rules` blocks for one entity add up.
import { didYouMean } from '../../diagnostics/did-you-mean.js';
import type { AnalyzeContext } from './context.js';
import { ExprChecker, firstRowField } from './types.js';

const OPS = ['create', 'read', 'update', 'delete', 'all'];

export function checkRules(ctx: AnalyzeContext): void {
  const checker = new ExprChecker(ctx);
  for (const decl of ctx.rulesDecls) {
    if (ctx.leaf && !ctx.leaf.begin(decl)) continue;
    const name = decl.entity.name;
    if (name === '') continue;
    const entity = ctx.entities.get(name);
    if (!entity) {
      ctx.report.report('BC2006', decl.entity.span, {
        kind: 'entity',
        name,
        hint: didYouMean(name, ctx.entities.keys()),
      });
      continue;
    }
    const actions = ctx.actions.get(name) ?? new Map();
    const scope = { where: `a rule of ${name}`, entity: name, currentUserNonNull: false };
    for (const item of decl.items) {
      if (item.kind === 'allow') {
        const ops: string[] = [];
        for (const op of item.ops) {
          if (op.name === '') continue;
          if (OPS.includes(op.name) || actions.has(op.name)) {
            if (!ops.includes(op.name)) ops.push(op.name);
          } else {
            ctx.report.report('BC3012', op.span, {
              op: op.name,
              entity: name,
              hint: didYouMean(op.name, [...OPS, ...actions.keys()]),
            });
          }
        }
        const expr = checker.condition(item.condition, scope, 'an `allow` condition');
        if (ops.length > 0) entity.ir.allows.push({ ops, expr, source: 'rules', span: item.span });
      } else {
        const expr = checker.condition(item.condition, scope, 'a `check`');
        const field = firstRowField(expr);
        // two literals, not `...(field ? { field } : {})` (slow in V8); same key order
        entity.ir.checks.push(
          field !== undefined
            ? { expr, message: item.message, field, span: item.span }
            : { expr, message: item.message, span: item.span },
        );
      }
    }
  }
  ctx.leaf?.end();
}
