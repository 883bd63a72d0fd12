// `npm run bench [-- name...]`: runs every bench/*.bench.ts (sorted), or only
// those whose file name contains one of the given names. Each bench file runs
// itself when imported and prints its own table and summary.
import { readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const filters = process.argv.slice(2);
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((name) => f.includes(name)))
  .sort();

for (const file of files) {
  console.log(`\n== ${file}`);
  await import(pathToFileURL(join(here, file)).href);
}
