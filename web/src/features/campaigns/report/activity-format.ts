/**
 * The words of the report's Activity panel: one sentence per entry of the campaign's activity
 * ("Paused by ana@example.com", "Published via API credentials 'CRM sync'", "Stopped: cut-off time
 * reached"). Plain strings: the panel renders them as text, never as HTML.
 */
import type { ActivityEntry } from '../../../api/campaigns.types';
import { formatDateTime } from '../../../components/format';

const FIELD_LABELS: Record<string, string> = {
  name: 'name',
  providerId: 'provider account',
  templateId: 'template',
  audience: 'audience',
  params: 'placeholder values',
  mediaUrl: 'media URL',
  sendAt: 'send time',
  ratePerSecond: 'messages per second',
  dnd: 'DND hours',
  cutoffAt: 'cut-off',
  conversionEvent: 'conversion goal',
  frequencyCap: 'frequency cap',
};

const SYSTEM_NAMES: Record<string, string> = { scheduler: 'the scheduler', publisher: 'the publisher' };

/** "by ana@example.com", "via API credentials 'CRM sync'", "by the scheduler", "by wacast restore". */
export function actorText(actor: Pick<ActivityEntry['actor'], 'type' | 'label'>): string {
  if (actor.type === 'api') return `via API credentials '${actor.label}'`;
  if (actor.type === 'system') return `by ${SYSTEM_NAMES[actor.label] ?? actor.label}`;
  return `by ${actor.label}`;
}

/** The sentence of one entry, without its time. `timeZone` is for tests. */
export function activityText(entry: ActivityEntry, timeZone?: string): string {
  const who = actorText(entry.actor);
  const { details } = entry;
  switch (entry.action) {
    case 'created':
      return `Created ${who}`;
    case 'cloned_from':
      return `Created ${who} as a copy of "${details.name ?? 'another campaign'}"`;
    case 'cloned':
      return `Copied ${who} to "${details.name ?? 'a new draft'}"`;
    case 'edited': {
      const fields = (details.fields ?? []).map((field) => FIELD_LABELS[field] ?? field);
      return fields.length > 0 ? `Edited ${who}: ${fields.join(', ')}` : `Edited ${who}`;
    }
    case 'published':
      return details.state === 'scheduled' && details.sendAt ? `Published ${who}, scheduled for ${formatDateTime(details.sendAt, timeZone)}` : `Published ${who}`;
    case 'started':
      return `Started ${who} at its send time`;
    case 'paused':
      return details.reason ? `Paused ${who}: ${details.reason}` : `Paused ${who}`;
    case 'resumed':
      return details.state === 'scheduled' ? `Resumed ${who} (waiting for its send time)` : `Resumed ${who}`;
    case 'stopped':
      return `Stopped ${who}`;
    case 'completed':
      // Ended by the scheduler before everything was sent: the reason is what people look for.
      return details.reason ? `Stopped: ${details.reason}` : 'Completed: nothing left to send';
    case 'failed':
      return details.reason ? `Failed: ${details.reason}` : 'Failed';
    case 'interrupted':
      return interruptedText(details.requeued ?? 0, details.unknown ?? 0);
    default:
      return `${String(entry.action)} ${who}`;
  }
}

const messages = (count: number) => `${count.toLocaleString('en-US')} message${count === 1 ? '' : 's'}`;

/**
 * "A worker stopped while sending: 140 messages it had not sent yet were queued again; 3 may have
 * been sent (unknown until their delivery reports)".
 */
function interruptedText(requeued: number, unknown: number): string {
  const parts: string[] = [];
  if (requeued > 0) parts.push(`${messages(requeued)} it had not sent yet ${requeued === 1 ? 'was' : 'were'} queued again`);
  if (unknown > 0) parts.push(`${messages(unknown)} may have been sent (unknown until ${unknown === 1 ? 'its delivery report' : 'their delivery reports'})`);
  return `A worker stopped while sending${parts.length > 0 ? `: ${parts.join('; ')}` : ''}`;
}
