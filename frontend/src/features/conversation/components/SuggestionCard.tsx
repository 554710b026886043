// One AI reply draft: where it came from (on request, or automatically for a new message), its
// text with a marker per source, and what can be done with it. A waiting draft is approved as it
// is (sent), edited then approved, or rejected with a reason (asked in a dialog); an approval that
// was cut short is finished (it still sends once). A decided draft shows its outcome: what was
// sent and how it went (a dry run records without sending), both texts when edited, the reason
// when rejected. Any draft can be rated up or down, with an optional comment.
import { useEffect, useId, useRef, useState, type SubmitEvent } from 'react';
import { Alert } from '@/components/Alert';
import { Button } from '@/components/Button';
import { CitedText } from '@/components/citations/CitedText';
import { FormDialog } from '@/components/FormDialog';
import { TextArea } from '@/components/TextArea';
import { ThumbIcon } from '@/components/ThumbIcon';
import { formatDateTime, formatTime } from '@/utils/format';
import { useApproveSuggestion } from '../api/approve-suggestion';
import { useRateSuggestion } from '../api/rate-suggestion';
import { useRejectSuggestion } from '../api/reject-suggestion';
import {
  EDITED_TEXT_MAX,
  FEEDBACK_COMMENT_MAX,
  REJECT_REASON_MAX,
  type Rating,
  type Suggestion,
  type SuggestionStatus,
} from '../api/suggestion';
import { describeApproveError, describeDecisionError } from './ai-errors';

function characters(text: string): number {
  return Array.from(text).length;
}

const STATUS: Record<SuggestionStatus, { label: string; tone: string }> = {
  suggested: { label: 'Waiting for approval', tone: 'progress' },
  approving: { label: 'Approval in progress', tone: 'warning' },
  approved: { label: 'Approved', tone: 'success' },
  edited: { label: 'Edited and approved', tone: 'success' },
  rejected: { label: 'Rejected', tone: 'neutral' },
};

/** How the message an approval sent went, at the time of the approval. */
export function sendOutcomeText(sendStatus: string | null): string {
  switch (sendStatus) {
    case 'sent':
      return 'Sent.';
    case 'dry_run':
      return 'Recorded, not sent (dry run): nothing reached the customer.';
    case 'unknown':
      return 'Delivery unknown: it is not confirmed that the provider took it. Check the message in the conversation before sending anything again.';
    case 'failed':
      return 'The send failed: the message in the conversation says why.';
    case null:
      return 'Its delivery is shown in the conversation.';
    default:
      return `Its status: ${sendStatus}.`;
  }
}

function ratingLabel(rating: Rating): string {
  return rating === 'up' ? 'helpful' : 'not helpful';
}

function Feedback({ suggestion, userId }: { suggestion: Suggestion; userId: string }) {
  const rate = useRateSuggestion();
  const [rating, setRating] = useState<Rating | null>(null);
  const [comment, setComment] = useState('');
  const [thanked, setThanked] = useState(false);
  const groupId = useId();
  const saved = suggestion.feedback;
  const tooLong = characters(comment) > FEEDBACK_COMMENT_MAX;

  const choose = (value: Rating) => {
    setRating(value);
    setThanked(false);
    rate.reset();
  };
  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    if (!rating || tooLong || rate.isPending) return;
    rate.mutate(
      { suggestionId: suggestion.id, rating, comment },
      {
        onSuccess: () => {
          setRating(null);
          setComment('');
          setThanked(true);
        },
      },
    );
  };

  return (
    <div className="draft__feedback">
      <div className="draft__rate" role="group" aria-labelledby={groupId}>
        <span id={groupId} className="draft__rate-label">
          Was this draft helpful?
        </span>
        <Button variant="secondary" aria-pressed={(rating ?? saved?.rating) === 'up'} onClick={() => choose('up')}>
          <ThumbIcon direction="up" /> Helpful
        </Button>
        <Button variant="secondary" aria-pressed={(rating ?? saved?.rating) === 'down'} onClick={() => choose('down')}>
          <ThumbIcon direction="down" /> Not helpful
        </Button>
      </div>
      {rating ? (
        <form className="draft__feedback-form" noValidate onSubmit={submit} aria-label="Feedback on this draft">
          <TextArea
            label="Comment (optional)"
            rows={2}
            autoFocus
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            hint={`What was ${rating === 'up' ? 'good' : 'wrong'} about it? ${characters(comment)} / ${FEEDBACK_COMMENT_MAX} characters`}
            error={tooLong ? `Shorten the comment to ${FEEDBACK_COMMENT_MAX} characters.` : undefined}
          />
          {rate.error ? <Alert>{describeDecisionError(rate.error, 'rate')}</Alert> : null}
          <div className="inline-actions">
            <Button type="submit" busy={rate.isPending}>
              {rate.isPending ? 'Sending…' : `Send feedback: ${ratingLabel(rating)}`}
            </Button>
            <Button variant="ghost" onClick={() => setRating(null)} disabled={rate.isPending}>
              Cancel
            </Button>
          </div>
        </form>
      ) : null}
      <p className="draft__feedback-saved" role="status">
        {!rating && saved
          ? `${thanked ? 'Thanks: feedback recorded. ' : ''}${saved.by === userId ? 'You' : saved.by} rated it ${ratingLabel(saved.rating)}${
              saved.comment ? `: “${saved.comment}”` : '.'
            }`
          : ''}
      </p>
    </div>
  );
}

