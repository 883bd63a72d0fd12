// Valid (and deliberately invalid) values for each field, in three forms at
// once: a TS value the rule evaluator reasons about, the Python expression a
// factory inserts into the database, and the Python expression of its JSON
// form in a request. `n` is the factory's unique counter (six digits).
import type { EnumDecl, Field, Program } from '../../ir/schema.js';
import { words } from '../../names.js';
import { fstr, str } from './python.js';

export type Tv = string | number | boolean | null | undefined;

export interface Sample {
  ts: Tv;
  db: string;
  json: string;
}

/** Counter values the generated factories can produce (see conftest `next_number`). */
const SAMPLE_N = ['100001', '999999'];

export function scalarOf(field: Field): string | undefined {
  return field.type.kind === 'scalar' ? field.type.scalar : undefined;
}

export function isStringLike(field: Field): boolean {
  const s = scalarOf(field);
  return s === 'string' || s === 'text' || s === 'email' || s === 'url';
}

/** The longest a string-like field may be (undefined: unbounded). */
export function maxLength(field: Field): number | undefined {
  const s = scalarOf(field);
  const declared = field.type.kind === 'scalar' ? field.type.length : undefined;
  const column = s === 'text' ? undefined : (declared ?? 255);
  if (column === undefined) return field.max;
  return field.max === undefined ? column : Math.min(column, field.max);
}

function fitsString(field: Field, value: string): boolean {
  const max = maxLength(field);
  if (max !== undefined && value.length > max) return false;
  if (field.min !== undefined && value.length < field.min) return false;
  if (field.pattern !== undefined && !safeRegex(field.pattern)?.test(value)) return false;
  return true;
}

export function safeRegex(pattern: string): RegExp | undefined {
  try {
    return new RegExp(pattern);
  } catch {
    return undefined;
  }
}

/** A unique, valid string template `prefix{n}`: tries shapes until the pattern and lengths fit. */
function stringTemplate(field: Field, variant: 'base' | 'alt'): string | undefined {
  const ws = words(field.name);
  let word = (variant === 'alt' ? ['other', ...ws] : ws).join(' ');
  const max = maxLength(field);
  if (max !== undefined && word.length + 7 > max) word = word.slice(0, Math.max(0, max - 7)).trim();
  if (field.min !== undefined) while (word.length + 1 < field.min) word += 'x';
  const cap = word.length > 0 ? word[0]!.toUpperCase() + word.slice(1) : 'x';
  const dashed = word.replace(/ /g, '-');
  const shapes = [
    `${cap} {n}`,
    `${dashed}-{n}`,
    `${dashed.toUpperCase()}-{n}`,
    `${word.replace(/ /g, '')}{n}`,
    '{n}',
  ];
  for (const shape of shapes) {
    if (SAMPLE_N.every((n) => fitsString(field, shape.replace('{n}', n)))) return shape;
  }
  return undefined;
}

function numberFor(field: Field, variant: 'base' | 'alt'): number {
  const s = scalarOf(field);
  const integral = s === 'int' || s === 'bigint';
  const lit = field.default?.kind === 'literal' ? field.default.value : undefined;
  let value: number;
  if (typeof lit === 'number' && variant === 'base') value = lit;
  else if (field.min !== undefined && field.max !== undefined) {
    value = integral ? Math.floor((field.min + field.max) / 2) : (field.min + field.max) / 2;
  } else if (field.min !== undefined) value = Math.max(field.min, 0) + (integral ? 2 : 12.5);
  else if (field.max !== undefined) value = field.max - 1;
  else value = integral ? 3 : 12.5;
  if (variant === 'alt') {
    const base = numberFor(field, 'base');
    const step = 1;
    value = field.max !== undefined && base + step > field.max ? base - step : base + step;
  }
  return value;
}

export function decimalText(field: Field, value: number): string {
  const scale = field.type.kind === 'scalar' ? (field.type.scale ?? 0) : 0;
  return value.toFixed(scale);
}

