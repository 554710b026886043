// Client-side paging of a list the API answers whole (e.g. a WhatsApp template catalogue):
// Previous / Next and where the reader is ("21–30 of 42"). Nothing shows for a single page.
import { Button } from './Button';

export interface PageOf<T> {
  items: T[];
  /** 1-based, clamped to the pages there are. */
  page: number;
  pageCount: number;
  /** 0-based index of the page's first item. */
  offset: number;
}

/** Page `page` (1-based) of `items`; a page past the end is the last one. */
export function paginate<T>(items: readonly T[], page: number, pageSize: number): PageOf<T> {
  const pageCount = Math.max(1, Math.ceil(items.length / pageSize));
  const current = Math.min(Math.max(1, Math.floor(page) || 1), pageCount);
  const offset = (current - 1) * pageSize;
  return { items: items.slice(offset, offset + pageSize), page: current, pageCount, offset };
}

export interface PagerProps {
  page: number;
  pageCount: number;
  /** How many items there are in all, and on this page. */
  total: number;
  offset: number;
  shown: number;
  onPage: (page: number) => void;
  /** The navigation landmark's name, e.g. "Pages of templates". */
  label: string;
}

export function Pager({ page, pageCount, total, offset, shown, onPage, label }: PagerProps) {
  if (pageCount <= 1) return null;
  return (
    <nav className="pager" aria-label={label}>
      <Button variant="secondary" disabled={page <= 1} onClick={() => onPage(page - 1)}>
        Previous
      </Button>
      <p className="pager__where">
        Page {page} of {pageCount} <span className="muted">({offset + 1}–{offset + shown} of {total})</span>
      </p>
      <Button variant="secondary" disabled={page >= pageCount} onClick={() => onPage(page + 1)}>
        Next
      </Button>
    </nav>
  );
}
