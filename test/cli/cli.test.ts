import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { main } from '../../compiler/cli/main.js';
import { ProgramSchema } from '../../compiler/ir/schema.js';

const examples = join(import.meta.dirname, '../../examples');
const dir = mkdtempSync(join(tmpdir(), 'bitcup-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Run the CLI in-process, capturing what it writes. */
async function run(...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
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
  const log = vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => {
    stdout += args.join(' ') + '\n';
  });
  try {
    const code = await main(argv);
    return { code, stdout, stderr };
  } finally {
    out.mockRestore();
    err.mockRestore();
    log.mockRestore();
  }
}

const app = 'app T { title "t" }\n';
// A flow whose `archived` state the initial state cannot reach: a warning only.
const warningModel = `${app}
enum S { draft active archived }
entity Doc { status S = draft }
flow Life for Doc.status {
  draft -> active as activate
  archived -> active as restore
}
`;

describe('bitcup check', () => {
  it.each(['blog.bitcup', 'shop.bitcup', 'platform.bitcup'])(
    'prints nothing and exits 0 on %s',
    async (file) => {
      const result = await run('check', join(examples, file));
      expect(result).toEqual({ code: 0, stdout: '', stderr: '' });
    },
  );

  it('prints every syntax error with a code frame and exits 1', async () => {
    const path = write('bad.bitcup', `${app}entity A { x int = }\nentity B { y strin( }\n`);
    const result = await run('check', path);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('bad.bitcup:2:20: error BC1004: expected ');
    expect(result.stderr).toContain('bad.bitcup:3:21: error BC1004: expected `)`, found `}`');
    expect(result.stderr).toContain('2 | entity A { x int = }\n  |                    ^\n');
  });

  it('prints diagnostics as JSON with --format json', async () => {
    const path = write('json.bitcup', `${app}entity A { x int = }\n`);
    const result = await run('check', path, '--format', 'json');
    expect(result.code).toBe(1);
    const parsed = JSON.parse(result.stdout) as { code: string; line: number; column: number }[];
    expect(parsed).toEqual([
      expect.objectContaining({ code: 'BC1004', severity: 'error', file: 'json.bitcup', line: 2 }),
    ]);
    const clean = await run('check', join(examples, 'blog.bitcup'), '--format', 'json');
    expect(clean).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
  });

  it('allows warnings unless --strict', async () => {
    const path = write('warn.bitcup', warningModel);
    const relaxed = await run('check', path);
    expect(relaxed.code).toBe(0);
    expect(relaxed.stderr).toMatch(/warn\.bitcup:\d+:\d+: warning BC\d{4}: /);
    expect(relaxed.stderr).not.toMatch(/: error /);
    const strict = await run('check', path, '--strict');
    expect(strict.code).toBe(1);
  });

  it('exits 1 with a diagnostic when the entry does not exist', async () => {
    const result = await run('check', join(dir, 'missing.bitcup'));
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('error BC0001');
  });

  it('exits 2 on usage errors', async () => {
    expect((await run('check')).code).toBe(2);
    expect((await run('check', join(examples, 'blog.bitcup'), '--format', 'xml')).code).toBe(2);
    expect((await run('check', join(examples, 'blog.bitcup'), '--no-such-flag')).code).toBe(2);
    expect((await run('no-such-command')).code).toBe(2);
  });
});

describe('bitcup ir', () => {
  it.each(['blog.bitcup', 'shop.bitcup', 'platform.bitcup'])(
    'prints the IR of %s as stable 2-space JSON in schema key order',
    async (file) => {
      const first = await run('ir', join(examples, file), '--json');
      expect(first.code).toBe(0);
      expect(first.stderr).toBe('');
      const again = await run('ir', join(examples, file), '--json');
      expect(again.stdout).toBe(first.stdout);
      const program = JSON.parse(first.stdout) as Record<string, unknown>;
      expect(ProgramSchema.safeParse(program).success).toBe(true);
      const schemaKeys = Object.keys(ProgramSchema.shape).filter((k) => k in program);
      expect(Object.keys(program)).toEqual(schemaKeys);
      expect(first.stdout.startsWith('{\n  "irVersion": 1,\n')).toBe(true);
    },
  );

  it('prints diagnostics and exits 1 on an invalid model', async () => {
    const path = write('ir-bad.bitcup', 'entity A { x int = }');
    const result = await run('ir', path, '--json');
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('error BC1004');
  });

  it('prints code frames from imported modules too', async () => {
    write('lib.bitcup', 'enum E { a b\nentity Broken { x }\n');
    const path = write('uses-lib.bitcup', `import "./lib.bitcup"\n${app}`);
    const result = await run('check', path);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'lib.bitcup:2:17: error BC1004: expected a field (`name type`), `index (...)`, `unique (...)` or `table "name"`, found `x`',
    );
    expect(result.stderr).toContain('2 | entity Broken { x }\n');
  });
});
