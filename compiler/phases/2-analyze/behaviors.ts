// Behaviors pass (LANGUAGE.md "Behaviors"): row behaviors (`Entity.name`) and
// app-level ones; `input` fields are scalars or enums; `allow if` only
// app-level; `require` is a boolean; `set` on the row; `create` sets every
// required field without a default that `owned by` does not fill; `returns`
// an entity, scalar or enum (an app-level behavior returning an entity must
// create one).
import type * as ast from '../../../grammar/ast.js';
import type { Assignment, Behavior, BehaviorStatement, ExprType } from '../../ir/schema.js';
import { didYouMean } from '../../diagnostics/did-you-mean.js';
import { kebab } from '../../names.js';
import type { AnalyzeContext, EntityInfo, FieldInfo } from './context.js';
import { assignedField, type AssignmentTarget } from './assignments.js';
import { lowerEmit } from './events.js';
import { lowerSet } from './flows.js';
import { resolveType } from './lowering.js';
import {
  ExprChecker,
  assignable,
  describeType,
  fieldExprType,
  typeOf,
  type Scope,
} from './types.js';

export function checkBehaviors(ctx: AnalyzeContext): void {
  const checker = new ExprChecker(ctx);
  for (const decl of ctx.behaviorDecls) {
    if (ctx.leaf && !ctx.leaf.begin(decl)) continue;
    let entity: EntityInfo | undefined;
    if (decl.entity) {
      if (decl.entity.name === '') continue;
      entity = ctx.entities.get(decl.entity.name);
      if (!entity) {
        ctx.report.report('BC2006', decl.entity.span, {
          kind: 'entity',
          name: decl.entity.name,
          hint: didYouMean(decl.entity.name, ctx.entities.keys()),
        });
        continue;
      }
    }
    const behavior = lowerBehavior(ctx, checker, decl, entity);
    ctx.program.behaviors.push(behavior);
    ctx.leaf?.produced(decl, behavior);
  }
  ctx.leaf?.end();
}

function lowerBehavior(
  ctx: AnalyzeContext,
  checker: ExprChecker,
  decl: ast.BehaviorDecl,
  entity: EntityInfo | undefined,
): Behavior {
  const behavior: Behavior = {
    name: decl.name,
    ...(entity ? { entity: entity.ir.name } : {}),
    apiPath: kebab(decl.name),
    custom: decl.custom,
    ...(decl.doc !== undefined ? { doc: decl.doc } : {}),
    allows: [],
    input: [],
    statements: [],
    span: decl.nameSpan,
  };
  // Inputs first: statements may use them wherever they are written.
  const input = new Map<string, { type: ExprType }>();
  for (const st of decl.statements) {
    if (st.kind !== 'input') continue;
    for (const f of st.fields) {
      if (f.name === '') continue;
      const first = behavior.input.find((i) => i.name === f.name);
      if (first) {
        ctx.report.report(
          'BC2005',
          f.nameSpan,
          { kind: 'input', name: f.name, owner: `behavior ${decl.name}` },
          [first.span],
        );
        continue;
      }
      const resolved = resolveType(ctx, f.type, 'input');
      if (!resolved) continue;
      if (resolved.type.kind === 'relation') {
        ctx.report.report('BC3014', f.type.span, {
          what: `input \`${f.name}\``,
          expected: 'a scalar or an enum',
          actual: `a relation to ${resolved.type.target}`,
        });
        continue;
      }
      behavior.input.push({
        name: f.name,
        type: resolved.type,
        optional: f.type.optional,
        span: f.nameSpan,
      });
      input.set(f.name, { type: typeOf(resolved.type, f.type.optional) });
    }
  }
  const scope: Scope = {
    where: `behavior \`${decl.name}\``,
    ...(entity ? { entity: entity.ir.name } : {}),
    currentUserNonNull: true,
    input,
  };
  const created = new Set<string>();
  let returns: ast.TypeRef | undefined;
  for (const st of decl.statements) {
    switch (st.kind) {
      case 'input':
        break;
      case 'allow': {
        if (entity) {
          ctx.report.report('BC4011', st.span, { entity: entity.ir.name, name: decl.name });
          break;
        }
        const noUser: Scope = { ...scope, currentUserNonNull: false };
        behavior.allows.push(checker.condition(st.condition, noUser, '`allow if`'));
        break;
      }
      case 'require':
        behavior.statements.push({
          kind: 'require',
          expr: checker.condition(st.condition, scope, '`require`'),
          message: st.message,
          span: st.span,
        });
        break;
      case 'set': {
        if (!entity) {
          ctx.report.report('BC3006', st.span, {
            name: 'set',
            reason: 'an app-level behavior has no row; use `create`',
          });
          break;
        }
        const assignment = lowerSet(ctx, checker, entity, st.assignment, scope);
        if (assignment) behavior.statements.push({ kind: 'set', assignment, span: st.span });
        break;
      }
      case 'create': {
        const statement = lowerCreate(ctx, checker, st, scope);
        if (statement) {
          behavior.statements.push(statement);
          created.add(statement.entity);
        }
        break;
      }
      case 'emit': {
        const emit = lowerEmit(ctx, checker, st.emit, scope);
        if (emit) behavior.statements.push({ kind: 'emit', emit, span: st.span });
        break;
      }
      case 'returns':
        returns = st.type;
        break;
    }
  }
  if (returns && returns.name !== '') {
    const resolved = resolveType(ctx, returns, 'returns');
    if (resolved) {
      const t = resolved.type;
      if (resolved.list) {
        ctx.report.report('BC3014', returns.span, {
          what: '`returns`',
          expected: 'one entity, a scalar or an enum',
          actual: 'a list',
        });
      } else if (t.kind === 'relation') {
        behavior.returns = { kind: 'entity', entity: t.target };
        if (!entity && !decl.custom && !created.has(t.target)) {
          ctx.report.report('BC4010', returns.span, { name: decl.name, entity: t.target });
        }
      } else if (t.kind === 'enum') {
        behavior.returns = { kind: 'enum', enum: t.enum };
      } else {
        behavior.returns = { kind: 'scalar', scalar: t.scalar };
      }
    }
  }
  return behavior;
}

