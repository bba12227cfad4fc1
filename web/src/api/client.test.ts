import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, apiRequest, apiUpload, fetchAllPages, setCsrfToken } from './client';

type FetchArgs = [string, RequestInit];

function answer(status: number, body: unknown, init: { raw?: boolean; statusText?: string } = {}) {
  const text = init.raw ? String(body) : body === undefined ? '' : JSON.stringify(body);
  return new Response(status === 204 ? null : text, { status, statusText: init.statusText ?? '' });
}

describe('apiRequest', () => {
  let calls: FetchArgs[];
  let next: () => Response | Promise<Response>;

  beforeEach(() => {
    calls = [];
    next = () => answer(200, {});
    vi.stubGlobal('fetch', (url: string, init: RequestInit) => {
      calls.push([url, init]);
      return Promise.resolve(next());
    });
    setCsrfToken(null);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    setCsrfToken(null);
  });

  it('uploads a form with the CSRF token and lets the browser set the multipart type', async () => {
    setCsrfToken('csrf-2');
    next = () => answer(202, { id: 'import-1' });
    const form = new FormData();
    form.append('file', new Blob(['identity\nu1\n'], { type: 'text/csv' }), 'people.csv');
    await expect(apiUpload('POST', '/api/v1/imports', form)).resolves.toEqual({ id: 'import-1' });
    const headers = calls[0]![1].headers as Record<string, string>;
    expect(headers['x-csrf-token']).toBe('csrf-2');
    expect(headers['content-type']).toBeUndefined();
    expect(calls[0]![1].body).toBe(form);
    next = () => answer(413, { error: { code: 'payload_too_large', message: 'The file is larger than the limit.' } });
    await expect(apiUpload('POST', '/api/v1/imports', form)).rejects.toMatchObject({ status: 413, code: 'payload_too_large' });
  });

  it('sends the CSRF token on state-changing requests only', async () => {
    setCsrfToken('csrf-1');
    await apiRequest('POST', '/api/v1/projects', { body: { name: 'A' } });
    await apiRequest('GET', '/api/v1/projects');
    await apiRequest('DELETE', '/api/v1/providers/1');
    const headers = calls.map(([, init]) => init.headers as Record<string, string>);
    expect(headers[0]!['x-csrf-token']).toBe('csrf-1');
    expect(headers[0]!['content-type']).toBe('application/json');
    expect(calls[0]![1].body).toBe('{"name":"A"}');
    expect(headers[1]!['x-csrf-token']).toBeUndefined();
    expect(headers[2]!['x-csrf-token']).toBe('csrf-1');
    expect(calls[0]![1].credentials).toBe('same-origin');
  });

  it('adds query parameters, leaving out empty ones', async () => {
    await apiRequest('GET', '/api/v1/templates', { query: { cursor: 'c 1', empty: '', none: null, limit: 5 } });
    expect(calls[0]![0]).toBe('/api/v1/templates?cursor=c+1&limit=5');
  });

  it('maps the error shape to an ApiError with code, message and field problems', async () => {
    next = () =>
      answer(422, {
        error: {
          code: 'validation_failed',
          message: 'namespace: must look like ABC:name',
          details: [{ path: 'namespace', message: 'must look like ABC:name' }, { junk: true }],
        },
      });
    const error = (await apiRequest('POST', '/api/v1/templates', { body: {} }).catch((caught: unknown) => caught)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(422);
    expect(error.code).toBe('validation_failed');
    expect(error.message).toBe('namespace: must look like ABC:name');
    expect(error.problems).toEqual([{ path: 'namespace', message: 'must look like ABC:name' }]);
  });

  it('reports a non-JSON error page by its status', async () => {
    next = () => answer(502, '<html>Bad gateway</html>', { raw: true, statusText: 'Bad Gateway' });
    const error = (await apiRequest('GET', '/api/v1/providers').catch((caught: unknown) => caught)) as ApiError;
    expect(error.status).toBe(502);
    expect(error.code).toBe('http_error');
    expect(error.message).toBe('The server answered 502 (Bad Gateway).');
    expect(error.problems).toEqual([]);
  });

  it('turns a network failure into status 0', async () => {
    vi.stubGlobal('fetch', () => Promise.reject(new TypeError('Failed to fetch')));
    const error = (await apiRequest('GET', '/api/v1/auth/me').catch((caught: unknown) => caught)) as ApiError;
    expect(error.status).toBe(0);
    expect(error.code).toBe('network_error');
  });

  it('returns undefined for 204', async () => {
    next = () => answer(204, undefined);
    await expect(apiRequest('POST', '/api/v1/auth/logout')).resolves.toBeUndefined();
  });

  it('follows nextCursor through every page', async () => {
    const pages = [
      { items: [1, 2], nextCursor: 'b' },
      { items: [3], nextCursor: 'c' },
      { items: [4], nextCursor: null },
    ];
    let index = 0;
    next = () => answer(200, pages[index++]);
    await expect(fetchAllPages<number>('/api/v1/providers')).resolves.toEqual([1, 2, 3, 4]);
    expect(calls.map(([url]) => url)).toEqual(['/api/v1/providers', '/api/v1/providers?cursor=b', '/api/v1/providers?cursor=c']);
  });

  it('stops when a cursor repeats instead of looping for ever', async () => {
    next = () => answer(200, { items: [1], nextCursor: 'same' });
    await expect(fetchAllPages<number>('/api/v1/providers')).resolves.toEqual([1, 1]);
  });
});
