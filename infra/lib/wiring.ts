// Why this exists: schema.json says which functions exist; it cannot say what each may touch.
// That decision — least privilege, per function — is written down here, next to nothing else, so
// a reviewer sees every grant of the platform in one table. A function that appears in
// schema.json without an entry here stops synthesis: it would otherwise deploy without the
// permissions it needs, or someone would be tempted to give it all of them.

/** What a function does with a table. */
export type TableAccess = 'read' | 'write' | 'readWrite';

/** A provider a function sends through. */
export type SendChannel = 'whatsapp' | 'sms' | 'email';

/**
 * What a function does with the existing media bucket, which it then receives as `MEDIA_BUCKET`:
 * `read` — s3:GetObject on its objects (to sign short-lived download URLs), nothing else;
 * `storeIncoming` — s3:PutObject under `incoming/` only (EUM Social copies inbound WhatsApp media
 * there with the caller's permissions).
 */
export type MediaAccess = 'read' | 'storeIncoming';

/** End User Messaging Social actions on a WhatsApp phone number. */
export type WhatsAppAction = 'SendWhatsAppMessage' | 'GetWhatsAppMessageMedia';

export interface FunctionWiring {
  /** Logical table name (as in schema.json's `name`) → access. */
  readonly tables: Readonly<Record<string, TableAccess>>;
  /** Providers it may send through, each limited to the configured senders. */
  readonly sends?: readonly SendChannel[];
  /** WhatsApp actions outside a channel send, on the configured phone numbers only. */
  readonly whatsApp?: readonly WhatsAppAction[];
  readonly media?: MediaAccess;
}

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
  // One send path: read the contact, take a rate-limit slot, record message + conversation +
  // audit in one transaction, call the provider of its channel only.
  'outbound-whatsapp': {
    tables: { Contacts: 'read', Messages: 'readWrite', RateLimitTrackers: 'readWrite', AuditLogs: 'write' },
    sends: ['whatsapp'],
  },
  'outbound-sms': {
    tables: { Contacts: 'read', Messages: 'readWrite', RateLimitTrackers: 'readWrite', AuditLogs: 'write' },
    sends: ['sms'],
  },
  'outbound-email': {
    tables: { Contacts: 'read', Messages: 'readWrite', RateLimitTrackers: 'readWrite', AuditLogs: 'write' },
    sends: ['email'],
  },
  // SNS → Lambda (constructs/inbound.ts). Stores each message once (guard in Messages), finds or
  // creates its contact, records keyword consent with its audit entry, copies media into the
  // bucket and records the file (a plain put: MediaFiles is never read here), and sends the
  // opt-out confirmation through the send path (rate-limit slot, message record) — which is why
  // it may send a WhatsApp text and fetch media, but not upload media.
  'inbound-whatsapp-handler': {
    tables: { Contacts: 'readWrite', Messages: 'readWrite', MediaFiles: 'write', RateLimitTrackers: 'readWrite', AuditLogs: 'write' },
    whatsApp: ['GetWhatsAppMessageMedia', 'SendWhatsAppMessage'],
    media: 'storeIncoming',
  },
  // Timelines and the inbox, with presigned download URLs of media; writes only the audit entry
  // of a denied read.
  'messages-read': { tables: { Contacts: 'read', Messages: 'read', AuditLogs: 'write' }, media: 'read' },
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
