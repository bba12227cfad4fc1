import { describe, expect, it } from 'vitest';
import { formEncode, redactForm } from './provider-wire.js';

describe('formEncode', () => {
  it('percent-encodes everything but RFC 3986 unreserved characters', () => {
    expect(formEncode([['plain', 'AZaz09-._~'], ['msg', "Hi +91 it's (50%)* off! ✓"], ['empty', '']])).toBe(
      'plain=AZaz09-._~&msg=Hi%20%2B91%20it%27s%20%2850%25%29%2A%20off%21%20%E2%9C%93&empty=',
    );
  });

  it('encodes field names too, and the same text the same way every time', () => {
    const fields = [['a b', '(x)'], ['c', '(x)']] as const;
    expect(formEncode(fields)).toBe('a%20b=%28x%29&c=%28x%29');
    expect(formEncode(fields)).toBe(formEncode(fields));
  });

  it('redacts the values of secret fields', () => {
    expect(redactForm([['userid', '2000'], ['password', 'p@ss word']], new Set(['password']))).toBe('userid=2000&password=%5Bredacted%5D');
  });
});
