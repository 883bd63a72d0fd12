// Modifiers pass: defaults (typed against their field), `min` / `max` /
// `pattern` on the right types (the pattern compiles), `on delete` on to-one
// relations only (`set null` needs `?`), `on update now` on datetimes, and
// `owned by` (the implicit allow rule). A late pass checks that every
// readonly required field without a default is set by something.
import type * as ast from '../../../grammar/ast.js';
import type { Default, Expr, Field } from '../../ir/schema.js';
import { didYouMean } from '../../diagnostics/did-you-mean.js';
import { exprType, type AnalyzeContext, type EntityInfo, type FieldInfo } from './context.js';
import {
  ExprChecker,
  assignable,
  describeType,
  fieldExprType,
  isError,
  regexProblem,
} from './types.js';

const STRINGS = new Set(['string', 'text', 'email', 'url', 'password']);
const NUMBERS = new Set(['int', 'bigint', 'float', 'decimal']);

export function checkModifiers(ctx: AnalyzeContext): void {
  const checker = new ExprChecker(ctx);
  for (const entity of ctx.entities.values()) {
    if (ctx.leaf && !ctx.leaf.begin(entity.decl)) continue;
    for (const field of entity.fields.values()) {
      if (field.decl) checkFieldModifiers(ctx, checker, entity, field, field.decl);
    }
    checkOwnedBy(ctx, entity);
  }
  ctx.leaf?.end();
}

function typeWord(field: FieldInfo): string {
  const t = field.ir.type;
  return t.kind === 'scalar'
    ? t.scalar
    : t.kind === 'enum'
      ? t.enum
      : field.list
        ? `${t.target}[]`
        : t.target;
}

/** BC2014: the modifier does not apply to the field's type. */
function notFor(
  ctx: AnalyzeContext,
  field: FieldInfo,
  m: { kind: string; span: ast.Span },
  name = m.kind,
): void {
  ctx.report.report('BC2014', m.span, { modifier: name, type: typeWord(field) });
}

function checkFieldModifiers(
  ctx: AnalyzeContext,
  checker: ExprChecker,
  entity: EntityInfo,
  field: FieldInfo,
  decl: ast.FieldDecl,
): void {
  const ir = field.ir;
  const type = ir.type;
  const scalar = type.kind === 'scalar' ? type.scalar : undefined;
  for (const m of decl.modifiers) {
    switch (m.kind) {
      case 'unique':
      case 'index':
        if (field.list) notFor(ctx, field, m);
        break;
      case 'onUpdateNow':
        if (scalar !== 'datetime') notFor(ctx, field, m, 'on update now');
        break;
      case 'onDelete':
        if (type.kind !== 'relation' || field.list || !type.owning) {
          ctx.report.report('BC2012', m.span);
        } else if (m.action === 'set null' && !ir.optional) {
          ctx.report.report('BC2013', m.actionSpan, { field: ir.name, type: decl.type.name });
        } else {
          type.onDelete = m.action;
        }
        break;
      case 'min':
      case 'max':
        if (!scalar || (!STRINGS.has(scalar) && !NUMBERS.has(scalar)))
          notFor(ctx, field, m, `${m.kind}(...)`);
        else if (STRINGS.has(scalar) && (m.value < 0 || !Number.isInteger(m.value))) {
          ctx.report.report('BC2022', m.valueSpan, {
            what: `\`${m.kind}(${m.value})\``,
            reason: 'a length is a whole number, at least 0',
          });
        } else ir[m.kind] = m.value;
        break;
      case 'pattern': {
        if (!scalar || !STRINGS.has(scalar) || scalar === 'password') {
          notFor(ctx, field, m, 'pattern(...)');
          break;
        }
        const problem = regexProblem(m.regex);
        if (problem) ctx.report.report('BC2015', m.regexSpan, { reason: problem });
        else ir.pattern = m.regex;
        break;
      }
      case 'by':
        if (type.kind !== 'relation') ctx.report.report('BC2024', m.span);
        break;
      case 'default': {
        const lowered = lowerDefault(ctx, checker, entity, field, m.value);
        if (lowered) ir.default = lowered;
        break;
      }
      default:
        break;
    }
  }
  if (ir.min !== undefined && ir.max !== undefined && ir.min > ir.max) {
    const m = decl.modifiers.find((x) => x.kind === 'min')!;
    ctx.report.report('BC2021', m.span, { min: ir.min, max: ir.max });
  }
  if (type.kind === 'relation' && type.owning && type.onDelete === undefined && !field.list)
    type.onDelete = 'restrict';
}

/** BC2017: the default does not fit the field (a module function: no closure per default). */
function mismatch(ctx: AnalyzeContext, value: ast.Expr, ir: Field, actual: string): undefined {
  ctx.report.report('BC2017', value.span, {
    field: ir.name,
    expected: describeType(fieldExprType(ir)),
    actual,
  });
  return undefined;
}

