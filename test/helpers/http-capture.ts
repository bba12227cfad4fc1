/**
 * A local HTTP server (port 0) that records every request — method, path, query, headers, body, and
 * the client's socket — and answers with canned responses, so tests can assert exactly what an
 * adapter put on the wire and how it reads each documented answer. Canned answers can also hang
 * (no response: the client's request timeout fires), stall after the headers, or reset the socket
 * after reading the request.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface CapturedRequest {
  method: string;
  /** Path without the query string. */
  path: string;
  query: Record<string, string>;
  /** Lower-case names. */
  headers: Record<string, string>;
  body: string;
  /** Body decoded as a form, in order (only when the content type is form-urlencoded). */
  form: Array<[string, string]> | null;
  /** `remotePort` of the client socket: equal ports = one reused keep-alive connection. */
  clientPort: number;
}

export type CannedResponse =
  | { status: number; headers?: Record<string, string>; body?: string; /** Answer after this many ms. */ delayMs?: number }
  | { hang: true }
  | { stallAfterHeaders: number }
  | { reset: true };

export type Responder = (request: CapturedRequest) => CannedResponse;

export class CaptureServer {
  readonly requests: CapturedRequest[] = [];
  private readonly queue: CannedResponse[] = [];
  private responder: Responder = () => ({ status: 200, body: '' });
  private readonly sockets = new Set<Socket>();
  /** Requests being handled right now, and the most seen at once. */
  inFlight = 0;
  maxInFlight = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<CaptureServer> {
    let instance: CaptureServer | undefined;
    const server = createServer((req, res) => {
      void instance?.handle(req, res);
    });
    server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    instance = new CaptureServer(server, `http://127.0.0.1:${port}`);
    const sockets = instance.sockets;
    server.on('connection', (socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
    });
    return instance;
  }

  /** Answers the next requests with these, in order; afterwards the default responder answers. */
  respondWith(...responses: CannedResponse[]): void {
    this.queue.push(...responses);
  }

  /** The answer for requests when the queue is empty. */
  setResponder(responder: Responder): void {
    this.responder = responder;
  }

  /** Forgets recorded requests and queued answers. */
  reset(): void {
    this.requests.length = 0;
    this.queue.length = 0;
    this.maxInFlight = 0;
  }

  last(): CapturedRequest {
    const request = this.requests.at(-1);
    if (!request) throw new Error('the capture server has received no request');
    return request;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    res.on('close', () => this.inFlight--);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://capture');
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    const isForm = (headers['content-type'] ?? '').includes('application/x-www-form-urlencoded');
    const captured: CapturedRequest = {
      method: req.method ?? '',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body,
      form: isForm ? [...new URLSearchParams(body)] : null,
      clientPort: req.socket.remotePort ?? 0,
    };
    this.requests.push(captured);
    const canned = this.queue.shift() ?? this.responder(captured);
    if ('hang' in canned) return;
    if ('reset' in canned) {
      req.socket.destroy();
      return;
    }
    if ('stallAfterHeaders' in canned) {
      res.writeHead(canned.stallAfterHeaders, { 'content-type': 'application/json', 'content-length': '100' });
      res.write('{"partial":');
      return;
    }
    if (canned.delayMs) await new Promise((resolve) => setTimeout(resolve, canned.delayMs));
    res.writeHead(canned.status, canned.headers ?? { 'content-type': 'application/json' });
    res.end(canned.body ?? '');
  }
}

/** A URL on which nothing listens (a port that was just opened and closed). */
export async function refusedUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
