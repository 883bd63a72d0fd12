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

/** Lexical problems in the order they are reported: BC1001s, BC1003s, BC1002s, each in file order. */
export type LexProblems = LexProblem[];

export function tokenSpan(file: string, token: IToken): Span {
  return {
    file,
    line: token.startLine ?? 1,
    column: token.startColumn ?? 1,
    offset: token.startOffset,
    length: token.image.length,
  };
}

/** About this many characters are lexed at a time (see lexInPieces). */
let pieceSize = 32_768;

/** Tests: lex in pieces of about `size` characters (1: cut at every line start). */
export function setLexPieceSize(size: number): void {
  pieceSize = size;
}

const NEWLINE = 10;
const CARRIAGE_RETURN = 13;
const QUOTE = 34;
const SLASH = 47;
const STAR = 42;
const BACKSLASH = 92;

/**
 * Where the text can be cut into separately lexed pieces: the first line
 * start after every `pieceSize` characters that is not inside a block
 * comment, with its 1-based line number. No token crosses such a line start
 * (strings and `//` comments end at the end of their line, a whitespace
 * run stops at the next token), so the pieces lex to the file's tokens.
 * Lines are counted as Chevrotain counts them (`\n`, `\r\n`, lone `\r`).
 */
export function pieceCuts(text: string): { offset: number; line: number }[] {
  const cuts: { offset: number; line: number }[] = [];
  const n = text.length;
  let line = 1;
  let nextCut = pieceSize;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === NEWLINE) {
      line++;
      i++;
      if (i >= nextCut && i < n) {
        cuts.push({ offset: i, line });
        nextCut = i + pieceSize;
      }
    } else if (c === CARRIAGE_RETURN) {
      if (text.charCodeAt(i + 1) !== NEWLINE) line++; // `\r\n` counts at its `\n`
      i++;
    } else if (c === QUOTE) {
      // a string (terminated or not) never holds a line end
      i++;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === QUOTE) {
          i++;
          break;
        }
        if (d === NEWLINE || d === CARRIAGE_RETURN) break;
        i += d === BACKSLASH && i + 1 < n && !isLineEnd(text.charCodeAt(i + 1)) ? 2 : 1;
      }
    } else if (c === SLASH && text.charCodeAt(i + 1) === SLASH) {
      while (i < n && !isLineEnd(text.charCodeAt(i))) i++;
    } else if (c === SLASH && text.charCodeAt(i + 1) === STAR) {
      const end = text.indexOf('*/', i + 2);
      if (end < 0) break; // unterminated: the comment runs to the end of the file
      for (let j = i + 2; j < end; j++) {
        const d = text.charCodeAt(j);
        if (d === NEWLINE || (d === CARRIAGE_RETURN && text.charCodeAt(j + 1) !== NEWLINE)) line++;
      }
      i = end + 2;
    } else {
      i++;
    }
  }
  return cuts;
}

function isLineEnd(code: number): boolean {
  return code === NEWLINE || code === CARRIAGE_RETURN;
}

/**
 * Lex `text` a piece at a time (pieceCuts), handing each piece's tokens to
 * `onTokens` with file offsets and lines, keywords retyped and the `///` doc
 * comments before them already in `docs` (by the start offset of the token
 * they document; text without `///`, lines joined by '\n'). A piece's
 * tokens are garbage once handed on, so the garbage collector never copies
 * the whole file's tokens. Returns the lexical problems (BC1001-BC1003).
 */
