// 5b. Detail views: the row's fields, related lists (with "add" when a form
// exists for the related entity, its back reference filled in), and buttons
// only for transitions valid in the row's state and actions the user may run.
import { CodeWriter } from '../../emit/code-writer.js';
import type { Behavior, Entity, Field, View } from '../../ir/schema.js';
import { plainField } from '../../ir/fields.js';
import { camel, humanize, kebab, pascal } from '../../names.js';
import { Imports } from './imports.js';
import {
  actionMethod,
  entityNames,
  inputKind,
  isManyToMany,
  pathWithId,
  type VueModel,
} from './model.js';
import {
  FIELD_COMPONENTS,
  fieldTemplate,
  formStateType,
  initialValue,
  payloadValue,
  type FormField,
} from './view-form.js';
import { condition, permission, rowScope } from './scopes.js';
import { call, printCode, type Code } from './ts-code.js';
import { finishScript } from './component.js';
import { escapeText, jsString, TemplateWriter } from './template.js';
import { apiPath } from './view-list.js';

interface Related {
  field: Field;
  target: Entity;
  ref: string; // local ref holding the rows
  columns: Field[];
  detail?: View;
  /** "add" link: the form path and the query key of the back reference */
  add?: { path: string; key: string };
}

/** A behavior's inputs as form fields (json and relations are not inputs here). */
function inputFields(behavior: Behavior): FormField[] {
  return behavior.input.map((input) => {
    const field = plainField(
      input.name,
      input.type,
      input.optional,
      humanize(input.name),
      input.span,
    );
    const kind = inputKind(field) === 'json' ? 'textarea' : inputKind(field);
    return { field, kind, key: input.name, required: !input.optional && kind !== 'bool' };
  });
}

function relatedOf(model: VueModel, entity: Entity, view: View): Related[] {
  const related: Related[] = [];
  for (const name of view.related) {
    const field = model.field(entity, name);
    if (field === undefined || field.type.kind !== 'relation') continue;
    const target = model.entity(field.type.target);
    if (target === undefined) continue;
    const labels = model.labelFields(target);
    const extra = target.fields.filter(
      (f) =>
        !f.private &&
        f.origin === 'declared' &&
        (f.type.kind === 'enum' ||
          (f.type.kind === 'scalar' && !['json', 'text', 'password'].includes(f.type.scalar))),
    );
    const columns = [
      ...labels.map((l) => model.field(target, l)!),
      ...extra.filter((f) => !labels.includes(f.name)),
    ].slice(0, 4);
    if (columns.length === 0) columns.push(target.fields[0]!);
    const form = model.firstView(target.name, 'form');
    const inverse = field.type.inverse;
    const add =
      form !== undefined && field.type.relation === 'one-to-many' && inverse !== undefined
        ? { path: form.paths[0]!, key: inverse }
        : undefined;
    related.push({
      field,
      target,
      ref: `${camel(name)}Rows`,
      columns,
      detail: model.firstView(target.name, 'detail'),
      add,
    });
  }
  return related;
}

