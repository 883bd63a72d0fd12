// Three-way merge of a user-edited generated file (node-diff3, line based):
// base = what bitcup last generated, mine = the file on disk, next = the new
// output. A clean merge keeps the user's edit inside the new output.
import { diff3Merge } from 'node-diff3';

export type MergeOutcome = { clean: true; text: string } | { clean: false; conflicts: number };

export function mergeThreeWay(base: string, mine: string, next: string): MergeOutcome {
  if (mine === base) return { clean: true, text: next };
  if (next === base || mine === next) return { clean: true, text: mine };
  const regions = diff3Merge(mine.split('\n'), base.split('\n'), next.split('\n'), {
    excludeFalseConflicts: true,
  });
  const lines: string[] = [];
  let conflicts = 0;
  for (const region of regions) {
    if (region.ok) lines.push(...region.ok);
    else conflicts++;
  }
  return conflicts === 0 ? { clean: true, text: lines.join('\n') } : { clean: false, conflicts };
}
