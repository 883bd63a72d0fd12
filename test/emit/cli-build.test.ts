// `bitcup build` through the CLI on the blog example: the summary line, a
// second build that writes nothing, a user edit merged, a conflict reported
// with exit code 1, and --force keeping the user's file as .orig.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it, vi } from 'vitest';
import { main } from '../../compiler/cli/main.js';

const dir = mkdtempSync(join(tmpdir(), 'bitcup-cli-build-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const out = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    stdout += String(chunk);
    return true;
  });
  const err = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    stderr += String(chunk);
    return true;
  });
  try {
    return { code: await main(argv), stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

it('builds, rebuilds nothing, merges an edit, reports a conflict, forces', async () => {
  const entry = join(dir, 'blog.bitcup');
  const out = join(dir, 'out');
  copyFileSync(join(import.meta.dirname, '../../examples/blog.bitcup'), entry);
  const original = readFileSync(entry, 'utf8');

  const first = await run('build', entry, '--out', out);
  expect(first.code).toBe(0);
  expect(first.stdout).toMatch(/^bitcup: \d+ written, 0 unchanged, 0 removed in \d+ ms\n$/);
  const again = await run('build', entry, '--out', out);
  expect(again.code).toBe(0);
  expect(again.stdout).toMatch(/^bitcup: 0 written, \d+ unchanged, 0 removed in \d+ ms\n$/);

  // a user's edit far from what the model change touches is kept
  const manifest = JSON.parse(readFileSync(join(out, '.bitcup/manifest.json'), 'utf8'));
  const target = Object.keys(manifest.files).find((p) => p.endsWith('/models/author.py'))!;
  expect(target).toBeDefined();
  const generated = readFileSync(join(out, target), 'utf8');
  writeFileSync(join(out, target), `# kept by the user\n${generated}`);
  writeFileSync(
    entry,
    original.replace('  name   string(80)\n', '  name   string(80)\n  bio    text?\n'),
  );
  const merged = await run('build', entry, '--out', out);
  expect(merged.code).toBe(0);
  expect(merged.stdout).toContain('1 merged');
  const after = readFileSync(join(out, target), 'utf8');
  expect(after.startsWith('# kept by the user\n')).toBe(true);
  expect(after).toContain('bio');

  // an edit of the very line the model change rewrites conflicts
  const bioLine = after.split('\n').find((l) => l.includes('bio'))!;
  writeFileSync(join(out, target), after.replace(bioLine, `${bioLine}  # mine`));
  writeFileSync(entry, original);
  const conflict = await run('build', entry, '--out', out);
  expect(conflict.code).toBe(1);
  expect(conflict.stderr).toContain('BC8004');
  expect(readFileSync(join(out, target), 'utf8')).toContain('# mine');

  const forced = await run('build', entry, '--out', out, '--force');
  expect(forced.code).toBe(0);
  expect(readFileSync(join(out, target), 'utf8')).not.toContain('bio');
  expect(readFileSync(join(out, `${target}.orig`), 'utf8')).toContain('# mine');

  // a model error: a code frame, exit 1, and the output left as it was
  const before = readFileSync(join(out, target), 'utf8');
  writeFileSync(entry, original.replace('columns name, email', 'columns name, emial'));
  const broken = await run('build', entry, '--out', out);
  expect(broken.code).toBe(1);
  expect(broken.stderr).toMatch(/blog\.bitcup:\d+:\d+: error BC\d{4}: .*emial/);
  expect(broken.stderr).toContain('view Authors list Author { columns name, emial }');
  expect(readFileSync(join(out, target), 'utf8')).toBe(before);
});