export function detailView(model: VueModel, view: View): string {
  const entity = model.entity(view.entity)!;
  const names = entityNames(entity);
  const titleId = `${kebab(view.name)}-heading`;
  const form = model.firstView(entity.name, 'form');
  const related = relatedOf(model, entity, view);
  const allActions = model.actions(entity);
  const actions = view.actions
    .map((a) => allActions.find((candidate) => candidate.name === a.name))
    .filter((a) => a !== undefined);
  const needsAuth = model.hasAuth;
  // behaviors that take input get a small form instead of a one-click button
  const asking = actions
    .filter((a) => (a.behavior?.input.length ?? 0) > 0)
    .map((action) => ({ action, fields: inputFields(action.behavior!) }));
  const imports = new Imports()
    .add('vue', 'computed', 'onMounted', 'ref', 'watch')
    .add('vue-router', 'useRoute')
    .type('../api/types', names.read)
    .add('../runtime/format', 'display', 'pathValue')
    .add(`../stores/${names.file}.store`, names.store);
  const deletePermission = permission(model, entity, 'delete', 'r');
  const canDelete = deletePermission !== 'false';
  const list = model.firstView(entity.name, 'list');
  const needsRouter = canDelete || actions.some((a) => a.behavior?.returns?.kind === 'entity');
  if (needsRouter) imports.add('vue-router', 'useRouter');
  for (const rel of related) {
    const targetNames = entityNames(rel.target);
    imports.type('../api/types', targetNames.read);
    imports.add(`../api/${targetNames.file}.api`, targetNames.api);
  }
  for (const { fields } of asking) {
    imports.add('vue', 'reactive');
    for (const f of fields) {
      const component = FIELD_COMPONENTS[f.kind] ?? 'TextField';
      imports.default(`../runtime/components/${component}.vue`, component);
      if (f.kind === 'datetime') imports.add('../runtime/format', 'fromDatetimeLocal');
      if (f.field.type.kind === 'enum') {
        imports.add('../api/types', `${camel(f.field.type.enum)}Values`);
        imports.type('../api/types', f.field.type.enum);
      }
    }
  }
  const enumsAsked = new Set(
    asking.flatMap(({ fields }) =>
      fields.flatMap((f) => (f.field.type.kind === 'enum' ? [f.field.type.enum] : [])),
    ),
  );
  const s = new CodeWriter('  ');
  s.line('const route = useRoute();');
  if (needsRouter) s.line('const router = useRouter();');
  s.line(`const store = ${names.store}();`);
  s.line('const auth = useAuthStore();');
  s.line("const id = computed(() => String(route.params.id ?? ''));");
  s.line(`const row = ref<${names.read} | null>(null);`);
  s.line("const failed = ref('');");
  s.line("const notice = ref('');");
  for (const e of enumsAsked) {
    s.line(
      `const ${camel(e)}Options = ${camel(e)}Values.map((value) => ({ value, label: value }));`,
    );
  }
  if (actions.length > 0 || canDelete) s.line('const busy = ref(false);');
  if (canDelete) s.line('const confirmingDelete = ref(false);');
  for (const rel of related) {
    s.line(`const ${rel.ref} = ref<${entityNames(rel.target).read}[]>([]);`);
    s.line(`const ${rel.ref}Failed = ref('');`);
  }
  s.blank();
  const message = 'caught instanceof Error ? caught.message : String(caught)';
  s.block(
    'async function load(): Promise<void> {',
    () => {
      s.line("failed.value = '';");
      s.block(
        'try {',
        () => s.line('row.value = await store.fetchOne(id.value);'),
        '} catch (caught) {',
      );
      s.indent(() => {
        s.line('row.value = null;');
        s.line(`failed.value = ${message};`);
        s.line('return;');
      });
      s.line('}');
      for (const rel of related) s.line(`void load${pascal(rel.field.name)}();`);
    },
    '}',
  );
  for (const rel of related) {
    const targetNames = entityNames(rel.target);
    s.blank();
    s.block(
      `async function load${pascal(rel.field.name)}(): Promise<void> {`,
      () => {
        s.line(`${rel.ref}Failed.value = '';`);
        s.block(
          'try {',
          () => {
            if (isManyToMany(rel.field)) {
              s.line(`const ids = row.value?.${rel.field.apiName} ?? [];`);
              s.line(
                `${rel.ref}.value = await Promise.all(ids.map((one) => ${targetNames.api}.get(one)));`,
              );
            } else {
              const inverse =
                rel.field.type.kind === 'relation' ? rel.field.type.inverse : undefined;
              const inverseField = inverse ? model.field(rel.target, inverse) : undefined;
              const key = inverseField?.apiName ?? `${camel(entity.name)}Id`;
              s.line(`const filters = { ${key}: id.value };`);
              s.line(
                `const page = await ${targetNames.api}.list({ page: 1, pageSize: 100, filters });`,
              );
              s.line(
                '// kept to this row even where the API does not filter by the back reference',
              );
              s.line(`${rel.ref}.value = page.items.filter((item) => item.${key} === id.value);`);
            }
          },
          '} catch (caught) {',
        );
        s.indent(() => s.line(`${rel.ref}Failed.value = ${message};`));
        s.line('}');
      },
      '}',
    );
  }
  for (const rel of related.filter((r) => r.add)) {
    s.blank();
    s.line(
      `/** "Add" for ${rel.field.label.toLowerCase()}: the form, with this row as its ${rel.add!.key}. */`,
    );
    s.block(
      `const add${pascal(rel.field.name)}Link = computed(() => ({`,
      () => {
        s.line(`path: '${rel.add!.path}',`);
        s.line(`query: { ${rel.add!.key}: id.value, returnTo: route.fullPath },`);
      },
      '}));',
    );
  }
  // permissions and actions
  const canLines: { name: string; code: Code }[] = [];
  const editPermission = form === undefined ? 'false' : permission(model, entity, 'update', 'r');
  if (canDelete) canLines.push({ name: 'canDelete', code: deletePermission });
  if (editPermission !== 'false') canLines.push({ name: 'canEdit', code: editPermission });
  for (const action of actions) {
    const parts: Code[] = [];
    if (action.transition !== undefined) {
      const stateField = model.field(entity, action.flow!.field);
      const states = action.transition.from.map((st) => `'${st}'`);
      parts.push(call('bc.oneOf', `r.${stateField?.apiName ?? action.flow!.field}`, ...states));
      if (action.transition.guard) {
        const guard = condition(action.transition.guard, rowScope(model, entity, 'r'));
        if (guard !== undefined) parts.push(guard);
      }
    } else {
      for (const statement of action.behavior!.statements) {
        if (statement.kind !== 'require') continue;
        const check = condition(statement.expr, rowScope(model, entity, 'r'));
        if (check !== undefined) parts.push(check);
      }
    }
    const allowed = permission(model, entity, action.name, 'r');
    if (allowed === 'false') continue; // no rule allows it: no button
    if (allowed !== 'true') parts.push(allowed);
    const code =
      parts.length === 0 ? 'true' : parts.length === 1 ? parts[0]! : call('bc.and', ...parts);
    canLines.push({ name: `can${pascal(action.name)}`, code });
  }
  for (const can of canLines) {
    s.blank();
    s.block(
      `const ${can.name} = computed(() => {`,
      () => {
        s.line('const r = row.value;');
        if (can.code === 'true') s.line('return r !== null;');
        else {
          s.line('if (r === null) return false;');
          printCode(s, 2, 'return ', can.code, ';');
        }
      },
      '});',
    );
  }
  if (actions.length > 0) {
    s.blank();
    s.line('/** Run a transition or behavior, then show the row as it is now. */');
    s.block(
      'async function run(label: string, action: () => Promise<unknown>): Promise<void> {',
      () => {
        s.line('busy.value = true;');
        s.line("failed.value = '';");
        s.line("notice.value = '';");
        s.block(
          'try {',
          () => {
            const opensOther = actions.some((a) => a.behavior?.returns?.kind === 'entity');
            s.line(opensOther ? 'const answer = await action();' : 'await action();');
            s.line('notice.value = `${label}: done.`;');
            if (opensOther) {
              s.line(
                "const other = typeof answer === 'object' && answer !== null ? answer : null;",
              );
              s.line("const otherId = other && 'id' in other ? String(other.id) : id.value;");
              s.block(
                'if (otherId !== id.value) {',
                () => {
                  s.line(`await router.push(${pathWithId(view.paths[0]!, 'otherId')});`);
                  s.line('return;');
                },
                '}',
              );
            }
            s.line('await load();');
          },
          '} catch (caught) {',
        );
        s.indent(() => s.line(`failed.value = ${message};`));
        s.block('} finally {', () => s.line('busy.value = false;'), '}');
      },
      '}',
    );
  }
  if (canDelete) {
    s.blank();
    s.line('/** Delete after a second, explicit click; then back to the list. */');
    s.block(
      'async function removeRow(): Promise<void> {',
      () => {
        s.line('busy.value = true;');
        s.line("failed.value = '';");
        s.block(
          'try {',
          () => {
            s.line('await store.removeOne(id.value);');
            s.line(`await router.push(${list ? jsString(list.paths[0]!) : "'/'"});`);
          },
          '} catch (caught) {',
        );
        s.indent(() => {
          s.line(`failed.value = ${message};`);
          s.line('confirmingDelete.value = false;');
        });
        s.block('} finally {', () => s.line('busy.value = false;'), '}');
      },
      '}',
    );
  }
  for (const { action, fields } of asking) {
    const name = pascal(action.name);
    const state = `${camel(action.name)}Input`;
    s.blank();
    s.line(`const open${name} = ref(false);`);
    s.block(
      `const ${state} = reactive({`,
      () => {
        for (const f of fields) {
          const type = formStateType(f);
          const init = initialValue(f);
          s.line(`${f.field.name}: ${type === 'number | null' ? `${init} as ${type}` : init},`);
        }
      },
      '});',
    );
    s.blank();
    s.line(`/** ${humanize(action.name)} with the input asked for. */`);
    s.block(
      `async function submit${name}(): Promise<void> {`,
      () => {
        s.line(`open${name}.value = false;`);
        s.block(
          'const input = {',
          () => {
            for (const f of fields) s.line(`${f.key}: ${payloadValue(model, f, state)},`);
          },
          '};',
        );
        s.line(
          `await run('${humanize(action.name)}', () => store.${actionMethod(action.name)}(id.value, input));`,
        );
      },
      '}',
    );
  }
  s.blank();
  s.line('watch(id, load);');
  s.line('onMounted(load);');

  const t = new TemplateWriter();
  t.element('section', ['class="view"', `aria-labelledby="${titleId}"`], () => {
    t.leaf('h1', [`id="${titleId}"`], escapeText(view.title));
    t.leaf('p', ['v-if="failed"', 'class="form-error"', 'role="alert"'], '{{ failed }}');
    t.leaf('p', ['v-if="notice"', 'role="status"'], '{{ notice }}');
    t.element('template', ['v-if="row"'], () => {
      t.element('dl', ['class="detail-fields"'], () => {
        for (const field of view.fields) {
          t.leaf('dt', [], escapeText(field.label));
          t.leaf('dd', [], `{{ display(pathValue(row, '${apiPath(model, field)}')) }}`);
        }
      });
      if (form !== undefined || actions.length > 0 || canDelete) {
        t.element('div', ['class="actions"'], () => {
          if (form !== undefined && form.paths[1] !== undefined && editPermission !== 'false') {
            t.leaf(
              'RouterLink',
              ['v-if="canEdit"', 'class="button"', `:to="${pathWithId(form.paths[1], 'id')}"`],
              'Edit',
            );
          }
          for (const action of actions.filter((a) =>
            canLines.some((c) => c.name === `can${pascal(a.name)}`),
          )) {
            const method = actionMethod(action.name);
            const label = humanize(action.name);
            const name = pascal(action.name);
            const asks = (action.behavior?.input.length ?? 0) > 0;
            t.leaf(
              'button',
              [
                asks ? `v-if="can${name} && !open${name}"` : `v-if="can${name}"`,
                'type="button"',
                ':disabled="busy"',
                asks
                  ? `@click="open${name} = true"`
                  : `@click="run('${label}', () => store.${method}(id))"`,
              ],
              escapeText(label),
            );
          }
          if (canDelete) {
            t.leaf(
              'button',
              [
                'v-if="canDelete && !confirmingDelete"',
                'type="button"',
                '@click="confirmingDelete = true"',
              ],
              'Delete',
            );
            t.element('template', ['v-if="confirmingDelete"'], () => {
              t.leaf(
                'button',
                ['type="button"', ':disabled="busy"', '@click="removeRow"'],
                'Confirm delete',
              );
              t.leaf('button', ['type="button"', '@click="confirmingDelete = false"'], 'Keep it');
            });
          }
        });
      }
      for (const { action, fields } of asking) {
        const name = pascal(action.name);
        const label = humanize(action.name);
        t.element(
          'form',
          [
            `v-if="open${name}"`,
            'class="action-form"',
            `aria-label="${escapeText(label)}"`,
            `@submit.prevent="submit${name}"`,
          ],
          () => {
            for (const f of fields) {
              fieldTemplate(
                t,
                f,
                `${kebab(view.name)}-${kebab(action.name)}`,
                `${camel(action.name)}Input`,
                false,
              );
            }
            t.leaf(
              'button',
              ['type="submit"', ':disabled="busy"'],
              `Run ${escapeText(label.toLowerCase())}`,
            );
            t.leaf('button', ['type="button"', `@click="open${name} = false"`], 'Cancel');
          },
        );
      }
      for (const rel of related) {
        const sectionId = `${kebab(view.name)}-related-${kebab(rel.field.name)}`;
        t.element('section', [`aria-labelledby="${sectionId}"`], () => {
          t.leaf('h2', [`id="${sectionId}"`], escapeText(rel.field.label));
          t.leaf(
            'p',
            [`v-if="${rel.ref}Failed"`, 'class="form-error"', 'role="alert"'],
            `{{ ${rel.ref}Failed }}`,
          );
          t.element('table', [], () => {
            t.element('thead', [], () => {
              t.element('tr', [], () => {
                for (const column of rel.columns)
                  t.leaf('th', ['scope="col"'], escapeText(column.label));
              });
            });
            t.element('tbody', [], () => {
              t.element('tr', [`v-for="item in ${rel.ref}"`, ':key="item.id"'], () => {
                rel.columns.forEach((column, i) => {
                  const value = `{{ display(pathValue(item, '${column.apiName}')) }}`;
                  if (i === 0 && rel.detail) {
                    t.element('td', [], () => {
                      t.leaf(
                        'RouterLink',
                        [`:to="${pathWithId(rel.detail!.paths[0]!, 'item.id')}"`],
                        value,
                      );
                    });
                  } else t.leaf('td', [], value);
                });
              });
              t.element('tr', [`v-if="${rel.ref}.length === 0"`], () => {
                t.leaf('td', [`colspan="${rel.columns.length}"`], 'None yet.');
              });
            });
          });
          if (rel.add) {
            const attrs = ['class="button"', `:to="add${pascal(rel.field.name)}Link"`];
            if (needsAuth) attrs.unshift('v-if="auth.signedIn"');
            t.leaf('RouterLink', attrs, `Add ${escapeText(rel.target.label.toLowerCase())}`);
          }
        });
      }
    });
  });
  return finishScript(
    `// ${view.title}: one ${entity.label.toLowerCase()}.`,
    imports,
    s.toString(),
    t,
  );
}
