// Why this exists: schema.json says which functions exist; it cannot say what each may touch.
// That decision — least privilege, per function — is written down here, next to nothing else, so
// a reviewer sees every grant of the platform in one table. A function that appears in
// schema.json without an entry here stops synthesis: it would otherwise deploy without the
// permissions it needs, or someone would be tempted to give it all of them.

import type { QueueName } from './constructs/messaging';

/** What a function does with a table. */
export type TableAccess = 'read' | 'write' | 'readWrite';

/** A provider a function sends through. */
export type SendChannel = 'whatsapp' | 'sms' | 'email';

/** Where in the media bucket objects live; every key continues with `<tenant>/`. */
export type MediaPrefix = 'incoming/' | 'outgoing/';

/** The only object actions a function may be granted on the media bucket. */
export type MediaAction = 's3:GetObject' | 's3:PutObject';

/**
 * Object actions on one prefix of the existing media bucket (`<prefix>*`, nothing else of the
 * bucket), which the function then receives as `MEDIA_BUCKET`.
 */
export interface MediaGrant {
  readonly prefix: MediaPrefix;
  readonly actions: readonly MediaAction[];
  /**
   * Why the object keys cannot be written down in advance: the reason recorded with the
   * acknowledgement of the `<prefix>*` wildcard (cdk-nag AwsSolutions-IAM5).
   */
  readonly why: string;
}

/** End User Messaging Social actions on a WhatsApp phone number. */
export type WhatsAppAction = 'SendWhatsAppMessage' | 'GetWhatsAppMessageMedia';

export interface FunctionWiring {
  /** Logical table name (as in schema.json's `name`) → access. */
  readonly tables: Readonly<Record<string, TableAccess>>;
  /** Providers it may send through, each limited to the configured senders of its channel. */
  readonly sends?: readonly SendChannel[];
  /** WhatsApp actions outside a channel send, on the configured phone numbers only. */
  readonly whatsApp?: readonly WhatsAppAction[];
  /** Object actions on prefixes of the media bucket. */
  readonly media?: readonly MediaGrant[];
  /**
   * Queues it sends messages to itself: sqs:SendMessage on each, nothing else (every function
   * has the queues' URLs; SQS-managed encryption needs no key grant).
   */
  readonly sendsTo?: readonly QueueName[];
  /**
   * Builds `wecare_messaging::Config` (crates/messaging/src/config.rs), so it receives what that
   * config reads beyond the common environment: `SENDERS` (every tenant's senders),
   * `MEDIA_BUCKET`, `ALERTS_TOPIC_ARN` and `WHATSAPP_TIER_LIMIT`. Variables only: whatever it may
   * do with them is granted separately.
   */
  readonly messagingConfig?: true;
  /**
   * Publishes operational alerts (the messaging-tier warning): sns:Publish on the alerts topic
   * only, plus kms:GenerateDataKey and kms:Decrypt on that topic's key, without which SNS refuses
   * to store the message on an encrypted topic.
   */
  readonly publishesAlerts?: true;
}

const UPLOADS_WHY =
  'operators upload each file to a presigned PUT URL for outgoing/<tenant>/<uuid>/<file name>, a key minted per upload; a send HEADs that key (HeadObject needs s3:GetObject) before End User Messaging Social posts the object to WhatsApp from the bucket';

const downloadsWhy = (prefix: MediaPrefix): string =>
  `it signs short-lived download URLs for the files messages carry (details.media.s3Key), keyed per tenant and message under ${prefix}, and a presigned URL can do no more than its signer may`;

