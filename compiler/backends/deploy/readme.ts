// deploy/README.md: how to run the app with Compose and Kubernetes, and the
// one documented command that creates the Kubernetes Secret.
import { CONTAINER_PORTS } from '../../phases/3-optimize/architecture.js';
import { BACKEND_DOCKERFILE, FRONTEND_DOCKERFILE } from './images.js';
import type { KubernetesFile } from './kubernetes.js';
import { SECRET_KEYS, secretName, type DeployModel } from './model.js';

export function deployReadme(m: DeployModel, k8s: KubernetesFile[]): string {
  const app = m.program.app;
  const compose = m.program.deploy.compose;
  const prefix = m.apiPrefix.replace(/\/+$/, '');
  const services = [...m.services.values()];
  const out: string[] = [];
  const para = (...lines: string[]) => out.push(...lines, '');
  const code = (lang: string, ...lines: string[]) => out.push('```' + lang, ...lines, '```', '');

  para(`# Deploying ${app.title}`);
  para(`<!-- ${m.header.join(' ')} -->`);
  para('Run `bitcup explain` on the model to see why each service is here.');
  para('## Services');
  for (const s of services) out.push(`- **${s.name}**: ${s.role}. ${s.reason}.`);
  out.push('');

  para('## Images');
  para('Both images build from the output folder (the parent of this one):');
  code(
    'sh',
    `docker build -f ${BACKEND_DOCKERFILE} -t ${m.backendImage}:${m.version} .`,
    `docker build -f ${FRONTEND_DOCKERFILE} -t ${m.frontendImage}:${m.version} .`,
  );
  para(
    `The backend image runs as UID ${m.backendUid}. Its entrypoint migrates the database only when \`MIGRATE_ON_START=1\`, which is for a single instance; otherwise the \`migrate\` service (Compose) or Job (Kubernetes) runs \`alembic upgrade head\` once per release.`,
  );
  para(
    `The frontend image serves the built app with nginx as UID ${m.frontendUid} on port ${CONTAINER_PORTS.frontend}; \`BACKEND_URL\` (default \`http://backend:${CONTAINER_PORTS.backend}\`) is where it proxies \`${prefix}/\`.`,
  );

  para('## Docker Compose');
  code(
    'sh',
    'cd deploy',
    'cp .env.example .env # then set POSTGRES_PASSWORD and SECRET_KEY',
    'docker compose up --build',
  );
  para(
    `The app is then on http://localhost:${compose.frontendPort} and the API on http://localhost:${compose.backendPort}${prefix}. The ports are published on \`BIND_ADDRESS\` (127.0.0.1 by default; set 0.0.0.0 in \`.env\` to serve other machines).`,
  );

  para('## Kubernetes');
  para(
    `The manifests in \`k8s/\` use the namespace \`${m.namespace}\`. Push the images to a registry, point \`images\` in \`k8s/kustomization.yaml\` at them, then create the Secret (it is never generated with values; \`k8s/secret.example.yaml\` lists its keys):`,
  );
  const literals = SECRET_KEYS.map(
    (k) =>
      `  --from-literal=${k}="$(python3 -c 'import secrets; print(secrets.token_urlsafe(32))')"`,
  );
  code(
    'sh',
    'kubectl apply -f k8s/namespace.yaml',
    `kubectl -n ${m.namespace} create secret generic ${secretName(m)} \\`,
    ...literals.map((l, i) => (i < literals.length - 1 ? `${l} \\` : l)),
    'kubectl apply -k k8s/',
  );
  para(
    `The \`migrate\` Job runs the migrations; backend pods wait for it before they start. Files: ${k8s.map((f) => `\`${f.name}\``).join(', ')}.`,
  );
  return out.join('\n').replace(/\n+$/, '') + '\n';
}
