// 5c. Form views (create at the first path, edit at the second): one input per
// field by type, relation selects with options from the API, client-side
// checks mirroring modifiers and the `check` rules that use only the form's
// fields, and a server 422 shown next to its field. The register page is a
// form over the auth user entity built by the same code.
import { CodeWriter } from '../../emit/code-writer.js';
import type { Entity, Field, View } from '../../ir/schema.js';
import { camel, kebab, pascal } from '../../names.js';
import { Imports } from './imports.js';
import {
  entityNames,
  inputKind,
  isToOne,
  pathWithId,
  type InputKind,
  type VueModel,
} from './model.js';
import { literal } from './expr.js';
import { compileExpr } from './expr.js';
import { fieldsUsed, formScope } from './scopes.js';
import { call, printCode, printIf, type Code } from './ts-code.js';
import { escapeAttr, escapeText, jsString, TemplateWriter } from './template.js';
import { finishScript } from './component.js';

export interface FormField {
  field: Field;
  kind: InputKind;
  /** key in the payload (`authorId`), and in `form` / `errors` the field name */
  key: string;
  required: boolean;
  optionsRef?: string;
  target?: Entity;
}

function formFields(model: VueModel, entity: Entity, names: string[]): FormField[] {
  const out: FormField[] = [];
  for (const name of names) {
    const field = model.field(entity, name);
    if (field === undefined || field.readonly || field.flow !== undefined || field.private)
      continue;
    if (field.type.kind === 'relation' && field.type.relation === 'one-to-many') continue;
    if (field.ownerField || field.primaryKey) continue;
    const kind = inputKind(field);
    const target = field.type.kind === 'relation' ? model.entity(field.type.target) : undefined;
    out.push({
      field,
      kind,
      key: field.apiName,
      required: !field.optional && kind !== 'bool' && kind !== 'toMany',
      optionsRef: target ? `${camel(field.name)}Options` : undefined,
      target,
    });
  }
  return out;
}

/** Initial value of a form field, as TS. */
export function initialValue(f: FormField): string {
  const d = f.field.default;
  switch (f.kind) {
    case 'bool':
      return d?.kind === 'literal' ? String(d.value === true) : 'false';
    case 'int':
    case 'float':
      return d?.kind === 'literal' && typeof d.value === 'number' ? String(d.value) : 'null';
    case 'toMany':
      return '[]';
    case 'json':
      return d?.kind === 'emptyArray' ? "'[]'" : d?.kind === 'emptyObject' ? "'{}'" : "''";
    default:
      if (d?.kind === 'literal' || d?.kind === 'enum') return jsString(String(d.value));
      return "''";
  }
}

export function formStateType(f: FormField): string {
  switch (f.kind) {
    case 'bool':
      return 'boolean';
    case 'int':
    case 'float':
      return 'number | null';
    case 'toMany':
      return 'string[]';
    default:
      return 'string';
  }
}

/** The normalized value of a field for checks: '' is null, decimals are numbers. */
function checkValue(f: FormField): string {
  const v = `form.${f.field.name}`;
  switch (f.kind) {
    case 'bool':
    case 'int':
    case 'float':
    case 'toMany':
      return v;
    case 'decimal':
      return `bc.toNumber(${v})`;
    default:
      return `${v} === '' ? null : ${v}`;
  }
}

/** The payload value, as TS typed for the Create interface. */
export function payloadValue(model: VueModel, f: FormField, state = 'form'): string {
  const v = `${state}.${f.field.name}`;
  const nullable = f.field.optional;
  const enumType = f.field.type.kind === 'enum' ? f.field.type.enum : undefined;
  switch (f.kind) {
    case 'bool':
    case 'toMany':
      return v;
    case 'int':
    case 'float':
      return nullable ? v : `${v} ?? undefined`;
    case 'json':
      return `parseJson(${v})`;
    case 'datetime':
      return nullable ? `fromDatetimeLocal(${v})` : `fromDatetimeLocal(${v}) ?? ''`;
    case 'enum':
      return nullable ? `(${v} || null) as ${enumType} | null` : `${v} as ${enumType}`;
    default:
      return nullable ? `${v} || null` : v;
  }
}

