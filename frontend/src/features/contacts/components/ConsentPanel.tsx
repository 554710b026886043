// Per-channel consent: a switch per channel for those who may change it (a plain status for
// Viewers), the latest change — who, when and how — and the channel's full history.
import { useState } from 'react';
import { Alert } from '@/components/Alert';
import { Switch } from '@/components/Switch';
import { describeError } from '@/lib/api-error';
import { useCurrentUser } from '@/lib/authorization';
import { formatDateTime } from '@/utils/format';
import { channels, optInField, type Channel, type ConsentChange, type Contact } from '../api/contact';
import { useUpdateContact } from '../api/update-contact';
import { channelLabel, consentActor, consentChanges, consentSource } from './contact-text';

function ChangeText({ change, userId }: { change: ConsentChange; userId: string }) {
  return (
    <>
      {change.optedIn ? 'Opted in' : 'Opted out'} by {consentActor(change, userId)} on{' '}
      <time dateTime={change.at}>{formatDateTime(change.at)}</time> · {consentSource(change)}
    </>
  );
}

function ChannelConsent({
  contact,
  channel,
  canWrite,
  pending,
  locked,
  onToggle,
}: {
  contact: Contact;
  channel: Channel;
  canWrite: boolean;
  /** This channel's change is being saved. */
  pending: boolean;
  /** Another channel's change is being saved: one change at a time. */
  locked: boolean;
  onToggle: (channel: Channel, optedIn: boolean) => void;
}) {
  const { userId } = useCurrentUser();
  const optedIn = contact[optInField[channel]];
  const changes = consentChanges(contact, channel);
  const [latest, ...earlier] = changes;
  const label = channelLabel[channel];
  return (
    <li className="consent">
      <div className="consent__row">
        <span className="consent__channel" id={`consent-${channel}`}>
          {label}
        </span>
        {canWrite ? (
          <span className="consent__control">
            <span className="consent__state" aria-hidden="true">
              {optedIn ? 'Opted in' : 'Not opted in'}
            </span>
            <Switch
              checked={optedIn}
              label={`${label} opt-in`}
              busy={pending}
              disabled={locked}
              onChange={(checked) => onToggle(channel, checked)}
            />
          </span>
        ) : (
          <span className={optedIn ? 'consent__state consent__state--on' : 'consent__state'}>
            {optedIn ? 'Opted in' : 'Not opted in'}
          </span>
        )}
      </div>
      <p className="consent__latest">
        {latest ? <ChangeText change={latest} userId={userId} /> : 'No consent recorded'}
      </p>
      {earlier.length > 0 ? (
        <details className="consent__history">
          <summary>
            Earlier changes ({earlier.length})<span className="visually-hidden"> for {label}</span>
          </summary>
          <ol>
            {earlier.map((change) => (
              <li key={`${change.at}-${String(change.optedIn)}`}>
                <ChangeText change={change} userId={userId} />
              </li>
            ))}
          </ol>
        </details>
      ) : null}
    </li>
  );
}

export function ConsentPanel({ contact, canWrite }: { contact: Contact; canWrite: boolean }) {
  const update = useUpdateContact(contact.contactId);
  const [pendingChannel, setPendingChannel] = useState<Channel | null>(null);

  const toggle = (channel: Channel, optedIn: boolean) => {
    setPendingChannel(channel);
    update.mutate({ [optInField[channel]]: optedIn }, { onSettled: () => setPendingChannel(null) });
  };

  return (
    <section className="panel" aria-labelledby="consent-heading">
      <h2 id="consent-heading" className="panel__title">
        Consent
      </h2>
      <ul className="consent-list">
        {channels.map((channel) => (
          <ChannelConsent
            key={channel}
            contact={contact}
            channel={channel}
            canWrite={canWrite}
            pending={pendingChannel === channel}
            locked={pendingChannel !== null && pendingChannel !== channel}
            onToggle={toggle}
          />
        ))}
      </ul>
      {update.error ? <Alert>The consent could not be changed: {describeError(update.error)}</Alert> : null}
    </section>
  );
}
