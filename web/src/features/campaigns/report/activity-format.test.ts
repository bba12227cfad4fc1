import { describe, expect, it } from 'vitest';
import type { ActivityEntry } from '../../../api/campaigns.types';
import { activityText } from './activity-format';

const user = { type: 'user' as const, label: 'ana@example.com', id: 'u1' };
const api = { type: 'api' as const, label: 'CRM sync', id: 'WAC-AAAA-BBBB-CCCC' };
const scheduler = { type: 'system' as const, label: 'scheduler', id: null };
const entry = (action: ActivityEntry['action'], actor: ActivityEntry['actor'], details: ActivityEntry['details'] = {}): ActivityEntry => ({ id: 'x', at: 0, action, actor, details });

describe('activity format', () => {
  it('names a user by email, API credentials by label, and the part of wacast', () => {
    expect(activityText(entry('paused', user))).toBe('Paused by ana@example.com');
    expect(activityText(entry('published', api, { state: 'running' }))).toBe("Published via API credentials 'CRM sync'");
    expect(activityText(entry('started', scheduler))).toBe('Started by the scheduler at its send time');
    expect(activityText(entry('paused', { type: 'system', label: 'wacast restore', id: null }, { reason: 'paused by wacast restore: …' }))).toBe('Paused by wacast restore: paused by wacast restore: …');
    expect(activityText(entry('failed', { type: 'system', label: 'publisher', id: null }, { reason: 'the template was deleted' }))).toBe('Failed: the template was deleted');
  });

  it('says why the scheduler ended a campaign, and what an edit changed', () => {
    expect(activityText(entry('completed', scheduler, { reason: 'cut-off time reached' }))).toBe('Stopped: cut-off time reached');
    expect(activityText(entry('completed', scheduler))).toBe('Completed: nothing left to send');
    expect(activityText(entry('edited', user, { fields: ['name', 'cutoffAt', 'dnd'] }))).toBe('Edited by ana@example.com: name, cut-off, DND hours');
    expect(activityText(entry('stopped', user, { reason: 'stopped by a user' }))).toBe('Stopped by ana@example.com');
  });

  it('names the other campaign of a copy, and when a scheduled campaign sends', () => {
    expect(activityText(entry('cloned', user, { campaignId: 'c2', name: 'Sale (copy)' }))).toBe('Copied by ana@example.com to "Sale (copy)"');
    expect(activityText(entry('cloned_from', user, { campaignId: 'c1', name: 'Sale' }))).toBe('Created by ana@example.com as a copy of "Sale"');
    expect(activityText(entry('published', api, { state: 'scheduled', sendAt: Date.UTC(2026, 11, 1, 9, 0) }), 'UTC')).toMatch(/^Published via API credentials 'CRM sync', scheduled for .*2026.*9:00.*UTC/);
    expect(activityText(entry('resumed', user, { state: 'scheduled' }))).toBe('Resumed by ana@example.com (waiting for its send time)');
  });

  it('says what became of the messages of a worker that stopped while sending', () => {
    expect(activityText(entry('interrupted', scheduler, { requeued: 1400, unknown: 3 }))).toBe(
      'A worker stopped while sending: 1,400 messages it had not sent yet were queued again; 3 messages may have been sent (unknown until their delivery reports)',
    );
    expect(activityText(entry('interrupted', scheduler, { requeued: 0, unknown: 1 }))).toBe('A worker stopped while sending: 1 message may have been sent (unknown until its delivery report)');
    expect(activityText(entry('interrupted', scheduler, { requeued: 1, unknown: 0 }))).toBe('A worker stopped while sending: 1 message it had not sent yet was queued again');
  });
});
