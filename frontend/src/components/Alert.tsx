import type { ReactNode } from 'react';

/** A message that screen readers announce: `error` interrupts, `info` waits its turn. */
export function Alert({ tone = 'error', children, title }: { tone?: 'error' | 'info' | 'success'; title?: string; children: ReactNode }) {
  return (
    <div className={`alert alert--${tone}`} role={tone === 'error' ? 'alert' : 'status'}>
      {title ? <p className="alert__title">{title}</p> : null}
      <div>{children}</div>
    </div>
  );
}
