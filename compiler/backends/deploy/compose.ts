// docker-compose.yml and its .env.example. Every setting comes from `.env`
// (Compose reads it from this folder for interpolation); secrets have no
// default, so Compose refuses to start until they are set.
import {
  CONTAINER_PORTS,
  MIGRATE_COMMAND,
  RELAY_COMMAND,
} from '../../phases/3-optimize/architecture.js';
import { BACKEND_DOCKERFILE, FRONTEND_DOCKERFILE } from './images.js';
import { databaseUrl, service, type DeployModel } from './model.js';
import { toYaml } from './yaml.js';

export const COMPOSE_FILE = 'deploy/docker-compose.yml';
export const ENV_EXAMPLE = 'deploy/.env.example';

const required = (key: string) => `\${${key}:?set ${key} in .env (see .env.example)}`;
const withDefault = (key: string, value: string) => `\${${key}:-${value}}`;

/** The non-secret settings and their defaults, in .env.example order. */
function settings(model: DeployModel): [string, string, string][] {
  const deploy = model.program.deploy;
  return [
    ['POSTGRES_DB', model.slug.replace(/-/g, '_'), 'database name'],
    ['POSTGRES_USER', model.slug.replace(/-/g, '_'), 'database user'],
    ['ENVIRONMENT', 'production', 'the backend settings profile'],
    [
      'CORS_ORIGINS',
      '',
      'extra browser origins allowed to call the API (the frontend proxies it on its own origin)',
    ],
    [
      'BIND_ADDRESS',
      '127.0.0.1',
      'host address the ports are published on (0.0.0.0: every interface)',
    ],
    ['FRONTEND_PORT', String(deploy.compose.frontendPort), 'host port of the frontend'],
    ['BACKEND_PORT', String(deploy.compose.backendPort), 'host port of the backend API'],
  ];
}

function value(model: DeployModel, key: string): string {
  const found = settings(model).find(([k]) => k === key);
  return withDefault(key, found ? found[1] : '');
}

function backendEnvironment(model: DeployModel): Record<string, string> {
  const env: Record<string, string> = {
    DATABASE_URL: databaseUrl(
      value(model, 'POSTGRES_USER'),
      required('POSTGRES_PASSWORD'),
      'database',
      value(model, 'POSTGRES_DB'),
    ),
    SECRET_KEY: required('SECRET_KEY'),
    ENVIRONMENT: value(model, 'ENVIRONMENT'),
    CORS_ORIGINS: value(model, 'CORS_ORIGINS'),
  };
  if (model.hasEvents) env.REDIS_URL = `redis://redis:${CONTAINER_PORTS.redis}/0`;
  return env;
}

/** One build per service (BuildKit's cache makes the repeats free): dclint's no-build-and-image. */
const backendBuild = () => ({ build: { context: '..', dockerfile: BACKEND_DOCKERFILE } });

/** Service keys in the order dclint's service-keys-order rule expects. */
const KEY_ORDER = [
  'image',
  'build',
  'container_name',
  'depends_on',
  'volumes',
  'volumes_from',
  'configs',
  'secrets',
  'environment',
  'env_file',
  'ports',
  'networks',
  'network_mode',
  'extra_hosts',
  'command',
  'entrypoint',
  'working_dir',
  'restart',
  'healthcheck',
  'logging',
  'labels',
  'user',
  'isolation',
];

function ordered(service: Record<string, unknown>): Record<string, unknown> {
  const rank = (key: string) => {
    const at = KEY_ORDER.indexOf(key);
    return at === -1 ? KEY_ORDER.length : at;
  };
  return Object.fromEntries(Object.entries(service).sort(([a], [b]) => rank(a) - rank(b)));
}

/** Published on BIND_ADDRESS only (default loopback): set 0.0.0.0 in .env to serve other hosts. */
function published(model: DeployModel, key: string, containerPort: number) {
  return {
    target: containerPort,
    host_ip: value(model, 'BIND_ADDRESS'),
    published: value(model, key),
    protocol: 'tcp',
  };
}

