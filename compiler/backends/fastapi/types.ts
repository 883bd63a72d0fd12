// Field types -> Python annotations, SQLAlchemy column types and Pydantic
// field types (with the constraints the language's modifiers imply).
import type { Field, FieldType } from '../../ir/schema.js';
import type { Ctx } from './context.js';
import { type Imports, pyNum, pyStr } from './py.js';

export const INT32 = { min: -2147483648, max: 2147483647 };
export const INT64 = { min: '-(2**63)', max: '2**63 - 1' };

/** The plain Python type of a stored value (model annotations). */
export function pyType(ctx: Ctx, type: FieldType, imports: Imports): string {
  if (type.kind === 'enum') {
    const cls = ctx.enumClass.get(type.enum) ?? type.enum;
    imports.add('app.models.enums', cls);
    return cls;
  }
  if (type.kind === 'relation') {
    imports.module('uuid');
    return 'uuid.UUID';
  }
  switch (type.scalar) {
    case 'string':
    case 'text':
    case 'email':
    case 'url':
    case 'password':
      return 'str';
    case 'int':
    case 'bigint':
      return 'int';
    case 'float':
      return 'float';
    case 'decimal':
      imports.add('decimal', 'Decimal');
      return 'Decimal';
    case 'bool':
      return 'bool';
    case 'date':
      imports.add('datetime', 'date');
      return 'date';
    case 'datetime':
      imports.add('datetime', 'datetime');
      return 'datetime';
    case 'time':
      imports.add('datetime', 'time');
      return 'time';
    case 'uuid':
      imports.module('uuid');
      return 'uuid.UUID';
    case 'json':
      imports.add('typing', 'Any');
      return 'Any';
  }
}

/**
 * The type of a list filter: the stored value's type for enums, ids and
 * non-text scalars; `textType` for text-like ones (the router takes `Text`,
 * which refuses NUL characters; the service behind it takes a plain `str`).
 */
export function filterParamType(
  ctx: Ctx,
  info: { field: Field; kind: string },
  imports: Imports,
  textType: 'Text' | 'str',
): string {
  const type = info.field.type;
  if (type.kind === 'relation' || info.kind === 'id') {
    imports.module('uuid');
    return 'uuid.UUID';
  }
  if (
    type.kind === 'scalar' &&
    ['int', 'bigint', 'bool', 'float', 'decimal', 'date', 'datetime', 'uuid'].includes(type.scalar)
  ) {
    return pyType(ctx, type, imports);
  }
  if (type.kind === 'enum') return pyType(ctx, type, imports);
  if (textType === 'Text') imports.add('app.runtime.types', 'Text');
  return textType;
}

/** The SQLAlchemy column type expression. */
export function saType(ctx: Ctx, field: Field, imports: Imports): string {
  const type = field.type;
  if (type.kind === 'enum') {
    const cls = ctx.enumClass.get(type.enum) ?? type.enum;
    imports.add('app.models.enums', cls, 'enum_type');
    return `enum_type(${cls})`;
  }
  if (type.kind === 'relation') {
    imports.add('sqlalchemy', 'Uuid');
    return 'Uuid';
  }
  const add = (name: string): string => {
    imports.add('sqlalchemy', name);
    return name;
  };
  switch (type.scalar) {
    case 'string':
    case 'email':
    case 'url':
    case 'password':
      return `${add('String')}(${type.length ?? 255})`;
    case 'text':
      return add('Text');
    case 'int':
      return add('Integer');
    case 'bigint':
      return add('BigInteger');
    case 'float':
      return `${add('Float')}()`;
    case 'decimal':
      return `${add('Numeric')}(${type.precision ?? 10}, ${type.scale ?? 0})`;
    case 'bool':
      return add('Boolean');
    case 'date':
      return add('Date');
    case 'datetime':
      return `${add('DateTime')}(timezone=True)`;
    case 'time':
      return add('Time');
    case 'uuid':
      return add('Uuid');
    case 'json':
      imports.add('app.core.db', 'JsonColumn');
      return 'JsonColumn';
  }
}

