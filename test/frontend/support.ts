// Shared by the frontend suites: build an example into test-output/, give its
// generated frontend the dependencies (installed once per package.json hash
// and symlinked into every app), and run the app's own tools.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from '../../compiler/build.js';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const OUTPUT = join(REPO, 'test-output', 'frontend');
const DEPS_CACHE = join(REPO, 'test-output', 'frontend-deps');

export const EXAMPLES = ['blog', 'shop', 'platform'] as const;
export type Example = (typeof EXAMPLES)[number];

/** Build `examples/<name>.bitcup` into a fresh test-output/frontend/<suite>-<name>. */
export function buildExample(name: Example, suite: string): string {
  const out = join(OUTPUT, `${suite}-${name}`);
  rmSync(out, { recursive: true, force: true });
  const result = build(join(REPO, 'examples', `${name}.bitcup`), out);
  const problems = result.diagnostics.filter((d) => d.severity === 'error');
  if (!result.ok || problems.length > 0) {
    throw new Error(`build of ${name} failed:\n${problems.map((d) => d.message).join('\n')}`);
  }
  return out;
}

/**
 * node_modules for a generated frontend: `npm install` once per package.json
 * content into test-output/frontend-deps/<hash>/ (staged, then renamed, so a
 * half-finished install is never used), symlinked into the app.
 */
export function linkDependencies(frontendDir: string): void {
  const packageJson = readFileSync(join(frontendDir, 'package.json'), 'utf8');
  const key = createHash('sha256').update(packageJson).digest('hex').slice(0, 16);
  const cached = join(DEPS_CACHE, key);
  if (!existsSync(join(cached, 'node_modules'))) {
    // one installer at a time (suites run in parallel forks); the others wait
    mkdirSync(DEPS_CACHE, { recursive: true });
    const lock = `${cached}.lock`;
    const deadline = Date.now() + 600_000;
    let owned = false;
    for (;;) {
      try {
        mkdirSync(lock);
        owned = true;
        break;
      } catch {
        if (existsSync(join(cached, 'node_modules')) || Date.now() > deadline) break;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
      }
    }
    try {
      if (!existsSync(join(cached, 'node_modules'))) install(frontendDir, cached);
    } finally {
      if (owned) rmSync(lock, { recursive: true, force: true });
    }
  }
  if (!existsSync(join(frontendDir, 'node_modules'))) {
    symlinkSync(join(cached, 'node_modules'), join(frontendDir, 'node_modules'), 'dir');
  }
}

function install(frontendDir: string, cached: string): void {
  const staging = `${cached}.staging-${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true });
  cpSync(join(frontendDir, 'package.json'), join(staging, 'package.json'));
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: staging,
    stdio: 'pipe',
  });
  mkdirSync(cached, { recursive: true });
  renameSync(join(staging, 'node_modules'), join(cached, 'node_modules'));
  rmSync(staging, { recursive: true, force: true });
}

export interface ToolResult {
  status: number | null;
  output: string;
}

/** Run a tool from the app's node_modules/.bin in the app folder. */
export function runTool(frontendDir: string, tool: string, args: string[]): ToolResult {
  const result = spawnSync(join(frontendDir, 'node_modules', '.bin', tool), args, {
    cwd: frontendDir,
    encoding: 'utf8',
    env: { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0' },
    timeout: 300_000,
  });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}
