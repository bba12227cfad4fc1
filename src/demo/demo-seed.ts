/**
 * Sample data for `wacast demo`: a project with a provider account on the sandbox, a template,
 * 500 profiles with events, a segment, and a campaign that starts sending at once — slowly enough
 * (25 messages per second) to watch the numbers move. Seeding happens once; later runs reuse it.
 */
import type { AppDeps } from '../deps.js';
import { createProject } from '../projects/projects.service.js';
import { createApiCredential } from '../auth/api-credentials.service.js';
import { createProviderAccount, getProviderAccount } from '../providers/provider-accounts.service.js';
import { createTemplate } from '../templates/templates.service.js';
import { uploadRecords } from '../audience/upload.service.js';
import { createSegment } from '../audience/segments.service.js';
import { createCampaign, publishCampaign } from '../campaigns/campaigns.service.js';
import { SYSTEM_ACTORS } from '../campaigns/campaign-activity.js';

export const DEMO_PROJECT = 'Demo (sandbox)';

export const DEMO_GUPSHUP = {
  notificationUserId: '2000100100',
  notificationPassword: 'demo-notification-password',
  twoWayUserId: '2000100101',
  twoWayPassword: 'demo-two-way-password',
  businessNumber: '919000012345',
};

const FIRST = ['Aarav', 'Diya', 'Kabir', 'Meera', 'Rohan', 'Ananya', 'Vihaan', 'Isha', 'Arjun', 'Sara', 'Nikhil', 'Zoya'];
const CITIES = ['Mumbai', 'Delhi', 'Bengaluru', 'Pune', 'Chennai'];
const TIERS = ['Gold', 'Silver', 'Bronze'];

export interface DemoWorld {
  projectId: string;
  providerId: string;
  accountId: string | null;
  passcode: string | null;
  inboundCallbackUrl: string;
  deliveryCallbackUrl: string;
  seeded: boolean;
}

export async function seedDemo(deps: AppDeps, log: (line: string) => void): Promise<DemoWorld> {
  const existing = await deps.db.kysely.selectFrom('projects').select('id').where('name', '=', DEMO_PROJECT).executeTakeFirst();
  if (existing) {
    const provider = await deps.db.kysely
      .selectFrom('provider_accounts')
      .select('id')
      .where('project_id', '=', existing.id)
      .where('deleted_at', 'is', null)
      .orderBy('created_at')
      .executeTakeFirstOrThrow();
    const account = await getProviderAccount(deps, existing.id, provider.id);
    return { projectId: existing.id, providerId: provider.id, accountId: null, passcode: null, inboundCallbackUrl: account.inboundCallbackUrl, deliveryCallbackUrl: account.deliveryCallbackUrl, seeded: false };
  }

  log('Seeding the demo: a Gupshup account on the sandbox, a template, 500 profiles, a segment and a campaign…');
  const project = await createProject(deps.db, DEMO_PROJECT);
  const credential = await createApiCredential(deps.db, project.id, 'demo');
  const account = await createProviderAccount(deps, project.id, {
    type: 'gupshup',
    nickname: 'Gupshup (sandbox)',
    ratePerSecond: 25,
    autoReply: { enabled: true, text: 'Hi! This is the demo shop. Reply STOP to stop offers.' },
    credentials: {
      notificationUserId: DEMO_GUPSHUP.notificationUserId,
      notificationPassword: DEMO_GUPSHUP.notificationPassword,
      twoWayUserId: DEMO_GUPSHUP.twoWayUserId,
      twoWayPassword: DEMO_GUPSHUP.twoWayPassword,
      mobileNumber: DEMO_GUPSHUP.businessNumber,
      appName: 'DemoShop',
    },
  });
  const template = await createTemplate(deps, project.id, {
    providerId: account.id,
    namespace: 'DEMO:welcome_offer',
    body: 'Hi {{1}}, welcome to the demo shop! Your {{2}} code is {{3}}.',
    attachmentType: 'none',
  });

  const now = Math.floor(Date.now() / 1000);
  const records: unknown[] = [];
  for (let i = 0; i < 500; i++) {
    const identity = `demo-${String(i + 1).padStart(3, '0')}`;
    records.push({
      identity,
      type: 'profile',
      profileData: {
        Name: `${FIRST[i % FIRST.length]} ${String.fromCharCode(65 + (i % 26))}.`,
        Phone: `+9198${String(10_000_000 + i * 7919).slice(0, 8)}`,
        City: CITIES[i % CITIES.length],
        Tier: TIERS[i % TIERS.length],
        'MSG-whatsapp': i % 10 !== 0,
      },
    });
    if (i % 3 === 0) records.push({ identity, type: 'event', evtName: 'Purchase', evtData: { Amount: 100 + (i % 7) * 50 }, ts: now - (i % 20) * 86_400 });
  }
  for (let start = 0; start < records.length; start += 1000) await uploadRecords(deps.db, project.id, records.slice(start, start + 1000));

  await createSegment(deps.db, project.id, {
    name: 'Mumbai buyers (last 30 days)',
    filter: {
      type: 'and',
      filters: [
        { type: 'property', name: 'City', op: 'eq', value: 'Mumbai' },
        { type: 'event', name: 'Purchase', did: true, within: { lastDays: 30 } },
      ],
    },
  } as Parameters<typeof createSegment>[2]);

  const campaign = await createCampaign(deps, project.id, {
    name: 'Welcome offer',
    providerId: account.id,
    templateId: template.id,
    audience: { all: true },
    params: ['{{ Profile.Name | default: "there" }}', '{{ Profile.Tier | default: "welcome" }}', '{% if Profile.City == "Mumbai" %}MUM20{% else %}WELCOME10{% endif %}'],
  }, SYSTEM_ACTORS.demo);
  await publishCampaign(deps, project.id, campaign.id, SYSTEM_ACTORS.demo);
  return {
    projectId: project.id,
    providerId: account.id,
    accountId: credential.accountId,
    passcode: credential.passcode,
    inboundCallbackUrl: account.inboundCallbackUrl,
    deliveryCallbackUrl: account.deliveryCallbackUrl,
    seeded: true,
  };
}
