// The BITCUP abstract syntax tree: what the CST visitor (cst-visitor.ts)
// builds from one source file, and what the analysis passes lower to the IR.
//
// Conventions (stable contract; only additive changes):
// - Every node has `span` covering its whole text. A declared name also has
//   `nameSpan`; every other name is an `Ident` with its own span.
// - Lists are in source order.
// - Nothing is validated here beyond syntax: unknown types, functions, view
//   kinds, settings keys... are names for the analysis passes to check.
// - Error recovery: after a syntax error the parser re-syncs and the visitor
//   still builds the nodes it can. A name that was missing in the source is
//   the empty string `''` (its span points at where it was expected) and a
//   missing expression is `{ kind: 'error' }`. A syntax error (BC1xxx) has
//   already been reported for them, so passes should skip such names and
//   expressions silently rather than report "unknown name ``".
import type { Span } from '../compiler/ir/schema.js';

export type { Span };

/** A name used as a reference (type, entity, field, state, op...). */
export interface Ident {
  name: string;
  span: Span;
}

/** A dotted path as written in views and `for Entity.field`: `buyer.email`. */
export interface PathRef {
  /** at least one segment */
  segments: Ident[];
  /** the segments joined with '.' */
  text: string;
  span: Span;
}

// ---------------------------------------------------------------- file

export interface SourceFile {
  kind: 'file';
  /** path relative to the entry file's folder, '/' separators (same as Span.file) */
  path: string;
  imports: ImportDecl[];
  /** every declaration except imports, in source order */
  declarations: Declaration[];
  span: Span;
}

export type Declaration =
  | AppDecl
  | DeployDecl
  | EnumDecl
  | EntityDecl
  | RulesDecl
  | FlowDecl
  | EventDecl
  | BehaviorDecl
  | ViewDecl;

export interface ImportDecl {
  kind: 'import';
  /** the string as written (escapes decoded), e.g. "./shop-catalog.bitcup" */
  path: string;
  pathSpan: Span;
  span: Span;
}

// ---------------------------------------------------------------- settings
//
// `app` and `deploy` blocks are generic `key value...` / `key { ... }`
// entries, validated later against the settings schema (2-analyze).
//
// How values are grouped (LANGUAGE.md: "the first value always belongs to
// its key; further values run to the end of the line or to the next word that
// is a key of the same block"): the parser does not know the schema, so an
// entry holds its key and EVERY value token that follows on the same line
// (a word followed by `{` starts a nested block entry instead). The settings
// pass then splits an entry at each later `name` value that is a key of the
// same block, with `splitSettingsEntry` below:
//   `compose { frontendPort 8080  backendPort 8000 }` parses as ONE entry
//   frontendPort [8080, backendPort, 8000]; split with the keys of `compose`
//   it becomes frontendPort [8080] and backendPort [8000].
// A line may not start with a value: that is a syntax error.

export interface SettingsValue {
  kind: 'string' | 'number' | 'duration' | 'name';
  /** the source text as written (strings with quotes, durations with unit) */
  raw: string;
  /**
   * string: the decoded string; number: its value; duration: its length in
   * seconds; name: the word itself
   */
  value: string | number;
  /** duration only: the number before the unit and the unit */
  amount?: number;
  unit?: DurationUnit;
  span: Span;
}

export interface SettingsEntry {
  key: string;
  keySpan: Span;
  /** the values on the key's line (see above); empty for a block entry */
  values: SettingsValue[];
  /** `key { ... }`: the nested entries */
  block?: SettingsEntry[];
  doc?: string;
  span: Span;
}

export interface AppDecl {
  kind: 'app';
  name: string;
  nameSpan: Span;
  entries: SettingsEntry[];
  doc?: string;
  span: Span;
}

export interface DeployDecl {
  kind: 'deploy';
  entries: SettingsEntry[];
  doc?: string;
  span: Span;
}

/**
 * Split an entry whose values contain later keys of the same block
 * (see the comment above SettingsValue). The first value always stays with
 * the entry's own key. Block entries are returned as they are.
 */
export function splitSettingsEntry(
  entry: SettingsEntry,
  isKey: (word: string) => boolean,
): SettingsEntry[] {
  if (entry.block || entry.values.length < 2) return [entry];
  const out: SettingsEntry[] = [];
  let current: SettingsEntry = { ...entry, values: [] };
  entry.values.forEach((value, i) => {
    if (i > 0 && value.kind === 'name' && isKey(value.raw)) {
      out.push(current);
      current = { key: value.raw, keySpan: value.span, values: [], span: value.span };
      return;
    }
    current.values.push(value);
  });
  out.push(current);
  // each entry's span covers its key and its values
  for (const e of out) {
    const last = e.values[e.values.length - 1];
    const start = e === out[0] ? entry.span : e.keySpan;
    const end = last ? last.span : e.keySpan;
    e.span = {
      ...start,
      length: end.offset + end.length - start.offset,
    };
  }
  return out;
}

