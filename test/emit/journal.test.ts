// The manifest's journal (.bitcup/journal): an emit that changes a few
// entries appends one record instead of rewriting manifest.json, a build reads
// manifest.json then the journal, and a torn, stale or too big journal is
// compacted into manifest.json.
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GeneratedFile } from '../../compiler/backends/types.js';
import type { ProducedFile } from '../../compiler/emit/file-set.js';
import {
  JOURNAL_PATH,
  JOURNAL_RECORDS,
  MANIFEST_PATH,
  PRISTINE_DIR,
  readManifest,
  readPristine,
  serializeManifest,
  type Manifest,
} from '../../compiler/emit/manifest.js';
import { writeOutput, type EmitOptions } from '../../compiler/emit/writer.js';

let dir: string;
let out: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'bitcup-journal-'));
  out = join(dir, 'out');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

const gen = (path: string, content: string, dependsOn = ['app']): ProducedFile => ({
  path,
  content,
  ownership: 'generated',
  dependsOn,
  backend: 'test',
});
const read = (path: string, root = out) => readFileSync(join(root, path), 'utf8');
const emit = (files: GeneratedFile[], options: Partial<EmitOptions> = {}, root = out) =>
  writeOutput(root, files, { force: false, ...options });
const store = (root = out) =>
  existsSync(join(root, PRISTINE_DIR)) ? readdirSync(join(root, PRISTINE_DIR)).sort() : [];
type Piece = number | { base: string; prefix: number; suffix: number; bytes: number };
interface JournalRecord {
  parts: Record<string, string | null>;
  files: Record<string, { hash: string } | null>;
  pristine: Record<string, Piece>;
  /** the bytes after the record's line, by hash (a change's middle only) */
  contents: Record<string, string>;
}
/** The journal's records (each a JSON line, then the contents it names); [] when there is none. */
function journalRecords(root = out): JournalRecord[] {
  if (!existsSync(join(root, JOURNAL_PATH))) return [];
  const bytes = readFileSync(join(root, JOURNAL_PATH));
  let end = bytes.indexOf(10);
  expect(JSON.parse(bytes.toString('utf8', 0, end))).toEqual({
    journal: 1,
    manifest: createHash('sha256')
      .update(readFileSync(join(root, MANIFEST_PATH)))
      .digest('hex'),
  });
  const records: JournalRecord[] = [];
  for (let at = end + 1; at < bytes.length;) {
    end = bytes.indexOf(10, at);
    const record = JSON.parse(bytes.toString('utf8', at, end)) as JournalRecord;
    at = end + 1;
    record.contents = {};
    for (const [hash, piece] of Object.entries(record.pristine)) {
      const length = typeof piece === 'number' ? piece : piece.bytes;
      record.contents[hash] = bytes.toString('utf8', at, at + length);
      at += length;
    }
    expect(bytes[at++]).toBe(10);
    records.push(record);
  }
  return records;
}
/** What a manifest says, without what only lives in memory. */
const logical = (manifest: Manifest) => ({
  parts: Object.fromEntries(Object.entries(manifest.parts).sort()),
  files: Object.fromEntries(manifest.files),
});
const manifestOf = (root = out) => readManifest(root).manifest;

const model = 'line 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\n';

/** Four builds of a small output: a change, an addition, a removal, part hashes moving. */
const builds: { files: ProducedFile[]; parts: Record<string, string> }[] = [
  {
    files: [gen('a.txt', 'a\n'), gen('b/b.txt', 'b\n', ['entity:B']), gen('c.txt', 'c\n')],
    parts: { app: '1', 'entity:B': '1' },
  },
  {
    files: [gen('a.txt', 'a\n'), gen('b/b.txt', 'B\n', ['entity:B']), gen('c.txt', 'c\n')],
    parts: { app: '1', 'entity:B': '2' },
  },
  {
    files: [
      gen('a.txt', 'a\n'),
      gen('b/b.txt', 'B\n', ['entity:B']),
      gen('c.txt', 'c\n'),
      gen('d/new.txt', 'new\n', ['entity:D']),
    ],
    parts: { app: '1', 'entity:B': '2', 'entity:D': '1' },
  },
  {
    files: [gen('a.txt', 'A\n'), gen('d/new.txt', 'new\n', ['entity:D'])],
    parts: { app: '2', 'entity:D': '1' },
  },
];

