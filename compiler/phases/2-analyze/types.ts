// Expression type checking (LANGUAGE.md "Invariants and access"): lowers an
// AST expression to a typed IR expression in a scope (the row's entity,
// `currentUser`, a behavior's `input`), resolving bare names to fields or —
// where an enum value is expected — to enum values. Reports and returns an
// expression typed `<error>` so callers do not cascade.
import type * as ast from '../../../grammar/ast.js';
import type { Expr, ExprType, Field, FieldType, PathStep, Span } from '../../ir/schema.js';
import { didYouMean } from '../../diagnostics/did-you-mean.js';
import { exprType, type AnalyzeContext, type EntityInfo } from './context.js';

export interface Scope {
  /** words for messages: "a rule of Order" */
  where: string;
  /** the row's entity: bare names and `this` */
  entity?: string;
  /** inside transitions and behaviors of an app with auth */
  currentUserNonNull: boolean;
  /** a behavior's `input { ... }` fields */
  input?: ReadonlyMap<string, { type: ExprType }>;
  /** dashboard metrics: `count(Entity where ...)` */
  allowCountEntity?: boolean;
}

export const ERROR_TYPE: ExprType = { kind: 'null', name: '<error>', nullable: true };
export const isError = (t: ExprType): boolean => t.name === '<error>' && t.kind === 'null';
const errorExpr = (span: Span): Expr => ({ kind: 'literal', type: ERROR_TYPE, value: null, span });

const NUMERIC = new Set(['int', 'float', 'decimal']);
const ORDERED = new Set([
  'int',
  'float',
  'decimal',
  'string',
  'date',
  'datetime',
  'time',
  'duration',
]);
const FUNCTIONS = ['len', 'trim', 'lower', 'upper', 'matches', 'count'] as const;

/** The expression type of a stored field. */
export function fieldExprType(field: Field, list = false): ExprType {
  return typeOf(field.type, field.optional, list);
}

export function typeOf(type: FieldType, nullable: boolean, list = false): ExprType {
  switch (type.kind) {
    case 'enum':
      return exprType('enum', nullable, type.enum);
    case 'relation':
      return list
        ? exprType('list', false, type.target)
        : exprType('entity', nullable, type.target);
    case 'scalar':
      switch (type.scalar) {
        case 'string':
        case 'text':
        case 'email':
        case 'url':
        case 'password':
          return exprType('string', nullable);
        case 'int':
        case 'bigint':
          return exprType('int', nullable);
        default:
          return exprType(type.scalar, nullable);
      }
  }
}

export function describeType(t: ExprType): string {
  if (isError(t)) return 'an invalid expression';
  switch (t.kind) {
    case 'enum':
      return `a value of enum ${t.name}`;
    case 'entity':
      return `a ${t.name}`;
    case 'list':
      return `a list of ${t.name}`;
    case 'null':
      return '`null`';
    case 'int':
      return 'a whole number';
    case 'bool':
      return 'a boolean';
    case 'json':
      return 'a json value';
    default:
      return `a ${t.kind}`;
  }
}

/** Whether a value of type `value` may be stored where `target` is expected. */
export function assignable(target: ExprType, value: Expr): boolean {
  const v = value.type;
  if (isError(v) || isError(target)) return true;
  if (v.kind === 'null') return target.nullable;
  if (NUMERIC.has(target.kind) && NUMERIC.has(v.kind)) {
    return target.kind !== 'int' || v.kind === 'int';
  }
  if ((target.kind === 'date' || target.kind === 'datetime') && value.kind === 'now') return true;
  if (target.kind !== v.kind) return false;
  return target.name === v.name;
}

export class ExprChecker {
  constructor(private readonly ctx: AnalyzeContext) {}

