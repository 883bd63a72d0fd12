// CST -> AST. Plain functions over Chevrotain's CST (children grouped by
// label, each group in source order). Written for recovered CSTs too: any
// child may be missing, and tokens inserted by recovery have no position
// (they get the position of the last real token seen).
import type { CstElement, CstNode, IToken } from './chevrotain.js';
import type { Span } from '../compiler/ir/schema.js';
import type * as A from './ast.js';
import type { EdgeTokens } from './parser.js';
import { decodeString } from './lexer.js';
import * as T from './tokens.js';

/** Expression trees deeper than this are reported (BC1006), not built. */
export const MAX_NESTING = 256;

export interface VisitorProblem {
  code: 'BC1006';
  span: Span;
  args: Record<string, string | number>;
}

type Children = Record<string, CstElement[] | undefined>;

const NONE: readonly CstElement[] = Object.freeze([]);

type EdgeNode = CstNode & EdgeTokens;

function isNode(element: CstElement): element is CstNode {
  return (element as CstNode).children !== undefined;
}

export class AstBuilder {
  readonly problems: VisitorProblem[] = [];
  private last: Span;

  constructor(
    private readonly file: string,
    private readonly docs: ReadonlyMap<number, string>,
  ) {
    this.last = { file, line: 1, column: 1, offset: 0, length: 0 };
  }

  // ---------------------------------------------------------------- helpers

  // A label groups only tokens or only nodes (the parser never mixes them),
  // so the groups are returned as they are, without copying.
  private tokens(children: Children, key: string): IToken[] {
    return (children[key] ?? NONE) as IToken[];
  }

  private token(children: Children, key: string): IToken | undefined {
    const element = children[key]?.[0];
    return element && !isNode(element) ? element : undefined;
  }

  private nodes(children: Children, key: string): CstNode[] {
    return (children[key] ?? NONE) as CstNode[];
  }

  private node(children: Children, key: string): CstNode | undefined {
    const element = children[key]?.[0];
    return element && isNode(element) ? element : undefined;
  }

  private isReal(token: IToken): boolean {
    return !token.isInsertedInRecovery && Number.isFinite(token.startOffset);
  }

  span(token: IToken | undefined): Span {
    if (!token || !this.isReal(token)) return { ...this.last, length: 0 };
    const span: Span = {
      file: this.file,
      line: token.startLine ?? 1,
      column: token.startColumn ?? 1,
      offset: token.startOffset,
      length: token.image.length,
    };
    this.last = span;
    return span;
  }

  /** The span from the start of `from` to the end of `to`. */
  join(from: Span, to: Span): Span {
    const end = Math.max(from.offset + from.length, to.offset + to.length);
    return { ...from, length: end - from.offset };
  }

  /**
   * The span of a whole CST node: from its first to its last real token
   * (both recorded by the parser while it built the node).
   */
  nodeSpan(node: CstNode | undefined): Span {
    const first = node && this.edgeToken(node, true);
    const last = node && this.edgeToken(node, false);
    if (!first || !last) return { ...this.last, length: 0 };
    // (not this.span(): a node's span must not move the recovery position)
    const start = first.startOffset;
    return {
      file: this.file,
      line: first.startLine ?? 1,
      column: first.startColumn ?? 1,
      offset: start,
      length: Math.max(0, last.startOffset + last.image.length - start),
    };
  }

  /** Recorded by the parser while it built the node (parser.ts, EdgeTokens). */
  private edgeToken(node: CstNode, first: boolean): IToken | undefined {
    return first ? (node as EdgeNode).firstToken : (node as EdgeNode).lastToken;
  }

  private ident(token: IToken | undefined): A.Ident {
    return { name: token && this.isReal(token) ? token.image : '', span: this.span(token) };
  }

  private doc(span: Span): string | undefined {
    return this.docs.get(span.offset);
  }

  private stringValue(token: IToken | undefined): string {
    if (!token || !this.isReal(token)) return '';
    return decodeString(token.image, token.tokenType !== T.UnterminatedString);
  }