/** The form value from an API row (edit). */
function fromRow(f: FormField): string {
  const v = `row.${f.key}`;
  switch (f.kind) {
    case 'bool':
      return `${v} ?? false`;
    case 'int':
    case 'float':
      return `${v} ?? null`;
    case 'toMany':
      return `${v} ?? []`;
    case 'json':
      return `JSON.stringify(${v} ?? null, null, 2)`;
    case 'datetime':
      return `toDatetimeLocal(${v})`;
    default:
      return `${v} ?? ''`;
  }
}

/** Problems a field's modifiers define, as `problems.*` calls, with their messages. */
function fieldProblems(f: FormField): [Code, string][] {
  const name = f.field.name;
  const label = f.field.label;
  const v = `v.${name}`;
  const problems: [Code, string][] = [];
  const field = f.field;
  const type = field.type;
  if (f.required) problems.push([call('problems.missing', v), `${label} is required.`]);
  if (f.kind === 'int')
    problems.push([call('problems.notInteger', v), `${label} must be a whole number.`]);
  if (f.kind === 'decimal') {
    problems.push([call('problems.notNumber', `form.${name}`), `${label} must be a number.`]);
    if (type.kind === 'scalar' && type.scale !== undefined) {
      problems.push([
        call('problems.tooManyDecimals', `form.${name}`, String(type.scale)),
        `${label} takes at most ${type.scale} decimals.`,
      ]);
    }
  }
  const numeric = f.kind === 'int' || f.kind === 'float' || f.kind === 'decimal';
  const textual = ['text', 'email', 'url', 'password', 'textarea'].includes(f.kind);
  if (field.min !== undefined) {
    if (numeric)
      problems.push([
        call('problems.below', v, String(field.min)),
        `${label} must be at least ${field.min}.`,
      ]);
    if (textual) {
      problems.push([
        call('problems.shorter', v, String(field.min)),
        `${label} needs at least ${field.min} characters.`,
      ]);
    }
  }
  if (field.max !== undefined && numeric) {
    problems.push([
      call('problems.above', v, String(field.max)),
      `${label} must be at most ${field.max}.`,
    ]);
  }
  const lengths = [
    ...(field.max !== undefined && textual ? [field.max] : []),
    ...(type.kind === 'scalar' && type.length !== undefined && textual ? [type.length] : []),
  ];
  if (lengths.length > 0) {
    const max = Math.min(...lengths);
    problems.push([
      call('problems.longer', v, String(max)),
      `${label} takes at most ${max} characters.`,
    ]);
  }
  if (field.pattern !== undefined) {
    problems.push([
      call('problems.mismatch', v, literal(field.pattern)),
      `${label} has the wrong format.`,
    ]);
  }
  if (f.kind === 'email')
    problems.push([call('problems.notEmail', v), `${label} must be an email address.`]);
  if (f.kind === 'url')
    problems.push([call('problems.notUrl', v), `${label} must be a web address.`]);
  if (f.kind === 'json')
    problems.push([call('problems.notJson', `form.${name}`), `${label} must be valid JSON.`]);
  return problems;
}

/** `if (problem) { fail(field, message); }`, formatted as prettier would. */
function failLines(
  s: CodeWriter,
  width: number,
  problem: Code,
  field: string,
  message: string,
): void {
  printIf(s, width, problem, () => {
    printCode(s, width + 2, '', call('fail', literal(field), literal(message)), ';');
  });
}

