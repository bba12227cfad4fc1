import { describe, expect, it } from 'vitest';
import { whatsappSpellings } from './phone-spellings.js';

describe('whatsappSpellings', () => {
  it('pairs Mexican numbers with and without the old mobile "1"', () => {
    expect(whatsappSpellings('+5215512345678')).toEqual(['+5215512345678', '+525512345678']);
    expect(whatsappSpellings('+525512345678')).toEqual(['+525512345678', '+5215512345678']);
  });

  it('pairs Brazilian mobiles with and without the ninth digit, never landlines', () => {
    expect(whatsappSpellings('+551187654321')).toEqual(['+551187654321', '+5511987654321']);
    expect(whatsappSpellings('+5511987654321')).toEqual(['+5511987654321', '+551187654321']);
    // 8 digits starting 2–5 are landlines; 9 digits whose last 8 start 2–5 would become one.
    expect(whatsappSpellings('+551133334444')).toEqual(['+551133334444']);
    expect(whatsappSpellings('+5511923334444')).toEqual(['+5511923334444']);
  });

  it('leaves every other number alone', () => {
    expect(whatsappSpellings('+14155552671')).toEqual(['+14155552671']);
    expect(whatsappSpellings('+919876543210')).toEqual(['+919876543210']);
  });
});