describe('an emit that changes entries of a manifest on disk', () => {
  for (const warm of [false, true]) {
    it(`appends one record and writes neither manifest.json nor a store file (${warm ? 'manifest kept in memory' : 'manifest read from disk'})`, () => {
      let last = emit(builds[0]!.files, { parts: builds[0]!.parts });
      const manifestJson = read(MANIFEST_PATH);
      const stored = store();
      expect(stored).toHaveLength(3);
      expect(journalRecords()).toEqual([]);

      last = emit(builds[1]!.files, {
        parts: builds[1]!.parts,
        ...(warm ? { manifest: last.manifest } : {}),
      });
      expect(last.written).toEqual(['b/b.txt']);
      expect(read('b/b.txt')).toBe('B\n');
      expect(read(MANIFEST_PATH)).toBe(manifestJson);
      // one record (after the header naming the manifest.json it extends)
      const records = journalRecords();
      expect(records).toHaveLength(1);
      expect(Object.keys(records[0]!.files)).toEqual(['b/b.txt']);
      expect(records[0]!.parts).toEqual({ 'entity:B': '2' });
      expect(Object.values(records[0]!.contents)).toEqual(['B\n']);
      // the store is untouched: no new file, and the old content of b/b.txt
      // stays until the next compaction (a replay that stops before this
      // record, after a crash, still finds its merge base)
      expect(store()).toEqual(stored);
      // the next build reads what this one knows
      expect(logical(manifestOf())).toEqual(logical(last.manifest));
    });
  }

  it('replays to the manifest a compaction writes, byte for byte', () => {
    const compacted = join(dir, 'compacted');
    let warm: Manifest | undefined;
    for (const { files, parts } of builds) {
      warm = emit(files, { parts, ...(warm ? { manifest: warm } : {}) }).manifest;
      emit(files, { parts, journalLimit: 0 }, compacted);
    }
    expect(journalRecords()).toHaveLength(builds.length - 1);
    expect(journalRecords(compacted)).toEqual([]);
    const replayed = manifestOf();
    expect(logical(replayed)).toEqual(logical(manifestOf(compacted)));
    expect(serializeManifest(replayed)).toBe(read(MANIFEST_PATH, compacted));
    // the same output files, and a merge base for every generated file
    for (const [path, entry] of replayed.files) {
      expect(read(path)).toBe(read(path, compacted));
      expect(replayed.pristine?.get(entry.hash) ?? readPristine(out, entry.hash)).toBe(read(path));
    }
  });

  it('writes nothing when nothing changed', () => {
    const first = emit(builds[1]!.files, { parts: builds[1]!.parts });
    const again = emit(builds[1]!.files, { parts: builds[1]!.parts, manifest: first.manifest });
    expect(again.written).toEqual([]);
    expect(again.unchanged).toEqual(['a.txt', 'b/b.txt', 'c.txt']);
    emit(builds[1]!.files, { parts: builds[1]!.parts });
    expect(journalRecords()).toEqual([]);
  });
});

describe('a merge base only the journal has', () => {
  it('is found by a build that reads the manifest from disk', () => {
    emit([gen('m.py', model)]);
    const next = model.replace('line 7', 'line seven');
    emit([gen('m.py', next)]);
    // the new pristine content is in the journal only
    expect(journalRecords()).toHaveLength(1);
    expect(Object.values(journalRecords()[0]!.contents)).toEqual([next]);
    expect(store().map((hash) => readPristine(out, hash))).not.toContain(next);
    writeFileSync(join(out, 'm.py'), next.replace('line 2\n', 'line 2\n# mine\n'));
    const third = next.replace('line 5', 'line five');
    const summary = emit([gen('m.py', third)]);
    expect(summary.merged).toEqual(['m.py']);
    expect(summary.diagnostics).toEqual([]);
    expect(read('m.py')).toBe(third.replace('line 2\n', 'line 2\n# mine\n'));
  });

  it('is found by another process', () => {
    emit([gen('m.py', model)]);
    const next = model.replace('line 7', 'line seven');
    emit([gen('m.py', next)]);
    writeFileSync(join(out, 'm.py'), next.replace('line 2\n', 'line 2\n# mine\n'));
    const third = next.replace('line 5', 'line five');
    // a new Node process: nothing of this one's memory, only the disk
    const script = join(dir, 'emit.mts');
    writeFileSync(
      script,
      `import { writeOutput } from ${JSON.stringify(join(import.meta.dirname, '../../compiler/emit/writer.ts'))};
const file = { path: 'm.py', content: ${JSON.stringify(third)}, ownership: 'generated', dependsOn: ['app'] };
const summary = writeOutput(${JSON.stringify(out)}, [file], { force: false });
console.log(JSON.stringify({ merged: summary.merged, codes: summary.diagnostics.map((d) => d.code) }));
`,
    );
    const result = JSON.parse(
      execFileSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8' }),
    );
    expect(result).toEqual({ merged: ['m.py'], codes: [] });
    expect(read('m.py')).toBe(third.replace('line 2\n', 'line 2\n# mine\n'));
  });
});

