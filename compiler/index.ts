// compile(entry): the front end as a straight chain of phases.
//   1-load     files, imports, parse (grammar/)
//   2-analyze  AST -> IR lowering and the ordered validation passes
//   3-optimize indexes (the deploy engineer's architecture pass runs in build)
// It never throws: a phase that fails is a BC9xxx diagnostic, and the
// program is returned only when no error was reported (warnings allowed).
import { DiagnosticCollector } from './diagnostics/collector.js';
import type { Diagnostic } from './diagnostics/diagnostic.js';
import type { Program } from './ir/schema.js';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import { parseSource } from '../grammar/index.js';
import type { LoadedModule } from './phases/2-analyze/index.js';
import { analyze, runGuarded } from './phases/2-analyze/index.js';
import { inferIndexes } from './phases/3-optimize/indexes.js';

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

export function compile(entry: string, options: CompileOptions = {}): CompileResult {
  const report = new DiagnosticCollector();
  let files: string[] = [];
  let program: Program | undefined;
  runGuarded(report, 'compile', () => {
    // 1-load
    const loaded = loadModules(entry, options.files);
    report.addAll(loaded.diagnostics);
    files = loaded.modules.map((m) => m.absPath);
    if (loaded.modules.length === 0) return;
    // 2-analyze
    const ctx = analyze(loaded.modules, report);
    // 3-optimize
    runGuarded(report, 'index inference', () => {
      const declared = new Map(
        [...ctx.entities].map(([name, info]) => [name, info.declaredIndexes]),
      );
      ctx.program.indexes = inferIndexes(ctx.program, declared);
    });
    if (!report.hasErrors) program = ctx.program;
  });
  return { ...(program ? { program } : {}), diagnostics: report.sorted(), files };
}

/**
 * PROVISIONAL 1-load until compiler/phases/1-load (loadProgram) lands: reads
 * the entry and its imports (depth first, each file once), parses them.
 */
function loadModules(
  entry: string,
  files: ReadonlyMap<string, string> | undefined,
): { modules: LoadedModule[]; diagnostics: Diagnostic[] } {
  const report = new DiagnosticCollector();
  const root = dirname(resolve(entry));
  const modules: LoadedModule[] = [];
  const seen = new Set<string>();
  const visit = (absPath: string): void => {
    if (seen.has(absPath)) return;
    seen.add(absPath);
    const path = relative(root, absPath).split(sep).join('/');
    let text: string;
    try {
      text = files?.get(absPath) ?? readFileSync(absPath, 'utf8');
    } catch (error) {
      report.report('BC0001', undefined, { file: path, reason: (error as Error).message });
      return;
    }
    const parsed = parseSource(text, path);
    report.addAll(parsed.diagnostics);
    modules.push({
      path,
      absPath,
      text,
      hash: createHash('sha256').update(text).digest('hex'),
      ast: parsed.ast,
    });
    for (const imp of parsed.ast.imports) visit(resolve(dirname(absPath), imp.path));
  };
  visit(resolve(entry));
  return { modules, diagnostics: report.diagnostics };
}
