// The FastAPI test generator's incremental path: after each edit, the files
// generateChanged returns plus the ones the builder keeps must equal a clean
// generate(), with no kept file affected by the change (the builder would
// then fall back to a whole run). The edits change what a test file reads
// from *another* entity: a parent its check inspects, a relation that starts
// or stops restricting its deletes, an enum behind a factory's sample, the
// user entity and table names behind test_manage.py. And edits of one
// entity's view or flow remake that entity's files only.
import { describe, expect, it } from 'vitest';
import { fastapiTestsBackend } from '../../compiler/backends/fastapi-tests/index.js';
import type { BackendContext, GeneratedFile } from '../../compiler/backends/types.js';
import { changedParts, hashParts, isAffected } from '../../compiler/incremental/parts.js';
import { programOf } from './program-of.js';

const context: BackendContext = { previous: undefined as never, report: () => {} };

/**
 * Each model in turn as the incremental builder runs it; every step must
 * equal a clean build. `fromWholeRun`: every step starts from the files of a
 * whole run (generate()) of the model before, as the builder's first
 * incremental run after a cold build does; else from the last incremental run.
 */
function rebuildEach(
  models: string[],
  fromWholeRun: boolean,
  /** receives, per step, the paths generateChanged returned */
  regenerated: string[][] = [],
): GeneratedFile[][] {
  let last:
    { parts: Record<string, string>; files: GeneratedFile[]; clean: GeneratedFile[] } | undefined;
  const steps: GeneratedFile[][] = [];
  for (const model of models) {
    const program = programOf(model);
    const parts = hashParts(program);
    // the first model: every part is new, from a whole run of it
    const changed = last ? changedParts(last.parts, parts) : new Set(Object.keys(parts));
    const previous = last
      ? fromWholeRun
        ? last.clean
        : last.files
      : fastapiTestsBackend.generate(program, context);
    const fresh = fastapiTestsBackend.generateChanged(program, context, changed, parts, previous);
    const clean = fastapiTestsBackend.generate(program, context);
    const freshPaths = new Set(fresh.map((f) => f.path));
    regenerated.push([...freshPaths].sort());
    const kept = previous.filter((f) => !freshPaths.has(f.path));
    expect(kept.filter((f) => isAffected(f.dependsOn, changed, parts)).map((f) => f.path)).toEqual(
      [],
    );
    const files = [...kept, ...fresh].sort((a, b) => (a.path < b.path ? -1 : 1));
    expect(files, model).toEqual(clean);
    last = { parts, files, clean };
    steps.push(files);
  }
  return steps;
}

const content = (files: GeneratedFile[], name: string): string =>
  files.find((f) => f.path === `backend/tests/${name}`)?.content ?? '';
const dependsOn = (files: GeneratedFile[], name: string): string[] =>
  files.find((f) => f.path === `backend/tests/${name}`)?.dependsOn ?? [];

interface Options {
  activeByDefault?: boolean;
  childParentOnDelete?: 'set null' | 'restrict';
  levels?: string;
  memberField?: boolean;
  parentTable?: string;
  /** a filter in Parent's list view */
  parentListFilter?: boolean;
  /** the guard of ParentLifecycle's start */
  parentGuard?: string;
  /** the values of Mood, an enum only a behavior's input uses */
  moods?: string;
}

const model = (o: Options) => `app Shop {
  title "Shop"
  auth {
    user Member
    login email
    password passwordHash
  }
}

enum Level { ${o.levels ?? 'low high'} }
enum ParentStatus { draft active }

entity Member {
  email         email unique
  passwordHash  password
  isStaff       bool = false readonly
${o.memberField ? '  nickname      string(40)\n' : ''}}

entity Parent {
  owner   Member on delete cascade
  name    string(40)
  active  bool = ${o.activeByDefault === false ? 'false' : 'true'}
  level   Level
  status  ParentStatus = draft
  kids    Child[]
${o.parentTable ? `  table "${o.parentTable}"\n` : ''}}

enum ChildStatus { open done }
enum Mood { ${o.moods ?? 'calm busy'} }

entity Child {
  owner   Member on delete cascade
  label   string(40)
  status  ChildStatus = open
  parent  Parent? on delete ${o.childParentOnDelete ?? 'set null'}
}

rules Parent {
  allow all  if owner == currentUser
}

rules Child {
  allow all  if owner == currentUser
  check parent.active == true  "The parent must be active"
}

flow ParentLifecycle for Parent.status {
  draft  -> active  as start  if ${o.parentGuard ?? 'count(kids) > 0'}
}

flow ChildLifecycle for Child.status {
  open  -> done  as finish
}

behavior Parent.grade custom {
  input { mood Mood }
  returns json
}

view ParentList list Parent {
  path "/parents"
  columns name, level
${o.parentListFilter ? '  filter level\n' : ''}  search name
}

view ChildList list Child {
  path "/children"
  columns label, status
  search label
}
`;

