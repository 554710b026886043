import type { CSSProperties } from 'react';

/** A grey placeholder of the size of what is loading, so nothing moves when it arrives. */
export function Skeleton({ width = '100%', height = '1em', className }: { width?: CSSProperties['width']; height?: CSSProperties['height']; className?: string }) {
  return <span className={['skeleton', className].filter(Boolean).join(' ')} style={{ width, height }} aria-hidden="true" />;
}
