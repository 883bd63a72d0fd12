// `bitcup ir <entry> --json`: print the typed IR that every backend reads,
// deterministically (keys in the schema's order, 2-space JSON). On errors it
// prints the diagnostics instead and exits 1.
import type { CAC } from 'cac';
import { resolve } from 'node:path';
import { formatDiagnostics } from '../../diagnostics/printer.js';
import { compile } from '../../index.js';
import { ProgramSchema, type Program } from '../../ir/schema.js';
import type { CommandResult } from '../main.js';
import { readSources } from './check.js';

export function registerIr(cli: CAC, run: (result: CommandResult) => void): void {
  cli
    .command('ir <entry>', 'Print the typed IR of a model')
    .option('--json', 'As JSON (the only format for now)', { default: true })
    .action((entry: string) => run(printIr(entry)));
}

export function printIr(entry: string): number {
  const entryPath = resolve(entry);
  const result = compile(entryPath);
  if (result.diagnostics.length > 0) {
    process.stderr.write(
      formatDiagnostics(result.diagnostics, { sources: readSources(entryPath, result) }),
    );
  }
  if (!result.program) return 1;
  process.stdout.write(irJson(result.program));
  return 0;
}

/** The IR as JSON with keys in schema order (zod rebuilds objects shape by shape). */
export function irJson(program: Program): string {
  const parsed = ProgramSchema.safeParse(program);
  return JSON.stringify(parsed.success ? parsed.data : program, null, 2) + '\n';
}
