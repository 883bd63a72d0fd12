// The FastAPI backend's test suite: `<out>/backend/tests/`, generated from
// the IR beside the app that compiler/backends/fastapi/ writes. Pass list:
//   1-conftest   fixtures, users + tokens, one factory and payload per entity
//   2-entities   CRUD, lists, access statuses, constraints, checks, uniques
//   3-flows      transitions, illegal states, guards, emits, atomicity
//   4-behaviors  happy path, require, allow, custom -> 501
//   5-auth       register, login, me, password; health and ready
import { makeDiagnostic } from '../../diagnostics/collector.js';
import type { Program } from '../../ir/schema.js';
import { snake } from '../../names.js';
import { behaviorKey, isAffected } from '../../incremental/parts.js';
import type { PartialBackend } from '../../incremental/builder.js';
import type { BackendContext, GeneratedFile } from '../types.js';
import { generateAuthTests, generateHealthTests } from './auth.js';
import { generateBehaviorTests } from './behaviors.js';
import { generateConftest } from './conftest.js';
import { generateEntityTests, type TestFile } from './entity.js';
import { generateFlowTests } from './flows.js';
import { generateEventTests, generateManageTests } from './operations.js';

/** Names test modules may import from tests/conftest.py. */
const CONFTEST_NAMES = [
  'API',
  'PASSWORD',
  'auth',
  'count_rows',
  'count_statements',
  'mentions',
  'outbox_rows',
];

/**
 * The entities a test file about `entity` reads (incremental builds): the
 * entity, the user entity, every entity its IR mentions (relation targets,
 * rule paths) and every entity whose IR mentions it (children, restricted
 * deletes), closed over required to-one parents (what the factories and the
 * symbolic world build). `extra` adds what another declaration mentions.
 */
class TestDependencies {
  private readonly names: Set<string>;
  private readonly mentions = new Map<string, Set<string>>();
  private readonly mentionedBy = new Map<string, Set<string>>();

  constructor(private readonly program: Program) {
    this.names = new Set(program.entities.map((e) => e.name));
    for (const entity of program.entities) this.mentionedBy.set(entity.name, new Set());
    for (const entity of program.entities) {
      const found = this.mentioned(entity);
      this.mentions.set(entity.name, found);
      for (const name of found) this.mentionedBy.get(name)!.add(entity.name);
    }
  }

  /** Entity names found anywhere in `value` (any string equal to one: never too few). */
  mentioned(value: unknown, into = new Set<string>()): Set<string> {
    if (typeof value === 'string') {
      if (this.names.has(value)) into.add(value);
    } else if (Array.isArray(value)) {
      for (const item of value) this.mentioned(item, into);
    } else if (value !== null && typeof value === 'object') {
      for (const item of Object.values(value)) this.mentioned(item, into);
    }
    return into;
  }

  parts(entity: string | undefined, extra?: unknown): string[] {
    const found = extra === undefined ? new Set<string>() : this.mentioned(extra);
    const user = this.program.app.auth?.user;
    if (user !== undefined) found.add(user);
    if (entity !== undefined) {
      found.add(entity);
      for (const name of this.mentions.get(entity) ?? []) found.add(name);
      for (const name of this.mentionedBy.get(entity) ?? []) found.add(name);
    }
    const queue = [...found];
    while (queue.length > 0) {
      const decl = this.program.entities.find((e) => e.name === queue.pop());
      for (const f of decl?.fields ?? []) {
        if (f.type.kind !== 'relation' || f.optional || found.has(f.type.target)) continue;
        found.add(f.type.target);
        queue.push(f.type.target);
      }
    }
    return [...found].sort().map((name) => `entity:${name}`);
  }
}

/** `wanted` (incremental builds): skip a per-declaration file whose dependsOn it rejects. */
export function generateTests(
  program: Program,
  wanted: (dependsOn: string[]) => boolean = () => true,
): GeneratedFile[] {
  const deps = new TestDependencies(program);
  // every list but the entities (each file names the entities it reads)
  const lists = ['app', 'behaviors', 'enums', 'events', 'flows', 'indexes', 'joinTables', 'views'];
  const names = [
    ...CONFTEST_NAMES,
    ...program.entities.flatMap((e) => [`create_${snake(e.name)}`, `payload_${snake(e.name)}`]),
  ];
  const files: GeneratedFile[] = [];
  const add = (
    path: string,
    doc: string,
    file: TestFile | undefined,
    dependsOn: string[],
  ): void => {
    if (!file || file.count === 0) return;
    files.push({
      path: `backend/tests/${path}`,
      content: file.render(doc, names),
      ownership: 'generated',
      dependsOn,
    });
  };
  files.push({
    path: 'backend/tests/__init__.py',
    content: '',
    ownership: 'generated',
    dependsOn: [],
  });
  files.push({
    path: 'backend/tests/conftest.py',
    content: generateConftest(program),
    ownership: 'generated',
    dependsOn: ['app', 'entities', 'enums'],
  });
  add('test_health.py', 'Health and readiness probes.', generateHealthTests(), ['app']);
  add('test_auth.py', 'Sign-up, sign-in and password endpoints.', generateAuthTests(program), [
    'app',
    'entities',
    'enums',
  ]);
  add('test_manage.py', 'Operator commands: create-user and seed.', generateManageTests(program), [
    'app',
    'entities',
    'enums',
  ]);
  add('test_events.py', 'The outbox relay and the event consumer.', generateEventTests(program), [
    'app',
    'entities',
    'enums',
    'events',
    'flows',
  ]);
  for (const entity of program.entities) {
    // factories and rules of related entities, list views' filter/search/sort
    const dependsOn = [...lists, ...deps.parts(entity.name)];
    if (!wanted(dependsOn)) continue;
    add(
      `test_entity_${snake(entity.name)}.py`,
      `The ${entity.name} API: CRUD, lists, rules and constraints.`,
      generateEntityTests(program, entity),
      dependsOn,
    );
  }
  for (const flow of program.flows) {
    const dependsOn = [...lists, `flow:${flow.name}`, ...deps.parts(flow.entity, flow)];
    if (!wanted(dependsOn)) continue;
    add(
      `test_flow_${snake(flow.name)}.py`,
      `The ${flow.name} flow on ${flow.entity}.${flow.field}.`,
      generateFlowTests(program, flow),
      dependsOn,
    );
  }
  for (const behavior of program.behaviors) {
    const dependsOn = [
      ...lists,
      `behavior:${behaviorKey(behavior)}`,
      ...deps.parts(behavior.entity, behavior),
    ];
    if (!wanted(dependsOn)) continue;
    add(
      `test_behavior_${snake(behavior.name)}.py`,
      `The ${behavior.name} behavior.`,
      generateBehaviorTests(program, behavior),
      dependsOn,
    );
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

function generateReported(
  program: Program,
  context: BackendContext,
  wanted?: (dependsOn: string[]) => boolean,
): GeneratedFile[] {
  try {
    return generateTests(program, wanted);
  } catch (error) {
    context.report(
      makeDiagnostic('BC9001', undefined, {
        phase: 'the FastAPI test generator',
        reason: (error as Error).message,
      }),
    );
    return [];
  }
}

export const fastapiTestsBackend: PartialBackend = {
  name: 'fastapi-tests',
  generate: (program, context) => generateReported(program, context),
  // only the per-entity/flow/behavior files a change affects (the few shared files always)
  generateChanged: (program, context, changed, parts) =>
    generateReported(program, context, (dependsOn) => isAffected(dependsOn, changed, parts)),
};
