// Placeholder printer; diagnostics/printer.ts (code frames) replaces its body.
import type { Diagnostic } from '../diagnostics/diagnostic.js';

export function printDiagnostics(diagnostics: Diagnostic[]): void {
  for (const d of diagnostics) {
    const where = d.span ? `${d.span.file}:${d.span.line}:${d.span.column}: ` : '';
    process.stderr.write(`${where}${d.severity} ${d.code}: ${d.message}\n`);
  }
}
