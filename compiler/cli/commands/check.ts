// `bitcup check <entry> [--strict] [--format json]`: compile without writing
// anything and print every diagnostic of the run. A clean model prints
// nothing. Exit 0 when clean (warnings allowed unless --strict), 1 on errors,
// 2 on usage errors.
import type { CAC } from 'cac';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve, sep } from 'node:path';
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import { formatDiagnostics, formatJson } from '../../diagnostics/printer.js';
import { compile, type CompileResult } from '../../index.js';
import type { CommandResult } from '../main.js';

export interface CheckOptions {
  strict?: boolean;
  format?: string;
}

export function registerCheck(cli: CAC, run: (result: CommandResult) => void): void {
  cli
    .command('check <entry>', 'Check a model: syntax, names, types, rules, flows, views, settings')
    .option('--strict', 'Treat warnings as errors (exit 1)')
    .option('--format <format>', 'Diagnostics as `text` (with code frames) or `json`', {
      default: 'text',
    })
    .action((entry: string, options: CheckOptions) => run(check(entry, options)));
}

export function check(entry: string, options: CheckOptions = {}): number {
  const format = options.format ?? 'text';
  if (format !== 'text' && format !== 'json') {
    process.stderr.write(`bitcup check: unknown --format '${format}' (use text or json)\n`);
    return 2;
  }
  const entryPath = resolve(entry);
  const result = compile(entryPath);
  const failed = result.diagnostics.some(
    (d) => d.severity === 'error' || (options.strict === true && d.severity === 'warning'),
  );
  if (format === 'json') {
    // JSON always prints (an empty list when clean) so tools can parse it.
    process.stdout.write(formatJson(result.diagnostics));
  } else if (result.diagnostics.length > 0) {
    process.stderr.write(
      formatDiagnostics(result.diagnostics, { sources: readSources(entryPath, result) }),
    );
  }
  return failed ? 1 : 0;
}

/** The text of every file a diagnostic points into, by span file name (for code frames). */
export function readSources(entryPath: string, result: CompileResult): Map<string, string> {
  const root = dirname(entryPath);
  const wanted = new Set<string>();
  const collect = (d: Diagnostic) => {
    if (d.span) wanted.add(d.span.file);
    for (const note of d.notes) if (note.span) wanted.add(note.span.file);
  };
  result.diagnostics.forEach(collect);
  const sources = new Map<string, string>();
  for (const absPath of result.files) {
    const file = relative(root, absPath).split(sep).join('/');
    if (!wanted.has(file)) continue;
    try {
      sources.set(file, readFileSync(absPath, 'utf8'));
    } catch {
      // no code frame for a file that vanished meanwhile
    }
  }
  return sources;
}
