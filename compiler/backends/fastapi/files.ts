// A file the backend can make: its path and owner are known up front (from
// names alone), its content is made on demand, and the IR parts the content
// reads become its dependsOn (deps.ts). So an incremental run can list every
// file cheaply and make only those a change reaches.
//
// Whole-app files (access.py, manage.py, ...) read every entity, so any
// entity edit remakes them; they are built from pieces (one per entity), each
// remembered on the file it went into with the parts it read. Remaking such a
// file in an incremental run reuses a piece of the previous file when none of
// its parts changed since — the same test the builder applies to whole files.
import { isAffected } from '../../incremental/parts.js';
import type { FileOwnership, GeneratedFile } from '../types.js';
import { tracked, trackAll } from './deps.js';
import { presetRuntimeNames, runtimeNames } from './runtime.js';

/** A made module with the runtime names it mentions known from its pieces (no rescan). */
export interface MadeText {
  content: string;
  runtimeNames: string[];
}

export interface FileSpec {
  path: string;
  ownership: FileOwnership;
  make: () => string | MadeText;
}

export const spec = (
  path: string,
  make: () => string | MadeText,
  ownership: FileOwnership = 'generated',
): FileSpec => ({ path, make, ownership });

interface Piece {
  value: unknown;
  deps: string[];
}

/** An incremental run: what changed since the run that made `previous`. */
export interface Reuse {
  changed: ReadonlySet<string>;
  parts: Record<string, string>;
  previous: ReadonlyMap<string, GeneratedFile>;
}

const piecesOf = new WeakMap<GeneratedFile, Map<string, Piece>>();
let reuse: Reuse | undefined;
let making: { path: string; pieces: Map<string, Piece> } | undefined;

/** Run `body` as an incremental run (pieces of `reuse.previous` may be reused). */
export function withReuse<T>(run: Reuse, body: () => T): T {
  const outer = reuse;
  reuse = run;
  try {
    return body();
  } finally {
    reuse = outer;
  }
}

/**
 * One piece of the file being made, by a key unique in that file: the
 * previous file's piece when none of the parts it read changed (its parts
 * still count for this file), else made afresh.
 */
export function piece<T>(key: string, make: () => T): T {
  const file = making;
  const before = reuse && file ? reuse.previous.get(file.path) : undefined;
  const old = before ? piecesOf.get(before)?.get(key) : undefined;
  if (old && !isAffected(old.deps, reuse!.changed, reuse!.parts)) {
    trackAll(old.deps);
    file!.pieces.set(key, old);
    return old.value as T;
  }
  const made = tracked(make);
  file?.pieces.set(key, { value: made.value, deps: made.deps });
  return made.value;
}

// whole-app modules by a key naming everything they read (bounded)
const byKey = new Map<string, MadeText>();

/**
 * A module made by `make`, remembered under `key`, which must spell out
 * everything `make` reads — read through the context while building the key,
 * so the file's dependsOn is the same on a hit.
 */
export function remembered(key: string, make: () => string): MadeText {
  let made = byKey.get(key);
  if (!made) {
    const content = make();
    made = { content, runtimeNames: runtimeNames(content) };
    if (byKey.size >= 64) byKey.clear();
    byKey.set(key, made);
  }
  return made;
}

/** Make a file, recording what it read. */
export function makeFile(file: FileSpec): GeneratedFile {
  const outer = making;
  making = { path: file.path, pieces: new Map() };
  try {
    const { value, deps } = tracked(file.make);
    const content = typeof value === 'string' ? value : value.content;
    const made: GeneratedFile = {
      path: file.path,
      content,
      ownership: file.ownership,
      dependsOn: deps,
    };
    if (typeof value !== 'string') presetRuntimeNames(made, value.runtimeNames);
    if (making.pieces.size > 0) piecesOf.set(made, making.pieces);
    return made;
  } finally {
    making = outer;
  }
}
