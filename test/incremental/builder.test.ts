// The incremental builder with a stand-in front end: what a rebuild
// regenerates and writes after an edit, and that it equals a clean build.
import {
  cpSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IncrementalBuilder, build } from '../../compiler/build.js';
import { compile } from '../../compiler/index.js';
import type { Backend } from '../../compiler/backends/types.js';
import { fakeBackend, fakeFrontEnd, partialFakeBackend, type FakeModel } from './fake-model.js';

let dir: string;
let entry: string;
let out: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bitcup-incr-'));
  entry = join(dir, 'model.json');
  out = join(dir, 'out');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const model: FakeModel = {
  app: 'Shop',
  entities: [
    { name: 'Customer', fields: ['email'] },
    { name: 'Order', fields: ['note'] },
    { name: 'Product', fields: ['sku', 'name'] },
  ],
};
const save = (m: FakeModel) => writeFileSync(entry, JSON.stringify(m));
const withField = (m: FakeModel, entity: string, field: string): FakeModel => ({
  ...m,
  entities: m.entities.map((e) => (e.name === entity ? { ...e, fields: [...e.fields, field] } : e)),
});

function tree(root: string, prefix = ''): Record<string, string> {
  const files: Record<string, string> = {};
  for (const name of readdirSync(root).sort()) {
    const full = join(root, name);
    if (statSync(full).isDirectory()) Object.assign(files, tree(full, `${prefix}${name}/`));
    else files[`${prefix}${name}`] = readFileSync(full, 'utf8');
  }
  return files;
}

for (const kind of ['full', 'partial'] as const) {
  describe(`a ${kind} backend`, () => {
    const make = (): Backend => (kind === 'full' ? fakeBackend : partialFakeBackend());

    it('writes only the files of the edited entity, like a clean build', () => {
      save(model);
      const backend = make();
      const builder = new IncrementalBuilder(entry, out, {
        frontEnd: fakeFrontEnd,
        backends: [backend],
      });
      const first = builder.rebuild();
      expect(first.ok).toBe(true);
      expect(first.summary!.written).toEqual([
        'README.md',
        'models/__init__.py',
        'models/customer.py',
        'models/order.py',
        'models/product.py',
      ]);
      const start = join(dir, 'start');
      cpSync(out, start, { recursive: true });

      const edited = withField(model, 'Order', 'total');
      save(edited);
      const second = builder.rebuild();
      expect(second.changedParts).toEqual(['entities', 'entity:Order', 'program']);
      expect(second.summary!.written).toEqual(['models/order.py']);
      expect(second.summary!.undeclared).toEqual([]);
      if ('generatedEntities' in backend)
        expect(backend.generatedEntities).toEqual(['Customer', 'Order', 'Product', 'Order']);

      // a clean build of the same model from the same starting output
      const clean = build(entry, start, { frontEnd: fakeFrontEnd, backends: [fakeBackend] });
      expect(clean.ok).toBe(true);
      expect(tree(out)).toEqual(tree(start));
    });

    it.each([
      ['right after the build', 0],
      ['a while after the build', 120],
    ])(
      'brings back a generated file the user deleted %s, though the edit does not touch it',
      async (_when, wait) => {
        save(model);
        const builder = new IncrementalBuilder(entry, out, {
          frontEnd: fakeFrontEnd,
          backends: [make()],
        });
        builder.rebuild();
        // a second build (nothing written) stamps the output folders
        await new Promise((resolve) => setTimeout(resolve, 120));
        builder.rebuild();
        await new Promise((resolve) => setTimeout(resolve, wait));
        const customer = join(out, 'models/customer.py');
        const before = readFileSync(customer, 'utf8');
        rmSync(customer);
        save(withField(model, 'Order', 'total'));
        const summary = builder.rebuild().summary!;
        expect(summary.written).toEqual(['models/customer.py', 'models/order.py']);
        expect(readFileSync(customer, 'utf8')).toBe(before);
      },
    );

    it('removes the files of a removed entity and adds those of a new one', () => {
      save(model);
      const builder = new IncrementalBuilder(entry, out, {
        frontEnd: fakeFrontEnd,
        backends: [make()],
      });
      builder.rebuild();
      save({
        ...model,
        entities: [...model.entities.slice(1), { name: 'Tag', fields: ['label'] }],
      });
      const summary = builder.rebuild().summary!;
      expect(summary.removed).toEqual(['models/customer.py']);
      expect(summary.written).toEqual(['models/__init__.py', 'models/tag.py']);
      expect(readFileSync(join(out, 'models/__init__.py'), 'utf8')).not.toContain('Customer');
    });

    it('runs a partial backend whole when a file it made last time is affected but not regenerated', () => {
      save(model);
      const backend = make();
      const builder = new IncrementalBuilder(entry, out, {
        frontEnd: fakeFrontEnd,
        backends: [backend],
      });
      builder.rebuild();
      save({ ...model, entities: model.entities.slice(1) });
      const summary = builder.rebuild().summary!;
      expect(summary.removed).toEqual(['models/customer.py']);
      // models/customer.py depended on entity:Customer, which is gone: only a
      // whole run can say what replaces it
      if ('generatedEntities' in backend)
        expect(backend.generatedEntities).toEqual([
          'Customer',
          'Order',
          'Product',
          'Order',
          'Product',
        ]);
    });

    it('keeps the last good output untouched while the model has errors', () => {
      save(model);
      const builder = new IncrementalBuilder(entry, out, {
        frontEnd: fakeFrontEnd,
        backends: [make()],
      });
      builder.rebuild();
      const before = tree(out);
      writeFileSync(entry, '{ "app": ');
      const broken = builder.rebuild();
      expect(broken.ok).toBe(false);
      expect(broken.summary).toBeUndefined();
      expect(broken.diagnostics.map((d) => d.code)).toEqual(['BC1001']);
      expect(tree(out)).toEqual(before);
      // fixed: the rebuild compares with the last good build, not the broken one
      save(withField(model, 'Product', 'price'));
      const fixed = builder.rebuild();
      expect(fixed.changedParts).toEqual(['entities', 'entity:Product', 'program']);
      expect(fixed.summary!.written).toEqual(['models/product.py']);
    });
  });
}

