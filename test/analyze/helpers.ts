// Compile an in-memory model (and optional imported files) for analysis tests.
import { join } from 'node:path';
import { compile, type CompileResult } from '../../compiler/index.js';
import type { Program } from '../../compiler/ir/schema.js';

const dir = join(import.meta.dirname, '__virtual__');

export function compileText(text: string, others: Record<string, string> = {}): CompileResult {
  const files = new Map([[join(dir, 'main.bitcup'), text]]);
  for (const [name, content] of Object.entries(others)) files.set(join(dir, name), content);
  return compile(join(dir, 'main.bitcup'), { files });
}

/** Compile and require a clean program (no diagnostic at all). */
export function program(text: string): Program {
  const result = compileText(text);
  if (result.diagnostics.length > 0 || !result.program) {
    throw new Error(
      result.diagnostics
        .map((d) => `${d.span?.line}:${d.span?.column} ${d.code} ${d.message}`)
        .join('\n'),
    );
  }
  return result.program;
}

export const codesOf = (text: string): string[] => compileText(text).diagnostics.map((d) => d.code);

export const APP = 'app T { title "T" }\n';
export const AUTH = `app T {
  title "T"
  auth { user U  login email  password pw }
}
entity U {
  email email unique
  pw password
  isStaff bool = false readonly
}
`;
