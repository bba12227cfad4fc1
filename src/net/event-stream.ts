/**
 * Server-sent events on a hijacked Fastify reply: the headers that keep proxies from buffering,
 * a comment every 15 s so idle connections stay open, and clean-up when the client goes away.
 */
import type { FastifyReply } from 'fastify';

export interface EventStream {
  /** Sends one event whose data is `json` (one line of JSON text). */
  send(event: string, json: string): void;
  /** Runs when the client disconnects or the stream is ended (and the heartbeat has stopped). */
  onClose(cleanUp: () => void): void;
  /** Ends the stream from the server's side (the client may reconnect, and is checked again). */
  end(): void;
  readonly closed: boolean;
}

const HEARTBEAT_MS = 15_000;

export function openEventStream(reply: FastifyReply): EventStream {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  raw.write(': connected\n\n');
  const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
  let closed = false;
  raw.on('close', () => {
    closed = true;
    clearInterval(heartbeat);
  });
  return {
    send(event, json) {
      if (!closed) raw.write(`event: ${event}\ndata: ${json}\n\n`);
    },
    onClose(cleanUp) {
      raw.on('close', cleanUp);
    },
    end() {
      if (!closed) raw.end();
    },
    get closed() {
      return closed;
    },
  };
}
