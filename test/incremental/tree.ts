// Every file under a folder, sorted, with its content: two outputs compare as one value.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function readTree(root: string, prefix = ''): Record<string, string> {
  const files: Record<string, string> = {};
  let names: string[];
  try {
    names = readdirSync(root).sort();
  } catch {
    return files;
  }
  for (const name of names) {
    const full = join(root, name);
    if (statSync(full).isDirectory()) Object.assign(files, readTree(full, `${prefix}${name}/`));
    else files[`${prefix}${name}`] = readFileSync(full, 'utf8');
  }
  return files;
}
