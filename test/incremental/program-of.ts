// The IR of a model given as text, for backend-level incremental tests: the
// text is saved as a fresh file and compiled like a user's model, and a model
// that does not compile fails the test with its diagnostics.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { compile } from '../../compiler/index.js';
import type { Program } from '../../compiler/ir/schema.js';

const dir = mkdtempSync(join(tmpdir(), 'bitcup-program-of-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

export function programOf(text: string): Program {
  const entry = join(dir, `model-${counter++}.bitcup`);
  writeFileSync(entry, text);
  const result = compile(entry);
  expect(
    result.diagnostics.filter((d) => d.severity === 'error'),
    text,
  ).toEqual([]);
  return result.program!;
}