export function lexInPieces(
  text: string,
  file: string,
  docs: Map<number, string>,
  onTokens: (tokens: IToken[]) => void,
): LexProblems {
  const unexpected: LexProblem[] = [];
  const unterminatedComments: LexProblem[] = [];
  const unterminatedStrings: LexProblem[] = [];
  // doc comment lines waiting for the first token after them
  let pendingDocs: string[] = [];
  const cuts = pieceCuts(text);
  let start = 0;
  let startLine = 1;
  for (let c = 0; c <= cuts.length; c++) {
    const end = c < cuts.length ? cuts[c]!.offset : text.length;
    const piece = start === 0 && end === text.length ? text : text.slice(start, end);
    const result = lexer().tokenize(piece);
    const lineShift = startLine - 1;
    for (const error of result.errors) {
      const bad = piece.slice(error.offset, error.offset + Math.min(error.length, 16));
      unexpected.push({
        code: 'BC1001',
        span: {
          file,
          line: (error.line ?? 1) + lineShift,
          column: error.column ?? 1,
          offset: error.offset + start,
          length: error.length,
        },
        text: JSON.stringify(bad) + (error.length > 16 ? '...' : ''),
      });
    }
    for (const token of result.groups.errors ?? []) {
      shift(token, start, lineShift);
      if (token.tokenType === UnterminatedBlockComment) {
        unterminatedComments.push({
          code: 'BC1003',
          span: { ...tokenSpan(file, token), length: 2 },
        });
      }
    }
    const comments = result.groups.comments ?? [];
    for (let i = 0; i < comments.length; i++) shift(comments[i]!, start, lineShift);
    // (indexed loops over the token array: this runs once per piece, mostly
    // before the optimizer kicks in, where for-of allocates a result per step)
    const tokens = result.tokens;
    for (let i = 0; i < tokens.length; i++) {
      const token = tokens[i]!;
      shift(token, start, lineShift);
      if (token.tokenType === Identifier) {
        // a word whose whole text is a keyword is that keyword
        const keyword = keywordByText.get(token.image);
        if (keyword !== undefined) {
          token.tokenType = keyword;
          token.tokenTypeIdx = keyword.tokenTypeIdx!;
        }
      } else if (token.tokenType === UnterminatedString) {
        unterminatedStrings.push({ code: 'BC1002', span: tokenSpan(file, token) });
      }
    }
    pendingDocs = attachDocs(comments, tokens, docs, pendingDocs);
    if (tokens.length > 0) onTokens(tokens);
    start = end;
    if (c < cuts.length) startLine = cuts[c]!.line;
  }
  return [...unexpected, ...unterminatedComments, ...unterminatedStrings];
}

function shift(token: IToken, offset: number, lines: number): void {
  if (offset === 0) return;
  token.startOffset += offset;
  if (token.startLine !== undefined) token.startLine += lines;
}

/**
 * Doc comments attach to the first token after them (a merge of two sorted
 * lists). Lines with no token after them in this piece wait for the next
 * piece's first token: they are returned.
 */
function attachDocs(
  comments: IToken[],
  tokens: IToken[],
  docs: Map<number, string>,
  pending: string[],
): string[] {
  let waiting = pending;
  let t = 0;
  const attach = (offset: number, line: string) => {
    const previous = docs.get(offset);
    docs.set(offset, previous === undefined ? line : `${previous}\n${line}`);
  };
  if (waiting.length > 0 && tokens.length > 0) {
    // lines from the previous piece come before any comment of this one
    const first = tokens[0]!;
    const firstComment = comments[0];
    if (!firstComment || firstComment.startOffset > first.startOffset) {
      for (const line of waiting) attach(first.startOffset, line);
      waiting = [];
    }
  }
  for (const comment of comments) {
    while (t < tokens.length && tokens[t]!.startOffset < comment.startOffset) t++;
    const line = comment.image.slice(3).replace(/^ /, '').trimEnd();
    const next = tokens[t];
    if (!next) {
      waiting = waiting.length > 0 ? [...waiting, line] : [line];
      continue;
    }
    for (const earlier of waiting) attach(next.startOffset, earlier);
    waiting = [];
    attach(next.startOffset, line);
  }
  return waiting;
}

/** Decode a string token: `\"`, `\\` and `\n` are escapes; other backslashes stay. */
export function decodeString(image: string, terminated = true): string {
  const body = image.slice(1, terminated ? -1 : undefined);
  if (!body.includes('\\')) return body;
  return body.replace(/\\(["\\n])/g, (_whole, ch: string) => (ch === 'n' ? '\n' : ch));
}
