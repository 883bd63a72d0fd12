// compile(entry): the front end as a straight chain of phases.
//   1-load     files, imports, parse (grammar/)
//   2-analyze  AST -> IR lowering and the ordered validation passes
//   3-optimize indexes, then the architecture (services, for deploy)
// It never throws: a phase that fails is a BC9xxx diagnostic, and the
// program is returned only when no error was reported (warnings allowed).
import { DiagnosticCollector, makeDiagnostic } from './diagnostics/collector.js';
import { firstDifference } from './ir/compare.js';
import type { Diagnostic } from './diagnostics/diagnostic.js';
import type { Program } from './ir/schema.js';
import { loadProgram } from './phases/1-load/index.js';
import { AnalysisMemo, analyze, runGuarded } from './phases/2-analyze/index.js';
import { architecturePass } from './phases/3-optimize/architecture.js';
import { inferIndexes } from './phases/3-optimize/indexes.js';

export { AnalysisMemo };

export interface CompileOptions {
  /** in-memory file contents by absolute path (editor buffers, tests); falls back to disk */
  files?: ReadonlyMap<string, string>;
  /**
   * incremental builds: what the last compile with this memo can lend this
   * one (phases/2-analyze/reuse.ts). Unchanged declarations come back as the
   * same IR objects. `BITCUP_VERIFY_INCREMENTAL=1` checks each such compile
   * against a whole one (tests).
   */
  analysis?: AnalysisMemo;
}

export interface CompileResult {
  /** present when there is no error (warnings allowed) */
  program?: Program;
  /** every diagnostic of the run, sorted by file and position */
  diagnostics: Diagnostic[];
  /** absolute paths of every source file read (entry first) */
  files: string[];
}

export function compile(entry: string, options: CompileOptions = {}): CompileResult {
  const result = compileOnce(entry, options);
  if (options.analysis && process.env['BITCUP_VERIFY_INCREMENTAL'] === '1') {
    const whole = compileOnce(entry, { ...(options.files ? { files: options.files } : {}) });
    const difference =
      firstDifference(result.program, whole.program, 'program') ??
      firstDifference(result.diagnostics, whole.diagnostics, 'diagnostics');
    if (difference !== undefined) {
      options.analysis.forget();
      result.diagnostics.push(
        makeDiagnostic('BC9001', undefined, {
          phase: 'incremental analysis',
          reason: `it differs from a whole analysis at ${difference}`,
        }),
      );
      delete result.program;
    }
  }
  return result;
}

function compileOnce(entry: string, options: CompileOptions): CompileResult {
  const report = new DiagnosticCollector();
  let files: string[] = [];
  let program: Program | undefined;
  runGuarded(report, 'compile', () => {
    // 1-load
    const loaded = loadProgram(entry, {
      ...(options.files ? { files: options.files } : {}),
      ...(options.analysis ? { readCache: options.analysis.readCache } : {}),
    });
    report.addAll(loaded.diagnostics);
    files = loaded.modules.map((m) => m.absPath);
    if (loaded.modules.length === 0) return;
    // 2-analyze
    const ctx = analyze(loaded.modules, report, options.analysis);
    // 3-optimize
    runGuarded(report, 'index inference', () => {
      const declared = new Map(
        [...ctx.entities].map(([name, info]) => [name, info.declaredIndexes]),
      );
      ctx.program.indexes = inferIndexes(ctx.program, declared);
    });
    if (report.hasErrors) return;
    // the services the app runs as (the deploy engineer's pass; needs a complete program)
    runGuarded(report, 'architecture', () => {
      program = architecturePass(ctx.program);
    });
    if (report.hasErrors) program = undefined;
  });
  return { ...(program ? { program } : {}), diagnostics: report.sorted(), files };
}
