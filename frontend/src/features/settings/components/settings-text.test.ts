import { ApiError } from '@/lib/api-error';
import type { SettingsConfig, SettingsSender } from '../api/settings';
import {
  configOf,
  draftOf,
  isEmailAddress,
  isTimeOfDay,
  localMoment,
  recipientProblem,
  sameConfig,
  saveProblem,
  sendersByChannel,
  tierView,
  validateConfig,
} from './settings-text';

const config = (overrides: Partial<SettingsConfig> = {}): SettingsConfig => ({
  aiAutomation: false,
  alertRecipients: ['ops@example.com'],
  quietHours: { start: '21:00', end: '08:00', timeZone: 'Asia/Kolkata' },
  ...overrides,
});

const ZONES = ['America/New_York', 'Asia/Kolkata', 'Europe/London', 'UTC'];

describe('isEmailAddress', () => {
  // The vectors of wecare_core::email's tests: the console accepts and refuses what the API does.
  it('accepts what the API accepts, trimmed and in any case', () => {
    for (const good of ['  Anna.Smith@Example.COM ', 'ops+alerts@mail.wecare.digital', 'a_b-c@x-y.co']) {
      expect(isEmailAddress(good), good).toBe(true);
    }
  });

  it('refuses the shapes no mailbox accepts', () => {
    for (const bad of [
      '',
      'anna',
      'anna@',
      '@example.com',
      'anna@localhost',
      'anna@[127.0.0.1]',
      'a b@example.com',
      'anna@exa mple.com',
      '"quoted"@example.com',
      'Anna <anna@example.com>',
      'anna@@example.com',
      'anna..b@example.com',
      'anna@-example.com',
      'anna@example..com',
      `${'a'.repeat(65)}@example.com`,
    ]) {
      expect(isEmailAddress(bad), bad).toBe(false);
    }
  });
});

describe('isTimeOfDay', () => {
  it('takes 24-hour HH:MM only', () => {
    expect(['00:00', '08:00', '21:30', '23:59'].every(isTimeOfDay)).toBe(true);
    expect(['24:00', '8:00', '21:60', '21:00:00', '9pm', ''].some(isTimeOfDay)).toBe(false);
  });
});

describe('validateConfig', () => {
  it('finds nothing wrong with valid settings, with or without quiet hours', () => {
    expect(validateConfig(config(), ZONES)).toEqual({});
    expect(validateConfig(config({ quietHours: null, alertRecipients: [] }), ZONES)).toEqual({});
  });

  it('names each problem by the field path the API uses', () => {
    const errors = validateConfig(
      config({
        alertRecipients: ['ops@example.com', 'not-an-address', 'OPS@example.com'],
        quietHours: { start: '21:00', end: '21:00', timeZone: 'Mars/Olympus' },
      }),
      ZONES,
    );
    expect(Object.keys(errors).sort()).toEqual([
      'config.alertRecipients[1]',
      'config.alertRecipients[2]',
      'config.quietHours.end',
      'config.quietHours.timeZone',
    ]);
    expect(errors['config.alertRecipients[2]']).toBe('This address is listed twice.');
    expect(errors['config.quietHours.end']).toBe('Quiet hours must end at another time than they start.');
  });

  it('refuses more than ten recipients and times that are not 24-hour', () => {
    const eleven = Array.from({ length: 11 }, (_, i) => `ops${i}@example.com`);
    const errors = validateConfig(config({ alertRecipients: eleven, quietHours: { start: '9pm', end: '', timeZone: 'UTC' } }), ZONES);
    expect(errors['config.alertRecipients']).toBe('At most 10 people can receive alerts.');
    expect(errors['config.quietHours.start']).toMatch(/24-hour time/);
    expect(errors['config.quietHours.end']).toMatch(/24-hour time/);
  });

  it('leaves the time zone to the API while the list of zones is unknown', () => {
    expect(validateConfig(config({ quietHours: { start: '21:00', end: '08:00', timeZone: 'Asia/Calcutta' } }), null)).toEqual({});
  });
});

describe('recipientProblem', () => {
  it('says why an address cannot be added', () => {
    expect(recipientProblem('', [])).toBe('Enter an email address.');
    expect(recipientProblem('ops@', [])).toBe('Enter an email address like name@example.com.');
    expect(recipientProblem(' OPS@example.com ', ['ops@example.com'])).toBe('ops@example.com already receives alerts.');
    const ten = Array.from({ length: 10 }, (_, i) => `ops${i}@example.com`);
    expect(recipientProblem('new@example.com', ten)).toMatch(/^At most 10 people/);
    expect(recipientProblem('new@example.com', ['ops@example.com'])).toBeNull();
  });
});

