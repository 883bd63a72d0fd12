#!/usr/bin/env node
// The published bin runs the compiled CLI; `npm run build` makes dist/.
import { main } from '../dist/compiler/cli/main.js';

// A closed pipe (`bitcup ir x --json | head`) ends the output quietly, not with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (error) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
}

process.exitCode = await main(process.argv.slice(2));
