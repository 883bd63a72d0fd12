// Events pass: lower `event` declarations (scalar, enum or entity fields; an
// entity field travels as `<field>Id`), and the shared `emit` lowering used
// by flows and behaviors: `emit E` fills the event's one field of the row's
// entity type with `this`; `emit E { f = expr }` sets fields explicitly.
import type * as ast from '../../../grammar/ast.js';
import type { Assignment, Emit, EventDecl, ExprType } from '../../ir/schema.js';
import { didYouMean } from '../../diagnostics/did-you-mean.js';
import { assignedField, type AssignmentTarget } from './assignments.js';
import { exprType, type AnalyzeContext } from './context.js';
import { resolveType } from './lowering.js';
import { ExprChecker, assignable, describeType, typeOf, type Scope } from './types.js';

type EventField = EventDecl['fields'][number];

export function lowerEvents(ctx: AnalyzeContext): void {
  for (const info of ctx.events.values()) {
    const decl = info.decl;
    const ir: EventDecl = { name: decl.name, stream: decl.name, fields: [], span: decl.nameSpan };
    if (decl.doc !== undefined) ir.doc = decl.doc;
    const seen = new Map<string, ast.Span>();
    for (const f of decl.fields) {
      if (f.name === '') continue;
      const first = seen.get(f.name);
      if (first) {
        ctx.report.report(
          'BC2005',
          f.nameSpan,
          { kind: 'field', name: f.name, owner: `event ${decl.name}` },
          [first],
        );
        continue;
      }
      seen.set(f.name, f.nameSpan);
      const resolved = resolveType(ctx, f.type, 'event field');
      if (!resolved) continue;
      if (resolved.list) {
        ctx.report.report('BC4015', f.type.span, { field: f.name });
        continue;
      }
      const t = resolved.type;
      const type: EventField['type'] =
        t.kind === 'relation'
          ? { kind: 'entity', entity: t.target }
          : t.kind === 'enum'
            ? t
            : {
                kind: 'scalar',
                scalar: t.scalar,
                ...(t.length !== undefined ? { length: t.length } : {}),
              };
      ir.fields.push({
        name: f.name,
        apiName: t.kind === 'relation' ? `${f.name}Id` : f.name,
        type,
        optional: f.type.optional,
        span: f.nameSpan,
      });
    }
    info.ir = ir;
    ctx.program.events.push(ir);
  }
}

export function eventFieldType(field: EventField): ExprType {
  const t = field.type;
  if (t.kind === 'entity') return exprType('entity', field.optional, t.entity);
  if (t.kind === 'enum') return exprType('enum', field.optional, t.enum);
  return typeOf({ kind: 'scalar', scalar: t.scalar }, field.optional);
}

/** Lower `emit Event [{ ... }]` on a row of `scope.entity` (undefined: app-level). */
export function lowerEmit(
  ctx: AnalyzeContext,
  checker: ExprChecker,
  clause: ast.EmitClause,
  scope: Scope,
): Emit | undefined {
  const name = clause.event.name;
  if (name === '') return undefined;
  const event = ctx.events.get(name)?.ir;
  if (!event) {
    ctx.report.report('BC2006', clause.event.span, {
      kind: 'event',
      name,
      hint: didYouMean(name, ctx.events.keys()),
    });
    return undefined;
  }
  const assignments: Assignment[] = [];
  if (!clause.assignments) {
    const own = event.fields.filter(
      (f) => f.type.kind === 'entity' && f.type.entity === scope.entity,
    );
    if (!scope.entity || own.length !== 1) {
      ctx.report.report('BC4007', clause.span, {
        event: name,
        count: own.length,
        entity: scope.entity ?? 'the row',
      });
      return undefined;
    }
    const field = own[0]!;
    assignments.push({
      field: field.name,
      expr: {
        kind: 'path',
        root: 'row',
        steps: [],
        type: exprType('entity', false, scope.entity),
        span: clause.event.span,
      },
      span: clause.span,
    });
  } else {
    const seen = new Map<string, ast.Span>();
    const fields: AssignmentTarget<EventDecl['fields'][number]> = {
      field: (fieldName) => event.fields.find((f) => f.name === fieldName),
      names: () => event.fields.map((f) => f.name),
      owner: `event ${name}`,
      list: `emit ${name}`,
    };
    for (const a of clause.assignments) {
      if (a.field.name === '') continue;
      const field = assignedField(ctx, a, fields, seen);
      if (!field) continue;
      const target = eventFieldType(field);
      const expr = checker.check(a.value, scope, target);
      if (!assignable(target, expr)) {
        ctx.report.report('BC4008', a.value.span, {
          actual: describeType(expr.type),
          field: a.field.name,
          expected: describeType(target),
        });
      }
      assignments.push({ field: a.field.name, expr, span: a.span });
    }
  }
  const missing = event.fields
    .filter((f) => !f.optional && !assignments.some((a) => a.field === f.name))
    .map((f) => `\`${f.name}\``);
  if (missing.length > 0)
    ctx.report.report('BC4009', clause.span, { what: `emit ${name}`, fields: missing.join(', ') });
  return { event: name, assignments, span: clause.span };
}
