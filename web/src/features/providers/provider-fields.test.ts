import { describe, expect, it } from 'vitest';
import type { ProviderAccount } from '../../api/types';
import {
  apiKeyRemovedBySave,
  canClear,
  credentialFields,
  emptyProviderValues,
  formValuePath,
  GUPSHUP_FIELDS,
  messagingLimitUsage,
  NEXMO_FIELDS,
  providerFormPaths,
  providerFormProblems,
  providerValuesFrom,
  toCreateBody,
  toPatchBody,
} from './provider-fields';

const savedGupshup: ProviderAccount = {
  id: 'p1',
  type: 'gupshup',
  nickname: 'Promo',
  isDefault: true,
  ratePerSecond: 40,
  autoReply: { enabled: true, text: 'Hello!' },
  credentials: {
    mode: 'enterprise',
    notificationUserId: '2000',
    notificationPassword: '••••word',
    twoWayUserId: '3000',
    twoWayPassword: '••••1234',
    appName: 'App',
    mobileNumber: '+919876543210',
    facebookUrl: 'https://facebook.com/x',
  },
  inboundCallbackUrl: 'http://x/hooks/gupshup/t/inbound',
  deliveryCallbackUrl: 'http://x/hooks/gupshup/t/delivery',
  lastReceiptAt: null,
  lastInboundAt: null,
  lastThrottledAt: null,
  dailyRecipientLimit: null,
  messagingLimit: null,
  createdAt: 1,
  updatedAt: 1,
};

describe('provider form fields', () => {
  it('uses the exact labels of the product, in order', () => {
    expect(credentialFields('gupshup', 'enterprise').map((field) => field.label)).toEqual([
      'Notification account user ID',
      'Notification account password',
      'Two-way account user ID',
      'Two-way account password',
      'App name',
      'Mobile Number',
      'Facebook URL',
    ]);
    expect(credentialFields('gupshup', 'selfserve').map((field) => field.label)).toContain('API key');
    expect(NEXMO_FIELDS.map((field) => field.label)).toEqual(['Application ID', 'Private key', 'API key', 'API secret', 'Signature secret', 'WhatsApp number']);
  });

  it('treats passwords, keys and secrets as write-only', () => {
    const secret = (fields: typeof GUPSHUP_FIELDS) => fields.filter((field) => field.secret).map((field) => field.key);
    expect(secret(GUPSHUP_FIELDS)).toEqual(['notificationPassword', 'twoWayPassword', 'apiKey']);
    expect(secret(NEXMO_FIELDS)).toEqual(['privateKey', 'apiSecret', 'signatureSecret']);
  });
});

describe('create body', () => {
  it('sends what was typed, trims non-secrets, keeps secrets verbatim and leaves out empty fields', () => {
    const values = emptyProviderValues('gupshup', { isFirstAccount: true });
    values.nickname = '  Promo ';
    values.credentials = { notificationUserId: ' 2000 ', notificationPassword: ' pass word ', appName: '', apiKey: 'not-in-enterprise-mode' };
    values.autoReplyEnabled = true;
    values.autoReplyText = ' Hi ';
    expect(toCreateBody(values, 'token-1')).toEqual({
      type: 'gupshup',
      nickname: 'Promo',
      isDefault: true,
      ratePerSecond: 80,
      autoReply: { enabled: true, text: 'Hi' },
      callbackToken: 'token-1',
      credentials: { mode: 'enterprise', notificationUserId: '2000', notificationPassword: ' pass word ' },
    });
  });

  it('sends the self-serve API key and no Gupshup mode for Nexmo', () => {
    const gupshup = emptyProviderValues('gupshup');
    gupshup.gupshupMode = 'selfserve';
    gupshup.credentials = { apiKey: 'k' };
    expect(toCreateBody(gupshup, undefined).credentials).toEqual({ mode: 'selfserve', apiKey: 'k' });
    expect(toCreateBody(gupshup, undefined).callbackToken).toBeUndefined();
    const nexmo = emptyProviderValues('nexmo');
    nexmo.credentials = { applicationId: 'a', privateKey: '-----BEGIN PRIVATE KEY-----\n…' };
    expect(toCreateBody(nexmo, undefined).credentials).toEqual({ applicationId: 'a', privateKey: '-----BEGIN PRIVATE KEY-----\n…' });
  });
});

