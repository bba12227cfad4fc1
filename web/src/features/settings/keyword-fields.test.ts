import { describe, expect, it } from 'vitest';
import { ApiError } from '../../api/client';
import { confirmationSent, hasUnsavedChanges, keywordFormErrors, keywordValuesFrom, parseKeywords, toKeywordBody } from './keyword-fields';

const settings = {
  optOut: { keywords: ['STOP', 'STOP PROMOTIONS', 'NO, THANKS'], reply: 'Bye.' },
  optIn: { keywords: [], reply: '' },
};

describe('keyword fields', () => {
  it('edits one keyword per line and sends them back unchanged (spaces and commas kept)', () => {
    const values = keywordValuesFrom(settings);
    expect(values.optOut.keywords).toBe('STOP\nSTOP PROMOTIONS\nNO, THANKS');
    expect(values.optIn.keywords).toBe('');
    expect(toKeywordBody(values)).toEqual(settings);
  });

  it('drops blank lines and trims each keyword; an empty box is an empty list', () => {
    expect(parseKeywords('  stop \r\n\n   \nalto ya\n')).toEqual(['stop', 'alto ya']);
    expect(parseKeywords('')).toEqual([]);
  });

  it('has unsaved changes only when saving would store something else', () => {
    const stored = keywordValuesFrom(settings);
    expect(hasUnsavedChanges(stored, stored)).toBe(false);
    // Stored the same: case, spacing, blank lines, duplicates, a reply's trailing newline.
    const sameOnceSaved = {
      optOut: { keywords: ' stop\n\nStop   Promotions\nno, thanks\nSTOP\n', reply: 'Bye.\n' },
      optIn: { keywords: '\n', reply: '  ' },
    };
    expect(hasUnsavedChanges(sameOnceSaved, stored)).toBe(false);
    // Different: a keyword added, removed or reordered, a reply changed.
    expect(hasUnsavedChanges({ ...stored, optIn: { keywords: 'START', reply: '' } }, stored)).toBe(true);
    expect(hasUnsavedChanges({ ...stored, optOut: { ...stored.optOut, keywords: 'STOP\nSTOP PROMOTIONS' } }, stored)).toBe(true);
    expect(hasUnsavedChanges({ ...stored, optOut: { ...stored.optOut, keywords: 'STOP PROMOTIONS\nSTOP\nNO, THANKS' } }, stored)).toBe(true);
    expect(hasUnsavedChanges({ ...stored, optOut: { ...stored.optOut, reply: 'Bye!' } }, stored)).toBe(true);
  });

  it('shows the default confirmation as the server sends it: naming the other rule\'s first keyword', () => {
    const optOutDefault = 'You have been unsubscribed. Reply START to subscribe again.';
    const optInDefault = 'You have been subscribed again. Reply STOP to unsubscribe.';
    const values = {
      optOut: { keywords: ' basta \nSTOP', reply: `${optOutDefault}\n` },
      optIn: { keywords: '\n alta   ya\nSTART', reply: optInDefault },
    };
    expect(confirmationSent(values, 'optOut')).toBe('You have been unsubscribed. Reply ALTA YA to subscribe again.');
    expect(confirmationSent(values, 'optIn')).toBe('You have been subscribed again. Reply BASTA to unsubscribe.');
    expect(confirmationSent({ ...values, optIn: { ...values.optIn, keywords: '' } }, 'optOut')).toBe('You have been unsubscribed.');
    // Unchanged with the default keywords; a text of the project's own is sent as written.
    expect(confirmationSent({ optOut: { keywords: 'STOP', reply: optOutDefault }, optIn: { keywords: 'START', reply: optInDefault } }, 'optOut')).toBe(optOutDefault);
    expect(confirmationSent({ ...values, optOut: { ...values.optOut, reply: 'Bye. Reply START.' } }, 'optOut')).toBe('Bye. Reply START.');
  });

  it('puts a problem with one keyword next to its list, quoting the keyword', () => {
    const sent = { ...settings, optOut: { keywords: ['stop', 'x'.repeat(60)], reply: '' } };
    const error = new ApiError(422, 'validation_failed', 'x', [
      { path: 'optOut.keywords.1', message: 'must be at most 50 characters' },
      { path: 'optOut.keywords', message: '"STOP" cannot both opt out and opt in' },
      { path: 'optIn.reply', message: 'must be at most 1000 characters' },
    ]);
    const errors = keywordFormErrors(error, sent);
    expect(errors.fields).toEqual({
      'optOut.keywords': `“${'x'.repeat(24)}…” must be at most 50 characters; "STOP" cannot both opt out and opt in`,
      'optIn.reply': 'must be at most 1000 characters',
    });
    expect(errors.summary).toBe('Some fields need attention: see the messages next to them.');
    expect(keywordFormErrors(new ApiError(422, 'validation_failed', 'x', [{ path: 'optIn.keywords.4', message: 'must not be empty' }]), undefined).fields).toEqual({
      'optIn.keywords': 'Keyword 5 must not be empty',
    });
  });

  it('shows other failures as a summary', () => {
    expect(keywordFormErrors(new ApiError(0, 'network_error', 'Cannot reach the wacast server.'), settings)).toEqual({ fields: {}, summary: 'Cannot reach the wacast server.' });
  });
});
