import type { CAC } from 'cac';
import { resolve } from 'node:path';
import { build } from '../../build.js';
import { summaryLine } from '../../emit/summary.js';
import { readSourceTexts } from '../../incremental/sources.js';
import type { CommandResult } from '../main.js';
import { printDiagnostics } from '../print.js';

export function registerBuild(cli: CAC, run: (result: CommandResult) => void): void {
  cli
    .command('build <entry>', 'Compile the model and write the whole app')
    .option('--out <dir>', 'Output folder', { default: 'out' })
    .option('--force', 'On a merge conflict, write the new output and keep yours as <name>.orig')
    .action((entry: string, options: { out: string; force?: boolean }) => {
      run(
        (() => {
          const result = build(resolve(entry), resolve(options.out), {
            force: options.force ?? false,
          });
          printDiagnostics(result.diagnostics, readSourceTexts(resolve(entry), result.sourceFiles));
          if (result.summary) process.stdout.write(`${summaryLine(result)}\n`);
          return result.ok ? 0 : 1;
        })(),
      );
    });
}