  private numberValue(token: IToken | undefined): number {
    return token && this.isReal(token) ? Number(token.image) : 0;
  }

  // ---------------------------------------------------------------- declarations

  /** One top-level `declaration` node: an import or a declaration (undefined if nothing was parsed). */
  declaration(node: CstNode): A.ImportDecl | A.Declaration | undefined {
    const c = node.children;
    const inner = Object.values(c)[0]?.[0];
    if (!inner || !isNode(inner)) return undefined;
    switch (inner.name) {
      case 'importDecl':
        return this.importDecl(inner);
      case 'appDecl':
        return this.appDecl(inner);
      case 'deployDecl':
        return this.deployDecl(inner);
      case 'enumDecl':
        return this.enumDecl(inner);
      case 'entityDecl':
        return this.entityDecl(inner);
      case 'rulesDecl':
        return this.rulesDecl(inner);
      case 'flowDecl':
        return this.flowDecl(inner);
      case 'eventDecl':
        return this.eventDecl(inner);
      case 'behaviorDecl':
        return this.behaviorDecl(inner);
      case 'viewDecl':
        return this.viewDecl(inner);
    }
    return undefined;
  }

  private withDoc<N extends { doc?: string; span: Span }>(n: N): N {
    const doc = this.doc(n.span);
    if (doc !== undefined) n.doc = doc;
    return n;
  }

  importDecl(node: CstNode): A.ImportDecl {
    const span = this.nodeSpan(node);
    const path = this.token(node.children, 'path');
    return { kind: 'import', path: this.stringValue(path), pathSpan: this.span(path), span };
  }

  appDecl(node: CstNode): A.AppDecl {
    const span = this.nodeSpan(node);
    const name = this.ident(this.token(node.children, 'name'));
    return this.withDoc({
      kind: 'app',
      name: name.name,
      nameSpan: name.span,
      entries: this.settingsBlock(this.node(node.children, 'settingsBlock')),
      span,
    });
  }

  deployDecl(node: CstNode): A.DeployDecl {
    const span = this.nodeSpan(node);
    return this.withDoc({
      kind: 'deploy',
      entries: this.settingsBlock(this.node(node.children, 'settingsBlock')),
      span,
    });
  }

  private settingsBlock(node: CstNode | undefined): A.SettingsEntry[] {
    if (!node) return [];
    return this.nodes(node.children, 'settingsEntry').map((entry) => this.settingsEntry(entry));
  }

  private settingsEntry(node: CstNode): A.SettingsEntry {
    const span = this.nodeSpan(node);
    const key = this.ident(this.token(node.children, 'key'));
    const blockNode = this.node(node.children, 'settingsBlock');
    const values = this.tokens(node.children, 'value').map((v) => this.settingsValue(v));
    const entry: A.SettingsEntry = { key: key.name, keySpan: key.span, values, span };
    if (blockNode) entry.block = this.settingsBlock(blockNode);
    return this.withDoc(entry);
  }

  private settingsValue(token: IToken | undefined): A.SettingsValue {
    const span = this.span(token);
    const raw = token && this.isReal(token) ? token.image : '';
    if (!token) return { kind: 'name', raw, value: raw, span };
    if (T.StringLiteral === token.tokenType || T.UnterminatedString === token.tokenType) {
      return { kind: 'string', raw, value: this.stringValue(token), span };
    }
    if (token.tokenType === T.Duration) {
      const d = parseDuration(raw);
      return { kind: 'duration', raw, value: d.seconds, amount: d.amount, unit: d.unit, span };
    }
    if (token.tokenType === T.NumberLiteral) {
      return { kind: 'number', raw, value: Number(raw), span };
    }
    return { kind: 'name', raw, value: raw, span };
  }

  enumDecl(node: CstNode): A.EnumDecl {
    const span = this.nodeSpan(node);
    const name = this.ident(this.token(node.children, 'name'));
    return this.withDoc({
      kind: 'enum',
      name: name.name,
      nameSpan: name.span,
      values: this.tokens(node.children, 'value').map((t) => this.ident(t)),
      span,
    });
  }

