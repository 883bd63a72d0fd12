// Incremental builds: one builder per (entry, out) keeps, between runs, the
// manifest, the IR part hashes and each backend's last files. A rebuild
//   1. compiles (the front end's parse cache skips unchanged source files),
//   2. hashes the IR parts and finds the changed ones,
//   3. runs the backends: a backend with `generateChanged` regenerates only
//      the files that depend on a changed part (the others are carried over);
//      any other backend regenerates everything, and the emitter compares
//      in memory with the last pristine output,
//   4. emits: only files whose content changed touch the disk.
// With an error nothing is emitted: the last good output stays as it was.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { AnalysisMemo, compile } from '../index.js';
import { backends as registeredBackends } from '../backends/index.js';
import type { Backend, BackendContext, GeneratedFile, PreviousOutput } from '../backends/types.js';
import type { Diagnostic } from '../diagnostics/diagnostic.js';
import { makeDiagnostic } from '../diagnostics/collector.js';
import type { Program } from '../ir/schema.js';
import type { ProducedFile } from '../emit/file-set.js';
import type { Manifest } from '../emit/manifest.js';
import {
  REVISIONS_DIR,
  SNAPSHOT_PATH,
  readPreviousOutput,
  sameList,
  writeOutput,
  type EmitSummary,
} from '../emit/writer.js';
import { changedParts, hashParts, isAffected } from './parts.js';

/**
 * Optional for a backend: regenerate only what `changed` affects. It returns
 * every file whose dependsOn is affected (see parts.ts `isAffected`); the
 * builder keeps the backend's other files from the previous run. The result
 * must equal filtering `generate()` by the same test. When a file of the
 * previous run is affected by the parts it depended on then but does not come
 * back (removed, or its dependsOn changed), the builder runs `generate()`.
 */
export interface PartialBackend extends Backend {
  generateChanged(
    program: Program,
    context: BackendContext,
    changed: ReadonlySet<string>,
    parts: Record<string, string>,
    /** this backend's files from its previous run (what the builder will keep) */
    previous: readonly GeneratedFile[],
  ): GeneratedFile[];
}

function fingerprint(file: string): string {
  try {
    const stats = statSync(file);
    return `${stats.mtimeMs}:${stats.size}`;
  } catch {
    return 'missing';
  }
}

/** Changes whenever the migration revisions or the IR snapshot change on disk. */
function previousOutputKey(out: string): string {
  const parts = [fingerprint(join(out, SNAPSHOT_PATH))];
  const dir = join(out, REVISIONS_DIR);
  try {
    for (const name of readdirSync(dir).sort()) parts.push(name, fingerprint(join(dir, name)));
  } catch {
    parts.push('no revisions');
  }
  return parts.join('\n');
}

/**
 * `files`, with each one made again exactly as it was last run (content,
 * owner, mode, dependsOn) replaced by last run's object: the emitter skips a
 * file object it recorded (a string compare here instead of its checks).
 */
function sameAsBefore(files: GeneratedFile[], last: readonly GeneratedFile[]): GeneratedFile[] {
  if (last.length === 0) return files;
  const byPath = new Map<string, GeneratedFile>();
  for (const f of files) byPath.set(f.path, f);
  const replaced = new Map<GeneratedFile, GeneratedFile>();
  for (const before of last) {
    const made = byPath.get(before.path);
    if (
      made !== undefined &&
      made !== before &&
      made.content === before.content &&
      made.ownership === before.ownership &&
      made.mode === before.mode &&
      sameList(made.dependsOn, before.dependsOn)
    )
      replaced.set(made, before);
  }
  return replaced.size === 0 ? files : files.map((f) => replaced.get(f) ?? f);
}

function isPartial(backend: Backend): backend is PartialBackend {
  return typeof (backend as Partial<PartialBackend>).generateChanged === 'function';
}

export interface BuildOptions {
  force?: boolean;
  allowDestructive?: boolean;
  /** drop migration revisions (`bitcup dev` never writes them) */
  skipHistory?: boolean;
  /** the backends to run (tests); the registered ones by default */
  backends?: readonly Backend[];
  /** the front end (tests); compile() by default */
  frontEnd?: typeof compile;
}

export interface BuildResult {
  diagnostics: Diagnostic[];
  summary?: EmitSummary;
  ok: boolean;
  program?: Program;
  /** absolute paths of the model's source files (what a watcher watches) */
  sourceFiles: string[];
  /** IR parts that changed since the previous run of this builder (all on the first) */
  changedParts: string[];
  /** milliseconds per phase: compile, hash, each backend by name, emit */
  timings: Record<string, number>;
}

export class IncrementalBuilder {
  private fingerprints = new Map<string, string>();
  /** what the last analysis lends the next: unchanged declarations keep their IR objects */
  private readonly analysis = new AnalysisMemo();
  private manifest: Manifest | undefined;
  private parts: Record<string, string> | undefined;
  /** the program the part hashes were computed for (unchanged parts keep their hash) */
  private hashedProgram: Program | undefined;
  private readonly lastFiles = new Map<string, GeneratedFile[]>();
  // one ProducedFile per generated file object, so a file carried over from
  // the last run reaches the emitter as the same object (which it can skip)
  private readonly producedFiles = new WeakMap<GeneratedFile, ProducedFile>();

  private produced(file: GeneratedFile, backend: string): ProducedFile {
    let produced = this.producedFiles.get(file);
    if (produced?.backend !== backend) {
      produced = { ...file, backend };
      this.producedFiles.set(file, produced);
    }
    return produced;
  }

