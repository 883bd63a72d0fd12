// build(entry, out): compile, run every backend, write through the emitter.
import { compile } from './index.js';
import { backends } from './backends/index.js';
import type { GeneratedFile } from './backends/types.js';
import type { Diagnostic } from './diagnostics/diagnostic.js';
import { readPreviousOutput, writeOutput, type EmitSummary } from './emit/writer.js';

export interface BuildOptions {
  force?: boolean;
  allowDestructive?: boolean;
}

export interface BuildResult {
  diagnostics: Diagnostic[];
  summary?: EmitSummary;
  ok: boolean;
}

export function build(entry: string, out: string, options: BuildOptions = {}): BuildResult {
  const started = performance.now();
  const compiled = compile(entry);
  const diagnostics = [...compiled.diagnostics];
  if (!compiled.program) return { diagnostics, ok: false };
  const previous = readPreviousOutput(out);
  const files: GeneratedFile[] = [];
  for (const backend of backends) {
    files.push(
      ...backend.generate(compiled.program, {
        previous,
        report: (d) => diagnostics.push(d),
      }),
    );
  }
  if (diagnostics.some((d) => d.severity === 'error')) return { diagnostics, ok: false };
  const summary = writeOutput(out, files, { force: options.force ?? false, started });
  diagnostics.push(...summary.diagnostics);
  return { diagnostics, summary, ok: !summary.diagnostics.some((d) => d.severity === 'error') };
}
