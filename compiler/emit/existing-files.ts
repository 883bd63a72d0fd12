// Which files exist, one directory listing per folder instead of one stat per
// file: an incremental build checks every output file (a generated file the
// user deleted comes back), and the 200-entity bench output has 2,500 files
// in 27 folders. Valid for one emit, which asks once per output path.
import { existsSync, readdirSync } from 'node:fs';

export class ExistingFiles {
  private readonly listings = new Map<string, Set<string> | undefined>();

  has(path: string): boolean {
    const slash = path.lastIndexOf('/');
    const dir = path.slice(0, slash);
    let listing = this.listings.get(dir);
    if (listing === undefined && !this.listings.has(dir)) {
      try {
        listing = new Set(readdirSync(dir));
      } catch {
        listing = undefined; // no such folder (or unreadable: then stat each file)
      }
      this.listings.set(dir, listing);
    }
    // (an entry that is a dangling symbolic link counts as present: it is the
    // user's, and the emitter leaves it alone)
    return listing ? listing.has(path.slice(slash + 1)) : existsSync(path);
  }
}
