// The two images we build: the backend (slim Python, non-root) and the
// frontend (Node build stage, nginx runtime). Both build from the output
// folder's root, so one Dockerfile can copy the app and its deploy files;
// `<Dockerfile>.dockerignore` next to each keeps the context small.
import { CodeWriter } from '../../emit/code-writer.js';
import { CONTAINER_PORTS, MIGRATE_COMMAND } from '../../phases/3-optimize/architecture.js';
import type { DeployModel } from './model.js';

export const BACKEND_DOCKERFILE = 'deploy/backend/Dockerfile';
export const BACKEND_ENTRYPOINT = 'deploy/backend/entrypoint.sh';
export const FRONTEND_DOCKERFILE = 'deploy/frontend/Dockerfile';
export const NGINX_TEMPLATE = 'deploy/frontend/default.conf.template';
/** Where the official nginx images look for envsubst templates. */
export const NGINX_TEMPLATE_DIR = '/etc/nginx/templates';
export const NGINX_HTML = '/usr/share/nginx/html';
export const FRONTEND_IMAGE_BASE = 'nginxinc/nginx-unprivileged:1.27-alpine';
export const BACKEND_IMAGE_BASE = 'python:3.11-slim';
export const NODE_IMAGE_BASE = 'node:20-alpine';
/** The variables the nginx template reads; the image substitutes only these. */
export const NGINX_TEMPLATE_VARIABLES = ['BACKEND_URL', 'NGINX_PORT', 'FRONTEND_ROOT'] as const;

function comment(w: CodeWriter, lines: string[]): void {
  for (const line of lines) w.line(`# ${line}`);
}

export function backendDockerfile(model: DeployModel): string {
  const w = new CodeWriter();
  w.line('# syntax=docker/dockerfile:1');
  comment(w, model.header);
  comment(w, [
    `Build from the output folder: docker build -f ${BACKEND_DOCKERFILE} -t ${model.backendImage} .`,
  ]);
  w.blank();
  w.line(`FROM ${BACKEND_IMAGE_BASE}`);
  w.blank();
  w.line('ENV PYTHONDONTWRITEBYTECODE=1 \\');
  w.indent(() => {
    w.line('PYTHONUNBUFFERED=1 \\');
    w.line('PIP_NO_CACHE_DIR=1 \\');
    w.line('PIP_DISABLE_PIP_VERSION_CHECK=1');
  });
  w.blank();
  w.line('WORKDIR /app');
  w.blank();
  comment(w, ['A fixed, numeric non-root user: Kubernetes runAsNonRoot can verify it.']);
  w.line(`RUN groupadd --system --gid ${model.backendUid} app \\`);
  w.indent(() =>
    w.line(
      `&& useradd --system --uid ${model.backendUid} --gid app --no-create-home --home-dir /app app`,
    ),
  );
  w.blank();
  comment(w, ['Dependencies first: this layer is rebuilt only when requirements.txt changes.']);
  w.line('COPY backend/requirements.txt ./requirements.txt');
  w.line('RUN pip install --no-compile -r requirements.txt');
  w.blank();
  w.line('COPY backend/ ./');
  w.line(`COPY --chmod=0755 ${BACKEND_ENTRYPOINT} /usr/local/bin/entrypoint.sh`);
  w.blank();
  w.line(`USER ${model.backendUid}:${model.backendUid}`);
  w.line(`EXPOSE ${CONTAINER_PORTS.backend}`);
  w.line('ENTRYPOINT ["/usr/local/bin/entrypoint.sh"]');
  w.line(
    `CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "${CONTAINER_PORTS.backend}", "--proxy-headers", "--forwarded-allow-ips", "*"]`,
  );
  return w.toString();
}

export function backendEntrypoint(model: DeployModel): string {
  const w = new CodeWriter('  ');
  w.line('#!/bin/sh');
  comment(w, model.header);
  comment(w, [
    'Migrations run once per release (the migrate service / Job), never by every',
    'replica. MIGRATE_ON_START=1 migrates first, for a single instance only.',
  ]);
  w.line('set -eu');
  w.blank();
  w.line('case "${MIGRATE_ON_START:-}" in');
  w.indent(() => {
    w.line('1 | true | yes)');
    w.indent(() => {
      w.line(`echo "entrypoint: MIGRATE_ON_START is set: ${MIGRATE_COMMAND.join(' ')}"`);
      w.line(MIGRATE_COMMAND.join(' '));
      w.line(';;');
    });
  });
  w.line('esac');
  w.blank();
  w.line('exec "$@"');
  return w.toString();
}

