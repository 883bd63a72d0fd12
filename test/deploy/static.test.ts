// Static checks of <out>/deploy/ for shop-like and blog-like programs (and
// the host/TLS variants LANGUAGE.md names): Kubernetes objects against the
// Kubernetes schemas, the Compose file against the Compose spec schema, the
// rendered nginx config through `nginx -t`, no secret values, formatting.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync, chmodSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as prettier from 'prettier';
import { parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { deployFiles } from '../../compiler/backends/deploy/index.js';
import { compile } from '../../compiler/index.js';
import type { GeneratedFile } from '../../compiler/backends/types.js';
import type { Program } from '../../compiler/ir/schema.js';
import { blogLike, handProgram, shopLike } from './hand-ir.js';
import {
  REPO,
  VENV_BIN,
  fileText,
  writeFiles,
  interpolateCompose,
  kubernetesObjects,
  nginxTest,
  parseEnvFile,
  parseYaml,
  renderNginxTemplate,
  validateCompose,
  validateKubernetes,
  writeNginxConfig,
  type K8sObject,
} from './helpers.js';

const scratch = mkdtempSync(join(tmpdir(), 'bitcup-deploy-static-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** An example of the repo, through the real front end. */
function example(name: string): () => Program {
  return () => {
    const result = compile(join(REPO, 'examples', `${name}.bitcup`));
    if (!result.program) throw new Error(JSON.stringify(result.diagnostics.slice(0, 3)));
    return result.program;
  };
}

const cases: [string, () => Program][] = [
  ['examples/blog', example('blog')],
  ['examples/shop', example('shop')],
  ['examples/platform', example('platform')],
  ['shop-like', shopLike],
  ['blog-like', blogLike],
  [
    'frontend host, no tls',
    () =>
      handProgram({
        name: 'Notes',
        apiPrefix: '/api/v1',
        deploy: { hosts: { frontend: 'notes.example.com' } },
      }),
  ],
];

type Obj = Record<string, unknown>;
const get = (value: unknown, ...path: (string | number)[]): unknown =>
  path.reduce<unknown>(
    (v, key) => (v as Record<string | number, unknown> | undefined)?.[key],
    value,
  );

function objectsOf(files: GeneratedFile[], kind: string): K8sObject['object'][] {
  return kubernetesObjects(files)
    .map((o) => o.object)
    .filter((o) => o.kind === kind);
}

function containersOf(object: Obj): Obj[] {
  const pod = get(object, 'spec', 'template', 'spec') as Obj | undefined;
  if (!pod) return [];
  return [...((pod.initContainers as Obj[]) ?? []), ...((pod.containers as Obj[]) ?? [])];
}

describe.each(cases)('deploy output: %s', (_name, make) => {
  const program = make();
  const files = deployFiles(program);

  it('validates every Kubernetes object against the Kubernetes schemas (strict, offline)', () => {
    const objects = kubernetesObjects(files);
    const kinds = new Set(objects.map((o) => o.object.kind));
    for (const kind of [
      'Namespace',
      'ConfigMap',
      'Secret',
      'Deployment',
      'Service',
      'StatefulSet',
      'Job',
      'Ingress',
      'HorizontalPodAutoscaler',
    ]) {
      expect(kinds, kind).toContain(kind);
    }
    const results = validateKubernetes(objects);
    expect(results.length).toBe(objects.length * 2);
    expect(results.filter((r) => r.error !== null)).toEqual([]);
  });

  it('lists every manifest in kustomization.yaml, except the Secret template', () => {
    const kustomization = parseYaml(fileText(files, 'deploy/k8s/kustomization.yaml')) as Obj;
    const manifests = files
      .map((f) => f.path)
      .filter((p) => p.startsWith('deploy/k8s/') && !p.endsWith('kustomization.yaml'))
      .map((p) => p.slice('deploy/k8s/'.length));
    expect([...(kustomization.resources as string[])].sort()).toEqual(
      manifests.filter((m) => m !== 'secret.example.yaml').sort(),
    );
    expect(kustomization.namespace).toBe(program.deploy.kubernetes.namespace);
  });

  it('renders with `kubectl kustomize` into valid objects, namespaced and tagged', () => {
    const dir = join(scratch, `kustomize-${_name.replace(/\W+/g, '-')}`);
    writeFiles(dir, files);
    const rendered = spawnSync(join(VENV_BIN, 'kubectl'), ['kustomize', join(dir, 'deploy/k8s')], {
      encoding: 'utf8',
    });
    expect(rendered.status, rendered.stderr).toBe(0);
    const objects = parseAllDocuments(rendered.stdout).map((d) => d.toJS() as K8sObject['object']);
    const listed = kubernetesObjects(files).filter((o) => !o.file.endsWith('secret.example.yaml'));
    expect(objects).toHaveLength(listed.length);
    const { namespace } = program.deploy.kubernetes;
    for (const object of objects) {
      if (object.kind !== 'Namespace') expect(get(object, 'metadata', 'namespace')).toBe(namespace);
      for (const container of containersOf(object)) {
        const image = container.image as string;
        if (image.includes('-backend') || image.includes('-frontend')) {
          expect(image).toMatch(new RegExp(`:${program.app.version.replace(/\./g, '\\.')}$`));
        }
      }
    }
    const results = validateKubernetes(
      objects.map((object) => ({ file: 'kustomize', object })),
      ['1.37.0'],
    );
    expect(results.filter((r) => r.error !== null)).toEqual([]);
  });

  it('validates the Compose file against the Compose specification schema', () => {
    const text = fileText(files, 'deploy/docker-compose.yml');
    expect(validateCompose(parseYaml(text))).toEqual([]);
    // as Compose sees it: interpolated from .env (secrets filled in by the user)
    const env = {
      ...parseEnvFile(fileText(files, 'deploy/.env.example')),
      POSTGRES_PASSWORD: 'p',
      SECRET_KEY: 's',
    };
    const interpolated = parseYaml(interpolateCompose(text, env)) as Obj;
    expect(validateCompose(interpolated)).toEqual([]);
    expect(get(interpolated, 'services', 'frontend', 'ports', 0)).toEqual({
      target: 8080,
      host_ip: '127.0.0.1',
      published: program.deploy.compose.frontendPort,
      protocol: 'tcp',
    });
    expect(get(interpolated, 'services', 'backend', 'ports', 0, 'published')).toBe(
      program.deploy.compose.backendPort,
    );
  });

  it('passes dclint (the Compose linter) with no error and no warning', () => {
    const dir = join(scratch, `dclint-${_name.replace(/\W+/g, '-')}`);
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'docker-compose.yml'), fileText(files, 'deploy/docker-compose.yml'));
    const lint = dclint(join(dir, 'docker-compose.yml'));
    expect(lint.status, lint.output).toBe(0);
  });

  it('refuses to start Compose until the secrets are set in .env', () => {
    const text = fileText(files, 'deploy/docker-compose.yml');
    const env = parseEnvFile(fileText(files, 'deploy/.env.example'));
    expect(() => interpolateCompose(text, env)).toThrow(/POSTGRES_PASSWORD is required/);
  });

  it('has the migrate step, healthchecked PostgreSQL with a named volume, and the backend waits', () => {
    const compose = parseYaml(fileText(files, 'deploy/docker-compose.yml')) as Obj;
    const services = compose.services as Record<string, Obj>;
    expect(get(services, 'migrate', 'command')).toEqual(['alembic', 'upgrade', 'head']);
    expect(get(services, 'backend', 'depends_on', 'migrate', 'condition')).toBe(
      'service_completed_successfully',
    );
    expect(get(services, 'migrate', 'depends_on', 'database', 'condition')).toBe('service_healthy');
    expect(get(services, 'database', 'healthcheck', 'test', 1)).toContain('pg_isready');
    expect(get(services, 'database', 'volumes', 0)).toBe('database-data:/var/lib/postgresql/data');
    expect(Object.keys(compose.volumes as Obj)).toContain('database-data');
    expect(get(services, 'backend', 'environment', 'MIGRATE_ON_START')).toBeUndefined();
    const job = objectsOf(files, 'Job')[0]!;
    expect(get(containersOf(job)[0], 'command')).toEqual(['alembic', 'upgrade', 'head']);
  });

  it('renders the nginx template into a config that `nginx -t` accepts', () => {
    const dir = join(scratch, `nginx-${_name.replace(/\W+/g, '-')}`);
    const html = join(dir, 'html');
    mkdirSync(html, { recursive: true });
    const rendered = renderNginxTemplate(fileText(files, 'deploy/frontend/default.conf.template'), {
      BACKEND_URL: 'http://127.0.0.1:8000',
      NGINX_PORT: '18080',
      FRONTEND_ROOT: html,
    });
    expect(rendered).not.toMatch(/\$\{/);
    expect(rendered).toContain(`location ${program.app.apiPrefix}/ {`);
    expect(rendered).toContain('try_files $uri $uri/ /index.html;');
    expect(rendered).toContain('proxy_set_header Host $host;');
    const conf = writeNginxConfig(dir, rendered);
    const result = nginxTest(dir, conf);
    expect(result.output).toContain('test is successful');
    expect(result.ok).toBe(true);
    // and nginx -t does fail on a bad config: an unrendered template
    writeFileSync(
      join(dir, 'conf.d', 'default.conf'),
      fileText(files, 'deploy/frontend/default.conf.template'),
    );
    expect(nginxTest(dir, conf).ok).toBe(false);
  });

  it('puts no secret value anywhere in the output', () => {
    const secretKeys = ['POSTGRES_PASSWORD', 'SECRET_KEY'];
    // .env.example names the secrets with empty values
    const env = parseEnvFile(fileText(files, 'deploy/.env.example'));
    for (const key of secretKeys) expect(env[key], key).toBe('');
    expect(files.map((f) => f.path)).not.toContain('deploy/.env');
    // Compose: secrets only as required variables, never with a default
    const composeText = fileText(files, 'deploy/docker-compose.yml');
    for (const key of secretKeys) {
      const uses = composeText.match(new RegExp(`\\$\\{${key}[^}]*\\}`, 'g')) ?? [];
      expect(uses.length, key).toBeGreaterThan(0);
      for (const use of uses) expect(use).toMatch(new RegExp(`^\\$\\{${key}:\\?`));
    }
    // Kubernetes: the Secret template has keys without values; containers read secrets by reference
    const [secret] = objectsOf(files, 'Secret');
    expect(secret!.data).toBeUndefined();
    expect(Object.values(secret!.stringData as Obj)).toEqual(secretKeys.map(() => ''));
    for (const configMap of objectsOf(files, 'ConfigMap')) {
      for (const key of secretKeys) expect(Object.keys(configMap.data as Obj)).not.toContain(key);
    }
    for (const object of kubernetesObjects(files).map((o) => o.object)) {
      for (const container of containersOf(object)) {
        for (const variable of (container.env as Obj[]) ?? []) {
          if (secretKeys.includes(variable.name as string)) {
            expect(variable.value).toBeUndefined();
            expect(get(variable, 'valueFrom', 'secretKeyRef', 'key')).toBe(variable.name);
          }
        }
      }
    }
    // and no file assigns a literal to anything that looks like a secret
    for (const file of files) expect(literalSecrets(file.content), file.path).toEqual([]);
  });

  it('runs every pod as non-root with resources, probes and a read-only root filesystem', () => {
    for (const object of kubernetesObjects(files).map((o) => o.object)) {
      const pod = get(object, 'spec', 'template', 'spec') as Obj | undefined;
      if (!pod) continue;
      expect(get(pod, 'securityContext', 'runAsNonRoot'), object.metadata.name).toBe(true);
      expect(typeof get(pod, 'securityContext', 'runAsUser')).toBe('number');
      for (const container of containersOf(object)) {
        expect(get(container, 'securityContext', 'readOnlyRootFilesystem')).toBe(true);
        expect(get(container, 'securityContext', 'allowPrivilegeEscalation')).toBe(false);
        expect(get(container, 'resources', 'requests', 'cpu')).toBeTruthy();
        expect(get(container, 'resources', 'limits', 'memory')).toBeTruthy();
        const mounts = ((container.volumeMounts as Obj[]) ?? []).map((m) => m.mountPath);
        expect(mounts).toContain('/tmp');
      }
    }
    const prefix = program.app.apiPrefix;
    const backend = objectsOf(files, 'Deployment').find((d) => d.metadata.name === 'backend')!;
    const container = (get(backend, 'spec', 'template', 'spec', 'containers') as Obj[])[0]!;
    expect(get(container, 'readinessProbe', 'httpGet', 'path')).toBe(`${prefix}/ready`);
    expect(get(container, 'livenessProbe', 'httpGet', 'path')).toBe(`${prefix}/health`);
    const frontend = objectsOf(files, 'Deployment').find((d) => d.metadata.name === 'frontend')!;
    const web = (get(frontend, 'spec', 'template', 'spec', 'containers') as Obj[])[0]!;
    expect(get(web, 'readinessProbe', 'httpGet', 'path')).toBe('/ready');
    expect(get(web, 'livenessProbe', 'httpGet', 'path')).toBe('/health');
    expect(get(frontend, 'spec', 'replicas')).toBe(program.deploy.kubernetes.frontend.replicas);
  });

  it('keeps PostgreSQL in a StatefulSet with a volume claim and autoscales the backend', () => {
    const database = objectsOf(files, 'StatefulSet').find((s) => s.metadata.name === 'database')!;
    expect(get(database, 'spec', 'volumeClaimTemplates', 0, 'metadata', 'name')).toBe('data');
    const [hpa] = objectsOf(files, 'HorizontalPodAutoscaler');
    const backend = program.deploy.kubernetes.backend;
    expect(hpa!.apiVersion).toBe('autoscaling/v2');
    expect(get(hpa, 'spec', 'minReplicas')).toBe(backend.replicas);
    expect(get(hpa, 'spec', 'maxReplicas')).toBe(Math.max(backend.replicas, backend.maxReplicas));
  });

  it('follows the hosts and tls rules of LANGUAGE.md in the Ingress', () => {
    const [ingress] = objectsOf(files, 'Ingress');
    const { hosts, tls } = program.deploy.kubernetes;
    const rules = get(ingress, 'spec', 'rules') as Obj[];
    const prefix = program.app.apiPrefix;
    const paths = (rule: Obj) =>
      (get(rule, 'http', 'paths') as Obj[]).map((p) => [
        p.path,
        get(p, 'backend', 'service', 'name'),
      ]);
    if (tls) {
      expect(get(ingress, 'metadata', 'annotations', 'cert-manager.io/cluster-issuer')).toBe(
        tls.issuer,
      );
      expect(get(ingress, 'spec', 'tls', 0, 'hosts')).toEqual(
        [hosts?.frontend, hosts?.backend].filter(Boolean),
      );
    } else {
      expect(get(ingress, 'spec', 'tls')).toBeUndefined();
    }
    // the frontend's rule (its host, or any host) serves the app and its API prefix
    expect(rules[0]!.host).toBe(hosts?.frontend);
    expect(paths(rules[0]!)).toEqual([
      [prefix, 'backend'],
      ['/', 'frontend'],
    ]);
    const cors = get(objectsOf(files, 'ConfigMap')[0], 'data', 'CORS_ORIGINS');
    if (hosts?.backend) {
      expect(cors).toBe(hosts.frontend ? `${tls ? 'https' : 'http'}://${hosts.frontend}` : '*');
      expect(rules[1]).toMatchObject({ host: hosts.backend });
      expect(paths(rules[1]!)).toEqual([[prefix, 'backend']]);
      expect(fileText(files, 'deploy/frontend/Dockerfile')).toContain(
        `ARG VITE_API_BASE="${tls ? 'https' : 'http'}://${hosts.backend}"`,
      );
    } else {
      expect(cors).toBe('');
      expect(rules).toHaveLength(1);
      expect(fileText(files, 'deploy/frontend/Dockerfile')).toContain('ARG VITE_API_BASE=""');
    }
  });

  it('gets Redis and the relay exactly when the app has events', () => {
    const hasEvents = program.events.length > 0;
    const compose = parseYaml(fileText(files, 'deploy/docker-compose.yml')) as Obj;
    const services = Object.keys(compose.services as Obj);
    const workloads = kubernetesObjects(files).map(
      (o) => `${o.object.kind}/${o.object.metadata.name}`,
    );
    for (const name of ['redis', 'relay']) {
      expect(services.includes(name), name).toBe(hasEvents);
    }
    expect(workloads.includes('StatefulSet/redis')).toBe(hasEvents);
    expect(workloads.includes('Deployment/relay')).toBe(hasEvents);
    expect(fileText(files, 'deploy/docker-compose.yml').includes('REDIS_URL')).toBe(hasEvents);
  });

  it('builds a slim, non-root backend image with a cached dependency layer', () => {
    const dockerfile = fileText(files, 'deploy/backend/Dockerfile');
    const lines = dockerfile.split('\n');
    const at = (prefix: string) => lines.findIndex((l) => l.startsWith(prefix));
    expect(lines[0]).toBe('# syntax=docker/dockerfile:1');
    expect(dockerfile).toMatch(/^FROM python:3\.11-slim$/m);
    expect(at('COPY backend/requirements.txt')).toBeGreaterThan(0);
    expect(at('RUN pip install')).toBeGreaterThan(at('COPY backend/requirements.txt'));
    expect(at('COPY backend/ ./')).toBeGreaterThan(at('RUN pip install'));
    expect(dockerfile).toMatch(/^USER 10001:10001$/m);
    expect(dockerfile).toContain('ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]');
    expect(dockerfile).toContain('"app.main:app"');
    const frontend = fileText(files, 'deploy/frontend/Dockerfile');
    expect(frontend).toMatch(/^FROM node:20-alpine AS build$/m);
    expect(frontend).toMatch(/^FROM nginxinc\/nginx-unprivileged:[\d.]+-alpine$/m);
    expect(frontend).toContain('/etc/nginx/templates/default.conf.template');
    expect(files.find((f) => f.path === 'deploy/backend/entrypoint.sh')!.mode).toBe(0o755);
  });

  it('passes hadolint (Dockerfiles) and shellcheck (entrypoint) with no finding', () => {
    for (const path of ['deploy/backend/Dockerfile', 'deploy/frontend/Dockerfile']) {
      const lint = spawnSync(join(VENV_BIN, 'hadolint'), ['--no-color', '-'], {
        input: fileText(files, path),
        encoding: 'utf8',
      });
      expect(lint.status, `${path}: ${lint.stdout}${lint.stderr}`).toBe(0);
    }
    const shell = spawnSync(join(VENV_BIN, 'shellcheck'), ['-'], {
      input: fileText(files, 'deploy/backend/entrypoint.sh'),
      encoding: 'utf8',
    });
    expect(shell.status, shell.stdout).toBe(0);
  });

  it('migrates in the entrypoint only when MIGRATE_ON_START is set', () => {
    const dir = join(scratch, `entry-${_name.replace(/\W+/g, '-')}`);
    mkdirSync(join(dir, 'bin'), { recursive: true });
    const entrypoint = join(dir, 'entrypoint.sh');
    writeFileSync(entrypoint, fileText(files, 'deploy/backend/entrypoint.sh'));
    chmodSync(entrypoint, 0o755);
    const log = join(dir, 'calls.log');
    // a stand-in alembic that records how it was called
    writeFileSync(join(dir, 'bin', 'alembic'), `#!/bin/sh\necho "alembic $*" >> ${log}\n`);
    chmodSync(join(dir, 'bin', 'alembic'), 0o755);
    const run = (env: Record<string, string>) => {
      writeFileSync(log, '');
      const result = spawnSync(entrypoint, ['sh', '-c', `echo "server $0" >> ${log}`, 'up'], {
        encoding: 'utf8',
        env: { PATH: `${join(dir, 'bin')}:/usr/bin:/bin`, ...env },
      });
      expect(result.status, result.stderr).toBe(0);
      return readFileSync(log, 'utf8');
    };
    expect(run({})).toBe('server up\n');
    expect(run({ MIGRATE_ON_START: '0' })).toBe('server up\n');
    expect(run({ MIGRATE_ON_START: '1' })).toBe('alembic upgrade head\nserver up\n');
    expect(run({ MIGRATE_ON_START: 'true' })).toBe('alembic upgrade head\nserver up\n');
    // a failed migration stops the container instead of starting the server
    writeFileSync(join(dir, 'bin', 'alembic'), '#!/bin/sh\nexit 3\n');
    const failed = spawnSync(entrypoint, ['true'], {
      env: { PATH: `${join(dir, 'bin')}:/usr/bin:/bin`, MIGRATE_ON_START: '1' },
    });
    expect(failed.status).toBe(3);
  });

  it('emits YAML and Markdown already formatted (prettier --check)', async () => {
    for (const file of files) {
      const parser = /\.ya?ml$/.test(file.path)
        ? 'yaml'
        : file.path.endsWith('.md')
          ? 'markdown'
          : undefined;
      if (!parser) continue;
      const formatted = await prettier.check(file.content, { parser });
      expect(formatted, file.path).toBe(true);
    }
  });

  it('is deterministic and sorted', () => {
    const again = deployFiles(make());
    expect(again).toEqual(files);
    const paths = files.map((f) => f.path);
    expect(paths).toEqual([...paths].sort());
  });
});

function dclint(file: string): { status: number | null; output: string } {
  const result = spawnSync(
    join(REPO, 'node_modules', '.bin', 'dclint'),
    [file, '--max-warnings', '0', '--no-color'],
    { encoding: 'utf8' },
  );
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** `KEY: value` / `KEY=value` lines that give a secret-looking key a literal value. */
function literalSecrets(text: string): string[] {
  const found: string[] = [];
  const pattern =
    /^[ \t]*-?[ \t]*["']?([A-Z_]*(?:PASSWORD|SECRET|TOKEN|PRIVATE_KEY)[A-Z_]*|password|secret|token)["']?[ \t]*[:=][ \t]*(.*)$/gm;
  for (const m of text.matchAll(pattern)) {
    const value = m[2]!.trim().replace(/^["']|["']$/g, '');
    const reference =
      value === '' || /^\$\{[A-Z_]+:\?[^}]*\}$/.test(value) || value.startsWith('#');
    if (!reference && !/secretKeyRef|valueFrom/.test(value)) found.push(m[0].trim());
  }
  return found;
}

describe('the secret scanner itself', () => {
  it('finds a literal secret', () => {
    expect(literalSecrets('SECRET_KEY=abc123\n')).toHaveLength(1);
    expect(literalSecrets('  POSTGRES_PASSWORD: hunter2\n')).toHaveLength(1);
    expect(literalSecrets('POSTGRES_PASSWORD: ${POSTGRES_PASSWORD:-changeme}\n')).toHaveLength(1);
    expect(literalSecrets('POSTGRES_PASSWORD=\nSECRET_KEY: ${SECRET_KEY:?set it}\n')).toEqual([]);
  });
});

describe('the linters themselves', () => {
  it('hadolint and shellcheck do report findings', () => {
    const lint = spawnSync(join(VENV_BIN, 'hadolint'), ['--no-color', '-'], {
      input: 'FROM python\nRUN pip install fastapi\nCMD uvicorn app.main:app\n',
      encoding: 'utf8',
    });
    expect(lint.status).not.toBe(0);
    expect(lint.stdout).toContain('DL3006');
    const shell = spawnSync(join(VENV_BIN, 'shellcheck'), ['-'], {
      input: '#!/bin/sh\nexec $@\n',
      encoding: 'utf8',
    });
    expect(shell.status).not.toBe(0);
  });
});

describe('kubectl kustomize itself', () => {
  it('fails on a kustomization that lists a missing manifest', () => {
    const dir = mkdtempSync(join(scratch, 'kustomize-bad-'));
    writeFileSync(
      join(dir, 'kustomization.yaml'),
      'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - missing.yaml\n',
    );
    const rendered = spawnSync(join(VENV_BIN, 'kubectl'), ['kustomize', dir], { encoding: 'utf8' });
    expect(rendered.status).not.toBe(0);
  });
});

describe('dclint itself', () => {
  it('reports a Compose file that breaks its rules', () => {
    const dir = mkdtempSync(join(scratch, 'dclint-bad-'));
    const file = join(dir, 'docker-compose.yml');
    writeFileSync(
      file,
      'services:\n  web:\n    image: web\n    build: .\n    ports:\n      - "8080:80"\n',
    );
    const lint = dclint(file);
    expect(lint.status).not.toBe(0);
    expect(lint.output).toContain('no-build-and-image');
  });
});

describe('the Kubernetes validation itself', () => {
  it('rejects an unknown field and a wrong type', () => {
    const files = deployFiles(blogLike());
    const objects = kubernetesObjects(files).filter((o) => o.object.kind === 'Deployment');
    const broken = JSON.parse(JSON.stringify(objects)) as K8sObject[];
    (broken[0]!.object.spec as Obj).replicaCount = 2;
    (broken[1]!.object.spec as Obj).replicas = 'two';
    const results = validateKubernetes(broken, ['1.37.0']);
    expect(results.map((r) => r.error)).toEqual([
      expect.stringContaining("'replicaCount' was unexpected"),
      expect.stringContaining("'two' is not of type 'integer'"),
    ]);
  });

  it('and the Compose schema rejects an unknown service key', () => {
    const compose = parseYaml(
      fileText(deployFiles(blogLike()), 'deploy/docker-compose.yml'),
    ) as Obj;
    (get(compose, 'services', 'backend') as Obj).dependsOn = ['database'];
    expect(validateCompose(compose).join('\n')).toContain('additional properties');
  });
});

describe('the examples', () => {
  it('shop gets Redis and the relay, blog does not', () => {
    const servicesOf = (name: string) => {
      const files = deployFiles(example(name)());
      const compose = parseYaml(fileText(files, 'deploy/docker-compose.yml')) as Obj;
      const k8s = kubernetesObjects(files).map((o) => o.object.metadata.name);
      return { compose: Object.keys(compose.services as Obj), k8s };
    };
    const shop = servicesOf('shop');
    const blog = servicesOf('blog');
    for (const name of ['redis', 'relay']) {
      expect(shop.compose).toContain(name);
      expect(shop.k8s).toContain(name);
      expect(blog.compose).not.toContain(name);
      expect(blog.k8s).not.toContain(name);
    }
    expect(blog.compose.sort()).toEqual(['backend', 'database', 'frontend', 'migrate']);
  });
});
