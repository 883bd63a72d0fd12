// Parser start-up, measured in a fresh process by frontend.bench.ts: loading
// the grammar modules, building the lexer and the parser (Chevrotain's
// performSelfAnalysis) and the first parse. Prints one JSON line.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const started = performance.now();
const grammar = await import('../grammar/index.js');
const loaded = performance.now();
grammar.warmUpParser();
const analysed = performance.now();
const text = readFileSync(join(import.meta.dirname, '../examples/blog.bitcup'), 'utf8');
const result = grammar.parseSource(text, 'blog.bitcup');
const firstParse = performance.now();
grammar.parseSource(text, 'blog.bitcup');
const secondParse = performance.now();
if (result.diagnostics.length > 0) throw new Error('bench: blog.bitcup does not parse');
console.log(
  JSON.stringify({
    importMs: loaded - started,
    selfAnalysisMs: analysed - loaded,
    firstParseMs: firstParse - analysed,
    secondParseMs: secondParse - firstParse,
  }),
);
