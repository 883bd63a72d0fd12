// The Vue backend on the compiled examples, without installing anything:
// determinism, runtime copied verbatim, routes and names the issue asks for.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { vueBackend } from '../../compiler/backends/vue/index.js';
import { runtimeFiles } from '../../compiler/backends/vue/runtime-files.js';
import type { GeneratedFile } from '../../compiler/backends/types.js';
import type { Diagnostic } from '../../compiler/diagnostics/diagnostic.js';
import { compile } from '../../compiler/index.js';
import type { Program } from '../../compiler/ir/schema.js';
import { REPO } from './support.js';

function program(name: string): Program {
  const result = compile(join(REPO, 'examples', `${name}.bitcup`));
  if (!result.program) throw new Error(result.diagnostics.map((d) => d.message).join('\n'));
  return result.program;
}

function generate(ir: Program): { files: Map<string, string>; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const out: GeneratedFile[] = vueBackend.generate(ir, {
    previous: { revisions: new Map() },
    report: (d) => diagnostics.push(d),
  });
  return { files: new Map(out.map((f) => [f.path, f.content])), diagnostics };
}

describe('vue backend', () => {
  it('is deterministic and reports nothing on the examples', () => {
    for (const name of ['blog', 'shop', 'platform']) {
      const first = generate(program(name));
      const second = generate(program(name));
      expect(first.diagnostics).toEqual([]);
      expect([...second.files.entries()]).toEqual([...first.files.entries()]);
      const paths = [...first.files.keys()];
      expect(paths).toEqual([...paths].sort());
    }
  });

  it('copies the runtime verbatim and one package.json for every model', () => {
    const runtime = runtimeFiles()!;
    expect(runtime.map((f) => f.path)).toContain('src/runtime/http.ts');
    const packages = new Set<string>();
    for (const name of ['blog', 'shop', 'platform']) {
      const { files } = generate(program(name));
      for (const file of runtime) expect(files.get(`frontend/${file.path}`)).toBe(file.content);
      packages.add(files.get('frontend/package.json')!);
    }
    expect(packages.size).toBe(1);
    const pkg = readFileSync(join(REPO, 'runtime/vue/package.json'), 'utf8');
    expect([...packages][0]).toBe(pkg);
  });

  it('routes every view lazily, with auth meta, guest-only sign-in and a NotFound', () => {
    const { files } = generate(program('shop'));
    const router = files.get('frontend/src/router/index.ts')!;
    expect(router).toContain("path: '/orders',");
    expect(router).toContain("component: () => import('../views/OrdersView.vue'),");
    expect(router).toMatch(/path: '\/catalog',[\s\S]*?meta: \{ title: 'Catalog' \}/);
    expect(router).toMatch(/path: '\/orders',[\s\S]*?meta: \{ requiresAuth: true/);
    expect(router).toMatch(/path: '\/login',[\s\S]*?guestOnly: true/);
    expect(router).toContain("return { name: 'login', query: { redirect: to.fullPath } };");
    expect(router).toContain("path: '/:pathMatch(.*)*',");
    const blog = generate(program('blog')).files;
    expect(blog.has('frontend/src/views/AppLoginView.vue')).toBe(false);
    expect(blog.get('frontend/src/router/index.ts')).not.toContain('requiresAuth: true');
  });

  it('keeps store actions apart from transitions called like CRUD verbs', () => {
    const { files } = generate(program('platform'));
    const store = files.get('frontend/src/stores/project.store.ts')!;
    expect(store).toContain('async function removeOne(id: string)');
    expect(store).toContain('async function runRemove(id: string)');
    expect(store).toMatch(/projectApi\.runRemove\(id\)/);
    expect(files.get('frontend/src/api/project.api.ts')).toContain('`${base}/${id}/remove`');
  });

  it('mirrors check rules over the form fields in the form, with the rule message', () => {
    const { files } = generate(program('shop'));
    const form = files.get('frontend/src/views/EditProductView.vue')!;
    expect(form).toContain("fail('price', 'A product in stock needs a price');");
    expect(form).toContain('bc.or(bc.gt(v.price, 0), bc.eq(v.stock, 0))');
    // the order check mentions status, which NewOrder does not edit: server-side only
    expect(files.get('frontend/src/views/NewOrderView.vue')).not.toContain('ship date');
  });

  it('shows controls only where rules may allow them, and asks behaviors for their input', () => {
    const { files } = generate(program('shop'));
    const catalog = files.get('frontend/src/views/CatalogView.vue')!;
    expect(catalog).toContain(
      "const canCreate = computed(() => bc.truthy(auth.user?.['isStaff']));",
    );
    expect(catalog).toContain('<RouterLink v-if="canCreate"');
    const order = files.get('frontend/src/views/OrderPageView.vue')!;
    expect(order).toMatch(
      /const canShip = computed\(\(\) => \{[\s\S]*?bc\.oneOf\(r\.status, 'paid'\)/,
    );
    expect(order).toMatch(/<form\s+v-if="openReorder"/);
    expect(order).toContain("await run('Reorder', () => store.runReorder(id.value, input));");
    expect(order).toContain('confirmingDelete');
  });

  it('declares every IR part a view reads in dependsOn', () => {
    const out = vueBackend.generate(program('shop'), {
      previous: { revisions: new Map() },
      report: () => undefined,
    });
    const page = out.find((f) => f.path === 'frontend/src/views/OrderPageView.vue')!;
    // the entities it shows, its actions (Order's flows and row behaviors),
    // the links to Order's and OrderLine's views (its related list)
    for (const part of [
      'entity:Order',
      'entity:OrderLine',
      'entity:Customer',
      'flows:Order',
      'behaviors:Order',
      'views:Order',
      'views:OrderLine',
    ]) {
      expect(page.dependsOn).toContain(part);
    }
    // an entity's share, not the whole lists: another entity's view or flow
    // edit does not remake this page
    for (const list of ['flows', 'views', 'behaviors', 'program']) {
      expect(page.dependsOn).not.toContain(list);
    }
  });
});
