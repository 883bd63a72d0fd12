// The shared Python venv every generated backend runs in (made by
// scripts/setup-python.sh from runtime/python/requirements-dev.txt): never a
// pip install per example. Tools run with cwd + PYTHONPATH = the backend dir.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const VENV = process.env.BITCUP_VENV ?? join(REPO, '.venv');

export function venvBin(tool: string): string {
  return join(VENV, 'bin', tool);
}

export function hasVenv(): boolean {
  return existsSync(venvBin('python'));
}

export interface RunResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** stdout + stderr, for assertion messages */
  output: string;
}

/** Environment for running a generated backend's tools from its own folder. */
export function backendEnv(backendDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${join(VENV, 'bin')}:${process.env.PATH ?? ''}`,
    VIRTUAL_ENV: VENV,
    PYTHONPATH: backendDir,
    ...extra,
  };
  // An undefined value in `extra` removes the variable (e.g. DATABASE_URL for SQLite).
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
  return env;
}

function toResult(r: SpawnSyncReturns<string>): RunResult {
  const stdout = r.stdout ?? '';
  const stderr = (r.stderr ?? '') + (r.error ? String(r.error) : '');
  return { status: r.status, stdout, stderr, output: `${stdout}\n${stderr}` };
}

/** Run a venv tool (`pytest`, `ruff`, `pyright`, `python`) synchronously in `cwd`. */
export function runTool(
  tool: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): RunResult {
  const r = spawnSync(venvBin(tool), args, {
    cwd,
    env: backendEnv(cwd, env),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return toResult(r);
}

/** The same, without blocking the event loop (so several examples can run at once). */
export function runToolAsync(
  tool: string,
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(venvBin(tool), args, { cwd, env: backendEnv(cwd, env) });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (e) => (stderr += String(e)));
    child.on('close', (status) =>
      resolve({ status, stdout, stderr, output: `${stdout}\n${stderr}` }),
    );
  });
}