  check(e: ast.Expr, scope: Scope, expected?: ExprType): Expr {
    switch (e.kind) {
      case 'string':
        return { kind: 'literal', type: exprType('string'), value: e.value, span: e.span };
      case 'number':
        return {
          kind: 'literal',
          type: exprType(e.integer ? 'int' : 'float'),
          value: e.value,
          span: e.span,
        };
      case 'duration':
        return { kind: 'literal', type: exprType('duration'), value: e.seconds, span: e.span };
      case 'bool':
        return { kind: 'literal', type: exprType('bool'), value: e.value, span: e.span };
      case 'null':
        return { kind: 'literal', type: exprType('null', true), value: null, span: e.span };
      case 'now':
        return { kind: 'now', type: exprType('datetime'), span: e.span };
      case 'path':
        return this.path(e, scope, expected);
      case 'unary':
        return this.unary(e, scope);
      case 'binary':
        return this.binary(e, scope);
      case 'in':
        return this.inList(e, scope);
      case 'call':
        return this.call(e, scope);
      case 'list':
      case 'object':
        this.ctx.report.report('BC3014', e.span, {
          what: scope.where,
          expected: expected ? describeType(expected) : 'a value',
          actual: e.kind === 'list' ? 'a list' : 'an object',
        });
        return errorExpr(e.span);
      case 'error':
        return errorExpr(e.span);
    }
  }

  /** Check a condition: a boolean (a nullable boolean counts as false). */
  condition(e: ast.Expr, scope: Scope, what: string): Expr {
    const out = this.check(e, scope);
    if (!isError(out.type) && out.type.kind !== 'bool') {
      this.ctx.report.report('BC3010', e.span, { what, actual: describeType(out.type) });
    }
    return out;
  }

  // The last entity looked up: an expression asks for its row's entity
  // several times (names pass filled the table; nothing replaces entries).
  private lastEntityName: string | undefined;
  private lastEntity: EntityInfo | undefined;

  private entity(name: string | undefined): EntityInfo | undefined {
    if (name === undefined) return undefined;
    if (name !== this.lastEntityName) {
      this.lastEntityName = name;
      this.lastEntity = this.ctx.entities.get(name);
    } else this.ctx.leaf?.read(name); // the lookup is cached, the read still counts
    return this.lastEntity;
  }

  private path(e: Extract<ast.Expr, { kind: 'path' }>, scope: Scope, expected?: ExprType): Expr {
    const report = this.ctx.report;
    const segments = e.segments;
    for (const s of segments) if (s.name === '') return errorExpr(e.span);
    switch (e.root) {
      case 'this': {
        if (!scope.entity) {
          report.report('BC3006', e.rootSpan, {
            name: 'this',
            reason: `${scope.where} has no row`,
          });
          return errorExpr(e.span);
        }
        return this.walk(e, 'row', exprType('entity', false, scope.entity), segments, []);
      }
      case 'currentUser': {
        if (!this.ctx.authUser) {
          if (!this.ctx.app || this.ctx.app.entries.every((x) => x.key !== 'auth'))
            report.report('BC3005', e.rootSpan);
          return errorExpr(e.span);
        }
        return this.walk(
          e,
          'currentUser',
          exprType('entity', !scope.currentUserNonNull, this.ctx.authUser),
          segments,
          [],
        );
      }
      case 'input': {
        if (!scope.input) {
          report.report('BC3006', e.rootSpan, {
            name: 'input',
            reason: 'only a behavior has `input`',
          });
          return errorExpr(e.span);
        }
        const first = segments[0];
        if (!first) {
          report.report('BC3006', e.rootSpan, {
            name: 'input',
            reason: 'name one of its fields: `input.x`',
          });
          return errorExpr(e.span);
        }
        const field = scope.input.get(first.name);
        if (!field) {
          report.report('BC3001', first.span, {
            name: `input.${first.name}`,
            where: scope.where,
            hint: didYouMean(first.name, scope.input.keys()),
          });
          return errorExpr(e.span);
        }
        if (segments.length > 1) {
          report.report('BC3013', segments[1]!.span, {
            name: `input.${first.name}`,
            type: describeType(field.type),
            next: segments[1]!.name,
          });
          return errorExpr(e.span);
        }
        return {
          kind: 'path',
          root: 'input',
          steps: [{ entity: '<input>', field: first.name }],
          type: field.type,
          span: e.span,
        };
      }
      case 'name':
        return this.name(e, scope, expected);
    }
  }

