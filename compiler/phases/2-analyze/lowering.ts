// Lowering pass: enums and entities from the AST into IR shape — fields in
// IR order (`id`, declared, timestamps), scalar / enum / relation types,
// simple modifiers, table / API names and labels. Relation kinds, columns
// and API names of relations are settled by `relations`; defaults and
// modifier checks by `modifiers`.
import type * as ast from '../../../grammar/ast.js';
import {
  ScalarTypeSchema,
  type Entity,
  type Field,
  type FieldType,
  type ScalarType,
  type Span,
} from '../../ir/schema.js';
import { didYouMean } from '../../diagnostics/did-you-mean.js';
import { humanize, pluralWords, snake } from '../../names.js';
import { plainField } from '../../ir/fields.js';
import type { AnalyzeContext, EntityInfo, FieldInfo } from './context.js';

// The scalar type names, in the IR schema's order (the one list of them).
export const SCALAR_TYPES: readonly ScalarType[] = ScalarTypeSchema.options;
const isScalar = (name: string): name is ScalarType =>
  (SCALAR_TYPES as readonly string[]).includes(name);
const LENGTH_TYPES = new Set<ScalarType>(['string', 'email', 'url', 'password']);
/** PostgreSQL's varchar limit */
const MAX_VARCHAR = 10_485_760;

export function lowerDeclarations(ctx: AnalyzeContext): void {
  for (const info of ctx.enums.values()) {
    for (const value of info.decl.values) {
      if (value.name === '') continue;
      if (info.values.has(value.name)) {
        const first = info.decl.values.find((v) => v.name === value.name)!;
        ctx.report.report(
          'BC2005',
          value.span,
          { kind: 'value', name: value.name, owner: `enum ${info.decl.name}` },
          [first.span],
        );
        continue;
      }
      info.values.add(value.name);
      info.ir.values.push(value.name);
    }
  }
  const tables = new Map<string, string>();
  for (const info of ctx.entities.values()) {
    // (an incremental analysis has put a reused entity's finished IR in place;
    // other entities matter here only by name and kind: the skeleton's part)
    if (!ctx.leaf || ctx.leaf.begin(info.decl, false)) lowerEntity(ctx, info);
    ctx.leaf?.end();
    const other = tables.get(info.ir.table);
    if (other !== undefined) {
      ctx.report.report('BC2019', tableSpan(info), {
        table: info.ir.table,
        first: other,
        second: info.ir.name,
      });
    } else {
      tables.set(info.ir.table, info.ir.name);
    }
    ctx.program.entities.push(info.ir);
  }
  for (const info of ctx.enums.values()) ctx.program.enums.push(info.ir);
}

function tableSpan(info: EntityInfo): Span {
  const option = info.decl.options.find((o) => o.kind === 'table');
  return option?.kind === 'table' ? option.nameSpan : info.decl.nameSpan;
}

