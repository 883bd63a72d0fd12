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
import { lex, tokenSpan } from './lexer.js';
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
  const { tokens, docs, problems } = lex(text, file);
  for (const problem of problems) {
    diagnostics.push(makeDiagnostic(problem.code, problem.span, { text: problem.text ?? '' }));
  }
  const chunks = splitDeclarations(tokens);
  const builder = new AstBuilder(file, docs);
  const parser = getParser();
  const endOfFile = endSpan(text, file, tokens);

  for (let i = 0; i < chunks.length; i++) {
    const chunk = chunks[i]!;
    const next = chunks[i + 1]?.[0];
    const first = chunk[0]!;
    if (!declarationStarts.has(first.tokenType)) {
      diagnostics.push(
        makeDiagnostic('BC1005', tokenSpan(file, first), { found: describeToken(first) }),
      );
      continue;
    }
    const tooDeep = firstTooDeep(chunk);
    if (tooDeep) {
      diagnostics.push(
        makeDiagnostic('BC1006', tokenSpan(file, tooDeep), {
          what: 'this declaration',
          limit: MAX_NESTING,
        }),
      );
      continue;
    }
    parser.input = chunk;
    let cst;
    try {
      cst = parser.declaration();
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      diagnostics.push(
        makeDiagnostic('BC1006', tokenSpan(file, first), {
          what: 'this declaration',
          limit: MAX_NESTING,
        }),
      );
      continue;
    }
    const errors = parser.errors;
    if (errors.length > 0) {
      const seen = new Set<number>();
      for (const error of errors) {
        const diagnostic = syntaxDiagnostic(error, file, next, endOfFile);
        if (seen.has(diagnostic.span!.offset)) continue;
        seen.add(diagnostic.span!.offset);
        diagnostics.push(diagnostic);
      }
    }
    let node: A.ImportDecl | A.Declaration | undefined;
    try {
      node = builder.declaration(cst);
    } catch (error) {
      if (!(error instanceof RangeError)) throw error;
      diagnostics.push(
        makeDiagnostic('BC1006', tokenSpan(file, first), {
          what: 'this declaration',
          limit: MAX_NESTING,
        }),
      );
      continue;
    }
    if (!node) continue;
    if (node.kind === 'import') ast.imports.push(node);
    else ast.declarations.push(node);
  }
  for (const problem of builder.problems) {
    diagnostics.push(makeDiagnostic(problem.code, problem.span, problem.args));
  }
}

/**
 * Top-level declarations: a new one starts at a declaration keyword at depth
 * 0 (or column 1). Indexed loops and one exact slice per declaration: this
 * runs once per file over every token, mostly before the optimizer kicks in.
 */
function splitDeclarations(tokens: IToken[]): IToken[][] {
  const chunks: IToken[][] = [];
  let start = 0;
  let depth = 0;
  let previous: IToken | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    const type = token.tokenType;
    if (
      i > start &&
      declarationStarts.has(type) &&
      (depth <= 0 || token.startColumn === 1) &&
      previous?.tokenType !== T.Dot
    ) {
      chunks.push(tokens.slice(start, i));
      start = i;
      depth = 0;
    }
    if (type === T.LBrace || type === T.LParen || type === T.LBracket) depth++;
    else if (type === T.RBrace || type === T.RParen || type === T.RBracket) depth--;
    previous = token;
  }
  if (start < tokens.length) chunks.push(tokens.slice(start));
  return chunks;
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

function endSpan(text: string, file: string, tokens: IToken[]): Span {
  const last = tokens[tokens.length - 1];
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
  endOfFile: Span,
): Diagnostic {
  const token = error.token;
  const atEnd = !token || token.tokenType === EOF || !Number.isFinite(token.startOffset);
  const span = atEnd ? (next ? tokenSpan(file, next) : endOfFile) : tokenSpan(file, token);
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
