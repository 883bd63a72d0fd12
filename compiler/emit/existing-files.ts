// Which output files exist, without a stat per file: an incremental build
// checks every output file (a generated file the user deleted comes back),
// and the 200-entity bench output has 2,500 files in 27 folders.
//   - A folder whose modification time is the one stamped when the last
//     emit ended has had no entry added or removed since: every file that
//     emit left there is still there (one stat per folder).
//   - Otherwise the folder is listed once (one readdir per folder).
// A stamp is taken only when the folder's time is safely in the past (see
// RACY_NS): a change in the same clock tick would not move it (git's
// "racily clean" problem).
import { existsSync, readdirSync, statSync } from 'node:fs';

/** The output root, and per folder (relative to it, '' for the root) its mtime in ns when the last emit ended. */
export interface FolderStamps {
  root: string;
  mtimes: Map<string, bigint>;
}

const RACY_NS = 50_000_000n; // 50 ms: well above the file-system clock's tick

type FolderState = { unchanged: boolean; listing?: Set<string> | undefined };

export class ExistingFiles {
  private readonly folders = new Map<string, FolderState>();
  private readonly stamps: Map<string, bigint> | undefined;

  /** `root`: the output folder, normalized, without a trailing `/`. */
  constructor(
    private readonly root: string,
    stamps: FolderStamps | undefined,
  ) {
    this.stamps = stamps?.root === root ? stamps.mtimes : undefined;
  }

  private absolute(dir: string): string {
    return dir === '' ? this.root : `${this.root}/${dir}`;
  }

  /**
   * Whether `path` (relative to the root, checked: see file-set.ts) exists.
   * `leftByLastEmit`: the previous emit ended with this file in place (it
   * wrote it or saw it), so an unchanged folder says yes.
   */
  has(path: string, leftByLastEmit = false): boolean {
    const slash = path.lastIndexOf('/');
    const dir = slash < 0 ? '' : path.slice(0, slash);
    let folder = this.folders.get(dir);
    if (folder === undefined) {
      const stamp = this.stamps?.get(dir);
      folder = { unchanged: stamp !== undefined && mtimeOf(this.absolute(dir)) === stamp };
      this.folders.set(dir, folder);
    }
    if (leftByLastEmit && folder.unchanged) return true;
    if (!('listing' in folder)) {
      try {
        folder.listing = new Set(readdirSync(this.absolute(dir)));
      } catch {
        folder.listing = undefined; // no such folder (or unreadable): stat each file
      }
    }
    // (an entry that is a dangling symbolic link counts as present: it is the
    // user's, and the emitter leaves it alone)
    return folder.listing
      ? folder.listing.has(path.slice(slash + 1))
      : existsSync(`${this.root}/${path}`);
  }

  /** Stamps for the next emit: every folder asked about, once this emit's writes are done. */
  stampFolders(): FolderStamps {
    const mtimes = new Map<string, bigint>();
    const now = BigInt(Date.now()) * 1_000_000n;
    for (const dir of this.folders.keys()) {
      const mtime = mtimeOf(this.absolute(dir));
      if (mtime !== undefined && now - mtime > RACY_NS) mtimes.set(dir, mtime);
    }
    return { root: this.root, mtimes };
  }
}

function mtimeOf(dir: string): bigint | undefined {
  try {
    return statSync(dir, { bigint: true }).mtimeNs;
  } catch {
    return undefined;
  }
}
