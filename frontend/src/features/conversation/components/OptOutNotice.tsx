// "This may be an opt-out request: record it?" — asked when the customer's latest message (or the
// newest draft's) reads like a request to stop messages without being a STOP keyword, and they
// are still opted in on its channel. Recording it is one click, then a confirmation; nothing is
// ever recorded on its own. "Not an opt-out" sets the question aside for this message.
import { useEffect, useRef, useState } from 'react';
import { Alert } from '@/components/Alert';
import { Button } from '@/components/Button';
import { channelName } from '@/components/ChannelIcon';
import { ConfirmDialog } from '@/components/ConfirmDialog';
import { describeError } from '@/lib/api-error';
import type { ConversationContact } from '../api/get-contact';
import type { Channel } from '../api/message';
import { useRecordOptOut } from '../api/record-opt-out';
import type { OptOutCandidate } from './opt-out';

const optInField = { whatsapp: 'optInWhatsApp', sms: 'optInSms', email: 'optInEmail' } as const satisfies Record<Channel, keyof ConversationContact>;

export function OptOutNotice({ contact, contactName, candidate }: { contact: ConversationContact; contactName: string; candidate: OptOutCandidate | null }) {
  const record = useRecordOptOut(contact.contactId);
  const [dismissed, setDismissed] = useState<ReadonlySet<string>>(() => new Set());
  const [confirming, setConfirming] = useState(false);
  const [recorded, setRecorded] = useState<Channel | null>(null);
  const doneBox = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (recorded) doneBox.current?.focus();
  }, [recorded]);

  const done = recorded ? (
    <div ref={doneBox} tabIndex={-1} className="opt-out-notice">
      <Alert tone="success">
        Opt-out recorded: {contactName} will get no more {channelName[recorded]} messages until they opt in again. It is in the contact’s consent
        history.
      </Alert>
    </div>
  ) : null;

  const asking = candidate !== null && !dismissed.has(candidate.key) && contact[optInField[candidate.channel]];
  if (!asking) return done;
  const channel = channelName[candidate.channel];
  const confirm = () =>
    record.mutate(candidate.channel, {
      onSuccess: () => {
        setConfirming(false);
        setRecorded(candidate.channel);
      },
    });

  return (
    <>
      {done}
      <div className="opt-out-notice">
        <Alert tone="info" title="This may be an opt-out request: record it?">
          <p>
            {candidate.quote ? `${contactName} wrote “${candidate.quote}”. ` : ''}
            It reads like a request to stop {channel} messages but is not a STOP keyword, so their consent has not changed. If it is one,
            record the opt-out.
          </p>
          <div className="inline-actions">
            <Button
              variant="secondary"
              onClick={() => {
                record.reset();
                setRecorded(null);
                setConfirming(true);
              }}
            >
              Record opt-out…
            </Button>
            <Button variant="ghost" onClick={() => setDismissed(new Set([...dismissed, candidate.key]))}>
              Not an opt-out
            </Button>
          </div>
        </Alert>
        <ConfirmDialog
          open={confirming}
          title={`Opt ${contactName} out of ${channel}?`}
          confirmLabel="Record opt-out"
          onConfirm={confirm}
          onCancel={() => setConfirming(false)}
          busy={record.isPending}
          error={record.error ? <Alert>The opt-out was not recorded: {describeError(record.error)}</Alert> : undefined}
        >
          <p>
            Nothing more can be sent to {contactName} on {channel} until they opt in again. The change is recorded with your name in their consent
            history.
          </p>
        </ConfirmDialog>
      </div>
    </>
  );
}
