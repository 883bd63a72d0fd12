// Random edits of a model's source text for the property test: each keeps
// the model valid, except `break`, which the next edit always repairs.
import { seededRandom, type Random } from '../helpers/random.js';

export { seededRandom, type Random };

const pick = <T>(random: Random, items: readonly T[]): T | undefined =>
  items.length ? items[Math.floor(random() * items.length)] : undefined;

export interface Edit {
  name: string;
  /** the new text of the file, or undefined when the edit does not apply to it */
  apply(text: string, random: Random, counter: number): string | undefined;
}

const BROKEN = '\nentity { // bitcup-property-test: broken on purpose\n';

export const edits: Edit[] = [
  {
    name: 'add an optional field',
    apply(text, random, n) {
      const headers = [...text.matchAll(/^entity \w+[^{\n]*\{\n/gm)];
      const header = pick(random, headers);
      if (!header) return undefined;
      const at = header.index + header[0].length;
      return `${text.slice(0, at)}  extra${n} string?\n${text.slice(at)}`;
    },
  },
  {
    name: 'remove an added field',
    apply(text, random) {
      const added = [...text.matchAll(/^ {2}extra\d+ string\?\n/gm)];
      const line = pick(random, added);
      return line ? text.slice(0, line.index) + text.slice(line.index + line[0].length) : undefined;
    },
  },
  {
    name: 'reorder or drop list columns',
    apply(text, random) {
      const lists = [...text.matchAll(/columns ((?:[\w.]+ *, *)+[\w.]+)/g)];
      const list = pick(random, lists);
      if (!list) return undefined;
      const columns = list[1]!.split(/ *, */);
      const next = random() < 0.5 ? [...columns].reverse() : columns.slice(0, -1);
      const at = list.index + 'columns '.length;
      return text.slice(0, at) + next.join(', ') + text.slice(at + list[1]!.length);
    },
  },
  {
    name: 'lengthen a string',
    apply(text, random) {
      const strings = [...text.matchAll(/string\((\d+)\)/g)];
      const s = pick(random, strings);
      if (!s) return undefined;
      const replacement = `string(${Number(s[1]) + 1 + Math.floor(random() * 20)})`;
      return text.slice(0, s.index) + replacement + text.slice(s.index + s[0].length);
    },
  },
  {
    name: 'add an entity',
    apply(text, _random, n) {
      return `${text}\nentity Extra${n} {\n  label string(40)\n}\n`;
    },
  },
  {
    name: 'remove an added entity',
    apply(text, random) {
      const added = [...text.matchAll(/\nentity Extra\d+ \{\n {2}label string\(40\)\n\}\n/g)];
      const e = pick(random, added);
      return e ? text.slice(0, e.index) + text.slice(e.index + e[0].length) : undefined;
    },
  },
  {
    name: 'retitle the app',
    apply(text, _random, n) {
      return /title "[^"]*"/.test(text) && /^app /m.test(text)
        ? text.replace(/(^app \w+ \{[^}]*?title ")[^"]*"/m, `$1Title ${n}"`)
        : undefined;
    },
  },
  {
    name: 'break',
    apply(text) {
      return text + BROKEN;
    },
  },
];

export function repair(text: string): string {
  return text.split(BROKEN).join('');
}
