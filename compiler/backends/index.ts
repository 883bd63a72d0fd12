// Every backend, in the order build runs them. Each lowers the IR to files.
import type { Backend } from './types.js';

export const backends: Backend[] = [];
