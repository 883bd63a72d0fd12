// Chevrotain token types. Keywords are contextual: the lexer reads every
// word as an Identifier and then retypes the ones whose text is a keyword
// (lexer.ts, keywordByText), so `indexes` stays one identifier and the
// lexer tries one regex per word instead of one per keyword with that first
// letter. Each keyword belongs to token categories that say where it may still be used as a name:
//   Word      any identifier or keyword (field names, path segments after
//             `.`, settings keys);
//   Name      a Word that is not reserved inside expressions (LANGUAGE.md:
//             and or not in where if set emit as true false null this now
//             currentUser input): declaration names, bare names in
//             expressions, rule ops, flow states;
//   ViewItem  a Name that is not a view clause keyword, so a clause keyword
//             ends the list before it (`fields a, b  related c`).
import { createToken, Lexer, type TokenType } from './chevrotain.js';

export const Word = createToken({ name: 'Word', pattern: Lexer.NA });
export const Name = createToken({ name: 'Name', pattern: Lexer.NA, categories: [Word] });
export const ViewItem = createToken({ name: 'ViewItem', pattern: Lexer.NA, categories: [Name] });

/** Binary operators (the precedence is applied by the CST visitor). */
export const BinaryOperator = createToken({ name: 'BinaryOperator', pattern: Lexer.NA });

// Whitespace in two tokens: Chevrotain copies out and scans every match of a
// `line_breaks` token for line ends, so the runs within a line (most of
// them: alignment) go through a token that cannot hold one.
export const WhiteSpace = createToken({
  name: 'WhiteSpace',
  pattern: /[ \t\f\uFEFF]+/,
  group: Lexer.SKIPPED,
});
/** a line end and the whitespace after it (blank lines, the next line's indent) */
export const LineBreak = createToken({
  name: 'LineBreak',
  pattern: /[\r\n][ \t\r\n\f\uFEFF]*/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});
export const DocComment = createToken({
  name: 'DocComment',
  pattern: /\/\/\/[^\n\r]*/,
  group: 'comments',
});
export const LineComment = createToken({
  name: 'LineComment',
  pattern: /\/\/[^\n\r]*/,
  group: Lexer.SKIPPED,
});
export const BlockComment = createToken({
  name: 'BlockComment',
  pattern: /\/\*[\s\S]*?\*\//,
  group: Lexer.SKIPPED,
  line_breaks: true,
});
/** `/*` with no end: reported by the lexer wrapper (BC1003), then skipped */
export const UnterminatedBlockComment = createToken({
  name: 'UnterminatedBlockComment',
  pattern: /\/\*[\s\S]*/,
  group: 'errors',
  line_breaks: true,
});

export const StringLiteral = createToken({
  name: 'StringLiteral',
  pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*"/,
});
/** a string cut off by the end of the line: reported (BC1002), parsed as a string */
export const UnterminatedString = createToken({
  name: 'UnterminatedString',
  pattern: /"(?:[^"\\\n\r]|\\[^\n\r])*\\?/,
  categories: [StringLiteral],
});
export const Duration = createToken({
  name: 'Duration',
  pattern: /[0-9]+(?:\.[0-9]+)?[smhd](?![A-Za-z0-9_])/,
});
export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  pattern: /[0-9]+(?:\.[0-9]+)?/,
});

export const Identifier = createToken({
  name: 'Identifier',
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  categories: [ViewItem],
});

// Punctuation (multi-character first).
export const Arrow = createToken({ name: 'Arrow', pattern: '->' });
export const EqEq = createToken({ name: 'EqEq', pattern: '==', categories: [BinaryOperator] });
export const NotEq = createToken({ name: 'NotEq', pattern: '!=', categories: [BinaryOperator] });
export const LtEq = createToken({ name: 'LtEq', pattern: '<=', categories: [BinaryOperator] });
export const GtEq = createToken({ name: 'GtEq', pattern: '>=', categories: [BinaryOperator] });
export const Lt = createToken({ name: 'Lt', pattern: '<', categories: [BinaryOperator] });
export const Gt = createToken({ name: 'Gt', pattern: '>', categories: [BinaryOperator] });
export const Equals = createToken({ name: 'Equals', pattern: '=' });
export const Plus = createToken({ name: 'Plus', pattern: '+', categories: [BinaryOperator] });
export const Minus = createToken({ name: 'Minus', pattern: '-', categories: [BinaryOperator] });
export const Star = createToken({ name: 'Star', pattern: '*', categories: [BinaryOperator] });
export const Slash = createToken({ name: 'Slash', pattern: '/', categories: [BinaryOperator] });
export const LParen = createToken({ name: 'LParen', pattern: '(' });
export const RParen = createToken({ name: 'RParen', pattern: ')' });
export const LBrace = createToken({ name: 'LBrace', pattern: '{' });
export const RBrace = createToken({ name: 'RBrace', pattern: '}' });
export const LBracket = createToken({ name: 'LBracket', pattern: '[' });
export const RBracket = createToken({ name: 'RBracket', pattern: ']' });
export const Comma = createToken({ name: 'Comma', pattern: ',' });
export const Dot = createToken({ name: 'Dot', pattern: '.' });
export const Question = createToken({ name: 'Question', pattern: '?' });

