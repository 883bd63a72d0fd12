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
import type { Backend, GeneratedFile } from '../types.js';
import type { Program } from '../../ir/schema.js';
import { generateAccess } from './access.js';
import { generateAuth } from './auth.js';
import { generateBehaviors } from './behaviors.js';
import { buildCtx } from './context.js';
import { generateCore } from './core.js';
import { generateEvents } from './events.js';
import { generateModels } from './models.js';
import { generateRouters } from './routers.js';
import { generateRuntime, pythonRuntime } from './runtime.js';
import { generateSchemas } from './schemas.js';
import { generateServices } from './services.js';

export function generateFastapi(program: Program): GeneratedFile[] {
  const ctx = buildCtx(program);
  const { requirements, requirementsDev } = pythonRuntime();
  const appFiles: GeneratedFile[] = [
    ...generateCore(ctx, requirements, requirementsDev),
    ...generateModels(ctx),
    ...generateSchemas(ctx),
    generateAccess(ctx),
    ...generateServices(ctx),
    ...generateRouters(ctx),
    ...generateAuth(ctx),
    ...generateBehaviors(ctx),
    ...generateEvents(ctx),
  ];
  const files: GeneratedFile[] = [
    ...appFiles,
    ...generateRuntime(ctx.hasEvents, appFiles),
    {
      path: 'backend/app/runtime/__init__.py',
      content: '"""BITCUP runtime: support code shared by generated apps (do not edit)."""\n',
      ownership: 'generated',
      dependsOn: [],
    },
  ];
  // the runtime's own __init__ is replaced by the one above (the last wins)
  const byPath = new Map<string, GeneratedFile>();
  for (const f of files) byPath.set(f.path, f);
  // modules nothing imports would only lower the app's coverage
  if (program.enums.length === 0) byPath.delete('backend/app/models/enums.py');
  if (program.joinTables.length === 0) byPath.delete('backend/app/models/associations.py');
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export const fastapiBackend: Backend = {
  name: 'fastapi',
  generate(program, context) {
    try {
      return generateFastapi(program);
    } catch (error) {
      context.report({
        code: 'BC9001',
        severity: 'error',
        message: `internal error in the FastAPI backend: ${(error as Error).message}`,
        notes: [],
      });
      return [];
    }
  },
};
