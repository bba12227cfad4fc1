import { describe, expect, it } from 'vitest';
import { loadCallbackFixture } from '../../test/helpers/provider-fixtures.js';
import { parseProviderCallback } from './provider-callback.js';

describe('parseProviderCallback', () => {
  it('routes by provider type', () => {
    expect(parseProviderCallback('gupshup', loadCallbackFixture('gupshup/selfserve-user-opted-out.json'))).toStrictEqual({ ok: true, events: [{ kind: 'user', phone: '+918898702134', type: 'opted_out' }] });
    expect(parseProviderCallback('nexmo', loadCallbackFixture('nexmo/status-v1-submitted.json'))).toMatchObject({ ok: true, events: [{ kind: 'receipt', status: 'sent' }] });
    // A Gupshup payload on a Vonage URL is refused with a reason, not misread.
    expect(parseProviderCallback('nexmo', loadCallbackFixture('gupshup/enterprise-dlr-batch.json'))).toMatchObject({ ok: false, error: expect.stringMatching(/expected a JSON object/) as unknown });
  });
});
