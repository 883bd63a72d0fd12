// Never throws, never hangs: inputs mutated from the examples (seeded, so a
// failure is reproducible) go through compile(). Any exception, internal
// error (BC9xxx) or input taking over 1 s of CPU fails the test.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, type CompileResult } from '../../compiler/index.js';
import { MAX_NESTING } from '../../grammar/index.js';
import { seededRandom } from '../helpers/random.js';

const examples = join(import.meta.dirname, '../../examples');
const sources = ['blog.bitcup', 'shop.bitcup', 'shop-catalog.bitcup', 'platform.bitcup'].map(
  (name) => ({ name, text: readFileSync(join(examples, name), 'utf8') }),
);
const root = '/virtual-fuzz';
const INPUTS = 10_000;
const SLOW_MS = 1_000;

/** Rough tokens (words, numbers, strings, comments, punctuation, whitespace). */
function roughTokens(text: string): string[] {
  return (
    text.match(/\s+|[A-Za-z_]\w*|\d+(?:\.\d+)?\w?|"(?:[^"\\\n]|\\.)*"|\/\/[^\n]*|->|[=!<>]=|./g) ??
    []
  );
}

const pieces = sources.flatMap((s) => roughTokens(s.text).filter((t) => t.trim() !== ''));

function mutate(text: string, random: () => number): string {
  const pick = (n: number) => Math.floor(random() * n);
  let tokens = roughTokens(text);
  const rounds = 1 + pick(4);
  for (let r = 0; r < rounds && tokens.length > 0; r++) {
    const i = pick(tokens.length);
    switch (pick(7)) {
      case 0: // delete one to three tokens
        tokens.splice(i, 1 + pick(3));
        break;
      case 1: // duplicate a token
        tokens.splice(i, 0, tokens[i]!);
        break;
      case 2: {
        // swap two tokens
        const j = pick(tokens.length);
        [tokens[i], tokens[j]] = [tokens[j]!, tokens[i]!];
        break;
      }
      case 3: // truncate
        tokens = tokens.slice(0, i);
        break;
      case 4: {
        // random bytes (any UTF-16 code unit, control characters included)
        const bytes = Array.from({ length: 1 + pick(8) }, () =>
          String.fromCharCode(random() < 0.7 ? pick(128) : pick(0xffff)),
        );
        tokens.splice(i, 0, bytes.join(''));
        break;
      }
      case 5: // replace with a token from any example
        tokens[i] = pieces[pick(pieces.length)]!;
        break;
      default: {
        // move a slice elsewhere
        const slice = tokens.splice(i, 1 + pick(20));
        tokens.splice(pick(tokens.length + 1), 0, ...slice);
      }
    }
  }
  return tokens.join('');
}

/**
 * CPU milliseconds since `start`: unlike wall time it does not grow when the
 * shared machine is busy, so "over 1 s" means the compiler itself was slow.
 */
function cpuMs(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function compileChecked(files: Map<string, string>, entry: string): number {
  const started = process.cpuUsage();
  let result;
  try {
    result = compile(entry, { files });
  } catch (error) {
    throw new Error(`compile() threw on input:\n${files.get(entry)}\n${String(error)}`, {
      cause: error,
    });
  }
  const ms = cpuMs(started);
  const internal = result.diagnostics.filter((d) => d.code.startsWith('BC9'));
  if (internal.length > 0) {
    throw new Error(
      `internal error ${internal[0]!.code}: ${internal[0]!.message}\non input:\n${files.get(entry)}`,
    );
  }
  // plain checks: expect() per diagnostic would dominate the run time
  for (const d of result.diagnostics) {
    const span = d.span;
    const spanOk =
      !span ||
      (span.line >= 1 &&
        span.column >= 1 &&
        Number.isFinite(span.offset) &&
        Number.isFinite(span.length) &&
        span.length >= 0);
    if (!/^BC\d{4}$/.test(d.code) || !spanOk) {
      throw new Error(`malformed diagnostic ${JSON.stringify(d)} on input:\n${files.get(entry)}`);
    }
  }
  return ms;
}

describe('fuzz', () => {
  it(`compiles ${INPUTS} mutated inputs without an exception, each under ${SLOW_MS} ms`, () => {
    const random = seededRandom(20_261_127);
    let slowest = 0;
    for (let n = 0; n < INPUTS; n++) {
      const source = sources[n % sources.length]!;
      const files = new Map(sources.map((s) => [`${root}/${s.name}`, s.text]));
      const mutated = mutate(source.text, random);
      files.set(`${root}/${source.name}`, mutated);
      // mutate the imported catalog through the shop's entry now and then
      const entry = source.name === 'shop-catalog.bitcup' ? 'shop.bitcup' : source.name;
      const ms = compileChecked(files, `${root}/${entry}`);
      if (ms > SLOW_MS) {
        throw new Error(`input #${n} took ${Math.round(ms)} ms:\n${mutated}`);
      }
      slowest = Math.max(slowest, ms);
    }
    expect(slowest).toBeLessThan(SLOW_MS);
  });

  it('reports a 20,000-deep nested expression as too deep, quickly', () => {
    const depth = 20_000;
    const cases = [
      `${'('.repeat(depth)}x${')'.repeat(depth)}`,
      `${'not '.repeat(depth)}x`,
      `${'-'.repeat(depth)}1 > 0`,
      `x in ${'['.repeat(depth)}${']'.repeat(depth)}`,
      `${'len('.repeat(depth)}x${')'.repeat(depth)} > 0`,
      `x${' + x'.repeat(depth)} > 0`,
    ];
    for (const expr of cases) {
      const text = `app T { title "t" }\nentity A { x int }\nrules A {\n  check ${expr} "m"\n}\n`;
      const files = new Map([[`${root}/deep.bitcup`, text]]);
      const started = process.cpuUsage();
      const result = compile(`${root}/deep.bitcup`, { files });
      expect(cpuMs(started)).toBeLessThan(SLOW_MS);
      const deep = result.diagnostics.filter((d) => d.code === 'BC1006');
      expect(deep).toHaveLength(1);
      expect(deep[0]!.message).toContain(`deeper than ${MAX_NESTING} levels`);
      expect(deep[0]!.span?.line).toBe(4);
      expect(result.diagnostics.some((d) => d.code.startsWith('BC9'))).toBe(false);
    }
  });

  it('survives a 1 MB identifier', () => {
    const huge = 'a'.repeat(1 << 20);
    const texts = [
      `app T { title "t" }\nentity ${huge} { x int }\n`,
      `app T { title "t" }\nentity A { ${huge} int }\n`,
      `app T { title "t" }\nentity A { x int }\nrules A { check ${huge} > 0 "m" }\n`,
      `${huge}`,
    ];
    for (const text of texts) {
      const files = new Map([[`${root}/huge.bitcup`, text]]);
      let result: CompileResult | undefined;
      expect(() => {
        result = compile(`${root}/huge.bitcup`, { files });
      }).not.toThrow();
      expect(result?.diagnostics.some((d) => d.code.startsWith('BC9'))).toBe(false);
    }
  });
});
