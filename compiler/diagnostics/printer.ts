// Text and JSON forms of diagnostics. Text: `path:line:col: error BC1234: msg`
// followed by a code frame; notes the same way with `note:`.
import type { Diagnostic } from './diagnostic.js';
import type { Span } from '../ir/schema.js';
import { sortDiagnostics } from './collector.js';

export interface PrintOptions {
  /** file text by span file name, for code frames; frames are skipped without it */
  sources?: ReadonlyMap<string, string>;
}

export function formatDiagnostics(
  diagnostics: readonly Diagnostic[],
  options: PrintOptions = {},
): string {
  return sortDiagnostics(diagnostics)
    .map((d) => formatDiagnostic(d, options))
    .join('');
}

export function formatDiagnostic(d: Diagnostic, options: PrintOptions = {}): string {
  let out = `${where(d.span)}${d.severity} ${d.code}: ${d.message}\n`;
  out += codeFrame(d.span, options.sources);
  for (const note of d.notes) {
    out += `${where(note.span)}note: ${note.message}\n`;
    out += codeFrame(note.span, options.sources);
  }
  return out;
}

function where(span: Span | undefined): string {
  return span ? `${span.file}:${span.line}:${span.column}: ` : '';
}

/** The span's line with a gutter and carets under the span (first line only). */
export function codeFrame(
  span: Span | undefined,
  sources: ReadonlyMap<string, string> | undefined,
): string {
  if (!span) return '';
  const text = sources?.get(span.file);
  if (text === undefined) return '';
  const lines = text.split(/\r?\n/);
  const line = lines[span.line - 1];
  if (line === undefined) return '';
  const shown = line.length > 200 ? line.slice(0, 200) + '…' : line;
  const gutter = String(span.line);
  const pad = ' '.repeat(gutter.length);
  const start = Math.max(0, span.column - 1);
  const width = Math.max(1, Math.min(span.length, Math.max(1, shown.length - start)));
  const lead = shown.slice(0, start).replace(/[^\t]/g, ' ');
  return `${gutter} | ${shown}\n${pad} | ${lead}${'^'.repeat(width)}\n`;
}

export interface JsonDiagnostic {
  code: string;
  severity: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
  offset?: number;
  length?: number;
  notes: { message: string; file?: string; line?: number; column?: number }[];
}

export function toJson(diagnostics: readonly Diagnostic[]): JsonDiagnostic[] {
  return sortDiagnostics(diagnostics).map((d) => ({
    code: d.code,
    severity: d.severity,
    message: d.message,
    ...(d.span
      ? {
          file: d.span.file,
          line: d.span.line,
          column: d.span.column,
          offset: d.span.offset,
          length: d.span.length,
        }
      : {}),
    notes: d.notes.map((n) => ({
      message: n.message,
      ...(n.span ? { file: n.span.file, line: n.span.line, column: n.span.column } : {}),
    })),
  }));
}

export function formatJson(diagnostics: readonly Diagnostic[]): string {
  return JSON.stringify(toJson(diagnostics), null, 2) + '\n';
}
