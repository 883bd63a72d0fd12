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

/** The manifest of `out`; empty (and a warning when it exists but is unusable) otherwise. */
export function readManifest(out: string): { manifest: Manifest; diagnostics: Diagnostic[] } {
  let text: string;
  try {
    text = readFileSync(join(out, MANIFEST_PATH), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return { manifest: emptyManifest(), diagnostics: [] };
    return unusable(error as Error);
  }
  try {
    const parsed = ManifestSchema.safeParse(JSON.parse(text));
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
    const manifest: Manifest = { parts: parsed.data.parts, files, pristine };
    if (parsed.data.version === 1) manifest.legacy = true;
    return { manifest, diagnostics: [] };
  } catch (error) {
    return unusable(error as Error);
  }
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
