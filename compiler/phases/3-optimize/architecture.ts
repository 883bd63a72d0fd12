// The architecture pass: decide which services the app runs as, and why.
// Deploy backends (Compose, Kubernetes) and `bitcup explain` read only its
// result, IR.architecture, so the choice is made once:
// - database: always (every entity lives in PostgreSQL);
// - migrate: a one-shot `alembic upgrade head` before the backend starts,
//   so replicas never race to migrate;
// - backend, frontend: always, sized by `deploy` (LANGUAGE.md defaults are
//   already applied by the front end);
// - redis + relay: only when the app declares events (outbox -> Redis Streams).
// Pure and total: it never throws, whatever the program. It reads only
// app, deploy and events, so the deploy files' dependsOn stays exact.
import type { Architecture, Program } from '../../ir/schema.js';

export type Service = Architecture['services'][number];
type Resources = NonNullable<Service['resources']>;

/** Images of the services we do not build; pinned by major version. */
export const SERVICE_IMAGES = {
  database: 'postgres:15-alpine',
  redis: 'redis:7-alpine',
} as const;

/** Ports inside the containers (Compose maps the model's ports onto these). */
export const CONTAINER_PORTS = {
  database: 5432,
  redis: 6379,
  backend: 8000,
  /** nginx-unprivileged listens on 8080: a non-root process cannot bind 80 */
  frontend: 8080,
} as const;

/** Requests/limits used when the model gives none: small, but enough to schedule and autoscale. */
export const DEFAULT_RESOURCES: Record<
  'database' | 'migrate' | 'backend' | 'frontend' | 'redis' | 'relay',
  Resources
> = {
  database: { cpu: { request: '250m', limit: '1' }, memory: { request: '256Mi', limit: '1Gi' } },
  migrate: {
    cpu: { request: '100m', limit: '500m' },
    memory: { request: '128Mi', limit: '256Mi' },
  },
  backend: { cpu: { request: '250m', limit: '1' }, memory: { request: '256Mi', limit: '512Mi' } },
  frontend: {
    cpu: { request: '50m', limit: '250m' },
    memory: { request: '32Mi', limit: '128Mi' },
  },
  redis: { cpu: { request: '50m', limit: '250m' }, memory: { request: '64Mi', limit: '256Mi' } },
  relay: { cpu: { request: '50m', limit: '250m' }, memory: { request: '96Mi', limit: '256Mi' } },
};

export const MIGRATE_COMMAND = ['alembic', 'upgrade', 'head'];
export const RELAY_COMMAND = ['python', '-m', 'app.events.relay'];

function resourcesOf(
  given: { cpu?: Resources['cpu']; memory?: Resources['memory'] },
  fallback: Resources,
): Resources {
  return { cpu: given.cpu ?? fallback.cpu, memory: given.memory ?? fallback.memory };
}

/** Compute the architecture of a program from its events and `deploy` settings. */
export function architectureOf(program: Program): Architecture {
  const k8s = program.deploy.kubernetes;
  const events = program.events.map((e) => e.name);
  const hasEvents = events.length > 0;
  const frontendReplicas = Math.max(1, k8s.frontend.replicas);
  const backendNeeds = hasEvents ? ['database', 'migrate', 'redis'] : ['database', 'migrate'];
  const minReplicas = Math.max(1, k8s.backend.replicas);
  const maxReplicas = Math.max(minReplicas, k8s.backend.maxReplicas);

  const services: Service[] = [
    {
      name: 'database',
      role: 'PostgreSQL 15 database',
      image: SERVICE_IMAGES.database,
      port: CONTAINER_PORTS.database,
      replicas: 1,
      needs: [],
      reason: 'always: every entity lives in PostgreSQL',
      resources: DEFAULT_RESOURCES.database,
    },
    {
      name: 'migrate',
      role: 'one-shot schema migration (Alembic), run once per release',
      needs: ['database'],
      reason:
        'migrations run once before the backend starts, so replicas never race to migrate (the backend waits for it)',
      resources: DEFAULT_RESOURCES.migrate,
      command: MIGRATE_COMMAND,
    },
    {
      name: 'backend',
      role: `FastAPI backend (API under ${program.app.apiPrefix})`,
      port: CONTAINER_PORTS.backend,
      replicas: minReplicas,
      needs: backendNeeds,
      reason: `always: serves the API; ${minReplicas} to ${maxReplicas} replicas (deploy.kubernetes.backend)`,
      autoscaling: { minReplicas, maxReplicas },
      resources: resourcesOf(k8s.backend, DEFAULT_RESOURCES.backend),
    },
    {
      name: 'frontend',
      role: `Vue app served by nginx, proxying ${program.app.apiPrefix} to the backend`,
      port: CONTAINER_PORTS.frontend,
      replicas: frontendReplicas,
      needs: ['backend'],
      reason: `always: serves the views; ${frontendReplicas} fixed replica${frontendReplicas === 1 ? '' : 's'} (deploy.kubernetes.frontend)`,
      resources: resourcesOf(k8s.frontend, DEFAULT_RESOURCES.frontend),
    },
  ];
  if (hasEvents) {
    const list = events.join(', ');
    services.push(
      {
        name: 'redis',
        role: 'Redis, holding one stream per published event',
        image: SERVICE_IMAGES.redis,
        port: CONTAINER_PORTS.redis,
        replicas: 1,
        needs: [],
        reason: `the app publishes ${events.length} event${events.length === 1 ? '' : 's'} (${list}) to Redis Streams`,
        resources: DEFAULT_RESOURCES.redis,
      },
      {
        name: 'relay',
        role: 'event relay: publishes the outbox to Redis Streams',
        replicas: 1,
        needs: ['database', 'migrate', 'redis'],
        reason: `moves ${list} from the outbox table to Redis and marks them sent, so a crash loses none; one replica keeps the order`,
        resources: DEFAULT_RESOURCES.relay,
        command: RELAY_COMMAND,
      },
    );
  }
  return { services, hasEvents };
}

/** The optimize-phase pass: returns the program with `architecture` filled. */
export function architecturePass(program: Program): Program {
  return { ...program, architecture: architectureOf(program) };
}

/** The architecture of a program, computed when the pass has not run yet. */
export function architectureFor(program: Program): Architecture {
  return program.architecture ?? architectureOf(program);
}