describe('the draft', () => {
  it('keeps quiet hours’ times while they are off, and sends null for them', () => {
    const draft = { ...draftOf(config()), quietHoursOn: false };
    expect(draft.start).toBe('21:00');
    expect(configOf(draft).quietHours).toBeNull();
  });

  it('starts quiet hours from the evening in the given zone when none are set', () => {
    expect(draftOf(config({ quietHours: null }), 'Europe/London')).toMatchObject({ quietHoursOn: false, start: '21:00', end: '08:00', timeZone: 'Europe/London' });
  });

  it('sees a change in any part of the config, and none in a copy', () => {
    expect(sameConfig(config(), configOf(draftOf(config())))).toBe(true);
    expect(sameConfig(config(), config({ aiAutomation: true }))).toBe(false);
    expect(sameConfig(config(), config({ alertRecipients: [] }))).toBe(false);
    expect(sameConfig(config(), config({ quietHours: null }))).toBe(false);
    expect(sameConfig(config(), config({ quietHours: { start: '21:00', end: '07:00', timeZone: 'Asia/Kolkata' } }))).toBe(false);
  });
});

describe('saveProblem', () => {
  it('tells anything that is neither a conflict nor a field refused apart', () => {
    expect(saveProblem(new ApiError(0, 'NETWORK', 'no answer'))).toEqual({ kind: 'other', message: 'Cannot reach the server. Check your connection and try again.' });
    expect(saveProblem(new ApiError(500, 'INTERNAL', 'something went wrong on our side; please try again'))).toMatchObject({ kind: 'other' });
  });

  it('reads a field named at the start of the message, and any 409 of a save as a conflict', () => {
    expect(saveProblem(new ApiError(400, 'VALIDATION_FAILED', 'config.alertRecipients[1]: is named twice'))).toEqual({
      kind: 'validation',
      message: 'The settings were not saved.',
      fields: { 'config.alertRecipients[1]': 'Is named twice.' },
    });
    expect(saveProblem(new ApiError(400, 'VALIDATION_FAILED', 'the body is not JSON'))).toMatchObject({ kind: 'other' });
    expect(saveProblem(new ApiError(409, 'CONFLICT', 'someone saved the settings since you read them'))).toEqual({ kind: 'conflict' });
  });
});

describe('tierView', () => {
  const tier = { wabaId: 'waba-1', numbers: ['+91 93309 94400'], limit: 250, warnAt: 200 };

  it('warns from warnAt and says when the limit is reached', () => {
    expect(tierView({ ...tier, used: 3 })).toMatchObject({ warning: false, full: false, sentence: '3 of 250 business-initiated conversations in the last 24 hours (247 left)' });
    expect(tierView({ ...tier, used: 199 }).warning).toBe(false);
    expect(tierView({ ...tier, used: 200 })).toMatchObject({ warning: true, full: false });
    expect(tierView({ ...tier, used: 260 })).toMatchObject({ warning: true, full: true, percent: 100 });
  });
});

describe('sendersByChannel', () => {
  const sender = (senderId: string, channel: string, isDefault = false): SettingsSender => ({
    senderId,
    channel,
    label: senderId,
    default: isDefault,
    ratePerSecond: 5,
    wabaId: null,
  });

  it('orders WhatsApp, SMS, Email, then others, each default first', () => {
    const groups = sendersByChannel([sender('e1', 'email', true), sender('w2', 'whatsapp'), sender('x', 'rcs'), sender('w1', 'whatsapp', true)]);
    expect(groups.map((g) => [g.channel, g.senders.map((s) => s.senderId)])).toEqual([
      ['whatsapp', ['w1', 'w2']],
      ['email', ['e1']],
      ['rcs', ['x']],
    ]);
  });
});

describe('localMoment', () => {
  it('gives the time alone today and the day too otherwise', () => {
    const now = new Date(2026, 11, 4, 22, 0).getTime();
    const tonight = new Date(2026, 11, 4, 23, 30).toISOString();
    const tomorrow = new Date(2026, 11, 5, 8, 0).toISOString();
    expect(localMoment(tonight, now)).not.toMatch(/Dec/);
    expect(localMoment(tomorrow, now)).toMatch(/5/);
    expect(localMoment(tomorrow, now)).toMatch(/Dec/);
  });
});
