// A hand-built IR for the deploy tests, validated by the IR schema, so the
// deploy backend can be tested before (and independently of) the front end.
import { ProgramSchema, type Deploy, type Program, type Span } from '../../compiler/ir/schema.js';

const span: Span = { file: 'hand.bitcup', line: 1, column: 1, offset: 0, length: 1 };

export interface HandProgramOptions {
  name: string;
  events?: string[];
  apiPrefix?: string;
  deploy?: Partial<Deploy['kubernetes']>;
}

/** LANGUAGE.md's deploy defaults, as the front end applies them. */
export function defaultDeploy(appName: string): Deploy {
  return {
    compose: { frontendPort: 8080, backendPort: 8000 },
    kubernetes: {
      namespace: appName.toLowerCase(),
      backend: { replicas: 1, maxReplicas: 3 },
      frontend: { replicas: 1 },
    },
  };
}

export function handProgram(options: HandProgramOptions): Program {
  const deploy = defaultDeploy(options.name);
  deploy.kubernetes = { ...deploy.kubernetes, ...options.deploy };
  return ProgramSchema.parse({
    irVersion: 1,
    app: {
      name: options.name,
      title: `${options.name} app`,
      version: '1.2.0',
      apiPrefix: options.apiPrefix ?? '/api',
      span,
    },
    deploy,
    enums: [],
    entities: [],
    joinTables: [],
    indexes: [],
    flows: [],
    behaviors: [],
    events: (options.events ?? []).map((name) => ({ name, stream: name, fields: [], span })),
    views: [],
    sources: [{ file: 'hand.bitcup', hash: '0' }],
  });
}

/** Like examples/shop.bitcup's deploy block: hosts, TLS, sized backend, events. */
export function shopLike(): Program {
  return handProgram({
    name: 'Shop',
    events: ['OrderPlaced', 'OrderShipped'],
    deploy: {
      namespace: 'shop',
      hosts: { frontend: 'shop.example.com', backend: 'api.shop.example.com' },
      tls: { issuer: 'letsencrypt-prod' },
      backend: {
        replicas: 3,
        maxReplicas: 9,
        cpu: { request: '500m', limit: '1' },
        memory: { request: '512Mi', limit: '1Gi' },
      },
      frontend: { replicas: 2 },
    },
  });
}

/** Like examples/blog.bitcup: no deploy block, no events. */
export function blogLike(): Program {
  return handProgram({ name: 'Blog' });
}
