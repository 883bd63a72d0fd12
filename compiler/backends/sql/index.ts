// The sql backend: <out>/database/schema.sql (PostgreSQL 15).
import type { Backend } from '../types.js';
import { renderSchemaSql } from './ddl.js';
import { lowerProgram } from './model.js';

export const SCHEMA_SQL_PATH = 'database/schema.sql';

export const sqlBackend: Backend = {
  name: 'sql',
  generate(program) {
    return [
      {
        path: SCHEMA_SQL_PATH,
        content: renderSchemaSql(lowerProgram(program), program.app.name),
        ownership: 'generated',
        dependsOn: ['entities', 'enums', 'indexes', 'joinTables', 'events'],
      },
    ];
  },
};
