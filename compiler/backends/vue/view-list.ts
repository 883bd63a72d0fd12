// 5a. List views: columns (relation paths included), filter controls for enum
// and bool fields, a search box, sortable headers, paging, rows linking to the
// entity's first detail view. `embedded` renders just the table (dashboards).
import { CodeWriter } from '../../emit/code-writer.js';
import type { Entity, View, ViewField } from '../../ir/schema.js';
import { camel, kebab } from '../../names.js';
import { Imports } from './imports.js';
import { entityNames, isToOne, pathWithId, type VueModel } from './model.js';
import { permission } from './scopes.js';
import { printCode } from './ts-code.js';
import { escapeText, jsString, TemplateWriter } from './template.js';
import { finishScript } from './component.js';

/** The API path of a view column: to-one steps become nested objects, a final to-one its id. */
export function apiPath(model: VueModel, column: ViewField): string {
  const parts: string[] = [];
  column.steps.forEach((step, i) => {
    const entity = model.entity(step.entity);
    const field = entity && model.field(entity, step.field);
    const last = i === column.steps.length - 1;
    parts.push(field && last && isToOne(field) ? field.apiName : step.field);
  });
  return parts.join('.');
}

/** Fields a list may sort by: plain columns of the entity itself. */
function sortable(model: VueModel, entity: Entity, column: ViewField): boolean {
  if (column.steps.length !== 1) return false;
  const type = model.field(entity, column.steps[0]!.field)?.type;
  return type?.kind === 'enum' || (type?.kind === 'scalar' && type.scalar !== 'json');
}

