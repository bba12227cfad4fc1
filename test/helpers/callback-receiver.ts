/**
 * A small HTTP server standing in for the product's callback endpoints in tests: it records every
 * request (method, path, headers, raw body) and answers with a status chosen per request, so a
 * test can check exactly what a provider (or the sandbox) posted and how it retries.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  /** The exact body bytes, as UTF-8. */
  body: string;
  at: number;
}

export interface CallbackReceiver {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  requests: ReceivedRequest[];
  /** Requests whose path is `path`. */
  on(path: string): ReceivedRequest[];
  /** Sets the answer status for each following request (default 200). */
  respond(status: (request: ReceivedRequest, index: number) => number): void;
  /** Resolves once `predicate` holds over the recorded requests; rejects after `timeoutMs`. */
  waitFor(predicate: (requests: ReceivedRequest[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function startCallbackReceiver(): Promise<CallbackReceiver> {
  const requests: ReceivedRequest[] = [];
  let statusOf: (request: ReceivedRequest, index: number) => number = () => 200;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: ReceivedRequest = {
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        at: Date.now(),
      };
      const index = requests.length;
      requests.push(request);
      res.writeHead(statusOf(request, index)).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    on: (path) => requests.filter((request) => request.path === path),
    respond: (status) => {
      statusOf = status;
    },
    waitFor: async (predicate, timeoutMs = 10_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(requests)) {
        if (Date.now() > deadline) throw new Error(`callback receiver: condition not met within ${timeoutMs} ms (${requests.length} requests received)`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
