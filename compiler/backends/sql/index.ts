// The sql backend: <out>/database/schema.sql (PostgreSQL 15).
import type { Program } from '../../ir/schema.js';
import { isAffected } from '../../incremental/parts.js';
import type { PartialBackend } from '../../incremental/builder.js';
import type { GeneratedFile } from '../types.js';
import { renderSchemaSql } from './ddl.js';
import { lowerProgram } from './model.js';

export const SCHEMA_SQL_PATH = 'database/schema.sql';
const DEPENDS_ON = ['entities', 'enums', 'indexes', 'joinTables', 'events'];

function schemaFiles(program: Program): GeneratedFile[] {
  return [
    {
      path: SCHEMA_SQL_PATH,
      content: renderSchemaSql(lowerProgram(program), program.app.name),
      ownership: 'generated',
      dependsOn: DEPENDS_ON,
    },
  ];
}

export const sqlBackend: PartialBackend = {
  name: 'sql',
  generate: schemaFiles,
  // one file: regenerated only when a part it reads changed
  generateChanged: (program, _context, changed, parts) =>
    isAffected(DEPENDS_ON, changed, parts) ? schemaFiles(program) : [],
};
