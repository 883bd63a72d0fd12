// Shared checks of the deploy suite: write generated files, validate
// Kubernetes objects (kubernetes-validate, offline) and the Compose file
// (Compose spec JSON schema shipped by dclint, with ajv), render the nginx
// template with envsubst like the nginx image does, and run `nginx -t`.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ErrorObject } from 'ajv';
import { parseAllDocuments, parse } from 'yaml';
import type { GeneratedFile } from '../../compiler/backends/types.js';
import { NGINX_TEMPLATE_VARIABLES } from '../../compiler/backends/deploy/images.js';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const VENV_BIN = join(REPO, '.venv', 'bin');
export const VENV_PYTHON = join(VENV_BIN, 'python');
/** Kubernetes versions the manifests must validate against: an older supported one and the newest bundled. */
export const K8S_VERSIONS = ['1.30.0', '1.37.0'];

export function writeFiles(dir: string, files: GeneratedFile[]): void {
  for (const file of files) {
    const target = join(dir, file.path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.content, { mode: file.mode ?? 0o644 });
  }
}

export function fileText(files: GeneratedFile[], path: string): string {
  const found = files.find((f) => f.path === path);
  if (!found) throw new Error(`no generated file ${path}`);
  return found.content;
}

export interface K8sObject {
  file: string;
  object: Record<string, unknown> & { kind: string; metadata: { name: string } };
}

/** Every Kubernetes object of deploy/k8s (kustomization.yaml is kustomize's, not the API's). */
export function kubernetesObjects(files: GeneratedFile[]): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const file of files) {
    if (!file.path.startsWith('deploy/k8s/') || file.path.endsWith('kustomization.yaml')) continue;
    for (const doc of parseAllDocuments(file.content)) {
      if (doc.errors.length > 0) throw new Error(`${file.path}: ${doc.errors[0]!.message}`);
      objects.push({ file: file.path, object: doc.toJS() as K8sObject['object'] });
    }
  }
  return objects;
}

export interface K8sResult {
  file: string;
  kind: string;
  name: string;
  version: string;
  error: string | null;
}

export function validateKubernetes(objects: K8sObject[], versions = K8S_VERSIONS): K8sResult[] {
  const result = spawnSync(VENV_PYTHON, [join(REPO, 'test/deploy/validate_k8s.py')], {
    input: JSON.stringify({ versions, objects }),
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) throw new Error(`validate_k8s.py failed: ${result.stderr}`);
  return JSON.parse(result.stdout) as K8sResult[];
}

let composeValidate: ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };

/** The Compose specification's JSON schema, as shipped in the dclint package. */
export function validateCompose(data: unknown): string[] {
  if (!composeValidate) {
    const require = createRequire(import.meta.url);
    const schemaPath = join(dirname(require.resolve('dclint/package.json')), 'schemas');
    const raw = JSON.parse(readFileSync(join(schemaPath, 'compose.schema.json'), 'utf8'));
    // draft-07 schema; its `$schema` URL spelling is not one ajv registers.
    delete raw.$schema;
    const ajv = new Ajv({ allErrors: true, strict: false });
    composeValidate = ajv.compile(raw);
  }
  if (composeValidate(data)) return [];
  return (composeValidate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

/**
 * Compose's variable interpolation, enough for our files: `${X}`, `${X:-d}`,
 * `${X:?msg}` from `env`, and `$$` for a literal `$`.
 */
const DOLLAR = '\u0000';

export function interpolateCompose(text: string, env: Record<string, string>): string {
  return text
    .replace(/\$\$/g, DOLLAR)
    .replace(/\$\{(\w+)(?:(:?[-?])([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) => {
      const value = env[name];
      const empty = value === undefined || (op?.startsWith(':') && value === '');
      if (!empty) return value!;
      if (op?.endsWith('?')) throw new Error(`compose: ${name} is required: ${arg}`);
      return arg ?? '';
    })
    .split(DOLLAR)
    .join('$');
}

/** Parse a KEY=value file (.env.example). */
export function parseEnvFile(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z_][A-Z0-9_]*)=(.*)$/.exec(line);
    if (m) env[m[1]!] = m[2]!;
  }
  return env;
}

export function parseYaml(text: string): unknown {
  return parse(text, { version: '1.1' });
}

/** Render the template as the nginx image does: envsubst of the listed variables only. */
export function renderNginxTemplate(template: string, env: Record<string, string>): string {
  const variables = NGINX_TEMPLATE_VARIABLES.map((v) => `\${${v}}`).join(' ');
  const result = spawnSync('envsubst', [variables], {
    input: template,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
  });
  if (result.status !== 0) throw new Error(`envsubst failed: ${result.stderr}`);
  return result.stdout;
}

export const NGINX = '/usr/sbin/nginx';

/**
 * A non-root-friendly main config around the rendered server block, like the
 * nginx-unprivileged image's: pid, logs and temp files under `dir`.
 */
export function writeNginxConfig(dir: string, serverBlock: string, daemon = false): string {
  mkdirSync(join(dir, 'conf.d'), { recursive: true });
  // As root, nginx workers run as `nobody`: they must be able to use these.
  chmodSync(dir, 0o755);
  for (const temp of ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']) {
    mkdirSync(join(dir, temp), { recursive: true });
    chmodSync(join(dir, temp), 0o777);
  }
  writeFileSync(join(dir, 'conf.d', 'default.conf'), serverBlock);
  const conf = join(dir, 'nginx.conf');
  writeFileSync(
    conf,
    [
      'worker_processes 1;',
      `daemon ${daemon ? 'on' : 'off'};`,
      `pid ${dir}/nginx.pid;`,
      `error_log ${dir}/error.log warn;`,
      'events { worker_connections 64; }',
      'http {',
      '    include /etc/nginx/mime.types;',
      '    default_type application/octet-stream;',
      `    access_log ${dir}/access.log;`,
      `    client_body_temp_path ${dir}/client_body;`,
      `    proxy_temp_path ${dir}/proxy;`,
      `    fastcgi_temp_path ${dir}/fastcgi;`,
      `    uwsgi_temp_path ${dir}/uwsgi;`,
      `    scgi_temp_path ${dir}/scgi;`,
      `    include ${dir}/conf.d/*.conf;`,
      '}',
      '',
    ].join('\n'),
  );
  return conf;
}

export function nginxTest(dir: string, conf: string): { ok: boolean; output: string } {
  const result = spawnSync(NGINX, ['-t', '-p', `${dir}/`, '-e', `${dir}/error.log`, '-c', conf], {
    encoding: 'utf8',
  });
  return { ok: result.status === 0, output: `${result.stdout}${result.stderr}` };
}
