import { useNavigate } from 'react-router';
import { NoAccess } from '@/components/NoAccess';
import { PageHeader } from '@/components/PageHeader';
import type { FlashState } from '@/hooks/use-flash-notice';
import { usePageTitle } from '@/hooks/use-page-title';
import { useCan } from '@/lib/authorization';
import { useCreateContact, type CreateContactInput } from '../api/create-contact';
import { ContactForm, emptyContactForm, type ContactFormValues } from './ContactForm';

/** What POST /contacts gets: blank fields are left out, opt-ins always sent. */
export function toCreateInput(values: ContactFormValues): CreateContactInput {
  const input: CreateContactInput = {
    optInWhatsApp: values.optInWhatsApp,
    optInSms: values.optInSms,
    optInEmail: values.optInEmail,
  };
  const name = values.name.trim();
  const phone = values.phone.trim();
  const email = values.email.trim();
  if (name) input.name = name;
  if (phone) input.phone = phone;
  if (email) input.email = email;
  return input;
}

export function NewContactPage() {
  usePageTitle('New contact');
  const canWrite = useCan('writeContacts');
  const navigate = useNavigate();
  const create = useCreateContact();
  if (!canWrite) return <NoAccess what="create contacts" />;
  return (
    <>
      <PageHeader title="New contact" />
      <ContactForm
        initial={emptyContactForm}
        withOptIns
        submitLabel="Create contact"
        cancelTo="/contacts"
        pending={create.isPending}
        error={create.error}
        onSubmit={(values) =>
          create.mutate(toCreateInput(values), {
            onSuccess: (contact) =>
              void navigate(`/contacts/${encodeURIComponent(contact.contactId)}`, {
                replace: true,
                state: { notice: 'Contact created.' } satisfies FlashState,
              }),
          })
        }
      />
    </>
  );
}
