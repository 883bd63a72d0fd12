// The contract every backend implements: IR in, files out. Backends never
// touch the disk; `emit/` writes what they return.
import type { Program } from '../ir/schema.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';

/**
 * Who owns a file after it is first written:
 * - 'generated': rewritten by every build (user edits are three-way merged);
 * - 'user': created once (stubs for custom code), never touched again;
 * - 'history': migration revisions, created once, never rewritten or removed.
 */
export type FileOwnership = 'generated' | 'user' | 'history';

export interface GeneratedFile {
  /** path relative to the output folder, '/' separators */
  path: string;
  content: string;
  ownership: FileOwnership;
  /** IR parts this file depends on, e.g. 'entity:Order', 'app', 'views' (for incremental builds) */
  dependsOn: string[];
  /** POSIX mode, e.g. 0o755 for scripts; default 0o644 */
  mode?: number;
}

/** Files in path order (code-unit order, as the manifest and every backend list them). */
export const comparePaths = (a: { path: string }, b: { path: string }): number =>
  a.path < b.path ? -1 : a.path > b.path ? 1 : 0;

/** What a backend may know of the output folder's past, read by emit/ for it. */
export interface PreviousOutput {
  /** the IR snapshot the latest migration revision was made from, if any */
  snapshot?: Program;
  /** existing migration revision files: path relative to out -> content */
  revisions: Map<string, string>;
}

export interface BackendContext {
  previous: PreviousOutput;
  /** report and continue: a backend never throws */
  report(diagnostic: Diagnostic): void;
}

export interface Backend {
  name: string;
  generate(program: Program, context: BackendContext): GeneratedFile[];
}
