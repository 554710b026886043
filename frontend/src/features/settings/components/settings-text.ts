// The Settings page's rules and words: the same checks the API makes of a save (so an Admin hears
// about a mistake before sending it, keyed by the API's own field paths, so its 400 lands in the
// same place), the draft the form edits, and how senders, the tier, quiet hours and a save read.
import { ApiError, describeError } from '@/lib/api-error';
import { formatDateTime, formatTime } from '@/utils/format';
import type { QuietHours, Settings, SettingsConfig, SettingsSender, SettingsTier } from '../api/settings';

/** The most people alerts go to, as the API allows. */
export const MAX_ALERT_RECIPIENTS = 10;

/** Field path → what is wrong with it: `config.alertRecipients[2]`, `config.quietHours.start`, … */
export type FieldErrors = Record<string, string>;

export const FIELD = {
  recipients: 'config.alertRecipients',
  recipient: (index: number) => `config.alertRecipients[${index}]`,
  start: 'config.quietHours.start',
  end: 'config.quietHours.end',
  timeZone: 'config.quietHours.timeZone',
  quietHours: 'config.quietHours',
  aiAutomation: 'config.aiAutomation',
} as const;

/** A dot-atom's atom: letters, digits and the symbols RFC 5322 allows unquoted. */
const ATOM = /^[\p{L}\p{N}!#$%&'*+\-/=?^_`{|}~]+$/u;
/** A domain label: letters, digits and hyphens, starting and ending with a letter or digit. */
const LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]*[\p{L}\p{N}])?$/u;

/**
 * An address the API accepts (wecare_core::email::Email): trimmed, at most 254 characters, a
 * dot-atom local part of at most 64, no quoting, no display name, no IP literal, and a domain of
 * at least two labels of letters, digits and inner hyphens.
 */
export function isEmailAddress(input: string): boolean {
  const address = input.trim().toLowerCase();
  if (address === '' || address.length > 254 || /\s/.test(address)) return false;
  const at = address.lastIndexOf('@');
  if (at < 0) return false;
  const local = address.slice(0, at);
  const domain = address.slice(at + 1);
  if (local === '' || local.length > 64 || !local.split('.').every((atom) => ATOM.test(atom))) return false;
  const labels = domain.split('.');
  if (domain.length > 254 || labels.length < 2) return false;
  return labels.every((label) => label.length <= 63 && LABEL.test(label));
}

/** "21:00": a 24-hour time of day, as the API takes it. */
export function isTimeOfDay(value: string): boolean {
  return /^([01]\d|2[0-3]):[0-5]\d$/.test(value);
}

/** The form's state: quiet hours keep their times while switched off, so switching back restores them. */
export interface Draft {
  aiAutomation: boolean;
  alertRecipients: string[];
  quietHoursOn: boolean;
  start: string;
  end: string;
  timeZone: string;
}

/** The browser's IANA time zone ("Asia/Kolkata"), UTC when it does not say. */
export function browserTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** Evening to morning, in the browser's zone: what a business usually means by quiet hours. */
export function defaultQuietHours(timeZone = browserTimeZone()): QuietHours {
  return { start: '21:00', end: '08:00', timeZone };
}

export function draftOf(config: SettingsConfig, fallbackZone = browserTimeZone()): Draft {
  const quiet = config.quietHours ?? defaultQuietHours(fallbackZone);
  return {
    aiAutomation: config.aiAutomation,
    alertRecipients: [...config.alertRecipients],
    quietHoursOn: config.quietHours !== null,
    start: quiet.start,
    end: quiet.end,
    timeZone: quiet.timeZone,
  };
}

/** What a save sends. */
export function configOf(draft: Draft): SettingsConfig {
  return {
    aiAutomation: draft.aiAutomation,
    alertRecipients: draft.alertRecipients,
    quietHours: draft.quietHoursOn ? { start: draft.start, end: draft.end, timeZone: draft.timeZone } : null,
  };
}

export function sameConfig(a: SettingsConfig, b: SettingsConfig): boolean {
  const sameQuiet =
    a.quietHours === null || b.quietHours === null
      ? a.quietHours === b.quietHours
      : a.quietHours.start === b.quietHours.start && a.quietHours.end === b.quietHours.end && a.quietHours.timeZone === b.quietHours.timeZone;
  return (
    a.aiAutomation === b.aiAutomation &&
    sameQuiet &&
    a.alertRecipients.length === b.alertRecipients.length &&
    a.alertRecipients.every((r, i) => r === b.alertRecipients[i])
  );
}

const sameAddress = (a: string, b: string) => a.trim().toLowerCase() === b.trim().toLowerCase();

/** Why `input` cannot join `recipients`, or null when it can. */
export function recipientProblem(input: string, recipients: readonly string[]): string | null {
  if (input.trim() === '') return 'Enter an email address.';
  if (!isEmailAddress(input)) return 'Enter an email address like name@example.com.';
  if (recipients.some((r) => sameAddress(r, input))) return `${input.trim().toLowerCase()} already receives alerts.`;
  if (recipients.length >= MAX_ALERT_RECIPIENTS) return `At most ${MAX_ALERT_RECIPIENTS} people can receive alerts: remove one first.`;
  return null;
}

/**
 * Everything the API would refuse in `config`, by field path. `timeZones` is the list the API
 * accepts; null while it is unknown (then the API alone judges the zone).
 */
