// 1-load: read the entry file and everything it imports, parse each file
// (through the per-file parse cache), report missing files, bad import paths
// and import cycles. Never throws: every failure is a diagnostic.
//
// Module order ("program order"): depth first from the entry, each file
// where it is first reached, entry first — the entry's own declarations come
// before those of the files it imports.
import { readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import type { SourceFile } from '../../../grammar/ast.js';
import { makeDiagnostic } from '../../diagnostics/collector.js';
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import { contentHash, parseCached } from './parse-cache.js';

export { clearParseCache, parseCacheStats } from './parse-cache.js';

export interface LoadedModule {
  /** relative to the entry folder, '/' separators (same as Span.file) */
  path: string;
  absPath: string;
  text: string;
  /** sha256 of the text, hex */
  hash: string;
  /** shared with the parse cache: read it, never mutate it */
  ast: SourceFile;
}

export interface LoadOptions {
  /** in-memory file contents by absolute path (editor buffers, tests); falls back to disk */
  files?: ReadonlyMap<string, string>;
  /** incremental builds: files read before, re-read only when their stat changed */
  readCache?: ReadCache;
}

export interface LoadResult {
  /** program order (see above); the entry first when it could be read */
  modules: LoadedModule[];
  diagnostics: Diagnostic[];
}

/**
 * Source files read by earlier loads, by absolute path. A file whose stat
 * (inode, size, modification and change times) is the one recorded is not
 * read or hashed again — unless it was modified less than RACY_MS before it
 * was read: a later write within the same clock tick would leave its times
 * as they were (git's "racily clean" problem; some file systems keep whole
 * seconds, hence two of them).
 */
export type ReadCache = Map<string, { stamp: string; text: string; hash: string }>;
const RACY_MS = 2_000;

function stampOf(absPath: string): { stamp: string; mtimeMs: number } | undefined {
  try {
    const st = statSync(absPath, { bigint: true });
    return {
      stamp: `${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`,
      mtimeMs: Number(st.mtimeMs),
    };
  } catch {
    return undefined;
  }
}

export function loadProgram(entryAbsPath: string, options: LoadOptions = {}): LoadResult {
  const diagnostics: Diagnostic[] = [];
  const modules: LoadedModule[] = [];
  try {
    const entry = resolve(entryAbsPath);
    new Loader(dirname(entry), options.files, modules, diagnostics, options.readCache).load(entry);
  } catch (error) {
    diagnostics.push(
      makeDiagnostic('BC9001', undefined, {
        phase: '1-load',
        reason: error instanceof Error ? error.message : String(error),
      }),
    );
  }
  return { modules, diagnostics };
}

class Loader {
  private readonly byPath = new Map<string, LoadedModule | null>();
  /** files on the current import chain (cycle detection) */
  private readonly stack: string[] = [];

  constructor(
    private readonly root: string,
    private readonly files: ReadonlyMap<string, string> | undefined,
    private readonly modules: LoadedModule[],
    private readonly diagnostics: Diagnostic[],
    private readonly readCache?: ReadCache,
  ) {}

  /** The hash of each text this load took from the read cache (no need to hash it again). */
  private readonly cachedHashes = new Map<string, string>();

  private relativePath(absPath: string): string {
    const rel = relative(this.root, absPath);
    return rel.split(sep).join('/');
  }

  /** Read a file; undefined (after reporting through `onError`) when it cannot be read. */
  private read(absPath: string, onError: (reason: string) => void): string | undefined {
    const inMemory = this.files?.get(absPath);
    if (inMemory !== undefined) return inMemory;
    try {
      if (this.readCache) {
        const before = stampOf(absPath);
        const cached = this.readCache.get(absPath);
        if (before && cached?.stamp === before.stamp) {
          this.cachedHashes.set(absPath, cached.hash);
          return cached.text;
        }
        const text = readFileSync(absPath, 'utf8');
        // remembered only when it was not just modified, and did not change while being read
        if (
          before &&
          Date.now() - before.mtimeMs > RACY_MS &&
          stampOf(absPath)?.stamp === before.stamp
        ) {
          const hash = contentHash(text);
          this.readCache.set(absPath, { stamp: before.stamp, text, hash });
          this.cachedHashes.set(absPath, hash);
        } else this.readCache.delete(absPath);
        return text;
      }
      return readFileSync(absPath, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      onError(
        code === 'ENOENT'
          ? 'no such file'
          : code === 'EISDIR'
            ? 'it is a folder'
            : (error as Error).message,
      );
      return undefined;
    }
  }

  load(entry: string): void {
    const text = this.read(entry, (reason) =>
      this.diagnostics.push(makeDiagnostic('BC0001', undefined, { file: entry, reason })),
    );
    if (text === undefined) return;
    this.visit(entry, text);
  }

  private visit(absPath: string, text: string): void {
    const path = this.relativePath(absPath);
    const hash = this.cachedHashes.get(absPath) ?? contentHash(text);
    const parsed = parseCached(path, text, hash);
    const module: LoadedModule = { path, absPath, text, hash, ast: parsed.ast };
    this.byPath.set(absPath, module);
    this.modules.push(module);
    this.diagnostics.push(...parsed.diagnostics);

    this.stack.push(absPath);
    for (const imp of parsed.ast.imports) {
      const target = imp.path;
      if (target === '') continue; // a syntax error was reported
      if (isAbsolute(target) || !(target.startsWith('./') || target.startsWith('../'))) {
        this.diagnostics.push(makeDiagnostic('BC1009', imp.pathSpan, { path: target }));
        continue;
      }
      if (!target.endsWith('.bitcup')) {
        this.diagnostics.push(makeDiagnostic('BC1010', imp.pathSpan, { path: target }));
        continue;
      }
      const targetAbs = resolve(dirname(absPath), target);
      const onStack = this.stack.indexOf(targetAbs);
      if (onStack >= 0) {
        const chain = [...this.stack.slice(onStack), targetAbs].map((p) => this.relativePath(p));
        this.diagnostics.push(
          makeDiagnostic('BC1008', imp.pathSpan, { chain: chain.join(' -> ') }),
        );
        continue;
      }
      if (this.byPath.has(targetAbs)) continue; // already loaded (or already reported missing)
      const targetText = this.read(targetAbs, (reason) => {
        this.byPath.set(targetAbs, null);
        this.diagnostics.push(
          makeDiagnostic('BC1007', imp.pathSpan, {
            path: target,
            reason: reason === 'no such file' ? '' : `: ${reason}`,
          }),
        );
      });
      if (targetText === undefined) continue;
      this.visit(targetAbs, targetText);
    }
    this.stack.pop();
  }
}
