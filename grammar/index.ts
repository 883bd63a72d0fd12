// Source text -> AST + diagnostics, never throwing.
//
//   lex -> split into top-level declarations -> depth pre-scan -> parse each
//   declaration with the one parser instance -> build the AST (cst-visitor)
//
// Splitting at top-level declaration keywords (at brace depth 0, or at
// column 1 when braces are unbalanced) keeps one declaration's syntax error
// from swallowing the next, and keeps recovery local.
import { EOF, type IRecognitionException, type IToken, type TokenType } from './chevrotain.js';
import { makeDiagnostic } from '../compiler/diagnostics/collector.js';
import type { Diagnostic } from '../compiler/diagnostics/diagnostic.js';
import type { Span } from '../compiler/ir/schema.js';
import type * as A from './ast.js';
import { AstBuilder, MAX_NESTING } from './cst-visitor.js';
import { lexInPieces, tokenSpan } from './lexer.js';
import { getParser } from './parser.js';
import * as T from './tokens.js';

export type * from './ast.js';
export { splitSettingsEntry } from './ast.js';
export { MAX_NESTING } from './cst-visitor.js';

export interface ParseResult {
  ast: A.SourceFile;
  diagnostics: Diagnostic[];
}

const declarationStarts: ReadonlySet<TokenType> = new Set([
  T.Import,
  T.App,
  T.Deploy,
  T.Enum,
  T.Entity,
  T.Rules,
  T.Flow,
  T.Event,
  T.Behavior,
  T.View,
]);

/** Create the parser now (Chevrotain's self-analysis), e.g. before timing. */
export function warmUpParser(): void {
  getParser();
}

/** Parse one file. `file` is the path used in spans (relative to the entry folder). */
export function parseSource(text: string, file: string): ParseResult {
  const diagnostics: Diagnostic[] = [];
  const ast: A.SourceFile = {
    kind: 'file',
    path: file,
    imports: [],
    declarations: [],
    span: { file, line: 1, column: 1, offset: 0, length: text.length },
  };
  // Chevrotain's recovery throws and catches exceptions as control flow;
  // their stack traces are never shown, so do not pay for capturing them.
  const stackTraceLimit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    parseInto(text, file, ast, diagnostics);
  } catch (error) {
    diagnostics.push(
      makeDiagnostic(
        'BC9001',
        { file, line: 1, column: 1, offset: 0, length: 0 },
        {
          phase: 'the parser',
          reason: error instanceof Error ? error.message : String(error),
        },
      ),
    );
  } finally {
    Error.stackTraceLimit = stackTraceLimit;
  }
  return { ast, diagnostics };
}

