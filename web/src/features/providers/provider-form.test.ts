import { describe, expect, it } from 'vitest';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import type { ProviderAccount } from '../../api/types';
import { ProviderForm } from './provider-form';

const account: ProviderAccount = {
  id: 'p1',
  type: 'nexmo',
  nickname: 'Vonage',
  isDefault: true,
  ratePerSecond: 40,
  autoReply: { enabled: false, text: '' },
  credentials: { applicationId: 'aaaaaaaa-bbbb-4ccc-8ddd-0123456789ab', apiKey: 'a1b2c3d', apiSecret: '••••4321', whatsappNumber: '447700900001' },
  inboundCallbackUrl: 'http://x/hooks/nexmo/t/inbound',
  deliveryCallbackUrl: 'http://x/hooks/nexmo/t/delivery',
  lastReceiptAt: null,
  lastInboundAt: null,
  lastThrottledAt: null,
  dailyRecipientLimit: null,
  messagingLimit: null,
  createdAt: 0,
  updatedAt: 0,
};

/** The form's markup for a saved account, as the edit page first renders it. */
function render(saved: ProviderAccount): string {
  return renderToStaticMarkup(createElement(QueryClientProvider, { client: new QueryClient() }, createElement(ProviderForm, { account: saved, onSaved: () => {} })));
}

/** The `<input>` tag of the checkbox labelled `label`. */
function checkbox(markup: string, label: string): string {
  const id = new RegExp(`<label for="([^"]+)">${label}</label>`).exec(markup)?.[1];
  const tag = id ? markup.match(/<input[^>]*>/g)?.find((input) => input.includes(`id="${id}"`)) : undefined;
  if (!tag) throw new Error(`No checkbox labelled ${label}`);
  return tag;
}

describe('ProviderForm', () => {
  it('does not offer to untick "Mark as default" on the default account, and says why', () => {
    const markup = render(account);
    const tag = checkbox(markup, 'Mark as default');
    expect(tag).toContain('checked=""');
    expect(tag).toContain('disabled=""');
    expect(markup).toContain('To change the default, mark another account as default.');
  });

  it('offers it on another account', () => {
    const tag = checkbox(render({ ...account, isDefault: false }), 'Mark as default');
    expect(tag).not.toContain('disabled');
    expect(tag).not.toContain('checked');
  });
});
