// Incremental builds on a 200-entity model over 20 files (issue 7): cold
// build time, then the time and the number of files written after a
// one-entity edit, and whether those files all depend on the edited entity.
// Targets: incremental < 5% of cold and < 50 ms. Run: npm run bench
// (or `npx tsx bench/incremental.bench.ts`).
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { IncrementalBuilder, type BuildResult } from '../compiler/build.js';
import { MANIFEST_PATH, PRISTINE_DIR } from '../compiler/emit/manifest.js';
import { ENTITIES, FILES, splitModel } from './incremental-model.js';

const WARMUP_EDITS = 5;
const EDITS = 20;

function main(): Promise<void> | void {
  const dir = mkdtempSync(join(tmpdir(), 'bitcup-bench-incremental-'));
  const { entry, files } = splitModel(dir);
  const edited = files[10]!; // Thing100..Thing109
  const original = readFileSync(edited, 'utf8');
  const withField = original.replace(
    /(entity Thing105 with timestamps \{\n)/,
    '$1  benchNote    string(40)?\n',
  );
  if (withField === original) throw new Error('bench: Thing105 not found in the model');

  let cold: IncrementalBuilder | undefined;
  const out = join(dir, 'out');
  let last: BuildResult | undefined;
  const check = (result: BuildResult) => {
    if (!result.ok) {
      const first = result.diagnostics.find((d) => d.severity === 'error');
      throw new Error(`bench: the model does not build: ${first?.code} ${first?.message}`);
    }
    last = result;
  };

  // the incremental builder keeps its state across iterations; every
  // iteration adds or removes one field of Thing105
  const incrementalOut = join(dir, 'out-incremental');
  const incremental = new IncrementalBuilder(entry, incrementalOut);
  // what else an edit writes: the manifest and new pristine contents (counted outside the timing)
  const pristine = () => new Set(readdirSync(join(incrementalOut, PRISTINE_DIR)));
  let pristineBefore = new Set<string>();
  const pristineWritten: number[] = [];
  const manifestBytes: number[] = [];
  check(incremental.rebuild());
  let toggle = false;
  const timings: Record<string, number[]> = {};
  const written: number[] = [];
  const outsideDependents = new Set<string>();

  // the cold build: a new builder on an empty output folder each time
  const coldBench = new Bench({ iterations: 5, time: 0, warmup: false });
  coldBench.add(
    `cold build (${ENTITIES} entities, ${FILES} files)`,
    () => {
      cold = new IncrementalBuilder(entry, out);
      check(cold.rebuild());
    },
    { beforeEach: () => rmSync(out, { recursive: true, force: true }) },
  );
  // a save in a running `bitcup watch` / dev server: one builder, warmed up
  // by a few edits first (a dev session makes hundreds), then measured
  const editOnce = () => {
    toggle = !toggle;
    writeFileSync(edited, toggle ? withField : original);
    const result = incremental.rebuild();
    check(result);
    return result;
  };
  for (let i = 0; i < WARMUP_EDITS; i++) editOnce();
  const editBench = new Bench({ iterations: EDITS, time: 0, warmup: false });
  editBench.add(
    'incremental rebuild after a one-entity edit',
    () => {
      const result = editOnce();
      written.push(result.summary!.written.length);
      for (const [phase, ms] of Object.entries(result.timings)) (timings[phase] ??= []).push(ms);
      for (const path of result.summary!.written) {
        const entry = result.summary!.manifest.files.get(path);
        const deps = entry?.dependsOn ?? [];
        const onEntity = deps.some((d) =>
          ['entity:Thing105', 'entities', 'program', 'views', 'flows', 'indexes'].includes(d),
        );
        if (!onEntity) outsideDependents.add(path);
      }
    },
    {
      beforeEach: () => {
        pristineBefore = pristine();
      },
      afterEach: () => {
        pristineWritten.push([...pristine()].filter((h) => !pristineBefore.has(h)).length);
        manifestBytes.push(statSync(join(incrementalOut, MANIFEST_PATH)).size);
      },
    },
  );

  return editBench
    .run()
    .then(() => coldBench.run())
    .then(() => {
      console.table([...coldBench.table(), ...editBench.table()]);
      const [coldTask] = coldBench.tasks;
      const [incrementalTask] = editBench.tasks;
      const mean = (task: (typeof coldBench.tasks)[number] | undefined) => {
        const result = task?.result;
        if (result?.state !== 'completed') throw new Error(`bench: ${task?.name} did not complete`);
        return result.latency.mean;
      };
      const coldMs = mean(coldTask);
      const incrementalMs = mean(incrementalTask);
      const files = last?.summary ? last.summary.written.length + last.summary.unchanged.length : 0;
      console.log(
        [
          `cold build: ${coldMs.toFixed(0)} ms (${files} files)`,
          `incremental one-entity edit (mean of ${EDITS}, after ${WARMUP_EDITS} warm-up edits): ${incrementalMs.toFixed(1)} ms = ${((100 * incrementalMs) / coldMs).toFixed(1)}% of cold (targets: < 5%, < 50 ms)`,
          `files written per edit: ${[...new Set(written)].join(' / ')} (of ${files}), plus ${[...new Set(pristineWritten)].join(' / ')} pristine file(s) and the manifest (${[...new Set(manifestBytes.map((b) => `${(b / 1024).toFixed(0)} KB`))].join(' / ')})`,
          `written files that do not depend on the edited entity: ${outsideDependents.size ? [...outsideDependents].slice(0, 10).join(', ') : 'none'}`,
          `incremental time by phase (mean ms): ${Object.entries(timings)
            .map(
              ([phase, ms]) => `${phase} ${(ms.reduce((a, b) => a + b, 0) / ms.length).toFixed(1)}`,
            )
            .join(', ')}`,
        ].join('\n'),
      );
      rmSync(dir, { recursive: true, force: true });
    });
}

await main();
