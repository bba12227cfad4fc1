import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { compileTemplate, matchTemplate, splitNamespace } from './sandbox.templates.js';

const compile = (body: string) => compileTemplate({ name: 't', body });

describe('sandbox templates', () => {
  it('counts distinct placeholders', () => {
    expect(compile('Hi {{1}}, order {{2}} for {{1}}').parameterCount).toBe(2);
    expect(compile('No placeholders').parameterCount).toBe(0);
    expect(compile('Spaced {{ 1 }}').parameterCount).toBe(1);
  });

  it('extracts the values of a rendered body', () => {
    expect(matchTemplate(compile('Hi {{1}}, your order {{2}} is shipped.'), 'Hi Ravi, your order 123 is shipped.')).toEqual(['Ravi', '123']);
    expect(matchTemplate(compile('{{1}} code: {{2}}. Valid for {{3}} minutes.'), 'Vonage code: 64873. Valid for 10 minutes.')).toEqual(['Vonage', '64873', '10']);
    expect(matchTemplate(compile('Exactly this'), 'Exactly this')).toEqual([]);
    expect(matchTemplate(compile('{{1}}'), 'anything at all')).toEqual(['anything at all']);
  });

  it('refuses texts that do not render the template', () => {
    expect(matchTemplate(compile('Hi {{1}}, your order {{2}} is shipped.'), 'Hi Ravi, your order is shipped.')).toBeNull();
    expect(matchTemplate(compile('Hi {{1}}!'), 'Hi !')).toBeNull();
    expect(matchTemplate(compile('Exactly this'), 'Exactly this.')).toBeNull();
    expect(matchTemplate(compile('Hi {{1}} and {{1}}'), 'Hi a and b')).toBeNull();
    expect(matchTemplate(compile('Hi {{1}} and {{1}}'), 'Hi a and a')).toEqual(['a']);
  });

  it('matches every rendering of a template (property)', () => {
    const value = fc.string({ minLength: 1, maxLength: 12 });
    fc.assert(
      fc.property(fc.array(fc.string({ maxLength: 8 }), { minLength: 1, maxLength: 5 }), fc.array(value, { minLength: 4, maxLength: 4 }), (literals, values) => {
        const count = literals.length - 1;
        const body = literals.map((literal, i) => (i < count ? `${literal}{{${i + 1}}}` : literal)).join('');
        const rendered = literals.map((literal, i) => (i < count ? `${literal}${values[i]!}` : literal)).join('');
        const match = matchTemplate(compile(body), rendered);
        expect(match).not.toBeNull();
        // The match may split differently (adjacent values), but re-rendering gives the same text.
        expect(body.replace(/\{\{(\d+)\}\}/g, (_, n: string) => match![Number(n) - 1]!)).toBe(rendered);
      }),
    );
  });

  it('stays linear on long mismatching texts', () => {
    const template = compile('{{1}} {{2}} {{3}} {{4}} end');
    expect(matchTemplate(template, ' '.repeat(5000))).toBeNull();
  });

  it('splits namespace:name at the last colon', () => {
    expect(splitNamespace('ACME:welcome')).toEqual({ namespace: 'ACME', name: 'welcome' });
    expect(splitNamespace('whatsapp:hsm:technology:nexmo:verify')).toEqual({ namespace: 'whatsapp:hsm:technology:nexmo', name: 'verify' });
    expect(splitNamespace('verify')).toEqual({ name: 'verify' });
  });
});