  private name(e: Extract<ast.Expr, { kind: 'path' }>, scope: Scope, expected?: ExprType): Expr {
    const report = this.ctx.report;
    const segments = e.segments;
    const first = segments[0]!;
    const row = this.entity(scope.entity);
    const field = row?.fields.get(first.name);
    const expectedEnum = expected?.kind === 'enum' ? this.ctx.enums.get(expected.name!) : undefined;
    if (field) {
      if (segments.length === 1 && expectedEnum?.values.has(first.name)) {
        report.report('BC3007', first.span, {
          name: first.name,
          entity: row!.ir.name,
          enum: expectedEnum.ir.name,
        });
        return errorExpr(e.span);
      }
      return this.walk(e, 'row', exprType('entity', false, row!.ir.name), segments, []);
    }
    if (segments.length === 1 && expectedEnum?.values.has(first.name)) {
      return {
        kind: 'enumValue',
        enum: expectedEnum.ir.name,
        value: first.name,
        type: exprType('enum', false, expectedEnum.ir.name),
        span: e.span,
      };
    }
    const enumInfo = this.ctx.enums.get(first.name);
    if (enumInfo && segments.length === 2) {
      const value = segments[1]!;
      if (!enumInfo.values.has(value.name)) {
        report.report('BC3011', value.span, {
          enum: enumInfo.ir.name,
          value: value.name,
          hint: didYouMean(value.name, enumInfo.values),
        });
        return errorExpr(e.span);
      }
      return {
        kind: 'enumValue',
        enum: enumInfo.ir.name,
        value: value.name,
        type: exprType('enum', false, enumInfo.ir.name),
        span: e.span,
      };
    }
    if (segments.length === 1 && expectedEnum) {
      // where an enum value is expected, an unknown bare name is most likely a misspelled value
      const hint = didYouMean(first.name, [...expectedEnum.values, ...(row?.fields.keys() ?? [])]);
      report.report('BC3011', first.span, { enum: expectedEnum.ir.name, value: first.name, hint });
      return errorExpr(e.span);
    }
    const candidates = [...(row?.fields.keys() ?? []), ...(expectedEnum?.values ?? [])];
    report.report('BC3001', first.span, {
      name: first.name,
      where: scope.where,
      hint: didYouMean(first.name, candidates),
    });
    return errorExpr(e.span);
  }

  /** Follow `segments` from a typed start through to-one relations. */
  private walk(
    e: Extract<ast.Expr, { kind: 'path' }>,
    root: 'row' | 'currentUser',
    start: ExprType,
    segments: readonly ast.Ident[],
    steps: PathStep[],
  ): Expr {
    const report = this.ctx.report;
    let type = start;
    let previous: ast.Ident | undefined;
    for (const segment of segments) {
      if (type.kind === 'list') {
        report.report('BC3004', previous!.span, { field: previous!.name });
        return errorExpr(e.span);
      }
      const entity = type.kind === 'entity' ? this.entity(type.name) : undefined;
      if (!entity) {
        report.report('BC3013', previous?.span ?? e.rootSpan, {
          name: previous?.name ?? e.root,
          type: describeType(type),
          next: segment.name,
        });
        return errorExpr(e.span);
      }
      const field = entity.fields.get(segment.name);
      if (!field) {
        report.report('BC2007', segment.span, {
          owner: entity.ir.name,
          name: segment.name,
          hint: didYouMean(segment.name, entity.fields.keys()),
        });
        return errorExpr(e.span);
      }
      steps.push({ entity: entity.ir.name, field: field.ir.name });
      const nullable = type.nullable;
      type = fieldExprType(field.ir, field.list);
      if (nullable && type.kind !== 'list') type = { ...type, nullable: true };
      previous = segment;
    }
    // an exact-size copy: `steps` grew by push (room for 16), and this one
    // stays in the IR (the GC copies every byte that survives)
    return { kind: 'path', root, steps: steps.slice(), type, span: e.span };
  }

