// A thumb up or down as a small line icon, beside the words "Helpful" / "Not helpful" (so it is
// decorative: hidden from screen readers). Drawn, not an emoji, so it looks the same everywhere.

/** A raised thumb with its cuff; "down" is the same turned over. */
const THUMB = ['M7 10v11', 'M7 10l4-8a2.5 2.5 0 0 1 2.5 2.5V9h5.2a2 2 0 0 1 2 2.3l-1.3 8a2 2 0 0 1-2 1.7H7', 'M7 10H4.5A1.5 1.5 0 0 0 3 11.5v8A1.5 1.5 0 0 0 4.5 21H7'];

export function ThumbIcon({ direction, className }: { direction: 'up' | 'down'; className?: string }) {
  return (
    <svg
      className={['thumb-icon', className].filter(Boolean).join(' ')}
      viewBox="0 0 24 24"
      width="18"
      height="18"
      aria-hidden="true"
      focusable="false"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.6"
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      <g transform={direction === 'down' ? 'rotate(180 12 12)' : undefined}>
        {THUMB.map((d) => (
          <path key={d} d={d} />
        ))}
      </g>
    </svg>
  );
}
