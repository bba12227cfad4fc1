import { describe, expect, it } from 'vitest';
import { CAMPAIGN_STATES } from '../../api/campaigns.types';
import { allowedActions, isEditable, STATE_LABELS } from './campaign-state';

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
    for (const state of CAMPAIGN_STATES) expect(STATE_LABELS[state]).toMatch(/^[A-Z][a-z]+$/);
  });
});
