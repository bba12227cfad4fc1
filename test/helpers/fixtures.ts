/** Valid inputs for the API, shared by tests. */
import { generateKeyPairSync } from 'node:crypto';

let keyPair: { privateKey: string; publicKey: string } | null = null;

/** An RSA key pair (PEM), generated once per test process. */
export function rsaKeyPair(): { privateKey: string; publicKey: string } {
  keyPair ??= generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return keyPair;
}

export function gupshupProviderInput(overrides: Record<string, unknown> = {}) {
  return {
    type: 'gupshup' as const,
    nickname: 'Gupshup main',
    credentials: {
      notificationUserId: '2000155005',
      notificationPassword: 'notif-secret-9876',
      twoWayUserId: '2000155006',
      twoWayPassword: 'twoway-secret-5432',
      appName: 'DemoApp',
      mobileNumber: '+919876543210',
      facebookUrl: 'https://facebook.com/demo',
    },
    ...overrides,
  };
}

export function nexmoProviderInput(overrides: Record<string, unknown> = {}) {
  return {
    type: 'nexmo' as const,
    nickname: 'Vonage main',
    credentials: {
      applicationId: 'aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab',
      privateKey: rsaKeyPair().privateKey,
      apiKey: 'a1b2c3d',
      apiSecret: 'vonage-secret-4321',
      signatureSecret: 'sig-secret-abcdefgh',
      whatsappNumber: '447700900001',
    },
    ...overrides,
  };
}