describe('a content whose previous version is in the journal', () => {
  it('is recorded as what changed, and replayed whole', () => {
    const big = Array.from({ length: 400 }, (_, i) => `line ${i}\n`).join('');
    emit([gen('m.py', big)]);
    const v2 = big.replace('line 200\n', 'line two hundred\n');
    emit([gen('m.py', v2)]); // its base is in the store: the whole text
    const v3 = v2.replace('line 201\n', 'line two hundred and one\n');
    emit([gen('m.py', v3)]);
    const [second, third] = journalRecords();
    expect(Object.values(second!.pristine)).toEqual([Buffer.byteLength(v2)]);
    const [piece] = Object.values(third!.pristine);
    expect(piece).toMatchObject({ base: Object.keys(second!.pristine)[0] });
    expect(Object.values(third!.contents)[0]!.length).toBeLessThan(100);
    // a build that reads the journal has the whole text: the next merge base
    const manifest = manifestOf();
    expect(manifest.pristine?.get(manifest.files.get('m.py')!.hash)).toBe(v3);
    writeFileSync(join(out, 'm.py'), v3.replace('line 3\n', 'line 3\n# mine\n'));
    const v4 = v3.replace('line 390', 'line three hundred ninety');
    expect(emit([gen('m.py', v4)]).merged).toEqual(['m.py']);
    expect(read('m.py')).toBe(v4.replace('line 3\n', 'line 3\n# mine\n'));
  });

  it('never splits a character outside the basic plane', () => {
    // the same high half (😀 -> 😁) and the same low half (U+10000 -> U+10400)
    const versions = ['a\n', 'x\u{1F600}\u{10000}y\n', 'x\u{1F601}\u{10400}y\n'];
    for (const version of versions) emit([gen('e.txt', version)]);
    expect(typeof Object.values(journalRecords()[1]!.pristine)[0]).toBe('object');
    const manifest = manifestOf();
    expect(manifest.pristine?.get(manifest.files.get('e.txt')!.hash)).toBe(versions[2]);
  });
});

describe('a torn journal (a crash in the middle of an append)', () => {
  it('is replayed up to its last whole record; the next emit compacts and keeps the output written', () => {
    emit([gen('m.py', model), gen('other.txt', 'o\n')]);
    const next = model.replace('line 7', 'line seven');
    emit([gen('m.py', next), gen('other.txt', 'o\n')]);
    // cut the record short, as a crash during its write would
    truncateSync(join(out, JOURNAL_PATH), readFileSync(join(out, JOURNAL_PATH)).length - 20);
    const torn = readManifest(out);
    expect(torn.diagnostics).toEqual([]);
    expect(torn.manifest.disk?.compact).toBe(true);
    // the manifest as it was before the lost record: m.py's base is the first output
    const entry = torn.manifest.files.get('m.py')!;
    expect(torn.manifest.pristine?.get(entry.hash) ?? readPristine(out, entry.hash)).toBe(model);

    // the next build of the same model: the file on disk is already the new output
    const summary = emit([gen('m.py', next), gen('other.txt', 'o\n')]);
    expect(summary.diagnostics).toEqual([]);
    expect(summary.conflicts).toEqual([]);
    expect(read('m.py')).toBe(next);
    expect(existsSync(join(out, JOURNAL_PATH))).toBe(false);
    const compacted = manifestOf();
    expect(compacted.disk?.compact).toBe(false);
    expect(readPristine(out, compacted.files.get('m.py')!.hash)).toBe(next);
  });

  it('never loses a user edit: the lost output counts as an edit and is merged', () => {
    emit([gen('m.py', model)]);
    const next = model.replace('line 7', 'line seven');
    emit([gen('m.py', next)]);
    // only the record's final newline is missing
    truncateSync(join(out, JOURNAL_PATH), readFileSync(join(out, JOURNAL_PATH)).length - 1);
    expect(manifestOf().disk?.compact).toBe(true);
    writeFileSync(join(out, 'm.py'), next.replace('line 2\n', 'line 2\n# mine\n'));
    const third = next.replace('line 4', 'line four');
    const summary = emit([gen('m.py', third)]);
    expect(summary.merged).toEqual(['m.py']);
    expect(read('m.py')).toBe(third.replace('line 2\n', 'line 2\n# mine\n'));
  });
});