describe('builder robustness', () => {
  it('reports a throwing backend as an internal error and writes nothing', () => {
    save(model);
    const throwing: Backend = {
      name: 'boom',
      generate: () => {
        throw new Error('kaboom');
      },
    };
    const result = build(entry, out, { frontEnd: fakeFrontEnd, backends: [fakeBackend, throwing] });
    expect(result.ok).toBe(false);
    expect(result.diagnostics.map((d) => d.code)).toEqual(['BC9001']);
    expect(result.diagnostics[0]!.message).toContain('kaboom');
    expect(result.summary).toBeUndefined();
  });

  it('reads in-memory file contents before the disk', () => {
    save(model);
    const files = new Map([[entry, JSON.stringify(withField(model, 'Customer', 'phone'))]]);
    const result = new IncrementalBuilder(entry, out, {
      frontEnd: fakeFrontEnd,
      backends: [fakeBackend],
    }).rebuild(files);
    expect(readFileSync(join(out, 'models/customer.py'), 'utf8')).toContain('phone');
    expect(result.sourceFiles).toEqual([entry]);
  });
});

describe('the real front end in a builder', () => {
  it('hands an edit the untouched entities as the same IR objects (the analysis memo is wired in)', () => {
    const src = join(dir, 'src');
    cpSync(join(import.meta.dirname, '../../examples'), src, { recursive: true });
    const shop = join(src, 'shop.bitcup');
    const builder = new IncrementalBuilder(shop, out, { backends: [] });
    const first = builder.rebuild();
    expect(first.ok).toBe(true);
    // an edit of Order in shop.bitcup (the catalog's file is not touched)
    const catalog = join(src, 'shop-catalog.bitcup');
    writeFileSync(
      shop,
      readFileSync(shop, 'utf8').replace(
        'note       text? max(2000)\n',
        'note       text? max(2000)\n  gift       bool = false\n',
      ),
    );
    const second = builder.rebuild();
    expect(second.ok).toBe(true);
    const named = (result: typeof first, name: string) =>
      result.program?.entities.find((e) => e.name === name);
    // Tag lives in the catalog file and reads nothing of Order
    expect(readFileSync(catalog, 'utf8')).toContain('entity Tag');
    expect(named(second, 'Tag')).toBe(named(first, 'Tag'));
    expect(named(second, 'Order')).not.toBe(named(first, 'Order'));
    expect(named(second, 'Order')?.fields.some((f) => f.name === 'gift')).toBe(true);
    // `rules Customer` moved down a line: Customer is analysed again, the
    // units that read it (every rule with currentUser) are not — and the
    // program is still exactly a whole compile's
    expect(JSON.stringify(second.program)).toBe(JSON.stringify(compile(shop).program));
  });
});
