// app/schemas/: Pydantic bodies per entity. <Entity>Create / <Entity>Update
// take the writable fields (never readonly, flow, owner or timestamp fields),
// <Entity>Read answers every non-private field plus relation ids and the
// to-one rows views show (nested under the relation's name).
import type { Field } from '../../ir/schema.js';
import { CodeWriter } from '../../emit/code-writer.js';
import { pascal } from '../../names.js';
import { type Ctx, type EntityInfo, type FieldInfo, type NestedTree, info } from './context.js';
import { enumMember } from './expr.js';
import {
  call,
  type Doc,
  docstring,
  Imports,
  appendBody,
  moduleHeader,
  pyNum,
  pyStr,
  stmt,
} from './py.js';
import { type FileSpec, spec } from './files.js';
import { schemaType, schemaTypeParts } from './types.js';

export function generateSchemas(ctx: Ctx, entities: readonly EntityInfo[]): FileSpec[] {
  return [
    ...entities.map((e) =>
      spec(e.paths.schema, () => entitySchemas(ctx, info(ctx, e.entity.name))),
    ),
    spec(
      'backend/app/schemas/__init__.py',
      () => '"""Request and response bodies, one module per entity."""\n',
    ),
  ];
}

/** Fields a client may send on create (and, all optional, on update). */
export function writableFields(ctx: Ctx, e: EntityInfo): FieldInfo[] {
  return e.fields.filter((f) => {
    const field = f.field;
    if (!['scalar', 'enum', 'toOne', 'manyToMany'].includes(f.kind)) return false;
    if (field.readonly || field.flow || field.ownerField || field.origin !== 'declared')
      return false;
    void ctx;
    return true;
  });
}

export function isPassword(field: Field): boolean {
  return field.type.kind === 'scalar' && field.type.scalar === 'password';
}

/** The input key and attribute of a field: the auth user's password travels as `password`. */
export function inputNames(ctx: Ctx, e: EntityInfo, f: FieldInfo): { attr: string; alias: string } {
  if (e.entity.isAuthUser && ctx.program.app.auth?.password === f.field.name)
    return { attr: 'password', alias: 'password' };
  return { attr: f.schemaAttr, alias: f.apiName };
}

/** Whether the server fills the value when the client leaves it out. */
export function serverDefault(field: Field): boolean {
  const d = field.default;
  return (
    d !== undefined && (d.kind === 'now' || d.kind === 'currentUser' || d.kind === 'expression')
  );
}

function literalDefault(ctx: Ctx, field: Field, imports: Imports): string | undefined {
  const d = field.default;
  if (!d) return undefined;
  switch (d.kind) {
    case 'literal':
      if (typeof d.value === 'boolean') return d.value ? 'True' : 'False';
      if (typeof d.value === 'number') {
        const t = field.type;
        if (t.kind === 'scalar' && t.scalar === 'decimal') {
          imports.add('decimal', 'Decimal');
          return `Decimal(${pyStr(String(d.value))})`;
        }
        return pyNum(d.value, t.kind === 'scalar' && t.scalar === 'float');
      }
      return pyStr(d.value);
    case 'enum': {
      const t = field.type;
      const cls = t.kind === 'enum' ? (ctx.enumClass.get(t.enum) ?? t.enum) : '';
      imports.add('app.models.enums', cls);
      return `${cls}.${enumMember(d.value)}`;
    }
    default:
      return undefined;
  }
}

function fieldLine(
  w: CodeWriter,
  attr: string,
  annotation: string,
  alias: string,
  extra: string[],
  imports: Imports,
  description?: string,
): void {
  const args: Doc[] = [...extra];
  if (alias !== attr) args.push(`alias=${pyStr(alias)}`);
  if (description) args.push(`description=${pyStr(description)}`);
  if (args.length === 0) {
    w.line(`${attr}: ${annotation}`);
    return;
  }
  // a lone default stays a plain default
  if (args.length === 1 && extra.length === 1 && extra[0]!.startsWith('default=')) {
    w.line(`${attr}: ${annotation} = ${extra[0]!.slice('default='.length)}`);
    return;
  }
  imports.add('pydantic', 'Field');
  stmt(w, 1, call(`${attr}: ${annotation} = Field`, ...args));
}

