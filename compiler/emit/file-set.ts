// The backends' files as one checked set: valid relative paths, one producer
// per path, sorted by path (the emitter and the manifest are deterministic).
import { comparePaths, type GeneratedFile } from '../backends/types.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { makeDiagnostic } from '../diagnostics/collector.js';
import { MANIFEST_DIR } from './manifest.js';

export interface ProducedFile extends GeneratedFile {
  /** the backend that produced it, for diagnostics */
  backend: string;
}

/** Why `path` cannot be an output path, or undefined when it can. */
export function invalidPathReason(path: string): string | undefined {
  if (path === '') return 'it is empty';
  if (path.includes('\\')) return 'it must use `/` separators';
  if (path.startsWith('/') || /^[A-Za-z]:/.test(path)) return 'it must be relative';
  const segments = path.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..'))
    return 'it has an empty, `.` or `..` segment';
  if (
    segments[0] === MANIFEST_DIR &&
    (segments[1] === 'manifest.json' || segments[1] === 'journal' || segments[1] === 'pristine')
  )
    return 'the manifest, its journal and the pristine store are the emitter’s own';
  if (path.includes('\0')) return 'it contains a NUL character';
  return undefined;
}

// paths already found valid (the same few thousand come back on every build)
const validPaths = new Set<string>();
// the paths of the last set, sorted: the same paths again (an incremental
// build) come out in the same order without a sort
let lastOrder: readonly string[] = [];

export function checkFileSet(files: readonly ProducedFile[]): {
  /** sorted by path */
  files: ProducedFile[];
  /** the same, by path */
  byPath: ReadonlyMap<string, ProducedFile>;
  diagnostics: Diagnostic[];
} {
  const diagnostics: Diagnostic[] = [];
  const byPath = new Map<string, ProducedFile>();
  const reported = new Set<string>();
  for (const file of files) {
    if (!validPaths.has(file.path)) {
      const reason = invalidPathReason(file.path);
      if (reason) {
        diagnostics.push(makeDiagnostic('BC8002', undefined, { path: file.path, reason }));
        continue;
      }
      validPaths.add(file.path);
    }
    const first = byPath.get(file.path);
    if (first) {
      if (!reported.has(file.path)) {
        reported.add(file.path);
        diagnostics.push(
          makeDiagnostic('BC8003', undefined, {
            path: file.path,
            backends: `${first.backend} and ${file.backend}`,
          }),
        );
      }
      continue;
    }
    byPath.set(file.path, file);
  }
  let sorted: ProducedFile[];
  if (byPath.size === lastOrder.length && lastOrder.every((path) => byPath.has(path)))
    sorted = lastOrder.map((path) => byPath.get(path)!);
  else {
    sorted = [...byPath.values()].sort(comparePaths);
    lastOrder = sorted.map((file) => file.path);
  }
  return { files: sorted, byPath, diagnostics };
}
