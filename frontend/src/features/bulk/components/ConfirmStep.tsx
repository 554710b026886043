// Step 5: what will be sent, to how many, from whom — and, above 20 recipients, the exact number
// typed before Start. Start creates the job under the wizard's Idempotency-Key; if the count has
// changed since the preview, the API says the new one and the preview is shown again.
import { useEffect, useId, useRef, useState, type SubmitEvent } from 'react';
import { useNavigate } from 'react-router';
import { Alert } from '@/components/Alert';
import { Button } from '@/components/Button';
import { channelName } from '@/components/ChannelIcon';
import { TextField } from '@/components/TextField';
import type { FlashState } from '@/hooks/use-flash-notice';
import { ApiError, describeError, fieldErrorOf } from '@/lib/api-error';
import { senderName, useSenders } from '@/lib/senders';
import type { JobRequest } from '../api/bulk-job';
import { confirmationCountOf, useCreateJob } from '../api/create-job';
import type { Preview } from '../api/preview';
import { formatCount, formatDuration, plural } from './bulk-text';
import { confirmationGate, mayStart, needsConfirmation } from './confirmation';
import { StepFrame } from './NewBulkJobPage';
import { stepOfField } from './PreviewStep';
import { STEP_TITLE, type Draft, type Step } from './wizard';

function contentLine(request: JobRequest): string {
  const c = request.content;
  switch (c.type) {
    case 'template':
      return `Template ${c.name} (${c.language})${c.parameters.length ? ` with ${plural(c.parameters.length, 'parameter')}` : ''}`;
    case 'text':
      return c.body;
    case 'email':
      return `Subject: ${c.subject}`;
  }
}

function recipientsLine(draft: Draft): string {
  switch (draft.source) {
    case 'pick':
      return plural(draft.picked.length, 'picked contact');
    case 'filter':
      return 'Every contact matching the filters';
    case 'upload':
      return draft.upload ? `The rows of ${draft.upload.fileName}` : 'A CSV';
  }
}

/** What a refusal of Start means for the operator, and what to do. */
export function createErrorText(error: unknown): string {
  if (error instanceof ApiError) {
    switch (error.code) {
      case 'TIER_LIMIT_EXCEEDED':
        return `${error.message}. Go back to Recipients to send to fewer people, or try again later.`;
      case 'VALIDATION_FAILED': {
        const field = fieldErrorOf(error);
        return field ? `${field.field}: ${field.message}. Correct it and try again.` : `${error.message}. Change the job and try again.`;
      }
      case 'NO_ELIGIBLE_RECIPIENTS':
        return `${error.message}. Change the recipients and preview again.`;
      case 'FORBIDDEN':
        return 'Your role does not allow starting bulk jobs. Ask an Admin.';
      default:
        if (error.status === 0 || error.status >= 500 || error.code === 'BAD_RESPONSE') {
          return `${describeError(error)} Pressing Start again is safe: it will not create a second job.`;
        }
        return describeError(error);
    }
  }
  return describeError(error);
}

