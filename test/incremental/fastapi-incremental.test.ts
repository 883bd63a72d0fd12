// The FastAPI backend's per-part generation: after an edit, the files it
// returns from generateChanged plus the previous files it leaves alone must
// equal a clean generate() of the edited model — contents, owners and
// dependsOn — and no file left alone may depend on a changed part (else the
// builder would have to fall back to a whole run). Edits of every kind of
// declaration on the shop example, one at a time from the start and then all
// in a row (so pieces remembered across several runs are reused), and the
// property test's random edits on blog, platform and the edge model.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compile } from '../../compiler/index.js';
import { fastapiBackend } from '../../compiler/backends/fastapi/index.js';
import type { BackendContext, GeneratedFile } from '../../compiler/backends/types.js';
import { changedParts, hashParts, isAffected } from '../../compiler/incremental/parts.js';
import type { Program } from '../../compiler/ir/schema.js';
import { edits, seededRandom } from './edits.js';

const repo = join(import.meta.dirname, '../..');
const root = mkdtempSync(join(tmpdir(), 'bitcup-fastapi-incremental-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const context: BackendContext = {
  previous: { revisions: new Map() },
  report: (d) => {
    throw new Error(`unexpected diagnostic ${d.code}: ${d.message}`);
  },
};

function compileText(entry: string, files: Record<string, string>): Program {
  const memory = new Map(Object.entries(files).map(([name, text]) => [join(root, name), text]));
  for (const [path, text] of memory) writeFileSync(path, text);
  const compiled = compile(join(root, entry));
  const errors = compiled.diagnostics.filter((d) => d.severity === 'error');
  expect(errors.map((d) => d.message)).toEqual([]);
  return compiled.program!;
}

const byPath = (files: GeneratedFile[]) =>
  [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));

interface Step {
  files: GeneratedFile[];
  /** what generateChanged returned */
  fresh: GeneratedFile[];
}

/** One incremental step from `before` (whose files are `previous`) to `after`, checked against a clean run. */
function step(before: Program, after: Program, previous: GeneratedFile[]): Step {
  const parts = hashParts(after);
  const changed = changedParts(hashParts(before), parts);
  const fresh = fastapiBackend.generateChanged(after, context, changed, parts, previous);
  const freshPaths = new Set(fresh.map((f) => f.path));
  const kept = previous.filter((f) => !freshPaths.has(f.path));
  const clean = fastapiBackend.generate(after, context);
  const stale = kept.filter((f) => isAffected(f.dependsOn, changed, parts)).map((f) => f.path);
  // files that went away (a removed entity) are the builder's to notice: it runs generate()
  const cleanPaths = new Set(clean.map((f) => f.path));
  expect(stale.filter((p) => cleanPaths.has(p))).toEqual([]);
  if (stale.length > 0) return { files: clean, fresh };
  const incremental = byPath([...kept, ...fresh]);
  expect(incremental.map((f) => f.path)).toEqual(clean.map((f) => f.path));
  for (let i = 0; i < clean.length; i++) expect(incremental[i]).toEqual(clean[i]);
  return { files: incremental, fresh };
}

// ---- the shop: one edit per kind of declaration

const shopFiles = {
  'shop.bitcup': readFileSync(join(repo, 'examples/shop.bitcup'), 'utf8'),
  'shop-catalog.bitcup': readFileSync(join(repo, 'examples/shop-catalog.bitcup'), 'utf8'),
};

interface ShopEdit {
  name: string;
  file: keyof typeof shopFiles;
  from: string | RegExp;
  to: string;
  /** files this edit must not remake (precision, not only correctness) */
  untouched?: string[];
}

