import type { CAC } from 'cac';
import { resolve } from 'node:path';
import { describeChange, migrate } from '../../migrate/migrate.js';
import type { CommandResult } from '../main.js';
import { printDiagnostics } from '../print.js';

interface MigrateFlags {
  out: string;
  message?: string;
  allowDestructive?: boolean;
  check?: boolean;
}

export function registerMigrate(cli: CAC, run: (result: CommandResult) => void): void {
  cli
    .command('migrate <entry>', 'Write the next database migration from the model changes')
    .option('--out <dir>', 'Output folder', { default: 'out' })
    .option('-m, --message <text>', 'What the revision does')
    .option('--allow-destructive', 'Accept changes that can lose data (drops, narrowing)')
    .option('--check', 'Exit 1 when the model has changes no revision covers; write nothing')
    .action((entry: string, flags: MigrateFlags) => {
      run(
        (() => {
          const result = migrate(resolve(entry), resolve(flags.out), {
            ...(flags.message !== undefined ? { message: String(flags.message) } : {}),
            allowDestructive: flags.allowDestructive ?? false,
            check: flags.check ?? false,
          });
          printDiagnostics(result.diagnostics);
          const say = (text: string) => process.stdout.write(`bitcup: ${text}\n`);
          switch (result.status) {
            case 'no-change':
              say('no changes: the latest revision matches the model; nothing written');
              return 0;
            case 'written':
              for (const c of result.changes) say(`  ${describeChange(c)}`);
              say(`wrote ${result.revision} (${result.changes.length} changes)`);
              return 0;
            case 'pending':
              for (const c of result.changes) say(`  ${describeChange(c)}`);
              return 1;
            default:
              return 1;
          }
        })(),
      );
    });
}
