// Incremental analysis (phases/2-analyze/reuse.ts): after an edit, the IR of
// untouched units comes back as the very same objects, and the result —
// program and diagnostics — is exactly a whole analysis's. Each case edits
// a model spread over three files, compiles with the memo and without, and
// compares (key order and spans included).
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AnalysisMemo, compile } from '../../compiler/index.js';
import type { Program } from '../../compiler/ir/schema.js';
import { splitModel } from '../../bench/incremental-model.js';
import { readFileSync } from 'node:fs';

const root = mkdtempSync(join(tmpdir(), 'bitcup-incremental-analysis-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const files = {
  'app.bitcup': `import "./people.bitcup"
import "./books.bitcup"

app Library {
  title "Library"
  auth {
    user Member
    login email
    password passwordHash
  }
}

entity Member {
  email         email unique
  passwordHash  password
  isStaff       bool = false readonly
}
`,
  'people.bitcup': `enum Level { junior senior }

entity Author {
  name   string(80)
  level  Level = junior
  books  Book[]
}

view Authors list Author { columns name, level }
`,
  'books.bitcup': `enum BookStatus { draft published retired }

entity Book with timestamps {
  title   string(200) min(1)
  pages   int = 1 min(1)
  status  BookStatus = draft
  author  Author on delete cascade
}

rules Book {
  allow read    if true
  allow update  if currentUser.isStaff
  check pages > 0  "A book has pages"
}

flow BookLifecycle for Book.status {
  draft      -> published  as publish  if pages > 0
  published  -> retired    as retire
}

view Books list Book { columns title, author.name, status  filter status }
view BookPage detail Book { fields title, pages, author.name  actions publish, retire }
view BookForm form Book { fields title, pages, author }

/// A shelf (one).
entity Shelf {
  label  string(40)
}

view Shelves list Shelf { columns label }

view Home dashboard {
  path "/home"
  metric "Shelves" count(Shelf)
  table Shelves limit 5
}
`,
};

let caseCounter = 0;

/**
 * A fresh copy of the model with its own memo: `edit` changes one file,
 * `compileBoth` compiles with the memo and without it.
 */
function model() {
  const dir = join(root, `case-${caseCounter++}`);
  mkdirSync(dir);
  const texts: Record<string, string> = { ...files };
  for (const [name, text] of Object.entries(texts)) writeFileSync(join(dir, name), text);
  const entry = join(dir, 'app.bitcup');
  const memo = new AnalysisMemo();
  const compileBoth = () => ({
    incremental: compile(entry, { analysis: memo }),
    whole: compile(entry),
  });
  const edit = (name: keyof typeof files, from: string | RegExp, to: string) => {
    const next = texts[name]!.replace(from, to);
    expect(next, `the edit of ${name} applies`).not.toBe(texts[name]);
    texts[name] = next;
    writeFileSync(join(dir, name), next);
  };
  return { compileBoth, edit, memo, entry };
}

/** The incremental result is the whole one: same program (JSON: key order, spans) and diagnostics. */
function expectSame(result: ReturnType<ReturnType<typeof model>['compileBoth']>) {
  expect(JSON.stringify(result.incremental.program)).toBe(JSON.stringify(result.whole.program));
  expect(result.incremental.diagnostics).toEqual(result.whole.diagnostics);
}

const entity = (program: Program | undefined, name: string) =>
  program?.entities.find((e) => e.name === name);
const view = (program: Program | undefined, name: string) =>
  program?.views.find((v) => v.name === name);

describe('incremental analysis', () => {
  it('hands back untouched units as the same objects and the edited one anew', () => {
    const { compileBoth, edit, memo } = model();
    const first = compileBoth();
    expect(first.incremental.diagnostics).toEqual([]);
    edit(
      'books.bitcup',
      '  pages   int = 1 min(1)\n',
      '  pages   int = 1 min(1)\n  isbn    string(20)?\n',
    );
    const second = compileBoth();
    expectSame(second);
    const [before, after] = [first.incremental.program, second.incremental.program];
    // Author and Member are in other files and do not read Book's fields
    expect(entity(after, 'Author')).toBe(entity(before, 'Author'));
    expect(entity(after, 'Member')).toBe(entity(before, 'Member'));
    expect(view(after, 'Authors')).toBe(view(before, 'Authors'));
    // enums are made afresh by a whole pass: equal ones go on as last run's objects
    expect(after?.enums.find((e) => e.name === 'Level')).toBe(
      before?.enums.find((e) => e.name === 'Level'),
    );
    // Book's unit is analysed again: new objects
    expect(entity(after, 'Book')).not.toBe(entity(before, 'Book'));
    expect(view(after, 'Books')).not.toBe(view(before, 'Books'));
    expect(after?.flows[0]).not.toBe(before?.flows[0]);
    // Member and Author: Shelf and Home are in the edited file (new AST objects)
    expect(memo.lastReused).toBe(2);
  });

  it('analyses again a unit that read an edited entity (a view path into another file)', () => {
    const { compileBoth, edit } = model();
    const first = compileBoth();
    // Books shows author.name: making it optional changes the column Books lists
    edit('people.bitcup', '  name   string(80)\n', '  name   string(80)?\n');
    const second = compileBoth();
    expectSame(second);
    expect(view(second.incremental.program, 'Books')).not.toBe(
      view(first.incremental.program, 'Books'),
    );
    // and back again
    edit('people.bitcup', '  name   string(80)?\n', '  name   string(80)\n');
    expectSame(compileBoth());
  });

  it("reports what a whole analysis reports when an edit breaks another file's view", () => {
    const { compileBoth, edit } = model();
    compileBoth();
    edit('people.bitcup', '  name   string(80)\n', '  fullName   string(80)\n');
    const broken = compileBoth();
    expectSame(broken);
    expect(broken.incremental.diagnostics.map((d) => d.code)).toContain('BC2007');
    edit('people.bitcup', '  fullName   string(80)\n', '  name   string(80)\n');
    const fixed = compileBoth();
    expectSame(fixed);
    expect(fixed.incremental.diagnostics).toEqual([]);
  });

  it('reads the auth user through currentUser in rules (an edit of Member reaches Book)', () => {
    const { compileBoth, edit } = model();
    compileBoth();
    edit('app.bitcup', '  isStaff       bool = false readonly\n', '  isStaff       bool?\n');
    expectSame(compileBoth());
  });

  it('falls back to a whole analysis when relations change, and keeps agreeing after', () => {
    const { compileBoth, edit, memo } = model();
    compileBoth();
    edit('people.bitcup', '  books  Book[]\n', '  books  Book[]\n  mentor Member?\n');
    expectSame(compileBoth());
    expect(memo.lastReused).toBe(0);
    edit('books.bitcup', '  pages   int = 1 min(1)\n', '  pages   int = 2 min(1)\n');
    expectSame(compileBoth());
    expect(memo.lastReused).toBeGreaterThan(0);
  });

  it('keeps app-wide view checks right for reused views, without touching the last result', () => {
    const { compileBoth, edit, memo } = model();
    const first = compileBoth().incremental.program;
    // a view earlier in program order now takes the component name of the
    // (reused) Shelves view, which becomes ShelvesView2: a copy, not an edit
    edit('people.bitcup', 'view Authors list Author', 'view ShelvesView list Author');
    const renamed = compileBoth();
    expectSame(renamed);
    expect(memo.lastReused).toBeGreaterThan(0);
    const shelves = view(renamed.incremental.program, 'Shelves');
    expect(shelves?.component).toBe('ShelvesView2');
    expect(view(first, 'Shelves')?.component).toBe('ShelvesView');
    // the (reused) dashboard's table of Shelves is listed once
    expect(view(renamed.incremental.program, 'Home')?.tables).toEqual([
      { view: 'Shelves', limit: 5 },
    ]);
    edit('people.bitcup', 'view ShelvesView list Author', 'view Authors list Author');
    const back = compileBoth();
    expectSame(back);
    expect(view(back.incremental.program, 'Shelves')?.component).toBe('ShelvesView');
  });

  it('agrees with a whole analysis through edits of flows, rules and views', () => {
    const { compileBoth, edit } = model();
    compileBoth();
    const steps: [keyof typeof files, string, string][] = [
      ['books.bitcup', 'as retire', 'as retire  if currentUser.isStaff'],
      ['books.bitcup', 'check pages > 0', 'check pages > 1'],
      ['books.bitcup', 'columns title, author.name, status', 'columns title, status'],
      ['people.bitcup', 'columns name, level', 'columns level, name'],
      ['books.bitcup', 'actions publish, retire', 'actions publish'],
      ['people.bitcup', 'level  Level = junior', 'level  Level = senior'],
    ];
    for (const [name, from, to] of steps) {
      edit(name, from, to);
      expectSame(compileBoth());
    }
  });

  it('agrees with a whole analysis on the incremental bench model (200 entities, 20 files)', () => {
    const dir = join(root, 'bench-model');
    mkdirSync(dir);
    const { entry, files: sources } = splitModel(dir);
    const file = sources[10]!;
    const original = readFileSync(file, 'utf8');
    const memo = new AnalysisMemo();
    compile(entry, { analysis: memo });
    // the bench's edits of Thing105: a field, list columns, a guard, a check
    const edits: [RegExp, string][] = [
      [/(entity Thing105 with timestamps \{\n)/, '$1  benchNote    string(40)?\n'],
      [/(view Thing105List list Thing105 \{\n.*\n {2}columns name, code), amount,/, '$1,'],
      [
        /(archived {9}-> closed {4}as close)(\n\}\n\nview Thing105List)/,
        '$1  if currentUser.isStaff$2',
      ],
      [/(check len\(trim\(name\)\) > )0( {2}"Name must not be blank")/, '$11$2'],
    ];
    for (const [from, to] of edits) {
      const edited = original.replace(from, to);
      expect(edited).not.toBe(original);
      for (const text of [edited, original]) {
        writeFileSync(file, text);
        const incremental = compile(entry, { analysis: memo });
        // the other 19 files' units (and Member's) come back as they were
        expect(memo.lastReused).toBeGreaterThanOrEqual(190);
        const whole = compile(entry);
        expect(JSON.stringify(incremental.program)).toBe(JSON.stringify(whole.program));
        expect(incremental.diagnostics).toEqual(whole.diagnostics);
      }
    }
  });

  it('re-analyses a re-parsed declaration only when its text, place or doc comment changed', () => {
    const { compileBoth, edit, memo } = model();
    const first = compileBoth().incremental.program;
    // same length: Shelf keeps its place and text, only its doc comment changes
    edit('books.bitcup', '/// A shelf (one).', '/// A shelf (two).');
    const documented = compileBoth();
    expectSame(documented);
    expect(entity(documented.incremental.program, 'Shelf')?.doc).toBe('A shelf (two).');
    // Book comes before the edit in the same (re-parsed) file: reused as it was
    expect(entity(documented.incremental.program, 'Book')).toBe(entity(first, 'Book'));
    // Member, Author and Book (Home counts Shelf: it read the edited unit)
    expect(memo.lastReused).toBe(3);
    // a line added above Book moves it (and everything after it): its spans change
    edit('books.bitcup', 'enum BookStatus', '\nenum BookStatus');
    const moved = compileBoth();
    expectSame(moved);
    expect(entity(moved.incremental.program, 'Book')?.span.line).toBe(
      entity(first, 'Book')!.span.line + 1,
    );
  });

  it('re-reads a source file whose stat changed, even with the same size and times', () => {
    const dir = join(root, 'read-cache');
    mkdirSync(dir);
    const entry = join(dir, 'app.bitcup');
    const model = (title: string) =>
      `app Cache {\n  title "${title}"\n}\n\nentity Note {\n  text  string(80)\n}\n`;
    writeFileSync(entry, model('One'));
    // modified long ago: safe to trust its stat
    const past = new Date(Date.now() - 60_000);
    utimesSync(entry, past, past);
    const memo = new AnalysisMemo();
    expect(compile(entry, { analysis: memo }).program?.app.title).toBe('One');
    expect(memo.readCache.has(entry)).toBe(true);
    // same size, same modification time put back: the change time still moves
    writeFileSync(entry, model('Two'));
    utimesSync(entry, past, past);
    expect(Math.round(statSync(entry).mtimeMs)).toBe(past.getTime());
    expect(compile(entry, { analysis: memo }).program?.app.title).toBe('Two');
    // a file modified just now is read every time, never remembered
    writeFileSync(entry, model('Six'));
    expect(compile(entry, { analysis: memo }).program?.app.title).toBe('Six');
    expect(memo.readCache.has(entry)).toBe(false);
  });

  it("agrees with a whole analysis through edits of behaviors, events and a dashboard's entity (shop)", () => {
    const dir = join(root, 'shop');
    cpSync(join(import.meta.dirname, '../../examples'), dir, { recursive: true });
    const entry = join(dir, 'shop.bitcup');
    const memo = new AnalysisMemo();
    compile(entry, { analysis: memo });
    const steps: [string, string, string][] = [
      ['shop.bitcup', 'can be reordered"', 'can be ordered again"'],
      ['shop.bitcup', 'input { note text? }', 'input { note text?  urgent bool? }'],
      [
        'shop.bitcup',
        'allow if currentUser.isStaff\n  input { month date }',
        'allow if currentUser.isStaff or true\n  input { month date }',
      ],
      [
        'shop.bitcup',
        'emit OrderPlaced { order = this }',
        'emit OrderPlaced { order = this }  set paidAt = now',
      ],
      ['shop.bitcup', 'carrier  string?', 'carrier  text?'],
      [
        'shop-catalog.bitcup',
        'stock        int = 0 min(0)',
        'stock        int = 0 min(0) max(100000)',
      ],
      ['shop-catalog.bitcup', 'columns sku, name, price, stock', 'columns sku, name, stock'],
    ];
    let reusedSome = 0;
    for (const [name, from, to] of steps) {
      const file = join(dir, name);
      const text = readFileSync(file, 'utf8');
      expect(text.includes(from), `${name} has ${from}`).toBe(true);
      writeFileSync(file, text.replace(from, to));
      const incremental = compile(entry, { analysis: memo });
      if (memo.lastReused > 0) reusedSome++;
      const whole = compile(entry);
      expect(JSON.stringify(incremental.program), `${name}: ${to}`).toBe(
        JSON.stringify(whole.program),
      );
      expect(incremental.diagnostics).toEqual(whole.diagnostics);
    }
    expect(reusedSome).toBeGreaterThan(3);
  });

  it('BITCUP_VERIFY_INCREMENTAL reports an incremental analysis that differs from a whole one', () => {
    const { edit, memo, entry } = model();
    const first = compile(entry, { analysis: memo });
    // a stale memo (what a missed dependency would leave): Author's label as it never was
    entity(first.program, 'Author')!.label = 'Stale';
    edit('books.bitcup', 'pages   int = 1 min(1)', 'pages   int = 2 min(1)');
    const before = process.env['BITCUP_VERIFY_INCREMENTAL'];
    process.env['BITCUP_VERIFY_INCREMENTAL'] = '1';
    try {
      const checked = compile(entry, { analysis: memo });
      expect(checked.program).toBeUndefined();
      expect(checked.diagnostics.map((d) => `${d.code} ${d.message}`).join('\n')).toMatch(
        /BC9001 .*incremental analysis.*program\.entities\.\d+\.label/,
      );
    } finally {
      if (before === undefined) delete process.env['BITCUP_VERIFY_INCREMENTAL'];
      else process.env['BITCUP_VERIFY_INCREMENTAL'] = before;
    }
    // the memo was dropped: the next compile is whole again, and right
    expect(entity(compile(entry, { analysis: memo }).program, 'Author')?.label).toBe('Author');
  });
});
