/** Loading profiles for browser tests through the upload API (the CleverTap format), as the logged-in admin. */
import type { BrowserContext } from 'playwright-core';
import type { RunningServer } from './server.js';
import { apiPost, type AdminSession } from './session.js';

export interface TestProfile {
  identity: string;
  properties: Record<string, unknown>;
}

/** Uploads profiles; fails the test if any record was not processed. */
export async function uploadProfiles(context: BrowserContext, server: RunningServer, session: AdminSession, profiles: TestProfile[]): Promise<void> {
  const result = await apiPost<{ status: string; processed: number; unprocessed: unknown[] }>(context, server, session, '/api/v1/upload', {
    d: profiles.map((profile) => ({ identity: profile.identity, type: 'profile', profileData: profile.properties })),
  });
  if (result.status !== 'success') throw new Error(`Upload was ${result.status}: ${JSON.stringify(result.unprocessed)}`);
}

/** Uploads events (`ts` in epoch seconds, as the upload API takes it). */
export async function uploadEvents(
  context: BrowserContext,
  server: RunningServer,
  session: AdminSession,
  events: Array<{ identity: string; name: string; properties?: Record<string, unknown>; ts: number }>,
): Promise<void> {
  const result = await apiPost<{ status: string; unprocessed: unknown[] }>(context, server, session, '/api/v1/upload', {
    d: events.map((event) => ({ identity: event.identity, type: 'event', evtName: event.name, evtData: event.properties ?? {}, ts: event.ts })),
  });
  if (result.status !== 'success') throw new Error(`Event upload was ${result.status}: ${JSON.stringify(result.unprocessed)}`);
}