const shopEdits: ShopEdit[] = [
  {
    name: 'a read rule',
    file: 'shop.bitcup',
    from: 'allow read  if order.buyer == currentUser or currentUser.isStaff',
    to: 'allow read  if currentUser.isStaff',
    untouched: ['backend/app/models/product.py', 'backend/app/services/customer.py'],
  },
  {
    name: 'a check',
    file: 'shop-catalog.bitcup',
    from: '"A product in stock needs a price"',
    to: '"A product in stock needs a price"\n  check stock < 100000  "Too many"',
    untouched: ['backend/app/services/order.py', 'backend/app/schemas/tag.py'],
  },
  {
    name: 'a field of a related entity',
    file: 'shop-catalog.bitcup',
    from: '  stock        int = 0 min(0)\n',
    to: '  stock        int = 0 min(0)\n  weight       int?\n',
    untouched: ['backend/app/models/customer.py', 'backend/app/api/routes/order.py'],
  },
  {
    name: 'a transition guard',
    file: 'shop.bitcup',
    from: 'if count(lines) > 0',
    to: 'if count(lines) > 1',
    untouched: ['backend/app/models/order.py', 'backend/app/services/product.py'],
  },
  {
    name: 'a new transition',
    file: 'shop.bitcup',
    from: '  draft, placed  -> cancelled  as cancel\n',
    to: '  draft, placed  -> cancelled  as cancel\n  cancelled      -> draft      as reopen\n',
  },
  {
    name: 'a behavior statement',
    file: 'shop.bitcup',
    from: '"Only paid or shipped orders can be reordered"',
    to: '"Only paid or shipped orders may be reordered"',
    untouched: ['backend/app/models/order.py', 'backend/app/models/customer.py'],
  },
  {
    name: 'a behavior input',
    file: 'shop.bitcup',
    from: 'input { note text? }',
    to: 'input { note text?  urgent bool? }',
  },
  {
    name: 'an app-level behavior',
    file: 'shop.bitcup',
    from: 'input { month date }',
    to: 'input { month date  year int? }',
  },
  {
    name: 'a nested list column',
    file: 'shop.bitcup',
    from: 'columns id, buyer.email, status, total, createdAt',
    to: 'columns id, buyer.displayName, status, total, createdAt',
    untouched: ['backend/app/models/order.py', 'backend/app/access.py'],
  },
  {
    name: 'a new list view',
    file: 'shop-catalog.bitcup',
    from: 'view Catalog list Product public {',
    to: 'view Tags list Tag {\n  path "/tags"\n  columns name\n  search name\n}\n\nview Catalog list Product public {',
  },
  {
    name: 'an event field',
    file: 'shop.bitcup',
    from: '  carrier  string?\n}',
    to: '  carrier  string?\n  late     bool?\n}',
    untouched: ['backend/app/services/product.py'],
  },
  {
    name: 'an enum value',
    file: 'shop.bitcup',
    from: 'enum OrderStatus { draft placed paid shipped cancelled }',
    to: 'enum OrderStatus { draft placed paid shipped cancelled refunded }\n\nentity Refund {\n  status  OrderStatus = refunded\n}',
  },
  {
    name: 'an index',
    file: 'shop-catalog.bitcup',
    from: '  index (name)\n',
    to: '  index (name)\n  index (stock)\n',
    untouched: ['backend/app/models/order.py', 'backend/app/access.py'],
  },
  {
    name: 'the auth user',
    file: 'shop.bitcup',
    from: 'displayName   string(80) min(2)',
    to: 'displayName   string(90) min(3)',
  },
  {
    name: 'a many-to-many relation',
    file: 'shop-catalog.bitcup',
    from: '  products  Product[]\n',
    to: '  products  Product[]\n  color     string(20)?\n',
  },
  {
    name: 'the app',
    file: 'shop.bitcup',
    from: 'title "Corner Shop"',
    to: 'title "Corner Shop & Co"',
    untouched: ['backend/app/models/order.py', 'backend/app/schemas/product.py'],
  },
  {
    name: 'a removed entity',
    file: 'shop-catalog.bitcup',
    from: /\n\/\/\/ A label shoppers can browse by\.\nentity Tag \{[^}]*\}\n/,
    to: '\n',
  },
];

function applyEdit(files: typeof shopFiles, edit: ShopEdit): typeof shopFiles {
  const text = files[edit.file];
  const next = text.replace(edit.from, edit.to);
  expect(next, `${edit.name} applies`).not.toBe(text);
  return { ...files, [edit.file]: next };
}

/** The many-to-many edit and the removal need the Tag relation gone from Product too. */
function consistent(files: typeof shopFiles): typeof shopFiles {
  const catalog = files['shop-catalog.bitcup'];
  if (catalog.includes('entity Tag {')) return files;
  return {
    ...files,
    'shop-catalog.bitcup': catalog
      .replace('  tags         Tag[]\n', '')
      .replace('  related tags\n', '')
      .replace(', stock, tags }', ', stock }')
      .replace(/\nrules Tag \{[^}]*\}\n/, '\n')
      .replace(/\nview Tags list Tag \{[^}]*\}\n/, '\n'),
  };
}

describe('fastapi generateChanged on the shop', () => {
  const base = compileText('shop.bitcup', shopFiles);
  const baseFiles = fastapiBackend.generate(base, context);

  it.each(shopEdits.map((e) => [e.name, e] as const))('%s', (_name, edit) => {
    const after = compileText('shop.bitcup', consistent(applyEdit(shopFiles, edit)));
    const { fresh } = step(base, after, baseFiles);
    const remade = new Set(fresh.map((f) => f.path));
    for (const path of edit.untouched ?? []) expect(remade.has(path), path).toBe(false);
    // back to the start, from the edited files
    step(after, base, step(base, after, baseFiles).files);
  });

  it('all the edits in a row', () => {
    let files = shopFiles;
    let program = base;
    let generated = baseFiles;
    for (const edit of shopEdits) {
      files = consistent(applyEdit(files, edit));
      const next = compileText('shop.bitcup', files);
      generated = step(program, next, generated).files;
      program = next;
    }
  });
});

// ---- random edits (those of the property test) on the other models

const models: Record<string, { dir: string; entry: string }> = {
  blog: { dir: 'examples', entry: 'blog.bitcup' },
  platform: { dir: 'examples', entry: 'platform.bitcup' },
  edge: { dir: 'test/fastapi/fixtures/edge', entry: 'edge.bitcup' },
};

describe.each(Object.keys(models))('fastapi generateChanged on %s', (name) => {
  it('equals a clean run after each of 12 random edits', () => {
    const { dir, entry } = models[name]!;
    const work = join(root, name);
    cpSync(join(repo, dir), work, { recursive: true });
    const file = join(work, entry);
    const read = () => {
      const compiled = compile(file);
      expect(compiled.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
      return compiled.program!;
    };
    const random = seededRandom(11);
    let program = read();
    let generated = fastapiBackend.generate(program, context);
    const usable = edits.filter((e) => e.name !== 'break');
    for (let n = 1; n <= 12; n++) {
      const text = readFileSync(file, 'utf8');
      let next: string | undefined;
      while (next === undefined)
        next = usable[Math.floor(random() * usable.length)]!.apply(text, random, n);
      writeFileSync(file, next);
      const after = read();
      generated = step(program, after, generated).files;
      program = after;
    }
  });
});
