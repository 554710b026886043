// An AI answer or draft with a numbered marker after each part that rests on the knowledge base.
// A marker is a disclosure button: it opens, under the text, the source's title, relevance score
// and the passage it was drawn from (a long passage shows its start, "Show the whole passage" the
// rest). One source is open at a time; Escape or Close shuts it and puts focus back on its marker.
import { Fragment, useId, useRef, useState, type KeyboardEvent } from 'react';
import { Button } from '../Button';
import { citedSegments, clampExcerpt, formatScore, type Citation } from './citation';
import './citations.css';

function SourceDetails({ citation, onClose }: { citation: Citation; onClose: () => void }) {
  const [whole, setWhole] = useState(false);
  const passageId = useId();
  const { text, clamped } = clampExcerpt(citation.excerpt);
  const score = formatScore(citation.score);
  return (
    <>
      <p className="cited__source-title">
        <span className="cited__source-number">[{citation.id}]</span> {citation.title}
        {score === null ? null : <span className="cited__score"> · relevance {score}</span>}
      </p>
      <blockquote className="cited__excerpt" id={passageId}>
        {whole || !clamped ? citation.excerpt.trim() : text}
      </blockquote>
      <p className="cited__source-uri muted">{citation.source}</p>
      <div className="cited__source-actions">
        {clamped ? (
          <Button variant="secondary" aria-expanded={whole} aria-controls={passageId} onClick={() => setWhole(!whole)}>
            {whole ? 'Show less of the passage' : 'Show the whole passage'}
          </Button>
        ) : null}
        <Button variant="ghost" onClick={onClose} aria-label={`Close source ${citation.id}`}>
          Close
        </Button>
      </div>
    </>
  );
}

export interface CitedTextProps {
  text: string;
  citations: readonly Citation[];
  /** What the text is, for the sources' region: "Draft", "Answer". */
  label: string;
}

export function CitedText({ text, citations, label }: CitedTextProps) {
  const panelId = useId();
  const [openId, setOpenId] = useState<number | null>(null);
  const markers = useRef(new Map<number, HTMLButtonElement>());
  const open = citations.find((c) => c.id === openId) ?? null;
  const segments = citedSegments(text, citations);

  const close = () => {
    const marker = openId === null ? undefined : markers.current.get(openId);
    setOpenId(null);
    marker?.focus();
  };
  const onKeyDown = (event: KeyboardEvent<HTMLDivElement>) => {
    if (event.key === 'Escape' && openId !== null) {
      event.stopPropagation();
      close();
    }
  };

  return (
    <div className="cited" onKeyDown={onKeyDown}>
      <p className="cited__text">
        {segments.map((segment, i) => (
          <Fragment key={i}>
            {segment.text}
            {segment.citations.map((citation) => (
              <button
                key={citation.id}
                ref={(element) => {
                  if (element) markers.current.set(citation.id, element);
                  else markers.current.delete(citation.id);
                }}
                type="button"
                className="cited__marker"
                aria-expanded={openId === citation.id}
                aria-controls={panelId}
                aria-label={`Source ${citation.id}: ${citation.title}`}
                onClick={() => setOpenId(openId === citation.id ? null : citation.id)}
              >
                [{citation.id}]
              </button>
            ))}
          </Fragment>
        ))}
      </p>
      <div id={panelId} className="cited__source" aria-label={open ? `${label}, source ${open.id}` : undefined} role={open ? 'group' : undefined} hidden={!open}>
        {open ? <SourceDetails key={open.id} citation={open} onClose={close} /> : null}
      </div>
    </div>
  );
}
