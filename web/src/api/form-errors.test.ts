import { describe, expect, it } from 'vitest';
import { ApiError } from './client';
import { formErrorsOf, withoutEditedPaths } from './form-errors';

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

describe('withoutEditedPaths', () => {
  const fieldErrors = formErrorsOf(
    new ApiError(422, 'validation_failed', 'x', [
      { path: 'nickname', message: 'is required' },
      { path: 'credentials.mobileNumber', message: 'must be a phone number' },
    ]),
    ['nickname', 'credentials.mobileNumber'],
  );

  it('keeps everything while nothing was edited', () => {
    expect(withoutEditedPaths(fieldErrors, new Set())).toBe(fieldErrors);
  });

  it('drops the messages about edited fields, and the pointer to them with the last one', () => {
    const one = withoutEditedPaths(fieldErrors, new Set(['credentials.mobileNumber']));
    expect(one).toEqual({ fields: { nickname: 'is required' }, summary: 'Some fields need attention: see the messages next to them.' });
    expect(withoutEditedPaths(fieldErrors, new Set(['credentials.mobileNumber', 'nickname']))).toEqual({ fields: {}, summary: null });
  });

  it('keeps a summary about fields the form does not show', () => {
    const unplaced = formErrorsOf(new ApiError(422, 'validation_failed', 'x', [{ path: 'nickname', message: 'is required' }, { path: 'other', message: 'is odd' }]), ['nickname']);
    expect(withoutEditedPaths(unplaced, new Set(['nickname']))).toEqual({ fields: {}, summary: 'other: is odd' });
  });

  it('drops a message about no field (a conflict) with any edit', () => {
    const conflict = formErrorsOf(new ApiError(409, 'conflict', 'A template ABC:x (en) already exists for this provider account.'), ['namespace']);
    expect(withoutEditedPaths(conflict, new Set(['language']))).toEqual({ fields: {}, summary: null });
  });
});
