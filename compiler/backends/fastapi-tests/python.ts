// Python expressions as small trees, rendered the way `ruff format` lays them
// out: flat when the line fits in 88 columns, else one item per line with a
// magic trailing comma (so a project line-length above 88 changes nothing).
export const LINE_LIMIT = 88;

export type Py =
  | { kind: 'raw'; text: string }
  | { kind: 'call'; callee: string; args: Py[] }
  | { kind: 'dict'; entries: [Py, Py][] }
  | { kind: 'list'; items: Py[] }
  | { kind: 'kwarg'; name: string; value: Py };

export const raw = (text: string): Py => ({ kind: 'raw', text });
export const call = (callee: string, ...args: Py[]): Py => ({ kind: 'call', callee, args });
export const kwarg = (name: string, value: Py): Py => ({ kind: 'kwarg', name, value });
export const dict = (entries: [Py, Py][]): Py => ({ kind: 'dict', entries });
export const list = (items: Py[]): Py => ({ kind: 'list', items });

const NEEDS_ESCAPES = /[\\\n\r\t"]/;

/** A Python string literal as ruff formats it: double quotes unless that needs escapes. */
export function str(value: string): string {
  if (!NEEDS_ESCAPES.test(value)) return `"${value}"`;
  const body = value
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/\r/g, '\\r')
    .replace(/\t/g, '\\t');
  if (body.includes('"') && !body.includes("'")) return `'${body}'`;
  return `"${body.replace(/"/g, '\\"')}"`;
}

/** An f-string whose `{...}` parts are Python expressions given between markers. */
export function fstr(template: string): string {
  return `f${str(template)}`;
}

export const pyStr = (value: string): Py => raw(str(value));

function flat(node: Py): string {
  switch (node.kind) {
    case 'raw':
      return node.text;
    case 'kwarg':
      return `${node.name}=${flat(node.value)}`;
    case 'call':
      return `${node.callee}(${node.args.map(flat).join(', ')})`;
    case 'list':
      return `[${node.items.map(flat).join(', ')}]`;
    case 'dict':
      return `{${node.entries.map(([k, v]) => `${flat(k)}: ${flat(v)}`).join(', ')}}`;
  }
}

/**
 * Render `prefix + node + suffix` starting at `indent` spaces; returns lines
 * without the leading indentation of the first line (the writer adds it).
 */
export function render(node: Py, indent: number, prefix = '', suffix = ''): string[] {
  const oneLine = prefix + flat(node) + suffix;
  if (indent + oneLine.length <= LINE_LIMIT) return [oneLine];
  const pad = ' '.repeat(4);
  const inner = (child: Py, childSuffix: string): string[] =>
    render(child, indent + 4, '', childSuffix).map((l) => pad + l);
  switch (node.kind) {
    case 'raw':
      return [oneLine];
    case 'kwarg':
      return render(node.value, indent, `${prefix}${node.name}=`, suffix);
    case 'call': {
      if (node.args.length === 0) return [oneLine];
      const lines = [`${prefix}${node.callee}(`];
      for (const arg of node.args) lines.push(...inner(arg, ','));
      lines.push(`)${suffix}`);
      return lines;
    }
    case 'list': {
      if (node.items.length === 0) return [oneLine];
      const lines = [`${prefix}[`];
      for (const item of node.items) lines.push(...inner(item, ','));
      lines.push(`]${suffix}`);
      return lines;
    }
    case 'dict': {
      if (node.entries.length === 0) return [oneLine];
      const lines = [`${prefix}{`];
      for (const [k, v] of node.entries) {
        lines.push(...render(v, indent + 4, `${flat(k)}: `, ',').map((l) => pad + l));
      }
      lines.push(`}${suffix}`);
      return lines;
    }
  }
}

/** Index of the bracket matching the opener at `open`, skipping string literals. */
function scan(text: string): { pairs: Map<number, number>; commas: Map<number, number[]> } {
  const pairs = new Map<number, number>();
  const commas = new Map<number, number[]>();
  const stack: number[] = [];
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i++;
      else if (text.startsWith(quote, i)) {
        i += quote.length - 1;
        quote = undefined;
      }
      continue;
    }
    if (c === '"' || c === "'") {
      quote = text.startsWith(c.repeat(3), i) ? c.repeat(3) : c;
      i += quote.length - 1;
    } else if ('([{'.includes(c)) stack.push(i);
    else if (')]}'.includes(c)) {
      const open = stack.pop();
      if (open !== undefined) pairs.set(open, i);
    } else if (c === ',' && stack.length > 0) {
      const top = stack[stack.length - 1]!;
      commas.set(top, [...(commas.get(top) ?? []), i]);
    }
  }
  return { pairs, commas };
}

/**
 * Lay out one logical Python line the way ruff format keeps it: as is when it
 * fits in LINE_LIMIT columns at `indent`, else split at its last top-level
 * bracket group, one item per line with a magic trailing comma, recursively.
 */
export function formatLine(text: string, indent: number): string[] {
  if (indent + text.length <= LINE_LIMIT) return [text];
  const { pairs, commas } = scan(text);
  // the outermost bracket group that ends the line (before ` -> T:` or `:`)
  let best: [number, number] | undefined;
  for (const [open, close] of pairs) {
    const rest = text.slice(close + 1);
    if (!/^( -> [^()[\]{}]+)?[:,]?$/.test(rest)) continue;
    const inner = [...pairs].some(([o, c]) => o < open && c > close);
    if (!inner && (!best || open < best[0])) best = [open, close];
  }
  if (!best) return [text];
  const [open, close] = best;
  const content = text.slice(open + 1, close);
  if (content.trim() === '') return [text];
  const cuts = (commas.get(open) ?? []).map((i) => i - open - 1);
  const items: string[] = [];
  let start = 0;
  for (const cut of cuts) {
    items.push(content.slice(start, cut).trim());
    start = cut + 1;
  }
  const last = content.slice(start).trim();
  if (last !== '') items.push(last);
  const lines = [text.slice(0, open + 1)];
  for (const item of items) {
    for (const l of formatLine(`${item},`, indent + 4)) lines.push(`    ${l}`);
  }
  lines.push(text.slice(close));
  return lines;
}
