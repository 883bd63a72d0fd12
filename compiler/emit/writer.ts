// The only module that writes to disk. For every file the backends produced:
//   generated  written when its content changed; a file the user edited is
//              three-way merged (last pristine, theirs, new) — a conflict
//              leaves theirs untouched and reports BC8004 (--force writes
//              the new output and keeps theirs as <name>.orig);
//   user       created once (when missing), never rewritten or removed;
//   history    migration revisions: the same, and skipped by `bitcup dev`.
// Generated files no longer produced are removed unless the user edited them.
// Pristine contents go to the content-addressed store (.bitcup/pristine/<sha256>,
// written once per new content, before the manifest); the manifest is written
// last, and only then are contents no entry refers to any more removed.
// Every write is atomic (temp file + rename).
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
import { basename, dirname, join, normalize } from 'node:path';
import type { GeneratedFile, PreviousOutput } from '../backends/types.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { makeDiagnostic } from '../diagnostics/collector.js';
import { ProgramSchema } from '../ir/schema.js';
import { checkFileSet, type ProducedFile } from './file-set.js';
import { ExistingFiles } from './existing-files.js';
import { contentHash } from './hash.js';
import {
  MANIFEST_PATH,
  normalizeEntry,
  pristinePath,
  readPristine,
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

/**
 * Create `path` with `content`, in place (no temp file and rename: that
 * halves the file-system work). Only for the pristine store: its files are
 * named by the hash of their content and checked against it when read, so
 * one torn by a crash is never taken for a base (readPristine drops it).
 */
function writeNewFile(path: string, content: string): void {
  let fd: number;
  try {
    fd = openSync(path, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return; // stored already
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    mkdirSync(dirname(path), { recursive: true });
    fd = openSync(path, 'wx');
  }
  try {
    writeFileSync(fd, content); // writes it all (writeSync may stop short)
  } catch (error) {
    closeSync(fd);
    unlinkSync(path);
    throw error;
  }
  closeSync(fd);
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
  return a === b || (a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]));
}

// dependsOn sorted and without duplicates, once per list object (an
// incremental build hands the same unchanged files, and lists, every time)
const normalLists = new WeakMap<readonly string[], { list: string[]; key: string }>();
function normalDependsOn(dependsOn: readonly string[]): { list: string[]; key: string } {
  let normal = normalLists.get(dependsOn);
  if (normal === undefined) {
    const list = [...new Set(dependsOn)].sort();
    normalLists.set(dependsOn, (normal = { list, key: list.join('\n') }));
  }
  return normal;
}

