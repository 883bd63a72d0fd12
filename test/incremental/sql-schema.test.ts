// The sql backend's incremental path: schema.sql rebuilt from the tables it
// kept must equal a clean generate() after edits that change a table without
// touching its entity (an enum's values, a relation target's table name, a
// foreign key that starts or stops closing a cycle).
import { describe, expect, it } from 'vitest';
import { sqlBackend } from '../../compiler/backends/sql/index.js';
import type { BackendContext, GeneratedFile } from '../../compiler/backends/types.js';
import { changedParts, hashParts, isAffected } from '../../compiler/incremental/parts.js';
import { programOf } from './program-of.js';

const context: BackendContext = { previous: undefined as never, report: () => {} };

/** Build each model in turn as the incremental builder does; each must equal a clean build. */
function rebuildEach(models: string[]): string[] {
  let last: { parts: Record<string, string>; files: GeneratedFile[] } | undefined;
  const schemas: string[] = [];
  for (const model of models) {
    const program = programOf(model);
    const parts = hashParts(program);
    const clean = sqlBackend.generate(program, context);
    // the first model: every part is new (this fills the backend's cache)
    const changed = last ? changedParts(last.parts, parts) : new Set(Object.keys(parts));
    const previous = last?.files ?? clean;
    const fresh = sqlBackend.generateChanged(program, context, changed, parts, previous);
    const freshPaths = new Set(fresh.map((f) => f.path));
    const kept = previous.filter((f) => !freshPaths.has(f.path));
    expect(kept.filter((f) => isAffected(f.dependsOn, changed, parts))).toEqual([]);
    const files = [...kept, ...fresh];
    expect(files, model).toEqual(clean);
    last = { parts, files };
    schemas.push(files[0]!.content);
  }
  return schemas;
}

const model = (options: {
  statusValues?: string;
  parentTable?: string;
  childIndex?: boolean;
  /** Child points back at Parent: a cycle, Parent's foreign key is deferred */
  cycle?: boolean;
}) => `app Shop {
  title "Shop"
}

enum Status { ${options.statusValues ?? 'open closed'} }

entity Parent {
  name     string(40)
  status   Status = open
  favorite Child? on delete set null
${options.parentTable ? `  table "${options.parentTable}"\n` : ''}}

entity Child {
  label    string(40)
  state    Status?
${options.cycle ? '  parent   Parent? on delete set null\n' : ''}${options.childIndex ? '  index (label, state)\n' : ''}}

entity Other {
  parent   Parent on delete restrict
}
`;

describe('schema.sql from kept tables', () => {
  it('follows an enum edit into the tables of the entities that use it', () => {
    const [before, after] = rebuildEach([
      model({}),
      model({ statusValues: 'open closed a_value_longer_than_thirty_two_bytes' }),
    ]);
    expect(after).not.toEqual(before);
    expect(after).toContain('a_value_longer_than_thirty_two_bytes');
  });

  it("follows a target's table name into the foreign keys that point at it", () => {
    const [, after] = rebuildEach([model({}), model({ parentTable: 'parent_rows' })]);
    expect(after).toMatch(/REFERENCES parent_rows \(id\)/);
    expect(after).not.toMatch(/REFERENCES parents/);
  });

  it('follows an index, and a cycle that an edit of another entity makes or breaks', () => {
    const schemas = rebuildEach([
      model({}),
      model({ childIndex: true }),
      model({ childIndex: true, cycle: true }),
      model({ cycle: true }),
      model({}),
    ]);
    expect(schemas[1]).toMatch(/CREATE INDEX \S+ ON children \(label, state\);/);
    expect(schemas[2]).toMatch(/^ALTER TABLE .* ADD CONSTRAINT .* FOREIGN KEY/m);
    expect(schemas[4]).toEqual(schemas[0]);
  });
});
