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
import { JOURNAL_PATH, MANIFEST_PATH, PRISTINE_DIR } from '../compiler/emit/manifest.js';
import { ENTITIES, FILES, splitModel } from './incremental-model.js';

// A save in a running `bitcup watch` / dev server. A dev session makes
// hundreds; V8 optimizes the code only an edit runs (the re-analysed units,
// the files one entity makes) after a few dozen, so the first edits are
// slower: they are timed too and printed apart.
const WARMUP_EDITS = 50;
const EDITS = 20;

const average = (values: readonly number[]) =>
  values.reduce((a, b) => a + b, 0) / Math.max(values.length, 1);

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
  // what else an edit writes: new pristine contents, the journal record, a
  // compacted manifest now and then (counted outside the timing)
  const pristine = () => new Set(readdirSync(join(incrementalOut, PRISTINE_DIR)));
  const sizeOf = (path: string) => {
    try {
      return statSync(join(incrementalOut, path)).size;
    } catch {
      return 0;
    }
  };
  const manifestStamp = () => {
    const st = statSync(join(incrementalOut, MANIFEST_PATH));
    return `${st.mtimeMs}:${st.size}`;
  };
  let pristineBefore = new Set<string>();
  let journalBefore = 0;
  let manifestBefore = '';
  const pristineWritten: number[] = [];
  const journalAppended: number[] = [];
  let compactions = 0;
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
  const warmup: number[] = [];
  for (let i = 0; i < WARMUP_EDITS; i++) {
    const started = performance.now();
    editOnce();
    warmup.push(performance.now() - started);
  }
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
        journalBefore = sizeOf(JOURNAL_PATH);
        manifestBefore = manifestStamp();
      },
      afterEach: () => {
        pristineWritten.push([...pristine()].filter((h) => !pristineBefore.has(h)).length);
        if (manifestStamp() !== manifestBefore) compactions++;
        else journalAppended.push(sizeOf(JOURNAL_PATH) - journalBefore);
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
          `warm-up edits: the first ${warmup[0]!.toFixed(1)} ms, edits 1-10 mean ${average(warmup.slice(0, 10)).toFixed(1)} ms, all ${WARMUP_EDITS} mean ${average(warmup).toFixed(1)} ms`,
          `files written per edit: ${[...new Set(written)].join(' / ')} (of ${files}), plus ${[...new Set(pristineWritten)].join(' / ')} pristine file(s); the manifest journal: ${journalAppended.length ? `${(average(journalAppended) / 1024).toFixed(0)} KB appended per edit` : 'no append'}, ${compactions} compaction(s) in ${EDITS} edits`,
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
