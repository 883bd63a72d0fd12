// 3. Stores: one Pinia setup store per entity (list, get, create, update,
// remove, one `run<Name>` per transition and row behavior, loading and error
// state), each with a generated vitest spec that drives it over a fake fetch.
import { CodeWriter } from '../../emit/code-writer.js';
import type { Entity } from '../../ir/schema.js';
import type { GeneratedFile } from '../types.js';
import { kebab } from '../../names.js';
import {
  actionMethod,
  behaviorInputType,
  entityNames,
  everyFile,
  outputPath,
  type VueModel,
  type Wanted,
} from './model.js';

function storeFile(model: VueModel, entity: Entity): string {
  const names = entityNames(entity);
  const actions = model.actions(entity);
  const inputs = actions
    .filter((a) => a.behavior)
    .map((a) => behaviorInputType(entity.name, a.name));
  const types = [...new Set([names.create, ...inputs, names.read, names.update])].sort();
  const w = new CodeWriter('  ');
  w.line(`// ${entity.pluralLabel}: the rows last loaded, with loading and error state.`);
  w.line("import { defineStore } from 'pinia';");
  w.line("import { ref } from 'vue';");
  w.line("import type { Page as ApiPage } from '../runtime/http';");
  w.line("import type { ListParams } from '../runtime/list';");
  w.line(`import { ${names.api} } from '../api/${names.file}.api';`);
  const importLine = `import type { ${types.join(', ')} } from '../api/types';`;
  if (importLine.length <= 100) w.line(importLine);
  else
    w.block('import type {', () => types.forEach((t) => w.line(`${t},`)), "} from '../api/types';");
  w.blank();
  w.block(
    `export const ${names.store} = defineStore('${names.storeId}', () => {`,
    () => {
      w.line(`const items = ref<${names.read}[]>([]);`);
      w.line('const total = ref(0);');
      w.line(`const current = ref<${names.read} | null>(null);`);
      w.line('const loading = ref(false);');
      w.line('const error = ref<string | null>(null);');
      w.blank();
      w.line('/** Run one call with loading / error bookkeeping; errors are kept and rethrown. */');
      w.block(
        'async function track<T>(work: () => Promise<T>): Promise<T> {',
        () => {
          w.line('loading.value = true;');
          w.line('error.value = null;');
          w.block('try {', () => w.line('return await work();'), '} catch (caught) {');
          w.indent(() => {
            w.line('error.value = caught instanceof Error ? caught.message : String(caught);');
            w.line('throw caught;');
          });
          w.block('} finally {', () => w.line('loading.value = false;'), '}');
        },
        '}',
      );
      w.blank();
      w.line('/** Put a fresh copy of a row wherever the store holds it. */');
      w.block(
        `function remember(row: ${names.read}): ${names.read} {`,
        () => {
          w.line('items.value = items.value.map((item) => (item.id === row.id ? row : item));');
          w.line(
            'if (current.value?.id === row.id || current.value === null) current.value = row;',
          );
          w.line('return row;');
        },
        '}',
      );
      w.blank();
      w.block(
        `async function fetchList(params: ListParams): Promise<ApiPage<${names.read}>> {`,
        () => {
          w.block(
            'return track(async () => {',
            () => {
              w.line(`const page = await ${names.api}.list(params);`);
              w.line('items.value = page.items;');
              w.line('total.value = page.total;');
              w.line('return page;');
            },
            '});',
          );
        },
        '}',
      );
      w.blank();
      w.block(
        `async function fetchOne(id: string): Promise<${names.read}> {`,
        () => {
          w.block(
            'return track(async () => {',
            () => {
              w.line(`current.value = await ${names.api}.get(id);`);
              w.line('return current.value;');
            },
            '});',
          );
        },
        '}',
      );
      w.blank();
      w.block(
        `async function createOne(data: ${names.create}): Promise<${names.read}> {`,
        () => {
          w.line(`return track(async () => remember(await ${names.api}.create(data)));`);
        },
        '}',
      );
      w.blank();
      w.block(
        `async function updateOne(id: string, data: ${names.update}): Promise<${names.read}> {`,
        () => w.line(`return track(async () => remember(await ${names.api}.update(id, data)));`),
        '}',
      );
      w.blank();
      w.block(
        'async function removeOne(id: string): Promise<void> {',
        () => {
          w.block(
            'await track(async () => {',
            () => {
              w.line(`await ${names.api}.remove(id);`);
              w.line('items.value = items.value.filter((item) => item.id !== id);');
              w.line('total.value = Math.max(0, total.value - 1);');
              w.line('if (current.value?.id === id) current.value = null;');
            },
            '});',
          );
        },
        '}',
      );
      for (const action of actions) {
        const method = actionMethod(action.name);
        w.blank();
        if (action.transition !== undefined) {
          const flow = action.flow!;
          w.line(
            `/** ${flow.field}: ${action.transition.from.join(', ')} -> ${action.transition.to} */`,
          );
          w.block(
            `async function ${method}(id: string): Promise<${names.read}> {`,
            () => {
              w.line(`return track(async () => remember(await ${names.api}.${method}(id)));`);
            },
            '}',
          );
        } else {
          const behavior = action.behavior!;
          const input = behaviorInputType(entity.name, action.name);
          const returnsRow =
            behavior.returns?.kind === 'entity' && behavior.returns.entity === entity.name;
          const signature = `async function ${method}(id: string, input: ${input} = {})`;
          w.block(
            `${signature} {`,
            () => {
              if (returnsRow) {
                w.block(
                  'return track(async () => {',
                  () => {
                    w.line(`const answer = await ${names.api}.${method}(id, input);`);
                    w.line(
                      '// the row acted on comes back fresh; a newly created row is the caller’s to open',
                    );
                    w.line('if (answer.id === id) remember(answer);');
                    w.line('return answer;');
                  },
                  '});',
                );
              } else {
                w.line(`return track(() => ${names.api}.${method}(id, input));`);
              }
            },
            '}',
          );
        }
      }
      w.blank();
      const exported = [
        'items',
        'total',
        'current',
        'loading',
        'error',
        'fetchList',
        'fetchOne',
        'createOne',
        'updateOne',
        'removeOne',
        ...actions.map((a) => actionMethod(a.name)),
      ];
      const single = `return { ${exported.join(', ')} };`;
      if (single.length + 2 <= 100) w.line(single);
      else w.block('return {', () => exported.forEach((name) => w.line(`${name},`)), '};');
    },
    '});',
  );
  return w.toString();
}

