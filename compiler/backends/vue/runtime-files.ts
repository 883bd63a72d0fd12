// The hand-written support code (runtime/vue/) that every generated app gets
// verbatim: project config, http client, auth store, list state, form fields.
// Read once per process from the package, never re-generated per view.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { comparePaths } from '../types.js';

const SKIPPED = new Set(['node_modules', 'dist', 'coverage', 'package-lock.json']);

/** The runtime/vue folder: found upward from this module (works from src and dist). */
export function findRuntimeDir(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'runtime', 'vue');
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

let cached: { path: string; content: string }[] | undefined;

/** Every runtime file as (path relative to runtime/vue, content), sorted by path. */
export function runtimeFiles(): { path: string; content: string }[] | undefined {
  if (cached !== undefined) return cached;
  const root = findRuntimeDir();
  if (root === undefined) return undefined;
  const files: { path: string; content: string }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (SKIPPED.has(entry.name)) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.isFile()) {
        files.push({
          path: relative(root, full).split('\\').join('/'),
          content: readFileSync(full, 'utf8'),
        });
      }
    }
  };
  walk(root);
  files.sort(comparePaths);
  cached = files;
  return files;
}
