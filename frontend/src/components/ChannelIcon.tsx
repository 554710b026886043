// The three channels as small line icons, each with its name for screen readers.
export type MessageChannel = 'whatsapp' | 'sms' | 'email';

export const channelName: Record<MessageChannel, string> = { whatsapp: 'WhatsApp', sms: 'SMS', email: 'Email' };

const paths: Record<MessageChannel, string[]> = {
  // A round speech bubble with a handset.
  whatsapp: [
    'M12 3.2a8.8 8.8 0 0 0-7.6 13.2L3.2 20.8l4.5-1.2A8.8 8.8 0 1 0 12 3.2Z',
    'M9.1 8.2c-.3.9 0 2.4 1.3 3.9 1.4 1.5 2.9 2.1 3.9 1.8l.9-1.1-1.8-1-.8.6a4 4 0 0 1-1.9-1.9l.6-.8-1-1.8Z',
  ],
  // A square speech bubble with three dots.
  sms: ['M4.5 4.5h15a1.5 1.5 0 0 1 1.5 1.5v9a1.5 1.5 0 0 1-1.5 1.5H10l-4.5 3.5v-3.5h-1A1.5 1.5 0 0 1 3 15V6a1.5 1.5 0 0 1 1.5-1.5Z', 'M8 10.5h.01M12 10.5h.01M16 10.5h.01'],
  // An envelope.
  email: ['M4.5 5.5h15A1.5 1.5 0 0 1 21 7v10a1.5 1.5 0 0 1-1.5 1.5h-15A1.5 1.5 0 0 1 3 17V7a1.5 1.5 0 0 1 1.5-1.5Z', 'm3.5 7 8.5 6 8.5-6'],
};

/**
 * A channel's icon; its accessible name is the channel ("WhatsApp", "SMS", "Email"), unless it is
 * `decorative` (next to the channel's name already).
 */
export function ChannelIcon({ channel, className, decorative = false }: { channel: MessageChannel; className?: string; decorative?: boolean }) {
  return (
    <svg
      className={['channel-icon', `channel-icon--${channel}`, className].filter(Boolean).join(' ')}
      viewBox="0 0 24 24"
      width="20"
      height="20"
      {...(decorative ? { 'aria-hidden': true } : { role: 'img', 'aria-label': channelName[channel] })}
      fill="none"
      stroke="currentColor"
      strokeWidth="1.5"
      strokeLinecap="round"
      strokeLinejoin="round"
      focusable="false"
    >
      {paths[channel].map((d) => (
        <path key={d} d={d} />
      ))}
    </svg>
  );
}
