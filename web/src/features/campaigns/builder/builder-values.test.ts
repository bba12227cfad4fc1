import { describe, expect, it } from 'vitest';
import type { ProviderAccount, Template } from '../../../api/types';
import type { Campaign } from '../../../api/campaigns.types';
import { withoutEdited, builderProblems, emptyBuilderValues, frequencyCapOf, fromLocalInput, parseIdentities, toCampaignInput, toLocalInput, valuesFromCampaign, type BuilderValues } from './builder-values';

const template: Template = {
  id: 't1',
  providerId: 'p1',
  namespace: 'ABC:order',
  body: 'Hi {{1}}, order {{2}}',
  placeholderCount: 2,
  attachmentType: 'image',
  language: 'en',
  createdAt: 0,
  updatedAt: 0,
};
const provider = { id: 'p1', ratePerSecond: 80 } as ProviderAccount;
const now = Date.parse('2030-01-01T00:00:00Z');

function valid(overrides: Partial<BuilderValues> = {}): BuilderValues {
  return { ...emptyBuilderValues('p1'), name: 'Spring sale', templateId: 't1', params: ['{{ Profile.Name | default: "there" }}', '42'], mediaUrl: 'https://cdn.example.com/a.png', ...overrides };
}

describe('parseIdentities', () => {
  it('reads one identity per line, drops a header, blanks and repeats', () => {
    expect(parseIdentities('identity\nu1\n\n u2 \nu1\r\nu3')).toEqual({ identities: ['u1', 'u2', 'u3'], duplicates: 1 });
  });
  it('takes the first column of a CSV, unquoted', () => {
    expect(parseIdentities('Identity,Name\n"u1",Asha\nu2;x\nu3\tY')).toEqual({ identities: ['u1', 'u2', 'u3'], duplicates: 0 });
  });
  it('keeps a first line that is not a header', () => {
    expect(parseIdentities('u9\nu8').identities).toEqual(['u9', 'u8']);
  });
});

describe('local date-times', () => {
  it('round-trips through the datetime-local form', () => {
    const ms = Date.parse('2030-05-06T07:08:00Z');
    expect(fromLocalInput(toLocalInput(ms))).toBe(new Date(ms).toISOString());
    expect(fromLocalInput('')).toBeNull();
    expect(fromLocalInput('tomorrow')).toBeNull();
  });
});

describe('toCampaignInput', () => {
  it('builds the API input for every audience kind', () => {
    expect(toCampaignInput(valid(), template)).toEqual({
      name: 'Spring sale',
      providerId: 'p1',
      templateId: 't1',
      audience: { all: true },
      params: ['{{ Profile.Name | default: "there" }}', '42'],
      mediaUrl: 'https://cdn.example.com/a.png',
      sendAt: null,
      ratePerSecond: null,
      dnd: null,
      cutoffAt: null,
      conversionEvent: null,
      frequencyCap: null,
    });
    expect(toCampaignInput(valid({ audienceKind: 'segment', segmentId: 's1' }), template).audience).toEqual({ segmentId: 's1' });
    expect(toCampaignInput(valid({ audienceKind: 'identities', identitiesText: 'a\nb\na' }), template).audience).toEqual({ identities: ['a', 'b'] });
  });

  it('sizes params to the template and drops the media URL of a template without attachment', () => {
    const input = toCampaignInput(valid({ params: ['a', 'b', 'c'] }), { ...template, attachmentType: 'none', placeholderCount: 1 });
    expect(input.params).toEqual(['a']);
    expect(input.mediaUrl).toBeNull();
  });

  it('sends schedule, DND, cut-off, rate and goal', () => {
    const input = toCampaignInput(
      valid({ when: 'later', sendAt: '2030-02-01T10:00', dndEnabled: true, dndTimezone: 'Asia/Kolkata', dndAction: 'discard', cutoffEnabled: true, cutoffAt: '2030-02-02T10:00', ratePerSecond: '40', conversionEvent: ' Charged ' }),
      template,
    );
    expect(input.sendAt).toBe(new Date('2030-02-01T10:00').toISOString());
    expect(input.cutoffAt).toBe(new Date('2030-02-02T10:00').toISOString());
    expect(input.dnd).toEqual({ from: '21:00', to: '09:00', timezone: 'Asia/Kolkata', action: 'discard' });
    expect(input.ratePerSecond).toBe(40);
    expect(input.conversionEvent).toBe('Charged');
  });

  it('sends the frequency cap only when it is on', () => {
    expect(toCampaignInput(valid({ frequencyCapEnabled: true, frequencyCapMessages: '2', frequencyCapDays: ' 14 ' }), template).frequencyCap).toEqual({ messages: 2, days: 14 });
    expect(toCampaignInput(valid({ frequencyCapMessages: '2' }), template).frequencyCap).toBeNull();
  });
});