  entityDecl(node: CstNode): A.EntityDecl {
    const span = this.nodeSpan(node);
    const c = node.children;
    const name = this.ident(this.token(c, 'name'));
    const entity: A.EntityDecl = {
      kind: 'entity',
      name: name.name,
      nameSpan: name.span,
      fields: [],
      options: [],
      span,
    };
    for (const header of this.nodes(c, 'entityHeaderItem')) {
      const h = header.children;
      if (h[T.With.name]) entity.timestamps = this.nodeSpan(header);
      else if (h.owner) entity.ownedBy = this.ident(this.token(h, 'owner'));
      else if (h.was) entity.was = this.ident(this.token(h, 'was'));
    }
    for (const field of this.nodes(c, 'fieldDecl')) entity.fields.push(this.fieldDecl(field));
    for (const option of this.nodes(c, 'entityOption')) {
      entity.options.push(this.entityOption(option));
    }
    return this.withDoc(entity);
  }

  private entityOption(node: CstNode): A.EntityOption {
    const c = node.children;
    const span = this.nodeSpan(node);
    const kind = this.token(c, 'kind');
    if (kind?.tokenType === T.Table) {
      const table = this.token(c, 'table');
      return { kind: 'table', name: this.stringValue(table), nameSpan: this.span(table), span };
    }
    const fields = this.tokens(c, 'field').map((t) => this.ident(t));
    return { kind: kind?.tokenType === T.Unique ? 'unique' : 'index', fields, span };
  }

  fieldDecl(node: CstNode): A.FieldDecl {
    const c = node.children;
    const span = this.nodeSpan(node);
    const name = this.ident(this.token(c, 'name'));
    return this.withDoc({
      kind: 'field',
      name: name.name,
      nameSpan: name.span,
      type: this.typeRef(this.node(c, 'typeRef')),
      modifiers: this.nodes(c, 'modifier').map((m) => this.modifier(m)),
      span,
    });
  }

  private typeRef(node: CstNode | undefined): A.TypeRef {
    let span = this.nodeSpan(node);
    const c: Children = node?.children ?? {};
    const name = this.ident(this.token(c, 'name'));
    if (sameSpan(name.span, span)) span = name.span; // a bare type name (see pathRef)
    return {
      name: name.name,
      nameSpan: name.span,
      args: this.tokens(c, 'arg').map((t) => ({
        value: this.numberValue(t),
        raw: t.image,
        span: this.span(t),
      })),
      list: c[T.LBracket.name] !== undefined,
      optional: c[T.Question.name] !== undefined,
      span,
    };
  }

  private modifier(node: CstNode): A.Modifier {
    const c = node.children;
    const span = this.nodeSpan(node);
    const flag = this.token(c, 'flag');
    if (flag) {
      const kind =
        flag.tokenType === T.Unique
          ? 'unique'
          : flag.tokenType === T.Index
            ? 'index'
            : flag.tokenType === T.Private
              ? 'private'
              : 'readonly';
      return { kind, span };
    }
    if (c[T.Equals.name]) {
      return { kind: 'default', value: this.expression(this.node(c, 'default')), span };
    }
    if (c[T.On.name]) {
      if (c[T.Update.name]) return { kind: 'onUpdateNow', span };
      const actions = this.tokens(c, 'action');
      const first = actions[0];
      const action: A.OnDeleteAction =
        first?.tokenType === T.Cascade
          ? 'cascade'
          : first?.tokenType === T.Set
            ? 'set null'
            : 'restrict';
      const actionSpan = this.join(this.span(first), this.span(actions[actions.length - 1]));
      return { kind: 'onDelete', action, actionSpan, span };
    }
    const bound = this.token(c, 'bound');
    if (bound) {
      const number = this.token(c, T.NumberLiteral.name);
      const minus = this.token(c, T.Minus.name);
      const value = this.numberValue(number) * (minus ? -1 : 1);
      const valueSpan = minus ? this.join(this.span(minus), this.span(number)) : this.span(number);
      return { kind: bound.tokenType === T.Min ? 'min' : 'max', value, valueSpan, span };
    }
    const regex = this.token(c, 'regex');
    if (c[T.Pattern.name]) {
      return { kind: 'pattern', regex: this.stringValue(regex), regexSpan: this.span(regex), span };
    }
    if (c[T.Label.name]) {
      const label = this.token(c, 'label');
      return { kind: 'label', text: this.stringValue(label), textSpan: this.span(label), span };
    }
    if (c[T.Was.name]) return { kind: 'was', name: this.ident(this.token(c, 'was')), span };
    return { kind: 'by', field: this.ident(this.token(c, 'by')), span };
  }