/** A sample JSON row for the spec's fake server. */
function sampleRow(model: VueModel, entity: Entity, id: string): string {
  const parts: string[] = [`id: '${id}'`];
  for (const field of model.readFields(entity)) {
    if (field.primaryKey) continue;
    if (field.type.kind === 'enum') {
      const flow = model.program.flows.find(
        (f) => f.entity === entity.name && f.field === field.name,
      );
      const value = flow?.initial ?? model.enumValues(field.type.enum)[0] ?? '';
      parts.push(`${field.apiName}: '${value}'`);
    }
  }
  return `{ ${parts.join(', ')} }`;
}

function storeSpecFile(model: VueModel, entity: Entity): string {
  const names = entityNames(entity);
  const prefix = model.program.app.apiPrefix;
  const base = `${prefix}/${entity.apiPath}`;
  const transitions = model.actions(entity).filter((a) => a.transition !== undefined);
  const w = new CodeWriter('  ');
  w.line(`// The ${entity.label.toLowerCase()} store against a fake fetch: URLs, methods, state.`);
  w.line("import { createPinia, setActivePinia } from 'pinia';");
  w.line("import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';");
  w.line("import { configureHttp } from '../runtime/http';");
  w.line(`import { ${names.store} } from './${names.file}.store';`);
  w.blank();
  w.line('type Call = { url: string; method: string; body: string | undefined };');
  w.blank();
  w.block(
    'function fakeFetch(status: number, answer: unknown) {',
    () => {
      w.line('const calls: Call[] = [];');
      w.block(
        'const fetch = vi.fn(async (url: string, init: RequestInit) => {',
        () => {
          w.line(
            "calls.push({ url, method: init.method ?? 'GET', body: init.body as string | undefined });",
          );
          w.line('const text = status === 204 ? null : JSON.stringify(answer);');
          w.line('return new Response(text, { status });');
        },
        '});',
      );
      w.line("vi.stubGlobal('fetch', fetch);");
      w.line('return calls;');
    },
    '}',
  );
  w.blank();
  w.block(
    `describe('${names.store}', () => {`,
    () => {
      w.block(
        'beforeEach(() => {',
        () => {
          w.line('setActivePinia(createPinia());');
          w.line(`configureHttp({ prefix: '${prefix}', token: () => 'token-1' });`);
        },
        '});',
      );
      w.line('afterEach(() => vi.unstubAllGlobals());');
      w.blank();
      w.block(
        "it('lists a page with paging, sort, search and filters in the query', async () => {",
        () => {
          w.line(`const row = ${sampleRow(model, entity, 'r1')};`);
          w.line(
            'const calls = fakeFetch(200, { items: [row], total: 41, page: 2, pageSize: 20 });',
          );
          w.line(`const store = ${names.store}();`);
          w.line(
            "await store.fetchList({ page: 2, pageSize: 20, sort: '-id', q: 'x', filters: { a: 'b' } });",
          );
          w.line(`expect(calls[0]?.url).toBe('${base}?page=2&pageSize=20&sort=-id&q=x&a=b');`);
          w.line("expect(store.items.map((item) => item.id)).toEqual(['r1']);");
          w.line('expect(store.total).toBe(41);');
          w.line('expect(store.loading).toBe(false);');
        },
        '});',
      );
      w.blank();
      w.block(
        "it('gets, creates, updates and removes one row', async () => {",
        () => {
          w.line(`const store = ${names.store}();`);
          w.line(`let calls = fakeFetch(200, ${sampleRow(model, entity, 'r1')});`);
          w.line("await store.fetchOne('r1');");
          w.line("expect(calls[0]).toMatchObject({ url: '" + base + "/r1', method: 'GET' });");
          w.line("expect(store.current?.id).toBe('r1');");
          w.line(`calls = fakeFetch(201, ${sampleRow(model, entity, 'r2')});`);
          w.line('await store.createOne({} as Parameters<typeof store.createOne>[0]);');
          w.line(
            "expect(calls[0]).toMatchObject({ url: '" + base + "', method: 'POST', body: '{}' });",
          );
          w.line(`calls = fakeFetch(200, ${sampleRow(model, entity, 'r1')});`);
          w.line("await store.updateOne('r1', {});");
          w.line("expect(calls[0]).toMatchObject({ url: '" + base + "/r1', method: 'PATCH' });");
          w.line('calls = fakeFetch(204, null);');
          w.line("await store.removeOne('r1');");
          w.line("expect(calls[0]).toMatchObject({ url: '" + base + "/r1', method: 'DELETE' });");
          w.line('expect(store.current).toBeNull();');
        },
        '});',
      );
      w.blank();
      w.block(
        "it('keeps the error of a failed call and rethrows it', async () => {",
        () => {
          w.line("fakeFetch(404, { detail: 'Not found' });");
          w.line(`const store = ${names.store}();`);
          w.line("await expect(store.fetchOne('missing')).rejects.toThrow('Not found');");
          w.line("expect(store.error).toBe('Not found');");
          w.line('expect(store.loading).toBe(false);');
        },
        '});',
      );
      for (const action of transitions) {
        const method = actionMethod(action.name);
        const to = action.transition!.to;
        const field = action.flow!.field;
        const apiName = entity.fields.find((f) => f.name === field)?.apiName ?? field;
        w.blank();
        w.block(
          `it('runs the ${action.name} transition', async () => {`,
          () => {
            w.line(`const calls = fakeFetch(200, { id: 'r1', ${apiName}: '${to}' });`);
            w.line(`const store = ${names.store}();`);
            w.line(`const row = await store.${method}('r1');`);
            w.line(
              `expect(calls[0]).toMatchObject({ url: '${base}/r1/${action.transition!.apiPath}', method: 'POST' });`,
            );
            w.line(`expect(row.${apiName}).toBe('${to}');`);
            w.line(`expect(store.current?.${apiName}).toBe('${to}');`);
          },
          '});',
        );
      }
    },
    '});',
  );
  return w.toString();
}

