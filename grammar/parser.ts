// The Chevrotain parser: one instance, self-analysed once, reused for every
// declaration (grammar/index.ts feeds it one top-level declaration at a time,
// so an error in one declaration never hides the next).
//
// Line-sensitive spots use GATEs that look at token lines:
// - a settings entry's values run to the end of its line;
// - after a field's type, `index`/`unique`/`private`/`readonly`/`label`
//   followed on the same line by a word that is not a modifier is the next
//   field's name (LANGUAGE.md: "a field name is followed by its type"), and
//   `index (` / `unique (` is an entity option.
import {
  CstParser,
  EarlyExitException,
  EOF,
  NoViableAltException,
  tokenMatcher,
  type CstNode,
  type IOrAlt,
  type IParserErrorMessageProvider,
  type IToken,
  type TokenType,
} from './chevrotain.js';
import * as T from './tokens.js';

/** How a token type reads in "expected ..." messages. */
export function describeTokenType(type: TokenType): string {
  const word = T.keywordText.get(type);
  if (word !== undefined) return `\`${word}\``;
  switch (type) {
    case T.Word:
    case T.Name:
    case T.ViewItem:
    case T.Identifier:
      return 'a name';
    case T.StringLiteral:
    case T.UnterminatedString:
      return 'a string';
    case T.NumberLiteral:
      return 'a number';
    case T.Duration:
      return 'a duration';
    case T.BinaryOperator:
      return 'an operator';
    case EOF:
      return 'the end of the declaration';
  }
  const pattern = type.PATTERN;
  return typeof pattern === 'string' ? `\`${pattern}\`` : type.name;
}

function describeAlternatives(paths: TokenType[][][]): string {
  const seen = new Set<string>();
  for (const alt of paths) {
    for (const path of alt) {
      const first = path[0];
      if (first) seen.add(describeTokenType(first));
    }
  }
  const list = [...seen];
  if (list.length === 0) return 'something else';
  if (list.length > 8) return `${list.slice(0, 8).join(', ')} or ...`;
  if (list.length === 1) return list[0]!;
  return `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}`;
}

/** What a rule expects, in words, where listing its first tokens would not help. */
const ruleExpectations: Record<string, string> = {
  // the only alternatives of entityDecl are its members
  entityDecl: 'a field (`name type`), `index (...)`, `unique (...)` or `table "name"`',
  operand: 'an expression',
  behaviorStatement: '`input`, `allow`, `require`, `set`, `create`, `emit` or `returns`',
  viewClause:
    'a view clause (`path`, `columns`, `fields`, `related`, `actions`, `filter`, `search`, `sort`, `pageSize`, `metric`, `table` or `public`)',
  modifier: 'a modifier',
};

/** Messages carry only the "expected" part; grammar/index.ts adds what was found. */
const messages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected }) => describeTokenType(expected),
  buildNotAllInputParsedMessage: () => 'the end of the declaration',
  buildNoViableAltMessage: ({ expectedPathsPerAlt, ruleName }) =>
    ruleExpectations[ruleName] ?? describeAlternatives(expectedPathsPerAlt),
  buildEarlyExitMessage: ({ expectedIterationPaths }) =>
    describeAlternatives([expectedIterationPaths]),
};

const fieldStartKeywords: readonly TokenType[] = [
  T.Index,
  T.Unique,
  T.Private,
  T.Readonly,
  T.Label,
];

function isOneOf(token: IToken, types: readonly TokenType[]): boolean {
  for (const type of types) if (tokenMatcher(token, type)) return true;
  return false;
}

/**
 * CONSUME / SUBRULE label options, built once: an options literal in a rule
 * body would be a new object on every call (Chevrotain only reads it).
 */
function labels<K extends string>(...names: K[]): Readonly<Record<K, { readonly LABEL: K }>> {
  return Object.freeze(
    Object.fromEntries(names.map((name) => [name, Object.freeze({ LABEL: name })])),
  ) as Record<K, { readonly LABEL: K }>;
}
const L = labels(
  'action',
  'arg',
  'bound',
  'by',
  'clause',
  'default',
  'direction',
  'emit',
  'entity',
  'event',
  'field',
  'first',
  'flag',
  'fn',
  'from',
  'guard',
  'inner',
  'item',
  'key',
  'keyword',
  'kind',
  'label',
  'literal',
  'message',
  'name',
  'number',
  'object',
  'op',
  'owner',
  'path',
  'prefix',
  'regex',
  'root',
  'second',
  'segment',
  'set',
  'statement',
  'table',
  'to',
  'value',
  'view',
  'was',
  'where',
);

