// The architecture pass: which services an app gets, and how they are sized.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { compile } from '../../compiler/index.js';
import {
  architectureOf,
  architecturePass,
  DEFAULT_RESOURCES,
} from '../../compiler/phases/3-optimize/architecture.js';
import { ArchitectureSchema } from '../../compiler/ir/schema.js';
import { blogLike, handProgram, shopLike } from './hand-ir.js';
import { REPO } from './helpers.js';

const names = (services: { name: string }[]) => services.map((s) => s.name);

describe('architecture pass', () => {
  it('gives an app without events a database, a migrate step, backend and frontend only', () => {
    const { architecture } = architecturePass(blogLike());
    expect(ArchitectureSchema.parse(architecture)).toEqual(architecture);
    expect(architecture!.hasEvents).toBe(false);
    expect(names(architecture!.services)).toEqual(['database', 'migrate', 'backend', 'frontend']);
  });

  it('adds redis and the relay when the app publishes events, and says why', () => {
    const { architecture } = architecturePass(shopLike());
    expect(architecture!.hasEvents).toBe(true);
    expect(names(architecture!.services)).toEqual([
      'database',
      'migrate',
      'backend',
      'frontend',
      'redis',
      'relay',
    ]);
    const relay = architecture!.services.find((s) => s.name === 'relay')!;
    expect(relay.reason).toContain('OrderPlaced, OrderShipped');
    expect(relay.command).toEqual(['python', '-m', 'app.events.relay']);
    expect(relay.needs).toEqual(['database', 'migrate', 'redis']);
    const backend = architecture!.services.find((s) => s.name === 'backend')!;
    expect(backend.needs).toContain('redis');
  });

  it('runs migrations as a one-shot step the backend waits for', () => {
    const { architecture } = architecturePass(blogLike());
    const migrate = architecture!.services.find((s) => s.name === 'migrate')!;
    expect(migrate.command).toEqual(['alembic', 'upgrade', 'head']);
    expect(migrate.needs).toEqual(['database']);
    expect(architecture!.services.find((s) => s.name === 'backend')!.needs).toContain('migrate');
  });

  it("sizes the backend and frontend from deploy, with the model's resources", () => {
    const { architecture } = architecturePass(shopLike());
    const backend = architecture!.services.find((s) => s.name === 'backend')!;
    expect(backend.replicas).toBe(3);
    expect(backend.autoscaling).toEqual({ minReplicas: 3, maxReplicas: 9 });
    expect(backend.resources).toEqual({
      cpu: { request: '500m', limit: '1' },
      memory: { request: '512Mi', limit: '1Gi' },
    });
    expect(backend.port).toBe(8000);
    const frontend = architecture!.services.find((s) => s.name === 'frontend')!;
    expect(frontend.replicas).toBe(2);
    expect(frontend.resources).toEqual(DEFAULT_RESOURCES.frontend);
  });

  it('uses the defaults when deploy gives no sizes (replicas 1, max 3)', () => {
    const { architecture } = architecturePass(blogLike());
    const backend = architecture!.services.find((s) => s.name === 'backend')!;
    expect(backend.autoscaling).toEqual({ minReplicas: 1, maxReplicas: 3 });
    expect(backend.resources).toEqual(DEFAULT_RESOURCES.backend);
  });

  it('never lets maxReplicas fall below the minimum', () => {
    const program = handProgram({
      name: 'Odd',
      deploy: { backend: { replicas: 5, maxReplicas: 2 } },
    });
    const backend = architecturePass(program).architecture!.services.find(
      (s) => s.name === 'backend',
    )!;
    expect(backend.autoscaling).toEqual({ minReplicas: 5, maxReplicas: 5 });
  });

  it('is pure: the input program is not changed and the result is stable', () => {
    const program = shopLike();
    const before = JSON.stringify(program);
    const a = architecturePass(program);
    const b = architecturePass(program);
    expect(JSON.stringify(program)).toBe(before);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('runs in the optimize phase of compile(): every example carries its architecture', () => {
    for (const name of ['blog', 'shop', 'platform']) {
      const { program } = compile(join(REPO, 'examples', `${name}.bitcup`));
      expect(program?.architecture, name).toEqual(architectureOf(program!));
    }
  });
});
