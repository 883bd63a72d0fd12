// compile(entry): the front end as a straight chain of phases.
//   1-load     files, imports, parse (grammar/)
//   2-analyze  AST -> IR lowering and the ordered validation passes
//   3-optimize indexes, eager-loading plans, architecture
// PLACEHOLDER until the front end lands: it reports that it cannot compile yet.
import type { Diagnostic } from './diagnostics/diagnostic.js';
import type { Program } from './ir/schema.js';

export interface CompileOptions {
  /** in-memory file contents by absolute path (editor buffers, tests); falls back to disk */
  files?: ReadonlyMap<string, string>;
}

export interface CompileResult {
  /** present when there is no error (warnings allowed) */
  program?: Program;
  /** every diagnostic of the run, sorted by file and position */
  diagnostics: Diagnostic[];
  /** absolute paths of every source file read (entry first) */
  files: string[];
}

export function compile(entry: string, _options: CompileOptions = {}): CompileResult {
  return {
    diagnostics: [
      {
        code: 'BC0000',
        severity: 'error',
        message: `the front end is not implemented yet (${entry})`,
        notes: [],
      },
    ],
    files: [],
  };
}
