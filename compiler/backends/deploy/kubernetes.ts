// k8s/: plain manifests tied together by kustomization.yaml. Every object is
// a plain value stringified by `yaml`; the tests validate each one against
// the Kubernetes OpenAPI schemas. Pods run as non-root with a read-only root
// filesystem (emptyDir where a process must write), and no Secret carries a
// value: README.md gives the kubectl command that creates it.
import {
  CONTAINER_PORTS,
  MIGRATE_COMMAND,
  RELAY_COMMAND,
  type Service,
} from '../../phases/3-optimize/architecture.js';
import {
  configName,
  databaseUrl,
  SECRET_KEYS,
  secretName,
  service,
  type DeployModel,
} from './model.js';
import { toYaml, toYamlDocuments } from './yaml.js';

export const K8S_DIR = 'deploy/k8s';
export const SECRET_TEMPLATE = 'secret.example.yaml';
/** UIDs of the stock images we run (postgres and redis alpine images). */
const POSTGRES_UID = 70;
const REDIS_UID = 999;
const REDIS_GID = 1000;

type Obj = Record<string, unknown>;

export interface KubernetesFile {
  name: string;
  objects: Obj[];
  /** listed in kustomization.yaml (the Secret template is not) */
  inKustomization: boolean;
}

function labels(m: DeployModel, component: string): Obj {
  return {
    'app.kubernetes.io/name': component,
    'app.kubernetes.io/instance': m.slug,
  };
}

function metadata(m: DeployModel, name: string, component?: string): Obj {
  const meta: Obj = { name, namespace: m.namespace };
  if (component) meta.labels = { ...labels(m, component), 'app.kubernetes.io/part-of': m.slug };
  return meta;
}

function resources(s: Service): Obj {
  const r = s.resources;
  if (!r) return {};
  return {
    requests: { cpu: r.cpu.request, memory: r.memory.request },
    limits: { cpu: r.cpu.limit, memory: r.memory.limit },
  };
}

function podSecurity(uid: number, gid = uid): Obj {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: gid,
    fsGroup: gid,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

const containerSecurity: Obj = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};

const emptyDir = (name: string): Obj => ({ name, emptyDir: {} });
const mount = (name: string, mountPath: string): Obj => ({ name, mountPath });

const fromConfig = (m: DeployModel, key: string): Obj => ({
  name: key,
  valueFrom: { configMapKeyRef: { name: configName(m), key } },
});
const fromSecret = (m: DeployModel, key: string): Obj => ({
  name: key,
  valueFrom: { secretKeyRef: { name: secretName(m), key } },
});

/** The backend image's environment; DATABASE_URL is assembled by the kubelet from the parts above it. */
function backendEnv(m: DeployModel): Obj[] {
  const env = [
    fromConfig(m, 'POSTGRES_USER'),
    fromConfig(m, 'POSTGRES_DB'),
    fromSecret(m, 'POSTGRES_PASSWORD'),
    {
      name: 'DATABASE_URL',
      value: databaseUrl('$(POSTGRES_USER)', '$(POSTGRES_PASSWORD)', 'database', '$(POSTGRES_DB)'),
    },
    fromSecret(m, 'SECRET_KEY'),
    fromConfig(m, 'ENVIRONMENT'),
    fromConfig(m, 'CORS_ORIGINS'),
  ];
  if (m.hasEvents) env.push(fromConfig(m, 'REDIS_URL'));
  return env;
}

function image(m: DeployModel, which: 'backend' | 'frontend'): string {
  // kustomization.yaml's `images` sets the registry and tag.
  return which === 'backend' ? m.backendImage : m.frontendImage;
}

function deployment(
  m: DeployModel,
  name: string,
  replicas: number,
  podSpec: Obj,
  strategy?: Obj,
): Obj {
  const spec: Obj = {
    replicas,
    selector: { matchLabels: labels(m, name) },
  };
  if (strategy) spec.strategy = strategy;
  spec.template = { metadata: { labels: labels(m, name) }, spec: podSpec };
  return { apiVersion: 'apps/v1', kind: 'Deployment', metadata: metadata(m, name, name), spec };
}

function clusterService(
  m: DeployModel,
  name: string,
  port: number,
  targetPort: string,
  headless = false,
): Obj {
  const spec: Obj = {};
  if (headless) spec.clusterIP = 'None';
  spec.selector = labels(m, name);
  spec.ports = [{ name: targetPort, port, targetPort, protocol: 'TCP' }];
  return { apiVersion: 'v1', kind: 'Service', metadata: metadata(m, name, name), spec };
}

