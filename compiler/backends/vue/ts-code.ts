// TypeScript expressions as a tiny tree of calls, printed the way prettier
// prints calls: on one line when it fits in 100 columns, else one argument
// per line with a trailing comma. Rules compile to calls only (no infix
// operators), so this one layout rule is all the formatting they need.
import type { CodeWriter } from '../../emit/code-writer.js';

export type Code = string | { call: string; args: Code[] };

export const call = (name: string, ...args: Code[]): Code => ({ call: name, args });

export function flat(code: Code): string {
  return typeof code === 'string' ? code : `${code.call}(${code.args.map(flat).join(', ')})`;
}

/**
 * Write `prefix + code + suffix` at the writer's current depth, whose width in
 * columns is `width`.
 */
export function printCode(
  w: CodeWriter,
  width: number,
  prefix: string,
  code: Code,
  suffix: string,
): void {
  const one = `${prefix}${flat(code)}${suffix}`;
  if (typeof code === 'string' || width + one.length <= 100 || code.args.length === 0) {
    w.line(one);
    return;
  }
  w.line(`${prefix}${code.call}(`);
  w.indent(() => {
    for (const arg of code.args) printCode(w, width + 2, '', arg, ',');
  });
  w.line(`)${suffix}`);
}

/** `if (test) {` ... `}` as prettier breaks a long test: inside its own parentheses. */
export function printIf(w: CodeWriter, width: number, test: Code, body: () => void): void {
  const one = `if (${flat(test)}) {`;
  if (width + one.length <= 100) w.line(one);
  else {
    w.line('if (');
    w.indent(() => printCode(w, width + 2, '', test, ''));
    w.line(') {');
  }
  w.indent(body);
  w.line('}');
}