// ---------------------------------------------------------------- concepts

export interface EnumDecl {
  kind: 'enum';
  name: string;
  nameSpan: Span;
  values: Ident[];
  doc?: string;
  span: Span;
}

export interface EntityDecl {
  kind: 'entity';
  name: string;
  nameSpan: Span;
  /** `with timestamps` in the header: the span of those two words */
  timestamps?: Span;
  /** `owned by field` */
  ownedBy?: Ident;
  /** `was OldName` (entity rename) */
  was?: Ident;
  fields: FieldDecl[];
  /** `index (a, b)`, `unique (a, b)`, `table "name"`, in source order */
  options: EntityOption[];
  doc?: string;
  span: Span;
}

export type EntityOption =
  | { kind: 'index'; fields: Ident[]; span: Span }
  | { kind: 'unique'; fields: Ident[]; span: Span }
  | { kind: 'table'; name: string; nameSpan: Span; span: Span };

/** A field of an entity, an event or a behavior's `input { ... }`. */
export interface FieldDecl {
  kind: 'field';
  name: string;
  nameSpan: Span;
  type: TypeRef;
  modifiers: Modifier[];
  doc?: string;
  span: Span;
}

/** `string(32)`, `decimal(10, 2)`, `Tag[]`, `Profile?`, `OrderLine[]` */
export interface TypeRef {
  name: string;
  nameSpan: Span;
  /** the numbers in parentheses (`string(32)` -> [32]); empty without parentheses */
  args: NumberArg[];
  /** `[]` after the name */
  list: boolean;
  /** `?` after the name (and after `[]` if both) */
  optional: boolean;
  span: Span;
}

export interface NumberArg {
  value: number;
  raw: string;
  span: Span;
}

export type OnDeleteAction = 'cascade' | 'restrict' | 'set null';

export type Modifier =
  | { kind: 'unique'; span: Span }
  | { kind: 'index'; span: Span }
  | { kind: 'private'; span: Span }
  | { kind: 'readonly'; span: Span }
  /** `= expr`; `{}` and `[]` are `object` / `list` expressions */
  | { kind: 'default'; value: Expr; span: Span }
  /** `on update now` */
  | { kind: 'onUpdateNow'; span: Span }
  /** `on delete cascade | restrict | set null` */
  | { kind: 'onDelete'; action: OnDeleteAction; actionSpan: Span; span: Span }
  /** `min(n)` / `max(n)`; n may be negative (`min(-1)`) */
  | { kind: 'min' | 'max'; value: number; valueSpan: Span; span: Span }
  /** `pattern("re")`: the decoded string (other backslashes kept as written) */
  | { kind: 'pattern'; regex: string; regexSpan: Span; span: Span }
  | { kind: 'label'; text: string; textSpan: Span; span: Span }
  /** `was oldName` (field rename) */
  | { kind: 'was'; name: Ident; span: Span }
  /** `by field`: names the other side of a relation */
  | { kind: 'by'; field: Ident; span: Span };

// ---------------------------------------------------------------- rules

export interface RulesDecl {
  kind: 'rules';
  entity: Ident;
  items: RuleItem[];
  doc?: string;
  span: Span;
}

export type RuleItem = AllowRule | CheckRule;

/** `allow read, update if expr` (ops empty for a behavior's `allow if expr`) */
export interface AllowRule {
  kind: 'allow';
  ops: Ident[];
  condition: Expr;
  span: Span;
}

/** `check expr "message"` */
export interface CheckRule {
  kind: 'check';
  condition: Expr;
  message: string;
  messageSpan: Span;
  span: Span;
}

// ---------------------------------------------------------------- flows

export interface FlowDecl {
  kind: 'flow';
  name: string;
  nameSpan: Span;
  /** `for Entity.field` */
  entity: Ident;
  field: Ident;
  transitions: Transition[];
  doc?: string;
  span: Span;
}

/** `a, b -> c as name [if expr] [set f = expr]* [emit Event [{...}]]*` */
export interface Transition {
  from: Ident[];
  to: Ident;
  /** the `as` name */
  name: Ident;
  guard?: Expr;
  sets: Assignment[];
  emits: EmitClause[];
  doc?: string;
  span: Span;
}

/** `field = expr` */
export interface Assignment {
  field: Ident;
  value: Expr;
  span: Span;
}

/** `emit Event` or `emit Event { field = expr ... }` */
export interface EmitClause {
  event: Ident;
  /** undefined without braces (implicit `this`); [] for `emit E {}` */
  assignments?: Assignment[];
  span: Span;
}

// ---------------------------------------------------------------- events

