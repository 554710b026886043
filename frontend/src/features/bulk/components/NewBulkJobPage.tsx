// A new bulk job in five steps: channel and sender, the message, the recipients, the preview (who
// is eligible, who is left out and why, how long it takes), and confirm — typing the exact count
// above 20 recipients. Earlier steps can be revisited from the step list; nothing is written until
// Start, which carries one Idempotency-Key for the whole run of the wizard.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { Alert } from '@/components/Alert';
import { Button } from '@/components/Button';
import { NoAccess } from '@/components/NoAccess';
import { PageHeader } from '@/components/PageHeader';
import { usePageTitle } from '@/hooks/use-page-title';
import { useCan } from '@/lib/authorization';
import { newIdempotencyKey } from '@/lib/idempotency';
import type { Preview } from '../api/preview';
import { ConfirmStep } from './ConfirmStep';
import { ContentStep } from './ContentStep';
import { PreviewStep } from './PreviewStep';
import { RecipientsStep } from './RecipientsStep';
import { SenderStep } from './SenderStep';
import { initialDraft, isComplete, requestOf, STEP_TITLE, stepErrors, STEPS, type Draft, type Step } from './wizard';

export interface StepProps {
  draft: Draft;
  update: (change: (draft: Draft) => Draft) => void;
  /** Whether to show what is missing (after Continue was pressed once). */
  showErrors: boolean;
}

function StepList({ current, onGo }: { current: Step; onGo: (step: Step) => void }) {
  const index = STEPS.indexOf(current);
  return (
    <nav aria-label="Steps" className="wizard-steps">
      <ol>
        {STEPS.map((step, i) => (
          <li key={step} className={`wizard-steps__item${i === index ? ' wizard-steps__item--current' : i < index ? ' wizard-steps__item--done' : ''}`}>
            {i < index ? (
              <button type="button" className="wizard-steps__link" onClick={() => onGo(step)}>
                <span className="wizard-steps__number" aria-hidden="true">
                  {i + 1}
                </span>
                {STEP_TITLE[step]}
                <span className="visually-hidden"> (done)</span>
              </button>
            ) : (
              <span className="wizard-steps__label" aria-current={i === index ? 'step' : undefined}>
                <span className="wizard-steps__number" aria-hidden="true">
                  {i + 1}
                </span>
                {STEP_TITLE[step]}
              </span>
            )}
          </li>
        ))}
      </ol>
    </nav>
  );
}

/** The frame of one step: its heading (focused when the step opens), its body, its buttons. */
export function StepFrame({ step, children, actions }: { step: Step; children: ReactNode; actions: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  const first = useRef(true);
  useEffect(() => {
    // Not on the first step's first render: the page's own heading is where a reader starts.
    if (first.current && step === 'sender') {
      first.current = false;
      return;
    }
    first.current = false;
    heading.current?.focus();
  }, [step]);
  const number = STEPS.indexOf(step) + 1;
  return (
    <section className="wizard-step" aria-labelledby={`step-${step}`}>
      <h2 className="wizard-step__title" id={`step-${step}`} ref={heading} tabIndex={-1}>
        <span className="muted">
          Step {number} of {STEPS.length}:
        </span>{' '}
        {STEP_TITLE[step]}
      </h2>
      {children}
      <div className="wizard-step__actions">{actions}</div>
    </section>
  );
}

export function NewBulkJobPage() {
  usePageTitle('New bulk job');
  const canManage = useCan('manageBulk');
  const [draft, setDraft] = useState<Draft>(initialDraft);
  const [step, setStep] = useState<Step>('sender');
  const [attempted, setAttempted] = useState<Partial<Record<Step, boolean>>>({});
  /** The preview the operator moved on from: its eligible count is the one to confirm. */
  const [accepted, setAccepted] = useState<Preview | null>(null);
  /** Said on the preview when Start found the count had changed. */
  const [recount, setRecount] = useState<string | null>(null);
  // One per run of the wizard: a double click, or Start again after no answer, makes one job.
  const [idempotencyKey] = useState(newIdempotencyKey);
  const errorSummary = useRef<HTMLDivElement>(null);

  if (!canManage) return <NoAccess what="create bulk jobs" />;

  const request = requestOf(draft);
  const index = STEPS.indexOf(step);
  const errors = stepErrors(draft, step);
  const update = setDraft;
  const go = (to: Step) => setStep(to);
  const next = () => {
    if (!isComplete(errors)) {
      setAttempted((a) => ({ ...a, [step]: true }));
      // Let the summary render, then take the reader there.
      setTimeout(() => errorSummary.current?.focus(), 0);
      return;
    }
    const following = STEPS[index + 1];
    if (following) go(following);
  };
  const back = () => {
    const previous = STEPS[index - 1];
    if (previous) go(previous);
  };
  const props: StepProps = { draft, update, showErrors: attempted[step] === true };
  const messages = Object.values(errors).filter((m): m is string => Boolean(m));

  const navigation = (
    <>
      {index > 0 ? (
        <Button variant="secondary" onClick={back}>
          Back
        </Button>
      ) : (
        <Link className="button button--secondary" to="/bulk">
          Cancel
        </Link>
      )}
      <Button onClick={next}>Continue</Button>
    </>
  );
  const summary =
    attempted[step] && messages.length > 0 ? (
      <div ref={errorSummary} tabIndex={-1} className="form__error">
        <Alert title="Before you continue:">
          <ul className="error-list">
            {messages.map((m) => (
              <li key={m}>{m}</li>
            ))}
          </ul>
        </Alert>
      </div>
    ) : null;

  const body = () => {
    switch (step) {
      case 'sender':
        return (
          <StepFrame step={step} actions={navigation}>
            {summary}
            <SenderStep {...props} />
          </StepFrame>
        );
      case 'content':
        return (
          <StepFrame step={step} actions={navigation}>
            {summary}
            <ContentStep {...props} />
          </StepFrame>
        );
      case 'recipients':
        return (
          <StepFrame step={step} actions={navigation}>
            {summary}
            <RecipientsStep {...props} />
          </StepFrame>
        );
      case 'preview':
        return (
          <PreviewStep
            request={request}
            draft={draft}
            recount={recount}
            onBack={back}
            onGo={go}
            onContinue={(preview) => {
              setAccepted(preview);
              setRecount(null);
              go('confirm');
            }}
          />
        );
      case 'confirm':
        return request && accepted ? (
          <ConfirmStep
            draft={draft}
            request={request}
            preview={accepted}
            idempotencyKey={idempotencyKey}
            onBack={back}
            onGo={go}
            onRecount={(message) => {
              setRecount(message);
              setAccepted(null);
              go('preview');
            }}
          />
        ) : (
          <StepFrame step={step} actions={navigation}>
            <Alert tone="info">Look at the preview first.</Alert>
          </StepFrame>
        );
    }
  };

  return (
    <>
      <Link className="back-link" to="/bulk">
        ← All bulk jobs
      </Link>
      <PageHeader title="New bulk job" />
      <StepList current={step} onGo={go} />
      {body()}
    </>
  );
}
