// The emitter's memory, `<out>/.bitcup/manifest.json`: for every file a build
// produced, its owner and hash, and for generated files the IR parts it
// depends on. The pristine content last generated (the base of the three-way
// merge) is kept content-addressed in `<out>/.bitcup/pristine/<sha256>`:
// written once per new content, so a one-entity edit writes a few small files
// instead of every file's text again. Serialized with a fixed key order and
// sorted paths, one file per line, so the same output gives the same bytes.
// Entries are immutable: the serialized line of an unchanged entry is reused
// (incremental builds). Version 1 manifests (contents inline) are read and
// moved to the store by the next build.
//
// The journal, `<out>/.bitcup/journal`: an emit that changes a few entries
// of a manifest.json on disk appends one record instead of rewriting the
// whole file (1 MB for 2,500 files): the parts and entries that changed
// (removed ones as null) as one JSON line, then the pristine contents the
// new entries brought, as they are — or, for one whose previous version is
// in the journal, only what changed — so such an emit writes no store file.
// Its first line names the sha256 of the manifest.json it extends: a journal
// left behind by a crash after a new manifest.json was written is stale and
// ignored. readManifest replays the records in order; one cut short (a crash
// mid-append) ends the replay, and the next emit compacts (writes
// manifest.json whole, stores the contents only the journal had, removes
// the journal and then the store files no entry refers to), as it does when
// the journal would grow past journalLimit() or JOURNAL_RECORDS.
import { createHash } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import type { FolderStamps } from './existing-files.js';
import { join } from 'node:path';
import { z } from 'zod';
import type { FileOwnership } from '../backends/types.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { makeDiagnostic } from '../diagnostics/collector.js';
import { contentHash } from './hash.js';

export const MANIFEST_DIR = '.bitcup';
export const MANIFEST_PATH = `${MANIFEST_DIR}/manifest.json`;
export const PRISTINE_DIR = `${MANIFEST_DIR}/pristine`;
export const MANIFEST_VERSION = 2;
export const JOURNAL_PATH = `${MANIFEST_DIR}/journal`;
const JOURNAL_VERSION = 1;

/**
 * How many records the journal may hold before the next emit compacts it:
 * a record may tell a content as a change of an earlier one, and a replay
 * rebuilds each such content (~1 ms per bench record: four whole-model
 * files). 64: a fresh process replays in ~70 ms at most (~15 ms for
 * manifest.json alone), and one compaction every 64 edits costs ~1 ms per edit.
 */
export const JOURNAL_RECORDS = 64;

/**
 * How big (bytes) the journal may grow before the next emit compacts it:
 * four times manifest.json, and at least 16 MB. The first bench edit after
 * a compaction appends ~1 MB, the whole pristine text of the whole-model
 * files it rewrites (schema.sql, conftest.py, types.ts, manage.py); the
 * next ones only what changed in them (~35 KB). A compaction costs about
 * what every edit cost before the journal (manifest.json whole, the store
 * files, a listing of the store). Reading 16 MB of journal is a read and a
 * UTF-8 decode of the contents (they are not JSON-escaped), ~15 ms.
 */
export function journalLimit(manifestBytes: number): number {
  return Math.max(16 * 1024 * 1024, 4 * manifestBytes);
}

/** Path (relative to out) of the pristine content whose sha256 is `hash`. */
export function pristinePath(hash: string): string {
  return `${PRISTINE_DIR}/${hash}`;
}

/**
 * The pristine content stored under `hash`; undefined when it is missing or
 * does not match its hash (a wrong merge base could drop a user's edit).
 */
export function readPristine(out: string, hash: string): string | undefined {
  if (!/^[0-9a-f]{64}$/.test(hash)) return undefined;
  try {
    const path = join(out, pristinePath(hash));
    const text = readFileSync(path, 'utf8');
    if (contentHash(text) === hash) return text;
    // torn (the store is written in place, see writer.ts): remove it, so the
    // next build that produces this content stores it again
    unlinkSync(path);
    return undefined;
  } catch {
    return undefined;
  }
}

