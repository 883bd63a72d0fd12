// The keys of the `app` and `deploy` settings blocks: what each key takes.
// The generic `key value...` / `key { ... }` form is split and checked against
// these tables (settings.ts); the assembled objects are then parsed with the
// IR's zod schemas (AppSchema / DeploySchema).

export type SettingValueType = 'string' | 'int' | 'duration' | 'name';

export type KeySpec =
  | { kind: 'values'; types: readonly SettingValueType[]; min: number; required?: boolean }
  | { kind: 'block'; keys: BlockSpec; required?: boolean };

export type BlockSpec = Readonly<Record<string, KeySpec>>;

const one = (type: SettingValueType, required = false): KeySpec => ({
  kind: 'values',
  types: [type],
  min: 1,
  required,
});
/** `cpu "500m" "1"`: request then limit (the limit defaults to the request). */
const requestLimit: KeySpec = { kind: 'values', types: ['string', 'string'], min: 1 };

export const appSettings: BlockSpec = {
  title: one('string', true),
  version: one('string'),
  description: one('string'),
  auth: {
    kind: 'block',
    keys: {
      user: one('name', true),
      login: one('name', true),
      password: one('name', true),
      tokenTtl: one('duration'),
    },
  },
  api: { kind: 'block', keys: { prefix: one('string') } },
};

const resources = { cpu: requestLimit, memory: requestLimit };

export const deploySettings: BlockSpec = {
  compose: { kind: 'block', keys: { frontendPort: one('int'), backendPort: one('int') } },
  kubernetes: {
    kind: 'block',
    keys: {
      namespace: one('string'),
      hosts: { kind: 'block', keys: { frontend: one('string'), backend: one('string') } },
      tls: { kind: 'block', keys: { issuer: one('string', true) } },
      backend: {
        kind: 'block',
        keys: { replicas: one('int'), maxReplicas: one('int'), ...resources },
      },
      frontend: { kind: 'block', keys: { replicas: one('int'), ...resources } },
    },
  },
};

export const SETTINGS_DEFAULTS = {
  version: '0.1.0',
  tokenTtlSeconds: 30 * 60,
  apiPrefix: '/api',
  frontendPort: 8080,
  backendPort: 8000,
  backendReplicas: 1,
  /** maxReplicas defaults to this factor times replicas */
  maxReplicasFactor: 3,
  frontendReplicas: 1,
} as const;