function Decided({ suggestion, userId }: { suggestion: Suggestion; userId: string }) {
  const who = suggestion.decidedBy === userId ? 'you' : (suggestion.decidedBy ?? 'a colleague');
  const when = suggestion.decidedAt ? (
    <>
      {' '}
      on <time dateTime={suggestion.decidedAt}>{formatDateTime(suggestion.decidedAt)}</time>
    </>
  ) : null;
  if (suggestion.status === 'rejected') {
    return (
      <p className="draft__outcome">
        Rejected by {who}
        {when}
        {suggestion.rejectReason ? `: “${suggestion.rejectReason}”` : '.'}
      </p>
    );
  }
  return (
    <p className={`draft__outcome${suggestion.sendStatus === 'unknown' || suggestion.sendStatus === 'failed' ? ' draft__outcome--warning' : ''}`}>
      {suggestion.status === 'edited' ? 'Edited and approved' : 'Approved'} by {who}
      {when}. {sendOutcomeText(suggestion.sendStatus)}
    </p>
  );
}

export interface SuggestionCardProps {
  suggestion: Suggestion;
  contactName: string;
  /** The signed-in user's email: "you" decided it, or the colleague named. */
  userId: string;
}

export function SuggestionCard({ suggestion, contactName, userId }: SuggestionCardProps) {
  const titleId = useId();
  const approve = useApproveSuggestion(suggestion.contactId);
  const reject = useRejectSuggestion(suggestion.contactId);
  const [editing, setEditing] = useState(false);
  const [edited, setEdited] = useState(suggestion.text);
  const [editChecked, setEditChecked] = useState(false);
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState('');
  const [reasonChecked, setReasonChecked] = useState(false);
  const editButton = useRef<HTMLButtonElement>(null);
  const outcome = useRef<HTMLDivElement>(null);
  const errorBox = useRef<HTMLDivElement>(null);
  /** This card decided the draft: once the answer is shown, focus goes to it. */
  const decidedHere = useRef(false);
  /** Editing was cancelled: focus goes back to the Edit button once it is there again. */
  const refocusEdit = useRef(false);
  const decided = suggestion.status === 'approved' || suggestion.status === 'edited' || suggestion.status === 'rejected';

  useEffect(() => {
    if (decided && decidedHere.current) {
      decidedHere.current = false;
      outcome.current?.focus();
    }
  }, [decided]);
  useEffect(() => {
    if (approve.error) errorBox.current?.focus();
  }, [approve.error]);
  useEffect(() => {
    if (!editing && refocusEdit.current) {
      refocusEdit.current = false;
      editButton.current?.focus();
    }
  }, [editing]);

  const editedText = edited.trim();
  const editProblem = !editedText
    ? 'Write the reply, or cancel editing.'
    : characters(editedText) > EDITED_TEXT_MAX
      ? `Shorten the reply to ${EDITED_TEXT_MAX} characters: WhatsApp takes no more.`
      : null;
  const reasonText = reason.trim();
  const reasonProblem = !reasonText
    ? 'Say why the draft is not right: it helps improve the assistant.'
    : characters(reasonText) > REJECT_REASON_MAX
      ? `Shorten the reason to ${REJECT_REASON_MAX} characters.`
      : null;

  const send = (text?: string) => {
    if (approve.isPending) return;
    decidedHere.current = true;
    approve.mutate(text === undefined ? { suggestionId: suggestion.id } : { suggestionId: suggestion.id, text }, {
      onSuccess: () => setEditing(false),
      onError: () => {
        decidedHere.current = false;
      },
    });
  };
  const sendEdited = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setEditChecked(true);
    if (editProblem) return;
    // Unchanged words are the draft as written.
    send(editedText === suggestion.text.trim() ? undefined : editedText);
  };
  const startEditing = () => {
    approve.reset();
    setEdited(suggestion.text);
    setEditChecked(false);
    setEditing(true);
  };
  const stopEditing = () => {
    refocusEdit.current = true;
    setEditing(false);
    approve.reset();
  };
  const openReject = () => {
    reject.reset();
    setReason('');
    setReasonChecked(false);
    setRejecting(true);
  };
  const submitReject = () => {
    setReasonChecked(true);
    if (reasonProblem || reject.isPending) return;
    decidedHere.current = true;
    reject.mutate(
      { suggestionId: suggestion.id, reason: reasonText },
      {
        onSuccess: () => setRejecting(false),
        onError: () => {
          decidedHere.current = false;
        },
      },
    );
  };

  const status = STATUS[suggestion.status];
  const origin = suggestion.origin === 'automation' ? 'Drafted automatically' : suggestion.createdBy === userId ? 'Drafted at your request' : `Drafted at ${suggestion.createdBy ?? 'a colleague'}’s request`;
  const waiting = suggestion.status === 'suggested' || suggestion.status === 'approving';

  return (
    <article className={`draft draft--${suggestion.status}`} aria-labelledby={titleId}>
      <header className="draft__header">
        <h3 className="draft__title" id={titleId}>
          {origin}{' '}
          <span className="draft__time">
            · <time dateTime={suggestion.createdAt} title={formatDateTime(suggestion.createdAt)}>{formatTime(suggestion.createdAt)}</time>
          </span>
        </h3>
        <span className={`status-badge status-badge--${status.tone}`}>{status.label}</span>
      </header>

      {suggestion.optOutIntent && waiting ? (
        <p className="draft__warning">
          {contactName}’s message may be a request to stop messages. Check it before replying: the opt-out can be recorded above.
        </p>
      ) : null}

      {suggestion.status === 'edited' ? (
        <div className="draft__texts">
          <div>
            <p className="draft__label">Drafted</p>
            <CitedText text={suggestion.text} citations={suggestion.citations} label="Draft" />
          </div>
          <div>
            <p className="draft__label">Sent, as edited</p>
            <p className="draft__sent">{suggestion.sentText}</p>
          </div>
        </div>
      ) : editing && waiting ? (
        <form className="draft__edit" noValidate onSubmit={sendEdited} aria-label="Edit the draft">
          <TextArea
            label="Your reply"
            rows={5}
            autoFocus
            value={edited}
            onChange={(e) => {
              setEdited(e.target.value);
              if (approve.error) approve.reset();
            }}
            hint={`${characters(edited.trim())} / ${EDITED_TEXT_MAX} characters. The draft’s sources stay listed below.`}
            error={editChecked && editProblem ? editProblem : undefined}
          />
          <CitedText text={suggestion.text} citations={suggestion.citations} label="Draft" />
          <div className="inline-actions">
            <Button type="submit" busy={approve.isPending}>
              {approve.isPending ? 'Sending…' : 'Approve edited'}
            </Button>
            <Button variant="secondary" onClick={stopEditing} disabled={approve.isPending}>
              Cancel editing
            </Button>
          </div>
        </form>
      ) : (
        <CitedText text={suggestion.text} citations={suggestion.citations} label="Draft" />
      )}

      <div ref={outcome} tabIndex={-1} className="draft__result">
        {decided ? <Decided suggestion={suggestion} userId={userId} /> : null}
      </div>

      {suggestion.status === 'approving' && !approve.isPending ? (
        <p className="draft__note">An approval of this draft started but has not finished. Finishing it sends the reply once, never twice.</p>
      ) : null}

      {approve.error ? (
        <div ref={errorBox} tabIndex={-1} className="form__error">
          <Alert title="Not sent">
            <p>{describeApproveError(approve.error, contactName)}</p>
          </Alert>
        </div>
      ) : null}
      <p className="draft__progress" role="status">
        {approve.isPending ? 'Sending the reply…' : ''}
      </p>

      {waiting && !editing ? (
        <div className="inline-actions draft__actions">
          <Button onClick={() => send()} busy={approve.isPending}>
            {approve.isPending ? 'Sending…' : suggestion.status === 'approving' ? 'Finish approving' : 'Approve and send'}
          </Button>
          {suggestion.status === 'suggested' ? (
            <>
              <Button ref={editButton} variant="secondary" onClick={startEditing} disabled={approve.isPending}>
                Edit
              </Button>
              <Button variant="secondary" onClick={openReject} disabled={approve.isPending}>
                Reject
              </Button>
            </>
          ) : null}
        </div>
      ) : null}

      <Feedback suggestion={suggestion} userId={userId} />

      <FormDialog
        open={rejecting}
        title="Reject this draft?"
        submitLabel="Reject draft"
        onSubmit={submitReject}
        onCancel={() => setRejecting(false)}
        busy={reject.isPending}
        error={reject.error ? <Alert>{describeDecisionError(reject.error, 'reject')}</Alert> : undefined}
      >
        <p>Nothing is sent to {contactName}. The reason is kept with the draft to improve the assistant.</p>
        <TextArea
          label="Reason"
          rows={3}
          autoFocus
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          hint={`${characters(reasonText)} / ${REJECT_REASON_MAX} characters`}
          error={reasonChecked && reasonProblem ? reasonProblem : undefined}
        />
      </FormDialog>
    </article>
  );
}