function floatText(value: number): string {
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

// Samples are asked for again and again (every symbolic row of every scenario
// samples each field): computed once per field of a program.
const samples = new WeakMap<Program, WeakMap<Field, Map<string, Sample | undefined>>>();

/** A valid sample of a scalar or enum field (relations are handled by the factories). */
export function sample(
  program: Program,
  field: Field,
  variant: 'base' | 'alt' = 'base',
): Sample | undefined {
  let byField = samples.get(program);
  if (byField === undefined) samples.set(program, (byField = new WeakMap()));
  let byVariant = byField.get(field);
  if (byVariant === undefined) byField.set(field, (byVariant = new Map()));
  if (byVariant.has(variant)) return byVariant.get(variant);
  const computed = computeSample(program, field, variant);
  byVariant.set(variant, computed);
  return computed;
}

function computeSample(
  program: Program,
  field: Field,
  variant: 'base' | 'alt',
): Sample | undefined {
  if (field.type.kind === 'enum') {
    const decl = program.enums.find((e) => e.name === (field.type as { enum: string }).enum);
    return enumSample(decl, field, variant);
  }
  if (field.type.kind !== 'scalar') return undefined;
  const scalar = field.type.scalar;
  const lit = field.default?.kind === 'literal' ? field.default.value : undefined;
  switch (scalar) {
    case 'string':
    case 'text': {
      const template = stringTemplate(field, variant);
      if (template === undefined) return undefined;
      return {
        ts: template.replace('{n}', SAMPLE_N[0]!),
        db: fstr(template),
        json: fstr(template),
      };
    }
    case 'email': {
      const t = `${variant === 'alt' ? 'other' : 'user'}{n}@example.com`;
      return { ts: t.replace('{n}', SAMPLE_N[0]!), db: fstr(t), json: fstr(t) };
    }
    case 'url': {
      const t = `https://example.com/${variant === 'alt' ? 'other' : 'page'}/{n}`;
      return { ts: t.replace('{n}', SAMPLE_N[0]!), db: fstr(t), json: fstr(t) };
    }
    case 'password':
      return { ts: 'secret', db: 'hash_password(PASSWORD)', json: 'PASSWORD' };
    case 'int':
    case 'bigint': {
      const v = numberFor(field, variant);
      return { ts: v, db: String(v), json: String(v) };
    }
    case 'float': {
      const v = numberFor(field, variant);
      return { ts: v, db: floatText(v), json: floatText(v) };
    }
    case 'decimal': {
      const text = decimalText(field, numberFor(field, variant));
      return { ts: Number(text), db: `Decimal(${str(text)})`, json: str(text) };
    }
    case 'bool': {
      const base = typeof lit === 'boolean' ? lit : true;
      const v = variant === 'alt' ? !base : base;
      return { ts: v, db: v ? 'True' : 'False', json: v ? 'True' : 'False' };
    }
    case 'date': {
      const [y, m, d] = variant === 'alt' ? [2024, 2, 20] : [2024, 1, 15];
      return {
        ts: undefined,
        db: `date(${y}, ${m}, ${d})`,
        json: str(`${y}-0${m}-${d}`),
      };
    }
    case 'datetime': {
      const [y, m, d] = variant === 'alt' ? [2024, 2, 20] : [2024, 1, 15];
      return {
        ts: undefined,
        db: `datetime(${y}, ${m}, ${d}, 12, 0, tzinfo=UTC)`,
        json: str(`${y}-0${m}-${d}T12:00:00+00:00`),
      };
    }
    case 'time': {
      const t = variant === 'alt' ? [14, 45] : [12, 30];
      return {
        ts: undefined,
        db: `time(${t[0]}, ${t[1]})`,
        json: str(`${t[0]}:${t[1]}:00`),
      };
    }
    case 'uuid':
      return { ts: undefined, db: 'uuid.uuid4()', json: 'str(uuid.uuid4())' };
    case 'json': {
      if (field.default?.kind === 'emptyArray' && variant === 'base')
        return { ts: undefined, db: '[]', json: '[]' };
      if (field.default?.kind === 'emptyObject' && variant === 'base')
        return { ts: undefined, db: '{}', json: '{}' };
      const v = variant === 'alt' ? '{"key": "other"}' : '{"key": "value"}';
      return { ts: undefined, db: v, json: v };
    }
  }
}

function enumSample(
  decl: EnumDecl | undefined,
  field: Field,
  variant: 'base' | 'alt',
): Sample | undefined {
  if (!decl || decl.values.length === 0) return undefined;
  const base = field.default?.kind === 'enum' ? field.default.value : decl.values[0]!;
  const alt = decl.values.find((v) => v !== base) ?? base;
  const v = variant === 'alt' ? alt : base;
  return { ts: v, db: str(v), json: str(v) };
}

export const enumValue = (v: string): Sample => ({ ts: v, db: str(v), json: str(v) });

/** Extra valid values a check-rule violation search may try for a field. */
export function candidates(program: Program, field: Field): Sample[] {
  const out: Sample[] = [];
  const base = sample(program, field);
  if (field.optional) out.push({ ts: null, db: 'None', json: 'None' });
  if (field.type.kind === 'enum') {
    const decl = program.enums.find((e) => e.name === (field.type as { enum: string }).enum);
    for (const v of decl?.values ?? []) out.push(enumValue(v));
    return out;
  }
  const s = scalarOf(field);
  if (s === 'int' || s === 'bigint' || s === 'float' || s === 'decimal') {
    const nums = new Set<number>();
    if (field.min !== undefined) nums.add(field.min).add(field.min + 1);
    if (field.max !== undefined) nums.add(field.max);
    nums.add(0).add(1);
    for (const v of nums) {
      if (field.min !== undefined && v < field.min) continue;
      if (field.max !== undefined && v > field.max) continue;
      if (s === 'decimal') {
        const text = decimalText(field, v);
        out.push({ ts: v, db: `Decimal(${str(text)})`, json: str(text) });
      } else if (s === 'float') out.push({ ts: v, db: floatText(v), json: floatText(v) });
      else out.push({ ts: v, db: String(v), json: String(v) });
    }
  } else if (s === 'bool') {
    out.push({ ts: true, db: 'True', json: 'True' }, { ts: false, db: 'False', json: 'False' });
  } else if (s === 'string' || s === 'text') {
    const blank = ' '.repeat(Math.max(field.min ?? 1, 1));
    if (fitsString(field, blank)) out.push({ ts: blank, db: str(blank), json: str(blank) });
    if (fitsString(field, '')) out.push({ ts: '', db: str(''), json: str('') });
  }
  if (base) out.push(base);
  return out;
}

/** Invalid values of a field's own constraints, each with a short reason for the test name. */
export interface Invalid {
  reason: string;
  json: string;
}

export function invalidValues(program: Program, field: Field): Invalid[] {
  const out: Invalid[] = [];
  const s = scalarOf(field);
  if (field.type.kind === 'enum') {
    out.push({ reason: 'not_an_enum_value', json: str('no-such-value') });
    return out;
  }
  if (s === 'string' || s === 'text' || s === 'email' || s === 'url') {
    if (field.min !== undefined && field.min > 0) {
      out.push({ reason: 'too_short', json: str('x'.repeat(field.min - 1)) });
    }
    const max = maxLength(field);
    if (max !== undefined) out.push({ reason: 'too_long', json: `"x" * ${max + 1}` });
    if (field.pattern !== undefined) {
      const re = safeRegex(field.pattern);
      const bad = ['Not valid!', 'x y', '!!', '-', 'a'].find(
        (v) => re !== undefined && !re.test(v) && (maxLength(field) ?? 99) >= v.length,
      );
      if (bad !== undefined) out.push({ reason: 'pattern', json: str(bad) });
    }
    if (s === 'email') out.push({ reason: 'not_an_email', json: str('not-an-email') });
    if (s === 'url') out.push({ reason: 'not_a_url', json: str('not a url') });
    if (s === 'string' || s === 'text') {
      out.push({ reason: 'nul_character', json: str('a') + ' + chr(0) + ' + str('b') });
    }
  }
  if (s === 'int' || s === 'bigint' || s === 'float' || s === 'decimal') {
    const text = (v: number): string =>
      s === 'decimal' ? str(decimalText(field, v)) : s === 'float' ? floatText(v) : String(v);
    if (field.min !== undefined) out.push({ reason: 'below_min', json: text(field.min - 1) });
    if (field.max !== undefined) out.push({ reason: 'above_max', json: text(field.max + 1) });
    if (s === 'int') out.push({ reason: 'out_of_int_range', json: '2**31' });
    if (s === 'bigint') out.push({ reason: 'out_of_bigint_range', json: '2**63' });
    if (s === 'decimal' && field.type.kind === 'scalar') {
      const scale = field.type.scale ?? 0;
      out.push({ reason: 'too_many_decimals', json: str(`1.${'1'.repeat(scale + 1)}`) });
    }
  }
  if (s === 'date' || s === 'datetime' || s === 'time' || s === 'uuid') {
    out.push({ reason: 'malformed', json: str('not-a-value') });
  }
  if (s === 'bool') out.push({ reason: 'not_a_bool', json: str('maybe') });
  return out;
}

/** A sample's Python text with the factory counter fixed (no `n` in scope): a plain literal. */
export function withoutCounter(py: string): string {
  return py.replace(/\bf(["'])([^"']*)\{n\}([^"']*)\1/g, '$1$2100001$3$1');
}
