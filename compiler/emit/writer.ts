// The only module that writes to disk. For every file the backends produced:
//   generated  written when its content changed; a file the user edited is
//              three-way merged (last pristine, theirs, new) — a conflict
//              leaves theirs untouched and reports BC8004 (--force writes
//              the new output and keeps theirs as <name>.orig);
//   user       created once (when missing), never rewritten or removed;
//   history    migration revisions: the same, and skipped by `bitcup dev`.
// Generated files no longer produced are removed unless the user edited them.
// The emitter's memory (manifest.ts) is written last, after every output file:
//   - an emit that changes entries of a manifest.json on disk appends one
//     record to its journal, the new pristine contents (merge bases) in it;
//   - otherwise (no usable manifest.json, a torn or stale journal, or one
//     that would grow past its limit) it compacts: new contents go to the
//     content-addressed store (.bitcup/pristine/<sha256>), then manifest.json
//     is written whole, and only then are the journal and the store files no
//     entry refers to removed.
// A crash before that record leaves output the next build takes for a user
// edit of the old base (equal to its new output when the model is the same:
// nothing to merge). Output files and manifest.json are written atomically
// (temp file + rename); store files and journal records are checked when read.
// Files carried over from the last emit (the same objects) cost a few map
// lookups each: their entry is kept as it is unless their parts hash moved
// or the file is gone from disk (a deleted generated file comes back).
// Never throws: I/O errors become diagnostics and the rest carries on.
import {
  chmodSync,
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  renameSync,
  rmdirSync,
  statSync,
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
  JOURNAL_PATH,
  JOURNAL_RECORDS,
  MANIFEST_PATH,
  PRISTINE_DIR,
  journalHeader,
  journalLimit,
  journalRecord,
  manifestChunks,
  normalizeEntry,
  pristinePath,
  readManifest,
  readPristine,
  referenceCounts,
  sha256,
  type Manifest,
  type ManifestEntry,
  type JournalContent,
  type ManifestOnDisk,
} from './manifest.js';
import { mergeThreeWay } from './merge.js';
import { changedParts as partsChangedBetween } from '../incremental/parts.js';

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
  /**
   * files carried over from the previous emit (the same objects) none of
   * whose declared parts changed since (incremental/builder.ts): the parts
   * hash their entry holds is still right, so it is not computed again
   */
  unaffected?: ReadonlySet<GeneratedFile | ProducedFile>;
  /** with `manifest`: the parts whose hash differs from `manifest.parts` (the caller knows them) */
  changedParts?: ReadonlySet<string>;
  /** bytes the manifest's journal may grow to before it is compacted (tests); journalLimit() by default */
  journalLimit?: number;
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
    writeAll(fd, chunks);
  } finally {
    closeSync(fd);
  }
}