export class BitcupParser extends CstParser {
  // OR alternatives are built once, not on every call (fewer allocations on
  // the hot path; the closures read the parser through \`this\` at run time).
  private readonly declarationAlts1: IOrAlt<unknown>[] = [
    { ALT: () => this.SUBRULE(this.importDecl) },
    { ALT: () => this.SUBRULE(this.appDecl) },
    { ALT: () => this.SUBRULE(this.deployDecl) },
    { ALT: () => this.SUBRULE(this.enumDecl) },
    { ALT: () => this.SUBRULE(this.entityDecl) },
    { ALT: () => this.SUBRULE(this.rulesDecl) },
    { ALT: () => this.SUBRULE(this.flowDecl) },
    { ALT: () => this.SUBRULE(this.eventDecl) },
    { ALT: () => this.SUBRULE(this.behaviorDecl) },
    { ALT: () => this.SUBRULE(this.viewDecl) },
  ];
  private readonly settingsEntryAlts1: IOrAlt<unknown>[] = [
    { ALT: () => this.SUBRULE(this.settingsBlock) },
    {
      ALT: () => this.MANY(this.settingsValues),
    },
  ];
  private readonly settingsValueAlts1: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.StringLiteral, L.value) },
    { ALT: () => this.CONSUME(T.Duration, L.value) },
    { ALT: () => this.CONSUME(T.NumberLiteral, L.value) },
    { ALT: () => this.CONSUME2(T.Word, L.value) },
  ];
  private readonly enumDeclAlts1: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Comma) },
    { ALT: () => this.CONSUME(T.Word, L.value) },
  ];
  private readonly entityHeaderItemAlts1: IOrAlt<unknown>[] = [
    {
      ALT: () => {
        this.CONSUME(T.With);
        this.CONSUME(T.Timestamps);
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.Owned);
        this.CONSUME(T.By);
        this.CONSUME(T.Word, L.owner);
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.Was);
        this.CONSUME(T.Name, L.was);
      },
    },
  ];
  private readonly entityMemberAlts1: IOrAlt<unknown>[] = [
    { ALT: () => this.SUBRULE(this.entityOption) },
    { ALT: () => this.SUBRULE(this.fieldDecl) },
    { ALT: () => this.CONSUME(T.Comma) },
  ];
  private readonly entityOptionAlts1: IOrAlt<unknown>[] = [
    {
      ALT: () => {
        this.OR2(this.entityOptionAlts2);
        this.CONSUME(T.LParen);
        this.MANY(this.entityOptionField);
        this.CONSUME(T.RParen);
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.Table, L.kind);
        this.CONSUME(T.StringLiteral, L.table);
      },
    },
  ];
  private readonly entityOptionAlts2: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Index, L.kind) },
    { ALT: () => this.CONSUME(T.Unique, L.kind) },
  ];
  private readonly entityOptionAlts3: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Comma) },
    { ALT: () => this.CONSUME(T.Word, L.field) },
  ];
  private readonly typeRefAlts1: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Comma) },
    { ALT: () => this.CONSUME(T.NumberLiteral, L.arg) },
  ];
  private readonly modifierAlts1: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Unique, L.flag) },
    { ALT: () => this.CONSUME(T.Index, L.flag) },
    { ALT: () => this.CONSUME(T.Private, L.flag) },
    { ALT: () => this.CONSUME(T.Readonly, L.flag) },
    {
      ALT: () => {
        this.CONSUME(T.Equals);
        this.SUBRULE(this.expression, L.default);
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.On);
        this.OR2(this.modifierAlts2);
      },
    },
    {
      ALT: () => {
        this.OR4(this.modifierAlts4);
        this.CONSUME2(T.LParen);
        this.OPTION(this.optionalMinus);
        this.CONSUME(T.NumberLiteral);
        this.CONSUME2(T.RParen);
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.Pattern);
        this.CONSUME3(T.LParen);
        this.CONSUME(T.StringLiteral, L.regex);
        this.CONSUME3(T.RParen);
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.Label);
        this.CONSUME2(T.StringLiteral, L.label);
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.Was);
        this.CONSUME(T.Word, L.was);
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.By);
        this.CONSUME2(T.Word, L.by);
      },
    },
  ];
  private readonly modifierAlts2: IOrAlt<unknown>[] = [
    {
      ALT: () => {
        this.CONSUME(T.Delete);
        this.OR3(this.modifierAlts3);
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.Update);
        this.CONSUME(T.Now);
      },
    },
  ];
  private readonly modifierAlts3: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Cascade, L.action) },
    { ALT: () => this.CONSUME(T.Restrict, L.action) },
    {
      ALT: () => {
        this.CONSUME(T.Set, L.action);
        this.CONSUME(T.Null, L.action);
      },
    },
  ];
  private readonly modifierAlts4: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Min, L.bound) },
    { ALT: () => this.CONSUME(T.Max, L.bound) },
  ];
  private readonly rulesDeclAlts1: IOrAlt<unknown>[] = [
    { ALT: () => this.SUBRULE(this.allowRule, L.item) },
    { ALT: () => this.SUBRULE(this.checkRule, L.item) },
    { ALT: () => this.CONSUME(T.Comma) },
  ];
  private readonly allowRuleAlts1: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Comma) },
    { ALT: () => this.CONSUME(T.Name, L.op) },
  ];
  private readonly transitionClauseAlts1: IOrAlt<unknown>[] = [
    {
      ALT: () => {
        this.CONSUME(T.If);
        this.SUBRULE(this.expression, L.guard);
      },
    },
    { ALT: () => this.SUBRULE(this.setClause, L.set) },
    { ALT: () => this.SUBRULE(this.emitClause, L.emit) },
  ];
  private readonly assignmentBlockAlts1: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Comma) },
    { ALT: () => this.SUBRULE(this.assignment) },
  ];
  private readonly fieldBlockAlts1: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Comma) },
    { ALT: () => this.SUBRULE(this.fieldDecl) },
  ];
  private readonly behaviorStatementAlts1: IOrAlt<unknown>[] = [
    {
      ALT: () => {
        this.CONSUME(T.Input);
        this.SUBRULE(this.fieldBlock);
      },
    },
    { ALT: () => this.SUBRULE(this.allowRule) },
    {
      ALT: () => {
        this.CONSUME(T.Require);
        this.SUBRULE(this.expression);
        this.CONSUME(T.StringLiteral, L.message);
      },
    },
    { ALT: () => this.SUBRULE(this.setClause) },
    {
      ALT: () => {
        this.CONSUME(T.Create);
        this.CONSUME(T.Name, L.entity);
        this.SUBRULE(this.assignmentBlock);
      },
    },
    { ALT: () => this.SUBRULE(this.emitClause) },
    {
      ALT: () => {
        this.CONSUME(T.Returns);
        this.SUBRULE(this.typeRef);
      },
    },
    { ALT: () => this.CONSUME(T.Comma) },
  ];
  private readonly viewClauseAlts1: IOrAlt<unknown>[] = [
    {
      ALT: () => {
        this.CONSUME(T.Path, L.keyword);
        this.CONSUME(T.StringLiteral, L.value);
      },
    },
    {
      ALT: () => {
        this.OR2(this.viewClauseAlts2);
        this.SUBRULE(this.viewList);
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.Sort, L.keyword);
        this.SUBRULE(this.pathRef);
        this.OPTION(this.sortDirection);
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.PageSize, L.keyword);
        this.CONSUME(T.NumberLiteral, L.number);
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.Metric, L.keyword);
        this.CONSUME2(T.StringLiteral, L.value);
        this.SUBRULE(this.expression);
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.Table, L.keyword);
        this.CONSUME(T.Name, L.view);
        this.OPTION2(this.tableLimit);
      },
    },
    { ALT: () => this.CONSUME(T.Public, L.keyword) },
    { ALT: () => this.CONSUME(T.Comma) },
  ];
  private readonly viewClauseAlts2: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Columns, L.keyword) },
    { ALT: () => this.CONSUME(T.Fields, L.keyword) },
    { ALT: () => this.CONSUME(T.Related, L.keyword) },
    { ALT: () => this.CONSUME(T.Actions, L.keyword) },
    { ALT: () => this.CONSUME(T.Filter, L.keyword) },
    { ALT: () => this.CONSUME(T.Search, L.keyword) },
  ];
  private readonly viewClauseAlts3: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Asc, L.direction) },
    { ALT: () => this.CONSUME(T.Desc, L.direction) },
  ];
  private readonly viewListAlts1: IOrAlt<unknown>[] = [
    {
      ALT: () => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.pathRef, L.item);
      },
    },
    { ALT: () => this.SUBRULE(this.viewItemRef, L.item) },
  ];
  private readonly binaryTailAlts1: IOrAlt<unknown>[] = [
    {
      ALT: () => {
        this.CONSUME(T.BinaryOperator, L.op);
        this.SUBRULE2(this.operand);
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.In, L.op);
        this.SUBRULE(this.listLiteral);
      },
    },
  ];
  private readonly operandAlts1: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Not, L.prefix) },
    { ALT: () => this.CONSUME(T.Minus, L.prefix) },
  ];
  private readonly primaryAlts1: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.StringLiteral, L.literal) },
    { ALT: () => this.CONSUME(T.Duration, L.literal) },
    { ALT: () => this.CONSUME(T.NumberLiteral, L.literal) },
    { ALT: () => this.CONSUME(T.True, L.literal) },
    { ALT: () => this.CONSUME(T.False, L.literal) },
    { ALT: () => this.CONSUME(T.Null, L.literal) },
    { ALT: () => this.CONSUME(T.Now, L.literal) },
    {
      ALT: () => {
        this.CONSUME(T.LParen);
        this.SUBRULE(this.expression, L.inner);
        this.CONSUME(T.RParen);
      },
    },
    { ALT: () => this.SUBRULE(this.listLiteral) },
    {
      ALT: () => {
        this.CONSUME(T.LBrace, L.object);
        this.CONSUME(T.RBrace);
      },
    },
    { ALT: () => this.SUBRULE(this.call) },
    {
      // a path: `this`, `currentUser`, `input` or a name, then `.word`*
      ALT: () => {
        this.OR3(this.pathAlts1);
        this.MANY2(this.dotSegment);
      },
    },
  ];
  private readonly callAlts1: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Comma) },
    { ALT: () => this.SUBRULE(this.expression, L.arg) },
  ];
  private readonly pathAlts1: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.This, L.root) },
    { ALT: () => this.CONSUME(T.CurrentUser, L.root) },
    { ALT: () => this.CONSUME(T.Input, L.root) },
    { ALT: () => this.CONSUME(T.Name, L.root) },
  ];
  private readonly listLiteralAlts1: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Comma) },
    { ALT: () => this.SUBRULE(this.expression, L.item) },
  ];

  // MANY / OPTION bodies, built once for the same reason.
  private readonly settingsValues = {
    // values run to the end of the key's line; `word {` starts a block entry
    GATE: () =>
      this.LA(1).startLine === this.LA(0).startLine &&
      !(tokenMatcher(this.LA(1), T.Word) && tokenMatcher(this.LA(2), T.LBrace)),
    DEF: () => this.OR2(this.settingsValueAlts1),
  };
  private readonly entityOptionField = () => this.OR3(this.entityOptionAlts3);
  private readonly optionalMinus = () => this.CONSUME(T.Minus);
  private readonly sortDirection = () => this.OR3(this.viewClauseAlts3);
  private readonly tableLimit = () => {
    this.CONSUME(T.Limit);
    this.CONSUME2(T.NumberLiteral, L.number);
  };
  private readonly dotSegment = () => {
    this.CONSUME(T.Dot);
    this.CONSUME(T.Word, L.segment);
  };
  private readonly settingsEntries = () => this.SUBRULE(this.settingsEntry);
  private readonly enumMembers = () => this.OR(this.enumDeclAlts1);
  private readonly entityHeaderItems = () => this.SUBRULE(this.entityHeaderItem);
  private readonly entityMembers = () => this.OR(this.entityMemberAlts1);
  private readonly fieldModifiers = {
    GATE: () => !this.fieldOrOptionStartsHere(),
    DEF: () => this.SUBRULE(this.modifier),
  };
  private readonly typeArgs = () => {
    this.CONSUME(T.LParen);
    this.MANY(this.typeArgItems);
    this.CONSUME(T.RParen);
  };
  private readonly typeArgItems = () => this.OR(this.typeRefAlts1);
  private readonly listSuffix = () => {
    this.CONSUME(T.LBracket);
    this.CONSUME(T.RBracket);
  };
  private readonly optionalMark = () => this.CONSUME(T.Question);
  private readonly rulesItems = () => this.OR(this.rulesDeclAlts1);
  private readonly allowOps = () => this.OR(this.allowRuleAlts1);
  private readonly transitions = () => this.SUBRULE(this.transition);
  private readonly moreFromStates = () => {
    this.OPTION(this.optionalComma);
    this.CONSUME2(T.Name, L.from);
  };
  private readonly optionalComma = () => this.CONSUME(T.Comma);
  private readonly transitionClauses = () => this.SUBRULE(this.transitionClause, L.clause);
  private readonly moreAssignments = {
    // another `field =` (LL(1) would take the next transition's first state)
    GATE: () => tokenMatcher(this.LA(1), T.Comma) || tokenMatcher(this.LA(2), T.Equals),
    DEF: () => {
      this.OPTION(this.optionalComma);
      this.SUBRULE2(this.assignment);
    },
  };
  private readonly emitValues = () => this.SUBRULE(this.assignmentBlock);
  private readonly assignmentItems = () => this.OR(this.assignmentBlockAlts1);
  private readonly fieldBlockItems = () => this.OR(this.fieldBlockAlts1);
  private readonly behaviorSecondName = () => {
    this.CONSUME(T.Dot);
    this.CONSUME(T.Word, L.second);
  };
  private readonly customMark = () => this.CONSUME(T.Custom);
  private readonly behaviorStatements = () => this.SUBRULE(this.behaviorStatement, L.statement);
  private readonly viewEntity = {
    GATE: () => !tokenMatcher(this.LA(1), T.Public),
    DEF: () => this.CONSUME3(T.Name, L.entity),
  };
  private readonly publicMark = () => this.CONSUME(T.Public);
  private readonly viewClauses = () => this.SUBRULE(this.viewClause, L.clause);
  private readonly viewListItems = () => this.OR(this.viewListAlts1);
  private readonly dotSegment2 = () => {
    this.CONSUME(T.Dot);
    this.CONSUME2(T.Word, L.segment);
  };
  private readonly binaryTails = () => this.OR(this.binaryTailAlts1);
  private readonly prefixOperators = () => this.OR(this.operandAlts1);
  private readonly callArgs = () => this.OR(this.callAlts1);
  private readonly callWhere = () => {
    this.CONSUME(T.Where);
    this.SUBRULE2(this.expression, L.where);
  };

  constructor() {
    super(T.allTokens, {
      recoveryEnabled: true,
      maxLookahead: 3,
      // node spans come from their first and last tokens (cst-visitor.ts);
      // Chevrotain's own tracking needs full token positions, which cost more
      nodeLocationTracking: 'none',
      errorMessageProvider: messages,
      // The grammar is checked by tests; skip re-validating it at start-up.
      skipValidations: process.env.BITCUP_VALIDATE_GRAMMAR !== '1',
    });
    this.performSelfAnalysis();
  }

  // ---------------------------------------------------------------- declarations

  declaration = this.RULE('declaration', () => {
    this.OR(this.declarationAlts1);
  });

  importDecl = this.RULE('importDecl', () => {
    this.CONSUME(T.Import);
    this.CONSUME(T.StringLiteral, L.path);
  });

  // ---------------------------------------------------------------- settings

  appDecl = this.RULE('appDecl', () => {
    this.CONSUME(T.App);
    this.CONSUME(T.Name, L.name);
    this.SUBRULE(this.settingsBlock);
  });

  deployDecl = this.RULE('deployDecl', () => {
    this.CONSUME(T.Deploy);
    this.SUBRULE(this.settingsBlock);
  });

  settingsBlock = this.RULE('settingsBlock', () => {
    this.CONSUME(T.LBrace);
    this.MANY(this.settingsEntries);
    this.CONSUME(T.RBrace);
  });

  settingsEntry = this.RULE('settingsEntry', () => {
    this.CONSUME(T.Word, L.key);
    this.OR(this.settingsEntryAlts1);
  });

  // ---------------------------------------------------------------- concepts

  enumDecl = this.RULE('enumDecl', () => {
    this.CONSUME(T.Enum);
    this.CONSUME(T.Name, L.name);
    this.CONSUME(T.LBrace);
    this.MANY(this.enumMembers);
    this.CONSUME(T.RBrace);
  });

  entityDecl = this.RULE('entityDecl', () => {
    this.CONSUME(T.Entity);
    this.CONSUME(T.Name, L.name);
    this.MANY(this.entityHeaderItems);
    this.CONSUME(T.LBrace);
    this.MANY2(this.entityMembers);
    this.CONSUME(T.RBrace);
  });

  entityHeaderItem = this.RULE('entityHeaderItem', () => {
    this.OR(this.entityHeaderItemAlts1);
  });

  entityOption = this.RULE('entityOption', () => {
    this.OR(this.entityOptionAlts1);
  });

  fieldDecl = this.RULE('fieldDecl', () => {
    this.CONSUME(T.Word, L.name);
    this.SUBRULE(this.typeRef);
    this.MANY(this.fieldModifiers);
  });

  /** After a field's type: does LA(1) begin the next field or an entity option? */
  private fieldOrOptionStartsHere(): boolean {
    const next = this.LA(1);
    if (!isOneOf(next, fieldStartKeywords)) return false;
    const after = this.LA(2);
    if (tokenMatcher(after, T.LParen)) return true; // `index (a, b)`
    return (
      tokenMatcher(after, T.Word) &&
      after.startLine === next.startLine &&
      !isOneOf(after, T.modifierKeywords)
    );
  }

  typeRef = this.RULE('typeRef', () => {
    this.CONSUME(T.Word, L.name);
    this.OPTION(this.typeArgs);
    this.OPTION2(this.listSuffix);
    this.OPTION3(this.optionalMark);
  });

  modifier = this.RULE('modifier', () => {
    this.OR(this.modifierAlts1);
  });

  // ---------------------------------------------------------------- rules

  rulesDecl = this.RULE('rulesDecl', () => {
    this.CONSUME(T.Rules);
    this.CONSUME(T.Name, L.entity);
    this.CONSUME(T.LBrace);
    this.MANY(this.rulesItems);
    this.CONSUME(T.RBrace);
  });

  /** `allow read, update if expr`; a behavior's `allow if expr` has no ops */
  allowRule = this.RULE('allowRule', () => {
    this.CONSUME(T.Allow);
    this.MANY(this.allowOps);
    this.CONSUME(T.If);
    this.SUBRULE(this.expression);
  });

  checkRule = this.RULE('checkRule', () => {
    this.CONSUME(T.Check);
    this.SUBRULE(this.expression);
    this.CONSUME(T.StringLiteral, L.message);
  });

  // ---------------------------------------------------------------- flows

  flowDecl = this.RULE('flowDecl', () => {
    this.CONSUME(T.Flow);
    this.CONSUME(T.Name, L.name);
    this.CONSUME(T.For);
    this.CONSUME2(T.Name, L.entity);
    this.CONSUME(T.Dot);
    this.CONSUME(T.Word, L.field);
    this.CONSUME(T.LBrace);
    this.MANY(this.transitions);
    this.CONSUME(T.RBrace);
  });

  transition = this.RULE('transition', () => {
    this.CONSUME(T.Name, L.from);
    this.MANY(this.moreFromStates);
    this.CONSUME(T.Arrow);
    this.CONSUME3(T.Name, L.to);
    this.CONSUME(T.As);
    this.CONSUME(T.Word, L.name);
    this.MANY2(this.transitionClauses);
  });

  transitionClause = this.RULE('transitionClause', () => {
    this.OR(this.transitionClauseAlts1);
  });

  /** `set a = x` (several assignments may follow one `set`) */
  setClause = this.RULE('setClause', () => {
    this.CONSUME(T.Set);
    this.SUBRULE(this.assignment);
    this.MANY(this.moreAssignments);
  });

  emitClause = this.RULE('emitClause', () => {
    this.CONSUME(T.Emit);
    this.CONSUME(T.Name, L.event);
    this.OPTION(this.emitValues);
  });

  assignmentBlock = this.RULE('assignmentBlock', () => {
    this.CONSUME(T.LBrace);
    this.MANY(this.assignmentItems);
    this.CONSUME(T.RBrace);
  });

  assignment = this.RULE('assignment', () => {
    this.CONSUME(T.Word, L.field);
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
  });

  // ---------------------------------------------------------------- events, behaviors

  eventDecl = this.RULE('eventDecl', () => {
    this.CONSUME(T.Event);
    this.CONSUME(T.Name, L.name);
    this.SUBRULE(this.fieldBlock);
  });

  fieldBlock = this.RULE('fieldBlock', () => {
    this.CONSUME(T.LBrace);
    this.MANY(this.fieldBlockItems);
    this.CONSUME(T.RBrace);
  });

  behaviorDecl = this.RULE('behaviorDecl', () => {
    this.CONSUME(T.Behavior);
    this.CONSUME(T.Name, L.first);
    this.OPTION(this.behaviorSecondName);
    this.OPTION2(this.customMark);
    this.CONSUME(T.LBrace);
    this.MANY(this.behaviorStatements);
    this.CONSUME(T.RBrace);
  });

  behaviorStatement = this.RULE('behaviorStatement', () => {
    this.OR(this.behaviorStatementAlts1);
  });

  // ---------------------------------------------------------------- views

  viewDecl = this.RULE('viewDecl', () => {
    this.CONSUME(T.View);
    this.CONSUME(T.Name, L.name);
    this.CONSUME2(T.Name, L.kind);
    this.OPTION(this.viewEntity);
    this.OPTION2(this.publicMark);
    this.CONSUME(T.LBrace);
    this.MANY(this.viewClauses);
    this.CONSUME(T.RBrace);
  });

  viewClause = this.RULE('viewClause', () => {
    this.OR(this.viewClauseAlts1);
  });

  /** The first item may be any word; later ones any word after a comma, else not a clause keyword. */
  viewList = this.RULE('viewList', () => {
    this.SUBRULE(this.pathRef, L.item);
    this.MANY(this.viewListItems);
  });

  pathRef = this.RULE('pathRef', () => {
    this.CONSUME(T.Word, L.segment);
    this.MANY(this.dotSegment2);
  });

  viewItemRef = this.RULE('viewItemRef', () => {
    this.CONSUME(T.ViewItem, L.segment);
    this.MANY(this.dotSegment);
  });

  // ---------------------------------------------------------------- expressions
  //
  // Flat on purpose: `operand (op operand)*` with prefix operators as a loop,
  // so only parentheses, lists and calls recurse (the token pre-scan in
  // grammar/index.ts bounds their depth). The visitor applies precedence.

  expression = this.RULE('expression', () => {
    this.SUBRULE(this.operand);
    // operators and their right operands inline (one rule call per operand)
    this.MANY(this.binaryTails);
  });

  operand = this.RULE('operand', () => {
    this.MANY(this.prefixOperators);
    this.OR2(this.primaryAlts1);
  });

  call = this.RULE('call', () => {
    this.CONSUME(T.Name, L.fn);
    this.CONSUME(T.LParen);
    this.MANY(this.callArgs);
    this.OPTION(this.callWhere);
    this.CONSUME(T.RParen);
  });

  listLiteral = this.RULE('listLiteral', () => {
    this.CONSUME(T.LBracket);
    this.MANY(() => this.OR(this.listLiteralAlts1));
    this.CONSUME(T.RBracket);
  });
}

