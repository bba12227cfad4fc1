import { describe, expect, it } from 'vitest';
import type { Conversation } from '../../api/inbox.types';
import { conversationsOf } from './conversation-pages';

const conversation = (phone: string, updatedAt: number): Conversation => ({
  phone,
  providerId: 'p',
  profile: null,
  senderName: null,
  lastText: 'hi',
  lastDirection: 'in',
  lastInboundAt: updatedAt,
  lastOutboundAt: null,
  unread: 1,
  campaign: null,
  windowOpen: true,
  windowClosesAt: updatedAt + 86_400_000,
  optedOut: false,
  notOptedIn: false,
  updatedAt,
});

describe('conversationsOf', () => {
  it('joins the pages in order', () => {
    const pages = [{ items: [conversation('+441', 3), conversation('+442', 2)] }, { items: [conversation('+443', 1)] }];
    expect(conversationsOf(pages).map((item) => item.phone)).toEqual(['+441', '+442', '+443']);
  });

  it('shows a conversation that moved up between two page fetches once, where it is newest', () => {
    const pages = [{ items: [conversation('+443', 4), conversation('+441', 3)] }, { items: [conversation('+443', 1), conversation('+444', 0)] }];
    expect(conversationsOf(pages).map((item) => [item.phone, item.updatedAt])).toEqual([
      ['+443', 4],
      ['+441', 3],
      ['+444', 0],
    ]);
  });
});