function httpProbe(path: string, port: string, period: number, failures: number, delay = 0): Obj {
  const probe: Obj = { httpGet: { path, port } };
  if (delay > 0) probe.initialDelaySeconds = delay;
  probe.periodSeconds = period;
  probe.timeoutSeconds = 5;
  probe.failureThreshold = failures;
  return probe;
}

function execProbe(script: string, period: number, failures: number, delay = 0): Obj {
  const probe: Obj = { exec: { command: ['sh', '-c', script] } };
  if (delay > 0) probe.initialDelaySeconds = delay;
  probe.periodSeconds = period;
  probe.timeoutSeconds = 5;
  probe.failureThreshold = failures;
  return probe;
}

function namespace(m: DeployModel): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: m.namespace, labels: { 'app.kubernetes.io/part-of': m.slug } },
  };
}

function configMap(m: DeployModel): Obj {
  const data: Record<string, string> = {
    POSTGRES_DB: m.slug.replace(/-/g, '_'),
    POSTGRES_USER: m.slug.replace(/-/g, '_'),
    ENVIRONMENT: 'production',
    // The frontend's own origin needs no CORS; a separate API host does (any
    // origin when the frontend's host is not known: the API uses bearer tokens, not cookies).
    CORS_ORIGINS: m.hosts.backend ? (m.frontendOrigin ?? '*') : '',
    BACKEND_URL: `http://backend:${CONTAINER_PORTS.backend}`,
  };
  if (m.hasEvents) data.REDIS_URL = `redis://redis:${CONTAINER_PORTS.redis}/0`;
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: metadata(m, configName(m), 'config'),
    data,
  };
}

/** A template only: the keys, no values. README.md says how to create it. */
function secretTemplate(m: DeployModel): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: metadata(m, secretName(m), 'config'),
    type: 'Opaque',
    stringData: Object.fromEntries(SECRET_KEYS.map((k) => [k, ''])),
  };
}

function databaseObjects(m: DeployModel): Obj[] {
  const db = service(m, 'database');
  const container = {
    name: 'postgres',
    image: db.image,
    ports: [{ name: 'postgres', containerPort: CONTAINER_PORTS.database }],
    env: [
      fromConfig(m, 'POSTGRES_DB'),
      fromConfig(m, 'POSTGRES_USER'),
      fromSecret(m, 'POSTGRES_PASSWORD'),
      // a subfolder: the volume's root may hold lost+found
      { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
    ],
    readinessProbe: execProbe(
      'pg_isready -h 127.0.0.1 -U "$POSTGRES_USER" -d "$POSTGRES_DB"',
      5,
      6,
    ),
    livenessProbe: execProbe(
      'pg_isready -h 127.0.0.1 -U "$POSTGRES_USER" -d "$POSTGRES_DB"',
      20,
      6,
      30,
    ),
    resources: resources(db),
    securityContext: containerSecurity,
    volumeMounts: [
      mount('data', '/var/lib/postgresql/data'),
      mount('run', '/var/run/postgresql'),
      mount('tmp', '/tmp'),
    ],
  };
  const statefulSet = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: metadata(m, 'database', 'database'),
    spec: {
      serviceName: 'database',
      replicas: 1,
      selector: { matchLabels: labels(m, 'database') },
      template: {
        metadata: { labels: labels(m, 'database') },
        spec: {
          automountServiceAccountToken: false,
          securityContext: podSecurity(POSTGRES_UID),
          containers: [container],
          volumes: [emptyDir('run'), emptyDir('tmp')],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '5Gi' } } },
        },
      ],
    },
  };
  return [clusterService(m, 'database', CONTAINER_PORTS.database, 'postgres', true), statefulSet];
}

