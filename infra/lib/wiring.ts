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

/**
 * Where in the reports bucket objects live; every key continues with `<tenant>/`: operators' CSV
 * uploads (`imports/`), the resolved recipient list of each bulk job (`manifests/`) and each
 * job's CSV report (`reports/`) and the parts it is joined from while a job finishes (`report-parts/`,
 * left behind once joined: an expiry rule on that prefix keeps the bucket from collecting them).
 */
export type ReportsPrefix = 'imports/' | 'manifests/' | 'previews/' | 'reports/' | 'report-parts/';

/**
 * Bedrock Agents runtime operations (crates/ai/src/assistant.rs), each on the configured resource
 * only: `Retrieve` on the knowledge base (`existing.bedrockKnowledgeBaseId`), `InvokeAgent` on the
 * agent's alias (`existing.bedrockAgentId` / `bedrockAgentAliasId`). `RetrieveAndGenerate` has no
 * resource type in the Service Authorization Reference, so IAM only accepts it on `*`; what it
 * reaches is bounded by what it does with the caller's permissions — it invokes the configured
 * model (`existing.bedrockModelArn`), which comes with it as bedrock:InvokeModel on that model
 * (and bedrock:GetInferenceProfile on an inference profile) and nothing else.
 */
export type BedrockAction = 'Retrieve' | 'RetrieveAndGenerate' | 'InvokeAgent';

/** The only object actions a function may be granted on a bucket (media or reports). */
export type ObjectAction = 's3:GetObject' | 's3:PutObject';

/** The only object actions a function may be granted on the media bucket. */
export type MediaAction = ObjectAction;

/**
 * Object actions on one prefix of an existing bucket (`<prefix>*`, nothing else of the bucket),
 * whose name the function then receives (`MEDIA_BUCKET`, `REPORTS_BUCKET`).
 */
export interface ObjectGrant<P extends string> {
  readonly prefix: P;
  readonly actions: readonly ObjectAction[];
  /**
   * Why the object keys cannot be written down in advance: the reason recorded with the
   * acknowledgement of the `<prefix>*` wildcard (cdk-nag AwsSolutions-IAM5).
   */
  readonly why: string;
}

/** Object actions on one prefix of the existing media bucket (`existing.mediaBucketName`). */
export type MediaGrant = ObjectGrant<MediaPrefix>;

/** Object actions on one prefix of the existing reports bucket (`existing.reportsBucketName`). */
export type ReportsGrant = ObjectGrant<ReportsPrefix>;

/** End User Messaging Social actions on a WhatsApp phone number. */
export type WhatsAppAction = 'SendWhatsAppMessage' | 'GetWhatsAppMessageMedia' | 'PostWhatsAppMessageMedia';

/**
 * End User Messaging Social actions on a WhatsApp Business Account (resource type `waba` in the
 * Service Authorization Reference): the template catalogue's operations
 * (crates/messaging/src/catalogue.rs).
 */
export type WhatsAppTemplateAction =
  | 'ListWhatsAppMessageTemplates'
  | 'GetWhatsAppMessageTemplate'
  | 'CreateWhatsAppMessageTemplate'
  | 'DeleteWhatsAppMessageTemplate'
  | 'ListWhatsAppTemplateLibrary'
  | 'CreateWhatsAppMessageTemplateFromLibrary'
  | 'CreateWhatsAppMessageTemplateMedia';

/**
 * What every template operation calls first, once per cold start, to find the account's AWS
 * resource id (`waba-…`) from Meta's id that senders are configured with: an account-level List
 * action with no resource type, so it can only be granted on `*`.
 */
export const LIST_LINKED_ACCOUNTS = 'ListLinkedWhatsAppBusinessAccounts';

/**
 * Cognito admin actions on the team's user pool (`existing.cognitoUserPoolId`): what inviting a
 * member, changing their role and enabling or disabling them take (functions/users).
 */