// Chevrotain computes the lookahead paths of a rule again for every
// "no viable alternative" / "early exit" error message (its own TODO says
// so); on broken input that dominated parse time. The message depends only
// on the rule and the occurrence, so it is computed once and reused.
interface ErrorInternals {
  getCurrRuleFullName(): string;
  SAVE_ERROR(error: Error): Error;
  LA(n: number): IToken;
  raiseNoAltException(occurrence: number, errMsgTypes: string | undefined): never;
  raiseEarlyExitException(occurrence: number, prodType: unknown, userDefinedErrMsg: unknown): never;
}
const base = CstParser.prototype as unknown as ErrorInternals;
const originalNoAlt = base.raiseNoAltException;
const originalEarlyExit = base.raiseEarlyExitException;
const noAltMessages = new Map<string, string>();
const earlyExitMessages = new Map<string, string>();

function cachedRaise(
  parser: ErrorInternals,
  cache: Map<string, string>,
  key: string,
  compute: () => never,
  make: (message: string, token: IToken, previous: IToken) => Error,
): never {
  const message = cache.get(key);
  if (message === undefined) {
    try {
      compute();
    } catch (error) {
      if (error instanceof Error) cache.set(key, error.message);
      throw error;
    }
  }
  throw parser.SAVE_ERROR(make(message!, parser.LA(1), parser.LA(0)));
}