export const WIRING: Readonly<Record<string, FunctionWiring>> = {
  // Verifies the Cognito ID token, then records the login on the caller's profile.
  'auth-middleware': { tables: { Users: 'readWrite' } },
  // Contacts keep uniqueness guards and search tokens in the same table as the contact, written in
  // one transaction with the audit entry of the change.
  'contacts-create': { tables: { Contacts: 'readWrite', AuditLogs: 'write' } },
  'contacts-read': { tables: { Contacts: 'readWrite', AuditLogs: 'write' } },
  'contacts-update': { tables: { Contacts: 'readWrite', AuditLogs: 'write' } },
  'contacts-delete': { tables: { Contacts: 'readWrite', AuditLogs: 'write' } },
  'contacts-search': { tables: { Contacts: 'readWrite', AuditLogs: 'write' } },
  // One send path: read the contact, take a rate-limit slot, claim the send — the message is
  // recorded in state `sending`, with conversation and audit, in one transaction before the
  // provider call — then call the provider of its channel only, from one of the tenant's
  // senders, and settle the message after it. Every channel builds the same messaging config;
  // only WhatsApp counts conversations against the tier of the sender's business account
  // (RateLimitTrackers) and raises the tier alert, and only WhatsApp sends files: uploaded by the
  // browser to a presigned URL under outgoing/, checked with a HEAD, then posted to WhatsApp from
  // the bucket.
  'outbound-whatsapp': {
    tables: { Contacts: 'read', Messages: 'readWrite', RateLimitTrackers: 'readWrite', AuditLogs: 'write' },
    sends: ['whatsapp'],
    media: [{ prefix: 'outgoing/', actions: ['s3:PutObject', 's3:GetObject'], why: UPLOADS_WHY }],
    messagingConfig: true,
    publishesAlerts: true,
  },
  'outbound-sms': {
    tables: { Contacts: 'read', Messages: 'readWrite', RateLimitTrackers: 'readWrite', AuditLogs: 'write' },
    sends: ['sms'],
    messagingConfig: true,
  },
  'outbound-email': {
    tables: { Contacts: 'read', Messages: 'readWrite', RateLimitTrackers: 'readWrite', AuditLogs: 'write' },
    sends: ['email'],
    messagingConfig: true,
  },
  // SNS → Lambda (constructs/inbound.ts). Finds the tenant of the receiving number in SENDERS,
  // stores each message once (guard in Messages), finds or creates its contact, records keyword
  // consent with its audit entry, copies media into the bucket and records the file (a plain
  // put: MediaFiles is never read here), and sends the opt-out confirmation through the send path
  // (rate-limit slot, message record) — which is why it may send a WhatsApp text and fetch media,
  // but not upload media. The confirmation answers a message that just arrived, inside the
  // window, so it never touches the tier nor alerts. An event for a number no tenant owns, or one
  // it cannot read, is stored nowhere: it sends it to inbound-dlq itself, with the reason.
  'inbound-whatsapp-handler': {
    tables: { Contacts: 'readWrite', Messages: 'readWrite', MediaFiles: 'write', RateLimitTrackers: 'readWrite', AuditLogs: 'write' },
    whatsApp: ['GetWhatsAppMessageMedia', 'SendWhatsAppMessage'],
    sendsTo: ['inbound-dlq'],
    media: [
      {
        prefix: 'incoming/',
        actions: ['s3:PutObject'],
        why: 'End User Messaging Social copies each inbound file, with the caller\'s permissions, to incoming/<tenant>/<message>/<media id>, a key that exists only once the message arrives',
      },
    ],
    messagingConfig: true,
  },
  // Timelines and the inbox, with presigned download URLs of media (received under incoming/,
  // sent under outgoing/); marking a conversation read updates its row in Messages in one
  // transaction with the audit entry (AuditLogs also takes the entry of a denied read); the
  // caller's tenant's senders (GET /api/senders) come from SENDERS.
  'messages-read': {
    tables: { Contacts: 'read', Messages: 'readWrite', AuditLogs: 'write' },
    media: [
      { prefix: 'incoming/', actions: ['s3:GetObject'], why: downloadsWhy('incoming/') },
      { prefix: 'outgoing/', actions: ['s3:GetObject'], why: downloadsWhy('outgoing/') },
    ],
    messagingConfig: true,
  },
  // GET /api/me answers from the authorizer's context, GET /api/health from nothing at all.
  users: { tables: {} },
};

/** The wiring of `name`, or an error that says where to write it. */
export function wiringOf(name: string, wiring: Readonly<Record<string, FunctionWiring>> = WIRING): FunctionWiring {
  const entry = wiring[name];
  if (entry === undefined) {
    throw new Error(
      `function ${name} is in schema.json but infra/lib/wiring.ts does not say which tables it may use; ` +
        'add an entry (an empty `tables: {}` if it needs none) so it is deployed with exactly the permissions it needs',
    );
  }
  return entry;
}
