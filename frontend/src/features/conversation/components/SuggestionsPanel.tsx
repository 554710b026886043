// AI reply suggestions in the conversation, for those who use the assistant (Operators, Admins):
// "Suggest a reply" has the agent draft one from the knowledge base (several seconds: the page
// says it is working, and for how long), and the drafts — asked for, or written automatically for
// each new message when automation is on — are listed newest first, a page at a time, refreshed
// every few seconds while the tab is visible. Nothing reaches the customer until someone approves
// a draft.
import { useEffect, useRef, useState } from 'react';
import { Alert } from '@/components/Alert';
import { Button } from '@/components/Button';
import { Skeleton } from '@/components/Skeleton';
import { useNow } from '@/hooks/use-now';
import { describeError } from '@/lib/api-error';
import { useCreateSuggestion } from '../api/create-suggestion';
import type { useSuggestions } from '../api/get-suggestions';
import { SuggestionCard } from './SuggestionCard';
import { describeSuggestError } from './ai-errors';
import './suggestions.css';

/** "Drafting a reply… 4 s": how long the assistant has been at it. */
function Drafting() {
  const [started] = useState(() => Date.now());
  const now = useNow(1_000);
  const elapsed = Math.max(0, Math.round((now - started) / 1000));
  return (
    <>
      Drafting a reply from the knowledge base; this can take several seconds.
      {elapsed >= 2 ? <span className="suggestions__elapsed"> {elapsed} s</span> : null}
    </>
  );
}

export interface SuggestionsPanelProps {
  contactId: string;
  contactName: string;
  userId: string;
  suggestions: ReturnType<typeof useSuggestions>;
}

export function SuggestionsPanel({ contactId, contactName, userId, suggestions }: SuggestionsPanelProps) {
  const create = useCreateSuggestion(contactId);
  const errorBox = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (create.error) errorBox.current?.focus();
  }, [create.error]);
  const drafts = suggestions.data?.pages.flatMap((page) => page.items) ?? [];
  // Pages shift as new drafts arrive: the same draft can be on two of them.
  const seen = new Set<string>();
  const unique = drafts.filter((d) => (seen.has(d.id) ? false : (seen.add(d.id), true)));

  const list = () => {
    if (suggestions.isPending) {
      return (
        <div className="suggestions__skeleton" aria-hidden="true">
          <Skeleton height="6rem" />
        </div>
      );
    }
    if (suggestions.isError && !suggestions.data) {
      return (
        <Alert title="The drafts could not be loaded.">
          <p>{describeError(suggestions.error)}</p>
          <Button variant="secondary" onClick={() => void suggestions.refetch()} busy={suggestions.isFetching}>
            Try again
          </Button>
        </Alert>
      );
    }
    if (unique.length === 0) {
      return <p className="muted suggestions__empty">No drafts yet. “Suggest a reply” has the assistant draft one for {contactName}’s latest message.</p>;
    }
    return (
      <>
        {suggestions.isRefetchError ? (
          <Alert tone="info">The drafts could not be refreshed: {describeError(suggestions.error)} It will try again.</Alert>
        ) : null}
        <ol className="suggestions__list" aria-label="Drafts, newest first">
          {unique.map((suggestion) => (
            <li key={suggestion.id}>
              <SuggestionCard suggestion={suggestion} contactName={contactName} userId={userId} />
            </li>
          ))}
        </ol>
        {suggestions.hasNextPage ? (
          <div className="suggestions__older">
            <Button variant="secondary" onClick={() => void suggestions.fetchNextPage()} busy={suggestions.isFetchingNextPage}>
              {suggestions.isFetchingNextPage ? 'Loading…' : 'Show older drafts'}
            </Button>
          </div>
        ) : null}
        {suggestions.isFetchNextPageError ? <Alert>The older drafts could not be loaded: {describeError(suggestions.error)} Try “Show older drafts” again.</Alert> : null}
      </>
    );
  };

  return (
    <section className="suggestions" aria-labelledby="suggestions-heading">
      <div className="suggestions__top">
        <h2 id="suggestions-heading" className="suggestions__title">
          Reply suggestions
        </h2>
        <Button
          onClick={() => {
            if (!create.isPending) create.mutate();
          }}
          busy={create.isPending}
        >
          {create.isPending ? 'Drafting…' : 'Suggest a reply'}
        </Button>
      </div>
      <p className="muted suggestions__intro">The assistant drafts replies from your knowledge base. Nothing is sent until you approve a draft.</p>
      <p className="suggestions__progress" role="status">
        {create.isPending ? <Drafting /> : create.isSuccess ? 'A new draft is ready: read it below, then approve, edit or reject it.' : ''}
      </p>
      {create.error ? (
        <div ref={errorBox} tabIndex={-1} className="form__error">
          <Alert title="No draft this time">
            <p>{describeSuggestError(create.error, contactName)}</p>
          </Alert>
        </div>
      ) : null}
      {list()}
    </section>
  );
}