  private unary(e: Extract<ast.Expr, { kind: 'unary' }>, scope: Scope): Expr {
    const operand = this.check(e.operand, scope);
    const t = operand.type;
    if (e.op === 'not') {
      if (!isError(t) && t.kind !== 'bool') {
        this.ctx.report.report('BC3003', e.opSpan, {
          op: 'not',
          expected: 'a boolean',
          actual: describeType(t),
        });
      }
      return { kind: 'unary', op: 'not', operand, type: exprType('bool'), span: e.span };
    }
    if (!isError(t) && !NUMERIC.has(t.kind) && t.kind !== 'duration') {
      this.ctx.report.report('BC3003', e.opSpan, {
        op: '-',
        expected: 'a number',
        actual: describeType(t),
      });
      return { kind: 'unary', op: '-', operand, type: ERROR_TYPE, span: e.span };
    }
    return { kind: 'unary', op: '-', operand, type: t, span: e.span };
  }

  /** A bare single name that is not a field of the row: maybe an enum value. */
  private isBareNonField(e: ast.Expr, scope: Scope): boolean {
    if (e.kind !== 'path' || e.root !== 'name' || e.segments.length !== 1) return false;
    return !this.entity(scope.entity)?.fields.has(e.segments[0]!.name);
  }

  private binary(e: Extract<ast.Expr, { kind: 'binary' }>, scope: Scope): Expr {
    const report = this.ctx.report;
    const op = e.op;
    if (op === 'and' || op === 'or') {
      const left = this.check(e.left, scope);
      const right = this.check(e.right, scope);
      for (const side of [left, right]) {
        if (!isError(side.type) && side.type.kind !== 'bool') {
          report.report('BC3003', side.span, {
            op,
            expected: 'booleans',
            actual: describeType(side.type),
          });
        }
      }
      return { kind: 'binary', op, left, right, type: exprType('bool'), span: e.span };
    }
    let left: Expr;
    let right: Expr;
    if (this.isBareNonField(e.left, scope) && !this.isBareNonField(e.right, scope)) {
      right = this.check(e.right, scope);
      left = this.check(e.left, scope, right.type);
    } else {
      left = this.check(e.left, scope);
      right = this.check(e.right, scope, left.type);
    }
    const lt = left.type;
    const rt = right.type;
    if (isError(lt) || isError(rt)) {
      return {
        kind: 'binary',
        op,
        left,
        right,
        type: ['+', '-', '*', '/'].includes(op) ? ERROR_TYPE : exprType('bool'),
        span: e.span,
      };
    }
    if (op === '+' || op === '-' || op === '*' || op === '/') {
      const type = arithmetic(op, left, right);
      if (!type) {
        report.report('BC3003', e.opSpan, {
          op,
          expected: op === '+' ? 'numbers or strings' : 'numbers',
          actual: `${describeType(lt)} and ${describeType(rt)}`,
        });
        return { kind: 'binary', op, left, right, type: ERROR_TYPE, span: e.span };
      }
      return { kind: 'binary', op, left, right, type, span: e.span };
    }
    if (!comparable(left, right)) {
      report.report('BC3002', e.opSpan, { left: describeType(lt), right: describeType(rt) });
    } else if (op !== '==' && op !== '!=') {
      const bad = [lt, rt].find((t) => !ORDERED.has(t.kind));
      if (bad)
        report.report('BC3003', e.opSpan, {
          op,
          expected: 'numbers, strings, dates or times',
          actual: describeType(bad),
        });
    }
    return { kind: 'binary', op, left, right, type: exprType('bool'), span: e.span };
  }

  private inList(e: Extract<ast.Expr, { kind: 'in' }>, scope: Scope): Expr {
    const value = this.check(e.value, scope);
    const list = e.list.map((item) => {
      const out = this.check(item, scope, value.type);
      if (!comparable(value, out)) {
        this.ctx.report.report('BC3002', item.span, {
          left: describeType(value.type),
          right: describeType(out.type),
        });
      }
      return out;
    });
    return { kind: 'in', value, list, type: exprType('bool'), span: e.span };
  }

