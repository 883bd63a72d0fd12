// The `bitcup` command line: one module per command under commands/.
// main() returns the exit code and never throws: 0 ok, 1 errors, 2 usage.
import { cac } from 'cac';
import type { CAC } from 'cac';

export type CommandResult = Promise<number> | number;
type Register = (cli: CAC, run: (result: CommandResult) => void) => void;

// Each command module is imported only when it runs: `bitcup check` should not
// pay for loading the build, watch and dev machinery (and their packages).
const commands: Record<string, () => Promise<Register>> = {
  build: async () => (await import('./commands/build.js')).registerBuild,
  watch: async () => (await import('./commands/watch.js')).registerWatch,
  dev: async () => (await import('./commands/dev.js')).registerDev,
  check: async () => (await import('./commands/check.js')).registerCheck,
  ir: async () => (await import('./commands/ir.js')).registerIr,
  explain: async () => (await import('./commands/explain.js')).registerExplain,
  migrate: async () => (await import('./commands/migrate.js')).registerMigrate,
};

export async function main(argv: string[]): Promise<number> {
  const cli = cac('bitcup');
  let pending: CommandResult | undefined;
  const run = (result: CommandResult) => {
    pending = result;
  };
  // The named command alone, or every command for help and unknown words.
  const named = argv[0] !== undefined ? commands[argv[0]] : undefined;
  for (const load of named ? [named] : Object.values(commands)) (await load())(cli, run);
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
