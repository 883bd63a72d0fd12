// Python emission helpers: string literals, ruff-format-compatible wrapping of
// calls and collections, isort-ordered imports, and safe identifiers.
//
// Wrapping follows ruff format with magic trailing commas: a bracketed group
// stays on one line when it fits, else it is exploded one item per line with a
// trailing comma (which ruff keeps). So emitted code is already formatted.
import { CodeWriter } from '../../emit/code-writer.js';

export const LINE_LENGTH = 100;
export const INDENT = '    ';

// ---- literals

/** A Python string literal the way ruff format writes it (double quotes unless that needs more escapes). */
export function pyStr(text: string): string {
  const useSingle = text.includes('"') && !text.includes("'");
  const quote = useSingle ? "'" : '"';
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === quote) out += '\\' + quote;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20 || code === 0x7f) out += '\\x' + code.toString(16).padStart(2, '0');
    else if (code >= 0x80 && code <= 0x9f) out += '\\x' + code.toString(16).padStart(2, '0');
    else if (code === 0x2028 || code === 0x2029) out += '\\u' + code.toString(16);
    else out += ch;
  }
  return quote + out + quote;
}

/** A number literal: integers stay integers, floats keep a decimal point. */
export function pyNum(value: number, float = false): string {
  if (Number.isInteger(value)) return float ? `${value}.0` : String(value);
  return String(value);
}

// ---- identifiers

const PY_KEYWORDS = new Set([
  'False',
  'None',
  'True',
  'and',
  'as',
  'assert',
  'async',
  'await',
  'break',
  'class',
  'continue',
  'def',
  'del',
  'elif',
  'else',
  'except',
  'finally',
  'for',
  'from',
  'global',
  'if',
  'import',
  'in',
  'is',
  'lambda',
  'nonlocal',
  'not',
  'or',
  'pass',
  'raise',
  'return',
  'try',
  'while',
  'with',
  'yield',
  'match',
  'case',
  'type',
  '_',
]);

/**
 * Attribute names that would shadow something on a SQLAlchemy declarative
 * class or a Pydantic model (`metadata`, `registry`, `model_config`, `json`...),
 * or builtins pyright complains about in class bodies.
 */
const RESERVED_ATTRIBUTES = new Set([
  'metadata',
  'registry',
  'query',
  'json',
  'dict',
  'copy',
  'schema',
  'schema_json',
  'validate',
  'construct',
  'parse_obj',
  'parse_raw',
  'parse_file',
  'from_orm',
  'update_forward_refs',
  'fields',
  'model_config',
  'model_fields',
  'model_computed_fields',
  'model_extra',
  'model_fields_set',
  'model_dump',
  'model_dump_json',
  'model_validate',
  'model_validate_json',
  'model_copy',
  'model_construct',
  'model_post_init',
  'model_json_schema',
  'model_rebuild',
  'model_parametrized_name',
]);

/** A Python identifier that is never a keyword nor a reserved attribute: trailing underscore. */
export function safeIdent(name: string): string {
  if (PY_KEYWORDS.has(name) || RESERVED_ATTRIBUTES.has(name) || name.startsWith('model_'))
    return name + '_';
  return name;
}

// ---- wrapping

/** A piece of Python source: plain text, or a bracketed group that may wrap. */
export type Doc = string | Group;

export interface Group {
  open: string; // e.g. 'foo(' or '['
  items: Doc[];
  close: string; // ')' or ']'
  /** a one-item tuple needs its comma even flat */
  tuple1?: boolean;
}

export const call = (callee: string, ...args: Doc[]): Group => ({
  open: `${callee}(`,
  items: args,
  close: ')',
});
export const list = (items: Doc[]): Group => ({ open: '[', items, close: ']' });
export const tuple = (items: Doc[]): Group => ({
  open: '(',
  items,
  close: ')',
  tuple1: items.length === 1,
});
export const dict = (entries: [string, Doc][]): Group => ({
  open: '{',
  items: entries.map(([k, v]) => prefix(`${k}: `, v)),
  close: '}',
});

/** The `responses=` argument of a route decorator (OpenAPI extra statuses). */
export function responses(...entries: [number, string][]): Group {
  return {
    open: 'responses={',
    items: entries.map(([code, text]) => `${code}: {"description": ${pyStr(text)}}`),
    close: '}',
  };
}

/** Glue text before a doc, e.g. a keyword argument `name=` or a `return `. */
export function prefix(text: string, doc: Doc): Doc {
  if (typeof doc === 'string') return text + doc;
  return { ...doc, open: text + doc.open };
}

/** Glue text after a doc, e.g. `.scalar_subquery()`. */
export function suffix(doc: Doc, text: string): Doc {
  if (typeof doc === 'string') return doc + text;
  return { ...doc, close: doc.close + text };
}

