/**
 * Runs the provider contract for each adapter against the capture stub: a local HTTP server that
 * checks credentials the way each provider does and answers in each provider's documented shapes.
 * (The same contract runs against `wacast sandbox` once it is wired in.)
 */
import { generateKeyPairSync, randomUUID, verify } from 'node:crypto';
import { CaptureServer, type CannedResponse, type CapturedRequest } from '../../test/helpers/http-capture.js';
import { defineProviderContract, type ContractCondition, type ProviderContractSetup } from './provider.contract.js';
import type { AttachmentTemplate, GupshupCredentials, NexmoCredentials, ProviderUrls } from './provider.js';
import { createProviderClient } from './provider-client.js';

const TEMPLATES: Record<AttachmentTemplate['attachmentType'], AttachmentTemplate> = {
  none: { namespace: 'DEMO:order_update', body: 'Hi {{1}}, your order {{2}} is shipped.', language: 'en', attachmentType: 'none' },
  image: { namespace: 'DEMO:order_photo', body: 'Hi {{1}}, here is order {{2}}.', language: 'en', attachmentType: 'image' },
  video: { namespace: 'DEMO:order_video', body: 'Hi {{1}}, watch order {{2}}.', language: 'en', attachmentType: 'video' },
  document: { namespace: 'DEMO:order_invoice', body: 'Hi {{1}}, invoice for {{2}}.', language: 'en_GB', attachmentType: 'document' },
};

const FIXTURES = { to: '+919876543210', templates: TEMPLATES, params: ['Ravi', '123'], mediaUrl: 'https://cdn.example.com/files/invoice.pdf' };

/** A stub provider: `answer` decides for an authenticated request; `refuse` answers bad credentials. */
interface StubProvider {
  authenticated(request: CapturedRequest): boolean;
  refuse(): CannedResponse;
  accept(request: CapturedRequest): CannedResponse;
  condition(condition: Exclude<ContractCondition, 'timeout_after_send'>): CannedResponse;
}

async function stubSetup(stub: StubProvider, build: (urls: ProviderUrls, bad: boolean, http?: object) => ReturnType<ProviderContractSetup['makeClient']>, secrets: string[]): Promise<ProviderContractSetup> {
  const server = await CaptureServer.start();
  let pending: CannedResponse | null = null;
  server.setResponder((request) => {
    if (!stub.authenticated(request)) return stub.refuse();
    if (pending) {
      const answer = pending;
      pending = null;
      return answer;
    }
    return stub.accept(request);
  });
  const urls: ProviderUrls = { gupshupEnterprise: `${server.url}/GatewayAPI/rest`, gupshupApi: server.url, vonageApi: server.url };
  return {
    makeClient: (options = {}) => build(options.urls ?? urls, options.badCredentials ?? false, options.http),
    fixtures: FIXTURES,
    secrets,
    arrange(condition) {
      pending = condition === 'timeout_after_send' ? { hang: true } : stub.condition(condition);
      return Promise.resolve({ retryAfter: condition === 'rate_limited' });
    },
    reset() {
      pending = null;
      return Promise.resolve();
    },
    teardown: () => server.close(),
  };
}

// ---- Gupshup Enterprise ----------------------------------------------------------------------
const ENTERPRISE: GupshupCredentials = {
  mode: 'enterprise',
  notificationUserId: '2000155005',
  notificationPassword: 'hsm-pass-1234',
  twoWayUserId: '2000155006',
  twoWayPassword: 'two-way-pass-5678',
  appName: 'DemoApp',
  mobileNumber: '919000000001',
  facebookUrl: 'https://facebook.com/demo',
};
let gatewayIds = 0;
const gatewayError = (id: string, details: string): CannedResponse => ({ status: 200, body: JSON.stringify({ response: { id, phone: '', details, status: 'error' } }) });

defineProviderContract('Gupshup Enterprise (capture stub)', () =>
  stubSetup(
    {
      authenticated(request) {
        const form = new Map(request.form ?? []);
        const pair = `${form.get('userid')}:${form.get('password')}`;
        return pair === `${ENTERPRISE.notificationUserId}:${ENTERPRISE.notificationPassword}` || pair === `${ENTERPRISE.twoWayUserId}:${ENTERPRISE.twoWayPassword}`;
      },
      refuse: () => gatewayError('102', 'Authentication failed due to invalid userId or password.'),
      accept(request) {
        const form = new Map(request.form ?? []);
        gatewayIds++;
        const id = `${4845032196180770877n + BigInt(gatewayIds)}-390760589280616033`;
        return { status: 200, body: JSON.stringify({ response: { id: form.get('method')?.startsWith('OPT') ? '' : id, phone: form.get('send_to') ?? form.get('phone_number'), details: '', status: 'success' } }) };
      },
      condition: (condition) =>
        condition === 'invalid_number' ? gatewayError('105', 'Invalid phone number') : condition === 'rate_limited' ? { status: 429, headers: { 'retry-after': '1' }, body: '' } : { status: 503, body: 'Service Unavailable' },
    },
    (urls, bad, http) =>
      createProviderClient('gupshup', bad ? { ...ENTERPRISE, notificationPassword: 'wrong', twoWayPassword: 'wrong' } : ENTERPRISE, urls, { httpOptions: { ...http } }),
    [ENTERPRISE.notificationPassword, ENTERPRISE.twoWayPassword],
  ),
);