export function validateConfig(config: SettingsConfig, timeZones: readonly string[] | null): FieldErrors {
  const errors: FieldErrors = {};
  if (config.alertRecipients.length > MAX_ALERT_RECIPIENTS) {
    errors[FIELD.recipients] = `At most ${MAX_ALERT_RECIPIENTS} people can receive alerts.`;
  }
  config.alertRecipients.forEach((recipient, index) => {
    if (!isEmailAddress(recipient)) errors[FIELD.recipient(index)] = 'Enter an email address like name@example.com.';
    else if (config.alertRecipients.slice(0, index).some((r) => sameAddress(r, recipient))) errors[FIELD.recipient(index)] = 'This address is listed twice.';
  });
  const quiet = config.quietHours;
  if (quiet) {
    if (!isTimeOfDay(quiet.start)) errors[FIELD.start] = 'Enter the time quiet hours start, as a 24-hour time such as 21:00.';
    if (!isTimeOfDay(quiet.end)) errors[FIELD.end] = 'Enter the time quiet hours end, as a 24-hour time such as 08:00.';
    else if (quiet.start === quiet.end) errors[FIELD.end] = 'Quiet hours must end at another time than they start.';
    if (quiet.timeZone === '' || (timeZones !== null && !timeZones.includes(quiet.timeZone))) {
      errors[FIELD.timeZone] = 'Choose a time zone from the list.';
    }
  }
  return errors;
}

/** How a refused save reads. */
export type SaveProblem =
  | { kind: 'conflict' }
  | { kind: 'validation'; fields: FieldErrors; message: string }
  | { kind: 'other'; message: string };

const capitalised = (s: string) => (s ? `${s.charAt(0).toUpperCase()}${s.slice(1)}` : s);
const sentence = (s: string) => (/[.!?]$/.test(s) ? capitalised(s) : `${capitalised(s)}.`);

/** A message that starts with the field it is about: `config.alertRecipients[1]: is named twice`. */
const FIELD_FIRST = /^(config(?:\.[A-Za-z]+|\[\d+\])*): (.+)$/s;

/**
 * How a refused save reads. Any 409 of this save means the version moved (someone else saved);
 * a 400 names the field it refused at the start of its message, which lands next to the field.
 */
export function saveProblem(error: unknown): SaveProblem {
  if (error instanceof ApiError) {
    if (error.status === 409) return { kind: 'conflict' };
    const named = error.status === 400 ? FIELD_FIRST.exec(error.message) : null;
    if (named?.[1] && named[2]) {
      return { kind: 'validation', fields: { [named[1]]: sentence(named[2]) }, message: 'The settings were not saved.' };
    }
  }
  return { kind: 'other', message: describeError(error) };
}

/** "Saved by admin@wecare.digital on 4 Dec 2026, 22:00", or that nothing was ever saved. */
export function lastSavedSentence(settings: Pick<Settings, 'updatedAt' | 'updatedBy' | 'version'>): string {
  if (settings.updatedAt === null) return 'Never saved: these are the defaults.';
  const who = settings.updatedBy ?? 'someone';
  return `Last saved by ${who} on ${formatDateTime(settings.updatedAt)}.`;
}

/** The notice after a save of one's own. */
export function savedNotice(settings: Pick<Settings, 'updatedAt' | 'updatedBy'>): string {
  const who = settings.updatedBy ?? 'you';
  return settings.updatedAt ? `Settings saved by ${who} at ${formatTime(settings.updatedAt)}.` : `Settings saved by ${who}.`;
}

/** "08:00" when it is today in the reader's zone, else "Sat 5 Dec, 08:00". */
export function localMoment(iso: string, now = Date.now()): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  if (at.toDateString() === new Date(now).toDateString()) return formatTime(iso);
  return new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit' }).format(at);
}

export function quietNowSentence(until: string, now = Date.now()): string {
  return `Quiet hours now: campaigns resume at ${localMoment(until, now)}.`;
}

export const CHANNEL_ORDER = ['whatsapp', 'sms', 'email'] as const;
const CHANNEL_LABEL: Record<string, string> = { whatsapp: 'WhatsApp', sms: 'SMS', email: 'Email' };

export function channelLabel(channel: string): string {
  return CHANNEL_LABEL[channel] ?? channel;
}

/** The senders per channel — WhatsApp, SMS, Email, then any other — each default first. */
export function sendersByChannel(senders: readonly SettingsSender[]): { channel: string; senders: SettingsSender[] }[] {
  const channels = [...CHANNEL_ORDER, ...new Set(senders.map((s) => s.channel).filter((c) => !(CHANNEL_ORDER as readonly string[]).includes(c)))];
  return channels
    .map((channel) => {
      const own = senders.filter((s) => s.channel === channel);
      return { channel, senders: [...own.filter((s) => s.default), ...own.filter((s) => !s.default)] };
    })
    .filter((group) => group.senders.length > 0);
}

const numbers = new Intl.NumberFormat();

export function rateLabel(ratePerSecond: number): string {
  return `${numbers.format(ratePerSecond)} per second`;
}

/** A business account's use of its tier in words, and whether it has reached its warning level. */
export function tierView(tier: SettingsTier): { warning: boolean; full: boolean; percent: number; sentence: string; note: string } {
  const left = Math.max(0, tier.limit - tier.used);
  const full = tier.used >= tier.limit;
  const warning = tier.used >= tier.warnAt;
  const percent = tier.limit > 0 ? Math.min(100, (tier.used / tier.limit) * 100) : 100;
  const sentence = `${numbers.format(tier.used)} of ${numbers.format(tier.limit)} business-initiated conversations in the last 24 hours (${numbers.format(left)} left)`;
  const note = full
    ? `The limit is reached: business-initiated sends are refused until older conversations leave the 24-hour window.`
    : warning
      ? `Past the warning level of ${numbers.format(tier.warnAt)}: keep campaigns small until older conversations leave the 24-hour window.`
      : `A warning shows from ${numbers.format(tier.warnAt)}.`;
  return { warning, full, percent, sentence, note };
}
