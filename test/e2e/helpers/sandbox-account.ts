/**
 * A Gupshup Enterprise account as the browser tests need it: created in wacast through the API,
 * the same account in the sandbox posting its callbacks to wacast's URLs, and one template
 * registered on both sides.
 */
import type { BrowserContext } from 'playwright-core';
import type { Sandbox } from '../../../src/sandbox/sandbox.server.js';
import type { RunningServer } from './server.js';
import { apiPost, type AdminSession } from './session.js';

export const GUPSHUP_CREDENTIALS = {
  notificationUserId: '2000190001',
  notificationPassword: 'notification-secret',
  twoWayUserId: '2000190002',
  twoWayPassword: 'two-way-secret',
  appName: 'AcmeApp',
  mobileNumber: '+919000000001',
  facebookUrl: 'https://www.facebook.com/acme',
};

type Attachment = 'none' | 'image' | 'video' | 'document';

export interface SandboxAccountOptions {
  template: { namespace: string; body: string };
  /** More templates, registered on both sides too (ids are not returned: pick them by name). */
  moreTemplates?: Array<{ namespace: string; body: string; attachment: Attachment }>;
  /** More fields of POST /api/v1/providers (rate, auto-reply). */
  provider?: Record<string, unknown>;
}

/** Returns the provider account's id and the template's id in wacast. */
export async function connectSandboxAccount(
  context: BrowserContext,
  server: RunningServer,
  session: AdminSession,
  sandbox: Sandbox,
  options: SandboxAccountOptions,
): Promise<{ providerId: string; templateId: string }> {
  const credentials = GUPSHUP_CREDENTIALS;
  const provider = await apiPost<{ id: string; inboundCallbackUrl: string; deliveryCallbackUrl: string }>(context, server, session, '/api/v1/providers', {
    type: 'gupshup',
    nickname: 'Gupshup sandbox',
    isDefault: true,
    ...options.provider,
    credentials,
  });
  sandbox.addAccounts([
    {
      provider: 'gupshup-enterprise',
      id: 'acme',
      notificationUserId: credentials.notificationUserId,
      notificationPassword: credentials.notificationPassword,
      twoWayUserId: credentials.twoWayUserId,
      twoWayPassword: credentials.twoWayPassword,
      businessNumber: credentials.mobileNumber.replace(/^\+/, ''),
      dlrUrl: provider.deliveryCallbackUrl,
      inboundUrl: provider.inboundCallbackUrl,
      templates: [{ namespace: options.template.namespace, body: options.template.body, attachment: 'none' as Attachment }, ...(options.moreTemplates ?? [])].map((template) => ({
        name: template.namespace,
        body: template.body,
        attachment: template.attachment,
      })),
    },
  ]);
  const template = await apiPost<{ id: string }>(context, server, session, '/api/v1/templates', {
    providerId: provider.id,
    namespace: options.template.namespace,
    body: options.template.body,
    attachmentType: 'none',
  });
  for (const more of options.moreTemplates ?? []) {
    await apiPost(context, server, session, '/api/v1/templates', { providerId: provider.id, namespace: more.namespace, body: more.body, attachmentType: more.attachment });
  }
  return { providerId: provider.id, templateId: template.id };
}