function lowerCreate(
  ctx: AnalyzeContext,
  checker: ExprChecker,
  st: Extract<ast.BehaviorStatement, { kind: 'create' }>,
  scope: Scope,
): Extract<BehaviorStatement, { kind: 'create' }> | undefined {
  const name = st.entity.name;
  if (name === '') return undefined;
  const target = ctx.entities.get(name);
  if (!target) {
    ctx.report.report('BC2006', st.entity.span, {
      kind: 'entity',
      name,
      hint: didYouMean(name, ctx.entities.keys()),
    });
    return undefined;
  }
  const assignments: Assignment[] = [];
  const seen = new Map<string, ast.Span>();
  const fields: AssignmentTarget<FieldInfo> = {
    field: (fieldName) => target.fields.get(fieldName),
    names: () => target.fields.keys(),
    owner: name,
    list: `create ${name}`,
  };
  for (const a of st.assignments) {
    if (a.field.name === '') continue;
    const field = assignedField(ctx, a, fields, seen);
    if (!field) continue;
    if (field.list || field.ir.origin !== 'declared' || field.ir.flow !== undefined) {
      ctx.report.report('BC4008', a.field.span, {
        actual: 'a value',
        field: a.field.name,
        expected: field.list
          ? 'a list relation'
          : field.ir.flow
            ? 'the flow field, set to its initial state'
            : 'set by the server',
      });
      continue;
    }
    const type = fieldExprType(field.ir);
    const expr = checker.check(a.value, scope, type);
    if (!assignable(type, expr)) {
      ctx.report.report('BC4008', a.value.span, {
        actual: describeType(expr.type),
        field: a.field.name,
        expected: describeType(type),
      });
    }
    ctx.setFields.add(`${name}.${field.ir.name}`);
    assignments.push({ field: field.ir.name, expr, span: a.span });
  }
  const missing = requiredInputs(target).filter((f) => !seen.has(f));
  if (missing.length > 0) {
    ctx.report.report('BC4009', st.span, {
      what: `create ${name}`,
      fields: missing.map((m) => `\`${m}\``).join(', '),
    });
  }
  return { kind: 'create', entity: name, assignments, span: st.span };
}

/** Required declared fields with no default, not filled by `owned by` or a flow. */
export function requiredInputs(entity: EntityInfo): string[] {
  // (one loop: every form view asks, so no copies of the field list)
  const required: string[] = [];
  for (const f of entity.fields.values()) {
    if (
      f.ir.origin === 'declared' &&
      !f.ir.optional &&
      !f.list &&
      f.ir.default === undefined &&
      !f.ir.ownerField &&
      f.ir.flow === undefined &&
      !(f.ir.type.kind === 'relation' && !f.ir.type.owning)
    )
      required.push(f.ir.name);
  }
  return required;
}