  rulesDecl(node: CstNode): A.RulesDecl {
    const c = node.children;
    const span = this.nodeSpan(node);
    const items: A.RuleItem[] = [];
    for (const item of this.nodes(c, 'item')) {
      items.push(item.name === 'allowRule' ? this.allowRule(item) : this.checkRule(item));
    }
    return this.withDoc({
      kind: 'rules',
      entity: this.ident(this.token(c, 'entity')),
      items,
      span,
    });
  }

  private allowRule(node: CstNode): A.AllowRule {
    const c = node.children;
    return {
      kind: 'allow',
      ops: this.tokens(c, 'op').map((t) => this.ident(t)),
      condition: this.expression(this.node(c, 'expression')),
      span: this.nodeSpan(node),
    };
  }

  private checkRule(node: CstNode): A.CheckRule {
    const c = node.children;
    const span = this.nodeSpan(node);
    const condition = this.expression(this.node(c, 'expression'));
    const message = this.token(c, 'message');
    return {
      kind: 'check',
      condition,
      message: this.stringValue(message),
      messageSpan: this.span(message),
      span,
    };
  }

  flowDecl(node: CstNode): A.FlowDecl {
    const c = node.children;
    const span = this.nodeSpan(node);
    const name = this.ident(this.token(c, 'name'));
    return this.withDoc({
      kind: 'flow',
      name: name.name,
      nameSpan: name.span,
      entity: this.ident(this.token(c, 'entity')),
      field: this.ident(this.token(c, 'field')),
      transitions: this.nodes(c, 'transition').map((t) => this.transition(t)),
      span,
    });
  }

  private transition(node: CstNode): A.Transition {
    const c = node.children;
    const span = this.nodeSpan(node);
    const transition: A.Transition = {
      from: this.tokens(c, 'from').map((t) => this.ident(t)),
      to: this.ident(this.token(c, 'to')),
      name: this.ident(this.token(c, 'name')),
      sets: [],
      emits: [],
      span,
    };
    for (const clause of this.nodes(c, 'clause')) {
      const k = clause.children;
      const guard = this.node(k, 'guard');
      if (guard) transition.guard = this.expression(guard);
      const set = this.node(k, 'set');
      if (set) transition.sets.push(...this.setClause(set));
      const emit = this.node(k, 'emit');
      if (emit) transition.emits.push(this.emitClause(emit));
    }
    return this.withDoc(transition);
  }

  private setClause(node: CstNode): A.Assignment[] {
    return this.nodes(node.children, 'assignment').map((a) => this.assignment(a));
  }

  private assignment(node: CstNode): A.Assignment {
    const c = node.children;
    const span = this.nodeSpan(node);
    return {
      field: this.ident(this.token(c, 'field')),
      value: this.expression(this.node(c, 'expression')),
      span,
    };
  }

  private assignmentBlock(node: CstNode | undefined): A.Assignment[] {
    if (!node) return [];
    return this.nodes(node.children, 'assignment').map((a) => this.assignment(a));
  }

  private emitClause(node: CstNode): A.EmitClause {
    const c = node.children;
    const span = this.nodeSpan(node);
    const emit: A.EmitClause = { event: this.ident(this.token(c, 'event')), span };
    const block = this.node(c, 'assignmentBlock');
    if (block) emit.assignments = this.assignmentBlock(block);
    return emit;
  }