function lowerEntity(ctx: AnalyzeContext, info: EntityInfo): void {
  const decl = info.decl;
  const tableOption = decl.options.find(
    (o): o is Extract<ast.EntityOption, { kind: 'table' }> => o.kind === 'table',
  );
  // pluralize once (its rule list is long): table, API path and label share it
  const plural = pluralWords(decl.name);
  const entity: Entity = {
    name: decl.name,
    table: tableOption?.name || plural.join('_'),
    apiPath: plural.join('-'),
    label: humanize(decl.name),
    pluralLabel: humanize(plural.join(' ')),
    timestamps: decl.timestamps !== undefined,
    fields: [],
    uniques: [],
    allows: [],
    checks: [],
    isAuthUser: false,
    span: decl.nameSpan,
  };
  if (decl.doc !== undefined) entity.doc = decl.doc;
  if (decl.ownedBy && decl.ownedBy.name !== '') entity.ownedBy = decl.ownedBy.name;
  if (decl.was && decl.was.name !== '') entity.was = decl.was.name;
  info.ir = entity;

  const add = (field: FieldInfo): void => {
    info.fields.set(field.ir.name, field);
    entity.fields.push(field.ir);
  };
  add({
    ir: implicitField('id', { kind: 'scalar', scalar: 'uuid' }, 'id', decl.nameSpan),
    list: false,
  });

  const timestampNames = new Set(['createdAt', 'updatedAt']);
  for (const fieldDecl of decl.fields) {
    if (fieldDecl.name === '') continue;
    const first = info.fields.get(fieldDecl.name);
    if (fieldDecl.name === 'id') {
      ctx.report.report('BC2018', fieldDecl.nameSpan, {
        name: 'id',
        reason: 'every entity has an `id uuid` primary key',
      });
      continue;
    }
    if (first) {
      ctx.report.report(
        'BC2005',
        fieldDecl.nameSpan,
        { kind: 'field', name: fieldDecl.name, owner: decl.name },
        [first.decl?.nameSpan],
      );
      continue;
    }
    if (decl.timestamps && timestampNames.has(fieldDecl.name)) {
      ctx.report.report('BC2018', fieldDecl.nameSpan, {
        name: fieldDecl.name,
        reason: '`with timestamps` adds `createdAt` and `updatedAt`',
      });
      continue;
    }
    const lowered = lowerField(ctx, fieldDecl);
    if (lowered) add(lowered);
  }
  if (decl.timestamps) {
    const span = decl.timestamps;
    const createdAt = implicitField(
      'createdAt',
      { kind: 'scalar', scalar: 'datetime' },
      'timestamps',
      span,
    );
    createdAt.default = { kind: 'now' };
    createdAt.readonly = true;
    const updatedAt = implicitField(
      'updatedAt',
      { kind: 'scalar', scalar: 'datetime' },
      'timestamps',
      span,
    );
    updatedAt.optional = true;
    updatedAt.onUpdateNow = true;
    updatedAt.readonly = true;
    add({ ir: createdAt, list: false });
    add({ ir: updatedAt, list: false });
  }

  for (const option of decl.options) {
    if (option.kind === 'table') continue;
    const names = option.fields.map((f) => f.name);
    let ok = names.length > 0;
    for (const ident of option.fields) {
      if (ident.name === '') {
        ok = false;
        continue;
      }
      const field = info.fields.get(ident.name);
      if (!field) {
        ok = false;
        ctx.report.report('BC2007', ident.span, {
          owner: decl.name,
          name: ident.name,
          hint: didYouMean(ident.name, info.fields.keys()),
        });
      } else if (field.list) {
        ok = false;
        ctx.report.report('BC2023', ident.span, {
          field: ident.name,
          what: `\`${option.kind} (...)\``,
        });
      }
    }
    if (!ok) continue;
    if (option.kind === 'index') info.declaredIndexes.push(names);
    else entity.uniques.push({ fields: names, span: option.span });
  }
}

/** Field names repeat across entities: convert each one once (the regexes add up). */
function memo(fn: (name: string) => string): (name: string) => string {
  const cache = new Map<string, string>();
  return (name) => {
    let out = cache.get(name);
    if (out === undefined) {
      if (cache.size >= 10_000) cache.clear(); // long watch sessions stay bounded
      cache.set(name, (out = fn(name)));
    }
    return out;
  };
}
const snakeOf = memo(snake);
const humanOf = memo(humanize);

/**
 * A relation field's type as lowering makes it: the relations pass settles
 * its kind, owner and inverse (and works on a copy of it for an entity an
 * incremental analysis reuses).
 */
export function loweredRelationType(target: string, list: boolean): FieldType {
  return {
    kind: 'relation',
    target,
    relation: list ? 'one-to-many' : 'many-to-one',
    owning: !list,
  };
}

export function implicitField(
  name: string,
  type: FieldType,
  origin: Field['origin'],
  span: Span,
): Field {
  return {
    name,
    apiName: name,
    column: snakeOf(name),
    type,
    optional: false,
    primaryKey: origin === 'id',
    unique: origin === 'id',
    indexed: false,
    onUpdateNow: false,
    private: false,
    readonly: origin !== 'declared',
    label: name === 'id' ? 'ID' : humanOf(name),
    ownerField: false,
    origin,
    span,
  };
}

