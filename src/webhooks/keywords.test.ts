import { describe, expect, it } from 'vitest';
import { confirmationText, DEFAULT_KEYWORD_SETTINGS, type KeywordSettings } from './keywords.js';

const withKeywords = (optOut: string[], optIn: string[]): KeywordSettings => ({
  optOut: { ...DEFAULT_KEYWORD_SETTINGS.optOut, keywords: optOut },
  optIn: { ...DEFAULT_KEYWORD_SETTINGS.optIn, keywords: optIn },
});

describe('keyword confirmations', () => {
  it('sends the default texts as they are with the default keywords', () => {
    expect(confirmationText(DEFAULT_KEYWORD_SETTINGS, 'optOut')).toBe('You have been unsubscribed. Reply START to subscribe again.');
    expect(confirmationText(DEFAULT_KEYWORD_SETTINGS, 'optIn')).toBe('You have been subscribed again. Reply STOP to unsubscribe.');
  });

  it('names the first keyword of the other rule while the text is still the default', () => {
    const settings = withKeywords(['BASTA', 'STOP'], ['ALTA', 'START']);
    expect(confirmationText(settings, 'optOut')).toBe('You have been unsubscribed. Reply ALTA to subscribe again.');
    expect(confirmationText(settings, 'optIn')).toBe('You have been subscribed again. Reply BASTA to unsubscribe.');
  });

  it('offers no keyword when the other rule is off', () => {
    expect(confirmationText(withKeywords(['STOP'], []), 'optOut')).toBe('You have been unsubscribed.');
    expect(confirmationText(withKeywords([], ['START']), 'optIn')).toBe('You have been subscribed again.');
  });

  it('sends a reply the project wrote as written, and none when it is empty', () => {
    const settings: KeywordSettings = {
      optOut: { keywords: ['BASTA'], reply: 'Listo. Reply START to come back.' },
      optIn: { keywords: ['ALTA'], reply: '' },
    };
    expect(confirmationText(settings, 'optOut')).toBe('Listo. Reply START to come back.');
    expect(confirmationText(settings, 'optIn')).toBe('');
  });
});
