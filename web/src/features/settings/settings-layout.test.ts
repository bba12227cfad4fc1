import { describe, expect, it } from 'vitest';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { MemoryRouter } from 'react-router-dom';
import type { Me } from '../../api/types';
import { SessionContext } from '../auth/session-context';
import { SettingsLayout } from './settings-layout';

const member: Me = {
  user: { id: 'u1', email: 'member@example.com', isAdmin: false },
  csrfToken: 'x',
  projects: [],
  currentProjectId: null,
};

/** The side navigation's links as rendered at `path`: their text and whether they are highlighted. */
function sideNavAt(path: string): Array<{ text: string; active: boolean; current: string | null }> {
  const markup = renderToStaticMarkup(
    createElement(MemoryRouter, { initialEntries: [path] }, createElement(SessionContext.Provider, { value: member }, createElement(SettingsLayout))),
  );
  return [...markup.matchAll(/<a ([^>]*)>([^<]*)<\/a>/g)].map(([, attributes = '', text = '']) => ({
    text,
    active: /class="[^"]*\bis-active\b/.test(attributes),
    current: /aria-current="([^"]+)"/.exec(attributes)?.[1] ?? null,
  }));
}

describe('SettingsLayout', () => {
  it('highlights Channels, the section, on Settings → Channels → WhatsApp and on an account below it', () => {
    for (const path of ['/settings/channels/whatsapp', '/settings/channels/whatsapp/p1']) {
      expect(sideNavAt(path).filter((link) => link.active)).toEqual([
        { text: 'Channels', active: true, current: 'true' },
        { text: 'WhatsApp', active: true, current: 'page' },
      ]);
    }
  });

  it('highlights only Keywords on Keywords', () => {
    expect(sideNavAt('/settings/keywords').filter((link) => link.active).map((link) => link.text)).toEqual(['Keywords']);
  });
});
