// `bitcup watch <entry> --out <dir>`: build, then rebuild incrementally on
// every save of a model file (debounced). Each build prints its diagnostics
// and a one-line summary; with errors the last good output stays untouched.
import type { CAC } from 'cac';
import { watch as chokidarWatch, type FSWatcher } from 'chokidar';
import { dirname, resolve } from 'node:path';
import type { Diagnostic } from '../../diagnostics/diagnostic.js';
import { summaryLine } from '../../emit/summary.js';
import { readSourceTexts } from '../../incremental/sources.js';
import {
  IncrementalBuilder,
  type BuildOptions,
  type BuildResult,
} from '../../incremental/builder.js';
import type { CommandResult } from '../main.js';
import { printDiagnostics } from '../print.js';

export interface WatchOptions extends BuildOptions {
  /** quiet time after the last change before rebuilding */
  debounceMs?: number;
  /** called after every build (tests, `bitcup dev`) */
  onBuild?: (result: BuildResult) => void;
  /** where diagnostics and summaries go; the terminal by default */
  print?: (diagnostics: Diagnostic[], summary: string, sources: Map<string, string>) => void;
}

export interface ModelWatcher {
  builder: IncrementalBuilder;
  /** resolves once the first build is done and the watcher is listening */
  ready: Promise<BuildResult>;
  close(): Promise<void>;
}

const printToTerminal = (
  diagnostics: Diagnostic[],
  summary: string,
  sources: Map<string, string>,
) => {
  printDiagnostics(diagnostics, sources);
  process.stdout.write(`${summary}\n`);
};

/** Watch the model's `.bitcup` files (the folders of every file the model reads). */
export function watchModel(entry: string, out: string, options: WatchOptions = {}): ModelWatcher {
  const builder = new IncrementalBuilder(entry, out, options);
  const print = options.print ?? printToTerminal;
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const folders = new Set<string>();

  // chokidar drops a change event that comes within 50 ms of the previous
  // one for the same file; a check after each build catches such a save.
  const checkAfterBuild = () => {
    if (!closed && builder.sourcesChanged()) schedule();
  };
  const schedule = () => {
    if (closed) return;
    clearTimeout(timer);
    timer = setTimeout(runBuild, options.debounceMs ?? 50);
  };

  const runBuild = (): BuildResult => {
    const result = builder.rebuild();
    if (!closed) timer = setTimeout(checkAfterBuild, 100);
    print(result.diagnostics, summaryLine(result), readSourceTexts(entry, result.sourceFiles));
    const added = [...new Set(result.sourceFiles.map((f) => dirname(f)))].filter(
      (d) => !folders.has(d),
    );
    for (const folder of added) folders.add(folder);
    if (watcher && added.length) watcher.add(added);
    options.onBuild?.(result);
    return result;
  };

  const ready = (async () => {
    const first = runBuild();
    watcher = chokidarWatch([...folders], {
      ignoreInitial: true,
      depth: 0,
      ignored: (path, stats) => Boolean(stats?.isFile()) && !path.endsWith('.bitcup'),
    });
    watcher.on('add', schedule).on('change', schedule).on('unlink', schedule);
    await new Promise<void>((done) => watcher!.once('ready', () => done()));
    return first;
  })();

  return {
    builder,
    ready,
    async close() {
      closed = true;
      clearTimeout(timer);
      await ready.catch(() => undefined);
      await watcher?.close();
    },
  };
}

export function registerWatch(cli: CAC, run: (result: CommandResult) => void): void {
  cli
    .command('watch <entry>', 'Build, then rebuild incrementally on every save')
    .option('--out <dir>', 'Output folder', { default: 'out' })
    .option('--force', 'On a merge conflict, write the new output and keep yours as <name>.orig')
    .action((entry: string, options: { out: string; force?: boolean }) => {
      run(
        new Promise<number>((done) => {
          const watcher = watchModel(resolve(entry), resolve(options.out), {
            force: options.force ?? false,
          });
          const stop = () => void watcher.close().then(() => done(0));
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
          void watcher.ready.then(() =>
            process.stdout.write('bitcup: watching for changes (Ctrl-C to stop)\n'),
          );
        }),
      );
    });
}