export function listView(model: VueModel, view: View): string {
  const entity = model.entity(view.entity)!;
  const names = entityNames(entity);
  const detail = view.detailView
    ? model.view(view.detailView)
    : model.firstView(entity.name, 'detail');
  const form = model.firstView(entity.name, 'form');
  const titleId = `${kebab(view.name)}-heading`;
  const imports = new Imports()
    .add('vue', 'onMounted', 'ref', 'watch')
    .type('../api/types', names.read)
    .add('../runtime/format', 'display', 'pathValue')
    .add('../runtime/list', 'useListQuery')
    .add(`../stores/${names.file}.store`, names.store);
  const filters = view.filter
    .map((name) => model.field(entity, name))
    .filter((field) => field !== undefined)
    .filter(
      (field) =>
        field.type.kind === 'enum' ||
        (field.type.kind === 'scalar' && field.type.scalar === 'bool'),
    );
  for (const field of filters) {
    if (field.type.kind === 'enum') imports.add('../api/types', `${camel(field.type.enum)}Values`);
  }
  // "New" only for users a create rule may allow (the server still decides)
  const createAllowed =
    form === undefined ? 'false' : permission(model, entity, 'create', undefined);
  const showNew = form !== undefined && createAllowed !== 'false';
  const newGuard = showNew && createAllowed !== 'true';
  if (newGuard) imports.add('vue', 'computed');
  imports.default('../runtime/components/PageNav.vue', 'PageNav');
  if (view.search.length > 0) imports.default('../runtime/components/TextField.vue', 'TextField');

  const sort = view.sort ? `${view.sort.direction === 'desc' ? '-' : ''}${view.sort.field}` : '';
  const s = new CodeWriter('  ');
  s.block(
    'const props = withDefaults(defineProps<{ embedded?: boolean; limit?: number }>(), {',
    () => {
      s.line('embedded: false,');
      s.line('limit: 0,');
    },
    '});',
  );
  s.blank();
  s.line(`const store = ${names.store}();`);
  if (newGuard) {
    s.line('const auth = useAuthStore();');
    printCode(s, 0, 'const canCreate = computed(() => ', createAllowed, ');');
  }
  s.block(
    'const { state, params, toggleSort, sortDirection } = useListQuery({',
    () => {
      s.line(`pageSize: props.limit || ${view.pageSize},`);
      s.line(`sort: ${jsString(sort)},`);
      if (filters.length > 0) {
        s.line(`filters: { ${filters.map((f) => `${f.apiName}: ''`).join(', ')} },`);
      }
    },
    '});',
  );
  s.line(`const rows = ref<${names.read}[]>([]);`);
  s.line('const total = ref(0);');
  s.line("const failed = ref('');");
  if (view.search.length > 0) s.line("const search = ref('');");
  s.blank();
  s.block(
    'async function load(): Promise<void> {',
    () => {
      s.line("failed.value = '';");
      s.block(
        'try {',
        () => {
          s.line('const page = await store.fetchList(params.value);');
          s.line('rows.value = page.items;');
          s.line('total.value = page.total;');
        },
        '} catch (caught) {',
      );
      s.indent(() =>
        s.line('failed.value = caught instanceof Error ? caught.message : String(caught);'),
      );
      s.line('}');
    },
    '}',
  );
  if (view.search.length > 0) {
    s.blank();
    s.block(
      'function applySearch(): void {',
      () => {
        s.line('state.q = search.value.trim();');
        s.line('state.page = 1;');
      },
      '}',
    );
  }
  s.blank();
  s.line('watch(params, load);');
  s.line('onMounted(load);');

  const t = new TemplateWriter();
  t.element('section', ['class="view"', `aria-labelledby="${titleId}"`], () => {
    t.leaf('h1', ['v-if="!embedded"', `id="${titleId}"`], escapeText(view.title));
    t.leaf('h2', ['v-else', `id="${titleId}"`], escapeText(view.title));
    const hasToolbar = showNew || filters.length > 0 || view.search.length > 0;
    if (hasToolbar) {
      t.element('div', ['v-if="!embedded"', 'class="toolbar"'], () => {
        if (view.search.length > 0) {
          t.element('form', ['role="search"', '@submit.prevent="applySearch"'], () => {
            t.empty('TextField', [
              `id="${kebab(view.name)}-search"`,
              'v-model="search"',
              `label="Search ${escapeText(entity.pluralLabel.toLowerCase())}"`,
            ]);
            t.leaf('button', ['type="submit"'], 'Search');
          });
        }
        for (const field of filters) {
          const id = `${kebab(view.name)}-filter-${kebab(field.name)}`;
          t.element('div', ['class="field"'], () => {
            t.leaf('label', [`for="${id}"`], escapeText(field.label));
            t.element(
              'select',
              [
                `id="${id}"`,
                `v-model="state.filters.${field.apiName}"`,
                '@change="state.page = 1"',
              ],
              () => {
                t.leaf('option', ['value=""'], 'Any');
                if (field.type.kind === 'enum') {
                  t.leaf(
                    'option',
                    [
                      `v-for="value in ${camel(field.type.enum)}Values"`,
                      ':key="value"',
                      ':value="value"',
                    ],
                    '{{ value }}',
                  );
                } else {
                  t.leaf('option', ['value="true"'], 'Yes');
                  t.leaf('option', ['value="false"'], 'No');
                }
              },
            );
          });
        }
        if (showNew) {
          const attrs = ['class="button"', `to="${form.paths[0]!}"`];
          if (newGuard) attrs.unshift('v-if="canCreate"');
          t.leaf('RouterLink', attrs, `New ${escapeText(entity.label.toLowerCase())}`);
        }
      });
    }
    t.leaf('p', ['v-if="failed"', 'class="form-error"', 'role="alert"'], '{{ failed }}');
    t.element('table', [], () => {
      t.element('thead', [], () => {
        t.element('tr', [], () => {
          for (const column of view.columns) {
            if (sortable(model, entity, column)) {
              const name = column.steps[0]!.field;
              t.element('th', ['scope="col"', `:aria-sort="sortDirection('${name}')"`], () => {
                t.leaf(
                  'button',
                  ['type="button"', `@click="toggleSort('${name}')"`],
                  escapeText(column.label),
                );
              });
            } else {
              t.leaf('th', ['scope="col"'], escapeText(column.label));
            }
          }
        });
      });
      t.element('tbody', [], () => {
        t.element('tr', ['v-for="row in rows"', ':key="row.id"'], () => {
          view.columns.forEach((column, i) => {
            const value = `{{ display(pathValue(row, '${apiPath(model, column)}')) }}`;
            if (i === 0 && detail) {
              t.element('td', [], () => {
                t.leaf('RouterLink', [`:to="${pathWithId(detail.paths[0]!, 'row.id')}"`], value);
              });
            } else {
              t.leaf('td', [], value);
            }
          });
        });
        t.element('tr', ['v-if="rows.length === 0"'], () => {
          t.leaf(
            'td',
            [`colspan="${Math.max(1, view.columns.length)}"`],
            `No ${escapeText(entity.pluralLabel.toLowerCase())} yet.`,
          );
        });
      });
    });
    t.empty('PageNav', [
      'v-if="!embedded"',
      'v-model:page="state.page"',
      ':total="total"',
      ':page-size="state.pageSize"',
      `label="${escapeText(view.title)} pages"`,
    ]);
  });
  return finishScript(
    `// ${view.title}: ${entity.pluralLabel.toLowerCase()}, ${view.pageSize} a page.`,
    imports,
    s.toString(),
    t,
  );
}