describe('editing a saved account', () => {
  it('prefills non-secret values and never the masked secrets', () => {
    const values = providerValuesFrom(savedGupshup);
    expect(values.credentials).toEqual({
      notificationUserId: '2000',
      twoWayUserId: '3000',
      appName: 'App',
      mobileNumber: '+919876543210',
      facebookUrl: 'https://facebook.com/x',
    });
    expect(values.ratePerSecond).toBe('40');
    expect(values.autoReplyEnabled).toBe(true);
  });

  it('omits stored secrets unless the user chose to replace them and typed a value', () => {
    const values = providerValuesFrom(savedGupshup);
    values.credentials.notificationPassword = 'typed but not replacing';
    expect(toPatchBody(values, savedGupshup).credentials).not.toHaveProperty('notificationPassword');
    values.replacing.notificationPassword = true;
    expect(toPatchBody(values, savedGupshup).credentials).toHaveProperty('notificationPassword', 'typed but not replacing');
    values.replacing.twoWayPassword = true;
    expect(toPatchBody(values, savedGupshup).credentials).not.toHaveProperty('twoWayPassword');
  });

  it('sends a secret that was never stored (switching to self-serve adds an API key)', () => {
    const values = providerValuesFrom(savedGupshup);
    values.gupshupMode = 'selfserve';
    values.credentials.apiKey = 'new-key';
    expect(toPatchBody(values, savedGupshup).credentials).toMatchObject({ mode: 'selfserve', apiKey: 'new-key' });
  });

  it('switching a self-serve account to Enterprise sends no API key, and the form says the stored one goes', () => {
    const savedSelfServe: ProviderAccount = { ...savedGupshup, credentials: { ...savedGupshup.credentials, mode: 'selfserve', apiKey: '••••ef12' } };
    const values = providerValuesFrom(savedSelfServe);
    expect(apiKeyRemovedBySave(values, savedSelfServe)).toBeNull();
    // Typed, then switched away from: the server would refuse an API key with Enterprise.
    values.replacing.apiKey = true;
    values.credentials.apiKey = 'typed-in-self-serve';
    values.gupshupMode = 'enterprise';
    expect(apiKeyRemovedBySave(values, savedSelfServe)).toBe('••••ef12');
    expect(toPatchBody(values, savedSelfServe).credentials).toEqual(expect.objectContaining({ mode: 'enterprise' }));
    expect(toPatchBody(values, savedSelfServe).credentials).not.toHaveProperty('apiKey');
    // Nothing to say without a stored key, for a new account, or for Vonage.
    expect(apiKeyRemovedBySave(providerValuesFrom(savedGupshup), savedGupshup)).toBeNull();
    expect(apiKeyRemovedBySave(values, undefined)).toBeNull();
    expect(apiKeyRemovedBySave({ ...values, type: 'nexmo' }, { ...savedSelfServe, type: 'nexmo' })).toBeNull();
  });

  it('sends null for a stored secret the user chose to clear, and only for an optional one', () => {
    const savedNexmo: ProviderAccount = {
      ...savedGupshup,
      type: 'nexmo',
      credentials: {
        applicationId: 'aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab',
        privateKey: '••••QAB',
        apiKey: 'a1b2c3d',
        apiSecret: '••••4321',
        signatureSecret: '••••efgh',
        whatsappNumber: '447700900001',
      },
    };
    expect(NEXMO_FIELDS.filter((field) => canClear(field, 'enterprise')).map((field) => field.key)).toEqual(['privateKey', 'apiSecret', 'signatureSecret']);
    const values = providerValuesFrom(savedNexmo);
    values.clearing.privateKey = true;
    values.clearing.signatureSecret = true;
    // Moving to an API key and secret: the Application ID emptied is sent empty, not left out.
    values.credentials.applicationId = '';
    const credentials = toPatchBody(values, savedNexmo).credentials;
    expect(credentials).toEqual({ privateKey: null, signatureSecret: null, applicationId: '', apiKey: 'a1b2c3d', whatsappNumber: '447700900001' });

    // Gupshup passwords are required in Enterprise mode: clearing one is not offered, nor sent.
    const gupshup = providerValuesFrom(savedGupshup);
    gupshup.clearing.twoWayPassword = true;
    expect(canClear(GUPSHUP_FIELDS.find((field) => field.key === 'twoWayPassword')!, 'enterprise')).toBe(false);
    expect(toPatchBody(gupshup, savedGupshup).credentials).not.toHaveProperty('twoWayPassword');
    gupshup.gupshupMode = 'selfserve';
    expect(toPatchBody(gupshup, savedGupshup).credentials).toHaveProperty('twoWayPassword', null);
    // A secret never stored has nothing to clear.
    gupshup.clearing.apiKey = true;
    expect(toPatchBody(gupshup, savedGupshup).credentials).not.toHaveProperty('apiKey');
  });
});

