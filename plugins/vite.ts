export { vite as default } from './core/index.js';