export interface ManifestEntry {
  readonly ownership: FileOwnership;
  /** sha256 of the content last generated */
  readonly hash: string;
  /** generated files: POSIX mode */
  readonly mode?: number;
  /** generated files: the IR parts the file depends on, as the backend declared them */
  readonly dependsOn?: readonly string[];
  /** generated files: hash of those parts' hashes when the file was generated */
  readonly deps?: string;
}

export interface Manifest {
  /** hash of every IR part of the program last built (see incremental/parts.ts) */
  parts: Record<string, string>;
  files: Map<string, ManifestEntry>;
  /**
   * in memory only: pristine contents by hash that this process already
   * knows (what it last generated or read), so an unchanged file is compared
   * as a string instead of being hashed or read from the store
   */
  pristine?: Map<string, string>;
  /** in memory only: dependency hash by sorted dependsOn list (joined with \n), computed with `parts` */
  dependencyHashes?: Map<string, string>;
  /** in memory only: output folders' times when the emit that made this manifest ended */
  folders?: FolderStamps;
  /** read from a version 1 manifest: the store must be filled from `pristine` */
  legacy?: boolean;
  /** in memory only: how many generated entries refer to each pristine hash */
  refs?: Map<string, number>;
  /**
   * in memory only: referenced hashes whose pristine content is not in the
   * store — it is in the journal (or, after a failed write, only in
   * `pristine`): a compaction stores them
   */
  unstored?: Set<string>;
  /** in memory only: what is on disk of this manifest (absent: no manifest.json) */
  disk?: ManifestOnDisk;
}

export interface ManifestOnDisk {
  /** manifest.json's size in bytes */
  bytes: number;
  /** manifest.json's sha256 (the journal's first line names it) */
  hash: string;
  /** the journal's size in bytes (0: no journal) */
  journal: number;
  /** how many records the journal holds */
  records: number;
  /** the next emit writes manifest.json whole: the journal is torn, stale or unreadable, or a write failed */
  compact: boolean;
}

const EntrySchema = z.object({
  ownership: z.enum(['generated', 'user', 'history']),
  hash: z.string(),
  mode: z.number().int().optional(),
  dependsOn: z.array(z.string()).optional(),
  deps: z.string().optional(),
  content: z.string().optional(),
});

const ManifestSchema = z.object({
  version: z.union([z.literal(1), z.literal(MANIFEST_VERSION)]),
  parts: z.record(z.string(), z.string()),
  files: z.record(z.string(), EntrySchema),
});

export function emptyManifest(): Manifest {
  return { parts: {}, files: new Map() };
}

/** The manifest of `out` (manifest.json, then its journal); empty (and a warning when it exists but is unusable) otherwise. */
export function readManifest(out: string): { manifest: Manifest; diagnostics: Diagnostic[] } {
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(out, MANIFEST_PATH));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { manifest: emptyManifest(), diagnostics: [] };
    return unusable(error as Error);
  }
  try {
    const parsed = ManifestSchema.safeParse(JSON.parse(bytes.toString('utf8')));
    if (!parsed.success) return unusable(new Error('it does not match its schema'));
    const files = new Map<string, ManifestEntry>();
    const pristine = new Map<string, string>();
    for (const path of Object.keys(parsed.data.files).sort()) {
      const { content, ...entry } = parsed.data.files[path]!;
      // a version 1 entry's inline content is its pristine text (checked against its hash)
      if (
        content !== undefined &&
        entry.ownership === 'generated' &&
        contentHash(content) === entry.hash
      )
        pristine.set(entry.hash, content);
      files.set(path, normalizeEntry(entry));
    }
    const disk: ManifestOnDisk = {
      bytes: bytes.length,
      hash: sha256([bytes]),
      journal: 0,
      records: 0,
      compact: false,
    };
    const manifest: Manifest = { parts: parsed.data.parts, files, pristine, disk };
    // a version 1 manifest is compacted by the next emit (no journal is ever written for one)
    const journal = parsed.data.version === 1 ? new Map<string, string>() : replay(out, manifest);
    if (parsed.data.version === 1) manifest.legacy = true;
    manifest.refs = referenceCounts(manifest.files);
    manifest.unstored = new Set();
    // the journal's contents still referenced (checked against their hash, like the store's)
    for (const [hash, text] of journal) {
      if (manifest.refs.has(hash) && contentHash(text) === hash) {
        pristine.set(hash, text);
        manifest.unstored.add(hash);
      }
    }
    return { manifest, diagnostics: [] };
  } catch (error) {
    return unusable(error as Error);
  }
}