describe('client-side checks', () => {
  it('names the field and the rule', () => {
    const values = emptyProviderValues('nexmo');
    values.ratePerSecond = '0';
    values.autoReplyEnabled = true;
    const problems = providerFormProblems(values);
    expect(Object.keys(problems).sort()).toEqual(['autoReply.text', 'nickname', 'ratePerSecond']);
    expect(problems.ratePerSecond).toBe('must be a whole number from 1 to 10,000');
    values.nickname = 'N';
    values.ratePerSecond = '10000';
    values.autoReplyText = 'Hi';
    expect(providerFormProblems(values)).toEqual({});
    values.ratePerSecond = '2.5';
    expect(providerFormProblems(values)).toHaveProperty('ratePerSecond');
  });

  it('lists the error paths of the visible fields', () => {
    expect(providerFormPaths(emptyProviderValues('nexmo'))).toContain('credentials.privateKey');
    expect(providerFormPaths(emptyProviderValues('gupshup'))).not.toContain('credentials.apiKey');
  });
});

describe('daily messaging limit', () => {
  it('is not set on a new account and left out of its body until a tier is chosen', () => {
    const values = emptyProviderValues('nexmo');
    expect(values.dailyRecipientLimit).toBe('');
    expect(toCreateBody(values, undefined)).not.toHaveProperty('dailyRecipientLimit');
    expect(toCreateBody({ ...values, dailyRecipientLimit: '10000' }, undefined).dailyRecipientLimit).toBe(10000);
  });

  it('prefills the saved tier, and a change sends the tier or null for unlimited', () => {
    const saved = { ...savedGupshup, dailyRecipientLimit: 1000 as const, messagingLimit: { limit: 1000 as const, usedLast24h: 250, remaining: 750 } };
    const values = providerValuesFrom(saved);
    expect(values.dailyRecipientLimit).toBe('1000');
    expect(toPatchBody(values, saved).dailyRecipientLimit).toBe(1000);
    expect(toPatchBody({ ...values, dailyRecipientLimit: '' }, saved).dailyRecipientLimit).toBeNull();
  });

  it('shows the usage as "used X of Y in the last 24 h"', () => {
    expect(messagingLimitUsage({ limit: 10000, usedLast24h: 1234, remaining: 8766 })).toBe('used 1,234 of 10,000 in the last 24 h');
  });
});

describe('formValuePath', () => {
  it('names each form value by the path the server puts in its error details', () => {
    expect(formValuePath('nickname')).toBe('nickname');
    expect(formValuePath('ratePerSecond')).toBe('ratePerSecond');
    expect(formValuePath('gupshupMode')).toBe('credentials.mode');
    expect(formValuePath('autoReplyText')).toBe('autoReply.text');
    const values = emptyProviderValues('gupshup');
    for (const key of ['nickname', 'gupshupMode', 'ratePerSecond', 'dailyRecipientLimit', 'isDefault', 'autoReplyEnabled', 'autoReplyText'] as const) {
      expect(providerFormPaths(values)).toContain(formValuePath(key));
    }
  });
});