export function fieldTemplate(
  t: TemplateWriter,
  f: FormField,
  idPrefix: string,
  state = 'form',
  withErrors = true,
): void {
  const id = `${idPrefix}-${kebab(f.field.name)}`;
  const common = [
    `id="${id}"`,
    `v-model="${state}.${f.field.name}"`,
    `label="${escapeAttr(f.field.label)}"`,
  ];
  const tail: string[] = [];
  if (f.required) tail.push('required');
  if (f.field.doc) tail.push(`help="${escapeAttr(f.field.doc.trim().split('\n').join(' '))}"`);
  if (withErrors) tail.push(`:error="errors.${f.field.name}"`);
  const type = f.field.type;
  switch (f.kind) {
    case 'bool':
      t.empty('CheckboxField', [...common, ...tail.filter((a) => a !== 'required')]);
      return;
    case 'int':
    case 'float':
      t.empty('NumberField', [...common, ...(f.kind === 'float' ? ['step="any"'] : []), ...tail]);
      return;
    case 'textarea':
    case 'json':
      t.empty('TextAreaField', [...common, ...tail]);
      return;
    case 'enum':
    case 'toOne': {
      const options =
        f.kind === 'enum' && type.kind === 'enum' ? `${camel(type.enum)}Options` : f.optionsRef!;
      t.empty('SelectField', [...common, `:options="${options}"`, ...tail]);
      return;
    }
    case 'toMany':
      t.empty('MultiSelectField', [
        ...common,
        `:options="${f.optionsRef!}"`,
        ...tail.filter((a) => a !== 'required'),
      ]);
      return;
    default: {
      const inputType: Record<string, string> = {
        email: 'email',
        url: 'url',
        password: 'password',
        date: 'date',
        datetime: 'datetime-local',
        time: 'time',
      };
      const extra: string[] = [];
      if (inputType[f.kind]) extra.push(`type="${inputType[f.kind]}"`);
      if (f.kind === 'decimal') extra.push('inputmode="decimal"');
      if (type.kind === 'scalar' && type.length !== undefined)
        extra.push(`:maxlength="${type.length}"`);
      t.empty('TextField', [...common, ...extra, ...tail]);
    }
  }
}

interface FormOptions {
  entity: Entity;
  fields: FormField[];
  idPrefix: string;
  titleId: string;
  title: string;
  header: string;
  mode: 'view' | 'register';
  view?: View;
}

/** The runtime component that edits each input kind (TextField for the rest). */
export const FIELD_COMPONENTS: Record<string, string> = {
  bool: 'CheckboxField',
  int: 'NumberField',
  float: 'NumberField',
  textarea: 'TextAreaField',
  json: 'TextAreaField',
  enum: 'SelectField',
  toOne: 'SelectField',
  toMany: 'MultiSelectField',
};

