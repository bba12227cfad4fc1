import type { Migration } from '../migrator.js';
import * as initial from './0001-initial.js';
import * as audience from './0002-audience.js';
import * as webhooks from './0003-webhooks.js';
import * as conversions from './0004-conversions.js';
import * as frequencyCap from './0005-frequency-cap.js';
import * as rejectedCallbacks from './0006-rejected-callbacks.js';
import * as callbackArrivals from './0007-callback-arrivals.js';
import * as providerThrottling from './0008-provider-throttling.js';
import * as retiredCallbackTokens from './0009-retired-callback-tokens.js';
import * as pendingReceiptPhones from './0010-pending-receipt-phones.js';
import * as senderNames from './0011-sender-names.js';
import * as messagingLimit from './0012-messaging-limit.js';
import * as unreadConversations from './0013-unread-conversations.js';
import * as campaignActivity from './0014-campaign-activity.js';
import * as whatsappUsers from './0015-whatsapp-users.js';
import * as callbackLogIndex from './0016-callback-log-index.js';

/** Every migration in order. Names never change once released. */
export const migrations: Migration[] = [
  { name: '0001-initial', up: initial.up },
  { name: '0002-audience', up: audience.up },
  { name: '0003-webhooks', up: webhooks.up },
  { name: '0004-conversions', up: conversions.up },
  { name: '0005-frequency-cap', up: frequencyCap.up },
  { name: '0006-rejected-callbacks', up: rejectedCallbacks.up },
  { name: '0007-callback-arrivals', up: callbackArrivals.up },
  { name: '0008-provider-throttling', up: providerThrottling.up },
  { name: '0009-retired-callback-tokens', up: retiredCallbackTokens.up },
  { name: '0010-pending-receipt-phones', up: pendingReceiptPhones.up },
  { name: '0011-sender-names', up: senderNames.up },
  { name: '0012-messaging-limit', up: messagingLimit.up },
  { name: '0013-unread-conversations', up: unreadConversations.up },
  { name: '0014-campaign-activity', up: campaignActivity.up },
  { name: '0015-whatsapp-users', up: whatsappUsers.up },
  { name: '0016-callback-log-index', up: callbackLogIndex.up },
];
