// WhatsApp's 24-hour customer-service window as operators read it: free-form messages only while
// it is open, templates otherwise. The API computes the expiry; this only words it.

export interface WindowState {
  open: boolean;
  /** "open · 3 h 12 min left" or "closed". */
  text: string;
}

/** "3 h 12 min", "12 min", "less than a minute". */
export function formatRemaining(ms: number): string {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'less than a minute';
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (hours === 0) return `${rest} min`;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** The window's state at `now` (epoch ms) from its expiry, or null when it is closed. */
export function windowState(expiresAt: string | null | undefined, now: number): WindowState {
  const end = expiresAt ? Date.parse(expiresAt) : Number.NaN;
  if (Number.isNaN(end) || end <= now) return { open: false, text: 'closed' };
  return { open: true, text: `open · ${formatRemaining(end - now)} left` };
}
