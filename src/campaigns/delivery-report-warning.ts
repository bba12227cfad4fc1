/**
 * Warnings a campaign's report carries:
 * - `no_delivery_reports`: messages left, the provider accepted them, and no delivery report has
 *   reached their provider account since — the typical sign of a callback URL missing or wrong at
 *   the provider, which otherwise only shows as Delivered and Viewed staying at 0 (the most common
 *   complaint about such products' statistics);
 * - `provider_throttling`: while it sends, a delivery report said the provider throttled its
 *   account (provider-throttling.ts) — why it slowed down, and why some messages failed as
 *   rate limited;
 * - `messaging_limit`: when it was published, its audience was larger than what its account had
 *   left of WhatsApp's daily messaging limit (src/providers/messaging-limit.ts); recorded at
 *   publish, with the numbers of that moment.
 */
import type { CampaignState } from '../storage/schema.js';

/** Providers report SENT/DELIVERED within seconds; minutes of silence mean the reports do not come. */
export const REPORTS_EXPECTED_WITHIN_MS = 5 * 60 * 1000;
/** How long a throttling report is worth a warning: the slow-down it caused is over by then. */
export const THROTTLING_WARNING_MS = 10 * 60 * 1000;

export interface CampaignWarning {
  code: 'no_delivery_reports' | 'provider_throttling' | 'messaging_limit';
  message: string;
}

export interface WarningFacts {
  state: CampaignState;
  startedAt: number | null;
  stats: { sent: number; unknown: number; delivered: number; read: number };
  account: { nickname: string; lastReceiptAt: number | null; lastThrottledAt: number | null; deleted: boolean } | null;
  now: number;
}

export function campaignWarnings(facts: WarningFacts): CampaignWarning[] {
  const { state, startedAt, account } = facts;
  if (!account || account.deleted || startedAt === null || state === 'draft' || state === 'scheduled') return [];
  return [noDeliveryReports(facts, account, startedAt), providerThrottling(facts, account, startedAt)].filter((warning): warning is CampaignWarning => warning !== null);
}

type Account = NonNullable<WarningFacts['account']>;

function noDeliveryReports({ stats, now }: WarningFacts, account: Account, startedAt: number): CampaignWarning | null {
  const waitingForReports = stats.sent + stats.unknown;
  const reported = stats.delivered + stats.read;
  const silentSinceStart = account.lastReceiptAt === null || account.lastReceiptAt < startedAt;
  if (waitingForReports === 0 || reported > 0 || !silentSinceStart || now - startedAt < REPORTS_EXPECTED_WITHIN_MS) return null;
  return {
    code: 'no_delivery_reports',
    message:
      `No delivery report has reached the provider account "${account.nickname}" since this campaign started, so Delivered and Viewed stay at 0. ` +
      'Check that the provider has this account\'s delivery reports callback URL (Settings → Channels → WhatsApp → Providers), and look at its rejected callbacks.',
  };
}

function providerThrottling({ state, now }: WarningFacts, account: Account, startedAt: number): CampaignWarning | null {
  const { lastThrottledAt } = account;
  if (state !== 'running' && state !== 'paused') return null;
  if (lastThrottledAt === null || lastThrottledAt < startedAt || now - lastThrottledAt > THROTTLING_WARNING_MS) return null;
  return {
    code: 'provider_throttling',
    message:
      `The provider reported that the account "${account.nickname}" sent faster than it allows (throttling, e.g. WhatsApp error 130429) while this campaign was sending. ` +
      'Sending for the account slowed down and speeds up again gradually; messages the provider refused this way count under Failed as rate limited. ' +
      "If it happens again, lower the account's messages per second to the rate the provider allows.",
  };
}
