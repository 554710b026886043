// The confirmation gate: above 20 eligible recipients the operator types the exact number before a
// job starts, so nobody sends to thousands by accident. The API checks the same number again and
// answers CONFIRMATION_REQUIRED if it has changed since the preview.
import { CONFIRMATION_THRESHOLD } from '../api/bulk-job';

export function needsConfirmation(eligible: number): boolean {
  return eligible > CONFIRMATION_THRESHOLD;
}

/** The number typed, if it is one: digits, with spaces or thousands separators allowed. */
export function typedCount(typed: string): number | null {
  const digits = typed.trim().replace(/[\s,._'’]/g, '');
  if (!/^\d+$/.test(digits)) return null;
  const n = Number(digits);
  return Number.isSafeInteger(n) ? n : null;
}

export type Gate =
  /** Nothing to type: at most 20 recipients. */
  | { state: 'open' }
  /** Not typed yet. */
  | { state: 'waiting' }
  /** Typed, and it is not the number. */
  | { state: 'mismatch'; typed: string }
  | { state: 'confirmed' };

/** Whether the job may start with what was typed. */
export function confirmationGate(eligible: number, typed: string): Gate {
  if (!needsConfirmation(eligible)) return { state: 'open' };
  if (typed.trim() === '') return { state: 'waiting' };
  return typedCount(typed) === eligible ? { state: 'confirmed' } : { state: 'mismatch', typed: typed.trim() };
}

export function mayStart(gate: Gate): boolean {
  return gate.state === 'open' || gate.state === 'confirmed';
}
