// The http client against a fake fetch: prefix, token, JSON, errors, 401.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, apiUrl, configureHttp, request } from './http';

function answer(status: number, body: unknown) {
  const fetch = vi.fn(async (_url: string, _init: RequestInit) => {
    return new Response(body === null ? null : JSON.stringify(body), { status });
  });
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

describe('http', () => {
  afterEach(() => vi.unstubAllGlobals());

  it('builds URLs under the prefix and leaves out empty query values', () => {
    configureHttp({ prefix: '/api/v1' });
    expect(apiUrl('/orders', { page: 1, q: '', status: null, sort: '-createdAt' })).toBe(
      '/api/v1/orders?page=1&sort=-createdAt',
    );
  });

  it('sends the bearer token and JSON, and parses the answer', async () => {
    configureHttp({ prefix: '/api', token: () => 'abc' });
    const fetch = answer(201, { id: '1' });
    const row = await request<{ id: string }>('POST', '/tags', { json: { name: 'x' } });
    expect(row.id).toBe('1');
    const init = fetch.mock.calls[0]![1];
    expect((init.headers as Record<string, string>)['Authorization']).toBe('Bearer abc');
    expect(init.body).toBe('{"name":"x"}');
  });

  it('turns a 422 into field errors by field name', async () => {
    configureHttp({ prefix: '/api', token: () => null });
    answer(422, { detail: [{ loc: ['body', 'price'], msg: 'A product in stock needs a price' }] });
    const error = await request('POST', '/products', { json: {} }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(422);
    expect((error as ApiError).fieldErrors).toEqual({ price: 'A product in stock needs a price' });
  });

  it('signs out on a 401 to a call that carried a token', async () => {
    const onUnauthorized = vi.fn();
    configureHttp({ prefix: '/api', token: () => 'expired', onUnauthorized });
    answer(401, { detail: 'Not authenticated' });
    await expect(request('GET', '/auth/me')).rejects.toThrow('Not authenticated');
    expect(onUnauthorized).toHaveBeenCalledOnce();
  });

  it('answers undefined for 204', async () => {
    configureHttp({ prefix: '/api', token: () => null });
    answer(204, null);
    await expect(request('DELETE', '/tags/1')).resolves.toBeUndefined();
  });
});
