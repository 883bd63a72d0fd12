// The only module that writes to disk. For every file the backends produced:
//   generated  written when its content changed; a file the user edited is
//              three-way merged (last pristine, theirs, new) — a conflict
//              leaves theirs untouched and reports BC8004 (--force writes
//              the new output and keeps theirs as <name>.orig);
//   user       created once (when missing), never rewritten or removed;
//   history    migration revisions: the same, and skipped by `bitcup dev`.
// Generated files no longer produced are removed unless the user edited them.
// Every write is atomic (temp file + rename); the manifest is written last.
// Never throws: I/O errors become diagnostics and the rest carries on.
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmdirSync,
  unlinkSync,
  writeFileSync,
  writeSync,
  writevSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { GeneratedFile, PreviousOutput } from '../backends/types.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { makeDiagnostic } from '../diagnostics/collector.js';
import { ProgramSchema } from '../ir/schema.js';
import { checkFileSet, type ProducedFile } from './file-set.js';
import { contentHash } from './hash.js';
import {
  MANIFEST_PATH,
  normalizeEntry,
  manifestChunks,
  readManifest,
  type Manifest,
  type ManifestEntry,
} from './manifest.js';
import { mergeThreeWay } from './merge.js';

export interface EmitOptions {
  /** on a conflict, write the new output and keep the user's file as `<name>.orig` */
  force: boolean;
  /** performance.now() when the build started, for `ms` */
  started?: number;
  /** the previous run's manifest, kept in memory by incremental builds; read from `out` otherwise */
  manifest?: Manifest;
  /** IR part hashes of the program being emitted (incremental/parts.ts) */
  parts?: Record<string, string>;
  /** skip migration revisions: `bitcup dev` never writes them */
  skipHistory?: boolean;
}

export interface EmitSummary {
  /** created or rewritten, merged ones included */
  written: string[];
  unchanged: string[];
  removed: string[];
  /** written with the user's edit merged into the new output */
  merged: string[];
  /** left as the user wrote them: edited and no longer generated */
  kept: string[];
  /** left as the user wrote them because the merge conflicted (or they are not ours) */
  conflicts: string[];
  /** with --force: user files saved as `<name>.orig` before being replaced */
  saved: string[];
  /**
   * generated files whose content changed although the hashes of the IR parts
   * they declare in dependsOn did not: that backend's dependsOn is incomplete
   */
  undeclared: string[];
  diagnostics: Diagnostic[];
  /** the manifest now on disk (incremental builds keep it for the next run) */
  manifest: Manifest;
  ms: number;
}

export const SNAPSHOT_PATH = '.bitcup/snapshot.json';
export const REVISIONS_DIR = 'backend/alembic/versions';

export function readPreviousOutput(out: string): PreviousOutput {
  const revisions = new Map<string, string>();
  let snapshot;
  try {
    const dir = join(out, REVISIONS_DIR);
    if (existsSync(dir)) {
      for (const name of readdirSync(dir).sort()) {
        if (name.endsWith('.py'))
          revisions.set(`${REVISIONS_DIR}/${name}`, readFileSync(join(dir, name), 'utf8'));
      }
    }
    const snapshotFile = join(out, SNAPSHOT_PATH);
    if (existsSync(snapshotFile)) {
      const parsed = ProgramSchema.safeParse(JSON.parse(readFileSync(snapshotFile, 'utf8')));
      if (parsed.success) snapshot = parsed.data;
    }
  } catch {
    // an unreadable past is no past: the backend treats the output as new
  }
  return { snapshot, revisions };
}

/**
 * Write `content` to `path` atomically: a reader never sees a half-written
 * file. `content` may come in pieces (written with writev, never joined).
 */
export function writeFileAtomic(path: string, content: string | Buffer[], mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = join(dirname(path), `.${basename(path)}.${process.pid}.bitcup-tmp`);
  try {
    if (typeof content === 'string') writeFileSync(temp, content, { mode });
    else writeChunks(temp, content, mode);
    chmodSync(temp, mode);
    renameSync(temp, path);
  } catch (error) {
    try {
      unlinkSync(temp);
    } catch {
      // the temp file was never created
    }
    throw error;
  }
}

