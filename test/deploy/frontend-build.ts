// Build a generated frontend for the run test: the dependencies come from the
// frontend suite's cache (test-output/frontend-deps, one npm install per
// package.json), then the app's own `npm run build` (Vite) makes dist/.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { linkDependencies } from '../frontend/support.js';

/** Returns the dist folder of `frontendDir` after a real Vite build. */
export function buildFrontend(frontendDir: string): string {
  linkDependencies(frontendDir);
  execFileSync('npm', ['run', 'build'], { cwd: frontendDir, stdio: 'pipe' });
  const dist = join(frontendDir, 'dist');
  if (!existsSync(join(dist, 'index.html')))
    throw new Error(`no ${dist}/index.html after the build`);
  return dist;
}
