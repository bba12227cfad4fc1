/**
 * Live streams (server-sent events) are authorised once, when they open, and then last as long
 * as the browser or client keeps them: without this, one opened with a session would go on
 * reporting the project's campaigns and conversations after that session logged out or expired,
 * and one opened with project API credentials after those were revoked (a leaked passcode is
 * revoked precisely to cut off whoever holds it).
 * - A session's streams end at once when it logs out on this node, and within a heartbeat (15 s)
 *   when it expired, logged out on another node, or can no longer open the project.
 * - A credential's streams end at once when it is revoked on this node, and within a heartbeat
 *   when it was revoked on another node.
 */
import type { FastifyRequest } from 'fastify';
import type { AppDeps } from '../deps.js';
import type { EventStream } from '../net/event-stream.js';
import { userCanOpenProject } from '../projects/projects.service.js';
import { sessionIsLive } from './sessions.service.js';
import { apiCredentialExists } from './api-credentials.service.js';

const RECHECK_MS = 15_000;

export function endWithSession(deps: Pick<AppDeps, 'db' | 'bus'>, request: FastifyRequest, stream: EventStream): void {
  const auth = request.auth;
  if (!auth) return;
  let unsubscribe: () => void;
  let stillAllowed: () => Promise<boolean>;
  if (auth.kind === 'session') {
    const { sessionId, userId, isAdmin } = auth.user;
    const projectId = auth.projectId;
    unsubscribe = deps.bus.on('session-ended', (ended) => {
      if (ended === sessionId) stream.end();
    });
    stillAllowed = async () =>
      (await sessionIsLive(deps.db, sessionId)) && (projectId === null || (await userCanOpenProject(deps.db, { id: userId, isAdmin }, projectId)));
  } else {
    const { credentialId } = auth;
    unsubscribe = deps.bus.on('credentials-revoked', (revoked) => {
      if (revoked === credentialId) stream.end();
    });
    stillAllowed = () => apiCredentialExists(deps.db, credentialId);
  }
  const recheck = setInterval(() => {
    void stillAllowed()
      .then((allowed) => {
        if (!allowed) stream.end();
      })
      .catch(() => {
        // The database did not answer: keep the stream, check again at the next round.
      });
  }, RECHECK_MS);
  recheck.unref();
  stream.onClose(() => {
    unsubscribe();
    clearInterval(recheck);
  });
}
