// The only module that writes to disk. Minimal first version: atomic writes
// (temp file + rename), write only when content changed, user/history files
// created once. Manifest, three-way merge and removal of stale files come
// with the incremental-build work.
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import type { GeneratedFile, PreviousOutput } from '../backends/types.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { ProgramSchema } from '../ir/schema.js';

export interface EmitSummary {
  written: string[];
  unchanged: string[];
  removed: string[];
  conflicts: string[];
  diagnostics: Diagnostic[];
  ms: number;
}

export const SNAPSHOT_PATH = '.bitcup/snapshot.json';
export const REVISIONS_DIR = 'backend/alembic/versions';

export function readPreviousOutput(out: string): PreviousOutput {
  const revisions = new Map<string, string>();
  const dir = join(out, REVISIONS_DIR);
  if (existsSync(dir)) {
    for (const name of readdirSync(dir).sort()) {
      if (name.endsWith('.py'))
        revisions.set(`${REVISIONS_DIR}/${name}`, readFileSync(join(dir, name), 'utf8'));
    }
  }
  let snapshot;
  const snapshotFile = join(out, SNAPSHOT_PATH);
  if (existsSync(snapshotFile)) {
    const parsed = ProgramSchema.safeParse(JSON.parse(readFileSync(snapshotFile, 'utf8')));
    if (parsed.success) snapshot = parsed.data;
  }
  return { snapshot, revisions };
}

/** Write `content` to `path` atomically: a reader never sees a half-written file. */
export function writeFileAtomic(path: string, content: string, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, content, { mode });
  renameSync(temp, path);
}

export function writeOutput(
  out: string,
  files: GeneratedFile[],
  options: { force: boolean; started: number },
): EmitSummary {
  const summary: EmitSummary = {
    written: [],
    unchanged: [],
    removed: [],
    conflicts: [],
    diagnostics: [],
    ms: 0,
  };
  for (const file of [...files].sort((a, b) => a.path.localeCompare(b.path))) {
    const target = join(out, file.path);
    const exists = existsSync(target);
    if (exists && file.ownership !== 'generated') {
      summary.unchanged.push(file.path);
      continue;
    }
    if (exists && readFileSync(target, 'utf8') === file.content) {
      summary.unchanged.push(file.path);
      continue;
    }
    writeFileAtomic(target, file.content, file.mode ?? 0o644);
    summary.written.push(file.path);
  }
  summary.ms = performance.now() - options.started;
  return summary;
}
