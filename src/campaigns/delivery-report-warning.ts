/**
 * Warnings a campaign's report carries. The one there is: messages left, the provider accepted
 * them, and no delivery report has reached their provider account since — the typical sign of
 * a callback URL missing or wrong at the provider, which otherwise only shows as Delivered and
 * Viewed staying at 0 (the most common complaint about such products' statistics).
 */
import type { CampaignState } from '../storage/schema.js';

/** Providers report SENT/DELIVERED within seconds; minutes of silence mean the reports do not come. */
export const REPORTS_EXPECTED_WITHIN_MS = 5 * 60 * 1000;

export interface CampaignWarning {
  code: 'no_delivery_reports';
  message: string;
}

export interface WarningFacts {
  state: CampaignState;
  startedAt: number | null;
  stats: { sent: number; unknown: number; delivered: number; read: number };
  account: { nickname: string; lastReceiptAt: number | null; deleted: boolean } | null;
  now: number;
}

export function campaignWarnings(facts: WarningFacts): CampaignWarning[] {
  const { state, startedAt, stats, account, now } = facts;
  if (!account || account.deleted || startedAt === null || state === 'draft' || state === 'scheduled') return [];
  const waitingForReports = stats.sent + stats.unknown;
  const reported = stats.delivered + stats.read;
  const silentSinceStart = account.lastReceiptAt === null || account.lastReceiptAt < startedAt;
  if (waitingForReports === 0 || reported > 0 || !silentSinceStart || now - startedAt < REPORTS_EXPECTED_WITHIN_MS) return [];
  return [
    {
      code: 'no_delivery_reports',
      message:
        `No delivery report has reached the provider account "${account.nickname}" since this campaign started, so Delivered and Viewed stay at 0. ` +
        'Check that the provider has this account\'s delivery reports callback URL (Settings → Channels → WhatsApp → Providers), and look at its rejected callbacks.',
    },
  ];
}
