// The FastAPI test generator on its own, over the shared examples' IR: the
// output is deterministic, already ruff-formatted and ruff-clean, and holds
// the tests the model calls for (derived from rules, flows and behaviors).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateTests } from '../../compiler/backends/fastapi-tests/index.js';
import type { GeneratedFile } from '../../compiler/backends/types.js';
import { compile } from '../../compiler/index.js';
import type { Program } from '../../compiler/ir/schema.js';
import { REPO, runTool } from '../helpers/venv.js';

// The generated backend's lint settings (compiler/backends/fastapi writes the same).
const PYPROJECT = `[tool.ruff]
line-length = 100
target-version = "py311"

[tool.ruff.lint]
select = ["E", "F", "I", "B", "UP"]
ignore = ["E501", "B008"]

[tool.ruff.lint.isort]
known-first-party = ["app"]
`;

const roots: string[] = [];
afterAll(() => roots.forEach((r) => rmSync(r, { recursive: true, force: true })));

function programOf(example: string): Program {
  const result = compile(join(REPO, 'examples', `${example}.bitcup`));
  if (!result.program) throw new Error(JSON.stringify(result.diagnostics, null, 2));
  return result.program;
}

function write(files: GeneratedFile[]): string {
  const root = mkdtempSync(join(tmpdir(), 'bitcup-gen-tests-'));
  roots.push(root);
  for (const f of files) {
    mkdirSync(dirname(join(root, f.path)), { recursive: true });
    writeFileSync(join(root, f.path), f.content);
  }
  writeFileSync(join(root, 'backend', 'pyproject.toml'), PYPROJECT);
  return join(root, 'backend');
}

const content = (files: GeneratedFile[], path: string): string => {
  const found = files.find((f) => f.path === `backend/tests/${path}`);
  if (!found) throw new Error(`no ${path} among ${files.map((f) => f.path).join(', ')}`);
  return found.content;
};

describe.each(['blog', 'shop', 'platform'])('tests generated for %s', (example) => {
  const program = programOf(example);
  const files = generateTests(program);

  it('are deterministic and sorted', () => {
    expect(generateTests(programOf(example))).toEqual(files);
    const paths = files.map((f) => f.path);
    expect(paths).toEqual([...paths].sort());
  });

  it('are emitted ruff-formatted and ruff-clean', () => {
    const dir = write(files);
    const format = runTool('ruff', ['format', '--check', '--no-cache', 'tests'], dir);
    expect(format.status, format.output).toBe(0);
    const check = runTool('ruff', ['check', '--no-cache', 'tests'], dir);
    expect(check.status, check.output).toBe(0);
  });

  it('have a conftest with a factory and a payload per entity, and a file per entity', () => {
    const conftest = content(files, 'conftest.py');
    for (const entity of program.entities) {
      const name = entity.name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
      expect(conftest).toContain(`async def create_${name}(`);
      expect(conftest).toContain(`async def payload_${name}(`);
      expect(conftest).toContain(`insert_row(${JSON.stringify(entity.table)}, row)`);
      expect(content(files, `test_entity_${name}.py`)).toContain(`f"{API}/${entity.apiPath}"`);
    }
    expect(conftest).toContain(`API = ${JSON.stringify(program.app.apiPrefix)}`);
  });
});

describe('what the rules, flows and behaviors call for', () => {
  const shop = generateTests(programOf('shop'));
  const platform = generateTests(programOf('platform'));
  const blog = generateTests(programOf('blog'));

  it('tests every transition, every illegal source state and each guard status', () => {
    const flow = content(shop, 'test_flow_order_lifecycle.py');
    for (const test of [
      'test_place_from_draft',
      'test_place_from_paid_is_409',
      'test_place_guard_fails_is_409', // count(lines) > 0: not about the user
      'test_ship_guard_fails_is_403', // currentUser.isStaff
      'test_cancel_from_placed',
      'test_cancel_from_shipped_is_409',
      'test_place_twice_at_once_one_wins',
    ]) {
      expect(flow).toContain(`async def ${test}(`);
    }
    // place needs a line: the happy path makes one; every emit leaves an outbox row
    expect(flow).toMatch(/create_order_line\(owner, \{"order_id": row\["id"\]\}\)/);
    expect(flow).toContain('mentions(r, "OrderPlaced")');
    expect(flow).toContain('mentions(r, "OrderShipped")');
    const lifecycle = content(platform, 'test_flow_project_lifecycle.py');
    expect(lifecycle).toContain('async def test_remove_from_completed(');
    expect(lifecycle).toContain('async def test_remove_from_deleted_is_409(');
  });

  it('tests require (422), custom stubs (501) and app-level allow (403)', () => {
    const reorder = content(shop, 'test_behavior_reorder.py');
    expect(reorder).toContain('async def test_reorder_require_1_fails_is_422(');
    expect(reorder).toContain('"Only paid or shipped orders can be reordered" in response.text');
    expect(content(shop, 'test_behavior_recalculate.py')).toContain('== 501');
    const report = content(shop, 'test_behavior_monthly_report.py');
    expect(report).toContain('async def test_monthly_report_not_allowed_is_403(');
    expect(report).toContain('async def test_monthly_report_without_month_is_422(');
  });

  it('derives 403, 404, 409 and 422 tests from rules and constraints', () => {
    const product = content(shop, 'test_entity_product.py');
    expect(product).toContain('test_product_readable_but_not_writable_is_403_for_plain_user');
    expect(product).toContain('test_create_product_sku_pattern_is_422');
    expect(product).toContain('test_create_product_duplicate_sku_is_409');
    expect(product).toContain('"A product in stock needs a price" in response.text');
    expect(product).toContain('test_delete_product_still_referenced_by_order_line_is_409');
    const line = content(shop, 'test_entity_order_line.py');
    expect(line).toContain('test_order_line_of_another_user_is_404_for_plain_user');
    expect(line).toContain('test_create_order_line_duplicate_order_product_is_409');
    const project = content(platform, 'test_entity_project.py');
    expect(project).toContain('"Project name must not be blank" in response.text');
    const deployment = content(platform, 'test_entity_deployment.py');
    expect(deployment).toContain('test_deployment_of_another_user_is_404_for_plain_user');
  });

  it('has auth tests only in apps with auth', () => {
    expect(shop.some((f) => f.path.endsWith('test_auth.py'))).toBe(true);
    expect(blog.some((f) => f.path.endsWith('test_auth.py'))).toBe(false);
    expect(content(blog, 'test_entity_post.py')).not.toContain('auth(');
  });
});
