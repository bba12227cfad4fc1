import { describe, expect, it } from 'vitest';
import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { formatDateTime } from '../../../components/format';
import { CampaignStatusLine } from './campaign-status-line';

const sendAt = Date.UTC(2030, 4, 17, 9, 30);
const text = (html: string) => html.replace(/<[^>]+>/g, '');

describe('CampaignStatusLine', () => {
  it('says when a scheduled campaign starts, as the campaign list does', () => {
    const markup = renderToStaticMarkup(createElement(CampaignStatusLine, { campaign: { state: 'scheduled', sendAt, stateReason: null }, updates: { text: 'Live', tone: 'live' } }));
    expect(text(markup)).toBe(`Scheduled Live · Starts ${formatDateTime(sendAt)}`);
  });

  it('says nothing of a start once the campaign has started', () => {
    const markup = renderToStaticMarkup(createElement(CampaignStatusLine, { campaign: { state: 'running', sendAt, stateReason: null }, updates: { text: 'Live', tone: 'live' } }));
    expect(text(markup)).toBe('Running Live');
  });
});
