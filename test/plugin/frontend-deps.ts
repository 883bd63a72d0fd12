// node_modules for a generated frontend, installed once per package.json
// (cached under test-output/) and linked into the frontend folder.
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
import { fileURLToPath } from 'node:url';

const CACHE = fileURLToPath(new URL('../../test-output/plugin-node-modules', import.meta.url));

export function linkFrontendDependencies(frontendDir: string): void {
  const packageJson = readFileSync(join(frontendDir, 'package.json'), 'utf8');
  const key = createHash('sha256').update(packageJson).digest('hex').slice(0, 16);
  const cached = join(CACHE, key);
  if (!existsSync(join(cached, 'node_modules'))) {
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
  if (!existsSync(join(frontendDir, 'node_modules')))
    symlinkSync(join(cached, 'node_modules'), join(frontendDir, 'node_modules'), 'dir');
}
