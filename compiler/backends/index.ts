// Every backend, in the order build runs them. Each lowers the IR to files.
import type { Backend } from './types.js';
import { deployBackend } from './deploy/index.js';
import { sqlBackend } from './sql/index.js';
import { alembicBackend } from './alembic/index.js';
import { fastapiTestsBackend } from './fastapi-tests/index.js';
import { fastapiBackend } from './fastapi/index.js';
import { vueBackend } from './vue/index.js';

export const backends: Backend[] = [
  sqlBackend,
  alembicBackend,
  deployBackend,
  fastapiBackend,
  fastapiTestsBackend,
  vueBackend,
];
