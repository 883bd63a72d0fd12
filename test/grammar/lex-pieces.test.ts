// The lexer reads a file a piece at a time (grammar/lexer.ts lexInPieces),
// cutting at line starts outside block comments. Cutting at every line
// start must give exactly what lexing the whole file at once gives: the same
// AST (spans, docs) and the same diagnostics, in the same order — on the
// examples, on the synthetic model and on inputs full of the constructs a
// cut must not split (strings, `//` and `/* */` comments, `\r\n`, unexpected
// characters, unterminated strings and comments).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { syntheticModel } from '../../bench/models.js';
import { parseSource } from '../../grammar/index.js';
import { pieceCuts, setLexPieceSize } from '../../grammar/lexer.js';
import { seededRandom } from '../helpers/random.js';

const WHOLE = Number.MAX_SAFE_INTEGER;

function parsedIn(size: number, text: string): string {
  setLexPieceSize(size);
  return JSON.stringify(parseSource(text, 'input.bitcup'));
}

afterEach(() => setLexPieceSize(32_768));

const examples = ['blog', 'shop', 'shop-catalog', 'platform'].map((name) =>
  readFileSync(join(import.meta.dirname, `../../examples/${name}.bitcup`), 'utf8'),
);

// what a cut could get wrong, inserted at random places
const TRICKY = [
  '"',
  '"a /* b',
  '"x\\',
  '\\"',
  '// c /* d\n',
  '/// doc\n',
  '/* e\n f */',
  '/*',
  '*/',
  '\r\n',
  '\r',
  '\n\n',
  '@',
  '#\n',
  '\u2028',
  '\nentity ',
  '\nview ',
  '.\nflow ',
  '{',
  '}',
];

function mutate(text: string, random: () => number): string {
  let out = text;
  const edits = 1 + Math.floor(random() * 4);
  for (let i = 0; i < edits; i++) {
    const at = Math.floor(random() * (out.length + 1));
    const piece = TRICKY[Math.floor(random() * TRICKY.length)]!;
    out =
      random() < 0.8
        ? out.slice(0, at) + piece + out.slice(at)
        : out.slice(0, at) + out.slice(at + 5);
  }
  return out;
}

describe('lexing in pieces', () => {
  it('cuts only at line starts outside block comments, counting lines like Chevrotain', () => {
    setLexPieceSize(1);
    const text = 'a\n"x // y /* z"\n/* one\r\ntwo\rthree */ b\r\nc\n// /*\nd';
    expect(pieceCuts(text)).toEqual([
      { offset: 2, line: 2 },
      { offset: 16, line: 3 },
      { offset: 40, line: 6 },
      { offset: 42, line: 7 },
      { offset: 48, line: 8 },
    ]);
    expect(pieceCuts('x\n/* open\ny\nz')).toEqual([{ offset: 2, line: 2 }]);
  });

  it('gives the same AST and diagnostics as lexing whole: examples and the synthetic model', () => {
    for (const text of [...examples, syntheticModel({ entities: 8 })]) {
      expect(parsedIn(1, text)).toBe(parsedIn(WHOLE, text));
    }
  });

  it('gives the same AST and diagnostics as lexing whole: 600 mutated inputs', () => {
    const random = seededRandom(20261127);
    for (let i = 0; i < 600; i++) {
      const text = mutate(examples[i % examples.length]!, random);
      const whole = parsedIn(WHOLE, text);
      const pieces = parsedIn(1, text);
      if (pieces !== whole) expect({ input: i, pieces }).toEqual({ input: i, pieces: whole });
    }
  });
});