// ---- Gupshup self-serve ----------------------------------------------------------------------
const SELF_SERVE: GupshupCredentials = { ...ENTERPRISE, mode: 'selfserve', appName: 'DemoAPI', apiKey: 'ss-key-0123456789abcdef' };
const selfServeError = (status: number, message: string, headers: Record<string, string> = {}): CannedResponse => ({ status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ message, status: 'error' }) });

defineProviderContract('Gupshup self-serve (capture stub)', () =>
  stubSetup(
    {
      authenticated: (request) => request.headers.apikey === SELF_SERVE.apiKey,
      refuse: () => selfServeError(401, 'Authentication Failed'),
      accept: () => ({ status: 202, body: JSON.stringify({ status: 'submitted', messageId: randomUUID() }) }),
      condition: (condition) =>
        condition === 'invalid_number'
          ? selfServeError(400, 'Invalid Destination')
          : condition === 'rate_limited'
            ? selfServeError(429, 'Too Many Requests', { 'retry-after': '1' })
            : selfServeError(500, 'Internal Server Error'),
    },
    (urls, bad, http) => createProviderClient('gupshup', bad ? { ...SELF_SERVE, apiKey: 'wrong-key' } : SELF_SERVE, urls, { httpOptions: { ...http } }),
    [SELF_SERVE.apiKey!],
  ),
);

// ---- Vonage, JWT and Basic -------------------------------------------------------------------
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const NEXMO: NexmoCredentials = {
  applicationId: 'aaaaaaaa-bbbb-cccc-dddd-0123456789ab',
  privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  apiKey: 'aaa012',
  apiSecret: 'abc123456789',
  signatureSecret: 'signature-secret-xyz',
  whatsappNumber: '447700900001',
};
const problem = (status: number, title: string, extra: object = {}, headers: Record<string, string> = {}): CannedResponse => ({
  status,
  headers: { 'content-type': 'application/problem+json', ...headers },
  body: JSON.stringify({ type: `https://developer.vonage.com/api-errors/messages#${status}`, title, detail: title, instance: randomUUID(), ...extra }),
});

function vonageAuthenticated(request: CapturedRequest): boolean {
  const header = request.headers.authorization ?? '';
  if (header.startsWith('Basic ')) return header === `Basic ${Buffer.from(`${NEXMO.apiKey}:${NEXMO.apiSecret}`).toString('base64')}`;
  const [h, c, s] = header.replace(/^Bearer /, '').split('.');
  if (!h || !c || !s) return false;
  return verify('sha256', Buffer.from(`${h}.${c}`), publicKey, Buffer.from(s, 'base64url'));
}

const vonageStub: StubProvider = {
  authenticated: vonageAuthenticated,
  refuse: () => problem(401, 'You did not provide correct credentials.'),
  accept: () => ({ status: 202, body: JSON.stringify({ message_uuid: randomUUID() }) }),
  condition: (condition) =>
    condition === 'invalid_number'
      ? problem(422, 'Invalid recipient')
      : condition === 'rate_limited'
        ? problem(429, 'Rate Limit Hit', {}, { 'retry-after': '15' })
        : problem(500, 'Internal error'),
};

defineProviderContract('Vonage with JWT (capture stub)', () => {
  const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return stubSetup(vonageStub, (urls, bad, http) => createProviderClient('nexmo', bad ? { ...NEXMO, privateKey: other } : NEXMO, urls, { httpOptions: { ...http } }), [NEXMO.apiSecret, NEXMO.signatureSecret, NEXMO.privateKey.split('\n')[1]!]);
});

defineProviderContract('Vonage with Basic auth (capture stub)', () => {
  const basic = { ...NEXMO, applicationId: '', privateKey: '' };
  return stubSetup(vonageStub, (urls, bad, http) => createProviderClient('nexmo', bad ? { ...basic, apiSecret: 'wrong' } : basic, urls, { httpOptions: { ...http } }), [NEXMO.apiSecret, Buffer.from(`${NEXMO.apiKey}:${NEXMO.apiSecret}`).toString('base64')]);
});