function buildForm(model: VueModel, o: FormOptions): string {
  const { entity, fields } = o;
  const names = entityNames(entity);
  const imports = new Imports()
    .add('vue', 'reactive', 'ref')
    .add('vue-router', 'useRoute', 'useRouter')
    .add('../runtime/http', 'ApiError')
    .type('../api/types', names.create);
  for (const f of fields) {
    const component = FIELD_COMPONENTS[f.kind] ?? 'TextField';
    imports.default(`../runtime/components/${component}.vue`, component);
    if (f.kind === 'datetime') imports.add('../runtime/format', 'fromDatetimeLocal');
    if (f.kind === 'datetime' && o.mode === 'view')
      imports.add('../runtime/format', 'toDatetimeLocal');
    if (f.field.type.kind === 'enum') {
      imports.add('../api/types', `${camel(f.field.type.enum)}Values`);
      imports.type('../api/types', f.field.type.enum);
    }
    if (f.target) {
      const targetNames = entityNames(f.target);
      imports.add(`../api/${targetNames.file}.api`, targetNames.api);
      imports.add('../runtime/components/options', 'optionsFrom');
      imports.type('../runtime/components/options', 'Option');
    }
  }
  if (o.mode === 'view') {
    imports.add('vue', 'computed', 'onMounted');
    imports.add(`../stores/${names.file}.store`, names.store);
  } else {
    imports.add('../runtime/auth', 'useAuthStore');
  }
  const fieldNames = new Set(fields.map((f) => f.field.name));
  const checks = entity.checks.filter((check) => {
    const used = fieldsUsed(check.expr);
    return used.onlyRow && [...used.names].every((n) => fieldNames.has(n));
  });
  const detail = model.firstView(entity.name, 'detail');
  const list = model.firstView(entity.name, 'list');

  const s = new CodeWriter('  ');
  s.line('const route = useRoute();');
  s.line('const router = useRouter();');
  if (o.mode === 'view') {
    s.line(`const store = ${names.store}();`);
    s.line(
      "const editId = computed(() => (typeof route.params.id === 'string' ? route.params.id : null));",
    );
  } else {
    s.line('const auth = useAuthStore();');
  }
  s.blank();
  s.block(
    'const form = reactive({',
    () => {
      for (const f of fields) {
        const init = initialValue(f);
        const type = formStateType(f);
        const needsCast = type === 'number | null' || type === 'string[]';
        s.line(`${f.field.name}: ${needsCast ? `${init} as ${type}` : init},`);
      }
      if (o.mode === 'register') s.line("password: '',");
    },
    '});',
  );
  s.line('const errors = reactive<Record<string, string>>({});');
  s.line("const failed = ref('');");
  s.line('const saving = ref(false);');
  for (const f of fields) {
    if (f.kind === 'enum' && f.field.type.kind === 'enum') {
      const e = f.field.type.enum;
      s.line(
        `const ${camel(e)}Options = ${camel(e)}Values.map((value) => ({ value, label: value }));`,
      );
    }
  }
  const optionFields = fields.filter((f) => f.target);
  for (const f of optionFields) s.line(`const ${f.optionsRef} = ref<Option[]>([]);`);
  if (fields.some((f) => f.kind === 'json')) {
    s.blank();
    s.block(
      'function parseJson(text: string): unknown {',
      () => {
        s.line("return text.trim() === '' ? null : JSON.parse(text);");
      },
      '}',
    );
  }
  s.blank();
  s.line('/** The values the rules see: empty text is null, decimals are numbers. */');
  s.block(
    'function values() {',
    () => {
      s.block(
        'return {',
        () => {
          for (const f of fields) s.line(`${f.field.name}: ${checkValue(f)},`);
        },
        '};',
      );
    },
    '}',
  );
  s.blank();
  s.block(
    'function fail(field: string, message: string): void {',
    () => {
      s.line('errors[field] ??= message;');
    },
    '}',
  );
  s.blank();
  s.line('/** The same checks the server makes, run before anything is sent. */');
  s.block(
    'function validateForm(): boolean {',
    () => {
      s.line('for (const key of Object.keys(errors)) delete errors[key];');
      s.line('const v = values();');
      if (o.mode === 'register') {
        failLines(
          s,
          2,
          'form.password.length < 8',
          'password',
          'Password needs at least 8 characters.',
        );
      }
      for (const f of fields) {
        for (const [problem, message] of fieldProblems(f))
          failLines(s, 2, problem, f.field.name, message);
      }
      const scope = formScope(fieldNames);
      for (const check of checks) {
        const code = compileExpr(check.expr, scope);
        if (code === undefined) continue;
        const target = check.field && fieldNames.has(check.field) ? check.field : 'form';
        failLines(s, 2, call('bc.not', code), target, check.message);
      }
      s.line("if (errors['form'] !== undefined) failed.value = errors['form'];");
      s.line('return Object.keys(errors).length === 0;');
    },
    '}',
  );
  s.blank();
  const payloadType = names.create;
  s.block(
    `function payload(): ${payloadType} {`,
    () => {
      s.block(
        'return {',
        () => {
          for (const f of fields) s.line(`${f.key}: ${payloadValue(model, f)},`);
          if (o.mode === 'view') {
            // a back reference that the form does not show still comes from the query
            for (const field of model.writableFields(entity)) {
              if (!isToOne(field) || fieldNames.has(field.name)) continue;
              s.line(`...queryId('${field.name}', '${field.apiName}'),`);
            }
          }
        },
        '};',
      );
    },
    '}',
  );
  const hiddenRefs =
    o.mode === 'view' &&
    model.writableFields(entity).some((f) => isToOne(f) && !fieldNames.has(f.name));
  if (hiddenRefs) {
    s.blank();
    s.block(
      'function queryId(name: string, key: string): Record<string, string> {',
      () => {
        s.line('const value = route.query[name];');
        s.line("return typeof value === 'string' ? { [key]: value } : {};");
      },
      '}',
    );
  }
  s.blank();
  s.line('/** Server errors by field: FastAPI names the field in `loc` (model or API name). */');
  s.block(
    'function showServerErrors(caught: unknown): void {',
    () => {
      s.block(
        'if (!(caught instanceof ApiError)) {',
        () => {
          s.line('failed.value = caught instanceof Error ? caught.message : String(caught);');
          s.line('return;');
        },
        '}',
      );
      s.line('let shown = false;');
      const keys = fields.map((f) => `['${f.field.name}', '${f.key}']`);
      if (o.mode === 'register') keys.push("['password', 'password']");
      const keysLine = `const keys: [string, string][] = [${keys.join(', ')}];`;
      // prettier always breaks an array of several arrays
      if (keys.length <= 1 && 2 + keysLine.length <= 100) s.line(keysLine);
      else
        s.block(
          'const keys: [string, string][] = [',
          () => keys.forEach((k) => s.line(`${k},`)),
          '];',
        );
      s.block(
        'for (const [name, key] of keys) {',
        () => {
          s.line('const message = caught.fieldErrors[key] ?? caught.fieldErrors[name];');
          s.block(
            'if (message !== undefined) {',
            () => {
              s.line('errors[name] = message;');
              s.line('shown = true;');
            },
            '}',
          );
        },
        '}',
      );
      s.line('if (!shown) failed.value = caught.message;');
    },
    '}',
  );
  s.blank();
  const next = (idExpr: string): string => {
    if (detail) return pathWithId(detail.paths[0]!, idExpr);
    if (list) return jsString(list.paths[0]!);
    return "'/'";
  };
  s.block(
    'async function submit(): Promise<void> {',
    () => {
      s.line("failed.value = '';");
      s.line('if (!validateForm()) return;');
      s.line('saving.value = true;');
      s.block(
        'try {',
        () => {
          if (o.mode === 'view') {
            const target = next('saved.id');
            s.line('const id = editId.value;');
            const save =
              'await (id === null ? store.createOne(payload()) : store.updateOne(id, payload()));';
            s.line(`${target.includes('saved.id') ? 'const saved = ' : ''}${save}`);
            s.line('const back = route.query.returnTo;');
            printCode(
              s,
              4,
              'const next = ',
              `typeof back === 'string' && back.startsWith('/') ? back : ${target}`,
              ';',
            );
            s.line('await router.push(next);');
          } else {
            const login = model.program.app.auth!.login;
            s.line('await auth.register({ ...payload(), password: form.password });');
            s.block(
              `if (await auth.login(String(form.${login}), form.password)) {`,
              () => {
                s.line('const back = route.query.redirect;');
                s.line(
                  "await router.push(typeof back === 'string' && back.startsWith('/') ? back : '/');",
                );
              },
              '}',
            );
          }
        },
        '} catch (caught) {',
      );
      s.indent(() => s.line('showServerErrors(caught);'));
      s.block('} finally {', () => s.line('saving.value = false;'), '}');
    },
    '}',
  );
  if (o.mode === 'view') {
    s.blank();
    s.block(
      'onMounted(async () => {',
      () => {
        s.block(
          'try {',
          () => {
            for (const f of optionFields) {
              const targetNames = entityNames(f.target!);
              const labels = model
                .labelFields(f.target!)
                .map((l) => `'${l}'`)
                .join(', ');
              s.line(
                `const ${camel(f.field.name)}Page = await ${targetNames.api}.list({ page: 1, pageSize: 100 });`,
              );
              s.line(
                `${f.optionsRef}.value = optionsFrom(${camel(f.field.name)}Page.items, [${labels}]);`,
              );
            }
            // a related list's "add" link fills in its back reference
            for (const f of fields.filter((x) => x.kind === 'toOne')) {
              const local = `preset${pascal(f.field.name)}`;
              s.line(`const ${local} = route.query['${f.field.name}'];`);
              s.line(`if (typeof ${local} === 'string') form.${f.field.name} = ${local};`);
            }
            s.block(
              'if (editId.value !== null) {',
              () => {
                s.line('const row = await store.fetchOne(editId.value);');
                for (const f of fields) s.line(`form.${f.field.name} = ${fromRow(f)};`);
              },
              '}',
            );
          },
          '} catch (caught) {',
        );
        s.indent(() =>
          s.line('failed.value = caught instanceof Error ? caught.message : String(caught);'),
        );
        s.line('}');
      },
      '});',
    );
  }

  const t = new TemplateWriter();
  t.element('section', ['class="view"', `aria-labelledby="${o.titleId}"`], () => {
    t.leaf('h1', [`id="${o.titleId}"`], escapeText(o.title));
    t.element('form', ['novalidate', '@submit.prevent="submit"'], () => {
      for (const f of fields) fieldTemplate(t, f, o.idPrefix);
      if (o.mode === 'register') {
        t.empty('TextField', [
          `id="${o.idPrefix}-password"`,
          'v-model="form.password"',
          'label="Password"',
          'type="password"',
          'autocomplete="new-password"',
          'required',
          ':error="errors.password"',
        ]);
      }
      t.leaf('p', ['v-if="failed"', 'class="form-error"', 'role="alert"'], '{{ failed }}');
      t.leaf(
        'button',
        ['type="submit"', ':disabled="saving"'],
        o.mode === 'register' ? 'Register' : 'Save',
      );
    });
    if (o.mode === 'register') {
      t.leaf('p', [], 'Already registered? <RouterLink to="/login">Sign in</RouterLink>');
    }
  });
  return finishScript(o.header, imports, s.toString(), t);
}