Object.assign(BitcupParser.prototype, {
  raiseNoAltException(this: ErrorInternals, occurrence: number, errMsgTypes: string | undefined) {
    const key = `${this.getCurrRuleFullName()}:${occurrence}`;
    return cachedRaise(
      this,
      noAltMessages,
      key,
      () => originalNoAlt.call(this, occurrence, errMsgTypes),
      (message, token, previous) => new NoViableAltException(message, token, previous),
    );
  },
  raiseEarlyExitException(
    this: ErrorInternals,
    occurrence: number,
    prodType: unknown,
    userDefinedErrMsg: unknown,
  ) {
    const key = `${this.getCurrRuleFullName()}:${occurrence}:${String(prodType)}`;
    return cachedRaise(
      this,
      earlyExitMessages,
      key,
      () => originalEarlyExit.call(this, occurrence, prodType, userDefinedErrMsg),
      (message, token, previous) => new EarlyExitException(message, token, previous),
    );
  },
});

/**
 * A CST node with its first and last real tokens (lowest / highest start
 * offset; tokens inserted by recovery do not count), recorded while the
 * parser builds the node. The CST visitor takes node spans from them instead
 * of walking the subtree (Chevrotain's children objects are dictionaries, so
 * walking them with for-in is slow).
 */
export interface EdgeTokens {
  firstToken?: IToken;
  lastToken?: IToken;
}

