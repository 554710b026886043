import type { Contact } from '@/features/contacts/api/contact';
import type { Message } from '@/features/conversation/api/message';
import type { AppConfig } from '@/config/config';

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
