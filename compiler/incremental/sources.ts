// The model's source texts keyed as spans name them (relative to the entry's
// folder, '/' separators), for code frames in build, watch, dev and the plugin.
import { readFileSync } from 'node:fs';
import { dirname, relative } from 'node:path';

export function readSourceTexts(entry: string, files: readonly string[]): Map<string, string> {
  const sources = new Map<string, string>();
  for (const file of files) {
    try {
      sources.set(relative(dirname(entry), file).split('\\').join('/'), readFileSync(file, 'utf8'));
    } catch {
      // a file that vanished has no frame
    }
  }
  return sources;
}