function redisObjects(m: DeployModel): Obj[] {
  const redis = service(m, 'redis');
  const statefulSet = {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: metadata(m, 'redis', 'redis'),
    spec: {
      serviceName: 'redis',
      replicas: 1,
      selector: { matchLabels: labels(m, 'redis') },
      template: {
        metadata: { labels: labels(m, 'redis') },
        spec: {
          automountServiceAccountToken: false,
          securityContext: podSecurity(REDIS_UID, REDIS_GID),
          containers: [
            {
              name: 'redis',
              image: redis.image,
              args: ['redis-server', '--appendonly', 'yes', '--dir', '/data'],
              ports: [{ name: 'redis', containerPort: CONTAINER_PORTS.redis }],
              readinessProbe: execProbe('redis-cli ping', 5, 6),
              livenessProbe: execProbe('redis-cli ping', 20, 6, 15),
              resources: resources(redis),
              securityContext: containerSecurity,
              volumeMounts: [mount('data', '/data'), mount('tmp', '/tmp')],
            },
          ],
          volumes: [emptyDir('tmp')],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: 'data' },
          spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
        },
      ],
    },
  };
  return [clusterService(m, 'redis', CONTAINER_PORTS.redis, 'redis'), statefulSet];
}

function backendPod(m: DeployModel, containers: Obj[], initContainers?: Obj[]): Obj {
  const spec: Obj = {
    automountServiceAccountToken: false,
    securityContext: podSecurity(m.backendUid),
  };
  if (initContainers) spec.initContainers = initContainers;
  spec.containers = containers;
  spec.volumes = [emptyDir('tmp')];
  return spec;
}

function migrateJob(m: DeployModel): Obj {
  const migrate = service(m, 'migrate');
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: metadata(m, 'migrate', 'migrate'),
    spec: {
      backoffLimit: 6,
      // Removed once done, so the next `kubectl apply -k` runs the new release's migrations.
      ttlSecondsAfterFinished: 600,
      template: {
        metadata: { labels: labels(m, 'migrate') },
        spec: {
          ...backendPod(m, [
            {
              name: 'migrate',
              image: image(m, 'backend'),
              command: migrate.command ?? MIGRATE_COMMAND,
              env: backendEnv(m),
              resources: resources(migrate),
              securityContext: containerSecurity,
              volumeMounts: [mount('tmp', '/tmp')],
            },
          ]),
          restartPolicy: 'Never',
        },
      },
    },
  };
}

function backendObjects(m: DeployModel): Obj[] {
  const backend = service(m, 'backend');
  const migrate = service(m, 'migrate');
  const prefix = m.apiPrefix.replace(/\/+$/, '');
  const scaling = backend.autoscaling ?? {
    minReplicas: backend.replicas ?? 1,
    maxReplicas: backend.replicas ?? 1,
  };
  const waitForMigrations = {
    name: 'wait-for-migrations',
    image: image(m, 'backend'),
    command: [
      'sh',
      '-c',
      'until alembic current 2>/dev/null | grep -q "(head)"; do echo "waiting for the migrate Job"; sleep 3; done',
    ],
    env: backendEnv(m),
    resources: resources(migrate),
    securityContext: containerSecurity,
    volumeMounts: [mount('tmp', '/tmp')],
  };
  const container = {
    name: 'backend',
    image: image(m, 'backend'),
    ports: [{ name: 'http', containerPort: CONTAINER_PORTS.backend }],
    env: backendEnv(m),
    readinessProbe: httpProbe(`${prefix}/ready`, 'http', 10, 3, 5),
    livenessProbe: httpProbe(`${prefix}/health`, 'http', 20, 3, 15),
    resources: resources(backend),
    securityContext: containerSecurity,
    volumeMounts: [mount('tmp', '/tmp')],
  };
  const hpa = {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: metadata(m, 'backend', 'backend'),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'backend' },
      minReplicas: scaling.minReplicas,
      maxReplicas: scaling.maxReplicas,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
      ],
    },
  };
  return [
    deployment(m, 'backend', scaling.minReplicas, backendPod(m, [container], [waitForMigrations])),
    clusterService(m, 'backend', CONTAINER_PORTS.backend, 'http'),
    hpa,
  ];
}

function relayObjects(m: DeployModel): Obj[] {
  const relay = service(m, 'relay');
  const container = {
    name: 'relay',
    image: image(m, 'backend'),
    command: relay.command ?? RELAY_COMMAND,
    env: backendEnv(m),
    resources: resources(relay),
    securityContext: containerSecurity,
    volumeMounts: [mount('tmp', '/tmp')],
  };
  // One relay at a time keeps each stream in outbox order.
  return [deployment(m, 'relay', 1, backendPod(m, [container]), { type: 'Recreate' })];
}

