// The `bitcup` command line: one module per command under commands/.
// main() returns the exit code and never throws: 0 ok, 1 errors, 2 usage.
import { cac } from 'cac';
import { registerBuild } from './commands/build.js';
import { registerWatch } from './commands/watch.js';
import { registerDev } from './commands/dev.js';
import { registerCheck } from './commands/check.js';
import { registerIr } from './commands/ir.js';
import { registerExplain } from './commands/explain.js';
import { registerMigrate } from './commands/migrate.js';

export type CommandResult = Promise<number> | number;

export async function main(argv: string[]): Promise<number> {
  const cli = cac('bitcup');
  let pending: CommandResult | undefined;
  const run = (result: CommandResult) => {
    pending = result;
  };
  registerBuild(cli, run);
  registerWatch(cli, run);
  registerDev(cli, run);
  registerCheck(cli, run);
  registerIr(cli, run);
  registerExplain(cli, run);
  registerMigrate(cli, run);
  cli.help();
  cli.version('0.1.0');
  try {
    cli.parse(['node', 'bitcup', ...argv], { run: true });
  } catch (error) {
    process.stderr.write(`bitcup: ${(error as Error).message}\n`);
    return 2;
  }
  if (pending === undefined) {
    if (cli.options.help || cli.options.version) return 0;
    process.stderr.write(
      `bitcup: unknown command${argv[0] ? ` '${argv[0]}'` : ''}; see bitcup --help\n`,
    );
    return 2;
  }
  try {
    return await pending;
  } catch (error) {
    // A bug, not a user error: still no stack trace on the user's terminal.
    process.stderr.write(`bitcup: internal error: ${(error as Error).message}\n`);
    return 70;
  }
}