/** `= value`: a literal, enum value, now, {}, [], currentUser or a row expression. */
function lowerDefault(
  ctx: AnalyzeContext,
  checker: ExprChecker,
  entity: EntityInfo,
  field: FieldInfo,
  value: ast.Expr,
): Default | undefined {
  const ir = field.ir;
  if (field.list) return mismatch(ctx, value, ir, 'a default (a list relation has none)');
  const isJson = ir.type.kind === 'scalar' && ir.type.scalar === 'json';
  if (value.kind === 'object')
    return isJson ? { kind: 'emptyObject' } : mismatch(ctx, value, ir, '`{}`');
  if (value.kind === 'list') {
    if (isJson && value.items.length === 0) return { kind: 'emptyArray' };
    return mismatch(ctx, value, ir, isJson ? 'a non-empty list (only `[]` is accepted)' : 'a list');
  }
  if (value.kind === 'error') return undefined;
  const expected = fieldExprType(ir);
  const out: Expr = checker.check(
    value,
    { where: `the default of \`${ir.name}\``, entity: entity.ir.name, currentUserNonNull: true },
    expected,
  );
  if (isError(out.type)) return undefined;
  if (out.kind === 'path' && out.root === 'currentUser' && out.steps.length === 0) {
    return assignable(expected, out)
      ? { kind: 'currentUser' }
      : mismatch(ctx, value, ir, describeType(out.type));
  }
  if (out.kind === 'literal' && out.value === null) {
    return ir.optional ? undefined : mismatch(ctx, value, ir, '`null` (the field is required)');
  }
  if (!assignable(expected, out)) return mismatch(ctx, value, ir, describeType(out.type));
  if (out.kind === 'now') return { kind: 'now' };
  if (out.kind === 'enumValue') return { kind: 'enum', value: out.value };
  if (out.kind === 'literal' && typeof out.value !== 'object')
    return { kind: 'literal', value: out.value };
  if (
    out.kind === 'unary' &&
    out.op === '-' &&
    out.operand.kind === 'literal' &&
    typeof out.operand.value === 'number'
  ) {
    return { kind: 'literal', value: -out.operand.value };
  }
  return { kind: 'expression', expr: out };
}

/** `owned by field`: a required to-one to the auth user; adds the implicit rule. */
function checkOwnedBy(ctx: AnalyzeContext, entity: EntityInfo): void {
  const ownedBy = entity.decl.ownedBy;
  if (!ownedBy || ownedBy.name === '') return;
  const field = entity.fields.get(ownedBy.name);
  const userName = ctx.authUser;
  const candidates = [...entity.fields.values()]
    .filter((f) => f.target && !f.list)
    .map((f) => f.ir.name);
  const reason = !field
    ? `${entity.ir.name} has no field \`${ownedBy.name}\`${didYouMean(ownedBy.name, candidates)}`
    : !userName
      ? ctx.app?.entries.some((e) => e.key === 'auth')
        ? undefined // the auth block's own error is enough
        : 'the app has no `auth`, so nobody owns rows'
      : field.target !== userName ||
          field.list ||
          field.ir.type.kind !== 'relation' ||
          !field.ir.type.owning
        ? `it must be a to-one relation to the auth user ${userName}`
        : undefined;
  if (reason) {
    ctx.report.report('BC2020', ownedBy.span, { field: ownedBy.name, reason });
    return;
  }
  if (!field || !userName) return;
  field.ir.ownerField = true;
  const span = ownedBy.span;
  const expr: Expr = {
    kind: 'binary',
    op: '==',
    left: {
      kind: 'path',
      root: 'row',
      steps: [{ entity: entity.ir.name, field: field.ir.name }],
      type: exprType('entity', field.ir.optional, userName),
      span,
    },
    right: {
      kind: 'path',
      root: 'currentUser',
      steps: [],
      type: exprType('entity', true, userName),
      span,
    },
    type: exprType('bool'),
    span,
  };
  entity.ir.allows.push({ ops: ['all'], expr, source: 'ownedBy', span });
}

/** Late pass: a readonly required field with no default must be set by something. */
export function checkReadonlyFieldsAreSet(ctx: AnalyzeContext): void {
  for (const entity of ctx.entities.values()) {
    for (const field of entity.fields.values()) {
      const ir: Field = field.ir;
      if (ir.origin !== 'declared' || !ir.readonly || ir.optional || field.list) continue;
      if (ir.default || ir.ownerField || ir.flow) continue;
      if (ctx.setFields.has(`${entity.ir.name}.${ir.name}`)) continue;
      if (entity.ir.isAuthUser && ctx.program.app.auth?.password === ir.name) continue;
      ctx.report.report('BC2016', ir.span, { entity: entity.ir.name, field: ir.name });
    }
  }
}