export function composeFile(model: DeployModel): string {
  const prefix = model.apiPrefix.replace(/\/+$/, '');
  const services: Record<string, unknown> = {};
  const database = service(model, 'database');
  services.database = {
    image: database.image,
    restart: 'unless-stopped',
    environment: {
      POSTGRES_DB: value(model, 'POSTGRES_DB'),
      POSTGRES_USER: value(model, 'POSTGRES_USER'),
      POSTGRES_PASSWORD: required('POSTGRES_PASSWORD'),
    },
    healthcheck: {
      test: ['CMD-SHELL', 'pg_isready -U "$${POSTGRES_USER}" -d "$${POSTGRES_DB}"'],
      interval: '5s',
      timeout: '5s',
      retries: 20,
      start_period: '10s',
    },
    volumes: ['database-data:/var/lib/postgresql/data'],
  };
  if (model.hasEvents) {
    services.redis = {
      image: service(model, 'redis').image,
      restart: 'unless-stopped',
      command: ['redis-server', '--appendonly', 'yes'],
      healthcheck: {
        test: ['CMD', 'redis-cli', 'ping'],
        interval: '5s',
        timeout: '5s',
        retries: 20,
      },
      volumes: ['redis-data:/data'],
    };
  }
  const afterMigrate: Record<string, { condition: string }> = {
    database: { condition: 'service_healthy' },
    migrate: { condition: 'service_completed_successfully' },
  };
  if (model.hasEvents) afterMigrate.redis = { condition: 'service_healthy' };
  services.migrate = {
    ...backendBuild(),
    command: MIGRATE_COMMAND,
    environment: backendEnvironment(model),
    depends_on: { database: { condition: 'service_healthy' } },
    restart: 'no',
  };
  services.backend = {
    ...backendBuild(),
    restart: 'unless-stopped',
    environment: backendEnvironment(model),
    depends_on: afterMigrate,
    ports: [published(model, 'BACKEND_PORT', CONTAINER_PORTS.backend)],
    healthcheck: {
      test: [
        'CMD',
        'python',
        '-c',
        `import urllib.request; urllib.request.urlopen('http://127.0.0.1:${CONTAINER_PORTS.backend}${prefix}/health')`,
      ],
      interval: '10s',
      timeout: '5s',
      retries: 10,
      start_period: '10s',
    },
  };
  if (model.hasEvents) {
    services.relay = {
      ...backendBuild(),
      restart: 'unless-stopped',
      command: RELAY_COMMAND,
      environment: backendEnvironment(model),
      depends_on: afterMigrate,
    };
  }
  services.frontend = {
    build: {
      context: '..',
      dockerfile: FRONTEND_DOCKERFILE,
      args: { VITE_API_BASE: '' },
    },
    restart: 'unless-stopped',
    environment: { BACKEND_URL: `http://backend:${CONTAINER_PORTS.backend}` },
    depends_on: { backend: { condition: 'service_healthy' } },
    ports: [published(model, 'FRONTEND_PORT', CONTAINER_PORTS.frontend)],
  };
  const volumes: Record<string, Record<string, never>> = { 'database-data': {} };
  if (model.hasEvents) volumes['redis-data'] = {};
  const sorted = Object.fromEntries(
    Object.keys(services)
      .sort()
      .map((name) => [name, ordered(services[name] as Record<string, unknown>)]),
  );
  return toYaml({ name: model.slug, services: sorted, volumes }, [
    ...model.header,
    'Usage: cp .env.example .env, fill in the secrets, then docker compose up --build',
  ]);
}

export function envExample(model: DeployModel): string {
  const lines = [
    ...model.header.map((l) => `# ${l}`),
    '# Copy to .env (never commit .env) and fill in the secrets:',
    '#   cp .env.example .env',
    '# Make each secret with: python3 -c "import secrets; print(secrets.token_urlsafe(32))"',
    '',
    '# required, secret: the database password (URL-safe characters: it goes into DATABASE_URL)',
    'POSTGRES_PASSWORD=',
    '# required, secret: signs the access tokens',
    'SECRET_KEY=',
  ];
  for (const [key, defaultValue, what] of settings(model)) {
    lines.push('', `# ${what}`, `${key}=${defaultValue}`);
  }
  return lines.join('\n') + '\n';
}
