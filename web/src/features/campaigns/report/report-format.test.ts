import { describe, expect, it } from 'vitest';
import type { CampaignStats } from '../../../api/campaigns.types';
import { errorCategoryLabel, funnelOf, humanise, LOG_STATUS_LABELS, messageDetail, percent, skipReasonLabel, messageLogEmptyText, timelineEmptyText, timelineWithGaps } from './report-format';

const stats: CampaignStats = {
  targeted: 10,
  skipped: { notOptedIn: 1, dnd: 0, invalidPhone: 1, renderError: 0, frequencyCap: 0, total: 2 },
  queued: 0,
  sent: 8,
  delivered: 7,
  read: 5,
  failed: 0,
  unknown: 0,
  cancelled: 0,
  replied: 2,
  converted: 1,
  failedByCategory: {},
};

describe('report format', () => {
  it('gives shares with sensible precision', () => {
    expect(percent(7, 8)).toBe('88%');
    expect(percent(1, 300)).toBe('0.3%');
    expect(percent(0, 5)).toBe('0%');
    expect(percent(3, 0)).toBe('');
  });

  it('orders the funnel and adds Converted only with a goal', () => {
    expect(funnelOf(stats, false).map((stage) => `${stage.stage}:${stage.value}`)).toEqual(['Targeted:10', 'Sent:8', 'Delivered:7', 'Read:5', 'Replied:2']);
    expect(funnelOf(stats, true).at(-1)).toEqual({ stage: 'Converted', value: 1 });
  });

  it('names skip reasons and error categories in words', () => {
    expect(skipReasonLabel('render_error')).toBe('Missing placeholder value');
    expect(skipReasonLabel('not_opted_in')).toBe('Not opted in');
    expect(humanise('invalid_number')).toBe('Invalid number');
  });

  it('labels the log filter by state now, apart from the cumulative Sent and Delivered numbers', () => {
    expect(LOG_STATUS_LABELS.sent).toBe('Sent, not delivered yet');
    expect(LOG_STATUS_LABELS.delivered).toBe('Delivered, not read yet');
    expect(LOG_STATUS_LABELS.queued).toBe('Queued or sending');
    expect(LOG_STATUS_LABELS.skipped).toBe('Skipped');
  });

  it('names failure categories in words a marketer reads, apart from the skip reasons', () => {
    expect(errorCategoryLabel('auth')).toBe('Provider credentials refused');
    expect(errorCategoryLabel('media')).toBe('Media could not be sent');
    expect(errorCategoryLabel('not_opted_in')).not.toBe(skipReasonLabel('not_opted_in'));
    expect(errorCategoryLabel('some_new_category')).toBe('Some new category');
  });

  it('gives a failure its category, code and the provider\'s words, each once', () => {
    const failed = { status: 'failed', skipReason: null, errorCategory: 'other', errorCode: '100', errorDetail: 'OTHER' };
    expect(messageDetail(failed)).toBe('Other · code 100');
    expect(messageDetail({ ...failed, errorDetail: '100' })).toBe('Other · code 100');
    expect(messageDetail({ ...failed, errorCategory: 'invalid_number', errorCode: '105', errorDetail: 'INVALID PH' })).toBe('Invalid or non-WhatsApp number · code 105 · INVALID PH');
    expect(messageDetail({ status: 'cancelled', skipReason: null, errorCategory: null, errorCode: null, errorDetail: 'stopped by a user' })).toBe('stopped by a user');
    expect(messageDetail({ status: 'skipped', skipReason: 'render_error', errorCategory: null, errorCode: null, errorDetail: '{{1}}: missing value' })).toBe(skipReasonLabel('render_error'));
  });

  it('drops the timeline to zero across quiet minutes instead of joining distant bursts', () => {
    const minute = 60_000;
    const point = (m: number, sent: number) => ({ at: m * minute, sent, delivered: 0, read: 0, failed: 0, replied: 0 });
    expect(timelineWithGaps([])).toEqual([]);
    expect(timelineWithGaps([point(0, 5), point(1, 4)])).toEqual([point(0, 5), point(1, 4)]);
    expect(timelineWithGaps([point(0, 5), point(2, 4)])).toEqual([point(0, 5), point(1, 0), point(2, 4)]);
    expect(timelineWithGaps([point(0, 5), point(240, 1)]).map((p) => [p.at / minute, p.sent])).toEqual([[0, 5], [1, 0], [239, 0], [240, 1]]);
  });

  it('says why the log and the timeline are empty: not published, being prepared, or no recipients', () => {
    const campaign = (state: 'draft' | 'running' | 'completed' | 'stopped' | 'failed', audienceMaterialized: boolean, targeted: number) => ({ state, audienceMaterialized, stats: { targeted } });
    expect(messageLogEmptyText(campaign('draft', false, 0), '')).toMatch(/once the campaign is published/);
    expect(messageLogEmptyText(campaign('running', false, 0), '')).toMatch(/^Preparing the audience/);
    expect(messageLogEmptyText(campaign('completed', true, 0), '')).toBe('No recipients: the audience had no profiles when the campaign was published.');
    expect(messageLogEmptyText(campaign('completed', true, 0), 'failed')).toBe('No messages match “Failed”.');
    expect(messageLogEmptyText(campaign('failed', true, 0), '')).toMatch(/failed before any recipient/);
    // Ended before its recipients were added: they are still added, cancelled.
    expect(messageLogEmptyText(campaign('stopped', false, 0), '')).toBe('The campaign ended before its recipients were added: they appear here as they are added, cancelled.');
    expect(messageLogEmptyText(campaign('failed', false, 0), '')).toMatch(/^The campaign ended before its recipients were added/);
    expect(timelineEmptyText(campaign('running', true, 3))).toMatch(/^Nothing sent yet/);
    expect(timelineEmptyText(campaign('completed', true, 0))).toBe('Nothing was sent: the campaign had no recipients.');
  });
});
