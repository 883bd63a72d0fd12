// Build a generated frontend (npm install + npm run build) for the run test.
// node_modules is cached under test-output/, keyed by package.json, so only
// the first run pays for the install.
import { execFileSync } from 'node:child_process';
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
import { REPO } from './helpers.js';

const CACHE = join(REPO, 'test-output', 'deploy-node-modules');

/** Returns the dist folder of `frontendDir` after a real Vite build. */
export function buildFrontend(frontendDir: string): string {
  const packageJson = readFileSync(join(frontendDir, 'package.json'), 'utf8');
  const key = createHash('sha256').update(packageJson).digest('hex').slice(0, 16);
  const cached = join(CACHE, key);
  if (!existsSync(join(cached, 'node_modules'))) {
    const staging = `${cached}.staging-${process.pid}`;
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    cpSync(join(frontendDir, 'package.json'), join(staging, 'package.json'));
    const lock = join(frontendDir, 'package-lock.json');
    if (existsSync(lock)) cpSync(lock, join(staging, 'package-lock.json'));
    execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], {
      cwd: staging,
      stdio: 'pipe',
    });
    mkdirSync(cached, { recursive: true });
    renameSync(join(staging, 'node_modules'), join(cached, 'node_modules'));
    rmSync(staging, { recursive: true, force: true });
  }
  if (!existsSync(join(frontendDir, 'node_modules'))) {
    symlinkSync(join(cached, 'node_modules'), join(frontendDir, 'node_modules'), 'dir');
  }
  execFileSync('npm', ['run', 'build'], { cwd: frontendDir, stdio: 'pipe' });
  const dist = join(frontendDir, 'dist');
  if (!existsSync(join(dist, 'index.html')))
    throw new Error(`no ${dist}/index.html after the build`);
  return dist;
}
