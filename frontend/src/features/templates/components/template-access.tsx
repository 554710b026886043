// Who may do what on the Templates pages (the API checks the same): every role reads the
// catalogue and its usage; Operators and Admins sync it; only Admins create, copy from the library
// and delete.
import { useSearchParams } from 'react-router';
import { SelectField } from '@/components/SelectField';
import { useCurrentUser } from '@/lib/authorization';
import { sendersOn, useSenders } from '@/lib/senders';

export function useTemplateAccess(): { isAdmin: boolean; canSync: boolean } {
  const { role } = useCurrentUser();
  return { isAdmin: role === 'Admin', canSync: role === 'Admin' || role === 'Operator' };
}

/**
 * The WhatsApp number whose business account the pages show (`?sender=`; none = the default), and
 * a select to change it when the organisation has several.
 */
export function useTemplateSender() {
  const [params, setParams] = useSearchParams();
  const senders = useSenders();
  const numbers = senders.data ? sendersOn(senders.data, 'whatsapp') : [];
  const sender = params.get('sender') || undefined;
  const select =
    numbers.length > 1 ? (
      <SelectField
        label="WhatsApp number"
        className="templates-sender"
        value={sender ?? numbers[0]?.senderId ?? ''}
        hint="Templates belong to the number’s WhatsApp Business Account."
        options={numbers.map((s) => ({ value: s.senderId, label: `${s.label.trim() || s.senderId}${s.default === true ? ' (default)' : ''}` }))}
        onChange={(e) => {
          const next = new URLSearchParams();
          next.set('sender', e.target.value);
          setParams(next, { replace: true });
        }}
      />
    ) : null;
  /** `?sender=…` to carry to the other template pages. */
  const search = sender ? `?${new URLSearchParams({ sender }).toString()}` : '';
  return { sender, select, search };
}

/** The languages offered when a template is made (WhatsApp supports more: "Another language" takes any code). */
export const LANGUAGES: { value: string; label: string }[] = [
  { value: 'en_US', label: 'English (US) · en_US' },
  { value: 'en_GB', label: 'English (UK) · en_GB' },
  { value: 'en', label: 'English · en' },
  { value: 'hi', label: 'Hindi · hi' },
  { value: 'bn', label: 'Bengali · bn' },
  { value: 'gu', label: 'Gujarati · gu' },
  { value: 'kn', label: 'Kannada · kn' },
  { value: 'ml', label: 'Malayalam · ml' },
  { value: 'mr', label: 'Marathi · mr' },
  { value: 'pa', label: 'Punjabi · pa' },
  { value: 'ta', label: 'Tamil · ta' },
  { value: 'te', label: 'Telugu · te' },
  { value: 'ur', label: 'Urdu · ur' },
  { value: 'ar', label: 'Arabic · ar' },
  { value: 'es', label: 'Spanish · es' },
  { value: 'fr', label: 'French · fr' },
  { value: 'de', label: 'German · de' },
  { value: 'id', label: 'Indonesian · id' },
  { value: 'pt_BR', label: 'Portuguese (Brazil) · pt_BR' },
];

export const OTHER_LANGUAGE = 'other';
