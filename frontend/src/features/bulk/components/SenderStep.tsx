// Step 1: the channel, and which of the organisation's numbers or addresses the messages come from
// (its default preselected); a channel without a sender is offered but locked, with whom to ask.
import { useEffect } from 'react';
import { Alert } from '@/components/Alert';
import { Button } from '@/components/Button';
import { ChannelIcon, channelName } from '@/components/ChannelIcon';
import { ChoiceGroup } from '@/components/ChoiceGroup';
import { SelectField } from '@/components/SelectField';
import { Skeleton } from '@/components/Skeleton';
import { TextField } from '@/components/TextField';
import { describeError } from '@/lib/api-error';
import { sendersOn, useSenders, type Sender } from '@/lib/senders';
import { bulkChannels, type BulkChannel } from '../api/bulk-job';
import { formatRate } from './bulk-text';
import type { StepProps } from './NewBulkJobPage';
import { NAME_LIMIT, withSender } from './wizard';

const NO_SENDER: Record<BulkChannel, string> = {
  whatsapp: 'No WhatsApp number is set up for your organisation; ask an Admin to add one.',
  sms: 'No SMS number or sender ID is set up for your organisation; ask an Admin to add one.',
  email: 'No email sender address is set up for your organisation; ask an Admin to add one.',
};

function senderLabel(s: Sender): string {
  return s.label.trim() || s.senderId;
}

export function SenderStep({ draft, update, showErrors }: StepProps) {
  const senders = useSenders();
  const all = senders.data;
  const available = all ? bulkChannels.filter((c) => sendersOn(all, c).length > 0) : [];

  // Preselect: the first channel that has a sender, and that channel's default sender.
  useEffect(() => {
    if (!all) return;
    update((d) => {
      const channel = d.channel ?? bulkChannels.find((c) => sendersOn(all, c).length > 0) ?? null;
      if (!channel) return d;
      const choices = sendersOn(all, channel);
      const sender = choices.some((s) => s.senderId === d.sender) ? d.sender : (choices[0]?.senderId ?? null);
      return withSender(d, channel, sender);
    });
  }, [all, update]);

  const nameField = (
    <TextField
      label="Name (optional)"
      name="jobName"
      autoComplete="off"
      hint="For you and your team, e.g. “Diwali offer”; recipients do not see it."
      value={draft.name}
      maxLength={NAME_LIMIT + 20}
      error={showErrors ? draft.name.trim().length > NAME_LIMIT && `Shorten the name to ${NAME_LIMIT} characters or fewer.` : undefined}
      onChange={(e) => update((d) => ({ ...d, name: e.target.value }))}
    />
  );

  if (senders.isPending) {
    return (
      <div aria-hidden="true" className="wizard-skeleton">
        <Skeleton width="20em" height="2.75rem" />
        <Skeleton width="16em" height="2.75rem" />
      </div>
    );
  }
  if (senders.isError || !all) {
    return (
      <Alert title="Your organisation’s senders could not be loaded.">
        <p>{describeError(senders.error)} A bulk job needs to know who it is sent from.</p>
        <Button variant="secondary" onClick={() => void senders.refetch()} busy={senders.isFetching}>
          {senders.isFetching ? 'Loading…' : 'Try again'}
        </Button>
      </Alert>
    );
  }
  if (available.length === 0) {
    return <Alert tone="info">Your organisation has no sender on any channel yet; ask an Admin to add one.</Alert>;
  }

  const channel = draft.channel;
  const choices = channel ? sendersOn(all, channel) : [];
  const chosen = choices.find((s) => s.senderId === draft.sender);
  return (
    <div className="wizard-fields">
      {nameField}
      <ChoiceGroup
        legend="Channel"
        name="channel"
        value={channel ?? 'whatsapp'}
        onChange={(c) => update((d) => withSender(d, c, sendersOn(all, c)[0]?.senderId ?? null))}
        choices={bulkChannels.map((c) => ({
          value: c,
          label: channelName[c],
          icon: <ChannelIcon channel={c} decorative />,
          disabled: !available.includes(c),
        }))}
      />
      {bulkChannels
        .filter((c) => !available.includes(c))
        .map((c) => (
          <p key={c} className="muted">
            {NO_SENDER[c]}
          </p>
        ))}
      {channel && choices.length > 1 ? (
        <SelectField
          label="From"
          name="sender"
          value={draft.sender ?? ''}
          onChange={(e) => {
            const sender = e.target.value;
            update((d) => (d.channel ? withSender(d, d.channel, sender) : d));
          }}
          options={choices.map((s) => ({ value: s.senderId, label: `${senderLabel(s)}${s.default === true ? ' (default)' : ''}` }))}
        />
      ) : null}
      {chosen ? (
        <p className="wizard-note">
          Messages come from <strong>{senderLabel(chosen)}</strong>
          {chosen.ratePerSecond ? `, at up to ${formatRate(chosen.ratePerSecond)}` : ''}.
        </p>
      ) : null}
    </div>
  );
}
