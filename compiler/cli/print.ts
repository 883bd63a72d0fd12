// Print diagnostics to stderr in the text form of diagnostics/printer.ts
// (sorted; code frames when the source texts are given).
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { formatDiagnostics } from '../diagnostics/printer.js';

export function printDiagnostics(
  diagnostics: Diagnostic[],
  sources?: ReadonlyMap<string, string>,
): void {
  if (diagnostics.length === 0) return;
  process.stderr.write(formatDiagnostics(diagnostics, sources ? { sources } : {}));
}
