// The one shape of a diagnostic (esbuild/TypeScript style). Codes and message
// templates live in codes.ts; only diagnostics/ formats messages.
import type { Span } from '../ir/schema.js';

export type Severity = 'error' | 'warning';

export interface DiagnosticNote {
  message: string;
  span?: Span;
}

export interface Diagnostic {
  code: string; // 'BC' + 4 digits
  severity: Severity;
  message: string;
  /** absent only for diagnostics about the whole run (usage, I/O) */
  span?: Span;
  notes: DiagnosticNote[];
}
