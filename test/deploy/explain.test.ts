// `bitcup explain`: the architecture, printed with the reasons.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatArchitecture } from '../../compiler/cli/commands/explain.js';
import { main } from '../../compiler/cli/main.js';
import { blogLike, shopLike } from './hand-ir.js';

describe('bitcup explain', () => {
  afterEach(() => vi.restoreAllMocks());

  it('lists every service of an app with events, with its sizing and reason', () => {
    const text = formatArchitecture(shopLike());
    const serviceLines = text.split('\n').filter((l) => /^\S+\s{2,}\S/.test(l));
    expect(serviceLines.map((l) => l.split(/\s+/)[0])).toEqual([
      'database',
      'migrate',
      'backend',
      'frontend',
      'redis',
      'relay',
    ]);
    expect(text).toContain('events published through Redis (OrderPlaced, OrderShipped)');
    expect(text).toContain('3 to 9 replicas (autoscaled on CPU)');
    expect(text).toContain('cpu 500m/1, memory 512Mi/1Gi');
    expect(text).toContain('runs `alembic upgrade head`');
    expect(text).toContain('why: the app publishes 2 events (OrderPlaced, OrderShipped)');
    expect(text).toContain('API at https://api.shop.example.com/api');
    expect(text).toContain('TLS from cert-manager issuer letsencrypt-prod');
  });

  it('says why an app without events has no Redis', () => {
    const text = formatArchitecture(blogLike());
    expect(text).toContain('4 services, no events, so no Redis and no relay');
    expect(text).not.toMatch(/^redis/m);
    expect(text).not.toMatch(/^relay/m);
    expect(text).toContain("frontend on any host; API on the frontend's origin under /api; no TLS");
  });

  it('explains the examples from the command line', async () => {
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const printed = async (entry: string) => {
      stdout.mockClear();
      expect(await main(['explain', entry])).toBe(0);
      return stdout.mock.calls.map((c) => String(c[0])).join('');
    };
    const shop = await printed('examples/shop.bitcup');
    expect(shop).toMatch(/^redis {2}/m);
    expect(shop).toMatch(/^relay {2}/m);
    expect(shop).toContain('Kubernetes: namespace shop; frontend at shop.example.com');
    const blog = await printed('examples/blog.bitcup');
    expect(blog).toContain('no events, so no Redis and no relay');
    expect(blog).not.toMatch(/^redis/m);
  });

  it('is a CLI command that reports a model it cannot compile, with exit code 1', async () => {
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const code = await main(['explain', 'test/deploy/no-such-model.bitcup']);
    expect(code).toBe(1);
    expect(stderr.mock.calls.map((c) => String(c[0])).join('')).toMatch(/error BC\d{4}/);
    expect(stdout).not.toHaveBeenCalled();
  });
});
