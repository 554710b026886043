import { useNavigate, useParams } from 'react-router';
import { Alert } from '@/components/Alert';
import { NoAccess } from '@/components/NoAccess';
import { PageHeader } from '@/components/PageHeader';
import { Skeleton } from '@/components/Skeleton';
import type { FlashState } from '@/hooks/use-flash-notice';
import { usePageTitle } from '@/hooks/use-page-title';
import { describeError } from '@/lib/api-error';
import { useCan } from '@/lib/authorization';
import type { Contact } from '../api/contact';
import { useContact } from '../api/get-contact';
import { useUpdateContact, type UpdateContactInput } from '../api/update-contact';
import { ContactForm, emptyContactForm, type ContactFormValues } from './ContactForm';

/** What PATCH gets: only the fields that changed; a field emptied is `null` (cleared). */
export function toUpdateInput(contact: Contact, values: ContactFormValues): UpdateContactInput {
  const input: UpdateContactInput = {};
  for (const field of ['name', 'phone', 'email'] as const) {
    const before = contact[field] ?? '';
    const after = values[field].trim();
    if (after !== before) input[field] = after === '' ? null : after;
  }
  return input;
}

function EditForm({ contact }: { contact: Contact }) {
  const navigate = useNavigate();
  const update = useUpdateContact(contact.contactId);
  const detailPath = `/contacts/${encodeURIComponent(contact.contactId)}`;
  const done = (notice: string) => void navigate(detailPath, { replace: true, state: { notice } satisfies FlashState });
  return (
    <ContactForm
      initial={{ ...emptyContactForm, name: contact.name ?? '', phone: contact.phone ?? '', email: contact.email ?? '' }}
      withOptIns={false}
      submitLabel="Save changes"
      cancelTo={detailPath}
      pending={update.isPending}
      error={update.error}
      onSubmit={(values) => {
        const input = toUpdateInput(contact, values);
        if (Object.keys(input).length === 0) done('Nothing changed.');
        else update.mutate(input, { onSuccess: () => done('Changes saved.') });
      }}
    />
  );
}

export function EditContactPage() {
  const { contactId = '' } = useParams();
  const canWrite = useCan('writeContacts');
  const contact = useContact(contactId, { enabled: canWrite });
  usePageTitle('Edit contact');
  if (!canWrite) return <NoAccess what="edit contacts" />;
  return (
    <>
      <PageHeader title="Edit contact" />
      {contact.isPending ? (
        <div aria-hidden="true" className="form">
          {[0, 1, 2].map((i) => (
            <div key={i} className="field">
              <Skeleton width="4em" height="1em" />
              <Skeleton height="2.75rem" />
            </div>
          ))}
        </div>
      ) : contact.data ? (
        // A background refresh of the contact does not reset what is being typed.
        <EditForm key={contact.data.contactId} contact={contact.data} />
      ) : (
        <Alert>{describeError(contact.error)}</Alert>
      )}
    </>
  );
}
