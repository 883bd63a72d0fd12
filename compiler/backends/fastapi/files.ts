// A file the backend can make: its path and owner are known up front (from
// names alone), its content is made on demand, and the IR parts the content
// reads become its dependsOn (deps.ts). So an incremental run can list every
// file cheaply and make only those a change reaches.
import type { FileOwnership, GeneratedFile } from '../types.js';
import { tracked } from './deps.js';

export interface FileSpec {
  path: string;
  ownership: FileOwnership;
  make: () => string;
}

export const spec = (
  path: string,
  make: () => string,
  ownership: FileOwnership = 'generated',
): FileSpec => ({ path, make, ownership });

/** Make a file, recording what it read. */
export function makeFile(file: FileSpec): GeneratedFile {
  const { value, deps } = tracked(file.make);
  return { path: file.path, content: value, ownership: file.ownership, dependsOn: deps };
}