const JournalHeaderSchema = z.object({ journal: z.literal(JOURNAL_VERSION), manifest: z.string() });
const Count = z.number().int().nonnegative();
const JournalRecordSchema = z.object({
  parts: z.record(z.string(), z.string().nullable()),
  files: z.record(z.string(), EntrySchema.nullable()),
  // a content's byte length, or a change of an earlier record's content:
  // its first `prefix` and last `suffix` characters, and `bytes` in between
  pristine: z.record(
    z.string(),
    z.union([Count, z.object({ base: z.string(), prefix: Count, suffix: Count, bytes: Count })]),
  ),
});
const NEWLINE = 0x0a;

/**
 * Apply the journal's records to `manifest` (read from manifest.json), in
 * order; returns the pristine contents they carried, by hash. A journal that
 * extends another manifest.json (stale), or a record that is cut short or
 * does not parse (torn), ends the replay and sets `disk.compact`.
 */
function replay(out: string, manifest: Manifest): Map<string, string> {
  const disk = manifest.disk!;
  const contents = new Map<string, string>();
  let bytes: Buffer;
  try {
    bytes = readFileSync(join(out, JOURNAL_PATH));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') disk.compact = true;
    return contents;
  }
  disk.journal = bytes.length;
  let newPaths = false;
  // contents no entry refers to any more are dropped as the replay goes (a
  // later record's base is always one referenced when it was written)
  const refs = referenceCounts(manifest.files);
  for (let at = 0, first = true; at < bytes.length; first = false) {
    const end = bytes.indexOf(NEWLINE, at);
    const json = end < 0 ? undefined : parseLine(bytes.toString('utf8', at, end));
    if (first) {
      const header = JournalHeaderSchema.safeParse(json);
      if (!header.success || header.data.manifest !== disk.hash) {
        disk.compact = true;
        break;
      }
      at = end + 1;
      continue;
    }
    const parsed = JournalRecordSchema.safeParse(json);
    // the contents follow the record's line, then a newline
    const size = parsed.success
      ? Object.values(parsed.data.pristine).reduce<number>(
          (n, piece) => n + (typeof piece === 'number' ? piece : piece.bytes),
          0,
        )
      : 0;
    if (!parsed.success || bytes[end + 1 + size] !== NEWLINE) {
      disk.compact = true;
      break;
    }
    at = end + 1;
    for (const [hash, piece] of Object.entries(parsed.data.pristine)) {
      const length = typeof piece === 'number' ? piece : piece.bytes;
      const text = bytes.toString('utf8', at, at + length);
      at += length;
      if (typeof piece === 'number') contents.set(hash, text);
      else {
        // (a base it cannot find leaves the content unknown: that file then has no merge base)
        const base = contents.get(piece.base);
        if (base !== undefined && piece.prefix + piece.suffix <= base.length)
          contents.set(
            hash,
            base.slice(0, piece.prefix) + text + base.slice(base.length - piece.suffix),
          );
      }
    }
    at += 1;
    for (const [key, hash] of Object.entries(parsed.data.parts)) {
      if (hash === null) delete manifest.parts[key];
      else manifest.parts[key] = hash;
    }
    const unreferenced: string[] = [];
    for (const [path, entry] of Object.entries(parsed.data.files)) {
      const prev = manifest.files.get(path);
      if (prev?.ownership === 'generated') {
        const count = refs.get(prev.hash)! - 1;
        if (count > 0) refs.set(prev.hash, count);
        else {
          refs.delete(prev.hash);
          unreferenced.push(prev.hash);
        }
      }
      if (entry === null) manifest.files.delete(path);
      else {
        if (prev === undefined) newPaths = true;
        manifest.files.set(path, normalizeEntry(entry));
        if (entry.ownership === 'generated') refs.set(entry.hash, (refs.get(entry.hash) ?? 0) + 1);
      }
    }
    for (const hash of unreferenced) if (!refs.has(hash)) contents.delete(hash);
    disk.records++;
  }
  if (newPaths)
    manifest.files = new Map([...manifest.files].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return contents;
}

function parseLine(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch {
    return undefined;
  }
}

/** The journal's first line: it extends the manifest.json whose sha256 is `manifestHash`. */
export function journalHeader(manifestHash: string): string {
  return `${JSON.stringify({ journal: JOURNAL_VERSION, manifest: manifestHash })}\n`;
}

/** A pristine content for a journal record, and the content of an earlier record it may be told as a change of. */
export interface JournalContent {
  hash: string;
  text: string;
  base?: { hash: string; text: string } | undefined;
}

/**
 * One journal record, in pieces: a JSON line with the parts and entries that
 * changed (null: removed) and how each pristine content new entries refer to
 * follows (each sorted by key), then those contents as they are (no JSON
 * escaping: the bulk of a record), then a newline. A content with a base (an
 * earlier record's content, which a replay has in hand) is told as what
 * changed: the characters it shares with it at both ends are left out — an
 * edit rewrites whole-model files (schema.sql, types.ts…) in one place.
 */
export function journalRecord(
  parts: Iterable<[string, string | null]>,
  files: Iterable<[string, ManifestEntry | null]>,
  pristine: Iterable<JournalContent>,
): Buffer[] {
  const byKey = <T>(pairs: Iterable<[string, T]>): [string, T][] =>
    [...pairs].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const object = <T>(pairs: [string, T][], value: (v: T) => string): string =>
    `{${pairs.map(([key, v]) => `${JSON.stringify(key)}:${value(v)}`).join(',')}}`;
  const pieces = byKey([...pristine].map((content) => [content.hash, content] as const)).map(
    ([hash, { text, base }]): [string, { bytes: Buffer; json: string }] => {
      if (base === undefined) {
        const bytes = Buffer.from(text);
        return [hash, { bytes, json: String(bytes.length) }];
      }
      const prefix = commonPrefix(base.text, text);
      const suffix = commonSuffix(base.text, text, prefix);
      const bytes = Buffer.from(text.slice(prefix, text.length - suffix));
      const json = JSON.stringify({ base: base.hash, prefix, suffix, bytes: bytes.length });
      return [hash, { bytes, json }];
    },
  );
  const line = `{"parts":${object(byKey(parts), (h) => JSON.stringify(h))},"files":${object(
    byKey(files),
    (e) => (e === null ? 'null' : JSON.stringify(normalizeEntry(e))),
  )},"pristine":${object(pieces, (piece) => piece.json)}}\n`;
  return [Buffer.from(line), ...pieces.map(([, piece]) => piece.bytes), Buffer.from('\n')];
}

// Common ends of two strings, compared a chunk at a time (a string compare
// is a memcmp; a loop over 300,000 characters is not), never splitting a
// surrogate pair (the middle is written as UTF-8).
const STEPS = [65536, 4096, 256, 16, 1];

function commonPrefix(a: string, b: string): number {
  const max = Math.min(a.length, b.length);
  let n = 0;
  for (const step of STEPS)
    while (n + step <= max && a.slice(n, n + step) === b.slice(n, n + step)) n += step;
  if (n > 0 && isHighSurrogate(a.charCodeAt(n - 1))) n--;
  return n;
}

function commonSuffix(a: string, b: string, prefix: number): number {
  const max = Math.min(a.length, b.length) - prefix;
  let n = 0;
  for (const step of STEPS)
    while (
      n + step <= max &&
      a.slice(a.length - n - step, a.length - n) === b.slice(b.length - n - step, b.length - n)
    )
      n += step;
  if (n > 0 && isLowSurrogate(b.charCodeAt(b.length - n))) n--;
  return n;
}

const isHighSurrogate = (code: number) => code >= 0xd800 && code <= 0xdbff;
const isLowSurrogate = (code: number) => code >= 0xdc00 && code <= 0xdfff;

/** sha256 of bytes given in pieces (manifest.json as written). */
export function sha256(chunks: readonly Buffer[]): string {
  const hash = createHash('sha256');
  for (const chunk of chunks) hash.update(chunk);
  return hash.digest('hex');
}

/** How many generated entries refer to each pristine hash. */
export function referenceCounts(files: ReadonlyMap<string, ManifestEntry>): Map<string, number> {
  const refs = new Map<string, number>();
  for (const entry of files.values())
    if (entry.ownership === 'generated') refs.set(entry.hash, (refs.get(entry.hash) ?? 0) + 1);
  return refs;
}

function unusable(error: Error) {
  return {
    manifest: emptyManifest(),
    diagnostics: [
      makeDiagnostic('BC8007', undefined, { path: MANIFEST_PATH, reason: error.message }),
    ],
  };
}

/** An entry with its keys in the one serialized order (absent keys left out; content is never kept). */
export function normalizeEntry(entry: ManifestEntry): ManifestEntry {
  const normal: {
    ownership: FileOwnership;
    hash: string;
    mode?: number;
    dependsOn?: readonly string[];
    deps?: string;
  } = { ownership: entry.ownership, hash: entry.hash };
  if (entry.mode !== undefined) normal.mode = entry.mode;
  if (entry.dependsOn !== undefined) normal.dependsOn = entry.dependsOn;
  if (entry.deps !== undefined) normal.deps = entry.deps;
  return normal;
}

// The serialized line of each entry, as bytes: an unchanged entry is never
// stringified or encoded again, and the file is written from the pieces
// without joining them.
const serializedLines = new WeakMap<ManifestEntry, { path: string; bytes: Buffer }>();
const SEPARATOR = Buffer.from(',\n');

function entryLine(path: string, entry: ManifestEntry): Buffer {
  const cached = serializedLines.get(entry);
  if (cached?.path === path) return cached.bytes;
  const bytes = Buffer.from(
    `    ${JSON.stringify(path)}: ${JSON.stringify(normalizeEntry(entry))}`,
  );
  serializedLines.set(entry, { path, bytes });
  return bytes;
}

/** The manifest file's bytes, in pieces (write them with writev). */
// the serialized line of each part, by name, for its last hash
const partLines = new Map<string, { hash: string; line: string }>();

function partLine(key: string, hash: string): string {
  const cached = partLines.get(key);
  if (cached?.hash === hash) return cached.line;
  const line = `    ${JSON.stringify(key)}: ${JSON.stringify(hash)}`;
  partLines.set(key, { hash, line });
  return line;
}

export function manifestChunks(manifest: Manifest): Buffer[] {
  const parts = Object.keys(manifest.parts)
    .sort()
    .map((key) => partLine(key, manifest.parts[key]!));
  const chunks: Buffer[] = [
    Buffer.from(
      `{\n  "version": ${MANIFEST_VERSION},\n  "parts": ${parts.length ? `{\n${parts.join(',\n')}\n  }` : '{}'},\n  "files": `,
    ),
  ];
  const paths = [...manifest.files.keys()].sort();
  if (paths.length === 0) chunks.push(Buffer.from('{}'));
  else {
    chunks.push(Buffer.from('{\n'));
    paths.forEach((path, i) => {
      if (i > 0) chunks.push(SEPARATOR);
      chunks.push(entryLine(path, manifest.files.get(path)!));
    });
    chunks.push(Buffer.from('\n  }'));
  }
  chunks.push(Buffer.from('\n}\n'));
  return chunks;
}

export function serializeManifest(manifest: Manifest): string {
  return Buffer.concat(manifestChunks(manifest)).toString('utf8');
}
