// A passage of the knowledge base that an AI answer (Agent page) or reply draft (conversation)
// rests on, as every AI route returns it, and where its marker goes in the text. The API sends the
// text without markers: each citation names the part of the text it supports (`answerPart`), so
// the marker goes right after that part; a part that cannot be found puts its marker at the end.
import * as z from 'zod/mini';

export const citationSchema = z.object({
  /** 1-based, in the order the sources first appear in the text. */
  id: z.number(),
  /** "s3://wecare-knowledge-base/returns-policy.md" */
  source: z.string(),
  /** "returns-policy.md": the source's file name. */
  title: z.string(),
  /** The retrieved passage; may be long. */
  excerpt: z.string(),
  /** 0..1 relevance, when known. */
  score: z.nullable(z.number()),
  /** The part of the text this source supports. */
  answerPart: z.string(),
});

export type Citation = z.infer<typeof citationSchema>;

/** A stretch of the text, followed by the markers of the sources it rests on (none for the rest). */
export interface CitedSegment {
  text: string;
  citations: Citation[];
}

/**
 * The text cut into stretches, each ending where one or more citations' parts end. Citations
 * sharing a part share a place; one whose part is empty or not in the text goes at the very end,
 * so every source stays reachable.
 */
export function citedSegments(text: string, citations: readonly Citation[]): CitedSegment[] {
  const placed = citations
    .map((citation, order) => {
      const part = citation.answerPart.trim();
      const at = part ? text.indexOf(part) : -1;
      return { citation, order, end: at < 0 ? text.length : at + part.length };
    })
    .sort((a, b) => a.end - b.end || a.citation.id - b.citation.id || a.order - b.order);
  const segments: CitedSegment[] = [];
  let cursor = 0;
  for (const { citation, end } of placed) {
    const last = segments.at(-1);
    if (last && end === cursor && last.citations.length > 0) {
      last.citations.push(citation);
      continue;
    }
    segments.push({ text: text.slice(cursor, end), citations: [citation] });
    cursor = end;
  }
  if (cursor < text.length || segments.length === 0) segments.push({ text: text.slice(cursor), citations: [] });
  return segments;
}

/** "0.82" for a known score, null otherwise. */
export function formatScore(score: number | null): string | null {
  return score === null || !Number.isFinite(score) ? null : score.toFixed(2);
}

/** How many characters of an excerpt show before "Show the whole passage". */
export const EXCERPT_PREVIEW_CHARS = 280;

/** The excerpt cut at a word boundary near `max` characters, with an ellipsis; whole when short. */
export function clampExcerpt(excerpt: string, max = EXCERPT_PREVIEW_CHARS): { text: string; clamped: boolean } {
  const chars = Array.from(excerpt.trim());
  if (chars.length <= max) return { text: chars.join(''), clamped: false };
  const head = chars.slice(0, max).join('');
  const space = head.lastIndexOf(' ');
  return { text: `${(space > max * 0.6 ? head.slice(0, space) : head).trimEnd()}…`, clamped: true };
}
