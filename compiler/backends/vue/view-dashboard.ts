// 5d. Dashboards: metric cards and embedded list tables. A metric counts with
// the list endpoint's `total` when its where-clause is list filters (an enum
// or bool filter field compared with `==`, or `in` as a sum of totals); any
// other where-clause is evaluated in the browser over the rows the list
// answers (the server's read rules still decide which rows those are).
import { CodeWriter } from '../../emit/code-writer.js';
import type { Entity, Expr, View } from '../../ir/schema.js';
import { kebab } from '../../names.js';
import { Imports } from './imports.js';
import { entityNames, type VueModel } from './model.js';
import { condition, rowScope } from './scopes.js';
import { call, printCode, type Code } from './ts-code.js';
import { escapeText } from './template.js';
import { TemplateWriter } from './template.js';
import { finishScript } from './component.js';

/** Fields an entity's lists filter on (the API takes one parameter per such field). */
function filterFields(model: VueModel, entity: Entity): Set<string> {
  const names = new Set<string>();
  for (const view of model.program.views) {
    if (view.kind === 'list' && view.entity === entity.name)
      view.filter.forEach((f) => names.add(f));
  }
  return names;
}

type Filters = Record<string, string>;

/** The where-clause as alternatives of equality filters, or undefined when it is not that. */
function asFilters(model: VueModel, entity: Entity, expr: Expr | undefined): Filters[] | undefined {
  if (expr === undefined) return [{}];
  const allowed = filterFields(model, entity);
  const fieldOf = (e: Expr): string | undefined => {
    if (e.kind !== 'path' || e.root !== 'row' || e.steps.length !== 1) return undefined;
    const name = e.steps[0]!.field;
    const field = model.field(entity, name);
    return allowed.has(name) && field !== undefined ? field.apiName : undefined;
  };
  const valueOf = (e: Expr): string | undefined => {
    if (e.kind === 'enumValue') return e.value;
    if (e.kind === 'literal' && typeof e.value === 'boolean') return String(e.value);
    return undefined;
  };
  if (expr.kind === 'binary' && expr.op === '==') {
    const key = fieldOf(expr.left);
    const value = valueOf(expr.right);
    return key !== undefined && value !== undefined ? [{ [key]: value }] : undefined;
  }
  if (expr.kind === 'in') {
    const key = fieldOf(expr.value);
    const values = expr.list.map(valueOf);
    if (key === undefined || values.some((v) => v === undefined)) return undefined;
    return [...new Set(values as string[])].map((v) => ({ [key]: v }));
  }
  if (expr.kind === 'binary' && expr.op === 'and') {
    const left = asFilters(model, entity, expr.left);
    const right = asFilters(model, entity, expr.right);
    if (left?.length !== 1 || right?.length !== 1) return undefined;
    const merged = { ...left[0]!, ...right[0]! };
    return Object.keys(merged).length ===
      Object.keys(left[0]!).length + Object.keys(right[0]!).length
      ? [merged]
      : undefined;
  }
  return undefined;
}

const filtersLiteral = (filters: Filters): string =>
  Object.keys(filters).length === 0
    ? '{}'
    : `{ ${Object.entries(filters)
        .map(([k, v]) => `${k}: '${v}'`)
        .join(', ')} }`;

export function dashboardView(model: VueModel, view: View): string {
  const imports = new Imports().add('vue', 'onMounted', 'ref');
  const titleId = `${kebab(view.name)}-heading`;
  const s = new CodeWriter('  ');
  const metricCode: (Code | undefined)[] = [];
  const predicates: { name: string; read: string; code: Code }[] = [];
  view.metrics.forEach((metric, index) => {
    const expr = metric.expr;
    if (expr.kind !== 'countEntity') {
      metricCode.push(undefined);
      return;
    }
    const entity = model.entity(expr.entity)!;
    const names = entityNames(entity);
    imports.add(`../api/${names.file}.api`, names.api);
    imports.add('../runtime/list', 'countRows');
    const fetch = `${names.api}.list`;
    const filters = asFilters(model, entity, expr.where);
    if (filters !== undefined) {
      const calls = filters.map((f) => call('countRows', fetch, filtersLiteral(f)));
      metricCode.push(calls.length === 1 ? calls[0]! : call('sum', ...calls));
      return;
    }
    const keep = condition(expr.where!, rowScope(model, entity, 'r'));
    if (keep === undefined) {
      metricCode.push(undefined);
      return;
    }
    const name = `metric${index + 1}Counts`;
    imports.type('../api/types', names.read);
    predicates.push({ name, read: names.read, code: keep });
    metricCode.push(call('countRows', fetch, '{}', name));
  });
  const usesSum = metricCode.some(
    (c) => c !== undefined && typeof c !== 'string' && c.call === 'sum',
  );
  const tables = view.tables
    .map((table) => ({ table, list: model.view(table.view) }))
    .filter((entry) => entry.list !== undefined && entry.list.kind === 'list');
  for (const { list } of tables) imports.default(`./${list!.component}.vue`, list!.component);

  s.line(`const metrics = ref<(number | null)[]>([${view.metrics.map(() => 'null').join(', ')}]);`);
  s.line('const auth = useAuthStore();');
  if (usesSum) {
    s.blank();
    s.block(
      'async function sum(...counts: Promise<number>[]): Promise<number> {',
      () => {
        s.line('return (await Promise.all(counts)).reduce((a, b) => a + b, 0);');
      },
      '}',
    );
  }
  for (const predicate of predicates) {
    s.blank();
    s.line("/** The metric's where-clause, evaluated on each row the list answers. */");
    s.block(
      `function ${predicate.name}(r: ${predicate.read}): boolean {`,
      () => {
        printCode(s, 2, 'return ', predicate.code, ';');
      },
      '}',
    );
  }
  s.blank();
  s.line('/** Show one metric; a count the viewer may not make shows as a dash. */');
  s.block(
    'async function show(index: number, count: Promise<number>): Promise<void> {',
    () => {
      s.block('try {', () => s.line('metrics.value[index] = await count;'), '} catch {');
      s.indent(() => s.line('metrics.value[index] = null;'));
      s.line('}');
    },
    '}',
  );
  s.blank();
  s.block(
    'onMounted(() => {',
    () => {
      metricCode.forEach((code, i) => {
        if (code !== undefined) printCode(s, 2, '', call('void show', String(i), code), ';');
      });
    },
    '});',
  );
  // `auth` is only kept when a compiled where-clause reads the user
  const t = new TemplateWriter();
  t.element('section', ['class="view"', `aria-labelledby="${titleId}"`], () => {
    t.leaf('h1', [`id="${titleId}"`], escapeText(view.title));
    if (view.metrics.length > 0) {
      t.element('ul', ['class="metrics"', 'aria-label="Metrics"'], () => {
        view.metrics.forEach((metric, i) => {
          t.element('li', ['class="metric"'], () => {
            t.leaf('h2', [], escapeText(metric.label));
            t.leaf('p', ['class="metric-value"'], `{{ metrics[${i}] ?? '—' }}`);
          });
        });
      });
    }
    for (const { table, list } of tables) {
      const attrs = ['embedded'];
      if (table.limit !== undefined) attrs.push(`:limit="${table.limit}"`);
      t.empty(list!.component, attrs);
    }
  });
  return finishScript(
    `// ${view.title}: metrics and tables at a glance.`,
    imports,
    s.toString(),
    t,
  );
}