function parseInto(text: string, file: string, ast: A.SourceFile, diagnostics: Diagnostic[]): void {
  const docs = new Map<number, string>();
  const builder = new AstBuilder(file, docs);
  const parser = getParser();
  const syntax: Diagnostic[] = [];
  let lastToken: IToken | undefined;
  const endOfFile = () => endSpan(text, file, lastToken);

  /** Parse one top-level declaration; `next` is the first token of the next one. */
  const parseDeclaration = (chunk: IToken[], next: IToken | undefined): void => {
    const first = chunk[0]!;
    if (!declarationStarts.has(first.tokenType)) {
      syntax.push(
        makeDiagnostic('BC1005', tokenSpan(file, first), { found: describeToken(first) }),
      );
      return;
    }
    const tooDeep = firstTooDeep(chunk);
    if (tooDeep) {
      syntax.push(
        makeDiagnostic('BC1006', tokenSpan(file, tooDeep), {
          what: 'this declaration',
          limit: MAX_NESTING,
        }),
      );
      return;
    }
    parser.input = chunk;
    let cst;
    try {
      cst = parser.declaration();
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      syntax.push(
        makeDiagnostic('BC1006', tokenSpan(file, first), {
          what: 'this declaration',
          limit: MAX_NESTING,
        }),
      );
      return;
    }
    const errors = parser.errors;
    if (errors.length > 0) {
      const seen = new Set<number>();
      for (const error of errors) {
        const diagnostic = syntaxDiagnostic(error, file, next, endOfFile);
        if (seen.has(diagnostic.span!.offset)) continue;
        seen.add(diagnostic.span!.offset);
        syntax.push(diagnostic);
      }
    }
    let node: A.ImportDecl | A.Declaration | undefined;
    try {
      node = builder.declaration(cst);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      syntax.push(
        makeDiagnostic('BC1006', tokenSpan(file, first), {
          what: 'this declaration',
          limit: MAX_NESTING,
        }),
      );
      return;
    }
    if (!node) return;
    if (node.kind === 'import') ast.imports.push(node);
    else ast.declarations.push(node);
  };

  // Top-level declarations: a new one starts at a declaration keyword at
  // depth 0 (or column 1), not after a `.`. The tokens come a piece of the
  // file at a time and each declaration is parsed as soon as it is complete,
  // so no more than a piece of tokens is alive at once.
  let current: IToken[] = [];
  let depth = 0;
  const problems = lexInPieces(text, file, docs, (tokens) => {
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i]!;
      const type = token.tokenType;
      if (
        current.length > 0 &&
        declarationStarts.has(type) &&
        (depth <= 0 || token.startColumn === 1) &&
        lastToken?.tokenType !== T.Dot
      ) {
        parseDeclaration(current, token);
        current = [];
        depth = 0;
      }
      if (type === T.LBrace || type === T.LParen || type === T.LBracket) depth++;
      else if (type === T.RBrace || type === T.RParen || type === T.RBracket) depth--;
      current.push(token);
      lastToken = token;
    }
  });
  if (current.length > 0) parseDeclaration(current, undefined);

  for (const problem of problems) {
    diagnostics.push(makeDiagnostic(problem.code, problem.span, { text: problem.text ?? '' }));
  }
  diagnostics.push(...syntax);
  for (const problem of builder.problems) {
    diagnostics.push(makeDiagnostic(problem.code, problem.span, problem.args));
  }
}

/** The first token that opens a bracket deeper than MAX_NESTING, if any. */
function firstTooDeep(tokens: IToken[]): IToken | undefined {
  let depth = 0;
  let unaryRun = 0;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const type = token.tokenType;
    if (type === T.LBrace || type === T.LParen || type === T.LBracket) {
      depth++;
      if (depth > MAX_NESTING) return token;
    } else if (type === T.RBrace || type === T.RParen || type === T.RBracket) {
      depth = Math.max(0, depth - 1);
    }
    // a run of prefix operators nests too (`not not not ... x`)
    if (type === T.Not || type === T.Minus) {
      unaryRun++;
      if (depth + unaryRun > MAX_NESTING) return token;
    } else unaryRun = 0;
  }
  return undefined;
}

function endSpan(text: string, file: string, last: IToken | undefined): Span {
  if (!last) return { file, line: 1, column: 1, offset: 0, length: 0 };
  const span = tokenSpan(file, last);
  return {
    ...span,
    column: span.column + span.length,
    offset: span.offset + span.length,
    length: 0,
  };
}

function syntaxDiagnostic(
  error: IRecognitionException,
  file: string,
  next: IToken | undefined,
  endOfFile: () => Span,
): Diagnostic {
  const token = error.token;
  const atEnd = !token || token.tokenType === EOF || !Number.isFinite(token.startOffset);
  const span = atEnd ? (next ? tokenSpan(file, next) : endOfFile()) : tokenSpan(file, token);
  const found = atEnd ? (next ? describeToken(next) : 'the end of the file') : describeToken(token);
  if (error.name === 'NotAllInputParsedException') {
    return makeDiagnostic('BC1005', span, { found });
  }
  return makeDiagnostic('BC1004', span, { expected: error.message, found });
}

/** How a token reads in "found ..." messages. */
function describeToken(token: IToken): string {
  const type = token.tokenType;
  if (type === T.StringLiteral || type === T.UnterminatedString) {
    const image = token.image.length > 24 ? `${token.image.slice(0, 20)}..."` : token.image;
    return `the string ${image}`;
  }
  if (type === T.NumberLiteral || type === T.Duration) return `\`${token.image}\``;
  const image = token.image.length > 40 ? `${token.image.slice(0, 37)}...` : token.image;
  return `\`${image}\``;
}