export type UserPoolAction =
  | 'AdminCreateUser'
  | 'AdminDeleteUser'
  | 'AdminAddUserToGroup'
  | 'AdminRemoveUserFromGroup'
  | 'AdminListGroupsForUser'
  | 'AdminEnableUser'
  | 'AdminDisableUser'
  | 'AdminUserGlobalSignOut';

export interface FunctionWiring {
  /** Logical table name (as in schema.json's `name`) → access. */
  readonly tables: Readonly<Record<string, TableAccess>>;
  /** Providers it may send through, each limited to the configured senders of its channel. */
  readonly sends?: readonly SendChannel[];
  /**
   * WhatsApp actions outside a channel send (posting a file before sending it, fetching inbound
   * media), on the configured phone numbers only.
   */
  readonly whatsApp?: readonly WhatsAppAction[];
  /**
   * Template actions, on the account's WhatsApp Business Accounts (`waba/*` of this account and
   * region: configuration knows Meta's account ids, not the AWS resource ids IAM names them by),
   * plus `LIST_LINKED_ACCOUNTS` on `*`, without which no template operation can name its account.
   * Nothing at all while no WhatsApp number is configured: with no sender, no template operation
   * gets as far as the provider. The catalogue they sync lives in SystemConfig, so a function with
   * template actions has SystemConfig in `tables`, and only such a function, messages-read (which
   * keeps the tenants' settings there) and ai-generate-response (which reads the AI automation
   * switch among them) have it (the infra tests hold both ways).
   */
  readonly whatsAppTemplates?: readonly WhatsAppTemplateAction[];
  /** Object actions on prefixes of the media bucket (it then receives `MEDIA_BUCKET`). */
  readonly media?: readonly MediaGrant[];
  /** Object actions on prefixes of the reports bucket (it then receives `REPORTS_BUCKET`). */
  readonly reports?: readonly ReportsGrant[];
  /**
   * Queues it sends messages to itself: sqs:SendMessage on each, nothing else (every function
   * has the queues' URLs; SQS-managed encryption needs no key grant).
   */
  readonly sendsTo?: readonly QueueName[];
  /**
   * Queues it reads itself, without an event source (the DLQ replay looking into the dead-letter
   * queues): sqs:ReceiveMessage, sqs:ChangeMessageVisibility (to release what it only looked at)
   * and sqs:DeleteMessage (what it replayed) on each, nothing else.
   */
  readonly drains?: readonly QueueName[];
  /**
   * Queues whose depth it reads (the overview's dead-letter queues): sqs:GetQueueAttributes on
   * each, nothing else — it never receives, sends or deletes there.
   */
  readonly watchesDepth?: readonly QueueName[];
  /**
   * Builds `wecare_messaging::Config` (crates/messaging/src/config.rs), so it receives what that
   * config reads beyond the common environment: `SENDERS` (every tenant's senders),
   * `MEDIA_BUCKET`, `ALERTS_TOPIC_ARN`, `WHATSAPP_TIER_LIMIT` and
   * `TEMPLATE_CATALOGUE_MAX_AGE_MINUTES` (its tables' variables,
   * `SYSTEM_CONFIG_TABLE` among them, come with the common environment, like every table's).
   * Variables only: whatever it may do with them is granted separately — the config names
   * SystemConfig for every messaging function, but only those that reach the template catalogue
   * are granted it.
   */
  readonly messagingConfig?: true;
  /**
   * Publishes operational alerts (the messaging-tier warning): sns:Publish on the alerts topic
   * only, plus kms:GenerateDataKey and kms:Decrypt on that topic's key, without which SNS refuses
   * to store the message on an encrypted topic. It also emails them to the people the tenant
   * named in its settings (SystemConfig, which such a function reads), from the tenant's email
   * sender: ses:SendEmail on the configured email identities, like an email send.
   */
  readonly publishesAlerts?: true;
  /**
   * Bedrock operations it calls (see `BedrockAction`), on the configured knowledge base, agent
   * alias and model only. It then receives what `wecare_ai::Config` reads: `AI_KNOWLEDGE_BASE_ID`,
   * `AI_AGENT_ID`, `AI_AGENT_ALIAS_ID` (while an alias is configured; nothing may invoke the
   * agent until then), `AI_MODEL_ARN` and `AI_TIMEOUT_MS` (`AI_CALL_TIMEOUT`, within the
   * function's own timeout). `AI_INTERACTIONS_TABLE` comes with every table's variable.
   */
  readonly bedrock?: readonly BedrockAction[];
  /**
   * Admin actions on the team's user pool, on that pool only; the function then receives
   * `USER_POOL_ID`, and `INVITE_DELIVERY=EMAIL` (Cognito emails an invited user's temporary
   * password; the API never sees it).
   */
  readonly userPool?: readonly UserPoolAction[];
}

