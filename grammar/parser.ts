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
      ALT: () =>
        this.MANY({
          // values run to the end of the key's line; `word {` starts a block entry
          GATE: () =>
            this.LA(1).startLine === this.LA(0).startLine &&
            !(tokenMatcher(this.LA(1), T.Word) && tokenMatcher(this.LA(2), T.LBrace)),
          DEF: () => this.OR2(this.settingsValueAlts1),
        }),
    },
  ];
  private readonly settingsValueAlts1: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.StringLiteral, { LABEL: 'value' }) },
    { ALT: () => this.CONSUME(T.Duration, { LABEL: 'value' }) },
    { ALT: () => this.CONSUME(T.NumberLiteral, { LABEL: 'value' }) },
    { ALT: () => this.CONSUME2(T.Word, { LABEL: 'value' }) },
  ];
  private readonly enumDeclAlts1: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Comma) },
    { ALT: () => this.CONSUME(T.Word, { LABEL: 'value' }) },
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
        this.CONSUME(T.Word, { LABEL: 'owner' });
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.Was);
        this.CONSUME(T.Name, { LABEL: 'was' });
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
        this.MANY(() => this.OR3(this.entityOptionAlts3));
        this.CONSUME(T.RParen);
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.Table, { LABEL: 'kind' });
        this.CONSUME(T.StringLiteral, { LABEL: 'table' });
      },
    },
  ];
  private readonly entityOptionAlts2: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Index, { LABEL: 'kind' }) },
    { ALT: () => this.CONSUME(T.Unique, { LABEL: 'kind' }) },
  ];
  private readonly entityOptionAlts3: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Comma) },
    { ALT: () => this.CONSUME(T.Word, { LABEL: 'field' }) },
  ];
  private readonly typeRefAlts1: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Comma) },
    { ALT: () => this.CONSUME(T.NumberLiteral, { LABEL: 'arg' }) },
  ];
  private readonly modifierAlts1: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Unique, { LABEL: 'flag' }) },
    { ALT: () => this.CONSUME(T.Index, { LABEL: 'flag' }) },
    { ALT: () => this.CONSUME(T.Private, { LABEL: 'flag' }) },
    { ALT: () => this.CONSUME(T.Readonly, { LABEL: 'flag' }) },
    {
      ALT: () => {
        this.CONSUME(T.Equals);
        this.SUBRULE(this.expression, { LABEL: 'default' });
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
        this.OPTION(() => this.CONSUME(T.Minus));
        this.CONSUME(T.NumberLiteral);
        this.CONSUME2(T.RParen);
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.Pattern);
        this.CONSUME3(T.LParen);
        this.CONSUME(T.StringLiteral, { LABEL: 'regex' });
        this.CONSUME3(T.RParen);
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.Label);
        this.CONSUME2(T.StringLiteral, { LABEL: 'label' });
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.Was);
        this.CONSUME(T.Word, { LABEL: 'was' });
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.By);
        this.CONSUME2(T.Word, { LABEL: 'by' });
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
    { ALT: () => this.CONSUME(T.Cascade, { LABEL: 'action' }) },
    { ALT: () => this.CONSUME(T.Restrict, { LABEL: 'action' }) },
    {
      ALT: () => {
        this.CONSUME(T.Set, { LABEL: 'action' });
        this.CONSUME(T.Null, { LABEL: 'action' });
      },
    },
  ];
  private readonly modifierAlts4: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Min, { LABEL: 'bound' }) },
    { ALT: () => this.CONSUME(T.Max, { LABEL: 'bound' }) },
  ];
  private readonly rulesDeclAlts1: IOrAlt<unknown>[] = [
    { ALT: () => this.SUBRULE(this.allowRule, { LABEL: 'item' }) },
    { ALT: () => this.SUBRULE(this.checkRule, { LABEL: 'item' }) },
    { ALT: () => this.CONSUME(T.Comma) },
  ];
  private readonly allowRuleAlts1: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Comma) },
    { ALT: () => this.CONSUME(T.Name, { LABEL: 'op' }) },
  ];
  private readonly transitionClauseAlts1: IOrAlt<unknown>[] = [
    {
      ALT: () => {
        this.CONSUME(T.If);
        this.SUBRULE(this.expression, { LABEL: 'guard' });
      },
    },
    { ALT: () => this.SUBRULE(this.setClause, { LABEL: 'set' }) },
    { ALT: () => this.SUBRULE(this.emitClause, { LABEL: 'emit' }) },
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
        this.CONSUME(T.StringLiteral, { LABEL: 'message' });
      },
    },
    { ALT: () => this.SUBRULE(this.setClause) },
    {
      ALT: () => {
        this.CONSUME(T.Create);
        this.CONSUME(T.Name, { LABEL: 'entity' });
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
        this.CONSUME(T.Path, { LABEL: 'keyword' });
        this.CONSUME(T.StringLiteral, { LABEL: 'value' });
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
        this.CONSUME(T.Sort, { LABEL: 'keyword' });
        this.SUBRULE(this.pathRef);
        this.OPTION(() => this.OR3(this.viewClauseAlts3));
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.PageSize, { LABEL: 'keyword' });
        this.CONSUME(T.NumberLiteral, { LABEL: 'number' });
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.Metric, { LABEL: 'keyword' });
        this.CONSUME2(T.StringLiteral, { LABEL: 'value' });
        this.SUBRULE(this.expression);
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.Table, { LABEL: 'keyword' });
        this.CONSUME(T.Name, { LABEL: 'view' });
        this.OPTION2(() => {
          this.CONSUME(T.Limit);
          this.CONSUME2(T.NumberLiteral, { LABEL: 'number' });
        });
      },
    },
    { ALT: () => this.CONSUME(T.Public, { LABEL: 'keyword' }) },
    { ALT: () => this.CONSUME(T.Comma) },
  ];
  private readonly viewClauseAlts2: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Columns, { LABEL: 'keyword' }) },
    { ALT: () => this.CONSUME(T.Fields, { LABEL: 'keyword' }) },
    { ALT: () => this.CONSUME(T.Related, { LABEL: 'keyword' }) },
    { ALT: () => this.CONSUME(T.Actions, { LABEL: 'keyword' }) },
    { ALT: () => this.CONSUME(T.Filter, { LABEL: 'keyword' }) },
    { ALT: () => this.CONSUME(T.Search, { LABEL: 'keyword' }) },
  ];
  private readonly viewClauseAlts3: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Asc, { LABEL: 'direction' }) },
    { ALT: () => this.CONSUME(T.Desc, { LABEL: 'direction' }) },
  ];
  private readonly viewListAlts1: IOrAlt<unknown>[] = [
    {
      ALT: () => {
        this.CONSUME(T.Comma);
        this.SUBRULE2(this.pathRef, { LABEL: 'item' });
      },
    },
    { ALT: () => this.SUBRULE(this.viewItemRef, { LABEL: 'item' }) },
  ];
  private readonly binaryTailAlts1: IOrAlt<unknown>[] = [
    {
      ALT: () => {
        this.CONSUME(T.BinaryOperator, { LABEL: 'op' });
        this.SUBRULE2(this.operand);
      },
    },
    {
      ALT: () => {
        this.CONSUME(T.In, { LABEL: 'op' });
        this.SUBRULE(this.listLiteral);
      },
    },
  ];
  private readonly operandAlts1: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Not, { LABEL: 'prefix' }) },
    { ALT: () => this.CONSUME(T.Minus, { LABEL: 'prefix' }) },
  ];
  private readonly primaryAlts1: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.StringLiteral, { LABEL: 'literal' }) },
    { ALT: () => this.CONSUME(T.Duration, { LABEL: 'literal' }) },
    { ALT: () => this.CONSUME(T.NumberLiteral, { LABEL: 'literal' }) },
    { ALT: () => this.CONSUME(T.True, { LABEL: 'literal' }) },
    { ALT: () => this.CONSUME(T.False, { LABEL: 'literal' }) },
    { ALT: () => this.CONSUME(T.Null, { LABEL: 'literal' }) },
    { ALT: () => this.CONSUME(T.Now, { LABEL: 'literal' }) },
    {
      ALT: () => {
        this.CONSUME(T.LParen);
        this.SUBRULE(this.expression, { LABEL: 'inner' });
        this.CONSUME(T.RParen);
      },
    },
    { ALT: () => this.SUBRULE(this.listLiteral) },
    {
      ALT: () => {
        this.CONSUME(T.LBrace, { LABEL: 'object' });
        this.CONSUME(T.RBrace);
      },
    },
    { ALT: () => this.SUBRULE(this.call) },
    {
      // a path: `this`, `currentUser`, `input` or a name, then `.word`*
      ALT: () => {
        this.OR3(this.pathAlts1);
        this.MANY2(() => {
          this.CONSUME(T.Dot);
          this.CONSUME(T.Word, { LABEL: 'segment' });
        });
      },
    },
  ];
  private readonly callAlts1: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Comma) },
    { ALT: () => this.SUBRULE(this.expression, { LABEL: 'arg' }) },
  ];
  private readonly pathAlts1: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.This, { LABEL: 'root' }) },
    { ALT: () => this.CONSUME(T.CurrentUser, { LABEL: 'root' }) },
    { ALT: () => this.CONSUME(T.Input, { LABEL: 'root' }) },
    { ALT: () => this.CONSUME(T.Name, { LABEL: 'root' }) },
  ];
  private readonly listLiteralAlts1: IOrAlt<unknown>[] = [
    { ALT: () => this.CONSUME(T.Comma) },
    { ALT: () => this.SUBRULE(this.expression, { LABEL: 'item' }) },
  ];

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
    this.CONSUME(T.StringLiteral, { LABEL: 'path' });
  });

  // ---------------------------------------------------------------- settings

  appDecl = this.RULE('appDecl', () => {
    this.CONSUME(T.App);
    this.CONSUME(T.Name, { LABEL: 'name' });
    this.SUBRULE(this.settingsBlock);
  });

  deployDecl = this.RULE('deployDecl', () => {
    this.CONSUME(T.Deploy);
    this.SUBRULE(this.settingsBlock);
  });

  settingsBlock = this.RULE('settingsBlock', () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.settingsEntry));
    this.CONSUME(T.RBrace);
  });

  settingsEntry = this.RULE('settingsEntry', () => {
    this.CONSUME(T.Word, { LABEL: 'key' });
    this.OR(this.settingsEntryAlts1);
  });

  // ---------------------------------------------------------------- concepts

  enumDecl = this.RULE('enumDecl', () => {
    this.CONSUME(T.Enum);
    this.CONSUME(T.Name, { LABEL: 'name' });
    this.CONSUME(T.LBrace);
    this.MANY(() => this.OR(this.enumDeclAlts1));
    this.CONSUME(T.RBrace);
  });

  entityDecl = this.RULE('entityDecl', () => {
    this.CONSUME(T.Entity);
    this.CONSUME(T.Name, { LABEL: 'name' });
    this.MANY(() => this.SUBRULE(this.entityHeaderItem));
    this.CONSUME(T.LBrace);
    this.MANY2(() => this.OR(this.entityMemberAlts1));
    this.CONSUME(T.RBrace);
  });

  entityHeaderItem = this.RULE('entityHeaderItem', () => {
    this.OR(this.entityHeaderItemAlts1);
  });

  entityOption = this.RULE('entityOption', () => {
    this.OR(this.entityOptionAlts1);
  });

  fieldDecl = this.RULE('fieldDecl', () => {
    this.CONSUME(T.Word, { LABEL: 'name' });
    this.SUBRULE(this.typeRef);
    this.MANY({
      GATE: () => !this.fieldOrOptionStartsHere(),
      DEF: () => this.SUBRULE(this.modifier),
    });
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
    this.CONSUME(T.Word, { LABEL: 'name' });
    this.OPTION(() => {
      this.CONSUME(T.LParen);
      this.MANY(() => this.OR(this.typeRefAlts1));
      this.CONSUME(T.RParen);
    });
    this.OPTION2(() => {
      this.CONSUME(T.LBracket);
      this.CONSUME(T.RBracket);
    });
    this.OPTION3(() => this.CONSUME(T.Question));
  });

  modifier = this.RULE('modifier', () => {
    this.OR(this.modifierAlts1);
  });

  // ---------------------------------------------------------------- rules

  rulesDecl = this.RULE('rulesDecl', () => {
    this.CONSUME(T.Rules);
    this.CONSUME(T.Name, { LABEL: 'entity' });
    this.CONSUME(T.LBrace);
    this.MANY(() => this.OR(this.rulesDeclAlts1));
    this.CONSUME(T.RBrace);
  });

  /** `allow read, update if expr`; a behavior's `allow if expr` has no ops */
  allowRule = this.RULE('allowRule', () => {
    this.CONSUME(T.Allow);
    this.MANY(() => this.OR(this.allowRuleAlts1));
    this.CONSUME(T.If);
    this.SUBRULE(this.expression);
  });

  checkRule = this.RULE('checkRule', () => {
    this.CONSUME(T.Check);
    this.SUBRULE(this.expression);
    this.CONSUME(T.StringLiteral, { LABEL: 'message' });
  });

  // ---------------------------------------------------------------- flows

  flowDecl = this.RULE('flowDecl', () => {
    this.CONSUME(T.Flow);
    this.CONSUME(T.Name, { LABEL: 'name' });
    this.CONSUME(T.For);
    this.CONSUME2(T.Name, { LABEL: 'entity' });
    this.CONSUME(T.Dot);
    this.CONSUME(T.Word, { LABEL: 'field' });
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.transition));
    this.CONSUME(T.RBrace);
  });

  transition = this.RULE('transition', () => {
    this.CONSUME(T.Name, { LABEL: 'from' });
    this.MANY(() => {
      this.OPTION(() => this.CONSUME(T.Comma));
      this.CONSUME2(T.Name, { LABEL: 'from' });
    });
    this.CONSUME(T.Arrow);
    this.CONSUME3(T.Name, { LABEL: 'to' });
    this.CONSUME(T.As);
    this.CONSUME(T.Word, { LABEL: 'name' });
    this.MANY2(() => this.SUBRULE(this.transitionClause, { LABEL: 'clause' }));
  });

  transitionClause = this.RULE('transitionClause', () => {
    this.OR(this.transitionClauseAlts1);
  });

  /** `set a = x` (several assignments may follow one `set`) */
  setClause = this.RULE('setClause', () => {
    this.CONSUME(T.Set);
    this.SUBRULE(this.assignment);
    this.MANY({
      // another `field =` (LL(1) would take the next transition's first state)
      GATE: () => tokenMatcher(this.LA(1), T.Comma) || tokenMatcher(this.LA(2), T.Equals),
      DEF: () => {
        this.OPTION(() => this.CONSUME(T.Comma));
        this.SUBRULE2(this.assignment);
      },
    });
  });

  emitClause = this.RULE('emitClause', () => {
    this.CONSUME(T.Emit);
    this.CONSUME(T.Name, { LABEL: 'event' });
    this.OPTION(() => this.SUBRULE(this.assignmentBlock));
  });

  assignmentBlock = this.RULE('assignmentBlock', () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => this.OR(this.assignmentBlockAlts1));
    this.CONSUME(T.RBrace);
  });

  assignment = this.RULE('assignment', () => {
    this.CONSUME(T.Word, { LABEL: 'field' });
    this.CONSUME(T.Equals);
    this.SUBRULE(this.expression);
  });

  // ---------------------------------------------------------------- events, behaviors

  eventDecl = this.RULE('eventDecl', () => {
    this.CONSUME(T.Event);
    this.CONSUME(T.Name, { LABEL: 'name' });
    this.SUBRULE(this.fieldBlock);
  });

  fieldBlock = this.RULE('fieldBlock', () => {
    this.CONSUME(T.LBrace);
    this.MANY(() => this.OR(this.fieldBlockAlts1));
    this.CONSUME(T.RBrace);
  });

  behaviorDecl = this.RULE('behaviorDecl', () => {
    this.CONSUME(T.Behavior);
    this.CONSUME(T.Name, { LABEL: 'first' });
    this.OPTION(() => {
      this.CONSUME(T.Dot);
      this.CONSUME(T.Word, { LABEL: 'second' });
    });
    this.OPTION2(() => this.CONSUME(T.Custom));
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.behaviorStatement, { LABEL: 'statement' }));
    this.CONSUME(T.RBrace);
  });

  behaviorStatement = this.RULE('behaviorStatement', () => {
    this.OR(this.behaviorStatementAlts1);
  });

  // ---------------------------------------------------------------- views

  viewDecl = this.RULE('viewDecl', () => {
    this.CONSUME(T.View);
    this.CONSUME(T.Name, { LABEL: 'name' });
    this.CONSUME2(T.Name, { LABEL: 'kind' });
    this.OPTION({
      GATE: () => !tokenMatcher(this.LA(1), T.Public),
      DEF: () => this.CONSUME3(T.Name, { LABEL: 'entity' }),
    });
    this.OPTION2(() => this.CONSUME(T.Public));
    this.CONSUME(T.LBrace);
    this.MANY(() => this.SUBRULE(this.viewClause, { LABEL: 'clause' }));
    this.CONSUME(T.RBrace);
  });

  viewClause = this.RULE('viewClause', () => {
    this.OR(this.viewClauseAlts1);
  });

  /** The first item may be any word; later ones any word after a comma, else not a clause keyword. */
  viewList = this.RULE('viewList', () => {
    this.SUBRULE(this.pathRef, { LABEL: 'item' });
    this.MANY(() => this.OR(this.viewListAlts1));
  });

  pathRef = this.RULE('pathRef', () => {
    this.CONSUME(T.Word, { LABEL: 'segment' });
    this.MANY(() => {
      this.CONSUME(T.Dot);
      this.CONSUME2(T.Word, { LABEL: 'segment' });
    });
  });

  viewItemRef = this.RULE('viewItemRef', () => {
    this.CONSUME(T.ViewItem, { LABEL: 'segment' });
    this.MANY(() => {
      this.CONSUME(T.Dot);
      this.CONSUME(T.Word, { LABEL: 'segment' });
    });
  });

  // ---------------------------------------------------------------- expressions
  //
  // Flat on purpose: `operand (op operand)*` with prefix operators as a loop,
  // so only parentheses, lists and calls recurse (the token pre-scan in
  // grammar/index.ts bounds their depth). The visitor applies precedence.

  expression = this.RULE('expression', () => {
    this.SUBRULE(this.operand);
    // operators and their right operands inline (one rule call per operand)
    this.MANY(() => this.OR(this.binaryTailAlts1));
  });

  operand = this.RULE('operand', () => {
    this.MANY(() => this.OR(this.operandAlts1));
    this.OR2(this.primaryAlts1);
  });

  call = this.RULE('call', () => {
    this.CONSUME(T.Name, { LABEL: 'fn' });
    this.CONSUME(T.LParen);
    this.MANY(() => this.OR(this.callAlts1));
    this.OPTION(() => {
      this.CONSUME(T.Where);
      this.SUBRULE2(this.expression, { LABEL: 'where' });
    });
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
const treeBuilder = CstParser.prototype as unknown as TreeBuilderInternals;
const originalPostTerminal = treeBuilder.cstPostTerminal;
const originalPostNonTerminal = treeBuilder.cstPostNonTerminal;

function widen(node: EdgeTokens, first: IToken | undefined, last: IToken | undefined): void {
  if (first && (!node.firstToken || first.startOffset < node.firstToken.startOffset)) {
    node.firstToken = first;
  }
  if (last && (!node.lastToken || last.startOffset > node.lastToken.startOffset)) {
    node.lastToken = last;
  }
}

Object.assign(BitcupParser.prototype, {
  // Chevrotain makes `children` with Object.create(null), a dictionary-mode
  // object. A plain literal stays a fast object (no rule, label or token name
  // here is an Object.prototype key), and the edge tokens are there from the
  // start so every node keeps one shape.
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
    originalPostTerminal.call(this, key, token);
    if (token.isInsertedInRecovery || !Number.isFinite(token.startOffset)) return;
    widen(this.CST_STACK[this.CST_STACK.length - 1]!, token, token);
  },
  cstPostNonTerminal(this: TreeBuilderInternals, child: CstNode & EdgeTokens, ruleName: string) {
    originalPostNonTerminal.call(this, child, ruleName);
    widen(this.CST_STACK[this.CST_STACK.length - 1]!, child.firstToken, child.lastToken);
  },
});

let parserInstance: BitcupParser | undefined;

/** The one parser instance (created, and self-analysed, on first use). */
export function getParser(): BitcupParser {
  parserInstance ??= new BitcupParser();
  return parserInstance;
}
