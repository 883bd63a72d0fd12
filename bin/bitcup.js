#!/usr/bin/env node
// The published bin runs the compiled CLI; `npm run build` makes dist/.
import { main } from '../dist/compiler/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