  private call(e: Extract<ast.Expr, { kind: 'call' }>, scope: Scope): Expr {
    const report = this.ctx.report;
    const fn = e.fn;
    if (!(FUNCTIONS as readonly string[]).includes(fn)) {
      if (fn !== '')
        report.report('BC3008', e.fnSpan, { name: fn, hint: didYouMean(fn, FUNCTIONS) });
      return errorExpr(e.span);
    }
    const arity = fn === 'matches' ? 2 : 1;
    if (e.args.length !== arity) {
      report.report('BC3009', e.fnSpan, {
        fn,
        expected: arity === 1 ? 'one argument' : 'two arguments',
        actual: e.args.length,
      });
      return errorExpr(e.span);
    }
    if (fn === 'count') return this.count(e, scope);
    if (e.where) {
      report.report('BC3015', e.where.span, { where: '', actual: '`where`' });
      return errorExpr(e.span);
    }
    const args = e.args.map((a) => this.check(a, scope));
    const arg = args[0]!;
    if (!isError(arg.type) && arg.type.kind !== 'string') {
      report.report('BC3014', arg.span, {
        what: `the argument of \`${fn}\``,
        expected: 'a string',
        actual: describeType(arg.type),
      });
      return errorExpr(e.span);
    }
    const nullable = arg.type.nullable;
    if (fn === 'matches') {
      const pattern = args[1]!;
      if (pattern.kind !== 'literal' || typeof pattern.value !== 'string') {
        report.report('BC3014', pattern.span, {
          what: 'the pattern of `matches`',
          expected: 'a string literal',
          actual: describeType(pattern.type),
        });
        return errorExpr(e.span);
      }
      const problem = regexProblem(pattern.value);
      if (problem) report.report('BC2015', pattern.span, { reason: problem });
      return { kind: 'call', fn, args, type: exprType('bool'), span: e.span };
    }
    return {
      kind: 'call',
      fn: fn as 'len',
      args,
      type: exprType(fn === 'len' ? 'int' : 'string', nullable),
      span: e.span,
    };
  }

  private count(e: Extract<ast.Expr, { kind: 'call' }>, scope: Scope): Expr {
    const report = this.ctx.report;
    const arg = e.args[0]!;
    const name =
      arg.kind === 'path' && arg.root === 'name' && arg.segments.length === 1
        ? arg.segments[0]!.name
        : undefined;
    const rowField = name !== undefined ? this.entity(scope.entity)?.fields.get(name) : undefined;
    if (scope.allowCountEntity && name !== undefined && !rowField && this.ctx.entities.has(name)) {
      const where = e.where
        ? this.condition(
            e.where,
            { where: `the condition of count(${name})`, entity: name, currentUserNonNull: false },
            '`where`',
          )
        : undefined;
      return {
        kind: 'countEntity',
        entity: name,
        ...(where ? { where } : {}),
        type: exprType('int'),
        span: e.span,
      };
    }
    const hint = scope.allowCountEntity ? ' or an entity' : '';
    if (e.where) {
      report.report('BC3015', e.where.span, { where: hint, actual: '`where` on a relation' });
      return errorExpr(e.span);
    }
    const out = this.check(arg, scope);
    if (isError(out.type)) return errorExpr(e.span);
    if (out.type.kind !== 'list' || out.kind !== 'path') {
      report.report('BC3015', arg.span, { where: hint, actual: describeType(out.type) });
      return errorExpr(e.span);
    }
    return { kind: 'call', fn: 'count', args: [out], type: exprType('int'), span: e.span };
  }
}

function arithmetic(op: string, left: Expr, right: Expr): ExprType | undefined {
  const l = left.type;
  const r = right.type;
  const nullable = l.nullable || r.nullable;
  if (NUMERIC.has(l.kind) && NUMERIC.has(r.kind)) {
    const kind =
      l.kind === 'decimal' || r.kind === 'decimal'
        ? 'decimal'
        : l.kind === 'float' || r.kind === 'float' || op === '/'
          ? 'float'
          : 'int';
    return exprType(kind, nullable);
  }
  if (op === '+' && l.kind === 'string' && r.kind === 'string') return exprType('string', nullable);
  if (
    (op === '+' || op === '-') &&
    (l.kind === 'datetime' || l.kind === 'date') &&
    r.kind === 'duration'
  )
    return exprType(l.kind, nullable);
  if (l.kind === 'duration' && r.kind === 'duration' && (op === '+' || op === '-'))
    return exprType('duration', nullable);
  return undefined;
}