describe('frequencyCapOf', () => {
  it('gives the cap to estimate with only when it is on and within its bounds', () => {
    const on = (messages: string, days: string) => frequencyCapOf(valid({ frequencyCapEnabled: true, frequencyCapMessages: messages, frequencyCapDays: days }));
    expect(frequencyCapOf(valid({ frequencyCapEnabled: false, frequencyCapMessages: '2', frequencyCapDays: '7' }))).toBeNull();
    expect(on(' 2 ', '7')).toEqual({ messages: 2, days: 7 });
    expect(on('100', '90')).toEqual({ messages: 100, days: 90 });
    // While a field is being typed or is wrong, the reach is shown without the cap.
    for (const [messages, days] of [['', '7'], ['0', '7'], ['1.5', '7'], ['101', '7'], ['1', ''], ['1', '91'], ['x', '7']] as const) {
      expect(on(messages, days)).toBeNull();
    }
  });
});

describe('valuesFromCampaign', () => {
  it('gives back what toCampaignInput sent', () => {
    const values = valid({
      audienceKind: 'identities', identitiesText: 'a\nb', when: 'later', sendAt: '2030-02-01T10:00', ratePerSecond: '5', dndEnabled: true, dndTimezone: 'UTC',
      frequencyCapEnabled: true, frequencyCapMessages: '3', frequencyCapDays: '30',
    });
    const input = toCampaignInput(values, template);
    const campaign = {
      ...input,
      sendAt: Date.parse(input.sendAt!),
      cutoffAt: null,
      id: 'c1',
    } as unknown as Campaign;
    expect(valuesFromCampaign(campaign)).toEqual({ ...values, conversionEvent: '' });
  });
});

describe('builderProblems', () => {
  it('accepts a complete campaign', () => {
    expect(builderProblems(valid(), { template, provider, now })).toEqual({});
  });

  it('names each missing or wrong field by the server path', () => {
    const problems = builderProblems(
      valid({
        name: ' ',
        audienceKind: 'segment',
        params: ['x', ' '],
        mediaUrl: '',
        when: 'later',
        sendAt: '2029-01-01T00:00',
        dndEnabled: true,
        dndFrom: '25:00',
        dndTimezone: 'Mars/Base',
        cutoffEnabled: true,
        cutoffAt: '',
        ratePerSecond: '81',
      }),
      { template, provider, now },
    );
    expect(Object.keys(problems).sort()).toEqual(['audience.segmentId', 'cutoffAt', 'dnd.from', 'dnd.timezone', 'mediaUrl', 'name', 'params.1', 'ratePerSecond', 'sendAt']);
    expect(problems.ratePerSecond).toContain('at most 80');
    expect(problems['params.1']).toContain('{{2}}');
  });

  it('wants identities for a list audience and a cut-off after the send time', () => {
    const problems = builderProblems(valid({ audienceKind: 'identities', identitiesText: 'identity\n', when: 'later', sendAt: '2030-03-01T10:00', cutoffEnabled: true, cutoffAt: '2030-03-01T09:00' }), {
      template,
      provider,
      now,
    });
    expect(Object.keys(problems).sort()).toEqual(['audience.identities', 'cutoffAt']);
  });

  it('wants DND hours that are a window', () => {
    const problems = builderProblems(valid({ dndEnabled: true, dndFrom: '09:00', dndTo: '09:00', dndTimezone: 'Europe/Berlin' }), { template, provider, now });
    expect(Object.keys(problems)).toEqual(['dnd.to']);
    // The field's label, not the API path.
    expect(problems['dnd.to']).toMatch(/^must differ from DND from: 09:00 to 09:00 is no window/);
  });

  it('keeps a frequency cap within 1–100 messages and 1–90 days', () => {
    const problems = builderProblems(valid({ frequencyCapEnabled: true, frequencyCapMessages: '0', frequencyCapDays: '91' }), { template, provider, now });
    expect(problems).toEqual({ 'frequencyCap.messages': 'must be a whole number from 1 to 100', 'frequencyCap.days': 'must be a whole number from 1 to 90' });
    expect(builderProblems(valid({ frequencyCapEnabled: false, frequencyCapMessages: '0' }), { template, provider, now })).toEqual({});
  });
});

describe('withoutEdited', () => {
  it('hides server messages about values changed since the save', () => {
    const fields = { 'params.0': 'is not valid Liquid', 'dnd.timezone': 'bad zone', name: 'is required' };
    expect(withoutEdited(fields, new Set(['params', 'dnd']))).toEqual({ name: 'is required' });
  });
});
