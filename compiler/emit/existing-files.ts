// Which files exist, one directory listing per folder instead of one stat per
// file: an incremental build checks every output file (a generated file the
// user deleted comes back), and the 200-entity bench output has 2,500 files
// in 27 folders. Valid for one emit, which asks once per output path.
import { existsSync, readdirSync } from 'node:fs';
import { basename, dirname } from 'node:path';

export class ExistingFiles {
  private readonly listings = new Map<string, Set<string> | undefined>();

  has(path: string): boolean {
    const dir = dirname(path);
    let listing = this.listings.get(dir);
    if (!this.listings.has(dir)) {
      try {
        listing = new Set();
        for (const entry of readdirSync(dir, { withFileTypes: true })) {
          // a symbolic link exists when its target does: ask the file system
          if (!entry.isSymbolicLink() || existsSync(`${dir}/${entry.name}`))
            listing.add(entry.name);
        }
      } catch {
        listing = undefined; // no such folder (or unreadable: then stat each file)
      }
      this.listings.set(dir, listing);
    }
    return listing ? listing.has(basename(path)) : existsSync(path);
  }
}