function frontendObjects(m: DeployModel): Obj[] {
  const frontend = service(m, 'frontend');
  const container = {
    name: 'frontend',
    image: image(m, 'frontend'),
    ports: [{ name: 'http', containerPort: CONTAINER_PORTS.frontend }],
    env: [fromConfig(m, 'BACKEND_URL')],
    readinessProbe: httpProbe('/ready', 'http', 10, 3),
    livenessProbe: httpProbe('/health', 'http', 20, 3, 5),
    resources: resources(frontend),
    securityContext: containerSecurity,
    // nginx renders its config into conf.d at start and keeps pid and temp files in /tmp.
    volumeMounts: [mount('conf', '/etc/nginx/conf.d'), mount('tmp', '/tmp')],
  };
  const pod = {
    automountServiceAccountToken: false,
    securityContext: podSecurity(m.frontendUid),
    containers: [container],
    volumes: [emptyDir('conf'), emptyDir('tmp')],
  };
  return [
    deployment(m, 'frontend', frontend.replicas ?? 1, pod),
    clusterService(m, 'frontend', 80, 'http'),
  ];
}

function ingress(m: DeployModel): Obj {
  const prefix = m.apiPrefix.replace(/\/+$/, '') || '/';
  const path = (p: string, name: string, port: number) => ({
    path: p,
    pathType: 'Prefix',
    backend: { service: { name, port: { number: port } } },
  });
  const api = path(prefix, 'backend', CONTAINER_PORTS.backend);
  const web = path('/', 'frontend', 80);
  const rule = (host: string | undefined, paths: Obj[]): Obj =>
    host ? { host, http: { paths } } : { http: { paths } };
  const rules: Obj[] = [];
  if (m.hosts.backend) {
    // The API has its own host; the frontend's host still proxies the prefix.
    rules.push(rule(m.hosts.frontend, [api, web]));
    rules.push(rule(m.hosts.backend, [api]));
  } else {
    rules.push(rule(m.hosts.frontend, [api, web]));
  }
  const meta = metadata(m, m.slug, 'ingress');
  const spec: Obj = {};
  if (m.tls) {
    meta.annotations = { 'cert-manager.io/cluster-issuer': m.tls.issuer };
    const hosts = [m.hosts.frontend, m.hosts.backend].filter((h): h is string => !!h);
    spec.tls = [
      hosts.length > 0 ? { hosts, secretName: `${m.slug}-tls` } : { secretName: `${m.slug}-tls` },
    ];
  }
  spec.rules = rules;
  return { apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: meta, spec };
}

export function kubernetesFiles(m: DeployModel): KubernetesFile[] {
  const files: KubernetesFile[] = [
    { name: 'namespace.yaml', objects: [namespace(m)], inKustomization: true },
    { name: 'configmap.yaml', objects: [configMap(m)], inKustomization: true },
    { name: SECRET_TEMPLATE, objects: [secretTemplate(m)], inKustomization: false },
    { name: 'database.yaml', objects: databaseObjects(m), inKustomization: true },
  ];
  if (m.hasEvents)
    files.push({ name: 'redis.yaml', objects: redisObjects(m), inKustomization: true });
  files.push(
    { name: 'migrate-job.yaml', objects: [migrateJob(m)], inKustomization: true },
    { name: 'backend.yaml', objects: backendObjects(m), inKustomization: true },
  );
  if (m.hasEvents)
    files.push({ name: 'relay.yaml', objects: relayObjects(m), inKustomization: true });
  files.push(
    { name: 'frontend.yaml', objects: frontendObjects(m), inKustomization: true },
    { name: 'ingress.yaml', objects: [ingress(m)], inKustomization: true },
  );
  return files;
}

export function kustomization(m: DeployModel, files: KubernetesFile[]): string {
  return toYaml(
    {
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      namespace: m.namespace,
      resources: files.filter((f) => f.inKustomization).map((f) => f.name),
      images: [
        { name: m.backendImage, newName: m.backendImage, newTag: m.version },
        { name: m.frontendImage, newName: m.frontendImage, newTag: m.version },
      ],
    },
    [
      ...m.header,
      `Create the Secret first (README.md), then: kubectl apply -k .`,
      'Point `images` at your registry: kustomize edit set image NAME=REGISTRY/NAME:TAG',
    ],
  );
}

export function kubernetesFileText(m: DeployModel, file: KubernetesFile): string {
  const header =
    file.name === SECRET_TEMPLATE
      ? [...m.header, 'A template without values: create the real Secret as README.md shows.']
      : m.header;
  return toYamlDocuments(file.objects, header);
}
