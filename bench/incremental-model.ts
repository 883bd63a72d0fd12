// The 200-entity model over 20 files of the incremental bench: H1a's
// synthetic model (models.ts) split into an entry file and 19 modules.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { syntheticModel } from './models.js';

export const ENTITIES = 200;
export const FILES = 20;

/** The synthetic model split into an entry file and 19 modules of 10 entities each. */
export function splitModel(dir: string): { entry: string; files: string[] } {
  const text = syntheticModel({ entities: ENTITIES });
  const starts = [...text.matchAll(/^enum Thing(\d+)Status /gm)].map((m) => ({
    index: m.index,
    entity: Number(m[1]),
  }));
  const perFile = ENTITIES / FILES;
  const chunks: string[] = [];
  let header = text.slice(0, starts[0]!.index);
  for (let f = 0; f < FILES; f++) {
    const from = starts[f * perFile]!.index;
    const to = f + 1 < FILES ? starts[(f + 1) * perFile]!.index : text.length;
    chunks.push(text.slice(from, to));
  }
  const names = chunks.map((_, f) => `things-${String(f).padStart(2, '0')}.bitcup`);
  const imports = names
    .slice(1)
    .map((n) => `import "./${n}"\n`)
    .join('');
  header = `${imports}${header}`;
  writeFileSync(join(dir, names[0]!), header + chunks[0]!);
  for (let f = 1; f < FILES; f++) writeFileSync(join(dir, names[f]!), chunks[f]!);
  return { entry: join(dir, names[0]!), files: names.map((n) => join(dir, n)) };
}