// The manifest entry each produced file object got when it was emitted: an
// incremental build hands the same objects again for what it carried over.
const recorded = new WeakMap<object, ManifestEntry>();
// Entries whose file was in place when the emit that kept them ended (it was
// written, merged or seen there); a later emit that kept the entry unchanged
// (a conflict, a failed write) never removed the file either.
const leftInPlace = new WeakSet<ManifestEntry>();

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
      .map((f) => ('backend' in f ? f : { backend: 'backend', ...f })),
  );
  summary.diagnostics.push(...checked.diagnostics);

  const next = new Map<string, ManifestEntry>();
  // pristine contents by hash: what is known in memory (the previous run's
  // output, a version 1 manifest) and what the next run will know
  const known = previous.pristine ?? new Map<string, string>();
  const legacy = previous.legacy === true;
  const nextPristine = new Map<string, string>();
  /** Whether `text` is the pristine content of `entry` (a string compare when known, else its hash). */
  const isPristine = (entry: ManifestEntry, text: string): boolean => {
    const pristine = known.get(entry.hash);
    return pristine !== undefined ? pristine === text : contentHash(text) === entry.hash;
  };
  /** Put `content` in the store under `hash` unless it is there already. */
  const existing = new ExistingFiles(previous.folders);
  const store = (hash: string, content: string): void => {
    const target = join(out, pristinePath(hash));
    // new contents (a few per edit) and, in a fresh process, every unchanged
    // one (to restore a lost file): a stat is cheaper than a failed exclusive open
    if (!existsSync(target)) writeNewFile(target, content);
  };
  const depsHashes = new Map<string, string>(); // many files share one dependsOn list
  // parts whose hash is the same as in the previous manifest: a dependsOn
  // list made only of those keeps the hash it had last run (no rehash)
  const stillParts = new Set<string>();
  for (const key of Object.keys(parts)) if (previous.parts[key] === parts[key]) stillParts.add(key);
  let dirty = !sameRecord(previous.parts, parts);
  /** The hash of the parts a (normalized) dependsOn list names, once per list. */
  const depsHashOf = (dependsOn: readonly string[], depsKey: string): string => {
    let deps = depsHashes.get(depsKey);
    if (deps === undefined) {
      const last = previous.dependencyHashes?.get(depsKey);
      deps =
        last !== undefined && dependsOn.length > 0 && dependsOn.every((d) => stillParts.has(d))
          ? last
          : dependencyHash(dependsOn, parts);
      depsHashes.set(depsKey, deps);
    }
    return deps;
  };
  const fail = (code: 'BC8001' | 'BC8008', path: string, error: unknown) =>
    summary.diagnostics.push(
      makeDiagnostic(code, undefined, { path, reason: (error as Error).message }),
    );

  let current: ProducedFile | undefined; // the file the loop below is at
  // output paths are checked (relative, no `.`/`..`/empty segments): appending
  // them to the normalized root is what join() would do, without its cost per file
  const root = normalize(out).replace(/\/+$/, '');
  for (const file of checked.files) {
    current = file;
    const target = `${root}/${file.path}`;
    const prev = previous.files.get(file.path);
    // the very file object this entry was recorded for (an incremental build
    // carries a backend's unaffected files over): same content, mode and
    // dependsOn; only the hash of its parts and its presence on disk can differ
    if (prev !== undefined && recorded.get(file) === prev && prev.ownership === 'generated') {
      const { list, key } = normalDependsOn(file.dependsOn);
      if (depsHashOf(list, key) === prev.deps && existing.has(target, true)) {
        nextPristine.set(prev.hash, file.content);
        summary.unchanged.push(file.path);
        next.set(file.path, prev);
        continue;
      }
    }
    const mode = file.mode ?? 0o644;
    try {
      if (file.ownership !== 'generated') {
        // user stubs and migration revisions: created when missing, never rewritten
        const entry =
          prev?.ownership === file.ownership && prev.mode === undefined && !prev.dependsOn
            ? prev // the same entry: nothing to record
            : normalizeEntry({
                ownership: file.ownership,
                hash: prev?.ownership === file.ownership ? prev.hash : contentHash(file.content),
              });
        if (existing.has(target)) summary.unchanged.push(file.path);
        else {
          writeFileAtomic(target, file.content, mode);
          summary.written.push(file.path);
        }
        keep(file.path, prev, entry);
        continue;
      }
      const { list: dependsOn, key: depsKey } = normalDependsOn(file.dependsOn);
      const deps = depsHashOf(dependsOn, depsKey);
      if (prev?.ownership === 'generated' && isPristine(prev, file.content)) {
        // same output as last time: the user's edits (if any) stay as they are
        nextPristine.set(prev.hash, file.content);
        // a fresh process knows no pristine contents: make sure the store
        // has this one (a lost or torn pristine file comes back)
        if (legacy || !known.has(prev.hash)) store(prev.hash, file.content);
        if (!existing.has(target, leftInPlace.has(prev))) {
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
      });
      const onDisk = readIfExists(target);
      const untouched =
        onDisk !== undefined && prev?.ownership === 'generated' && isPristine(prev, onDisk);
      if (onDisk === undefined || untouched) {
        writeFileAtomic(target, file.content, mode);
        summary.written.push(file.path);
        keep(file.path, prev, entry, file.content);
      } else if (onDisk === file.content) {
        if (prev === undefined || (prev.mode ?? 0o644) !== mode) chmodSync(target, mode);
        summary.unchanged.push(file.path);
        keep(file.path, prev, entry, file.content);
      } else {
        // no base (never ours, or its pristine content is lost): treated as not ours
        const base =
          prev?.ownership === 'generated'
            ? (known.get(prev.hash) ?? readPristine(out, prev.hash))
            : undefined;
        const merged = base === undefined ? undefined : mergeThreeWay(base, onDisk, file.content);
        if (merged?.clean) {
          writeFileAtomic(target, merged.text, mode);
          summary.written.push(file.path);
          summary.merged.push(file.path);
          keep(file.path, prev, entry, file.content);
        } else if (options.force) {
          const saved = freeOrigName(target);
          writeFileAtomic(`${target}${saved}`, onDisk, mode);
          summary.saved.push(`${file.path}${saved}`);
          writeFileAtomic(target, file.content, mode);
          summary.written.push(file.path);
          keep(file.path, prev, entry, file.content);
        } else {
          summary.conflicts.push(file.path);
          summary.diagnostics.push(
            makeDiagnostic(base === undefined ? 'BC8005' : 'BC8004', undefined, {
              path: file.path,
            }),
          );
          // keep the old base so the next build tries the merge again
          if (prev) keepOld(file.path, prev);
        }
      }
    } catch (error) {
      fail('BC8001', file.path, error);
      if (prev) keepOld(file.path, prev);
    }
  }

  current = undefined;
  for (const [path, prev] of previous.files) {
    if (next.has(path)) continue;
    dirty = true;
    if (prev.ownership !== 'generated') continue;
    const target = join(out, path);
    try {
      const onDisk = readIfExists(target);
      if (onDisk === undefined) continue;
      if (!isPristine(prev, onDisk)) {
        summary.kept.push(path);
        summary.diagnostics.push(makeDiagnostic('BC8006', undefined, { path }));
        continue;
      }
      unlinkSync(target);
      summary.removed.push(path);
      pruneEmptyDirectories(out, dirname(target));
    } catch (error) {
      fail('BC8008', path, error);
      keepOld(path, prev);
    }
  }

  const manifest: Manifest = {
    parts: sortedRecord(parts),
    files: next,
    pristine: nextPristine,
    dependencyHashes: depsHashes,
  };
  // entries went in in path order, unless a removal had to keep an old one
  const paths = [...next.keys()];
  if (paths.some((path, i) => i > 0 && paths[i - 1]! > path)) {
    manifest.files = new Map();
    for (const path of paths.sort()) manifest.files.set(path, next.get(path)!);
  }
  summary.manifest = manifest;
  if (dirty || previous.legacy || !existsSync(join(out, MANIFEST_PATH))) {
    try {
      writeFileAtomic(join(out, MANIFEST_PATH), manifestChunks(manifest));
    } catch (error) {
      fail('BC8001', MANIFEST_PATH, error);
      return; // the manifest on disk still refers to the old contents: keep them
    }
    // contents no entry refers to any more leave the store
    const referenced = new Set<string>();
    for (const entry of next.values())
      if (entry.ownership === 'generated') referenced.add(entry.hash);
    for (const prev of previous.files.values()) {
      if (prev.ownership !== 'generated' || referenced.has(prev.hash)) continue;
      referenced.add(prev.hash); // once
      try {
        unlinkSync(join(out, pristinePath(prev.hash)));
      } catch {
        // already gone (or never stored: a version 1 manifest)
      }
    }
  }
  // every write is done: what the output folders look like now
  manifest.folders = existing.stampFolders();

  /** Keep `entry` for `path`; a generated entry's content goes to the store when new. */
  function keep(
    path: string,
    prev: ManifestEntry | undefined,
    entry: ManifestEntry,
    content?: string,
  ): void {
    if (entry !== prev) dirty = true;
    // the entry describes this file object's content: next time the same object needs no checks
    if (entry.ownership === 'generated' && current?.path === path) recorded.set(current, entry);
    leftInPlace.add(entry);
    if (content !== undefined) {
      store(entry.hash, content);
      nextPristine.set(entry.hash, content);
    }
    next.set(path, entry);
  }

  /** Keep the previous entry as it is (a conflict, a failed write or removal). */
  function keepOld(path: string, prev: ManifestEntry): void {
    const pristine = known.get(prev.hash);
    if (pristine !== undefined) nextPristine.set(prev.hash, pristine);
    if (legacy && pristine !== undefined && prev.ownership === 'generated')
      store(prev.hash, pristine);
    next.set(path, prev);
  }
}

/** `.orig`, or `.orig.1`, `.orig.2`… when an earlier --force already saved one: never overwrite a saved file. */
function freeOrigName(target: string): string {
  if (!existsSync(`${target}.orig`)) return '.orig';
  for (let n = 1; ; n++) if (!existsSync(`${target}.orig.${n}`)) return `.orig.${n}`;
}

function sameRecord(a: Record<string, string>, b: Record<string, string>): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) if (a[key] !== b[key]) return false;
  return true;
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
