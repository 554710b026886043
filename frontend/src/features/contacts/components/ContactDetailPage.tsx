import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { Alert } from '@/components/Alert';
import { Button, ButtonLink } from '@/components/Button';
import { ConfirmDialog } from '@/components/ConfirmDialog';
import { PageHeader } from '@/components/PageHeader';
import { Skeleton } from '@/components/Skeleton';
import { useFlashNotice, type FlashState } from '@/hooks/use-flash-notice';
import { usePageTitle } from '@/hooks/use-page-title';
import { ApiError, describeError } from '@/lib/api-error';
import { useCan } from '@/lib/authorization';
import { formatDateTime } from '@/utils/format';
import type { Contact } from '../api/contact';
import { useDeleteContact } from '../api/delete-contact';
import { useContact } from '../api/get-contact';
import { ConsentPanel } from './ConsentPanel';
import { displayName } from './contact-text';

function BackLink() {
  return (
    <Link className="back-link" to="/contacts">
      ← All contacts
    </Link>
  );
}

function DetailSkeleton() {
  return (
    <div aria-hidden="true">
      <div className="page-header">
        <div className="page-header__row">
          <Skeleton width="14em" height="2rem" />
        </div>
      </div>
      <div className="panel">
        {[0, 1, 2].map((i) => (
          <p key={i} className="detail-skeleton-row">
            <Skeleton width="30%" height="1em" />
          </p>
        ))}
      </div>
      <div className="panel">
        <Skeleton width="8em" height="1.4em" />
        {[0, 1, 2].map((i) => (
          <p key={i} className="detail-skeleton-row">
            <Skeleton width="60%" height="1em" />
          </p>
        ))}
      </div>
    </div>
  );
}

function Details({ contact }: { contact: Contact }) {
  const rows: [string, string | undefined][] = [
    ['Phone', contact.phone],
    ['Email', contact.email],
    // Only for someone who wrote in on WhatsApp without showing a number: replies go to this id.
    ...(contact.whatsappUserId && !contact.phone
      ? [['WhatsApp user id', contact.whatsappUserId] satisfies [string, string]]
      : []),
  ];
  return (
    <section className="panel" aria-label="Details">
      <dl className="details">
        {rows.map(([label, value]) => (
          <div key={label} className="details__row">
            <dt>{label}</dt>
            <dd>{value ?? <span className="muted">—</span>}</dd>
          </div>
        ))}
        <div className="details__row">
          <dt>Last inbound message</dt>
          <dd>
            {contact.lastInboundMessageAt ? (
              <time dateTime={contact.lastInboundMessageAt}>{formatDateTime(contact.lastInboundMessageAt)}</time>
            ) : (
              <span className="muted">None</span>
            )}
          </dd>
        </div>
        <div className="details__row">
          <dt>Created</dt>
          <dd>
            <time dateTime={contact.createdAt}>{formatDateTime(contact.createdAt)}</time>
          </dd>
        </div>
        <div className="details__row">
          <dt>Updated</dt>
          <dd>
            <time dateTime={contact.updatedAt}>{formatDateTime(contact.updatedAt)}</time>
          </dd>
        </div>
      </dl>
    </section>
  );
}

export function ContactDetailPage() {
  const { contactId = '' } = useParams();
  const navigate = useNavigate();
  const canWrite = useCan('writeContacts');
  const canReadMessages = useCan('readMessages');
  const notice = useFlashNotice();
  const remove = useDeleteContact();
  const [confirming, setConfirming] = useState(false);
  // Once deleted, stop asking for it (it would answer 404 while we navigate away).
  const contact = useContact(contactId, { enabled: !remove.isPending && !remove.isSuccess });
  usePageTitle(contact.data ? displayName(contact.data) : 'Contact');

  if (contact.isPending) {
    return (
      <>
        <BackLink />
        <DetailSkeleton />
      </>
    );
  }
  if (contact.isError && !contact.data) {
    const notFound = contact.error instanceof ApiError && contact.error.code === 'NOT_FOUND';
    return (
      <>
        <BackLink />
        <PageHeader title={notFound ? 'Contact not found' : 'Contact'} />
        <Alert tone={notFound ? 'info' : 'error'}>
          {notFound ? 'This contact does not exist or was deleted.' : describeError(contact.error)}
        </Alert>
      </>
    );
  }
  const data = contact.data;
  const name = displayName(data);

  return (
    <>
      <BackLink />
      <PageHeader
        title={name}
        actions={
          canWrite || canReadMessages ? (
            <>
              {canReadMessages ? (
                // A plain path: the conversation is another feature's page.
                <ButtonLink variant="secondary" to={`/conversations/${encodeURIComponent(data.contactId)}`}>
                  Conversation
                </ButtonLink>
              ) : null}
              {canWrite ? (
                <>
                  <ButtonLink variant="secondary" to={`/contacts/${encodeURIComponent(data.contactId)}/edit`}>
                    Edit
                  </ButtonLink>
                  <Button variant="danger" onClick={() => setConfirming(true)}>
                    Delete
                  </Button>
                </>
              ) : null}
            </>
          ) : null
        }
      />
      {notice ? <Alert tone="success">{notice}</Alert> : null}
      <div className="detail-grid">
        <Details contact={data} />
        <ConsentPanel contact={data} canWrite={canWrite} />
      </div>
      {canWrite ? (
        <ConfirmDialog
          open={confirming}
          title="Delete this contact?"
          confirmLabel="Delete contact"
          busy={remove.isPending}
          error={remove.error ? <Alert>{describeError(remove.error)}</Alert> : null}
          onCancel={() => {
            setConfirming(false);
            remove.reset();
          }}
          onConfirm={() =>
            remove.mutate(data.contactId, {
              onSuccess: () =>
                void navigate('/contacts', { replace: true, state: { notice: `${name} was deleted.` } satisfies FlashState }),
            })
          }
        >
          <p>
            {name} will disappear from the contact list and search. Their consent history is kept for the
            record.
          </p>
        </ConfirmDialog>
      ) : null}
    </>
  );
}