function inputField(
  ctx: Ctx,
  e: EntityInfo,
  f: FieldInfo,
  w: CodeWriter,
  imports: Imports,
  update: boolean,
): void {
  const field = f.field;
  const { attr, alias } = inputNames(ctx, e, f);
  let annotation: string;
  let constraints: string[] = [];
  if (f.kind === 'toOne') {
    imports.module('uuid');
    annotation = 'uuid.UUID';
  } else if (f.kind === 'manyToMany') {
    imports.module('uuid');
    const extra = update ? ['default=None'] : ['default_factory=list'];
    fieldLine(
      w,
      attr,
      update ? 'list[uuid.UUID] | None' : 'list[uuid.UUID]',
      alias,
      [...extra, 'max_length=1000'],
      imports,
      field.doc,
    );
    return;
  } else {
    const parts = schemaTypeParts(ctx, field, imports, true);
    annotation = parts.base;
    constraints = parts.constraints;
  }
  if (update) {
    fieldLine(
      w,
      attr,
      `${annotation} | None`,
      alias,
      ['default=None', ...constraints],
      imports,
      field.doc,
    );
    return;
  }
  const d = field.default;
  if (d && (d.kind === 'emptyObject' || d.kind === 'emptyArray')) {
    fieldLine(
      w,
      attr,
      annotation,
      alias,
      [`default_factory=${d.kind === 'emptyObject' ? 'dict' : 'list'}`, ...constraints],
      imports,
      field.doc,
    );
    return;
  }
  const lit = literalDefault(ctx, field, imports);
  if (lit !== undefined) {
    fieldLine(
      w,
      attr,
      field.optional ? `${annotation} | None` : annotation,
      alias,
      [`default=${lit}`, ...constraints],
      imports,
      field.doc,
    );
    return;
  }
  if (field.optional || serverDefault(field)) {
    fieldLine(
      w,
      attr,
      `${annotation} | None`,
      alias,
      ['default=None', ...constraints],
      imports,
      field.doc,
    );
    return;
  }
  fieldLine(w, attr, annotation, alias, constraints, imports, field.doc);
}

/** Fields a response shows. */
export function readableFields(e: EntityInfo): FieldInfo[] {
  return e.fields.filter(
    (f) => ['id', 'scalar', 'enum', 'toOne', 'manyToMany'].includes(f.kind) && !f.field.private,
  );
}

function outputField(ctx: Ctx, f: FieldInfo, w: CodeWriter, imports: Imports): void {
  const field = f.field;
  let annotation: string;
  if (f.kind === 'toOne' || f.kind === 'id') {
    imports.module('uuid');
    annotation = 'uuid.UUID';
  } else if (f.kind === 'manyToMany') {
    imports.module('uuid');
    fieldLine(
      w,
      f.schemaAttr,
      'list[uuid.UUID]',
      f.apiName,
      ['default_factory=list'],
      imports,
      field.doc,
    );
    return;
  } else {
    annotation = schemaType(ctx, field, imports, false);
  }
  if (field.optional)
    fieldLine(
      w,
      f.schemaAttr,
      `${annotation} | None`,
      f.apiName,
      ['default=None'],
      imports,
      field.doc,
    );
  else fieldLine(w, f.schemaAttr, annotation, f.apiName, [], imports, field.doc);
}

interface NestedClass {
  name: string;
  entity: EntityInfo;
  leaves: Set<string>;
  children: [FieldInfo, string][];
}

function collectNested(
  ctx: Ctx,
  e: EntityInfo,
  tree: NestedTree,
  prefixName: string,
  out: NestedClass[],
): [FieldInfo, string][] {
  const refs: [FieldInfo, string][] = [];
  for (const [fieldName, node] of tree) {
    const f = e.byName.get(fieldName);
    if (!f || !f.target || (f.kind !== 'toOne' && f.kind !== 'inverseOne')) continue;
    const target = info(ctx, f.target);
    const name = `${prefixName}${pascal(fieldName)}Ref`;
    const children = collectNested(ctx, target, node.children, name.replace(/Ref$/, ''), out);
    out.push({ name, entity: target, leaves: node.leaves, children });
    refs.push([f, name]);
  }
  return refs;
}

