/** Words and numbers of the campaign report. */
import type { Campaign, CampaignStats, LogStatus, MessageLogEntry, TimelinePoint } from '../../../api/campaigns.types';

export const count = (n: number) => n.toLocaleString('en');

/** `part` as a share of `whole`, e.g. "82%"; empty when there is no whole yet. */
export function percent(part: number, whole: number): string {
  if (whole <= 0) return '';
  const value = (part / whole) * 100;
  return `${value >= 10 || value === 0 ? Math.round(value) : value.toFixed(1)}%`;
}

export const SKIP_REASONS: ReadonlyArray<[keyof Omit<CampaignStats['skipped'], 'total'>, string]> = [
  ['notOptedIn', 'Not opted in'],
  ['dnd', 'DND'],
  ['invalidPhone', 'Invalid phone'],
  ['renderError', 'Missing placeholder value'],
  ['frequencyCap', 'Frequency cap'],
];

const SKIP_REASON_CODES: Record<string, string> = {
  not_opted_in: 'Not opted in',
  dnd: 'DND',
  invalid_phone: 'Invalid phone',
  render_error: 'Missing placeholder value',
  frequency_cap: 'Frequency cap',
};

/** A snake_case code as words: `invalid_number` → "Invalid number". */
export function humanise(code: string): string {
  const words = code.replace(/[_-]+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/**
 * The message log's status filter: a message's state now. `sent` and `delivered` hold only the
 * messages that got no further yet, while the report's Sent and Delivered numbers are cumulative
 * (a read message counts as sent and delivered): the labels say so, or "Sent" would list 2
 * messages next to a Sent of 40.
 */
export const LOG_STATUS_LABELS: Record<LogStatus, string> = {
  skipped: 'Skipped',
  queued: 'Queued or sending',
  sent: 'Sent, not delivered yet',
  delivered: 'Delivered, not read yet',
  read: 'Read',
  failed: 'Failed',
  unknown: 'Unknown',
  cancelled: 'Cancelled',
};

export function skipReasonLabel(code: string): string {
  return SKIP_REASON_CODES[code] ?? humanise(code);
}

/**
 * Failure categories (src/providers/provider.ts ErrorCategory) in a marketer's words: "Auth" or
 * "Media" alone say little, and the provider's own "not opted in" must not read like the skip
 * reason of the same name (those messages were sent and refused by the provider).
 */
const ERROR_CATEGORIES: Record<string, string> = {
  auth: 'Provider credentials refused',
  invalid_number: 'Invalid or non-WhatsApp number',
  not_opted_in: 'Not opted in at the provider',
  template_mismatch: 'Template not approved or parameters mismatch',
  outside_window: 'Outside the 24-hour window',
  media: 'Media could not be sent',
  rate_limited: 'Rate limited by the provider',
  provider_down: 'Provider unavailable',
  invalid_request: 'Request refused by the provider',
  blocked: 'Blocked by WhatsApp or the user',
  insufficient_funds: 'Insufficient funds',
  other: 'Other',
};

export function errorCategoryLabel(code: string): string {
  return ERROR_CATEGORIES[code] ?? humanise(code);
}

export interface FunnelStage {
  stage: string;
  value: number;
}

/** Targeted → Sent → Delivered → Read → Replied (→ Converted with a goal): each stage counts the ones that got that far. */
export function funnelOf(stats: CampaignStats, withConversion: boolean): FunnelStage[] {
  const stages: FunnelStage[] = [
    { stage: 'Targeted', value: stats.targeted },
    { stage: 'Sent', value: stats.sent },
    { stage: 'Delivered', value: stats.delivered },
    { stage: 'Read', value: stats.read },
    { stage: 'Replied', value: stats.replied },
  ];
  if (withConversion) stages.push({ stage: 'Converted', value: stats.converted });
  return stages;
}

/** The detail column of the message log: a skip's reason, or a failure's category, code and the provider's words. */
export function messageDetail(entry: Pick<MessageLogEntry, 'status' | 'skipReason' | 'errorCategory' | 'errorCode' | 'errorDetail'>): string {
  if (entry.status === 'skipped' && entry.skipReason) return skipReasonLabel(entry.skipReason);
  const parts = [entry.errorCategory ? errorCategoryLabel(entry.errorCategory) : null, entry.errorCode ? `code ${entry.errorCode}` : null, entry.errorDetail];
  // A provider's detail often only repeats the category or the code ("Other · code 100 · OTHER").
  const said = new Set<string>();
  return parts
    .filter((part): part is string => {
      if (!part) return false;
      const key = part.trim().toLowerCase().replace(/^code /, '');
      if (said.has(key)) return false;
      said.add(key);
      return true;
    })
    .join(' · ');
}

const MINUTE = 60_000;

/**
 * The timeline holds only the minutes in which something happened. Drawn as is, a burst of sends
 * at 10:00 and a reply at 14:00 would sit side by side joined by a line, as if messages had gone
 * out all afternoon: a zero point is added on each side of every quiet stretch, so the lines drop
 * to zero there (at most three points per minute with events, however long the campaign runs).
 */
export function timelineWithGaps(points: readonly TimelinePoint[]): TimelinePoint[] {
  const zero = (at: number): TimelinePoint => ({ at, sent: 0, delivered: 0, read: 0, failed: 0, replied: 0 });
  const result: TimelinePoint[] = [];
  points.forEach((point, index) => {
    const previous = points[index - 1];
    if (previous && point.at - previous.at > MINUTE) {
      result.push(zero(previous.at + MINUTE));
      if (point.at - previous.at > 2 * MINUTE) result.push(zero(point.at - MINUTE));
    }
    result.push(point);
  });
  return result;
}

type EmptyFacts = Pick<Campaign, 'state' | 'audienceMaterialized'> & { stats: Pick<CampaignStats, 'targeted'> };

const ENDED: ReadonlySet<Campaign['state']> = new Set(['completed', 'stopped', 'failed']);

/** What the message log says when it has no rows: why, for this campaign now. */
export function messageLogEmptyText(campaign: EmptyFacts, status: LogStatus | ''): string {
  if (status) return `No messages match “${LOG_STATUS_LABELS[status]}”.`;
  if (campaign.state === 'draft') return 'No messages yet: recipients appear here once the campaign is published.';
  // A campaign that ends (fails, is stopped…) before its recipients were added still adds them,
  // cancelled, so that it counts everyone it targeted.
  if (!campaign.audienceMaterialized) {
    return ENDED.has(campaign.state)
      ? 'The campaign ended before its recipients were added: they appear here as they are added, cancelled.'
      : 'Preparing the audience: recipients appear here as they are added.';
  }
  if (campaign.state === 'failed') return 'No messages: the campaign failed before any recipient was added.';
  return 'No recipients: the audience had no profiles when the campaign was published.';
}

/** What the timeline says when nothing happened yet: a campaign that ended sends nothing more. */
export function timelineEmptyText(campaign: EmptyFacts): string {
  if (ENDED.has(campaign.state)) return campaign.stats.targeted === 0 ? 'Nothing was sent: the campaign had no recipients.' : 'Nothing was sent.';
  return 'Nothing sent yet: the timeline fills in minute by minute once messages go out.';
}
