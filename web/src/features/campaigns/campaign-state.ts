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

/** A scheduled or paused campaign can still change its name and delivery settings (not its message or audience). */
export function canChangeDelivery(state: CampaignState): boolean {
  return state === 'scheduled' || state === 'paused';
}

/** Only drafts can be edited in full (and deleted). */
export function isEditable(state: CampaignState): boolean {
  return state === 'draft';
}

/** True while the campaign may still send: scheduled, running or paused. */
export function isLive(state: CampaignState): boolean {
  return state === 'running' || state === 'scheduled' || state === 'paused';
}

/** The report's connection to live updates (use-campaign-stream.ts). */
export type UpdatesStatus = 'connecting' | 'live' | 'reconnecting' | 'closed';

/**
 * What the report says about its live updates. "Live" only for a campaign that may still send: a
 * finished one (completed, stopped, failed) keeps listening, since delivery reports and replies
 * still arrive, but is not live; a draft has nothing to follow. `tone` picks the style.
 */
export function updatesText(state: CampaignState, status: UpdatesStatus): { text: string; tone: UpdatesStatus | 'finished' } | null {
  if (state === 'draft') return null;
  if (status === 'connecting') return { text: 'Connecting to live updates…', tone: status };
  if (status === 'reconnecting') return { text: 'Live updates interrupted: reconnecting…', tone: status };
  if (status === 'closed') return { text: 'Live updates stopped: reload the page to see new numbers.', tone: status };
  if (isLive(state)) return { text: 'Live', tone: 'live' };
  return { text: 'Finished: late delivery reports and replies still update these numbers.', tone: 'finished' };
}

export const ACTION_LABELS: Record<CampaignAction, string> = {
  publish: 'Publish',
  pause: 'Pause',
  resume: 'Resume',
  stop: 'Stop',
  clone: 'Clone',
};
