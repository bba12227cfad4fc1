/**
 * Server-sent events on a hijacked Fastify reply: the headers that keep proxies from buffering,
 * a comment every 15 s so idle connections stay open, and clean-up when the client goes away.
 * The server ends every open stream when it closes: a stream never ends on its own, and the HTTP
 * server's close waits for every open connection, so one dashboard tab left open on a campaign
 * would keep `wacast serve` from stopping on SIGTERM.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';

declare module 'fastify' {
  interface FastifyInstance {
    /** Event streams open on this server (endLiveStreamsOnClose). */
    liveStreams?: Set<EventStream>;
  }
}

/** Ends the open event streams when `app` closes, before its HTTP server waits for connections. */
export function endLiveStreamsOnClose(app: FastifyInstance): void {
  const streams = new Set<EventStream>();
  app.decorate('liveStreams', streams);
  app.addHook('preClose', (done) => {
    if (streams.size > 0) app.log.info({ streams: streams.size }, 'shutting down: ending the live event streams (the dashboard reconnects to another node or once the server is back)');
    for (const stream of [...streams]) stream.end();
    done();
  });
}

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

/**
 * The 200 answer of an event-stream route, for the OpenAPI document: `text/event-stream`, what
 * its events carry, and the comment lines every stream sends. The route hijacks the reply, so
 * Fastify never applies this schema to what is written.
 * @param events each event name with what its one `data:` line of JSON holds
 * @param example one event as it appears on the wire (`event: …\ndata: …\n\n`)
 */
export function eventStreamResponse(events: Record<string, string>, example: string) {
  const list = Object.entries(events)
    .map(([name, data]) => `\`event: ${name}\` with \`data:\` ${data}`)
    .join('; ');
  return {
    description: `A stream of server-sent events that stays open until the client or the server ends it (the server ends it on shutdown, and when the session or API credentials that opened it end or can no longer open the project: reconnect to continue). Events: ${list}. The stream starts with the comment line \`: connected\` and sends \`: keep-alive\` every ${HEARTBEAT_MS / 1000} s.`,
    content: {
      'text/event-stream': {
        schema: z
          .string()
          .describe('Server-sent events (text/event-stream): `event: <name>` and `data: <one line of JSON>` lines, each event ended by a blank line; lines starting with `:` are comments.')
          .meta({ examples: [`: connected\n\n${example}`] }),
      },
    },
  };
}

export function openEventStream(reply: FastifyReply): EventStream {
  reply.hijack();
  const raw = reply.raw;
  raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
  raw.write(': connected\n\n');
  const heartbeat = setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS);
  let closed = false;
  const open = reply.server.liveStreams;
  raw.on('close', () => {
    closed = true;
    clearInterval(heartbeat);
    open?.delete(stream);
  });
  const stream: EventStream = {
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
  open?.add(stream);
  return stream;
}
