import { describe, expect, it } from 'vitest';
import { setupTokenFrom } from './setup-link';

describe('setupTokenFrom', () => {
  it('reads the token from the fragment of the printed link', () => {
    expect(setupTokenFrom('#token=abc_DEF-123')).toBe('abc_DEF-123');
    expect(setupTokenFrom('token=abc')).toBe('abc');
  });

  it('is null when the fragment has no usable token', () => {
    expect(setupTokenFrom('')).toBeNull();
    expect(setupTokenFrom('#')).toBeNull();
    expect(setupTokenFrom('#token=')).toBeNull();
    expect(setupTokenFrom('#other=1')).toBeNull();
  });
});
