// No deployment secret (the database password, SECRET_KEY) has a value
// anywhere in the whole built output of the examples: no .env file, no
// connection URL with a password, no literal assigned to a secret's name.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { build } from '../../compiler/build.js';
import { REPO } from './helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'bitcup-deploy-secrets-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const SECRET_NAME =
  '(?:SECRET_KEY|secret_key|POSTGRES_PASSWORD|postgres_password|DATABASE_PASSWORD)';
const CONFIG_FILE =
  /(\.ya?ml|\.env[\w.]*|Dockerfile[\w.]*|\.sh|\.md|\.conf\.template|\.ini|\.toml)$/;

/** Every file under `dir`, relative paths. */
function walk(dir: string, root = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path, root) : [relative(root, path)];
  });
}

/** Findings in one file: an inline URL password, or a literal given to a secret's name. */
function secretFindings(path: string, text: string): string[] {
  const found: string[] = [];
  // scheme://user:password@host, where the password is not a ${VAR} or $(VAR) reference
  for (const m of text.matchAll(/[a-z][a-z0-9+.-]*:\/\/[^\s:/@"'`]+:([^\s@"'`]+)@/gi)) {
    if (!/^(\$\{[A-Z_]+(:\?[^}]*)?\}|\$\([A-Z_]+\))$/.test(m[1]!)) found.push(m[0]);
  }
  if (CONFIG_FILE.test(path)) {
    // KEY=value, KEY: value -- empty, or a required ${KEY:?...} reference only
    const line = new RegExp(`^[ \\t-]*["']?${SECRET_NAME}["']?[ \\t]*[:=][ \\t]*(.*)$`, 'gm');
    for (const m of text.matchAll(line)) {
      const value = m[1]!.trim();
      if (!/^(|""|''|\$\{[A-Z_]+:\?[^}]*\})$/.test(value)) found.push(m[0].trim());
    }
  } else {
    // code: a quoted, non-empty string literal assigned to a secret's name
    const assignment = new RegExp(
      `${SECRET_NAME}["']?\\s*(?::\\s*[\\w|\\[\\] ]+)?[:=]\\s*(["'\`])([^"'\`]+)\\1`,
      'g',
    );
    for (const m of text.matchAll(assignment)) found.push(m[0]);
  }
  return found;
}

describe.each(['blog', 'shop', 'platform'])('the whole built output of %s', (name) => {
  it('holds no secret value anywhere', () => {
    const out = join(scratch, name);
    const result = build(join(REPO, 'examples', `${name}.bitcup`), out);
    expect(result.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const paths = walk(out);
    expect(paths.length).toBeGreaterThan(50);
    expect(paths.filter((p) => /(^|\/)\.env$/.test(p))).toEqual([]);
    expect(paths).toContain('deploy/.env.example');
    for (const path of paths) {
      expect(secretFindings(path, readFileSync(join(out, path), 'utf8')), path).toEqual([]);
    }
  });
});

describe('the secret finder itself', () => {
  it('finds inline passwords and literal secrets, and lets references through', () => {
    expect(secretFindings('a.py', 'URL = "postgresql://app:hunter2@db/app"')).toHaveLength(1);
    expect(secretFindings('a.py', 'SECRET_KEY = "abc"\nsecret_key: str = "x1"')).toHaveLength(2);
    expect(secretFindings('a.py', 'secret_key: str = ""\nself.secret_key = FALLBACK')).toEqual([]);
    expect(secretFindings('.env.example', 'SECRET_KEY=changeme\nPOSTGRES_PASSWORD=')).toEqual([
      'SECRET_KEY=changeme',
    ]);
    expect(secretFindings('c.yml', '  POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-pw}')).toHaveLength(
      1,
    );
    expect(
      secretFindings(
        'c.yml',
        'POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:?set it}\nDATABASE_URL: postgresql+asyncpg://$(POSTGRES_USER):$(POSTGRES_PASSWORD)@database:5432/x',
      ),
    ).toEqual([]);
  });
});
