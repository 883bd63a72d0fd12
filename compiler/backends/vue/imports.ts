// Collects a module's imports and prints them in a stable order.
export class Imports {
  private readonly named = new Map<string, Set<string>>();
  private readonly types = new Map<string, Set<string>>();
  private readonly defaults = new Map<string, string>();
  private readonly namespaces = new Map<string, string>();

  add(from: string, ...names: string[]): this {
    const set = this.named.get(from) ?? new Set<string>();
    for (const name of names) set.add(name);
    this.named.set(from, set);
    return this;
  }

  type(from: string, ...names: string[]): this {
    const set = this.types.get(from) ?? new Set<string>();
    for (const name of names) set.add(name);
    this.types.set(from, set);
    return this;
  }

  default(from: string, name: string): this {
    this.defaults.set(from, name);
    return this;
  }

  namespace(from: string, name: string): this {
    this.namespaces.set(from, name);
    return this;
  }

  /** Import lines, packages first, then relative paths, each sorted. */
  lines(): string[] {
    const sources = new Set([
      ...this.named.keys(),
      ...this.types.keys(),
      ...this.defaults.keys(),
      ...this.namespaces.keys(),
    ]);
    const ordered = [...sources].sort((a, b) => {
      const ra = a.startsWith('.') ? 1 : 0;
      const rb = b.startsWith('.') ? 1 : 0;
      return ra !== rb ? ra - rb : a < b ? -1 : a > b ? 1 : 0;
    });
    const out: string[] = [];
    for (const from of ordered) {
      const ns = this.namespaces.get(from);
      if (ns !== undefined) out.push(`import * as ${ns} from '${from}';`);
      const def = this.defaults.get(from);
      const named = [...(this.named.get(from) ?? [])].sort();
      const types = [...(this.types.get(from) ?? [])].sort();
      if (def !== undefined) out.push(`import ${def} from '${from}';`);
      if (named.length > 0) {
        const all = [...named, ...types.map((t) => `type ${t}`)];
        out.push(...importStatement(`import { `, all, ` } from '${from}';`));
      } else if (types.length > 0) {
        out.push(...importStatement(`import type { `, types, ` } from '${from}';`));
      }
    }
    return out;
  }
}

function importStatement(head: string, names: string[], tail: string): string[] {
  const single = `${head}${names.join(', ')}${tail}`;
  if (single.length <= 100) return [single];
  return [head.trimEnd(), ...names.map((n) => `  ${n},`), tail.trimStart()];
}
