// The templates feature's query keys. The catalogue itself is shared (the template picker reads it
// too): its key is `templateKeys` in lib/whatsapp-templates, which every write here refreshes.
export const templatesFeatureKeys = {
  all: ['templates-feature'] as const,
  library: (sender: string | undefined, q: string) => [...templatesFeatureKeys.all, 'library', sender ?? 'default', q] as const,
  usage: (sender: string | undefined, days: number) => [...templatesFeatureKeys.all, 'usage', sender ?? 'default', days] as const,
};

/** `{sender}` when one is chosen, nothing for the default number. */
export function senderField(sender: string | undefined): { sender?: string } {
  return sender ? { sender } : {};
}
