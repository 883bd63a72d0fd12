// Where an incremental rebuild spends its time: the incremental bench's model
// and edit, repeated N times (N=20 by default, after WARMUP=0 unmeasured
// ones) in one warm builder, printing the mean per phase. EDIT picks the edit of Thing105: field (the bench's, by
// default), view (its list columns), flow (a guard on a transition), rule (a
// check). PROFILE=<file.cpuprofile> records a CPU profile of the rebuilds
// only (not the cold build before them).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IncrementalBuilder } from '../compiler/build.js';
import { splitModel } from './incremental-model.js';

const dir = mkdtempSync(join(tmpdir(), 'bitcup-incremental-phases-'));
const { entry, files } = splitModel(dir);
const edited = files[10]!;
const original = readFileSync(edited, 'utf8');
const editsOfThing105: Record<string, [RegExp, string]> = {
  field: [/(entity Thing105 with timestamps \{\n)/, '$1  benchNote    string(40)?\n'],
  view: [/(view Thing105List list Thing105 \{\n.*\n {2}columns name, code), amount,/, '$1,'],
  flow: [
    /(archived {9}-> closed {4}as close)(\n\}\n\nview Thing105List)/,
    '$1  if currentUser.isStaff$2',
  ],
  rule: [
    /(check len\(trim\(name\)\) > )0( {2}"Name must not be blank"\n\}\n\nflow Thing105)/,
    '$11$2',
  ],
};
const editName = process.env['EDIT'] ?? 'field';
const edit = editsOfThing105[editName];
if (!edit) throw new Error(`EDIT must be one of ${Object.keys(editsOfThing105).join(', ')}`);
const withField = original.replace(edit[0], edit[1]);
if (withField === original) throw new Error(`the ${editName} edit does not apply to the model`);
const builder = new IncrementalBuilder(entry, join(dir, 'out'));
if (!builder.rebuild().ok) throw new Error('the bench model does not build');
const runs = Number(process.env['N'] ?? 20);
// WARMUP=n edits first, not measured: the JIT needs a few dozen edits to
// optimize the code only an edit runs (the steady state of a watch session)
const warmups = Number(process.env['WARMUP'] ?? 0);
let toggle = false;
for (let i = 0; i < warmups; i++) {
  toggle = !toggle;
  writeFileSync(edited, toggle ? withField : original);
  if (!builder.rebuild().ok) throw new Error('an incremental rebuild failed');
}
const sums: Record<string, number> = {};
const mins: Record<string, number> = {};
let fastest = Infinity;
const profileFile = process.env['PROFILE'];
const session = profileFile ? new Session() : undefined;
if (session) {
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
}
const started = performance.now();
const cpuBefore = process.cpuUsage();
for (let i = 0; i < runs; i++) {
  toggle = !toggle;
  writeFileSync(edited, toggle ? withField : original);
  const editStart = performance.now();
  const result = builder.rebuild();
  fastest = Math.min(fastest, performance.now() - editStart);
  if (!result.ok) throw new Error('an incremental rebuild failed');
  for (const [phase, ms] of Object.entries(result.timings)) {
    sums[phase] = (sums[phase] ?? 0) + ms;
    mins[phase] = Math.min(mins[phase] ?? Infinity, ms);
  }
}
const mean = (performance.now() - started) / runs;
const cpu = process.cpuUsage(cpuBefore);
// CPU time is less disturbed than wall time by other work on a shared machine
const cpuMean = (cpu.user + cpu.system) / 1000 / runs;
if (session && profileFile) {
  const { profile } = await session.post('Profiler.stop');
  writeFileSync(profileFile, JSON.stringify(profile));
  session.disconnect();
}
console.log(
  `one-entity edit (${editName}), mean of ${runs}: ${mean.toFixed(1)} ms (CPU ${cpuMean.toFixed(1)} ms) — ${Object.entries(
    sums,
  )
    .map(([phase, ms]) => `${phase} ${(ms / runs).toFixed(1)}`)
    .join(', ')}`,
);
// on a busy machine the minimum says more about the code than the mean
console.log(
  `fastest edit: ${fastest.toFixed(1)} ms — fastest per phase: ${Object.entries(mins)
    .map(([phase, ms]) => `${phase} ${ms.toFixed(1)}`)
    .join(', ')}`,
);
rmSync(dir, { recursive: true, force: true });