export function flat(doc: Doc): string {
  if (typeof doc === 'string') return doc;
  const inner = doc.items.map(flat).join(', ');
  return doc.open + inner + (doc.tuple1 ? ',' : '') + doc.close;
}

/** Render a doc whose first line starts at `column`, as lines (first unindented, the rest relative). */
export function render(doc: Doc, column: number, trailing = 0): string[] {
  const oneLine = flat(doc);
  if (typeof doc === 'string' || column + oneLine.length + trailing <= LINE_LENGTH)
    return [oneLine];
  if (doc.items.length === 0) return [oneLine];
  const lines = [doc.open];
  const innerColumn = column - (column % 4) + 4; // items sit one level deeper than the opener's line
  for (const item of doc.items) {
    const rendered = render(item, innerColumn, 1);
    rendered[rendered.length - 1] += ',';
    for (const l of rendered) lines.push(INDENT + l);
  }
  lines.push(doc.close);
  return lines;
}

/** Write a statement (possibly wrapped) at the writer's current indentation. */
export function stmt(w: CodeWriter, depth: number, doc: Doc, trailing = ''): void {
  const lines = render(doc, depth * 4, trailing.length);
  lines[lines.length - 1] += trailing;
  for (const l of lines) w.line(l);
}

/** Render a docstring body lines (already split) in ruff's style. */
export function docstring(w: CodeWriter, depth: number, text: string): void {
  const cleaned = text
    .replace(/\\/g, '\\\\')
    .replace(/"""/g, '\\"\\"\\"')
    .split('\n')
    .map((l) => l.replace(/\s+$/, ''));
  while (cleaned.length > 0 && cleaned[cleaned.length - 1] === '') cleaned.pop();
  while (cleaned.length > 0 && cleaned[0] === '') cleaned.shift();
  if (cleaned.length === 0) return;
  let first = cleaned[0]!.replace(/^\s+/, '');
  if (cleaned.length === 1) {
    if (first.endsWith('"')) first += ' ';
    w.line(`"""${first}"""`);
    return;
  }
  w.line(`"""${first}`);
  for (const l of cleaned.slice(1)) w.line(l);
  w.line('"""');
  void depth;
}

// ---- imports (isort profile of ruff: future, stdlib, third-party, first-party)

const STDLIB = new Set([
  '__future__',
  'asyncio',
  'argparse',
  'collections',
  'datetime',
  'decimal',
  'enum',
  'json',
  'logging',
  'os',
  'pathlib',
  'sys',
  'typing',
  'uuid',
  'contextlib',
  'collections.abc',
]);

export class Imports {
  private readonly froms = new Map<string, Set<string>>();
  private readonly plain = new Set<string>();

  add(module: string, ...names: string[]): this {
    let set = this.froms.get(module);
    if (!set) this.froms.set(module, (set = new Set()));
    for (const n of names) set.add(n);
    return this;
  }

  module(name: string): this {
    this.plain.add(name);
    return this;
  }

  /** A string equal for two Imports only if they hold the same imports. */
  key(): string {
    let key = [...this.plain].join(',');
    for (const [module, names] of this.froms) key += `;${module}:${[...names].join(',')}`;
    return key;
  }

  /** Add every import of `other` (a cached piece's imports into its file's). */
  merge(other: Imports): this {
    for (const [module, names] of other.froms) {
      const set = this.froms.get(module);
      if (set) for (const name of names) set.add(name);
      else this.froms.set(module, new Set(names));
    }
    for (const name of other.plain) this.plain.add(name);
    return this;
  }

  private static section(module: string): number {
    if (module === '__future__') return 0;
    const root = module.split('.')[0]!;
    if (STDLIB.has(module) || STDLIB.has(root)) return 1;
    if (root === 'app') return 3;
    return 2;
  }

  /** ruff's order-by-type: CONSTANTS, then Classes, then functions/variables. */
  static compareNames(a: string, b: string): number {
    const [ga, na] = nameKey(a);
    const [gb, nb] = nameKey(b);
    if (ga !== gb) return ga - gb;
    return na < nb ? -1 : na > nb ? 1 : 0;
  }

  write(w: CodeWriter): void {
    const modules = new Set([...this.froms.keys(), ...this.plain]);
    const bySection: string[][] = [[], [], [], []];
    for (const m of modules) bySection[Imports.section(m)]!.push(m);
    let first = true;
    for (const section of bySection) {
      if (section.length === 0) continue;
      if (!first) w.line();
      first = false;
      const plain = section.filter((m) => this.plain.has(m)).sort(compareModules);
      for (const m of plain) w.line(`import ${m}`);
      const froms = section.filter((m) => this.froms.has(m)).sort(compareModules);
      for (const m of froms) {
        const all = [...this.froms.get(m)!];
        // ruff's isort keeps `a as b` imports on lines of their own (combine-as-imports = false)
        const names = sortNames(all.filter((n) => !n.includes(' as ')));
        if (names.length > 0) {
          const oneLine = `from ${m} import ${names.join(', ')}`;
          if (oneLine.length <= LINE_LENGTH) w.line(oneLine);
          else stmt(w, 0, { open: `from ${m} import (`, items: names, close: ')' }, '');
        }
        for (const aliased of sortNames(all.filter((n) => n.includes(' as '))))
          w.line(`from ${m} import ${aliased}`);
      }
    }
  }
}

/** Names in compareNames order, each name's key computed once (modules import hundreds). */
function sortNames(names: string[]): string[] {
  if (names.length < 2) return names;
  const keyed = names.map((name) => ({ name, key: nameKey(name) }));
  keyed.sort((a, b) =>
    a.key[0] !== b.key[0]
      ? a.key[0] - b.key[0]
      : a.key[1] < b.key[1]
        ? -1
        : a.key[1] > b.key[1]
          ? 1
          : 0,
  );
  return keyed.map((k) => k.name);
}

function nameKey(name: string): [number, string] {
  const base = name.split(' as ')[0]!;
  if (base.length > 1 && base === base.toUpperCase() && /[A-Z]/.test(base)) return [0, base];
  if (/^[A-Z]/.test(base)) return [1, base];
  return [2, base];
}

function compareModules(a: string, b: string): number {
  const la = a.toLowerCase();
  const lb = b.toLowerCase();
  return la < lb ? -1 : la > lb ? 1 : 0;
}

/**
 * Append a module body after its imports with ruff's spacing: two blank lines
 * before a top-level def/class/decorator, else one.
 */
export function appendBody(out: CodeWriter, body: string): void {
  const text = body.replace(/^\n+/, '');
  if (text.trim() === '') return;
  const first = text.split('\n')[0]!;
  out.blank(/^(class |def |async def |@|if TYPE_CHECKING)/.test(first) ? 2 : 1);
  out.text(text);
}

// the last header of each whole-app module (by its docstring) and what it was made from
const headers = new Map<string, { base: string; keys: string[]; header: string }>();

/**
 * `moduleHeader` (as text) of a module importing `base` plus every piece's
 * imports, remembered by the pieces' `key()`s: a one-entity edit seldom
 * changes what access.py imports, and sorting hundreds of names is not free.
 */
export function mergedHeader(
  doc: string,
  base: Imports,
  pieces: readonly { imports: Imports; importsKey: string }[],
): string {
  const baseKey = base.key();
  const last = headers.get(doc);
  if (
    last &&
    last.base === baseKey &&
    last.keys.length === pieces.length &&
    pieces.every((p, i) => p.importsKey === last.keys[i])
  )
    return last.header;
  const imports = new Imports().merge(base);
  for (const p of pieces) imports.merge(p.imports);
  const w = new CodeWriter();
  moduleHeader(w, doc, imports);
  const header = w.toString();
  if (headers.size >= 64) headers.clear();
  headers.set(doc, { base: baseKey, keys: pieces.map((p) => p.importsKey), header });
  return header;
}

// the last join per module: the same chunks (reused pieces are the same
// strings) give back the same string, which later comparisons find at once
const joined = new Map<string, { header: string; chunks: readonly string[]; text: string }>();

/** joinChunks, remembered under `key` (one entry per whole-app module). */
export function joinChunksOnce(key: string, header: string, chunks: readonly string[]): string {
  const last = joined.get(key);
  if (
    last &&
    last.header === header &&
    last.chunks.length === chunks.length &&
    last.chunks.every((c, i) => c === chunks[i])
  )
    return last.text;
  const text = joinChunks(header, chunks);
  joined.set(key, { header, chunks, text });
  return text;
}

/**
 * The same as `appendBody(out, chunks joined by two blank lines)` on a writer
 * holding `header`, as plain string joins: whole-app modules are assembled
 * from hundreds of cached chunks on every edit.
 */
export function joinChunks(header: string, chunks: readonly string[]): string {
  const parts: string[] = [];
  for (const chunk of chunks) {
    const text = chunk.endsWith('\n') ? chunk.replace(/\n+$/, '') : chunk;
    if (text !== '') parts.push(parts.length === 0 ? text.replace(/^\n+/, '') : text);
  }
  if (parts.every((p) => p.trim() === '')) return header;
  const first = parts[0]!.slice(0, parts[0]!.indexOf('\n') >>> 0);
  const blank = /^(class |def |async def |@|if TYPE_CHECKING)/.test(first) ? 2 : 1;
  return header + '\n'.repeat(blank) + parts.join('\n\n\n') + '\n';
}

/** The standard header of a generated Python module. */
export function moduleHeader(w: CodeWriter, doc: string, imports: Imports): void {
  docstring(w, 0, doc);
  w.line();
  imports.write(w);
}
