// The alembic backend: the Alembic project inside <out>/backend/ and, on the
// first build only, the initial revision and the model snapshot it was made
// from. Later revisions come only from `bitcup migrate` (compiler/migrate/).
import type { Program } from '../../ir/schema.js';
import type { Backend, GeneratedFile } from '../types.js';
import { diff } from '../../migrate/diff.js';
import { ALEMBIC_INI, ENV_PY, SCRIPT_PY_MAKO } from './project.js';
import { REVISIONS_DIR, SNAPSHOT_PATH } from '../../emit/writer.js';
import { renderRevision } from './revision.js';

export const SNAPSHOT_FILE = SNAPSHOT_PATH;
export const VERSIONS_DIR = REVISIONS_DIR;

/** The snapshot's text: the IR the latest revision was made from. */
export function snapshotContent(program: Program): string {
  return `${JSON.stringify(program, null, 2)}\n`;
}

export function initialRevision(program: Program) {
  return renderRevision({
    message: 'initial schema',
    sequence: 1,
    changes: diff(undefined, program).map((p) => p.change),
  });
}

// The same objects on every run: the emitter recognizes a file object it
// recorded last time and skips its checks (they depend on no IR part).
const PROJECT_FILES: readonly GeneratedFile[] = [
  { path: 'backend/alembic.ini', content: ALEMBIC_INI, ownership: 'generated', dependsOn: [] },
  { path: 'backend/alembic/env.py', content: ENV_PY, ownership: 'generated', dependsOn: [] },
  {
    path: 'backend/alembic/script.py.mako',
    content: SCRIPT_PY_MAKO,
    ownership: 'generated',
    dependsOn: [],
  },
];

export const alembicBackend: Backend = {
  name: 'alembic',
  generate(program, context) {
    const files: GeneratedFile[] = [...PROJECT_FILES];
    const { snapshot, revisions } = context.previous;
    if (snapshot || revisions.size > 0) return files; // history exists: only `bitcup migrate` adds to it
    const initial = initialRevision(program);
    const all = ['entities', 'enums', 'indexes', 'joinTables', 'events'];
    files.push(
      {
        path: `${VERSIONS_DIR}/${initial.fileName}`,
        content: initial.content,
        ownership: 'history',
        dependsOn: all,
      },
      {
        path: SNAPSHOT_FILE,
        content: snapshotContent(program),
        ownership: 'history',
        dependsOn: ['program'],
      },
    );
    return files;
  },
};
