// Chevrotain, loaded from the single-file ESM bundle its package ships
// (lib/chevrotain.mjs, same version and code). The package entry
// (lib/src/api.js) imports lodash-es as hundreds of separate modules, which
// measured 330-490 ms of start-up against 15-35 ms for the bundle. The
// package's `exports` lists only '.', so the bundle is found next to the
// resolved entry. Every grammar module imports Chevrotain from here, so there
// is one Chevrotain instance (token type indexes are per instance).
import type * as C from 'chevrotain';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

const entry = createRequire(import.meta.url).resolve('chevrotain'); // .../lib/src/api.js
const chevrotain = (await import(
  pathToFileURL(join(dirname(entry), '..', 'chevrotain.mjs')).href
)) as typeof C;

export const {
  createToken,
  CstParser,
  EarlyExitException,
  EOF,
  Lexer,
  NoViableAltException,
  tokenMatcher,
} = chevrotain;
export type Lexer = C.Lexer;
export type {
  CstElement,
  CstNode,
  IOrAlt,
  IParserErrorMessageProvider,
  IRecognitionException,
  IToken,
  TokenType,
} from 'chevrotain';