export function formView(model: VueModel, view: View): string {
  const entity = model.entity(view.entity)!;
  const fields = formFields(
    model,
    entity,
    view.fields.filter((f) => f.steps.length === 1).map((f) => f.steps[0]!.field),
  );
  return buildForm(model, {
    entity,
    fields,
    idPrefix: `${kebab(view.name)}-field`,
    titleId: `${kebab(view.name)}-heading`,
    title: view.title,
    header: `// ${view.title}: create or edit one ${entity.label.toLowerCase()}.`,
    mode: 'view',
    view,
  });
}

export function registerView(model: VueModel): string {
  const auth = model.program.app.auth!;
  const entity = model.entity(auth.user)!;
  const names = model
    .writableFields(entity)
    // registration asks only for what has no default (isActive, createdAt… keep theirs)
    .filter(
      (f) => f.name !== auth.password && f.type.kind !== 'relation' && f.default === undefined,
    )
    .map((f) => f.name);
  return buildForm(model, {
    entity,
    fields: formFields(model, entity, names),
    idPrefix: 'register-field',
    titleId: 'register-title',
    title: 'Register',
    header: `// Register: a new ${entity.label.toLowerCase()} account, signed in right away.`,
    mode: 'register',
  });
}

export function loginView(model: VueModel): string {
  const auth = model.program.app.auth!;
  const entity = model.entity(auth.user)!;
  const loginField = model.field(entity, auth.login)!;
  const imports = new Imports()
    .add('vue', 'ref')
    .add('vue-router', 'useRoute', 'useRouter')
    .add('../runtime/auth', 'useAuthStore')
    .default('../runtime/components/TextField.vue', 'TextField');
  const s = new CodeWriter('  ');
  s.line('const auth = useAuthStore();');
  s.line('const route = useRoute();');
  s.line('const router = useRouter();');
  s.line("const username = ref('');");
  s.line("const password = ref('');");
  s.blank();
  s.block(
    'async function submit(): Promise<void> {',
    () => {
      s.line('if (!(await auth.login(username.value.trim(), password.value))) return;');
      s.line('const back = route.query.redirect;');
      s.line("await router.push(typeof back === 'string' && back.startsWith('/') ? back : '/');");
    },
    '}',
  );
  const t = new TemplateWriter();
  const isEmail = loginField.type.kind === 'scalar' && loginField.type.scalar === 'email';
  t.element('section', ['class="view"', 'aria-labelledby="login-title"'], () => {
    t.leaf('h1', ['id="login-title"'], 'Sign in');
    t.element('form', ['novalidate', '@submit.prevent="submit"'], () => {
      t.empty('TextField', [
        'id="login-username"',
        'v-model="username"',
        `label="${escapeAttr(loginField.label)}"`,
        ...(isEmail ? ['type="email"'] : []),
        'autocomplete="username"',
        'required',
      ]);
      t.empty('TextField', [
        'id="login-password"',
        'v-model="password"',
        'label="Password"',
        'type="password"',
        'autocomplete="current-password"',
        'required',
      ]);
      t.leaf('p', ['v-if="auth.error"', 'class="form-error"', 'role="alert"'], '{{ auth.error }}');
      t.leaf('button', ['type="submit"', ':disabled="auth.loading"'], 'Sign in');
    });
    t.leaf('p', [], 'No account yet? <RouterLink to="/register">Register</RouterLink>');
  });
  return finishScript(
    '// Sign in with the OAuth2 password form, then go where the user was headed.',
    imports,
    s.toString(),
    t,
  );
}