  eventDecl(node: CstNode): A.EventDecl {
    const c = node.children;
    const span = this.nodeSpan(node);
    const name = this.ident(this.token(c, 'name'));
    return this.withDoc({
      kind: 'event',
      name: name.name,
      nameSpan: name.span,
      fields: this.fieldBlock(this.node(c, 'fieldBlock')),
      span,
    });
  }

  private fieldBlock(node: CstNode | undefined): A.FieldDecl[] {
    if (!node) return [];
    return this.nodes(node.children, 'fieldDecl').map((f) => this.fieldDecl(f));
  }

  behaviorDecl(node: CstNode): A.BehaviorDecl {
    const c = node.children;
    const span = this.nodeSpan(node);
    const first = this.ident(this.token(c, 'first'));
    const secondToken = this.token(c, 'second');
    const behavior: A.BehaviorDecl = {
      kind: 'behavior',
      name: first.name,
      nameSpan: first.span,
      custom: c[T.Custom.name] !== undefined,
      statements: [],
      span,
    };
    if (c[T.Dot.name]) {
      const second = this.ident(secondToken);
      behavior.entity = first;
      behavior.name = second.name;
      behavior.nameSpan = second.span;
    }
    for (const statement of this.nodes(c, 'statement')) {
      const set = this.node(statement.children, 'setClause');
      if (set) {
        // `set a = 1, b = 2` is one `set` statement per assignment
        const assignments = this.setClause(set);
        for (const assignment of assignments) {
          const span = assignments.length === 1 ? this.nodeSpan(statement) : assignment.span;
          behavior.statements.push({ kind: 'set', assignment, span });
        }
        continue;
      }
      const s = this.behaviorStatement(statement);
      if (s) behavior.statements.push(s);
    }
    return this.withDoc(behavior);
  }

  private behaviorStatement(node: CstNode): A.BehaviorStatement | undefined {
    const c = node.children;
    const span = this.nodeSpan(node);
    if (c[T.Input.name]) {
      return { kind: 'input', fields: this.fieldBlock(this.node(c, 'fieldBlock')), span };
    }
    const allow = this.node(c, 'allowRule');
    if (allow) return { kind: 'allow', condition: this.allowRule(allow).condition, span };
    if (c[T.Require.name]) {
      const message = this.token(c, 'message');
      return {
        kind: 'require',
        condition: this.expression(this.node(c, 'expression')),
        message: this.stringValue(message),
        messageSpan: this.span(message),
        span,
      };
    }
    if (c[T.Create.name]) {
      return {
        kind: 'create',
        entity: this.ident(this.token(c, 'entity')),
        assignments: this.assignmentBlock(this.node(c, 'assignmentBlock')),
        span,
      };
    }
    const emit = this.node(c, 'emitClause');
    if (emit) return { kind: 'emit', emit: this.emitClause(emit), span };
    if (c[T.Returns.name])
      return { kind: 'returns', type: this.typeRef(this.node(c, 'typeRef')), span };
    return undefined;
  }

  viewDecl(node: CstNode): A.ViewDecl {
    const c = node.children;
    const span = this.nodeSpan(node);
    const name = this.ident(this.token(c, 'name'));
    const view: A.ViewDecl = {
      kind: 'view',
      name: name.name,
      nameSpan: name.span,
      viewKind: this.ident(this.token(c, 'kind')),
      public: c[T.Public.name] !== undefined,
      clauses: [],
      span,
    };
    const entity = this.token(c, 'entity');
    if (entity) view.entity = this.ident(entity);
    for (const clause of this.nodes(c, 'clause')) {
      const built = this.viewClause(clause);
      if (!built) continue;
      if (built.kind === 'public') view.public = true;
      view.clauses.push(built);
    }
    return this.withDoc(view);
  }

