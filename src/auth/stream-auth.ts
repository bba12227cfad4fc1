/**
 * Live streams (server-sent events) are authorised once, when they open, and then last as long
 * as the browser keeps them: without this, one opened with a session would go on reporting the
 * project's campaigns and conversations after that session logged out or expired. A session's
 * streams end at once when it logs out on this node, and within a heartbeat (15 s) when it
 * expired, logged out on another node, or can no longer open the project. Streams opened with
 * project API credentials are not watched: those credentials cannot be revoked.
 */
import type { FastifyRequest } from 'fastify';
import type { AppDeps } from '../deps.js';
import type { EventStream } from '../net/event-stream.js';
import { userCanOpenProject } from '../projects/projects.service.js';
import { sessionIsLive } from './sessions.service.js';

const RECHECK_MS = 15_000;

export function endWithSession(deps: Pick<AppDeps, 'db' | 'bus'>, request: FastifyRequest, stream: EventStream): void {
  const auth = request.auth;
  if (auth?.kind !== 'session') return;
  const { sessionId, userId, isAdmin } = auth.user;
  const projectId = auth.projectId;
  const unsubscribe = deps.bus.on('session-ended', (ended) => {
    if (ended === sessionId) stream.end();
  });
  const recheck = setInterval(() => {
    void (async () => {
      const live = (await sessionIsLive(deps.db, sessionId)) && (projectId === null || (await userCanOpenProject(deps.db, { id: userId, isAdmin }, projectId)));
      if (!live) stream.end();
    })().catch(() => {
      // The database did not answer: keep the stream, check again at the next round.
    });
  }, RECHECK_MS);
  recheck.unref();
  stream.onClose(() => {
    unsubscribe();
    clearInterval(recheck);
  });
}
