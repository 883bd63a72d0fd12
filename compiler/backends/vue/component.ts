// Assemble a single-file component from its script body and template.
import { CodeWriter } from '../../emit/code-writer.js';
import type { Imports } from './imports.js';
import { sfc, type TemplateWriter } from './template.js';

/**
 * Prepend the imports a component really uses: `auth` (and its store), the
 * `bc` rule helpers and RouterLink are dropped when nothing refers to them.
 */
export function finishScript(
  header: string,
  imports: Imports,
  body: string,
  template: TemplateWriter,
): string {
  const markup = template.toString();
  const authDecl = 'const auth = useAuthStore();\n';
  let script = body;
  if (script.includes(authDecl)) {
    const rest = script.replace(authDecl, '');
    if (/\bauth\./.test(rest) || /\bauth\./.test(markup))
      imports.add('../runtime/auth', 'useAuthStore');
    else script = rest;
  }
  if (/\bbc\./.test(script)) imports.namespace('../runtime/expr', 'bc');
  if (/\bproblems\./.test(script)) imports.namespace('../runtime/validate', 'problems');
  if (markup.includes('<RouterLink')) imports.add('vue-router', 'RouterLink');
  const head = new CodeWriter('  ');
  head.line(header);
  head.lines_(imports.lines());
  return sfc(`${head.toString()}\n${script}`, template);
}
