// The FastAPI backend: IR -> <out>/backend/ (everything but alembic/, which
// the database backend writes). Phases, in order:
//   1. context    derive Python names, field kinds, view-driven list features
//   2. project    requirements, pyproject (ruff/pyright/pytest), README
//   3. core       settings, database, security, deps, main (health/ready)
//   4. models     SQLAlchemy models, enums, join tables
//   5. schemas    Pydantic Create/Update/Read (+ behavior inputs)
//   6. access     rules -> SQL clauses (app/access.py)
//   7. services   CRUD, transitions, behaviors, outbox writes
//   8. routers    HTTP endpoints, auth, actions, custom stubs
//   9. events     outbox model, payloads, relay, handler stubs
//  10. runtime    copy of runtime/python/bitcup_runtime as app/runtime/
// Every app file is a FileSpec (files.ts) whose dependsOn is what making it
// read (deps.ts), so `generateChanged` (incremental builds) makes only the
// files whose parts changed, plus the runtime, which depends on them all.
import { comparePaths, type BackendContext, type GeneratedFile } from '../types.js';
import type { Program } from '../../ir/schema.js';
import type { PartialBackend } from '../../incremental/builder.js';
import { isAffected } from '../../incremental/parts.js';
import { generateAccess } from './access.js';
import { generateAuth } from './auth.js';
import { generateBehaviors } from './behaviors.js';
import { buildCtx } from './context.js';
import { generateCore } from './core.js';
import { generateEvents } from './events.js';
import { type FileSpec, makeFile, withReuse } from './files.js';
import { generateModels } from './models.js';
import { generateRouters } from './routers.js';
import { generateRuntime, pythonRuntime } from './runtime.js';
import { generateSchemas } from './schemas.js';
import { generateServices } from './services.js';

const RUNTIME_INIT: GeneratedFile = {
  path: 'backend/app/runtime/__init__.py',
  content: '"""BITCUP runtime: support code shared by generated apps (do not edit)."""\n',
  ownership: 'generated',
  dependsOn: [],
};

/** Every app file (all but app/runtime/), by path, with how to make it. */
function appFileSpecs(program: Program): FileSpec[] {
  const ctx = buildCtx(program);
  const entities = ctx.entities.all();
  const { requirements, requirementsDev } = pythonRuntime();
  const auth = program.app.auth;
  const specs: FileSpec[] = [
    ...generateCore(ctx, requirements, requirementsDev, auth !== undefined),
    ...generateModels(ctx, entities),
    ...generateSchemas(ctx, entities),
    generateAccess(ctx),
    ...generateServices(ctx, entities),
    ...generateRouters(ctx, entities),
    ...generateAuth(ctx, auth !== undefined && ctx.entities.peek(auth.user) !== undefined),
    ...generateBehaviors(ctx, program.behaviors),
    ...generateEvents(ctx, program.events),
  ];
  // modules nothing imports would only lower the app's coverage
  return specs.filter(
    (s) =>
      !(s.path === 'backend/app/models/enums.py' && program.enums.length === 0) &&
      !(s.path === 'backend/app/models/associations.py' && program.joinTables.length === 0),
  );
}

/** App files plus the runtime they reach, one per path (the last wins), sorted. */
function withRuntime(program: Program, appFiles: GeneratedFile[]): GeneratedFile[] {
  const byPath = new Map<string, GeneratedFile>();
  for (const f of appFiles) byPath.set(f.path, f);
  for (const f of generateRuntime(program.events.length > 0, appFiles)) byPath.set(f.path, f);
  // the runtime's own __init__ is replaced by this one
  byPath.set(RUNTIME_INIT.path, RUNTIME_INIT);
  return [...byPath.values()].sort(comparePaths);
}

export function generateFastapi(program: Program): GeneratedFile[] {
  return withRuntime(program, appFileSpecs(program).map(makeFile));
}

/**
 * Only the files a change reaches: an app file whose previous dependsOn (the
 * parts it read last time) is untouched would read the same and come out the
 * same, so it is kept; the others, new files, and the runtime (which depends
 * on every app file) are made again.
 */
export function generateFastapiChanged(
  program: Program,
  changed: ReadonlySet<string>,
  parts: Record<string, string>,
  previous: readonly GeneratedFile[],
): GeneratedFile[] {
  const before = new Map(previous.map((f) => [f.path, f]));
  const appFiles: GeneratedFile[] = [];
  const fresh = new Set<GeneratedFile>();
  withReuse({ changed, parts, previous: before }, () => {
    for (const s of appFileSpecs(program)) {
      const last = before.get(s.path);
      if (last && last.ownership === s.ownership && !isAffected(last.dependsOn, changed, parts)) {
        appFiles.push(last);
      } else {
        const made = makeFile(s);
        appFiles.push(made);
        fresh.add(made);
      }
    }
  });
  // as withRuntime: the runtime (dependsOn [], so always affected) wins over an app file
  const runtime = [...generateRuntime(program.events.length > 0, appFiles), RUNTIME_INIT];
  const byPath = new Map<string, GeneratedFile>();
  for (const f of [...fresh, ...runtime]) byPath.set(f.path, f);
  return [...byPath.values()].sort(comparePaths);
}

function internalError(context: BackendContext, error: unknown): GeneratedFile[] {
  context.report({
    code: 'BC9001',
    severity: 'error',
    message: `internal error in the FastAPI backend: ${(error as Error).message}`,
    notes: [],
  });
  return [];
}

export const fastapiBackend: PartialBackend = {
  name: 'fastapi',
  generate(program, context) {
    try {
      return generateFastapi(program);
    } catch (error) {
      return internalError(context, error);
    }
  },
  generateChanged(program, context, changed, parts, previous) {
    try {
      return generateFastapiChanged(program, changed, parts, previous);
    } catch (error) {
      return internalError(context, error);
    }
  },
};
