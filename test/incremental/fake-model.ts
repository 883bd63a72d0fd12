// A tiny stand-in front end and backends for builder tests that must not wait
// on the real ones: the "model" is a JSON file listing entities and their
// fields; the backends write one file per entity plus an index.
import { readFileSync } from 'node:fs';
import type { Backend, GeneratedFile } from '../../compiler/backends/types.js';
import type { CompileOptions, CompileResult } from '../../compiler/index.js';
import type { Program } from '../../compiler/ir/schema.js';
import type { PartialBackend } from '../../compiler/incremental/builder.js';
import { isAffected } from '../../compiler/incremental/parts.js';

export interface FakeModel {
  app: string;
  entities: { name: string; fields: string[] }[];
}

export function fakeFrontEnd(entry: string, options: CompileOptions = {}): CompileResult {
  const text = options.files?.get(entry) ?? readFileSync(entry, 'utf8');
  let model: FakeModel;
  try {
    model = JSON.parse(text) as FakeModel;
  } catch (error) {
    return {
      diagnostics: [
        { code: 'BC1001', severity: 'error', message: (error as Error).message, notes: [] },
      ],
      files: [entry],
    };
  }
  const program = {
    irVersion: 1,
    app: { name: model.app },
    deploy: {},
    enums: [],
    entities: model.entities.map((e) => ({ name: e.name, fields: e.fields })),
    joinTables: [],
    indexes: [],
    flows: [],
    behaviors: [],
    events: [],
    views: [],
    sources: [],
  } as unknown as Program;
  return { program, diagnostics: [], files: [entry] };
}

function entityFile(entity: { name: string; fields: readonly unknown[] }): GeneratedFile {
  // the stand-in front end puts field names where the IR has Field objects
  const fields = entity.fields as string[];
  return {
    path: `models/${entity.name.toLowerCase()}.py`,
    content: `class ${entity.name}:\n${fields.map((f) => `    ${f}: str\n`).join('')}`,
    ownership: 'generated',
    dependsOn: [`entity:${entity.name}`],
  };
}

function sharedFiles(program: Program): GeneratedFile[] {
  const names = program.entities.map((e) => e.name);
  return [
    {
      path: 'models/__init__.py',
      content: names.map((n) => `from .${n.toLowerCase()} import ${n}\n`).join(''),
      ownership: 'generated',
      dependsOn: ['entities'],
    },
    {
      path: 'README.md',
      content: `# ${program.app.name}\n`,
      ownership: 'generated',
      dependsOn: ['app'],
    },
  ];
}

export const fakeBackend: Backend = {
  name: 'fake',
  generate: (program) => [...program.entities.map(entityFile), ...sharedFiles(program)],
};

/** The same files, regenerating only what a change affects; counts what it generated. */
export function partialFakeBackend(): PartialBackend & { generatedEntities: string[] } {
  const backend = {
    name: 'fake',
    generatedEntities: [] as string[],
    generate(program: Program) {
      backend.generatedEntities.push(...program.entities.map((e) => e.name));
      return fakeBackend.generate(program, { previous: { revisions: new Map() }, report() {} });
    },
    generateChanged(
      program: Program,
      _context: unknown,
      changed: ReadonlySet<string>,
      parts: Record<string, string>,
    ) {
      const entities = program.entities.filter((e) => changed.has(`entity:${e.name}`));
      backend.generatedEntities.push(...entities.map((e) => e.name));
      return [
        ...entities.map(entityFile),
        ...sharedFiles(program).filter((f) => isAffected(f.dependsOn, changed, parts)),
      ];
    },
  };
  return backend;
}
