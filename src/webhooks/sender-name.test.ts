import { describe, expect, it } from 'vitest';
import { MAX_SENDER_NAME, senderNameOf } from './inbound.js';

describe('senderNameOf: the WhatsApp profile name kept for the Inbox', () => {
  it('keeps the name as plain text, markup included, trimmed', () => {
    expect(senderNameOf('  <b>Zoë</b> ')).toBe('<b>Zoë</b>');
    expect(senderNameOf('مرحبا Layla')).toBe('مرحبا Layla');
  });

  it('drops control characters and bidirectional overrides, which could turn the phone number beside it around', () => {
    expect(senderNameOf('Eve\u202E1234\u202C')).toBe('Eve 1234');
    expect(senderNameOf('two\nlines\u0000')).toBe('two lines');
    expect(senderNameOf('\u2066\u2069 ')).toBeNull();
  });

  it('is null without a name, and cut at MAX_SENDER_NAME characters (not halfway through an emoji)', () => {
    expect(senderNameOf(undefined)).toBeNull();
    expect(senderNameOf('')).toBeNull();
    const long = '😀'.repeat(MAX_SENDER_NAME + 5);
    expect([...senderNameOf(long)!]).toHaveLength(MAX_SENDER_NAME);
  });
});