describe.each([
  ['the last incremental run', false],
  ['a whole run', true],
])('fastapi-tests, from %s: files that read another entity follow its edits', (_, fromWholeRun) => {
  it("an entity's check test follows the parent the check inspects", () => {
    const [before, after] = rebuildEach(
      [model({}), model({ activeByDefault: false })],
      fromWholeRun,
    );
    expect(dependsOn(after!, 'test_entity_child.py')).toContain('entity:Parent');
    expect(content(before!, 'test_entity_child.py')).not.toContain('breaking_check');
    expect(content(after!, 'test_entity_child.py')).toContain('breaking_check');
  });

  it('a relation that starts, then stops, restricting deletes', () => {
    const [, restricted, released] = rebuildEach(
      [model({}), model({ childParentOnDelete: 'restrict' }), model({})],
      fromWholeRun,
    );
    expect(content(restricted!, 'test_entity_parent.py')).toContain(
      'still_referenced_by_child_is_409',
    );
    expect(content(released!, 'test_entity_parent.py')).not.toContain('still_referenced_by');
    expect(dependsOn(released!, 'test_entity_parent.py')).not.toContain('entity:Child');
  });

  it("a flow whose guard counts children reads the children's entity", () => {
    const [files] = rebuildEach([model({})], fromWholeRun);
    expect(dependsOn(files!, 'test_flow_parent_lifecycle.py')).toContain('entity:Child');
  });

  it("a view edit remakes that entity's test file only", () => {
    const regenerated: string[][] = [];
    const [before, after] = rebuildEach(
      [model({}), model({ parentListFilter: true })],
      fromWholeRun,
      regenerated,
    );
    expect(dependsOn(after!, 'test_entity_parent.py')).toContain('views:Parent');
    expect(dependsOn(after!, 'test_entity_child.py')).not.toContain('views');
    expect(content(before!, 'test_entity_parent.py')).not.toContain('list_parent_filter_level');
    expect(content(after!, 'test_entity_parent.py')).toContain('list_parent_filter_level');
    expect(regenerated[1]).toContain('backend/tests/test_entity_parent.py');
    for (const other of [
      'test_entity_child.py',
      'test_entity_member.py',
      'test_flow_child_lifecycle.py',
      'test_flow_parent_lifecycle.py',
      'conftest.py',
    ])
      expect(regenerated[1]).not.toContain(`backend/tests/${other}`);
  });

  it("a flow edit remakes that flow's test file only", () => {
    const regenerated: string[][] = [];
    rebuildEach(
      [model({}), model({ parentGuard: 'count(kids) > 0 and len(name) > 0' })],
      fromWholeRun,
      regenerated,
    );
    expect(regenerated[1]).toContain('backend/tests/test_flow_parent_lifecycle.py');
    for (const other of [
      'test_entity_child.py',
      'test_entity_parent.py',
      'test_entity_member.py',
      'test_flow_child_lifecycle.py',
      'conftest.py',
    ])
      expect(regenerated[1]).not.toContain(`backend/tests/${other}`);
  });

  it('an enum edit remakes the files that read the enum only', () => {
    const regenerated: string[][] = [];
    rebuildEach([model({}), model({ levels: 'high low' })], fromWholeRun, regenerated);
    // Parent has a Level field; Child's check inspects its parent (a Parent row)
    expect(regenerated[1]).toContain('backend/tests/test_entity_parent.py');
    expect(regenerated[1]).toContain('backend/tests/test_entity_child.py');
    for (const other of ['test_entity_member.py', 'test_flow_child_lifecycle.py'])
      expect(regenerated[1]).not.toContain(`backend/tests/${other}`);
  });

  it("an enum only a behavior's input uses remakes that behavior's file only", () => {
    const regenerated: string[][] = [];
    const [before, after] = rebuildEach(
      [model({}), model({ moods: 'busy calm' })],
      fromWholeRun,
      regenerated,
    );
    expect(dependsOn(after!, 'test_behavior_grade.py')).toContain('enum:Mood');
    expect(content(before!, 'test_behavior_grade.py')).toContain('"calm"');
    expect(content(after!, 'test_behavior_grade.py')).toContain('"busy"');
    expect(regenerated[1]).toContain('backend/tests/test_behavior_grade.py');
    for (const other of ['test_entity_parent.py', 'test_flow_parent_lifecycle.py'])
      expect(regenerated[1]).not.toContain(`backend/tests/${other}`);
  });

  it('conftest.py follows an enum behind a factory, the user entity and table names', () => {
    const steps = rebuildEach(
      [
        model({}),
        model({ levels: 'high low' }),
        model({ levels: 'high low', memberField: true }),
        model({ levels: 'high low', memberField: true, parentTable: 'parent_rows' }),
        model({}),
      ],
      fromWholeRun,
    );
    expect(content(steps[0]!, 'conftest.py')).not.toEqual(content(steps[1]!, 'conftest.py'));
    expect(content(steps[2]!, 'test_manage.py')).toContain('nickname=');
    expect(content(steps[3]!, 'test_manage.py')).toContain('"parent_rows"');
    expect(content(steps[4]!, 'test_manage.py')).toEqual(content(steps[0]!, 'test_manage.py'));
  });
});
