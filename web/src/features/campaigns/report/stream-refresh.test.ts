import { describe, expect, it } from 'vitest';
import { activitySignature, timelineNeedsRefresh } from './stream-refresh';

describe('timeline refresh on stream events', () => {
  it('refreshes on the first event when the numbers moved since the page loaded', () => {
    expect(timelineNeedsRefresh(null, '{"sent":3}', '{"sent":5}')).toBe(true);
    expect(timelineNeedsRefresh(null, '{"sent":5}', '{"sent":5}')).toBe(false);
    expect(timelineNeedsRefresh(null, undefined, '{"sent":5}')).toBe(true);
  });

  it('then refreshes only when the numbers change', () => {
    expect(timelineNeedsRefresh('{"sent":5}', '{"sent":3}', '{"sent":5}')).toBe(false);
    expect(timelineNeedsRefresh('{"sent":5}', '{"sent":5}', '{"sent":6}')).toBe(true);
  });
});

describe('activity refresh on stream events', () => {
  const campaign = { id: 'c1', name: 'Sale', state: 'running', stateReason: null, cutoffAt: null, updatedAt: 1, audienceMaterialized: false, stats: { sent: 1 }, warnings: [] };

  it('ignores the numbers, warnings and audience progress of a sending campaign', () => {
    const moved = { ...campaign, updatedAt: 2, audienceMaterialized: true, stats: { sent: 9 }, warnings: [{ code: 'provider_throttling', message: '…' }] };
    expect(activitySignature(moved)).toBe(activitySignature(campaign));
  });

  it('changes with the state, its reason, or an edited field', () => {
    expect(activitySignature({ ...campaign, state: 'paused' })).not.toBe(activitySignature(campaign));
    expect(activitySignature({ ...campaign, state: 'completed', stateReason: 'cut-off time reached' })).not.toBe(activitySignature({ ...campaign, state: 'completed' }));
    expect(activitySignature({ ...campaign, name: 'Sale 2' })).not.toBe(activitySignature(campaign));
    expect(activitySignature({ ...campaign, cutoffAt: 5 })).not.toBe(activitySignature(campaign));
  });
});
