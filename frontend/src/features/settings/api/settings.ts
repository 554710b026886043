// The organisation's settings as GET and PUT /api/settings (Admin) answer them: what the
// deployment decides and the page only shows (environment and send mode, the senders with their
// rate limits, the WhatsApp tier's use now), what an Admin edits (`config`: AI automation, who is
// alerted, quiet hours), and the version that edit was read at, so a save cannot silently undo
// someone else's.
import * as z from 'zod/mini';
import { deploymentSchema } from '@/lib/deployment';

const senderSchema = z.object({
  senderId: z.string().check(z.minLength(1)),
  /** `whatsapp`, `sms` or `email`, lower case like the rest of the API. */
  channel: z.string(),
  /** For people: "+91 93309 94400", "care@wecare.digital". */
  label: z.string(),
  default: z.boolean(),
  /** Sends per second this sender is held to. */
  ratePerSecond: z.number(),
  /** The WhatsApp business account of a WhatsApp number; null for other channels. */
  wabaId: z.nullish(z.string()),
});

export type SettingsSender = z.infer<typeof senderSchema>;

const tierSchema = z.object({
  wabaId: z.string(),
  /** The organisation's numbers on the business account. */
  numbers: z.array(z.string()),
  /** Business-initiated conversations in the last 24 hours. */
  used: z.number(),
  limit: z.number(),
  /** From here on the tier is close to its limit. */
  warnAt: z.number(),
});

export type SettingsTier = z.infer<typeof tierSchema>;

export const quietHoursSchema = z.object({
  /** "21:00": 24-hour time of day in `timeZone`. */
  start: z.string(),
  /** "08:00": the next morning when earlier than `start`. */
  end: z.string(),
  /** An IANA name such as Asia/Kolkata. */
  timeZone: z.string(),
});

export type QuietHours = z.infer<typeof quietHoursSchema>;

/** What an Admin edits, sent whole on every save. */
export const settingsConfigSchema = z.object({
  aiAutomation: z.boolean(),
  alertRecipients: z.array(z.string()),
  quietHours: z.nullable(quietHoursSchema),
});

export type SettingsConfig = z.infer<typeof settingsConfigSchema>;

export const settingsSchema = z.object({
  deployment: deploymentSchema,
  senders: z.array(senderSchema),
  tiers: z.array(tierSchema),
  config: settingsConfigSchema,
  /** Set while quiet hours are in force: campaigns hold until `until`. */
  quietNow: z.nullable(z.object({ until: z.string() })),
  /** 0 (with `updatedAt` null) until the first save: `config` holds the defaults. */
  version: z.number(),
  updatedAt: z.nullable(z.string()),
  updatedBy: z.nullable(z.string()),
});

export type Settings = z.infer<typeof settingsSchema>;

export const settingsKeys = {
  all: ['settings'] as const,
  current: () => ['settings', 'current'] as const,
  timeZones: () => ['settings', 'time-zones'] as const,
};
