import { describe, expect, it } from 'vitest';
import { ApiError } from './client';
import { formErrorsOf } from './form-errors';

describe('formErrorsOf', () => {
  const problems = [
    { path: 'nickname', message: 'is required' },
    { path: 'credentials.apiKey', message: 'is required' },
    { path: 'credentials.apiKey', message: 'must be 32 characters' },
    { path: 'somethingElse', message: 'is odd' },
  ];

  it('puts problems next to the fields the form shows, and the rest in the summary', () => {
    const error = new ApiError(422, 'validation_failed', 'many problems', problems);
    const result = formErrorsOf(error, ['nickname', 'credentials.apiKey']);
    expect(result.fields).toEqual({ nickname: 'is required', 'credentials.apiKey': 'is required; must be 32 characters' });
    expect(result.summary).toBe('somethingElse: is odd');
  });

  it('points at the fields when every problem has a place', () => {
    const error = new ApiError(422, 'validation_failed', 'x', problems.slice(0, 1));
    expect(formErrorsOf(error, ['nickname']).summary).toBe('Some fields need attention: see the messages next to them.');
  });

  it("shows the server's message for errors without field problems", () => {
    const error = new ApiError(409, 'provider_in_use', 'A running campaign uses this account.');
    expect(formErrorsOf(error, ['nickname'])).toEqual({ fields: {}, summary: 'A running campaign uses this account.' });
    expect(formErrorsOf(new Error('boom'), [])).toEqual({ fields: {}, summary: 'boom' });
  });
});
