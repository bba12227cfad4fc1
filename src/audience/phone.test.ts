import { describe, expect, it } from 'vitest';
import { isPhoneRegion, normalisePhone } from './phone.js';

describe('normalisePhone', () => {
  it.each([
    ['+14155552671', '+14155552671'],
    ['+1 (415) 555-2671', '+14155552671'],
    ['+91 98765-43210', '+919876543210'],
    ['919876543210', '+919876543210'],
    ['0044 20 7946 0958', '+442079460958'],
    ['  +44 20 7946 0958 ', '+442079460958'],
    ['+44.20.7946.0958', '+442079460958'],
    ['(+91) 98765 43210', '+919876543210'],
    ['+52 1 55 1234 5678', '+525512345678'],
    ['5215512345678', '+525512345678'],
    ['(+44) (0)20 7946 0958', '+442079460958'],
  ])('normalises %j to %s', (input, e164) => {
    expect(normalisePhone(input)).toEqual({ ok: true, e164 });
  });

  it('accepts numbers (JSON and CSV callers)', () => {
    expect(normalisePhone(919876543210)).toEqual({ ok: true, e164: '+919876543210' });
    expect(normalisePhone(-5).ok).toBe(false);
    expect(normalisePhone(1.5).ok).toBe(false);
  });

  it('reads national numbers only with a default region', () => {
    expect(normalisePhone('098765 43210', 'IN')).toEqual({ ok: true, e164: '+919876543210' });
    expect(normalisePhone('9876543210', 'in')).toEqual({ ok: true, e164: '+919876543210' });
    expect(normalisePhone('(415) 555-2671', 'US')).toEqual({ ok: true, e164: '+14155552671' });
    // With a region, a number that already carries the region's country code still works.
    expect(normalisePhone('919876543210', 'IN')).toEqual({ ok: true, e164: '+919876543210' });
    expect(normalisePhone('+442079460958', 'IN')).toEqual({ ok: true, e164: '+442079460958' });
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['abc', 'not_a_number'],
    ['+1 415 555 2671 ext 3', 'not_a_number'],
    ['+1+4155552671', 'not_a_number'],
    ['(+1) +4155552671', 'not_a_number'],
    ['tel:+14155552671', 'not_a_number'],
    ['12', 'too_short'],
    ['+999123456', 'invalid_country'],
    ['+9112345', 'invalid_number'],
    ['+91987654321099999', 'invalid_number'],
    ['+91 55555 55555', 'invalid_number'],
  ])('refuses %j as %s', (input, reason) => {
    const result = normalisePhone(input);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toBe(reason);
      expect(result.message.length).toBeGreaterThan(5);
    }
  });

  it('names the country in an invalid-number message', () => {
    const result = normalisePhone('+91 55555 55555');
    expect(result).toEqual({
      ok: false,
      reason: 'invalid_number',
      message: 'is not a valid number for IN (+91)',
      advice: 'write it with its country code, e.g. +14155551234 or +91 98765 43210',
      assumedCountryCode: false,
    });
  });

  it('says when digits without "+" were read as starting with a country code', () => {
    // A US number typed without +1 is read as +41 (Switzerland): the message must say why.
    expect(normalisePhone('415 555 2671')).toEqual({
      ok: false,
      reason: 'invalid_number',
      message: 'is not a valid number for CH (+41)',
      advice: 'without a "+" the digits are read as country code and number: write it with "+" and its country code, e.g. +14155551234',
      assumedCountryCode: true,
    });
    expect(normalisePhone('0041 55 555 26')).toMatchObject({ ok: false, assumedCountryCode: false });
    expect(normalisePhone('415 555 26', 'US')).toMatchObject({ ok: false, assumedCountryCode: false });
  });

  it('refuses non-strings and unknown regions', () => {
    expect(normalisePhone(null)).toMatchObject({ ok: false, reason: 'not_a_number' });
    expect(normalisePhone({})).toMatchObject({ ok: false, reason: 'not_a_number' });
    expect(normalisePhone('9876543210', 'XX')).toMatchObject({ ok: false, reason: 'invalid_country' });
    expect(isPhoneRegion('IN')).toBe(true);
    expect(isPhoneRegion('XX')).toBe(false);
  });
});
