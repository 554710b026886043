// How the console names a contact wherever it shows one (contact list and page, inbox, conversation):
// the name, else the phone, else the email, else — for someone who wrote in on WhatsApp without
// showing a number — "WhatsApp user". One rule, so the same person is called the same everywhere.

export interface NamedContact {
  name?: string | undefined;
  phone?: string | undefined;
  email?: string | undefined;
  whatsappUserId?: string | undefined;
}

export function contactDisplayName(contact: NamedContact): string {
  return contact.name ?? contact.phone ?? contact.email ?? (contact.whatsappUserId ? 'WhatsApp user' : 'Unnamed contact');
}