  constructor(
    readonly entry: string,
    readonly out: string,
    readonly options: BuildOptions = {},
  ) {}

  private previous: { key: string; output: PreviousOutput } | undefined;

  /** What the backends may know of the output's past, re-read only when it changed on disk. */
  private previousOutput(): PreviousOutput {
    const key = previousOutputKey(this.out);
    if (this.previous?.key !== key) this.previous = { key, output: readPreviousOutput(this.out) };
    return this.previous.output;
  }

  /**
   * Whether a source file of the last build changed on disk since it was
   * read. Watchers drop events that come too close together (chokidar: 50 ms
   * per file); checking this shortly after a build catches such a save.
   */
  sourcesChanged(): boolean {
    for (const [file, before] of this.fingerprints) if (fingerprint(file) !== before) return true;
    return false;
  }

  /** Rebuild; `files` are in-memory source contents by absolute path (editor buffers, tests). */
  rebuild(files?: ReadonlyMap<string, string>): BuildResult {
    const started = performance.now();
    const diagnostics: Diagnostic[] = [];
    const internal = (phase: string, error: unknown) =>
      diagnostics.push(
        makeDiagnostic('BC9001', undefined, { phase, reason: (error as Error).message }),
      );
    const timings: Record<string, number> = {};
    let phaseStart = performance.now();
    const lap = (phase: string) => {
      const now = performance.now();
      timings[phase] = now - phaseStart;
      phaseStart = now;
    };
    let compiled;
    try {
      compiled = (this.options.frontEnd ?? compile)(this.entry, {
        ...(files ? { files } : {}),
        analysis: this.analysis,
      });
    } catch (error) {
      internal('compile', error);
      return { diagnostics, ok: false, sourceFiles: [this.entry], changedParts: [], timings };
    }
    lap('compile');
    diagnostics.push(...compiled.diagnostics);
    this.fingerprints = new Map(compiled.files.map((f) => [f, fingerprint(f)]));
    const result: BuildResult = {
      diagnostics,
      ok: false,
      sourceFiles: compiled.files.length ? compiled.files : [this.entry],
      changedParts: [],
      timings,
    };
    const program = compiled.program;
    if (!program || diagnostics.some((d) => d.severity === 'error')) return result;
    result.program = program;

    const parts = hashParts(
      program,
      this.parts && this.hashedProgram
        ? { program: this.hashedProgram, parts: this.parts }
        : undefined,
    );
    const changed = this.parts ? changedParts(this.parts, parts) : new Set(Object.keys(parts));
    result.changedParts = [...changed].sort();
    const previous = this.previousOutput();
    lap('hash');
    const context: BackendContext = { previous, report: (d) => diagnostics.push(d) };
    const produced: ProducedFile[] = [];
    // files carried over because none of the parts they declare changed
    // (the emitter then trusts the entry it recorded for them last run)
    const unaffected = new Set<ProducedFile>();
    const lastFiles = new Map<string, GeneratedFile[]>();
    for (const backend of this.options.backends ?? registeredBackends) {
      let files: GeneratedFile[];
      let carried = 0; // the first `carried` of `files` are kept from the last run
      try {
        const last = this.lastFiles.get(backend.name);
        if (isPartial(backend) && last) {
          const fresh = backend.generateChanged(program, context, changed, parts, last);
          const freshPaths = new Set(fresh.map((f) => f.path));
          const kept = last.filter((f) => !freshPaths.has(f.path));
          // a file of the last run that the change affects (by the parts it
          // depended on then) but that did not come back: it may be gone for
          // good (a removed entity) or its dependencies moved — only a whole
          // run can tell, so do one
          if (kept.some((f) => isAffected(f.dependsOn, changed, parts)))
            files = sameAsBefore(backend.generate(program, context), last);
          else {
            files = [...kept, ...sameAsBefore(fresh, last)];
            carried = kept.length;
          }
        } else files = sameAsBefore(backend.generate(program, context), last ?? []);
      } catch (error) {
        internal(`backend ${backend.name}`, error);
        continue;
      }
      lap(backend.name);
      lastFiles.set(backend.name, files);
      for (let i = 0; i < files.length; i++) {
        const file = this.produced(files[i]!, backend.name);
        produced.push(file);
        if (i < carried) unaffected.add(file);
      }
    }
    if (diagnostics.some((d) => d.severity === 'error')) return result;

    const summary = writeOutput(this.out, produced, {
      force: this.options.force ?? false,
      started,
      parts,
      changedParts: changed,
      unaffected,
      skipHistory: this.options.skipHistory ?? false,
      ...(this.manifest ? { manifest: this.manifest } : {}),
    });
    lap('emit');
    diagnostics.push(...summary.diagnostics);
    result.summary = summary;
    result.ok = !summary.diagnostics.some((d) => d.severity === 'error');
    // the next run starts from what is on disk now (re-read it after an internal error)
    const broken = summary.diagnostics.some((d) => d.code === 'BC9001');
    this.manifest = broken ? undefined : summary.manifest;
    this.parts = broken ? undefined : parts;
    this.hashedProgram = broken ? undefined : program;
    this.lastFiles.clear();
    for (const [name, files] of lastFiles) this.lastFiles.set(name, files);
    // this build wrote the migration history (the first build does): read it
    // now, so its cost is this build's and not the next edit's
    if (summary.written.some((p) => p === SNAPSHOT_PATH || p.startsWith(`${REVISIONS_DIR}/`)))
      this.previousOutput();
    return result;
  }
}