/** `==`-compatibility: same kind, numbers together, `now` with dates, anything with literal null. */
export function comparable(left: Expr, right: Expr): boolean {
  const l = left.type;
  const r = right.type;
  if (isError(l) || isError(r)) return true;
  if (l.kind === 'null' || r.kind === 'null') return l.kind !== 'list' && r.kind !== 'list';
  if (NUMERIC.has(l.kind) && NUMERIC.has(r.kind)) return true;
  if ((left.kind === 'now' && r.kind === 'date') || (right.kind === 'now' && l.kind === 'date'))
    return true;
  if (l.kind === 'list' || r.kind === 'list' || l.kind === 'json' || r.kind === 'json')
    return false;
  return l.kind === r.kind && l.name === r.name;
}

/** Why a pattern cannot compile, or undefined when it does. */
export function regexProblem(pattern: string): string | undefined {
  // the same few patterns repeat on many fields; compiling each once is enough
  if (regexProblems.has(pattern)) return regexProblems.get(pattern);
  const problem = findRegexProblem(pattern);
  if (regexProblems.size >= 10_000) regexProblems.clear();
  regexProblems.set(pattern, problem);
  return problem;
}
const regexProblems = new Map<string, string | undefined>();

function findRegexProblem(pattern: string): string | undefined {
  try {
    new RegExp(pattern, 'u');
  } catch (error) {
    return (error as Error).message.replace(/^Invalid regular expression: /, '');
  }
  // Outside the common subset of JavaScript, Python and PostgreSQL regexes:
  for (const [construct, reason] of NON_PORTABLE_REGEX) {
    if (construct.test(pattern)) return reason;
  }
  return undefined;
}

/** Escapes are skipped pairwise (`(?:^|[^\\])(?:\\\\)*`) so `\\b` is a backslash then `b`. */
const NON_PORTABLE_REGEX: readonly [RegExp, string][] = [
  [
    /(?:^|[^\\])(?:\\\\)*\\[bB]/,
    '`\\b` is a word boundary in JavaScript and Python but a backspace in PostgreSQL',
  ],
  [/\(\?P?<(?![=!])/, 'named groups are written differently in JavaScript, Python and PostgreSQL'],
  [
    /(?:^|[^\\])(?:\\\\)*\\[pPk]/,
    '`\\p{...}` and `\\k<...>` are not understood by Python and PostgreSQL',
  ],
];

/** Every path in source order, for "the first field the expression mentions". */
export function* paths(e: Expr): Iterable<Extract<Expr, { kind: 'path' }>> {
  switch (e.kind) {
    case 'path':
      yield e;
      break;
    case 'unary':
      yield* paths(e.operand);
      break;
    case 'binary':
      yield* paths(e.left);
      yield* paths(e.right);
      break;
    case 'in':
      yield* paths(e.value);
      for (const item of e.list) yield* paths(item);
      break;
    case 'call':
      for (const a of e.args) yield* paths(a);
      break;
    case 'countEntity':
      break;
    default:
      break;
  }
}

/** `paths` into an array, without a generator per node (hot: every rule and guard). */
function collectPaths(e: Expr, out: Extract<Expr, { kind: 'path' }>[]): void {
  switch (e.kind) {
    case 'path':
      out.push(e);
      break;
    case 'unary':
      collectPaths(e.operand, out);
      break;
    case 'binary':
      collectPaths(e.left, out);
      collectPaths(e.right, out);
      break;
    case 'in':
      collectPaths(e.value, out);
      for (const item of e.list) collectPaths(item, out);
      break;
    case 'call':
      for (const a of e.args) collectPaths(a, out);
      break;
    default:
      break;
  }
}

export const mentionsCurrentUser = (e: Expr): boolean => {
  const found: Extract<Expr, { kind: 'path' }>[] = [];
  collectPaths(e, found);
  return found.some((p) => p.root === 'currentUser');
};

/** The first row field an expression mentions, by source position (the earliest of equals wins). */
export function firstRowField(e: Expr): string | undefined {
  const found: Extract<Expr, { kind: 'path' }>[] = [];
  collectPaths(e, found);
  let first: Extract<Expr, { kind: 'path' }> | undefined;
  for (const p of found) {
    if (p.root !== 'row' || p.steps.length === 0) continue;
    if (first === undefined || p.span.offset < first.span.offset) first = p;
  }
  return first?.steps[0]?.field;
}
