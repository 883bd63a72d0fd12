// "Did you mean" suggestions for unknown names, by edit distance.
import { distance } from 'fastest-levenshtein';

/** The closest candidate within a small edit distance, or undefined. */
export function closest(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  // Allow roughly one typo per three characters, at least one, at most three.
  const limit = Math.min(3, Math.max(1, Math.floor(name.length / 3)));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    if (candidate === name) continue;
    const d = candidate.toLowerCase() === lower ? 0.5 : distance(lower, candidate.toLowerCase());
    if (d < bestDistance || (d === bestDistance && best !== undefined && candidate < best)) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** The `{hint}` template argument: " (did you mean `x`?)" or "". */
export function didYouMean(name: string, candidates: Iterable<string>): string {
  const suggestion = closest(name, candidates);
  return suggestion === undefined ? '' : ` (did you mean \`${suggestion}\`?)`;
}
