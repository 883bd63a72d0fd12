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
import type { Backend, GeneratedFile } from '../types.js';
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

export function generateTests(program: Program): GeneratedFile[] {
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
    add(
      `test_entity_${snake(entity.name)}.py`,
      `The ${entity.name} API: CRUD, lists, rules and constraints.`,
      generateEntityTests(program, entity),
      // factories and rules of related entities, list views' filter/search/sort
      ['app', 'entities', 'enums', 'views'],
    );
  }
  for (const flow of program.flows) {
    add(
      `test_flow_${snake(flow.name)}.py`,
      `The ${flow.name} flow on ${flow.entity}.${flow.field}.`,
      generateFlowTests(program, flow),
      ['app', 'entities', 'enums', 'events', `flow:${flow.name}`],
    );
  }
  for (const behavior of program.behaviors) {
    add(
      `test_behavior_${snake(behavior.name)}.py`,
      `The ${behavior.name} behavior.`,
      generateBehaviorTests(program, behavior),
      [
        'app',
        `behavior:${behavior.name}`,
        ...(behavior.entity ? [`entity:${behavior.entity}`] : []),
      ],
    );
  }
  return files.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export const fastapiTestsBackend: Backend = {
  name: 'fastapi-tests',
  generate(program, context) {
    try {
      return generateTests(program);
    } catch (error) {
      context.report(
        makeDiagnostic('BC9001', undefined, {
          phase: 'the FastAPI test generator',
          reason: (error as Error).message,
        }),
      );
      return [];
    }
  },
};
