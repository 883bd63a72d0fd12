// Every example's generated frontend, checked with its own tools: vue-tsc,
// eslint, prettier --check, the generated vitest specs (stores and runtime),
// and a production vite build.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildExample, EXAMPLES, linkDependencies, runTool } from './support.js';

describe.each(EXAMPLES)('generated frontend of %s', (example) => {
  let app = '';

  beforeAll(() => {
    app = join(buildExample(example, 'static'), 'frontend');
    linkDependencies(app);
  });

  it('type-checks with vue-tsc', () => {
    const result = runTool(app, 'vue-tsc', ['--noEmit']);
    expect(result.output).toBe('');
    expect(result.status).toBe(0);
  });

  it('is eslint clean', () => {
    const result = runTool(app, 'eslint', ['--max-warnings', '0', '.']);
    expect(result.output.trim()).toBe('');
    expect(result.status).toBe(0);
  });

  it('is emitted already formatted (prettier --check)', () => {
    const result = runTool(app, 'prettier', ['--check', '.']);
    expect(result.output).toContain('All matched files use Prettier code style!');
    expect(result.status).toBe(0);
  });

  it('passes its generated store and runtime specs', () => {
    const result = runTool(app, 'vitest', ['run', '--reporter=dot']);
    expect(result.output).toMatch(/Tests\s+\d+ passed/);
    expect(result.output).not.toMatch(/failed/);
    expect(result.status).toBe(0);
  });

  it('builds for production with vite', () => {
    const result = runTool(app, 'vite', ['build', '--logLevel', 'warn']);
    expect(result.status, result.output).toBe(0);
    const html = readFileSync(join(app, 'dist', 'index.html'), 'utf8');
    expect(html).toMatch(/<script type="module" crossorigin src="\/assets\/index-[\w-]+\.js">/);
    expect(existsSync(join(app, 'dist', 'assets'))).toBe(true);
  });
});
