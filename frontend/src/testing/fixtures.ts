import type { Job } from '@/features/bulk/api/bulk-job';
import type { Contact } from '@/features/contacts/api/contact';
import type { Message } from '@/features/conversation/api/message';
import type { AppConfig } from '@/config/config';
import type { Sender } from '@/lib/senders';
import type { TemplateEntry } from '@/lib/whatsapp-templates';

export const testConfig: AppConfig = {
  apiBase: '/api',
  region: 'us-east-1',
  cognitoEndpoint: 'http://cognito.test/',
  userPoolId: 'us-east-1_test',
  userPoolClientId: 'client123',
};

export const users = {
  Admin: {
    userId: 'u-admin',
    email: 'admin@wecare.digital',
    role: 'Admin',
    tenantId: 'wecare',
    permissions: ['readContacts', 'readMessages', 'writeContacts', 'sendMessages', 'manageBulk', 'manageUsers'],
  },
  Operator: {
    userId: 'u-operator',
    email: 'operator@wecare.digital',
    role: 'Operator',
    tenantId: 'wecare',
    permissions: ['readContacts', 'readMessages', 'writeContacts', 'sendMessages', 'manageBulk'],
  },
  Viewer: {
    userId: 'u-viewer',
    email: 'viewer@wecare.digital',
    role: 'Viewer',
    tenantId: 'wecare',
    permissions: ['readContacts', 'readMessages'],
  },
} as const;

export type TestRole = keyof typeof users;

let counter = 0;

export function aContact(overrides: Partial<Contact> = {}): Contact {
  counter += 1;
  const at = new Date(Date.UTC(2026, 10, 1, 12, counter)).toISOString();
  return {
    contactId: `c-${counter}`,
    tenantId: 'wecare',
    name: `Contact ${counter}`,
    phone: `+4479111${String(10000 + counter)}`,
    optInWhatsApp: false,
    optInSms: false,
    optInEmail: false,
    consentHistory: [],
    createdAt: at,
    createdBy: 'u-operator',
    updatedAt: at,
    version: 1,
    ...overrides,
  };
}

/** A session as localStorage holds it, valid for an hour. */
export function storedSession(now = Date.now()) {
  return JSON.stringify({
    idToken: 'id-token-1',
    accessToken: 'access-token-1',
    refreshToken: 'refresh-token-1',
    expiresAt: now + 3600_000,
  });
}

let messageCounter = 0;

/** A WhatsApp message the contact sent, a minute after the previous one made here. */
export function aMessage(overrides: Partial<Message> = {}): Message {
  messageCounter += 1;
  const at = new Date(Date.UTC(2026, 10, 20, 9, messageCounter)).toISOString();
  return {
    messageId: `m-${messageCounter}`,
    contactId: 'c-ada',
    channel: 'whatsapp',
    direction: 'inbound',
    status: 'received',
    to: 'pn-1',
    from: '+919876543210',
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

/** The local stack's tenant `wecare`: two WhatsApp numbers (the first the default), an SMS pool, an email sender. */
export const wecareSenders = {
  whatsapp: {
    senderId: 'phone-number-id-0a1b2c3d4e5f60718293a4b5c6d7e8f9',
    channel: 'whatsapp',
    label: '+91 93309 94400',
    default: true,
    ratePerSecond: 80,
  },
  whatsappOther: {
    senderId: 'phone-number-id-f9e8d7c6b5a40392817f6e5d4c3b2a10',
    channel: 'whatsapp',
    label: '+91 99033 00044',
    default: false,
    ratePerSecond: 80,
  },
  sms: { senderId: 'pool-wecare-sms', channel: 'sms', label: 'WECARE SMS pool', default: true, ratePerSecond: 5 },
  email: { senderId: 'care@wecare.digital', channel: 'email', label: 'care@wecare.digital', default: true, ratePerSecond: 10 },
} satisfies Record<string, Sender>;

/** GET /api/senders as the API answers it (the tenant's senders, all channels). */
export function sendersPage(senders: Sender[] = Object.values(wecareSenders)) {
  return { items: senders };
}

let jobCounter = 0;

/** A bulk job as the API returns it: an SMS to 10 recipients, running, 4 sent. */
export function aJob(overrides: Partial<Job> = {}): Job {
  jobCounter += 1;
  const at = new Date(Date.UTC(2026, 10, 20, 10, jobCounter)).toISOString();
  return {
    jobId: `job-${jobCounter}`,
    name: `Campaign ${jobCounter}`,
    channel: 'sms',
    sender: 'pool-wecare-sms',
    content: { type: 'text', body: 'Hi {{name}}' },
    status: 'RUNNING',
    progress: { total: 10, pending: 6, sent: 4, failed: 0, skipped: {}, unknown: 0, cancelled: 0 },
    excluded: {},
    createdBy: 'u-operator',
    createdAt: at,
    updatedAt: at,
    stalled: false,
    reportReady: false,
    ...overrides,
  };
}

/** An approved utility template: "Hi {{1}}, your order {{2}} ships today." */
export function aTemplate(overrides: Partial<TemplateEntry> = {}): TemplateEntry {
  return {
    name: 'order_update',
    language: 'en_US',
    category: 'UTILITY',
    status: 'APPROVED',
    parameterFormat: 'POSITIONAL',
    header: null,
    body: 'Hi {{1}}, your order {{2}} ships today.',
    footer: null,
    buttons: [],
    variables: [
      { name: '1', component: 'BODY', sample: 'Ada' },
      { name: '2', component: 'BODY', sample: 'A-42' },
    ],
    rejectedReason: null,
    updatedAt: '2026-11-20T10:00:00Z',
    ...overrides,
  };
}

/** GET /api/whatsapp/templates as the API answers it. */
export function templateCatalogue(items: TemplateEntry[], syncedAt: string | null = '2026-11-20T10:00:00Z') {
  return { wabaId: 'waba-1', syncedAt, items };
}