describe('compaction', () => {
  it('happens when the journal would grow past its limit: every content is then in the store', () => {
    const limit = { journalLimit: 1000 };
    const versions = ['v1\n', 'v2\n', 'v3\n', 'v4\n', 'v5\n', 'v6\n'];
    const sizes: number[] = [];
    let compactions = 0;
    let lastManifest = '';
    for (const [i, version] of versions.entries()) {
      const files = [gen('a.txt', 'a\n'), gen('v.txt', `${version}${'x'.repeat(80)}\n`)];
      emit(files, { ...limit, parts: { app: String(i) } });
      const size = existsSync(join(out, JOURNAL_PATH)) ? read(JOURNAL_PATH).length : 0;
      expect(size).toBeLessThanOrEqual(1000);
      if (read(MANIFEST_PATH) !== lastManifest) {
        compactions++;
        lastManifest = read(MANIFEST_PATH);
        // compacted: no journal, and the store holds the referenced contents, no other
        expect(size).toBe(0);
        const manifest = manifestOf();
        for (const [path, entry] of manifest.files)
          expect(readPristine(out, entry.hash)).toBe(read(path));
        expect(store()).toEqual(
          [...new Set([...manifest.files.values()].map((e) => e.hash))].sort(),
        );
      }
      sizes.push(size);
    }
    // the first build writes manifest.json; then a journal (header and one
    // record, ~600 bytes) fits, one more record does not: the build compacts
    expect(sizes.map((size) => size > 0)).toEqual([false, true, false, true, false, true]);
    expect(compactions).toBe(3);
  });

  it(`happens after ${JOURNAL_RECORDS} records (a replay rebuilds every content told as a change)`, () => {
    // (kept in memory, as a warm builder does; a fresh read counts the same)
    let warm = emit([gen('n.txt', 'version 0\n')]).manifest;
    for (let i = 1; i <= JOURNAL_RECORDS; i++)
      warm = emit([gen('n.txt', `version ${i}\n`)], { manifest: warm }).manifest;
    expect(journalRecords()).toHaveLength(JOURNAL_RECORDS);
    expect(warm.disk?.records).toBe(JOURNAL_RECORDS);
    expect(manifestOf().disk?.records).toBe(JOURNAL_RECORDS);
    emit([gen('n.txt', 'last\n')], { manifest: warm });
    expect(journalRecords()).toEqual([]);
    expect(readPristine(out, manifestOf().files.get('n.txt')!.hash)).toBe('last\n');
  });

  it('ignores a journal left by a crash after a compaction wrote manifest.json (stale), and removes it', () => {
    emit([gen('a.txt', 'a1\n')]);
    emit([gen('a.txt', 'a2\n')]);
    const journal = read(JOURNAL_PATH);
    emit([gen('a.txt', 'a3\n')], { journalLimit: 0 }); // compacts
    expect(existsSync(join(out, JOURNAL_PATH))).toBe(false);
    writeFileSync(join(out, JOURNAL_PATH), journal); // as if its removal never happened
    const stale = manifestOf();
    expect(stale.disk?.compact).toBe(true);
    expect(readPristine(out, stale.files.get('a.txt')!.hash)).toBe('a3\n');
    emit([gen('a.txt', 'a3\n')]);
    expect(existsSync(join(out, JOURNAL_PATH))).toBe(false);
  });

  it('happens when the journal changed behind a warm builder’s back', () => {
    const first = emit(builds[0]!.files, { parts: builds[0]!.parts });
    // another process builds the same output (one more journal record)
    emit(builds[3]!.files, { parts: builds[3]!.parts });
    expect(journalRecords()).toHaveLength(1);
    // a record relative to what the warm builder knows would replay wrong after it
    const warm = emit(builds[2]!.files, { parts: builds[2]!.parts, manifest: first.manifest });
    expect(journalRecords()).toEqual([]);
    expect(logical(manifestOf())).toEqual(logical(warm.manifest));
  });
});

describe('carried files (the same objects as last emit)', () => {
  it('get the new hash of their parts, and come back when deleted', () => {
    const files = [gen('a/one.txt', '1\n', ['entity:A']), gen('b/two.txt', '2\n', ['entity:B'])];
    const first = emit(files, { parts: { 'entity:A': '1', 'entity:B': '1' } });
    // the same objects, entity:A's hash moved (its content did not)
    const second = emit(files, {
      parts: { 'entity:A': '2', 'entity:B': '1' },
      manifest: first.manifest,
    });
    expect(second.written).toEqual([]);
    const fresh = join(dir, 'fresh');
    emit(
      [gen('a/one.txt', '1\n', ['entity:A']), gen('b/two.txt', '2\n', ['entity:B'])],
      {
        parts: { 'entity:A': '2', 'entity:B': '1' },
      },
      fresh,
    );
    expect(logical(manifestOf())).toEqual(logical(manifestOf(fresh)));
    expect(manifestOf().files.get('a/one.txt')!.deps).not.toBe(
      first.manifest.files.get('a/one.txt')!.deps,
    );
    rmSync(join(out, 'b/two.txt'));
    const third = emit(files, {
      parts: { 'entity:A': '2', 'entity:B': '1' },
      manifest: second.manifest,
    });
    expect(third.written).toEqual(['b/two.txt']);
    expect(third.unchanged).toEqual(['a/one.txt']);
    expect(read('b/two.txt')).toBe('2\n');
  });
});
