// Part hashes reused from a previous run (a part equal to its previous value
// keeps its hash) must be exactly the hashes computed from scratch, after
// any edit: otherwise an incremental build would miss a change, or a clean
// build would not reproduce its manifest.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AnalysisMemo, compile } from '../../compiler/index.js';
import type { Program } from '../../compiler/ir/schema.js';
import { changedParts, hashParts, isAffected, sameIr } from '../../compiler/incremental/parts.js';
import { edits, seededRandom } from './edits.js';

const examplesDir = join(import.meta.dirname, '../../examples');

function programOf(entry: string, text: string, analysis?: AnalysisMemo): Program | undefined {
  const result = compile(entry, {
    files: new Map([[entry, text]]),
    ...(analysis ? { analysis } : {}),
  });
  return result.diagnostics.some((d) => d.severity === 'error') ? undefined : result.program;
}

describe('sameIr', () => {
  it('ignores spans, but not values, keys or their order', () => {
    const span = (line: number) => ({ file: 'a.bitcup', line, column: 1, offset: 0, length: 1 });
    expect(sameIr({ a: 1, span: span(1) }, { a: 1, span: span(9) })).toBe(true);
    expect(sameIr({ a: 1, b: [1, { c: 'x' }] }, { a: 1, b: [1, { c: 'x' }] })).toBe(true);
    expect(sameIr({ a: 1, b: 2 }, { b: 2, a: 1 })).toBe(false);
    expect(sameIr({ a: [1, 2] }, { a: [1, 2, 3] })).toBe(false);
    expect(sameIr({ a: { c: 'x' } }, { a: { c: 'y' } })).toBe(false);
    expect(sameIr({ a: null }, { a: {} })).toBe(false);
    expect(sameIr([], {})).toBe(false);
  });
});

describe("an entity's share of a list", () => {
  it('views:<Entity> changes with a view of that entity, not with another entity’s view', () => {
    const entry = join(examplesDir, 'blog.bitcup');
    const text = readFileSync(entry, 'utf8');
    const before = hashParts(programOf(entry, text)!);
    const authorsEdited = text.replace('columns name, email', 'columns email');
    expect(authorsEdited).not.toBe(text);
    const after = hashParts(programOf(entry, authorsEdited)!);
    const changed = changedParts(before, after);
    expect(changed.has('views:Author')).toBe(true);
    expect(changed.has('views:Post')).toBe(false);
    expect(changed.has('views:Tag')).toBe(false);
    // every entity has its share, empty or not
    expect(Object.keys(after).filter((k) => k.startsWith('views:'))).toEqual([
      'views:Author',
      'views:Post',
      'views:Tag',
    ]);
    expect(after['flows:Post']).toBeDefined();
    expect(after['behaviors:Author']).toBeDefined();
  });
});

describe.each(['blog', 'platform', 'shop'])('hashParts with a previous run (%s)', (example) => {
  it('gives the hashes computed from scratch, after every one of 25 random edits', () => {
    const entry = join(examplesDir, `${example}.bitcup`);
    const random = seededRandom(11);
    // an incremental analysis: shop's catalog file (not edited) comes back as the same objects
    const analysis = new AnalysisMemo();
    let text = readFileSync(entry, 'utf8');
    let before = programOf(entry, text, analysis)!;
    let beforeParts = hashParts(before);
    let changedSome = 0;
    let reusedSome = 0;
    for (let step = 0; step < 25; step++) {
      const applicable = edits.filter((e) => e.name !== 'break');
      const edit = applicable[Math.floor(random() * applicable.length)]!;
      const next = edit.apply(text, random, step);
      if (next === undefined) continue;
      const program = programOf(entry, next, analysis);
      if (!program) continue;
      text = next;
      const reused = hashParts(program, { program: before, parts: beforeParts });
      // from scratch: a copy (new objects), so nothing is looked up by object
      expect(reused).toEqual(hashParts(structuredClone(program)));
      if (changedParts(beforeParts, reused).size > 0) changedSome++;
      if (analysis.lastReused > 0) reusedSome++;
      before = program;
      beforeParts = reused;
    }
    // the edits did change parts (the test would prove nothing otherwise)
    expect(changedSome).toBeGreaterThan(5);
    // shop's edits are all in shop.bitcup: the catalog's units are reused
    if (example === 'shop') expect(reusedSome).toBeGreaterThan(5);
  });
});

describe('isAffected', () => {
  it('counts a name that is not a part as the whole program, also once the same list was asked before', () => {
    const entry = join(examplesDir, 'blog.bitcup');
    const text = readFileSync(entry, 'utf8');
    const first = programOf(entry, text)!;
    const firstParts = hashParts(first);
    const dependsOn = ['entity:Author', 'entity:Comment'];
    // Comment is not declared: any change affects the file
    expect(isAffected(dependsOn, new Set(['view:Posts']), firstParts)).toBe(true);
    expect(isAffected(dependsOn, new Set(), firstParts)).toBe(false);
    // a program where Comment exists: the same list object is now only affected by its parts
    const second = programOf(entry, `${text}\nentity Comment {\n  body  text\n}\n`)!;
    const secondParts = hashParts(second, { program: first, parts: firstParts });
    expect(isAffected(dependsOn, new Set(['view:Posts']), secondParts)).toBe(false);
    expect(isAffected(dependsOn, new Set(['entity:Comment']), secondParts)).toBe(true);
    // an edit that adds or removes nothing keeps what was learnt about the list
    const third = programOf(entry, `${text}\nentity Comment {\n  body  text?\n}\n`)!;
    const thirdParts = hashParts(third, { program: second, parts: secondParts });
    expect(isAffected(dependsOn, new Set(['view:Posts']), thirdParts)).toBe(false);
    // and Comment removed again: unknown again
    const fourthParts = hashParts(first, { program: third, parts: thirdParts });
    expect(isAffected(dependsOn, new Set(['view:Posts']), fourthParts)).toBe(true);
  });
});