/** Write every chunk, in order, at the file's position (or its end, opened for appending). */
function writeAll(fd: number, chunks: Buffer[]): void {
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

/** Whether two string lists are the same, in order (a missing first list is not). */
export function sameList(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a === b || (a !== undefined && a.length === b.length && a.every((x, i) => x === b[i]));
}

// dependsOn sorted and without duplicates, and that list joined with \n (a
// key), once per list object (an incremental build hands the same unchanged
// files, and lists, every time)
const normalLists = new WeakMap<readonly string[], [list: string[], key: string]>();
function depsOf(dependsOn: readonly string[]): [list: string[], key: string] {
  let normal = normalLists.get(dependsOn);
  if (normal === undefined) {
    const list = [...new Set(dependsOn)].sort();
    normalLists.set(dependsOn, (normal = [list, list.join('\n')]));
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

  // The next manifest starts as a copy of the previous one: only entries
  // that differ are touched (and listed in changedPaths, for the journal).
  const next = new Map(previous.files);
  const changedPaths: string[] = [];
  // pristine contents by hash: what is known in memory (the previous run's
  // output, the journal, a version 1 manifest) and what the next run will know
  const known = previous.pristine ?? new Map<string, string>();
  const nextPristine = new Map(known);
  const legacy = previous.legacy === true;
  // generated entries per pristine hash, before and after this emit
  const previousRefs = previous.refs ?? referenceCounts(previous.files);
  const refs = new Map(previousRefs);
  const unstored = new Set(previous.unstored);
  /** Whether `text` is the pristine content of `entry` (a string compare when known, else its hash). */
  const isPristine = (entry: ManifestEntry, text: string): boolean => {
    const pristine = known.get(entry.hash);
    return pristine !== undefined ? pristine === text : contentHash(text) === entry.hash;
  };
  // output paths are checked (relative, no `.`/`..`/empty segments): appending
  // them to the normalized root is what join() would do, without its cost per file
  const root = normalize(out).replace(/\/+$/, '');
  const existing = new ExistingFiles(root, previous.folders);
  /** Put `content` in the store under `hash` unless it is there already. */
  const store = (hash: string, content: string): void => {
    const target = join(out, pristinePath(hash));
    // new contents and, in a fresh process, every unchanged one (to restore
    // a lost file): a stat is cheaper than a failed exclusive open
    if (!existsSync(target)) writeNewFile(target, content);
  };
  // parts whose hash is not the one of the previous manifest (added and removed ones included)
  const changedParts =
    options.manifest && options.changedParts
      ? options.changedParts
      : partsChangedBetween(previous.parts, parts);
  const unchangedParts = (dependsOn: readonly string[]): boolean =>
    dependsOn.every((d) => !changedParts.has(d) && Object.hasOwn(parts, d));
  const depsHashes = new Map<string, string>(); // many files share one dependsOn list
  /** The hash of the parts a (normalized) dependsOn list names, once per list. */
  const depsHashOf = (dependsOn: readonly string[], depsKey: string): string => {
    let deps = depsHashes.get(depsKey);
    if (deps === undefined) {
      // a list made only of unchanged parts keeps the hash it had last run (no rehash)
      const last = previous.dependencyHashes?.get(depsKey);
      deps =
        last !== undefined && dependsOn.length > 0 && unchangedParts(dependsOn)
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
  let matched = 0; // produced paths the previous manifest has an entry for
  for (const file of checked.files) {
    const prev = previous.files.get(file.path);
    if (prev !== undefined) {
      matched++;
      // The very file object this entry was recorded for (an incremental
      // build carries a backend's unaffected files over): same content, mode
      // and dependsOn, and the entry's parts hash is the one of the previous
      // manifest's parts (see keepOld). Only that hash and the file's
      // presence on disk can differ; when neither does, nothing to do.
      if (
        recorded.get(file) === prev &&
        (options.unaffected?.has(file) === true ||
          depsHashOf(...depsOf(file.dependsOn)) === prev.deps) &&
        existing.has(file.path, true)
      ) {
        summary.unchanged.push(file.path);
        continue;
      }
    }
    current = file;
    const target = `${root}/${file.path}`;
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
        if (existing.has(file.path)) summary.unchanged.push(file.path);
        else {
          writeFileAtomic(target, file.content, mode);
          summary.written.push(file.path);
        }
        keep(file.path, prev, entry);
        continue;
      }
      const [dependsOn, depsKey] = depsOf(file.dependsOn);
      const deps = depsHashOf(dependsOn, depsKey);
      if (prev?.ownership === 'generated' && isPristine(prev, file.content)) {
        // same output as last time: the user's edits (if any) stay as they are
        nextPristine.set(prev.hash, file.content);
        // a fresh process knows no pristine contents: make sure the store
        // has this one (a lost or torn pristine file comes back)
        if (!known.has(prev.hash)) store(prev.hash, file.content);
        if (!existing.has(file.path, leftInPlace.has(prev))) {
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
      const untouchedByUser =
        onDisk !== undefined && prev?.ownership === 'generated' && isPristine(prev, onDisk);
      if (onDisk === undefined || untouchedByUser) {
        writeFileAtomic(target, file.content, mode);
        summary.written.push(file.path);
        keep(file.path, prev, entry, file.content);
      } else if (onDisk === file.content) {
        // (also what a crash leaves: the file written, the manifest's record of it lost)
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
          if (prev) keepOld(file.path);
        }
      }
    } catch (error) {
      fail('BC8001', file.path, error);
      if (prev) keepOld(file.path);
    }
  }

  current = undefined;
  if (matched < previous.files.size) {
    // generated files no longer produced (sorted: the summary and diagnostics
    // come in the same order whatever order the manifest was built in)
    const gone = [...previous.files.keys()].filter((path) => !checked.byPath.has(path)).sort();
    for (const path of gone) {
      const prev = previous.files.get(path)!;
      if (prev.ownership === 'generated' && !removeGenerated(path, prev)) continue; // kept
      next.delete(path);
      changedPaths.push(path);
      if (prev.ownership === 'generated') unref(prev.hash);
    }
  }

  const manifest: Manifest = {
    parts,
    files: next,
    pristine: nextPristine,
    dependencyHashes: depsHashes,
    refs,
    unstored,
  };
  if (previous.disk) manifest.disk = previous.disk;
  summary.manifest = manifest;

  // what changed, as the journal records it
  const partChanges: [string, string | null][] = [...changedParts].map((key) => [
    key,
    Object.hasOwn(parts, key) ? parts[key]! : null,
  ]);
  const fileChanges: [string, ManifestEntry | null][] = [];
  // contents no entry of the previous manifest referred to (with, for the
  // journal, the previous content of their file when a record has it)
  const added = new Map<string, JournalContent>();
  const dropped = new Set<string>(); // hashes no entry refers to any more
  for (const path of changedPaths) {
    const prev = previous.files.get(path);
    const entry = next.get(path);
    if (prev !== undefined && entry !== undefined && sameEntry(prev, entry)) continue;
    fileChanges.push([path, entry ?? null]);
    if (prev?.ownership === 'generated' && !refs.has(prev.hash)) dropped.add(prev.hash);
    if (entry?.ownership === 'generated' && !previousRefs.has(entry.hash)) {
      const text = nextPristine.get(entry.hash); // (a new entry comes with its content)
      // only a base the journal holds (what a replay has, warm or not)
      const baseText =
        prev?.ownership === 'generated' && previous.unstored?.has(prev.hash)
          ? known.get(prev.hash)
          : undefined;
      if (text !== undefined && !added.has(entry.hash))
        added.set(entry.hash, {
          hash: entry.hash,
          text,
          base: baseText === undefined ? undefined : { hash: prev!.hash, text: baseText },
        });
    }
  }
  for (const hash of dropped) nextPristine.delete(hash);

  // Append to the journal when manifest.json (and the journal) on disk are
  // what the previous manifest was read from or written to; otherwise, or
  // when the journal would grow too big, write manifest.json whole. These
  // choices depend on the disk and the model only (a warm builder and a
  // fresh process leave the same bytes).
  const disk = previous.disk;
  let compact = !disk || legacy || disk.compact;
  if (!compact && (partChanges.length > 0 || fileChanges.length > 0)) {
    const record = journalRecord(partChanges, fileChanges, added.values());
    if (disk!.journal === 0) record.unshift(Buffer.from(journalHeader(disk!.hash)));
    const size = record.reduce((n, chunk) => n + chunk.length, 0);
    if (
      disk!.records >= JOURNAL_RECORDS ||
      disk!.journal + size > (options.journalLimit ?? journalLimit(disk!.bytes))
    )
      compact = true;
    else {
      let appended: boolean;
      try {
        appended = appendJournal(out, disk!, record);
      } catch (error) {
        // a torn record may be there: the next emit compacts; what is new is only in memory
        fail('BC8001', JOURNAL_PATH, error);
        for (const hash of added.keys()) unstored.add(hash);
        manifest.disk = { ...disk!, compact: true };
        return;
      }
      if (appended) {
        for (const hash of added.keys()) unstored.add(hash);
        manifest.disk = { ...disk!, journal: disk!.journal + size, records: disk!.records + 1 };
      } else compact = true; // changed on disk behind our back
    }
  } else if (!compact && !existsSync(join(out, MANIFEST_PATH))) compact = true;

  if (compact) {
    try {
      // contents the store lacks go in before manifest.json refers to them
      for (const { hash, text } of added.values()) store(hash, text);
      for (const hash of unstored) {
        const content = nextPristine.get(hash);
        if (content !== undefined && refs.has(hash)) store(hash, content);
      }
      if (legacy)
        for (const hash of refs.keys()) {
          const content = nextPristine.get(hash);
          if (content !== undefined) store(hash, content);
        }
      const chunks = manifestChunks(manifest);
      writeFileAtomic(join(out, MANIFEST_PATH), chunks);
      manifest.disk = {
        bytes: chunks.reduce((n, chunk) => n + chunk.length, 0),
        hash: sha256(chunks),
        journal: 0,
        records: 0,
        compact: false,
      };
    } catch (error) {
      fail('BC8001', MANIFEST_PATH, error);
      for (const hash of added.keys()) unstored.add(hash);
      if (manifest.disk) manifest.disk = { ...manifest.disk, compact: true };
      return; // the manifest on disk still refers to the old contents: keep them
    }
    manifest.unstored = new Set();
    try {
      unlinkSync(join(out, JOURNAL_PATH));
    } catch {
      // no journal (or a stale one: its first line names another manifest.json)
    }
    // contents no entry refers to any more leave the store, only now: every
    // prefix of the journal just removed (what a replay after a crash could
    // give) still found its merge bases in the store
    removeUnreferencedPristine(out, refs);
  }
  for (const hash of dropped) manifest.unstored?.delete(hash);
  // every write is done: what the output folders look like now
  manifest.folders = existing.stampFolders();

  /** Keep `entry` for `path` (the previous entry or a new one); a generated entry's content is known. */
  function keep(
    path: string,
    prev: ManifestEntry | undefined,
    entry: ManifestEntry,
    content?: string,
  ): void {
    // the entry describes this file object's content: next time the same object needs no checks
    if (entry.ownership === 'generated' && current?.path === path) recorded.set(current, entry);
    leftInPlace.add(entry);
    if (content !== undefined) nextPristine.set(entry.hash, content);
    if (entry === prev) return;
    next.set(path, entry);
    changedPaths.push(path);
    if (prev?.ownership === 'generated') unref(prev.hash);
    if (entry.ownership === 'generated') refs.set(entry.hash, (refs.get(entry.hash) ?? 0) + 1);
  }

  /**
   * Keep the previous entry as it is (a conflict, a failed write): `next`
   * has it already. Its parts hash may now be out of date, so the file
   * object is no longer vouched for by it (the fast path above).
   */
  function keepOld(path: string): void {
    if (current?.path === path) recorded.delete(current);
  }

  function unref(hash: string): void {
    const count = (refs.get(hash) ?? 1) - 1;
    if (count > 0) refs.set(hash, count);
    else refs.delete(hash);
  }

  /** Remove a generated file no longer produced; false when it has to stay in the manifest. */
  function removeGenerated(path: string, prev: ManifestEntry): boolean {
    const target = join(out, path);
    try {
      const onDisk = readIfExists(target);
      if (onDisk === undefined) return true;
      if (!isPristine(prev, onDisk)) {
        summary.kept.push(path);
        summary.diagnostics.push(makeDiagnostic('BC8006', undefined, { path }));
        return true;
      }
      unlinkSync(target);
      summary.removed.push(path);
      pruneEmptyDirectories(out, dirname(target));
      return true;
    } catch (error) {
      fail('BC8008', path, error);
      return false;
    }
  }
}

/**
 * Append `line` to the journal if manifest.json and the journal on disk are
 * the ones `disk` describes (false otherwise: the caller compacts).
 */
function appendJournal(out: string, disk: ManifestOnDisk, record: Buffer[]): boolean {
  // (a size check: hashing manifest.json would cost what the journal saves)
  const manifest = statSync(join(out, MANIFEST_PATH), { throwIfNoEntry: false });
  if (manifest?.size !== disk.bytes) return false;
  const fd = openSync(join(out, JOURNAL_PATH), 'a');
  try {
    if (fstatSync(fd).size !== disk.journal) return false;
    writeAll(fd, record);
  } finally {
    closeSync(fd);
  }
  return true;
}

/** Parts whose hash differs between `before` and `after` (added and removed ones included). */
function sameEntry(a: ManifestEntry, b: ManifestEntry): boolean {
  return a === b || JSON.stringify(normalizeEntry(a)) === JSON.stringify(normalizeEntry(b));
}

/** `.orig`, or `.orig.1`, `.orig.2`… when an earlier --force already saved one: never overwrite a saved file. */
function freeOrigName(target: string): string {
  if (!existsSync(`${target}.orig`)) return '.orig';
  for (let n = 1; ; n++) if (!existsSync(`${target}.orig.${n}`)) return `.orig.${n}`;
}

/** Remove the store's files that no entry refers to. */
function removeUnreferencedPristine(out: string, refs: ReadonlyMap<string, number>): void {
  let names: string[];
  try {
    names = readdirSync(join(out, PRISTINE_DIR));
  } catch {
    return; // no store
  }
  for (const name of names) {
    if (refs.has(name) || !/^[0-9a-f]{64}$/.test(name)) continue;
    try {
      unlinkSync(join(out, PRISTINE_DIR, name));
    } catch {
      // gone already
    }
  }
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