// ---- keywords
const keywordTokens: TokenType[] = [];
/** keyword text by token type, e.g. for messages ("expected `as`") */
export const keywordText = new Map<TokenType, string>();
/** keyword token type by its text: the lexer retypes Identifiers with it */
export const keywordByText = new Map<string, TokenType>();
function keyword(
  word: string,
  kind: 'reserved' | 'name' | 'viewClause',
  extra: TokenType[] = [],
): TokenType {
  const category = kind === 'reserved' ? Word : kind === 'viewClause' ? Name : ViewItem;
  const token = createToken({
    name: `Kw_${word}`,
    pattern: Lexer.NA,
    categories: [category, ...extra],
  });
  keywordTokens.push(token);
  keywordText.set(token, word);
  keywordByText.set(word, token);
  return token;
}

// Declarations
export const Import = keyword('import', 'name');
export const App = keyword('app', 'name');
export const Deploy = keyword('deploy', 'name');
export const Enum = keyword('enum', 'name');
export const Entity = keyword('entity', 'name');
export const Rules = keyword('rules', 'name');
export const Flow = keyword('flow', 'name');
export const Event = keyword('event', 'name');
export const Behavior = keyword('behavior', 'name');
export const View = keyword('view', 'name');
// Entity header and modifiers
export const With = keyword('with', 'name');
export const Timestamps = keyword('timestamps', 'name');
export const Owned = keyword('owned', 'name');
export const By = keyword('by', 'name');
export const Was = keyword('was', 'name');
export const Unique = keyword('unique', 'name');
export const Index = keyword('index', 'name');
export const On = keyword('on', 'name');
export const Delete = keyword('delete', 'name');
export const Update = keyword('update', 'name');
export const Cascade = keyword('cascade', 'name');
export const Restrict = keyword('restrict', 'name');
export const Min = keyword('min', 'name');
export const Max = keyword('max', 'name');
export const Pattern = keyword('pattern', 'name');
export const Private = keyword('private', 'name');
export const Readonly = keyword('readonly', 'name');
export const Label = keyword('label', 'name');
export const Table = keyword('table', 'viewClause');
// Rules, flows, behaviors
export const Allow = keyword('allow', 'name');
export const Check = keyword('check', 'name');
export const For = keyword('for', 'name');
export const Require = keyword('require', 'name');
export const Create = keyword('create', 'name');
export const Returns = keyword('returns', 'name');
export const Custom = keyword('custom', 'name');
export const Input = keyword('input', 'reserved');
// Views
export const Public = keyword('public', 'viewClause');
export const Path = keyword('path', 'viewClause');
export const Columns = keyword('columns', 'viewClause');
export const Fields = keyword('fields', 'viewClause');
export const Related = keyword('related', 'viewClause');
export const Actions = keyword('actions', 'viewClause');
export const Filter = keyword('filter', 'viewClause');
export const Search = keyword('search', 'viewClause');
export const Sort = keyword('sort', 'viewClause');
export const PageSize = keyword('pageSize', 'viewClause');
export const Metric = keyword('metric', 'viewClause');
export const Limit = keyword('limit', 'name');
export const Asc = keyword('asc', 'name');
export const Desc = keyword('desc', 'name');
// Reserved inside expressions
export const And = keyword('and', 'reserved', [BinaryOperator]);
export const Or = keyword('or', 'reserved', [BinaryOperator]);
export const Not = keyword('not', 'reserved');
export const In = keyword('in', 'reserved');
export const Where = keyword('where', 'reserved');
export const If = keyword('if', 'reserved');
export const Set = keyword('set', 'reserved');
export const Emit = keyword('emit', 'reserved');
export const As = keyword('as', 'reserved');
export const True = keyword('true', 'reserved');
export const False = keyword('false', 'reserved');
export const Null = keyword('null', 'reserved');
export const This = keyword('this', 'reserved');
export const Now = keyword('now', 'reserved');
export const CurrentUser = keyword('currentUser', 'reserved');

/** Words that are view clause keywords (they end a view list). */
export const viewClauseKeywords: readonly TokenType[] = [
  Public,
  Path,
  Columns,
  Fields,
  Related,
  Actions,
  Filter,
  Search,
  Sort,
  PageSize,
  Metric,
  Table,
];

/** Modifier keywords: after a field's type they start a modifier. */
export const modifierKeywords: readonly TokenType[] = [
  Unique,
  Index,
  On,
  Min,
  Max,
  Pattern,
  Private,
  Readonly,
  Label,
  Was,
  By,
];

export { keywordTokens };

/**
 * Order matters: comments before `/`, Duration before Number. Keywords (no
 * pattern: the lexer never matches them itself) are listed for the parser.
 */
export const allTokens: TokenType[] = [
  WhiteSpace,
  LineBreak,
  DocComment,
  LineComment,
  BlockComment,
  UnterminatedBlockComment,
  StringLiteral,
  UnterminatedString,
  Duration,
  NumberLiteral,
  Arrow,
  EqEq,
  NotEq,
  LtEq,
  GtEq,
  Lt,
  Gt,
  Equals,
  Plus,
  Minus,
  Star,
  Slash,
  LParen,
  RParen,
  LBrace,
  RBrace,
  LBracket,
  RBracket,
  Comma,
  Dot,
  Question,
  ...keywordTokens,
  Identifier,
  // categories (pattern NA) last
  Word,
  Name,
  ViewItem,
  BinaryOperator,
];
