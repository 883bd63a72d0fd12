// The lexer: one Chevrotain Lexer instance, built once. `lex` returns the
// tokens the parser reads, the `///` doc comments (by the offset of the token
// they document) and lexical diagnostics (BC1001-BC1003).
import { Lexer, type IToken } from './chevrotain.js';
import type { Span } from '../compiler/ir/schema.js';
import {
  allTokens,
  Identifier,
  keywordByText,
  UnterminatedBlockComment,
  UnterminatedString,
} from './tokens.js';

let lexerInstance: Lexer | undefined;

function lexer(): Lexer {
  // positionTracking 'onlyStart': start line/column per token; a token's end
  // is its start plus its image length (no parser token spans lines), and
  // lighter tokens measured ~20% faster parses. The lexer's own validations
  // run once here, not per file.
  lexerInstance ??= new Lexer(allTokens, {
    positionTracking: 'onlyStart',
    ensureOptimizations: true,
    recoveryEnabled: true,
  });
  return lexerInstance;
}

export interface LexProblem {
  code: 'BC1001' | 'BC1002' | 'BC1003';
  span: Span;
  text?: string;
}

export interface LexResult {
  tokens: IToken[];
  /** doc text (without `///`, joined by '\n') by the start offset of the next token */
  docs: Map<number, string>;
  problems: LexProblem[];
}

export function tokenSpan(file: string, token: IToken): Span {
  return {
    file,
    line: token.startLine ?? 1,
    column: token.startColumn ?? 1,
    offset: token.startOffset,
    length: token.image.length,
  };
}

export function lex(text: string, file: string): LexResult {
  const result = lexer().tokenize(text);
  const problems: LexProblem[] = [];
  for (const error of result.errors) {
    const bad = text.slice(error.offset, error.offset + Math.min(error.length, 16));
    problems.push({
      code: 'BC1001',
      span: {
        file,
        line: error.line ?? 1,
        column: error.column ?? 1,
        offset: error.offset,
        length: error.length,
      },
      text: JSON.stringify(bad) + (error.length > 16 ? '...' : ''),
    });
  }
  for (const token of result.groups.errors ?? []) {
    if (token.tokenType === UnterminatedBlockComment) {
      problems.push({ code: 'BC1003', span: { ...tokenSpan(file, token), length: 2 } });
    }
  }
  // (indexed loops over the token array: this runs once per file, mostly
  // before the optimizer kicks in, where for-of allocates a result per step)
  const tokens = result.tokens;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.tokenType === Identifier) {
      // a word whose whole text is a keyword is that keyword
      const keyword = keywordByText.get(token.image);
      if (keyword !== undefined) {
        token.tokenType = keyword;
        token.tokenTypeIdx = keyword.tokenTypeIdx!;
      }
    } else if (token.tokenType === UnterminatedString) {
      problems.push({ code: 'BC1002', span: tokenSpan(file, token) });
    }
  }
  return {
    tokens: result.tokens,
    docs: attachDocs(result.groups.comments ?? [], result.tokens),
    problems,
  };
}

/** Doc comments attach to the first token after them (a merge of two sorted lists). */
function attachDocs(comments: IToken[], tokens: IToken[]): Map<number, string> {
  const docs = new Map<number, string>();
  let t = 0;
  for (const comment of comments) {
    while (t < tokens.length && tokens[t]!.startOffset < comment.startOffset) t++;
    const next = tokens[t];
    if (!next) break;
    const line = comment.image.slice(3).replace(/^ /, '').trimEnd();
    const previous = docs.get(next.startOffset);
    docs.set(next.startOffset, previous === undefined ? line : `${previous}\n${line}`);
  }
  return docs;
}

/** Decode a string token: `\"`, `\\` and `\n` are escapes; other backslashes stay. */
export function decodeString(image: string, terminated = true): string {
  const body = image.slice(1, terminated ? -1 : undefined);
  if (!body.includes('\\')) return body;
  return body.replace(/\\(["\\n])/g, (_whole, ch: string) => (ch === 'n' ? '\n' : ch));
}