interface TreeBuilderInternals {
  CST_STACK: (CstNode & EdgeTokens)[];
  cstInvocationStateUpdate(ruleName: string): void;
  cstPostTerminal(key: string, token: IToken): void;
  cstPostNonTerminal(child: CstNode & EdgeTokens, ruleName: string): void;
}

type Children = Record<string, (IToken | CstNode)[] | undefined>;

function widen(node: EdgeTokens, first: IToken | undefined, last: IToken | undefined): void {
  if (first && (!node.firstToken || first.startOffset < node.firstToken.startOffset)) {
    node.firstToken = first;
  }
  if (last && (!node.lastToken || last.startOffset > node.lastToken.startOffset)) {
    node.lastToken = last;
  }
}

function addChild(children: Children, key: string, child: IToken | CstNode): void {
  const list = children[key];
  if (list === undefined) children[key] = [child];
  else list.push(child);
}

// These replace Chevrotain's CST building (same children, same keys; no node
// locations, which the parser does not track).
Object.assign(BitcupParser.prototype, {
  // Chevrotain makes `children` with Object.create(null), a dictionary-mode
  // object. A plain literal stays a fast object (no rule, label or token name
  // here is an Object.prototype key), and the edge tokens are there from the
  // start so every node keeps one shape. (Pre-shaping children with every
  // possible key measured much slower: larger objects, most keys unused.)
  cstInvocationStateUpdate(this: TreeBuilderInternals, ruleName: string) {
    const node: CstNode & EdgeTokens = {
      name: ruleName,
      children: {},
      firstToken: undefined,
      lastToken: undefined,
    };
    this.CST_STACK.push(node);
  },
  cstPostTerminal(this: TreeBuilderInternals, key: string, token: IToken) {
    const node = this.CST_STACK[this.CST_STACK.length - 1]!;
    addChild(node.children as Children, key, token);
    if (token.isInsertedInRecovery || !Number.isFinite(token.startOffset)) return;
    widen(node, token, token);
  },
  cstPostNonTerminal(this: TreeBuilderInternals, child: CstNode & EdgeTokens, ruleName: string) {
    const node = this.CST_STACK[this.CST_STACK.length - 1]!;
    addChild(node.children as Children, ruleName, child);
    widen(node, child.firstToken, child.lastToken);
  },
});

let parserInstance: BitcupParser | undefined;

/** The one parser instance (created, and self-analysed, on first use). */
export function getParser(): BitcupParser {
  parserInstance ??= new BitcupParser();
  return parserInstance;
}
