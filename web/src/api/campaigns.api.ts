import { apiRequest, type Page } from './client';
import type { TestMessageResult } from './types';
import type {
  ActivityEntry,
  Campaign,
  CampaignInput,
  CampaignState,
  LogStatus,
  MessageLogEntry,
  PreviewInput,
  PreviewResult,
  SendTestInput,
  TimelinePoint,
} from './campaigns.types';

const base = '/api/v1/campaigns';
const one = (id: string) => `${base}/${encodeURIComponent(id)}`;

export function listCampaigns(options: { state?: CampaignState | undefined; cursor?: string | null | undefined; signal?: AbortSignal }): Promise<Page<Campaign>> {
  return apiRequest('GET', base, { query: { state: options.state, cursor: options.cursor, limit: 50 }, signal: options.signal });
}

export function getCampaign(id: string): Promise<Campaign> {
  return apiRequest('GET', one(id));
}

export function createCampaign(input: CampaignInput): Promise<Campaign> {
  return apiRequest('POST', base, { body: input });
}

export function updateCampaign(id: string, patch: Partial<CampaignInput>): Promise<Campaign> {
  return apiRequest('PATCH', one(id), { body: patch });
}

export function deleteCampaign(id: string): Promise<void> {
  return apiRequest('DELETE', one(id));
}

export type CampaignAction = 'publish' | 'pause' | 'resume' | 'stop' | 'clone';

/** A state change (409 when the state does not allow it); `clone` answers the new draft. */
export function campaignAction(id: string, action: CampaignAction): Promise<Campaign> {
  return apiRequest('POST', `${one(id)}/${action}`);
}

export function previewCampaign(input: PreviewInput, signal?: AbortSignal): Promise<PreviewResult> {
  return apiRequest('POST', `${base}/preview`, { body: input, signal });
}

export function sendCampaignTest(input: SendTestInput): Promise<TestMessageResult> {
  return apiRequest('POST', `${base}/send-test`, { body: input });
}

export function campaignMessages(id: string, options: { status?: LogStatus | undefined; cursor?: string | null | undefined }): Promise<Page<MessageLogEntry>> {
  return apiRequest('GET', `${one(id)}/messages`, { query: { status: options.status, cursor: options.cursor, limit: 50 } });
}

/**
 * The CSV export of the (filtered) log: a plain link, the browser downloads it with the session
 * cookie. With a byte-order mark: people open it in Excel, which otherwise garbles non-ASCII names.
 */
export function campaignMessagesCsvUrl(id: string, status?: LogStatus): string {
  const query = new URLSearchParams({ format: 'csv', bom: 'true' });
  if (status) query.set('status', status);
  return `${one(id)}/messages?${query.toString()}`;
}

/** Who or what changed the campaign, newest first, a page at a time. */
export function campaignActivity(id: string, cursor: string | null, signal?: AbortSignal): Promise<Page<ActivityEntry>> {
  return apiRequest('GET', `${one(id)}/activity`, { query: { cursor, limit: 20 }, signal });
}

export async function campaignTimeline(id: string): Promise<TimelinePoint[]> {
  const result = await apiRequest<{ items: TimelinePoint[] }>('GET', `${one(id)}/timeline`);
  return result.items;
}

/** The server-sent events stream: event `campaign` carries the campaign JSON with `stats`. */
export function campaignEventsUrl(id: string): string {
  return `${one(id)}/events`;
}
