// The Agent page (Operators, Admins): ask the knowledge base what the business knows — opening
// hours, prices, policies — and read the answer with a marker per source (each opens the passage,
// its file and its relevance). The questions asked on this page stay listed, newest first, until
// it is left. Asking takes a few seconds: the page says it is searching, and for how long.
import { useEffect, useId, useRef, useState, type KeyboardEvent, type SubmitEvent } from 'react';
import { Alert } from '@/components/Alert';
import { Button } from '@/components/Button';
import { CitedText } from '@/components/citations/CitedText';
import { NoAccess } from '@/components/NoAccess';
import { PageHeader } from '@/components/PageHeader';
import { TextArea } from '@/components/TextArea';
import { useNow } from '@/hooks/use-now';
import { usePageTitle } from '@/hooks/use-page-title';
import { useCan } from '@/lib/authorization';
import { formatTime } from '@/utils/format';
import { QUESTION_MAX, useAskKnowledgeBase, type Answer } from '../api/ask';
import { AgentTabs } from './AgentTabs';
import { describeAskError, formatLatency } from './agent-text';
import './agent.css';

interface Asked {
  question: string;
  answer: Answer;
  /** When the answer came, epoch ms. */
  at: string;
}

function characters(text: string): number {
  return Array.from(text).length;
}

function Searching() {
  const [started] = useState(() => Date.now());
  const now = useNow(1_000);
  const elapsed = Math.max(0, Math.round((now - started) / 1000));
  return (
    <>
      Searching the knowledge base…
      {elapsed >= 2 ? <span className="agent-elapsed"> {elapsed} s</span> : null}
    </>
  );
}

function AskedEntry({ asked }: { asked: Asked }) {
  const titleId = useId();
  const { answer } = asked;
  const sources = answer.citations.length;
  return (
    <article className="agent-answer" aria-labelledby={titleId}>
      <h3 className="agent-answer__question" id={titleId}>
        {asked.question}
      </h3>
      <CitedText text={answer.answer} citations={answer.citations} label="Answer" />
      <p className="agent-answer__meta muted">
        Answered at <time dateTime={asked.at}>{formatTime(asked.at)}</time> in {formatLatency(answer.latencyMs)} ·{' '}
        {sources === 0 ? 'no source in the knowledge base supports it' : sources === 1 ? '1 source' : `${sources} sources`}
      </p>
    </article>
  );
}

function Ask() {
  const ask = useAskKnowledgeBase();
  const [question, setQuestion] = useState('');
  const [checked, setChecked] = useState(false);
  const [history, setHistory] = useState<Asked[]>([]);
  const errorBox = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (ask.error) errorBox.current?.focus();
  }, [ask.error]);

  const text = question.trim();
  const problem = !text
    ? 'Write a question first.'
    : characters(text) > QUESTION_MAX
      ? `Shorten the question to ${QUESTION_MAX} characters.`
      : null;

  const submit = () => {
    setChecked(true);
    if (problem || ask.isPending) return;
    ask.mutate(
      { question: text },
      {
        onSuccess: (answer) => {
          setHistory((earlier) => [{ question: text, answer, at: new Date().toISOString() }, ...earlier]);
          setQuestion('');
          setChecked(false);
        },
      },
    );
  };
  const onSubmit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    submit();
  };
  // Enter asks; Shift+Enter starts a new line.
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      submit();
    }
  };

  return (
    <>
      <form className="agent-ask" noValidate onSubmit={onSubmit} aria-label="Ask the knowledge base" aria-busy={ask.isPending || undefined}>
        <TextArea
          label="Your question"
          name="question"
          rows={3}
          value={question}
          onChange={(e) => {
            setQuestion(e.target.value);
            if (ask.error) ask.reset();
          }}
          onKeyDown={onKeyDown}
          hint={`For example: “What is your returns policy?” Enter asks, Shift+Enter starts a new line. ${characters(text)} / ${QUESTION_MAX} characters`}
          error={checked && problem ? problem : undefined}
        />
        <div className="form__actions">
          <Button type="submit" busy={ask.isPending}>
            {ask.isPending ? 'Asking…' : 'Ask'}
          </Button>
        </div>
        <p className="agent-progress" role="status">
          {ask.isPending ? <Searching /> : history.length > 0 && ask.isSuccess ? 'Answered: the answer is below.' : ''}
        </p>
        {ask.error ? (
          <div ref={errorBox} tabIndex={-1} className="form__error">
            <Alert title="No answer">
              <p>{describeAskError(ask.error)}</p>
            </Alert>
          </div>
        ) : null}
      </form>
      <section className="agent-history" aria-labelledby="agent-history-title">
        <h2 id="agent-history-title" className="agent-history__title">
          Asked on this page
        </h2>
        {history.length === 0 ? (
          <p className="muted">Nothing yet. Your questions and their answers stay here, newest first, until you leave the page.</p>
        ) : (
          <ol className="agent-history__list" aria-label="Questions, newest first">
            {history.map((asked) => (
              <li key={asked.answer.interactionId}>
                <AskedEntry asked={asked} />
              </li>
            ))}
          </ol>
        )}
      </section>
    </>
  );
}

export function AskPage() {
  usePageTitle('Agent');
  const allowed = useCan('useAi');
  if (!allowed) return <NoAccess what="ask the knowledge base" />;
  return (
    <>
      <PageHeader title="Agent">
        <p className="muted">Ask the knowledge base what the business knows. Every answer shows the sources it rests on.</p>
      </PageHeader>
      <AgentTabs />
      <Ask />
    </>
  );
}
