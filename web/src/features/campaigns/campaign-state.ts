/** What each campaign state is called, how it looks, and which actions it allows (the server's rules). */
import type { CampaignState } from '../../api/campaigns.types';
import type { CampaignAction } from '../../api/campaigns.api';

export const STATE_LABELS: Record<CampaignState, string> = {
  draft: 'Draft',
  scheduled: 'Scheduled',
  running: 'Running',
  paused: 'Paused',
  completed: 'Completed',
  stopped: 'Stopped',
  failed: 'Failed',
};

export type StateTone = 'neutral' | 'accent' | 'warning' | 'success' | 'danger';

export const STATE_TONES: Record<CampaignState, StateTone> = {
  draft: 'neutral',
  scheduled: 'accent',
  running: 'accent',
  paused: 'warning',
  completed: 'success',
  stopped: 'neutral',
  failed: 'danger',
};

/**
 * The actions a campaign in `state` allows, in the order the page shows them. Mirrors the
 * server (publish from draft; pause from running/scheduled; resume from paused; stop from
 * running/scheduled/paused; clone always); the server stays the judge and answers 409 otherwise.
 */
export function allowedActions(state: CampaignState): CampaignAction[] {
  const actions: CampaignAction[] = [];
  if (state === 'draft') actions.push('publish');
  if (state === 'running' || state === 'scheduled') actions.push('pause');
  if (state === 'paused') actions.push('resume');
  if (state === 'running' || state === 'scheduled' || state === 'paused') actions.push('stop');
  actions.push('clone');
  return actions;
}

/** Only drafts can be edited in full (and deleted). */
export function isEditable(state: CampaignState): boolean {
  return state === 'draft';
}

/** True while messages may still change state on their own (the report keeps listening). */
export function isLive(state: CampaignState): boolean {
  return state === 'running' || state === 'scheduled' || state === 'paused';
}

export const ACTION_LABELS: Record<CampaignAction, string> = {
  publish: 'Publish',
  pause: 'Pause',
  resume: 'Resume',
  stop: 'Stop',
  clone: 'Clone',
};
