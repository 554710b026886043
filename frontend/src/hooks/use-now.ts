import { useEffect, useState } from 'react';

/** The current time in epoch milliseconds, refreshed every `intervalMs` (for "3 h left" texts). */
export function useNow(intervalMs = 30_000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}