/** `wanted` (incremental builds): make only the files it accepts. */
export function storeFiles(model: VueModel, wanted: Wanted = everyFile): GeneratedFile[] {
  const files: GeneratedFile[] = [];
  const file = (path: string, dependsOn: () => string[], content: () => string): void => {
    if (!wanted(path, dependsOn)) return;
    files.push({ path, content: content(), ownership: 'generated', dependsOn: dependsOn() });
  };
  for (const entity of model.program.entities) {
    const name = entity.name;
    file(
      outputPath('store', name, () => `frontend/src/stores/${kebab(name)}.store.ts`),
      // its actions: the entity's flows and row behaviors (a new one included)
      () => [`entity:${name}`, `flows:${name}`, `behaviors:${name}`],
      () => storeFile(model, entity),
    );
    file(
      outputPath('store spec', name, () => `frontend/src/stores/${kebab(name)}.store.spec.ts`),
      // transitions, and a sample row's states: a flow's initial or the enum's first value
      () => [
        `entity:${name}`,
        'app',
        `flows:${name}`,
        ...model
          .readFields(entity)
          .flatMap((field) =>
            field.type.kind === 'enum' && !field.primaryKey ? [`enum:${field.type.enum}`] : [],
          ),
      ],
      () => storeSpecFile(model, entity),
    );
  }
  return files;
}
