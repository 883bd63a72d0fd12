// One hash for file contents and IR parts, so manifests from any machine agree.
import { createHash } from 'node:crypto';

export function contentHash(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