  private viewClause(node: CstNode): A.ViewClause | undefined {
    const c = node.children;
    const span = this.nodeSpan(node);
    const keyword = this.token(c, 'keyword');
    if (!keyword) return undefined;
    switch (keyword.tokenType) {
      case T.Path: {
        const value = this.token(c, 'value');
        return { kind: 'path', value: this.stringValue(value), valueSpan: this.span(value), span };
      }
      case T.Columns:
      case T.Fields:
      case T.Related:
      case T.Actions:
      case T.Filter:
      case T.Search: {
        const list = this.node(c, 'viewList');
        const items = list ? this.nodes(list.children, 'item').map((i) => this.pathRef(i)) : [];
        return { kind: keyword.image as A.ViewListClauseKind, items, span };
      }
      case T.Sort: {
        const clause: A.ViewClause = {
          kind: 'sort',
          field: this.pathRef(this.node(c, 'pathRef')),
          span,
        };
        const direction = this.token(c, 'direction');
        if (direction) clause.direction = direction.tokenType === T.Desc ? 'desc' : 'asc';
        return clause;
      }
      case T.PageSize: {
        const number = this.token(c, 'number');
        return {
          kind: 'pageSize',
          value: this.numberValue(number),
          valueSpan: this.span(number),
          span,
        };
      }
      case T.Metric: {
        const label = this.token(c, 'value');
        return {
          kind: 'metric',
          label: this.stringValue(label),
          labelSpan: this.span(label),
          value: this.expression(this.node(c, 'expression')),
          span,
        };
      }
      case T.Table: {
        const clause: A.ViewClause = {
          kind: 'table',
          view: this.ident(this.token(c, 'view')),
          span,
        };
        const number = this.token(c, 'number');
        if (number) {
          clause.limit = this.numberValue(number);
          clause.limitSpan = this.span(number);
        }
        return clause;
      }
      case T.Public:
        return { kind: 'public', span };
    }
    return undefined;
  }

  private pathRef(node: CstNode | undefined): A.PathRef {
    let span = this.nodeSpan(node);
    const segments = node ? this.tokens(node.children, 'segment').map((t) => this.ident(t)) : [];
    if (segments.length === 0) segments.push({ name: '', span });
    // a one-word path spans its word: share that span object (spans are
    // never mutated; fewer objects for the garbage collector to copy)
    else if (segments.length === 1 && sameSpan(segments[0]!.span, span)) span = segments[0]!.span;
    // (no temporary array for the common one-segment path)
    let text = segments[0]!.name;
    for (let i = 1; i < segments.length; i++) text += `.${segments[i]!.name}`;
    return { segments, text, span };
  }

  // ---------------------------------------------------------------- expressions

  /** Build an expression; a tree deeper than MAX_NESTING becomes an error node (BC1006). */
  expression(node: CstNode | undefined): A.Expr {
    const built = this.expressionTree(node);
    if (built.depth > MAX_NESTING) {
      this.problems.push({
        code: 'BC1006',
        span: { ...built.expr.span, length: Math.min(built.expr.span.length, 1) },
        args: { what: 'this expression', limit: MAX_NESTING },
      });
      return { kind: 'error', span: built.expr.span };
    }
    return built.expr;
  }

  private expressionTree(node: CstNode | undefined): Built {
    if (!node) return { expr: { kind: 'error', span: { ...this.last, length: 0 } }, depth: 1 };
    // `operand (op operand | in list)*`: operands and lists are each in
    // order, so walking the operators pairs each with its right side.
    const c = node.children;
    const operands = this.nodes(c, 'operand');
    const lists = this.nodes(c, 'listLiteral');
    const first = operands[0];
    if (!first) return { expr: { kind: 'error', span: this.nodeSpan(node) }, depth: 1 };
    const items: Item[] = [];
    let nextOperand = 1;
    let nextList = 0;
    for (const op of this.tokens(c, 'op')) {
      if (op.tokenType === T.In) {
        items.push({ op, operand: undefined, list: lists[nextList++] });
      } else {
        items.push({ op, operand: operands[nextOperand++], list: undefined });
      }
    }
    const state = { index: 0 };
    const left = this.operand(first, items, state);
    return this.climb(items, state, 0, left);
  }