function entitySchemas(ctx: Ctx, e: EntityInfo): string {
  const imports = new Imports();
  imports.add('__future__', 'annotations');
  imports.add('app.runtime.schemas', 'InputModel', 'OutputModel');
  const w = new CodeWriter();
  const name = pascal(e.entity.name);
  const writable = writableFields(ctx, e);
  const path = `/${e.entity.apiPath}`;

  // nested read objects, innermost first
  const nestedClasses: NestedClass[] = [];
  const topRefs = collectNested(ctx, e, e.nested, name, nestedClasses);
  for (const n of nestedClasses) {
    w.blank(2);
    w.line(`class ${n.name}(OutputModel):`);
    w.indent(() => {
      docstring(w, 1, `The ${n.entity.entity.label.toLowerCase()} fields a view shows.`);
      w.line();
      imports.module('uuid');
      w.line('id: uuid.UUID');
      for (const leaf of n.leaves) {
        const f = n.entity.byName.get(leaf);
        if (!f || f.kind === 'id' || f.field.private) continue;
        if (!['scalar', 'enum', 'toOne'].includes(f.kind)) continue;
        const annotation =
          f.kind === 'toOne' ? 'uuid.UUID' : schemaType(ctx, f.field, imports, false);
        fieldLine(w, f.schemaAttr, `${annotation} | None`, f.apiName, ['default=None'], imports);
      }
      for (const [f, cls] of n.children)
        fieldLine(w, f.attr, `${cls} | None`, f.field.name, ['default=None'], imports);
    });
  }

  w.blank(2);
  w.line(`class ${name}Create(InputModel):`);
  w.indent(() => {
    docstring(w, 1, `Body of \`POST ${path}\`.`);
    if (writable.length > 0) w.line();
    for (const f of writable) inputField(ctx, e, f, w, imports, false);
    if (writable.length === 0) {
      w.line();
      w.line('pass');
    }
  });

  const updatable = writable.filter((f) => !(e.entity.isAuthUser && isPassword(f.field)));
  w.blank(2);
  w.line(`class ${name}Update(InputModel):`);
  w.indent(() => {
    docstring(w, 1, `Body of \`PATCH ${path}/{id}\`: only the fields sent change.`);
    if (updatable.length > 0) w.line();
    for (const f of updatable) inputField(ctx, e, f, w, imports, true);
    if (updatable.length === 0) {
      w.line();
      w.line('pass');
    }
  });

  w.blank(2);
  w.line(`class ${name}Read(OutputModel):`);
  w.indent(() => {
    docstring(w, 1, e.entity.doc ?? `${e.entity.label} as the API answers it.`);
    w.line();
    for (const f of readableFields(e)) outputField(ctx, f, w, imports);
    for (const [f, cls] of topRefs)
      fieldLine(w, f.attr, `${cls} | None`, f.field.name, ['default=None'], imports);
  });

  // behavior inputs of this entity
  for (const b of ctx.behaviorsOf(e.entity.name)) {
    if (b.input.length === 0) continue;
    w.blank(2);
    behaviorInput(ctx, b, w, imports);
  }

  const out = new CodeWriter();
  moduleHeader(out, `Request and response bodies of ${e.entity.name}.`, imports);
  appendBody(out, w.toString());
  return out.toString();
}

export function behaviorInputClass(b: { name: string; entity?: string }): string {
  return `${b.entity ? pascal(b.entity) : ''}${pascal(b.name)}Input`;
}

export function behaviorInput(
  ctx: Ctx,
  b: Ctx['program']['behaviors'][number],
  w: CodeWriter,
  imports: Imports,
): void {
  w.line(`class ${behaviorInputClass(b)}(InputModel):`);
  w.indent(() => {
    docstring(w, 1, `Input of ${b.entity ? `${b.entity}.` : ''}${b.name}.`);
    w.line();
    for (const input of b.input) {
      const { base, constraints } = schemaTypeParts(ctx, { type: input.type }, imports, true);
      const attr = inputAttrName(input.name);
      if (input.optional)
        fieldLine(w, attr, `${base} | None`, input.name, ['default=None', ...constraints], imports);
      else fieldLine(w, attr, base, input.name, constraints, imports);
    }
  });
}

import { inputAttr } from './expr.js';
const inputAttrName = (name: string): string => inputAttr(name);