const UPLOADS_WHY =
  'operators upload each file to a presigned PUT URL for outgoing/<tenant>/<uuid>/<file name>, a key minted per upload; a send HEADs that key (HeadObject needs s3:GetObject) before End User Messaging Social posts the object to WhatsApp from the bucket';

const downloadsWhy = (prefix: MediaPrefix): string =>
  `it signs short-lived download URLs for the files messages carry (details.media.s3Key), keyed per tenant and message under ${prefix}, and a presigned URL can do no more than its signer may`;

export const WIRING: Readonly<Record<string, FunctionWiring>> = {
  // Verifies the Cognito ID token, then reads the caller's membership in the tenant's team
  // (refusing a disabled member, handing on the role the team directory holds), adds a user seen
  // for the first time and records a new sign-in, each with its audit entry (AuditLogs, written
  // only, like the refusal of a disabled member).
  'auth-middleware': { tables: { Users: 'readWrite', AuditLogs: 'write' } },
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
  // the bucket (PostWhatsAppMessageMedia, its own `whatsApp` action: a send alone does not allow it).
  // Only WhatsApp sends templates: each is checked against the business account's catalogue in
  // SystemConfig before any provider call, synced once on a miss (ListWhatsAppMessageTemplates,
  // then GetWhatsAppMessageTemplate for what is new or changed), and counted there per day, sender
  // and category once the provider accepted it — reading templates, never creating or deleting one.
  'outbound-whatsapp': {
    tables: { Contacts: 'read', Messages: 'readWrite', RateLimitTrackers: 'readWrite', AuditLogs: 'write', SystemConfig: 'readWrite' },
    sends: ['whatsapp'],
    whatsApp: ['PostWhatsAppMessageMedia'],
    whatsAppTemplates: ['ListWhatsAppMessageTemplates', 'GetWhatsAppMessageTemplate'],
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
  // window, so it never touches the tier nor alerts. Meta's decisions on templates
  // (message_template_status_update) update the catalogue in SystemConfig of every tenant whose
  // senders use the business account, and sync it once for a template it does not know yet — the
  // same two template reads as the send path. An event for a number or account no tenant owns,
  // or one it cannot read, is stored nowhere: it sends it to inbound-dlq itself, with the reason.
  // A STOP confirmation the platform fails to send (a store error) goes to outbound-dlq, for
  // dlq-replay to send later. A delivery status of a campaign message updates it where it is
  // recorded, in its job's ledger (BulkRecipients). With a tenant's AI automation on (its settings,
  // in SystemConfig), each new text asks ai-queue for a draft (sqs:SendMessage there) and goes on:
  // drafting is never on the inbound path.
  'inbound-whatsapp-handler': {
    tables: {
      Contacts: 'readWrite',
      Messages: 'readWrite',
      BulkRecipients: 'readWrite',
      MediaFiles: 'write',
      RateLimitTrackers: 'readWrite',
      AuditLogs: 'write',
      SystemConfig: 'readWrite',
    },
    whatsApp: ['GetWhatsAppMessageMedia', 'SendWhatsAppMessage'],
    whatsAppTemplates: ['ListWhatsAppMessageTemplates', 'GetWhatsAppMessageTemplate'],
    sendsTo: ['inbound-dlq', 'outbound-dlq', 'ai-queue'],
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
  // caller's tenant's senders (GET /api/senders) come from SENDERS. A contact's campaign messages
  // are read from their jobs' ledgers (BulkRecipients), which the timeline index does not cover.
  // The overview (GET /api/overview) reads the tenant's counters in Messages, the tier's count of
  // each of the tenant's business accounts (RateLimitTrackers, read only: it sweeps nothing), the
  // newest jobs for the running ones (BulkJobs' index) and the depth of the dead-letter queues.
  // The settings (GET/PUT /api/settings) are one item of SystemConfig per tenant, saved in one
  // transaction with the audit entry; the rest of the page comes from SENDERS and the tiers.
  'messages-read': {
    tables: {
      Contacts: 'read',
      Messages: 'readWrite',
      BulkRecipients: 'read',
      AuditLogs: 'write',
      BulkJobs: 'read',
      RateLimitTrackers: 'read',
      SystemConfig: 'readWrite',
    },
    watchesDepth: ['inbound-dlq', 'bulk-dlq', 'outbound-dlq'],
    media: [
      { prefix: 'incoming/', actions: ['s3:GetObject'], why: downloadsWhy('incoming/') },
      { prefix: 'outgoing/', actions: ['s3:GetObject'], why: downloadsWhy('outgoing/') },
    ],
    messagingConfig: true,
  },
  // Bulk campaigns (crates/bulk). Accepting a job: an operator's CSV is uploaded by the browser to
  // a presigned PUT URL under imports/ and read back to resolve the recipients — creating the
  // contacts it names that do not exist yet, each in one transaction with its audit entry — the
  // preview writes nothing of the product, but keeps its plan under previews/ for 15 minutes;
  // confirming copies that plan (or, without a recent preview, writes a new one) as the job's
  // manifest under manifests/, reserves the job's WhatsApp conversations against the tier of the sender's
  // business account (RateLimitTrackers), writes the job and puts one `expand` message on
  // bulk-queue. A WhatsApp template job's template is checked against the business account's
  // catalogue once, when the job is planned (SystemConfig, synced on a miss with the send path's
  // two template reads), as each of its sends will be. The senders, channel rates and tier limit
  // come from the messaging config; it sends nothing itself.
  'bulk-job-create': {
    tables: { Contacts: 'readWrite', AuditLogs: 'write', BulkJobs: 'readWrite', RateLimitTrackers: 'readWrite', SystemConfig: 'readWrite' },
    sendsTo: ['bulk-queue'],
    whatsAppTemplates: ['ListWhatsAppMessageTemplates', 'GetWhatsAppMessageTemplate'],
    reports: [
      {
        prefix: 'imports/',
        actions: ['s3:PutObject', 's3:GetObject'],
        why: 'operators upload each CSV to a presigned PUT URL for imports/<tenant>/<upload id>.csv, a key minted per upload, which the function then reads back to resolve the recipients',
      },
      {
        prefix: 'manifests/',
        actions: ['s3:PutObject'],
        why: 'each accepted job\'s resolved recipient list is written (or copied from its preview) to manifests/<tenant>/<job id>.json, a key that exists only once the job does',
      },
      {
        prefix: 'previews/',
        actions: ['s3:PutObject', 's3:GetObject'],
        why: 'each preview keeps its plan under previews/<tenant>/<preview id>/, a key minted per preview, which the create confirming it reads and copies (CopyObject reads its source with s3:GetObject)',
      },
    ],
    messagingConfig: true,
  },
  // SQS → Lambda (constructs/bulk.ts), the consumer of bulk-queue. Expands a job's manifest into
  // chunks on bulk-queue (creating the contacts its CSV rows carry consent for, and writing the
  // manifest back with their ids), sends each recipient through the one send path of its channel
  // (contact, rate-limit slot, the message claimed and settled as the recipient's entry in the
  // job's ledger, BulkRecipients, the tier warning on WhatsApp), closes skipped and cancelled
  // recipients there, re-enqueues the rest of a chunk before its deadline and the job's completion
  // checks, and at the end writes the CSV report under reports/ and completes the job. A bulk job sends templates, text or email;
  // its WhatsApp templates go through the same catalogue check and usage count as
  // outbound-whatsapp's (SystemConfig, and the same two template reads on a miss), and a
  // template's media header — one file an operator uploaded under outgoing/, the same for every
  // recipient — is checked with a HEAD and posted to WhatsApp from the bucket like
  // outbound-whatsapp's files (PostWhatsAppMessageMedia). It uploads nothing itself.
  'bulk-worker': {
    tables: {
      Contacts: 'read',
      Messages: 'readWrite',
      RateLimitTrackers: 'readWrite',
      AuditLogs: 'write',
      BulkJobs: 'readWrite',
      BulkRecipients: 'readWrite',
      SystemConfig: 'readWrite',
    },
    sends: ['whatsapp', 'sms', 'email'],
    whatsApp: ['PostWhatsAppMessageMedia'],
    whatsAppTemplates: ['ListWhatsAppMessageTemplates', 'GetWhatsAppMessageTemplate'],
    media: [
      {
        prefix: 'outgoing/',
        actions: ['s3:GetObject'],
        why: 'a template job\'s media header is a file an operator uploaded to a presigned PUT URL for outgoing/<tenant>/<uuid>/<file name>, a key minted per upload, which each send HEADs (HeadObject needs s3:GetObject) before End User Messaging Social posts it to WhatsApp from the bucket',
      },
    ],
    sendsTo: ['bulk-queue'],
    reports: [
      {
        prefix: 'manifests/',
        actions: ['s3:GetObject', 's3:PutObject'],
        why: 'it reads the manifest of a job it expands, resumes or cancels, manifests/<tenant>/<job id>.json, keyed per job, and writes it back once with the ids of the contacts its CSV rows created',
      },
      {
        prefix: 'reports/',
        actions: ['s3:PutObject'],
        why: 'it writes each finished job\'s CSV report to reports/<tenant>/<job id>.csv, keyed per job',
      },
      {
        prefix: 'report-parts/',
        actions: ['s3:GetObject', 's3:PutObject'],
        why: 'a finishing job\'s ledger is written out a part per invocation to report-parts/<tenant>/<job id>/<pass id>/<n>.csv, keyed per job and per pass, and the parts are read back to join them into the report',
      },
    ],
    messagingConfig: true,
    publishesAlerts: true,
  },
  // Lists jobs and their recipients, pauses, resumes and cancels a job (one conditional write on
  // its status, with the audit entry); resume re-enqueues the unsent recipients and cancel a sweep
  // on bulk-queue; current rate and ETA come from the sender's configured rate (messaging config);
  // the report is downloaded through a presigned URL under reports/. A job's pending recipients
  // (for a resume, and the pending list) are its manifest less its ledger.
  'bulk-job-control': {
    tables: { BulkJobs: 'readWrite', BulkRecipients: 'read', AuditLogs: 'write' },
    sendsTo: ['bulk-queue'],
    reports: [
      {
        prefix: 'manifests/',
        actions: ['s3:GetObject'],
        why: 'it reads the manifest of the job it resumes or lists the pending recipients of, manifests/<tenant>/<job id>.json, keyed per job',
      },
      {
        prefix: 'reports/',
        actions: ['s3:GetObject'],
        why: 'it signs short-lived download URLs of job reports, reports/<tenant>/<job id>.csv, keyed per job, and a presigned URL can do no more than its signer may',
      },
    ],
    messagingConfig: true,
  },
  // The template catalogue of each WhatsApp Business Account (/api/whatsapp/templates…): lists
  // answer from the catalogue in SystemConfig (`{tenant}#TEMPLATES#{waba}`), syncing it from the
  // provider only when it was never synced or when asked to; besides, a schedule
  // (constructs/templates.ts) invokes it to sync every business account of the deployment's
  // WhatsApp senders whose catalogue is older than `whatsAppTemplateCatalogueMaxAgeMinutes`, with
  // the same grants and none more. Admins submit new templates (checked against Meta's rules
  // first) or ones from Meta's library, and delete them, at the provider and in the catalogue;
  // usage reads the per-day counts the send path keeps there (`{tenant}#TEMPLATE-USAGE`). Hence
  // SystemConfig read and write, and every template action — but no phone number and no send. A
  // media header is submitted with a sample file for Meta's review, uploaded by the browser under
  // outgoing/ (through outbound-whatsapp's upload route), which End User Messaging Social hands to
  // Meta from the bucket (CreateWhatsAppMessageTemplateMedia): s3:GetObject there, nothing else of
  // the bucket. Each create or delete writes its audit entry, and a denied attempt is audited by
  // the guard: AuditLogs, written only. It builds the messaging config for the tenant's senders (a
  // number's business account is the catalogue's) and, on the schedule, for every tenant's. An API
  // function, so the API functions' timeout (within API Gateway's 29 s): a first sync, one
  // GetWhatsAppMessageTemplate per template, must fit in it. A scheduled refresh that runs out of
  // it fails and is retried, skipping the accounts it had already synced.
  'whatsapp-templates': {
    tables: { SystemConfig: 'readWrite', AuditLogs: 'write' },
    whatsAppTemplates: [
      'ListWhatsAppMessageTemplates',
      'GetWhatsAppMessageTemplate',
      'CreateWhatsAppMessageTemplate',
      'CreateWhatsAppMessageTemplateMedia',
      'DeleteWhatsAppMessageTemplate',
      'ListWhatsAppTemplateLibrary',
      'CreateWhatsAppMessageTemplateFromLibrary',
    ],
    media: [
      {
        prefix: 'outgoing/',
        actions: ['s3:GetObject'],
        why: 'a media header\'s sample file is uploaded by the browser to a presigned PUT URL for outgoing/<tenant>/<uuid>/<file name>, a key minted per upload, which End User Messaging Social reads from the bucket, with the caller\'s permissions, to hand it to Meta for review',
      },
    ],
    messagingConfig: true,
  },
  // GET /api/dlq/{queue} and POST /api/dlq/{queue}/replay, for Admins: it looks into the three
  // dead-letter queues (receives with a short hold, then makes visible again what it only looked
  // at, deletes what it replayed) and keeps a record of each message in DLQMessages; each replay is
  // audited (AuditLogs, which also takes the guard's denials). A replay runs the message's
  // original consumer in-process: an inbound event goes through the inbound handler's code —
  // hence exactly the inbound handler's tables, media prefix, WhatsApp and template actions and
  // queues (it may dead-letter again to inbound-dlq or outbound-dlq, as the handler does) — bulk
  // work is put back on bulk-queue, and a dead-lettered send (today only the handler's WhatsApp
  // STOP confirmation reaches outbound-dlq) goes through the send path, whose WhatsApp text send
  // the handler's `SendWhatsAppMessage` covers; a send of another channel reaching outbound-dlq
  // would need that channel's send here. A replayed inbound text asks ai-queue for a draft when its
  // tenant's automation is on, as the handler does.
  'dlq-replay': {
    tables: {
      DLQMessages: 'readWrite',
      AuditLogs: 'write',
      Contacts: 'readWrite',
      Messages: 'readWrite',
      BulkRecipients: 'readWrite',
      MediaFiles: 'write',
      RateLimitTrackers: 'readWrite',
      SystemConfig: 'readWrite',
    },
    whatsApp: ['GetWhatsAppMessageMedia', 'SendWhatsAppMessage'],
    whatsAppTemplates: ['ListWhatsAppMessageTemplates', 'GetWhatsAppMessageTemplate'],
    sendsTo: ['bulk-queue', 'inbound-dlq', 'outbound-dlq', 'ai-queue'],
    drains: ['inbound-dlq', 'bulk-dlq', 'outbound-dlq'],
    media: [
      {
        prefix: 'incoming/',
        actions: ['s3:PutObject'],
        why: 'a replayed inbound event copies its file, as the inbound handler does, to incoming/<tenant>/<message>/<media id>, a key that exists only once the message arrives',
      },
    ],
    messagingConfig: true,
  },
  // POST /api/ai/query (crates/ai/src/query.rs): a question answered from the knowledge base —
  // Retrieve for the passages and their scores and, at the same time, RetrieveAndGenerate for the
  // answer, which invokes the configured model with this function's permissions (the InvokeModel
  // that comes with it) — kept with its citations in AIInteractions together with the day's counts
  // (one transaction). A question about a contact first checks the contact exists (Contacts, read);
  // a denied attempt is audited by the guard (AuditLogs, written only). Its config holds the
  // messaging config (wecare_ai::Config builds wecare_messaging::Config), but it sends nothing,
  // alerts nobody and touches no bucket.
  'ai-query-kb': {
    tables: { AIInteractions: 'readWrite', Contacts: 'read', AuditLogs: 'write' },
    bedrock: ['Retrieve', 'RetrieveAndGenerate'],
    messagingConfig: true,
  },
  // The suggestion routes (GET/POST /api/ai/suggestions, POST /api/ai/suggestions/{suggestionId}/
  // approve|reject|feedback, GET /api/ai/interactions and /api/ai/stats) and the drafts automation
  // asks for on ai-queue (constructs/ai.ts: its event source polls the queue; it sends nothing
  // there, and gives a request up itself after a few receives). A draft reads the contact
  // (Contacts) and its recent messages (Messages) and asks the Bedrock agent (InvokeAgent on the
  // configured alias only: the agent reaches its knowledge base and model with its own service
  // role); an automatic draft first reads the tenant's settings (SystemConfig, read only: the AI
  // automation switch, which may have been turned off since the request). Every suggestion,
  // decision and rating is kept in AIInteractions with the day's counts (one transaction) and its
  // audit entry (AuditLogs, written only, which also takes the guard's denials). An approval sends
  // the text through the one send path, as outbound-whatsapp sends a text: the message claimed and
  // settled in Messages with its audit entry, a slot of the sender's rate bucket
  // (RateLimitTrackers), SendWhatsAppMessage on the configured numbers. Text only, and only inside
  // the customer's 24 h window: it never opens a business-initiated conversation, so it touches no
  // tier and raises no tier alert (no `publishesAlerts`), posts no file and checks no template.
  'ai-generate-response': {
    tables: {
      AIInteractions: 'readWrite',
      Contacts: 'read',
      Messages: 'readWrite',
      RateLimitTrackers: 'readWrite',
      AuditLogs: 'write',
      SystemConfig: 'read',
    },
    sends: ['whatsapp'],
    bedrock: ['InvokeAgent'],
    messagingConfig: true,
  },
  // GET /api/me answers from the authorizer's context, GET /api/health from nothing at all.
  // GET/POST/PATCH /api/users: an Admin's team (Users, with the count of enabled Admins moved in
  // the transaction of a change, and the audit entry of each change in it) and the accounts in
  // the user pool: create an invited one (deleted again if the invite cannot finish), set its role
  // group, enable it, or sign it out everywhere and disable it. GET /api/audit searches the audit
  // trail: AuditLogs read (with its resource and actor indexes) and written (each change's entry,
  // and the guard's denials).
  users: {
    tables: { Users: 'readWrite', AuditLogs: 'readWrite' },
    userPool: [
      'AdminCreateUser',
      'AdminDeleteUser',
      'AdminAddUserToGroup',
      'AdminRemoveUserFromGroup',
      'AdminListGroupsForUser',
      'AdminEnableUser',
      'AdminDisableUser',
      'AdminUserGlobalSignOut',
    ],
  },
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
