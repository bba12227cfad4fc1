import { describe, expect, it } from 'vitest';
import type { FieldProblem } from '../errors.js';
import { checkFrequencyCap, frequencyCapDetail } from './frequency-cap.js';

function check(input: unknown) {
  const problems: FieldProblem[] = [];
  return { cap: checkFrequencyCap(input, problems), problems };
}

describe('checkFrequencyCap', () => {
  it('accepts none, and whole numbers within the bounds', () => {
    expect(check(undefined)).toEqual({ cap: null, problems: [] });
    expect(check(null)).toEqual({ cap: null, problems: [] });
    expect(check({ messages: 1, days: 1 })).toEqual({ cap: { messages: 1, days: 1 }, problems: [] });
    expect(check({ messages: 100, days: 90, extra: true })).toEqual({ cap: { messages: 100, days: 90 }, problems: [] });
  });

  it('names each wrong field', () => {
    expect(check({ messages: 1.5, days: '7' }).problems).toEqual([
      { path: 'frequencyCap.messages', message: 'must be a whole number from 1 to 100' },
      { path: 'frequencyCap.days', message: 'must be a whole number from 1 to 90' },
    ]);
    expect(check({ messages: 101, days: 0 }).problems.map((problem) => problem.path)).toEqual(['frequencyCap.messages', 'frequencyCap.days']);
    expect(check([1, 7])).toEqual({ cap: null, problems: [{ path: 'frequencyCap', message: 'must be {"messages": N, "days": D} or null (no cap)' }] });
  });
});

describe('frequencyCapDetail', () => {
  it('says what the recipient received against the cap', () => {
    expect(frequencyCapDetail({ messages: 2, days: 7 }, 3)).toBe('already received 3 message(s) in the last 7 days (frequency cap: 2 per 7 days)');
    expect(frequencyCapDetail({ messages: 1, days: 1 }, 1)).toBe('already received 1 message(s) in the last day (frequency cap: 1 per day)');
  });
});