function writeChunks(path: string, chunks: Buffer[], mode: number): void {
  const fd = openSync(path, 'w', mode);
  try {
    // writev may write less than asked: finish each batch by hand
    for (let i = 0; i < chunks.length; i += 256) {
      const batch = chunks.slice(i, i + 256);
      const total = batch.reduce((n, b) => n + b.length, 0);
      let done = writevSync(fd, batch);
      if (done < total) {
        const whole = Buffer.concat(batch);
        while (done < total) done += writeSync(fd, whole, done);
      }
    }
  } finally {
    closeSync(fd);
  }
}

/** Hash of the hashes of the parts a file depends on (unknown parts count as the whole program). */
export function dependencyHash(
  dependsOn: readonly string[],
  parts: Record<string, string>,
): string {
  const keys = [...new Set(dependsOn)].sort();
  return contentHash(keys.map((k) => `${k}=${parts[k] ?? parts['program'] ?? '?'}`).join('\n'));
}

function readIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

function sameList(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]);
}

export function writeOutput(
  out: string,
  files: readonly (GeneratedFile | ProducedFile)[],
  options: EmitOptions,
): EmitSummary {
  const started = options.started ?? performance.now();
  const summary: EmitSummary = {
    written: [],
    unchanged: [],
    removed: [],
    merged: [],
    kept: [],
    conflicts: [],
    saved: [],
    undeclared: [],
    diagnostics: [],
    manifest: options.manifest ?? { parts: {}, files: new Map() },
    ms: 0,
  };
  try {
    emit(out, files, options, summary);
  } catch (error) {
    summary.diagnostics.push(
      makeDiagnostic('BC9001', undefined, { phase: 'emit', reason: (error as Error).message }),
    );
  }
  summary.ms = performance.now() - started;
  return summary;
}

