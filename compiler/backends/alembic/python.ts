// A small Python expression printer that lays out calls the way ruff format
// (black style, at the backend's line length) does, so generated revisions are already
// formatted: a call that fits stays on one line; else its arguments move to
// one indented line; else one argument per line with a trailing comma.

export type Py =
  | string // an atom, already rendered
  | { call: string; args: Py[] }
  | { list: Py[] }
  | { kw: string; value: Py }
  | { star: Py };

/** ruff's line-length in the generated backend's pyproject.toml (the FastAPI backend's). */
export const LINE_LENGTH = 100;

export const call = (name: string, ...args: Py[]): Py => ({ call: name, args });
export const kw = (name: string, value: Py): Py => ({ kw: name, value });
export const list = (items: Py[]): Py => ({ list: items });
export const star = (value: Py): Py => ({ star: value });

/** A Python string literal, with ruff's quote preference (double unless that needs escapes). */
export function str(value: string): string {
  const escaped = value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  if (value.includes('"') && !value.includes("'")) return `'${escaped}'`;
  return `"${escaped.replace(/"/g, '\\"')}"`;
}

export function flat(expr: Py): string {
  if (typeof expr === 'string') return expr;
  if ('call' in expr) return `${expr.call}(${expr.args.map(flat).join(', ')})`;
  if ('list' in expr) return `[${expr.list.map(flat).join(', ')}]`;
  if ('kw' in expr) return `${expr.kw}=${flat(expr.value)}`;
  return `*${flat(expr.star)}`;
}

/**
 * Lay out `expr` on lines at column `indent` (the first line starts `lead`
 * columns further right), with `suffix` after its last line.
 */
function layout(expr: Py, indent: number, suffix: string, lead = 0): string[] {
  const oneLine = flat(expr) + suffix;
  if (typeof expr === 'string' || indent + lead + oneLine.length <= LINE_LENGTH) return [oneLine];
  if ('kw' in expr || 'star' in expr) {
    const prefix = 'kw' in expr ? `${expr.kw}=` : '*';
    const inner = layout(
      'kw' in expr ? expr.value : expr.star,
      indent,
      suffix,
      lead + prefix.length,
    );
    // continuation lines stay at the statement's indentation: only the first gets the prefix
    return [prefix + inner[0]!, ...inner.slice(1)];
  }
  const [open, close, items] =
    'call' in expr ? [`${expr.call}(`, ')', expr.args] : ['[', ']', expr.list];
  if (items.length === 0) return [oneLine];
  const pad = ' '.repeat(4);
  const body = items.map(flat).join(', ');
  if (indent + 4 + body.length <= LINE_LENGTH) return [open, pad + body, close + suffix];
  const lines = [open];
  items.forEach((item) => {
    const itemSuffix = items.length > 1 ? ',' : '';
    for (const l of layout(item, indent + 4, itemSuffix)) lines.push(pad + l);
  });
  lines.push(close + suffix);
  return lines;
}

/** The lines of one statement at indentation `indent` (columns), unindented. */
export function statement(expr: Py, indent: number): string[] {
  return layout(expr, indent, '');
}