/** A declared field with its type resolved (relation details come later). */
function lowerField(ctx: AnalyzeContext, decl: ast.FieldDecl): FieldInfo | undefined {
  const type = resolveType(ctx, decl.type, 'field');
  if (!type) return undefined;
  const field =
    type.type.kind === 'relation'
      ? // as implicitField makes it, without `column`: the relations pass adds
        // one where the field owns a foreign key
        plainField(decl.name, type.type, false, humanOf(decl.name), decl.nameSpan)
      : implicitField(decl.name, type.type, 'declared', decl.nameSpan);
  field.readonly = false;
  field.optional = decl.type.optional;
  if (decl.doc !== undefined) field.doc = decl.doc;
  const info: FieldInfo = { ir: field, decl, list: type.list };
  if (type.type.kind === 'relation') {
    info.target = type.type.target;
  }
  if (type.type.kind === 'scalar' && type.type.scalar === 'password') field.private = true;
  for (const m of decl.modifiers) {
    switch (m.kind) {
      case 'unique':
        field.unique = true;
        break;
      case 'index':
        field.indexed = true;
        break;
      case 'private':
        field.private = true;
        break;
      case 'readonly':
        field.readonly = true;
        break;
      case 'onUpdateNow':
        field.onUpdateNow = true;
        break;
      case 'label':
        field.label = m.text;
        break;
      case 'was':
        if (m.name.name !== '') field.was = m.name.name;
        break;
      case 'by':
        info.by = m.field;
        break;
      default:
        break; // defaults, min/max, pattern, on delete: the modifiers pass
    }
  }
  return info;
}

export interface ResolvedType {
  type: FieldType;
  list: boolean;
}

/**
 * Resolve a written type. `where` says what may be used: entity fields take
 * every kind; event fields, inputs and return types are checked by callers.
 */
export function resolveType(
  ctx: AnalyzeContext,
  ref: ast.TypeRef,
  _where: string,
): ResolvedType | undefined {
  const name = ref.name;
  if (name === '') return undefined;
  if (isScalar(name)) {
    if (ref.list) {
      ctx.report.report('BC2004', ref.span, {
        name: `${name}[]`,
        hint: ' (lists are for relations; use `json`)',
      });
      return undefined;
    }
    return { type: scalarType(ctx, name, ref), list: false };
  }
  if (ctx.enums.has(name)) {
    if (ref.args.length > 0) reportArgs(ctx, ref, `\`${name}\` takes no arguments`);
    if (ref.list) {
      ctx.report.report('BC2004', ref.span, {
        name: `${name}[]`,
        hint: ' (lists are for relations; use `json`)',
      });
      return undefined;
    }
    return { type: { kind: 'enum', enum: name }, list: false };
  }
  if (ctx.entities.has(name)) {
    if (ref.args.length > 0) reportArgs(ctx, ref, `\`${name}\` takes no arguments`);
    return { type: loweredRelationType(name, ref.list), list: ref.list };
  }
  const candidates = [...SCALAR_TYPES, ...ctx.enums.keys(), ...ctx.entities.keys()];
  ctx.report.report('BC2004', ref.nameSpan, { name, hint: didYouMean(name, candidates) });
  return undefined;
}

function reportArgs(ctx: AnalyzeContext, ref: ast.TypeRef, reason: string): void {
  ctx.report.report('BC2022', ref.args[0]?.span ?? ref.span, {
    what: `\`${ref.name}(...)\``,
    reason,
  });
}

function scalarType(ctx: AnalyzeContext, scalar: ScalarType, ref: ast.TypeRef): FieldType {
  const args = ref.args;
  if (LENGTH_TYPES.has(scalar)) {
    if (args.length > 1) reportArgs(ctx, ref, `\`${scalar}\` takes one length`);
    const n = args[0];
    if (n && (!Number.isInteger(n.value) || n.value < 1 || n.value > MAX_VARCHAR)) {
      reportArgs(ctx, ref, `a length is a whole number from 1 to ${MAX_VARCHAR}`);
    }
    return { kind: 'scalar', scalar, length: n ? n.value : 255 };
  }
  if (scalar === 'decimal') {
    const [p, s] = args;
    if (args.length !== 2) {
      reportArgs(ctx, ref, '`decimal` takes a precision and a scale: `decimal(10, 2)`');
      return { kind: 'scalar', scalar, precision: 10, scale: 2 };
    }
    if (!Number.isInteger(p!.value) || p!.value < 1 || p!.value > 1000) {
      reportArgs(ctx, ref, 'the precision is a whole number from 1 to 1000');
    } else if (!Number.isInteger(s!.value) || s!.value < 0 || s!.value > p!.value) {
      ctx.report.report('BC2022', s!.span, {
        what: `\`decimal(${p!.raw}, ${s!.raw})\``,
        reason: 'the scale is a whole number from 0 to the precision',
      });
    }
    return { kind: 'scalar', scalar, precision: p!.value, scale: s!.value };
  }
  if (args.length > 0) reportArgs(ctx, ref, `\`${scalar}\` takes no arguments`);
  return { kind: 'scalar', scalar };
}
