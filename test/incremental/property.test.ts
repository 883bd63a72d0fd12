// Property: after any sequence of edits, an incremental rebuild leaves the
// output byte-identical (manifest included) to a clean build of the same
// model from the same starting output. Random edit sequences on the
// examples with a seeded PRNG (BITCUP_SEEDS="1,2,3" to try other seeds),
// with user edits of generated files in between (merged by both builds).
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { IncrementalBuilder, build } from '../../compiler/build.js';
import { readManifest } from '../../compiler/emit/manifest.js';
import { edits, repair, seededRandom } from './edits.js';
import { readTree } from './tree.js';

const examples: Record<string, string[]> = {
  blog: ['blog.bitcup'],
  shop: ['shop.bitcup', 'shop-catalog.bitcup'],
  platform: ['platform.bitcup'],
};
// every incremental compile is checked against a whole one (compiler/index.ts)
process.env['BITCUP_VERIFY_INCREMENTAL'] = '1';
const seeds = (process.env.BITCUP_SEEDS ?? '7,42').split(',').map(Number);
const STEPS = 6;
const examplesDir = join(import.meta.dirname, '../../examples');
const root = mkdtempSync(join(tmpdir(), 'bitcup-property-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The first path where two trees differ, with both contents, for a readable failure. */
function firstDifference(a: Record<string, string>, b: Record<string, string>) {
  const paths = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
  const path = paths.find((p) => a[p] !== b[p]);
  return path === undefined ? undefined : { path, incremental: a[path], clean: b[path] };
}

describe.each(Object.keys(examples))('%s', (example) => {
  it.each(seeds)('seed %i: incremental output equals a clean build after every edit', (seed) => {
    const random = seededRandom(seed);
    const dir = join(root, `${example}-${seed}`);
    const src = join(dir, 'src');
    const out = join(dir, 'out');
    cpSync(examplesDir, src, { recursive: true });
    const entry = join(src, examples[example]![0]!);
    const builder = new IncrementalBuilder(entry, out);
    expect(builder.rebuild().ok).toBe(true);

    const history: string[] = [];
    let broken: string | undefined;
    for (let step = 1; step <= STEPS; step++) {
      // apply one edit that fits (a broken file is repaired first)
      if (broken) {
        writeFileSync(broken, repair(readFileSync(broken, 'utf8')));
        history.push(`repair ${broken}`);
        broken = undefined;
      } else {
        for (;;) {
          const file = join(
            src,
            examples[example]![Math.floor(random() * examples[example]!.length)]!,
          );
          const edit = edits[Math.floor(random() * edits.length)]!;
          const next = edit.apply(readFileSync(file, 'utf8'), random, step);
          if (next === undefined) continue;
          writeFileSync(file, next);
          history.push(`${edit.name} in ${file.slice(src.length + 1)}`);
          if (edit.name === 'break') broken = file;
          break;
        }
      }
      // now and then the user edits a generated file: both builds must merge it alike
      if (random() < 0.3) {
        // (the manifest as a build reads it: manifest.json, then its journal)
        const generated = [...readManifest(out).manifest.files]
          .filter(([path, entry]) => entry.ownership === 'generated' && path.endsWith('.py'))
          .map(([path]) => path);
        const target = generated[Math.floor(random() * generated.length)];
        if (target) {
          const file = join(out, target);
          writeFileSync(
            file,
            `# edited by the user at step ${step}\n${readFileSync(file, 'utf8')}`,
          );
          history.push(`user edit of ${target}`);
        }
      }
      const start = join(dir, `start-${step}`);
      cpSync(out, start, { recursive: true });
      const incremental = builder.rebuild();
      const clean = join(dir, `clean-${step}`);
      cpSync(start, clean, { recursive: true });
      const fresh = build(entry, clean);

      const context = `${example}, seed ${seed}, edits: ${history.join(' → ')}`;
      expect(incremental.ok, context).toBe(fresh.ok);
      expect(incremental.ok, context).toBe(!broken);
      if (broken) expect(readTree(out), context).toEqual(readTree(start));
      expect(firstDifference(readTree(out), readTree(clean)), context).toBeUndefined();
      rmSync(start, { recursive: true });
      rmSync(clean, { recursive: true });
    }
  });
});
