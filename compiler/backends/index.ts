// Every backend, in the order build runs them. Each lowers the IR to files.
import type { Backend } from './types.js';
import { deployBackend } from './deploy/index.js';
import { fastapiTestsBackend } from './fastapi-tests/index.js';
import { fastapiBackend } from './fastapi/index.js';

export const backends: Backend[] = [deployBackend, fastapiBackend, fastapiTestsBackend];