export function frontendDockerfile(model: DeployModel): string {
  const w = new CodeWriter();
  w.line('# syntax=docker/dockerfile:1');
  comment(w, model.header);
  comment(w, [
    `Build from the output folder: docker build -f ${FRONTEND_DOCKERFILE} -t ${model.frontendImage} .`,
  ]);
  w.blank();
  w.line(`FROM ${NODE_IMAGE_BASE} AS build`);
  w.line('WORKDIR /app');
  comment(w, ['Dependencies first: this layer is rebuilt only when the package files change.']);
  w.line('COPY frontend/package*.json ./');
  w.line('RUN --mount=type=cache,target=/root/.npm \\');
  w.indent(() =>
    w.line(
      'if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi',
    ),
  );
  w.line('COPY frontend/ ./');
  comment(w, [
    "Where the browser calls the API: empty = the page's own origin under the api",
    'prefix, which nginx proxies to the backend.',
  ]);
  w.line(`ARG VITE_API_BASE="${model.apiBaseUrl}"`);
  w.line('ENV VITE_API_BASE=$VITE_API_BASE');
  w.line('RUN npm run build');
  w.blank();
  comment(w, [
    'nginx as a non-root user; at start the image renders the templates in',
    `${NGINX_TEMPLATE_DIR} with envsubst (only the variables defined below).`,
  ]);
  w.line(`FROM ${FRONTEND_IMAGE_BASE}`);
  w.line(`ENV BACKEND_URL=http://backend:${CONTAINER_PORTS.backend} \\`);
  w.indent(() => {
    w.line(`NGINX_PORT=${CONTAINER_PORTS.frontend} \\`);
    w.line(`FRONTEND_ROOT=${NGINX_HTML} \\`);
    w.line(`NGINX_ENVSUBST_FILTER="^(${NGINX_TEMPLATE_VARIABLES.join('|')})"`);
  });
  w.line(`COPY ${NGINX_TEMPLATE} ${NGINX_TEMPLATE_DIR}/default.conf.template`);
  w.line(`COPY --from=build /app/dist ${NGINX_HTML}`);
  w.line(`USER ${model.frontendUid}`);
  w.line(`EXPOSE ${CONTAINER_PORTS.frontend}`);
  return w.toString();
}

/** The server block; rendered by envsubst into conf.d/default.conf at start. */
export function nginxTemplate(model: DeployModel): string {
  const prefix = model.apiPrefix.replace(/\/+$/, '') || '/api';
  const w = new CodeWriter();
  comment(w, model.header);
  comment(w, [
    'A template: ${BACKEND_URL}, ${NGINX_PORT} and ${FRONTEND_ROOT} come from the',
    "environment (the nginx image's envsubst step); nginx's own $variables stay.",
  ]);
  w.block(
    'server {',
    () => {
      w.line('listen ${NGINX_PORT};');
      w.line('server_name _;');
      w.line('root ${FRONTEND_ROOT};');
      w.line('index index.html;');
      w.line('server_tokens off;');
      w.line('client_max_body_size 10m;');
      w.blank();
      w.line('gzip on;');
      w.line(
        'gzip_types text/css application/javascript application/json image/svg+xml text/plain;',
      );
      w.blank();
      comment(w, ['The API, on the same origin: proxied to the backend unchanged.']);
      w.block(`location ${prefix}/ {`, () => proxy(w), '}');
      w.block(`location = ${prefix} {`, () => proxy(w), '}');
      w.blank();
      comment(w, ["Probes of the frontend itself (the backend's are under the api prefix)."]);
      w.block(
        'location = /health {',
        () => {
          w.line('access_log off;');
          w.line('default_type text/plain;');
          w.line('return 200 "ok\\n";');
        },
        '}',
      );
      w.block(
        'location = /ready {',
        () => {
          w.line('access_log off;');
          w.line('try_files /index.html =503;');
        },
        '}',
      );
      w.blank();
      comment(w, ['Vite names built assets by content hash: cache them for a year.']);
      w.block(
        'location /assets/ {',
        () => {
          w.line('add_header Cache-Control "public, max-age=31536000, immutable" always;');
          w.line('try_files $uri =404;');
        },
        '}',
      );
      w.blank();
      comment(w, ['Every other path is a route of the single-page app: serve index.html,']);
      comment(w, ['never cached, so a new release is picked up at once.']);
      w.block(
        'location / {',
        () => {
          w.line('add_header Cache-Control "no-cache" always;');
          w.line('try_files $uri $uri/ /index.html;');
        },
        '}',
      );
    },
    '}',
  );
  return w.toString();
}

function proxy(w: CodeWriter): void {
  w.line('proxy_pass ${BACKEND_URL};');
  w.line('proxy_http_version 1.1;');
  w.line('proxy_set_header Host $host;');
  w.line('proxy_set_header X-Real-IP $remote_addr;');
  w.line('proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;');
  w.line('proxy_set_header X-Forwarded-Proto $scheme;');
  w.line('proxy_read_timeout 60s;');
}

const COMMON_IGNORES = [
  '**/.git',
  '**/__pycache__',
  '**/*.pyc',
  '**/.env',
  'deploy/.env',
  '.bitcup',
];

/** BuildKit reads `<Dockerfile>.dockerignore` next to a Dockerfile. */
export function backendDockerignore(): string {
  return (
    [
      '# Only what the backend image needs.',
      '*',
      '!backend/',
      `!${BACKEND_ENTRYPOINT}`,
      ...COMMON_IGNORES,
      'backend/.venv',
      'backend/**/*.db',
      'backend/.pytest_cache',
      'backend/.ruff_cache',
    ].join('\n') + '\n'
  );
}

export function frontendDockerignore(): string {
  return (
    [
      '# Only what the frontend image needs.',
      '*',
      '!frontend/',
      `!${NGINX_TEMPLATE}`,
      ...COMMON_IGNORES,
      'frontend/node_modules',
      'frontend/dist',
    ].join('\n') + '\n'
  );
}