function emit(
  out: string,
  files: readonly (GeneratedFile | ProducedFile)[],
  options: EmitOptions,
  summary: EmitSummary,
): void {
  let previous = options.manifest;
  if (!previous) {
    const read = readManifest(out);
    previous = read.manifest;
    summary.diagnostics.push(...read.diagnostics);
  }
  const parts = options.parts ?? {};
  const checked = checkFileSet(
    files
      .filter((f) => !(options.skipHistory && f.ownership === 'history'))
      .map((f) => ({ backend: 'backend', ...f })),
  );
  summary.diagnostics.push(...checked.diagnostics);

  const next = new Map<string, ManifestEntry>();
  const depsHashes = new Map<string, string>(); // many files share one dependsOn list
  let dirty = JSON.stringify(sortedRecord(previous.parts)) !== JSON.stringify(sortedRecord(parts));
  const fail = (code: 'BC8001' | 'BC8008', path: string, error: unknown) =>
    summary.diagnostics.push(
      makeDiagnostic(code, undefined, { path, reason: (error as Error).message }),
    );

  for (const file of checked.files) {
    const target = join(out, file.path);
    const prev = previous.files.get(file.path);
    const mode = file.mode ?? 0o644;
    try {
      if (file.ownership !== 'generated') {
        // user stubs and migration revisions: created when missing, never rewritten
        const entry = normalizeEntry({
          ownership: file.ownership,
          hash: prev && prev.ownership === file.ownership ? prev.hash : contentHash(file.content),
        });
        if (existsSync(target)) summary.unchanged.push(file.path);
        else {
          writeFileAtomic(target, file.content, mode);
          summary.written.push(file.path);
        }
        keep(file.path, prev, entry);
        continue;
      }
      const dependsOn = [...new Set(file.dependsOn)].sort();
      const depsKey = dependsOn.join('\n');
      let deps = depsHashes.get(depsKey);
      if (deps === undefined) depsHashes.set(depsKey, (deps = dependencyHash(dependsOn, parts)));
      if (prev?.ownership === 'generated' && prev.content === file.content) {
        // same output as last time: the user's edits (if any) stay as they are
        if (!existsSync(target)) {
          writeFileAtomic(target, file.content, mode);
          summary.written.push(file.path);
        } else {
          if ((prev.mode ?? 0o644) !== mode) chmodSync(target, mode);
          summary.unchanged.push(file.path);
        }
        keep(
          file.path,
          prev,
          prev.deps === deps && prev.mode === mode && sameList(prev.dependsOn, dependsOn)
            ? prev
            : { ...prev, mode, dependsOn, deps },
        );
        continue;
      }
      if (options.parts && prev?.ownership === 'generated' && prev.deps === deps)
        summary.undeclared.push(file.path);
      const entry = normalizeEntry({
        ownership: 'generated',
        hash: contentHash(file.content),
        mode,
        dependsOn,
        deps,
        content: file.content,
      });
      const onDisk = readIfExists(target);
      if (onDisk === undefined || onDisk === prev?.content) {
        writeFileAtomic(target, file.content, mode);
        summary.written.push(file.path);
        keep(file.path, prev, entry);
      } else if (onDisk === file.content) {
        if (prev === undefined || (prev.mode ?? 0o644) !== mode) chmodSync(target, mode);
        summary.unchanged.push(file.path);
        keep(file.path, prev, entry);
      } else {
        const base = prev?.ownership === 'generated' ? prev.content : undefined;
        const merged = base === undefined ? undefined : mergeThreeWay(base, onDisk, file.content);
        if (merged?.clean) {
          writeFileAtomic(target, merged.text, mode);
          summary.written.push(file.path);
          summary.merged.push(file.path);
          keep(file.path, prev, entry);
        } else if (options.force) {
          const saved = freeOrigName(target);
          writeFileAtomic(`${target}${saved}`, onDisk, mode);
          summary.saved.push(`${file.path}${saved}`);
          writeFileAtomic(target, file.content, mode);
          summary.written.push(file.path);
          keep(file.path, prev, entry);
        } else {
          summary.conflicts.push(file.path);
          summary.diagnostics.push(
            makeDiagnostic(base === undefined ? 'BC8005' : 'BC8004', undefined, {
              path: file.path,
            }),
          );
          // keep the old base so the next build tries the merge again
          if (prev) keep(file.path, prev, prev);
        }
      }
    } catch (error) {
      fail('BC8001', file.path, error);
      if (prev) keep(file.path, prev, prev);
    }
  }

  for (const [path, prev] of previous.files) {
    if (next.has(path)) continue;
    dirty = true;
    if (prev.ownership !== 'generated' || prev.content === undefined) continue;
    const target = join(out, path);
    try {
      const onDisk = readIfExists(target);
      if (onDisk === undefined) continue;
      if (onDisk !== prev.content) {
        summary.kept.push(path);
        summary.diagnostics.push(makeDiagnostic('BC8006', undefined, { path }));
        continue;
      }
      unlinkSync(target);
      summary.removed.push(path);
      pruneEmptyDirectories(out, dirname(target));
    } catch (error) {
      fail('BC8008', path, error);
      next.set(path, prev);
    }
  }

  const manifest: Manifest = { parts: sortedRecord(parts), files: new Map() };
  for (const path of [...next.keys()].sort()) manifest.files.set(path, next.get(path)!);
  summary.manifest = manifest;
  if (dirty || !existsSync(join(out, MANIFEST_PATH))) {
    try {
      writeFileAtomic(join(out, MANIFEST_PATH), manifestChunks(manifest));
    } catch (error) {
      fail('BC8001', MANIFEST_PATH, error);
    }
  }

  function keep(path: string, prev: ManifestEntry | undefined, entry: ManifestEntry): void {
    if (entry !== prev) dirty = true;
    next.set(path, entry);
  }
}

/** `.orig`, or `.orig.1`, `.orig.2`… when an earlier --force already saved one: never overwrite a saved file. */
function freeOrigName(target: string): string {
  if (!existsSync(`${target}.orig`)) return '.orig';
  for (let n = 1; ; n++) if (!existsSync(`${target}.orig.${n}`)) return `.orig.${n}`;
}

function sortedRecord(record: Record<string, string>): Record<string, string> {
  const sorted: Record<string, string> = {};
  for (const key of Object.keys(record).sort()) sorted[key] = record[key]!;
  return sorted;
}

/** Remove `dir` and its parents while they are empty, stopping at `out`. */
function pruneEmptyDirectories(out: string, dir: string): void {
  const root = join(out);
  while (dir.startsWith(root) && dir.length > root.length) {
    if (readdirSync(dir).length > 0) return;
    rmdirSync(dir);
    dir = dirname(dir);
  }
}
