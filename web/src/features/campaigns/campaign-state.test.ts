import { describe, expect, it } from 'vitest';
import { CAMPAIGN_STATES } from '../../api/campaigns.types';
import { allowedActions, canChangeDelivery, isEditable, STATE_LABELS, updatesText } from './campaign-state';

describe('campaign states', () => {
  it('allows exactly the server-side transitions', () => {
    expect(allowedActions('draft')).toEqual(['publish', 'clone']);
    expect(allowedActions('scheduled')).toEqual(['pause', 'stop', 'clone']);
    expect(allowedActions('running')).toEqual(['pause', 'stop', 'clone']);
    expect(allowedActions('paused')).toEqual(['resume', 'stop', 'clone']);
    for (const state of ['completed', 'stopped', 'failed'] as const) expect(allowedActions(state)).toEqual(['clone']);
  });

  it('edits only drafts and names every state', () => {
    expect(CAMPAIGN_STATES.filter(isEditable)).toEqual(['draft']);
    // As the server allows (campaigns.service.ts EDITABLE_WHEN_PUBLISHED): name and delivery settings.
    expect(CAMPAIGN_STATES.filter(canChangeDelivery)).toEqual(['scheduled', 'paused']);
    for (const state of CAMPAIGN_STATES) expect(STATE_LABELS[state]).toMatch(/^[A-Z][a-z]+$/);
  });

  it('says "Live" only while the campaign may still send', () => {
    for (const state of ['scheduled', 'running', 'paused'] as const) expect(updatesText(state, 'live')).toEqual({ text: 'Live', tone: 'live' });
    for (const state of ['completed', 'stopped', 'failed'] as const) {
      expect(updatesText(state, 'live')).toEqual({ text: 'Finished: late delivery reports and replies still update these numbers.', tone: 'finished' });
      expect(updatesText(state, 'reconnecting')?.text).toBe('Live updates interrupted: reconnecting…');
    }
    expect(updatesText('draft', 'live')).toBeNull();
  });
});