export interface EventDecl {
  kind: 'event';
  name: string;
  nameSpan: Span;
  fields: FieldDecl[];
  doc?: string;
  span: Span;
}

// ---------------------------------------------------------------- behaviors

export interface BehaviorDecl {
  kind: 'behavior';
  /** `Order.reorder`: the entity; absent for an app-level behavior */
  entity?: Ident;
  name: string;
  nameSpan: Span;
  /** `custom` after the name */
  custom: boolean;
  statements: BehaviorStatement[];
  doc?: string;
  span: Span;
}

export type BehaviorStatement =
  | { kind: 'input'; fields: FieldDecl[]; span: Span }
  /** `allow if expr` */
  | { kind: 'allow'; condition: Expr; span: Span }
  | { kind: 'require'; condition: Expr; message: string; messageSpan: Span; span: Span }
  | { kind: 'set'; assignment: Assignment; span: Span }
  | { kind: 'create'; entity: Ident; assignments: Assignment[]; span: Span }
  | { kind: 'emit'; emit: EmitClause; span: Span }
  | { kind: 'returns'; type: TypeRef; span: Span };

// ---------------------------------------------------------------- views

export interface ViewDecl {
  kind: 'view';
  name: string;
  nameSpan: Span;
  /** `list`, `detail`, `form`, `dashboard` (checked by the view pass) */
  viewKind: Ident;
  entity?: Ident;
  /** `public` in the header or as a clause */
  public: boolean;
  clauses: ViewClause[];
  doc?: string;
  span: Span;
}

export type ViewListClauseKind = 'columns' | 'fields' | 'related' | 'actions' | 'filter' | 'search';

export type ViewClause =
  | { kind: 'path'; value: string; valueSpan: Span; span: Span }
  | { kind: ViewListClauseKind; items: PathRef[]; span: Span }
  | { kind: 'sort'; field: PathRef; direction?: 'asc' | 'desc'; span: Span }
  | { kind: 'pageSize'; value: number; valueSpan: Span; span: Span }
  | { kind: 'metric'; label: string; labelSpan: Span; value: Expr; span: Span }
  | { kind: 'table'; view: Ident; limit?: number; limitSpan?: Span; span: Span }
  | { kind: 'public'; span: Span };

// ---------------------------------------------------------------- expressions

export type DurationUnit = 's' | 'm' | 'h' | 'd';

export type BinaryOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'and' | 'or' | '+' | '-' | '*' | '/';

/**
 * Precedence, loosest first: `or`, `and`, `not` (prefix, as in Python:
 * `not a == b` is `not (a == b)`), comparisons and `in` (non-associative in
 * spirit, parsed left to right), `+ -`, `* /`, unary `-`, then primaries.
 * Parentheses leave no node; the inner node's span includes them.
 */
export type Expr =
  | { kind: 'string'; value: string; raw: string; span: Span }
  /** `42`, `3.5`; `integer` is true when written without a decimal point */
  | { kind: 'number'; value: number; raw: string; integer: boolean; span: Span }
  /** `30s`, `15m`, `12h`, `7d`: `seconds` is the normalised length */
  | {
      kind: 'duration';
      amount: number;
      unit: DurationUnit;
      seconds: number;
      raw: string;
      span: Span;
    }
  | { kind: 'bool'; value: boolean; span: Span }
  | { kind: 'null'; span: Span }
  | { kind: 'now'; span: Span }
  /**
   * A name or a dotted path. root 'name': a bare name (field, enum value,
   * `Enum.value`, entity in `count(Entity)`), segments[0] is that name;
   * root 'this' / 'currentUser' / 'input': segments are what follows the
   * dots (empty for the bare word). `rootSpan` is the first word's span.
   */
  | {
      kind: 'path';
      root: 'name' | 'this' | 'currentUser' | 'input';
      rootSpan: Span;
      segments: Ident[];
      span: Span;
    }
  | { kind: 'unary'; op: 'not' | '-'; operand: Expr; opSpan: Span; span: Span }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr; opSpan: Span; span: Span }
  /** `x in [a, b]` */
  | { kind: 'in'; value: Expr; list: Expr[]; listSpan: Span; span: Span }
  /**
   * `fn(args)`; any name is accepted here (the type checker knows the
   * functions). `count(Entity where expr)` is fn 'count', args [Entity path]
   * and `where`.
   */
  | { kind: 'call'; fn: string; fnSpan: Span; args: Expr[]; where?: Expr; span: Span }
  /** `[a, b]` outside `in` (e.g. a json default `= []`) */
  | { kind: 'list'; items: Expr[]; span: Span }
  /** `{}` (a json default); only the empty object is accepted */
  | { kind: 'object'; span: Span }
  /** placeholder for an expression lost to a syntax error (already reported) */
  | { kind: 'error'; span: Span };
