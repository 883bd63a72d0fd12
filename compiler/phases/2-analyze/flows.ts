// Flows pass (LANGUAGE.md "Transitions"): the field is an enum with a default
// (the initial state), states are values of that enum, transition names are
// unique per entity (names pass); guards are booleans, `set` assigns fields
// other than the flow field, `emit` fills events. Warnings: states the
// initial state cannot reach, and dead ends (no final state reachable).
import type * as ast from '../../../grammar/ast.js';
import type { Assignment, Flow, Transition } from '../../ir/schema.js';
import { didYouMean } from '../../diagnostics/did-you-mean.js';
import { kebab } from '../../names.js';
import type { AnalyzeContext, EntityInfo, EnumInfo } from './context.js';
import { lowerEmit } from './events.js';
import {
  ExprChecker,
  assignable,
  describeType,
  fieldExprType,
  mentionsCurrentUser,
  type Scope,
} from './types.js';

export function checkFlows(ctx: AnalyzeContext): void {
  const checker = new ExprChecker(ctx);
  const flowOfField = new Map<string, ast.Span>();
  for (const decl of ctx.flowDecls) {
    if (ctx.leaf && !ctx.leaf.begin(decl)) continue;
    if (decl.entity.name === '' || decl.field.name === '') continue;
    const entity = ctx.entities.get(decl.entity.name);
    if (!entity) {
      ctx.report.report('BC2006', decl.entity.span, {
        kind: 'entity',
        name: decl.entity.name,
        hint: didYouMean(decl.entity.name, ctx.entities.keys()),
      });
      continue;
    }
    const field = entity.fields.get(decl.field.name);
    if (!field) {
      ctx.report.report('BC2007', decl.field.span, {
        owner: entity.ir.name,
        name: decl.field.name,
        hint: didYouMean(decl.field.name, entity.fields.keys()),
      });
      continue;
    }
    const key = `${entity.ir.name}.${field.ir.name}`;
    const first = flowOfField.get(key);
    if (first) {
      ctx.report.report(
        'BC4006',
        decl.field.span,
        { entity: entity.ir.name, field: field.ir.name },
        [first],
      );
      continue;
    }
    flowOfField.set(key, decl.field.span);
    const type = field.ir.type;
    const enumInfo = type.kind === 'enum' ? ctx.enums.get(type.enum) : undefined;
    if (!enumInfo || field.ir.optional) {
      ctx.report.report('BC4001', decl.field.span, {
        entity: entity.ir.name,
        field: field.ir.name,
        actual: enumInfo
          ? 'optional (a state is never missing: remove the `?`)'
          : describeType(fieldExprType(field.ir, field.list)),
      });
      continue;
    }
    const initial = field.ir.default?.kind === 'enum' ? field.ir.default.value : undefined;
    if (initial === undefined) {
      ctx.report.report('BC4013', field.ir.span, {
        entity: entity.ir.name,
        field: field.ir.name,
        suggestion: enumInfo.ir.values[0] ?? 'value',
      });
    }
    field.ir.flow = decl.name;
    field.ir.readonly = true;
    const before = ctx.report.diagnostics.length;
    const flow = lowerFlow(
      ctx,
      checker,
      decl,
      entity,
      field.ir.name,
      enumInfo,
      initial ?? enumInfo.ir.values[0] ?? '',
    );
    ctx.program.flows.push(flow);
    ctx.leaf?.produced(decl, flow);
    // reachability over a flow with unknown states would only add noise
    const statesKnown = !ctx.report.diagnostics.slice(before).some((d) => d.code === 'BC4002');
    if (initial !== undefined && statesKnown) reachability(ctx, decl, flow, enumInfo);
  }
  ctx.leaf?.end();
}

