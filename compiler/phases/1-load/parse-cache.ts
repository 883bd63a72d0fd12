// Per-file parse cache keyed by path and content hash: a watch/incremental
// build re-parses only the files whose text changed. One entry per path (an
// edited file replaces its old entry), so the cache never outgrows the
// program. Cached ASTs and diagnostics are shared: never mutate them.
import { createHash } from 'node:crypto';
import { parseSource, type ParseResult } from '../../../grammar/index.js';

interface CacheEntry {
  hash: string;
  result: ParseResult;
}

const cache = new Map<string, CacheEntry>();
const stats = { hits: 0, misses: 0 };

export function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function parseCached(path: string, text: string, hash = contentHash(text)): ParseResult {
  const cached = cache.get(path);
  if (cached && cached.hash === hash) {
    stats.hits++;
    return cached.result;
  }
  stats.misses++;
  const result = parseSource(text, path);
  cache.set(path, { hash, result });
  return result;
}

/** Cache hits and misses since the last clear (tests, benchmarks, `watch` logs). */
export function parseCacheStats(): { hits: number; misses: number; entries: number } {
  return { ...stats, entries: cache.size };
}

export function clearParseCache(): void {
  cache.clear();
  stats.hits = 0;
  stats.misses = 0;
}
