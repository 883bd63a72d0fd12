// Passes report by code and keep going; the collector turns codes into
// diagnostics (templates from codes.ts) and sorts them once at the end.
import { codes, formatTemplate, type Code } from './codes.js';
import type { Diagnostic, DiagnosticNote } from './diagnostic.js';
import type { Span } from '../ir/schema.js';

export type TemplateArgs = Readonly<Record<string, string | number>>;

export class DiagnosticCollector {
  readonly diagnostics: Diagnostic[] = [];
  private errors = 0;

  /**
   * Report `code` at `span`. `noteSpans[i]` places the code's i-th note
   * template; `extraNotes` are free-form notes appended after them.
   */
  report(
    code: Code,
    span: Span | undefined,
    args: TemplateArgs = {},
    noteSpans: readonly (Span | undefined)[] = [],
    extraNotes: readonly DiagnosticNote[] = [],
  ): Diagnostic {
    const diagnostic = makeDiagnostic(code, span, args, noteSpans, extraNotes);
    this.add(diagnostic);
    return diagnostic;
  }

  add(diagnostic: Diagnostic): void {
    this.diagnostics.push(diagnostic);
    if (diagnostic.severity === 'error') this.errors++;
  }

  addAll(diagnostics: Iterable<Diagnostic>): void {
    for (const d of diagnostics) this.add(d);
  }

  get hasErrors(): boolean {
    return this.errors > 0;
  }

  sorted(): Diagnostic[] {
    return sortDiagnostics(this.diagnostics);
  }
}

export function makeDiagnostic(
  code: Code,
  span: Span | undefined,
  args: TemplateArgs = {},
  noteSpans: readonly (Span | undefined)[] = [],
  extraNotes: readonly DiagnosticNote[] = [],
): Diagnostic {
  const info = codes[code] as {
    severity: Diagnostic['severity'];
    message: string;
    notes?: readonly string[];
  };
  const notes: DiagnosticNote[] = [];
  (info.notes ?? []).forEach((template, i) => {
    const noteSpan = noteSpans[i];
    if (noteSpan) notes.push({ message: formatTemplate(template, args), span: noteSpan });
  });
  notes.push(...extraNotes);
  const diagnostic: Diagnostic = {
    code,
    severity: info.severity,
    message: formatTemplate(info.message, args),
    notes,
  };
  if (span) diagnostic.span = span;
  return diagnostic;
}

/** Sorted by file, then position, then code; diagnostics without a span first. Stable. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return diagnostics
    .map((d, i) => ({ d, i }))
    .sort((a, b) => {
      const sa = a.d.span;
      const sb = b.d.span;
      if (!sa || !sb) return (sa ? 1 : 0) - (sb ? 1 : 0) || a.i - b.i;
      if (sa.file !== sb.file) return sa.file < sb.file ? -1 : 1;
      return (
        sa.offset - sb.offset ||
        (a.d.code < b.d.code ? -1 : a.d.code > b.d.code ? 1 : 0) ||
        a.i - b.i
      );
    })
    .map(({ d }) => d);
}