function lowerFlow(
  ctx: AnalyzeContext,
  checker: ExprChecker,
  decl: ast.FlowDecl,
  entity: EntityInfo,
  fieldName: string,
  enumInfo: EnumInfo,
  initial: string,
): Flow {
  const scope: Scope = {
    where: `transitions of ${entity.ir.name}`,
    entity: entity.ir.name,
    currentUserNonNull: true,
  };
  const state = (ident: ast.Ident): string | undefined => {
    if (ident.name === '') return undefined;
    if (!enumInfo.values.has(ident.name)) {
      ctx.report.report('BC4002', ident.span, {
        state: ident.name,
        enum: enumInfo.ir.name,
        hint: didYouMean(ident.name, enumInfo.values),
      });
      return undefined;
    }
    return ident.name;
  };
  const transitions: Transition[] = [];
  for (const t of decl.transitions) {
    // (map: an exact-size array, it stays in the IR; filtered only on an error)
    const states = t.from.map(state);
    const from = states.includes(undefined)
      ? states.filter((s): s is string => s !== undefined)
      : (states as string[]);
    const to = state(t.to);
    const guard = t.guard
      ? checker.condition(t.guard, scope, `the guard of \`${t.name.name}\``)
      : undefined;
    const sets = t.sets
      .map((s) => lowerSet(ctx, checker, entity, s, scope))
      .filter((a): a is Assignment => a !== undefined);
    const emits = t.emits
      .map((e) => lowerEmit(ctx, checker, e, scope))
      .filter((e) => e !== undefined);
    // two literals, not `...(guard ? { guard } : {})` (slow in V8); same key order
    const name = t.name.name;
    const apiPath = kebab(name);
    transitions.push(
      guard
        ? {
            name,
            apiPath,
            from,
            to: to ?? '',
            guard,
            guardMentionsCurrentUser: mentionsCurrentUser(guard),
            sets,
            emits,
            span: t.name.span,
          }
        : {
            name,
            apiPath,
            from,
            to: to ?? '',
            guardMentionsCurrentUser: false,
            sets,
            emits,
            span: t.name.span,
          },
    );
  }
  const withExit = new Set<string>();
  for (const t of transitions) for (const s of t.from) withExit.add(s);
  return {
    name: decl.name,
    entity: entity.ir.name,
    field: fieldName,
    enum: enumInfo.ir.name,
    initial,
    finalStates: enumInfo.ir.values.filter((v) => !withExit.has(v)),
    transitions,
    span: decl.nameSpan,
  };
}

/** `set field = expr` on the row of `entity` (flows and row behaviors). */
export function lowerSet(
  ctx: AnalyzeContext,
  checker: ExprChecker,
  entity: EntityInfo,
  a: ast.Assignment,
  scope: Scope,
): Assignment | undefined {
  if (a.field.name === '') return undefined;
  const field = entity.fields.get(a.field.name);
  if (!field) {
    ctx.report.report('BC2007', a.field.span, {
      owner: entity.ir.name,
      name: a.field.name,
      hint: didYouMean(a.field.name, entity.fields.keys()),
    });
    return undefined;
  }
  if (field.ir.flow !== undefined || isFlowField(ctx, entity.ir.name, field.ir.name)) {
    ctx.report.report('BC4014', a.field.span, { field: a.field.name });
    return undefined;
  }
  if (field.list || field.ir.origin !== 'declared') {
    ctx.report.report('BC4008', a.field.span, {
      actual: 'a value',
      field: a.field.name,
      expected: field.list ? 'a list relation, changed through its own rows' : 'set by the server',
    });
    return undefined;
  }
  const target = fieldExprType(field.ir);
  const expr = checker.check(a.value, scope, target);
  if (!assignable(target, expr)) {
    ctx.report.report('BC4008', a.value.span, {
      actual: describeType(expr.type),
      field: a.field.name,
      expected: describeType(target),
    });
  }
  ctx.setFields.add(`${entity.ir.name}.${field.ir.name}`);
  return { field: field.ir.name, expr, span: a.span };
}

const flowFieldsOf = new WeakMap<AnalyzeContext, Set<string>>();

/** Whether some flow is declared for `entity.field` (also before that flow is lowered). */
function isFlowField(ctx: AnalyzeContext, entity: string, field: string): boolean {
  let fields = flowFieldsOf.get(ctx);
  if (!fields) {
    fields = new Set(ctx.flowDecls.map((f) => `${f.entity.name}.${f.field.name}`));
    flowFieldsOf.set(ctx, fields);
  }
  return fields.has(`${entity}.${field}`);
}

function reachability(
  ctx: AnalyzeContext,
  decl: ast.FlowDecl,
  flow: Flow,
  enumInfo: EnumInfo,
): void {
  const next = new Map<string, string[]>();
  const previous = new Map<string, string[]>();
  for (const t of flow.transitions) {
    for (const f of t.from) {
      if (t.to === '') continue;
      const out = next.get(f);
      if (out) out.push(t.to);
      else next.set(f, [t.to]);
      const into = previous.get(t.to);
      if (into) into.push(f);
      else previous.set(t.to, [f]);
    }
  }
  const closure = (starts: readonly string[], edges: Map<string, string[]>): Set<string> => {
    const seen = new Set(starts);
    const queue = [...starts];
    while (queue.length > 0) {
      for (const n of edges.get(queue.pop()!) ?? []) {
        if (!seen.has(n)) {
          seen.add(n);
          queue.push(n);
        }
      }
    }
    return seen;
  };
  const reachable = closure([flow.initial], next);
  const canFinish = closure(flow.finalStates, previous);
  const spanOf = (state: string): ast.Span =>
    decl.transitions.flatMap((t) => [...t.from, t.to]).find((i) => i.name === state)?.span ??
    enumInfo.decl.values.find((v) => v.name === state)?.span ??
    decl.nameSpan;
  for (const state of enumInfo.ir.values) {
    if (!reachable.has(state)) {
      ctx.report.report('BC4004', spanOf(state), { state, initial: flow.initial });
    } else if (!canFinish.has(state)) {
      ctx.report.report('BC4005', spanOf(state), { state });
    }
  }
}