/**
 * The Pydantic annotation of an input or output value, with constraints:
 * lengths, ranges (also the storage type's), patterns, decimal digits, and
 * the runtime types that refuse NUL characters and non-UTC datetimes.
 */
export function schemaTypeParts(
  ctx: Ctx,
  field: Pick<Field, 'type' | 'min' | 'max' | 'pattern'>,
  imports: Imports,
  forInput: boolean,
): { base: string; constraints: string[] } {
  const type = field.type;
  if (type.kind !== 'scalar') return { base: pyType(ctx, type, imports), constraints: [] };
  if (!forInput && ['string', 'text', 'email', 'url', 'password'].includes(type.scalar))
    return { base: 'str', constraints: [] };
  const constraints: string[] = [];
  let base: string;
  const runtimeType = (name: string): string => {
    imports.add('app.runtime.types', name);
    return name;
  };
  switch (type.scalar) {
    case 'string':
    case 'password':
    case 'text': {
      base = runtimeType('Text');
      const maxLength = type.scalar === 'text' ? undefined : (type.length ?? 255);
      const max = field.max !== undefined ? Math.min(field.max, maxLength ?? field.max) : maxLength;
      if (field.min !== undefined) constraints.push(`min_length=${Math.max(0, field.min)}`);
      if (max !== undefined && forInput) constraints.push(`max_length=${max}`);
      if (field.pattern !== undefined && forInput)
        constraints.push(`pattern=${pyRaw(field.pattern)}`);
      break;
    }
    case 'email':
      base = runtimeType('Email');
      if (forInput) constraints.push(`max_length=${type.length ?? 255}`);
      break;
    case 'url':
      base = runtimeType('Url');
      if (forInput) constraints.push(`max_length=${type.length ?? 255}`);
      break;
    case 'int':
    case 'bigint': {
      base = 'int';
      if (forInput) {
        const lo = type.scalar === 'int' ? INT32.min : INT64.min;
        const hi = type.scalar === 'int' ? INT32.max : INT64.max;
        constraints.push(`ge=${field.min !== undefined ? pyNum(Math.ceil(field.min)) : lo}`);
        constraints.push(`le=${field.max !== undefined ? pyNum(Math.floor(field.max)) : hi}`);
      }
      break;
    }
    case 'float':
      base = 'float';
      if (forInput) {
        constraints.push('allow_inf_nan=False');
        if (field.min !== undefined) constraints.push(`ge=${pyNum(field.min)}`);
        if (field.max !== undefined) constraints.push(`le=${pyNum(field.max)}`);
      }
      break;
    case 'decimal':
      imports.add('decimal', 'Decimal');
      base = 'Decimal';
      if (forInput) {
        constraints.push(`max_digits=${type.precision ?? 10}`);
        constraints.push(`decimal_places=${type.scale ?? 0}`);
        constraints.push('allow_inf_nan=False');
        if (field.min !== undefined) constraints.push(`ge=${pyNum(field.min)}`);
        if (field.max !== undefined) constraints.push(`le=${pyNum(field.max)}`);
      }
      break;
    case 'datetime':
      base = runtimeType('UtcDatetime');
      break;
    case 'json':
      base = runtimeType('JsonValue');
      break;
    case 'time':
      base = runtimeType('WallTime');
      break;
    default:
      base = pyType(ctx, type, imports);
  }
  return { base, constraints };
}

/** The same as one annotation: `Annotated[T, Field(...)]` when constrained. */
export function schemaType(
  ctx: Ctx,
  field: Pick<Field, 'type' | 'min' | 'max' | 'pattern'>,
  imports: Imports,
  forInput: boolean,
): string {
  const { base, constraints } = schemaTypeParts(ctx, field, imports, forInput);
  if (constraints.length === 0) return base;
  imports.add('typing', 'Annotated');
  imports.add('pydantic', 'Field');
  return `Annotated[${base}, Field(${constraints.join(', ')})]`;
}

/** A regex as a Python string literal (raw when it has backslashes and no quotes). */
export function pyRaw(pattern: string): string {
  if (pattern.includes('\\') && !pattern.includes('"') && !pattern.endsWith('\\'))
    return `r"${pattern}"`;
  return pyStr(pattern);
}