export function ConfirmStep({
  draft,
  request,
  preview,
  idempotencyKey,
  onBack,
  onGo,
  onRecount,
}: {
  draft: Draft;
  request: JobRequest;
  preview: Preview;
  idempotencyKey: string;
  onBack: () => void;
  onGo: (step: Step) => void;
  /** Start found another eligible count: say it on the preview. */
  onRecount: (message: string) => void;
}) {
  const navigate = useNavigate();
  const senders = useSenders();
  const create = useCreateJob();
  const [typed, setTyped] = useState('');
  const [tried, setTried] = useState(false);
  const errorBox = useRef<HTMLDivElement>(null);
  const hintId = useId();
  const eligible = preview.eligible;
  const gate = confirmationGate(eligible, typed);
  const field = fieldErrorOf(create.error);
  const fieldStep = field ? stepOfField(field.field) : null;
  const tierRefused = create.error instanceof ApiError && create.error.code === 'TIER_LIMIT_EXCEEDED';

  useEffect(() => {
    if (create.error) errorBox.current?.focus();
  }, [create.error]);

  const start = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setTried(true);
    if (!mayStart(gate)) return;
    create.mutate(
      {
        request,
        idempotencyKey,
        ...(needsConfirmation(eligible) ? { confirmedCount: eligible } : {}),
        ...(preview.previewId ? { previewId: preview.previewId } : {}),
      },
      {
        onSuccess: (job) =>
          void navigate(`/bulk/${encodeURIComponent(job.jobId)}`, {
            state: { notice: `The job has started: ${plural(job.progress.total, 'recipient')}.` } satisfies FlashState,
          }),
        onError: (error) => {
          const count = confirmationCountOf(error);
          if (count !== null || (error instanceof ApiError && error.code === 'CONFIRMATION_REQUIRED')) {
            onRecount(
              count !== null
                ? `${plural(count, 'recipient')} ${count === 1 ? 'is' : 'are'} eligible now, not ${formatCount(eligible)}: contacts changed since the preview. Check the preview below, then confirm the new number.`
                : `${error.message}. Check the preview below, then confirm again.`,
            );
          }
        },
      },
    );
  };

  const sender = senderName(senders.data, request.sender);
  const gateError =
    tried && gate.state === 'mismatch'
      ? `That is not the number of recipients: type ${eligible}.`
      : tried && gate.state === 'waiting'
        ? `Type ${eligible} to confirm.`
        : undefined;

  return (
    <form noValidate onSubmit={start} aria-busy={create.isPending || undefined}>
      <StepFrame
        step="confirm"
        actions={
          <>
            <Button variant="secondary" onClick={onBack} disabled={create.isPending}>
              Back
            </Button>
            <Button type="submit" busy={create.isPending} aria-describedby={hintId}>
              {create.isPending ? 'Starting…' : `Start sending to ${plural(eligible, 'recipient')}`}
            </Button>
          </>
        }
      >
        <dl className="details">
          {request.name ? (
            <div className="details__row">
              <dt>Name</dt>
              <dd>{request.name}</dd>
            </div>
          ) : null}
          <div className="details__row">
            <dt>Channel</dt>
            <dd>{channelName[request.channel]}</dd>
          </div>
          <div className="details__row">
            <dt>From</dt>
            <dd>{sender}</dd>
          </div>
          <div className="details__row">
            <dt>Message</dt>
            <dd className="job-content">{contentLine(request)}</dd>
          </div>
          <div className="details__row">
            <dt>Recipients</dt>
            <dd>
              {recipientsLine(draft)}: <strong>{formatCount(eligible)} eligible</strong>
              {preview.total > eligible ? ` (${formatCount(preview.total - eligible)} left out)` : ''}
            </dd>
          </div>
          <div className="details__row">
            <dt>Sending takes</dt>
            <dd>About {formatDuration(preview.estimatedSeconds)}</dd>
          </div>
        </dl>
        {needsConfirmation(eligible) ? (
          <TextField
            label={`Type ${eligible} to confirm the number of recipients`}
            name="confirmCount"
            inputMode="numeric"
            autoComplete="off"
            value={typed}
            error={gateError}
            hint="Above 20 recipients, the exact number is typed so that nobody sends to more people than they meant to."
            onChange={(e) => {
              setTyped(e.target.value);
              if (create.error) create.reset();
            }}
          />
        ) : null}
        <p className="wizard-note" id={hintId}>
          Once started, the job can be paused or cancelled from its page; messages already sent cannot be recalled.
        </p>
        <div ref={errorBox} tabIndex={-1} className="form__error">
          {create.error && confirmationCountOf(create.error) === null && !(create.error instanceof ApiError && create.error.code === 'CONFIRMATION_REQUIRED') ? (
            <Alert title="The job was not started.">
              <p>{createErrorText(create.error)}</p>
              {fieldStep || tierRefused ? (
                <p>
                  <Button variant="secondary" onClick={() => onGo(fieldStep ?? 'recipients')}>
                    Go to {STEP_TITLE[fieldStep ?? 'recipients']}
                  </Button>
                </p>
              ) : null}
            </Alert>
          ) : null}
        </div>
      </StepFrame>
    </form>
  );
}
