// build(entry, out): compile, run every backend, write through the emitter.
// One run of an IncrementalBuilder: the same code path as watch and dev,
// with nothing remembered between runs but the output's manifest.
import { IncrementalBuilder, type BuildOptions, type BuildResult } from './incremental/builder.js';

export type { BuildOptions, BuildResult } from './incremental/builder.js';
export { IncrementalBuilder } from './incremental/builder.js';

export function build(entry: string, out: string, options: BuildOptions = {}): BuildResult {
  return new IncrementalBuilder(entry, out, options).rebuild();
}