  /** Precedence climbing over the flat operator list, starting from `left`. */
  private climb(
    items: Item[],
    state: { index: number },
    minPrecedence: number,
    left: Built,
  ): Built {
    while (state.index < items.length) {
      const item = items[state.index]!;
      const precedence = binaryPrecedence(item.op);
      if (precedence < minPrecedence) break;
      state.index++;
      if (item.op.tokenType === T.In) {
        const listSpan = this.nodeSpan(item.list);
        const list = this.listItems(item.list);
        left = {
          expr: {
            kind: 'in',
            value: left.expr,
            list: list.map((l) => l.expr),
            listSpan,
            span: this.join(left.expr.span, listSpan),
          },
          depth: Math.max(left.depth, ...list.map((l) => l.depth)) + 1,
        };
        continue;
      }
      const opSpan = this.span(item.op);
      // left-associative: the right side takes only tighter operators
      let right = this.operand(item.operand, items, state);
      right = this.climb(items, state, precedence + 1, right);
      left = {
        expr: {
          kind: 'binary',
          op: binaryOpText(item.op),
          left: left.expr,
          right: right.expr,
          opSpan,
          span: this.join(left.expr.span, right.expr.span),
        },
        depth: Math.max(left.depth, right.depth) + 1,
      };
    }
    return left;
  }

  /**
   * One operand with its prefix operators. `-` binds tightest; `not` (as in
   * Python) takes the comparison after it: `not a == b` is `not (a == b)`.
   */
  private operand(node: CstNode | undefined, items: Item[], state: { index: number }): Built {
    if (!node) return { expr: { kind: 'error', span: { ...this.last, length: 0 } }, depth: 1 };
    const prefixes = this.tokens(node.children, 'prefix');
    let built = this.primary(node);
    let i = prefixes.length - 1;
    for (; i >= 0 && prefixes[i]!.tokenType === T.Minus; i--) {
      built = this.unary('-', prefixes[i]!, built);
    }
    if (i < 0) return built;
    built = this.climb(items, state, NOT_OPERAND_PRECEDENCE, built);
    for (; i >= 0; i--) {
      const prefix = prefixes[i]!;
      built = this.unary(prefix.tokenType === T.Not ? 'not' : '-', prefix, built);
    }
    return built;
  }

  private unary(op: 'not' | '-', token: IToken, operand: Built): Built {
    const opSpan = this.span(token);
    return {
      expr: {
        kind: 'unary',
        op,
        operand: operand.expr,
        opSpan,
        span: this.join(opSpan, operand.expr.span),
      },
      depth: operand.depth + 1,
    };
  }

  private listItems(node: CstNode | undefined): Built[] {
    if (!node) return [];
    return this.nodes(node.children, 'item').map((item) => this.expressionTree(item));
  }

  private primary(node: CstNode | undefined): Built {
    if (!node) return { expr: { kind: 'error', span: { ...this.last, length: 0 } }, depth: 1 };
    const c = node.children;
    const literal = this.token(c, 'literal');
    if (literal) return { expr: this.literal(literal), depth: 1 };
    const inner = this.node(c, 'inner');
    if (inner) {
      // the node of a parenthesized expression spans its parentheses
      const built = this.expressionTree(inner);
      const open = this.token(c, T.LParen.name);
      const close = this.token(c, T.RParen.name);
      if (open && close && this.isReal(open) && this.isReal(close)) {
        built.expr = { ...built.expr, span: this.join(this.span(open), this.span(close)) };
      }
      return built;
    }
    const list = this.node(c, 'listLiteral');
    if (list) {
      const items = this.listItems(list);
      return {
        expr: { kind: 'list', items: items.map((i) => i.expr), span: this.nodeSpan(list) },
        depth: Math.max(0, ...items.map((i) => i.depth)) + 1,
      };
    }
    // (the node is the operand: its own span would include prefix operators)
    if (c.object) {
      const span = this.join(
        this.span(this.token(c, 'object')),
        this.span(this.token(c, 'RBrace')),
      );
      return { expr: { kind: 'object', span }, depth: 1 };
    }
    const call = this.node(c, 'call');
    if (call) return this.call(call);
    if (c.root) return { expr: this.path(node), depth: 1 };
    return { expr: { kind: 'error', span: this.nodeSpan(node) }, depth: 1 };
  }

