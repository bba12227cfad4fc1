import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CaptureServer, refusedUrl } from '../../test/helpers/http-capture.js';
import { HttpClient, type HttpOutcome } from './http.client.js';

let server: CaptureServer;
const clients: HttpClient[] = [];

function client(options: ConstructorParameters<typeof HttpClient>[0] = {}): HttpClient {
  const created = new HttpClient(options);
  clients.push(created);
  return created;
}

function post(http: HttpClient, url: string, body = 'a=1'): Promise<HttpOutcome> {
  return http.request({ method: 'POST', url, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
}

beforeAll(async () => {
  server = await CaptureServer.start();
});
afterEach(async () => {
  server.reset();
  server.setResponder(() => ({ status: 200, body: '' }));
  await Promise.all(clients.splice(0).map((c) => c.close()));
});
afterAll(async () => {
  await server.close();
});

describe('HttpClient', () => {
  it('returns the status, lower-cased headers and body of a response, whatever the status', async () => {
    server.respondWith({ status: 418, headers: { 'Content-Type': 'text/plain', 'Retry-After': '3' }, body: 'teapot' });
    const outcome = await post(client(), `${server.url}/x?y=1`);
    expect(outcome).toMatchObject({ kind: 'response', status: 418, body: 'teapot', truncated: false });
    expect(outcome.kind === 'response' && outcome.headers).toMatchObject({ 'content-type': 'text/plain', 'retry-after': '3' });
    expect(server.last()).toMatchObject({ method: 'POST', path: '/x', query: { y: '1' }, body: 'a=1' });
  });

  it('reuses keep-alive connections for sequential requests', async () => {
    const http = client();
    for (let i = 0; i < 10; i++) expect(await post(http, server.url)).toMatchObject({ kind: 'response', status: 200 });
    // undici marks a connection free a tick after its response ends, so back-to-back requests
    // alternate between two sockets — but never open a new one per request.
    expect(new Set(server.requests.map((r) => r.clientPort)).size).toBeLessThanOrEqual(2);
  });

  it('never opens more connections per origin than configured; extra requests queue', async () => {
    server.setResponder(() => ({ status: 200, body: 'ok', delayMs: 30 }));
    const http = client({ connections: 2 });
    const outcomes = await Promise.all(Array.from({ length: 10 }, () => post(http, server.url)));
    expect(outcomes.every((o) => o.kind === 'response' && o.status === 200)).toBe(true);
    expect(server.maxInFlight).toBeLessThanOrEqual(2);
    expect(new Set(server.requests.map((r) => r.clientPort)).size).toBeLessThanOrEqual(2);
  });

  it('connection refused → not_sent, retryable', async () => {
    expect(await post(client(), await refusedUrl())).toMatchObject({ kind: 'not_sent', code: 'ECONNREFUSED', retryable: true });
  });

  it('DNS failure → not_sent, retryable', async () => {
    const outcome = await post(client(), 'http://wacast-test.invalid/');
    expect(outcome).toMatchObject({ kind: 'not_sent', retryable: true });
    expect(outcome.kind === 'not_sent' && outcome.code).toMatch(/ENOTFOUND|EAI_AGAIN/);
  });

  describe('with a TCP server that accepts and never answers', () => {
    let silent: TcpServer;
    const held: Socket[] = [];
    beforeAll(async () => {
      silent = createTcpServer((socket) => held.push(socket));
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    });
    afterAll(async () => {
      held.forEach((s) => s.destroy());
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    });

    it('a TLS handshake that never completes → connect timeout → not_sent', async () => {
      const { port } = silent.address() as AddressInfo;
      const outcome = await post(client({ connectTimeoutMs: 200 }), `https://127.0.0.1:${port}/`);
      expect(outcome).toMatchObject({ kind: 'not_sent', code: 'UND_ERR_CONNECT_TIMEOUT', retryable: true });
    });
  });

  it('a TLS failure before sending (HTTPS to a plain-HTTP port) → not_sent', async () => {
    const outcome = await post(client(), server.url.replace('http:', 'https:'));
    expect(outcome).toMatchObject({ kind: 'not_sent', retryable: true });
    expect(server.requests.filter((r) => r.method === 'POST')).toHaveLength(0);
  });

  it('no response headers within the request timeout → unknown (the request was written)', async () => {
    server.respondWith({ hang: true });
    const outcome = await post(client({ requestTimeoutMs: 200 }), server.url);
    expect(outcome).toMatchObject({ kind: 'unknown', code: 'UND_ERR_HEADERS_TIMEOUT' });
    expect(server.requests).toHaveLength(1);
  });

  it('a body that stalls after the headers → unknown', async () => {
    server.respondWith({ stallAfterHeaders: 200 });
    const outcome = await post(client({ requestTimeoutMs: 200 }), server.url);
    expect(outcome).toMatchObject({ kind: 'unknown', code: 'UND_ERR_BODY_TIMEOUT' });
  });

  it('a socket reset after the request was read → unknown', async () => {
    server.respondWith({ reset: true });
    const outcome = await post(client(), server.url);
    expect(outcome.kind).toBe('unknown');
    expect(server.requests).toHaveLength(1);
  });

  it('an invalid URL → not_sent, not retryable', async () => {
    expect(await post(client(), 'ftp://example.com/')).toMatchObject({ kind: 'not_sent', retryable: false });
    expect(await post(client(), 'not a url')).toMatchObject({ kind: 'not_sent', code: 'ERR_INVALID_URL', retryable: false });
  });

  it('a closed client answers not_sent', async () => {
    const http = client();
    await http.close();
    expect(await post(http, server.url)).toMatchObject({ kind: 'not_sent', code: 'UND_ERR_CLOSED' });
  });

  it('cuts bodies longer than maxResponseBytes', async () => {
    server.respondWith({ status: 200, body: 'x'.repeat(5000) });
    const outcome = await post(client({ maxResponseBytes: 1000 }), server.url);
    expect(outcome).toMatchObject({ kind: 'response', truncated: true });
    expect(outcome.kind === 'response' && outcome.body.length).toBe(1000);
  });
});
