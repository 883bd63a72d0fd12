// The one-line summary that build, watch and dev print after a build.
import type { BuildResult } from '../incremental/builder.js';

export function summaryLine(result: BuildResult): string {
  const s = result.summary;
  if (!s) {
    const errors = result.diagnostics.filter((d) => d.severity === 'error').length;
    return `bitcup: ${errors} error(s); the output was left as it was`;
  }
  const extra = [
    s.merged.length ? `${s.merged.length} merged` : '',
    s.conflicts.length ? `${s.conflicts.length} conflict(s)` : '',
    s.saved.length ? `${s.saved.length} saved as .orig` : '',
  ].filter(Boolean);
  return `bitcup: ${s.written.length} written, ${s.unchanged.length} unchanged, ${s.removed.length} removed${extra.length ? `, ${extra.join(', ')}` : ''} in ${Math.round(s.ms)} ms`;
}