  private literal(token: IToken): A.Expr {
    const span = this.span(token);
    const raw = this.isReal(token) ? token.image : '';
    switch (token.tokenType) {
      case T.True:
        return { kind: 'bool', value: true, span };
      case T.False:
        return { kind: 'bool', value: false, span };
      case T.Null:
        return { kind: 'null', span };
      case T.Now:
        return { kind: 'now', span };
      case T.Duration: {
        const d = parseDuration(raw);
        return { kind: 'duration', amount: d.amount, unit: d.unit, seconds: d.seconds, raw, span };
      }
      case T.NumberLiteral:
        return { kind: 'number', value: Number(raw), raw, integer: !raw.includes('.'), span };
    }
    return { kind: 'string', value: this.stringValue(token), raw, span };
  }

  private call(node: CstNode): Built {
    const c = node.children;
    const span = this.nodeSpan(node);
    const fn = this.ident(this.token(c, 'fn'));
    const args = this.nodes(c, 'arg').map((a) => this.expressionTree(a));
    const expr: A.Expr = {
      kind: 'call',
      fn: fn.name,
      fnSpan: fn.span,
      args: args.map((a) => a.expr),
      span,
    };
    let depth = Math.max(0, ...args.map((a) => a.depth)) + 1;
    const where = this.node(c, 'where');
    if (where) {
      const built = this.expressionTree(where);
      expr.where = built.expr;
      depth = Math.max(depth, built.depth + 1);
    }
    return { expr, depth };
  }

  private path(node: CstNode): A.Expr {
    const c = node.children;
    const rootToken = this.token(c, 'root');
    const root = this.ident(rootToken);
    const segments = this.tokens(c, 'segment').map((t) => this.ident(t));
    const lastSegment = segments[segments.length - 1];
    const span = lastSegment ? this.join(root.span, lastSegment.span) : root.span;
    const kind: 'name' | 'this' | 'currentUser' | 'input' =
      rootToken?.tokenType === T.This
        ? 'this'
        : rootToken?.tokenType === T.CurrentUser
          ? 'currentUser'
          : rootToken?.tokenType === T.Input
            ? 'input'
            : 'name';
    return {
      kind: 'path',
      root: kind,
      rootSpan: root.span,
      segments: kind === 'name' ? [root, ...segments] : segments,
      span,
    };
  }
}

function sameSpan(a: Span, b: Span): boolean {
  return (
    a.offset === b.offset && a.length === b.length && a.line === b.line && a.column === b.column
  );
}

interface Built {
  expr: A.Expr;
  depth: number;
}

interface Item {
  op: IToken;
  operand: CstNode | undefined;
  list: CstNode | undefined;
}

// Loosest first: or, and, (not), comparisons/in, + -, * /
const NOT_OPERAND_PRECEDENCE = 3;

function binaryPrecedence(op: IToken): number {
  switch (op.tokenType) {
    case T.Or:
      return 1;
    case T.And:
      return 2;
    case T.EqEq:
    case T.NotEq:
    case T.Lt:
    case T.LtEq:
    case T.Gt:
    case T.GtEq:
    case T.In:
      return 3;
    case T.Plus:
    case T.Minus:
      return 4;
    default:
      return 5; // * /
  }
}

function binaryOpText(op: IToken): A.BinaryOp {
  const word = T.keywordText.get(op.tokenType);
  if (word === 'and' || word === 'or') return word;
  return op.tokenType.PATTERN as string as A.BinaryOp;
}

export function parseDuration(raw: string): {
  amount: number;
  unit: A.DurationUnit;
  seconds: number;
} {
  const unit = (raw.slice(-1) || 's') as A.DurationUnit;
  const amount = Number(raw.slice(0, -1)) || 0;
  const factor = unit === 'd' ? 86_400 : unit === 'h' ? 3_600 : unit === 'm' ? 60 : 1;
  return { amount, unit, seconds: amount * factor };
}
