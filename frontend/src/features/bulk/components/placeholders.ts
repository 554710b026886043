// `{{placeholders}}` in a bulk message: what the content uses, whether every one is closed, and
// which of them a contact can fill (name, phone, email) or only a CSV column can. Mirrors
// `wecare_core::bulk::placeholders` (names are trimmed; a `{{` without `}}` is an error).

/** Variables every contact can fill. */
export const CONTACT_VARIABLES = ['name', 'phone', 'email'] as const;

export interface PlaceholderScan {
  /** The names used, in order of first use. */
  names: string[];
  /** A `{{` without its `}}`. */
  unclosed: boolean;
}

export function scanPlaceholders(text: string): PlaceholderScan {
  const names: string[] = [];
  let rest = text;
  for (;;) {
    const start = rest.indexOf('{{');
    if (start < 0) return { names, unclosed: false };
    const after = rest.slice(start + 2);
    const end = after.indexOf('}}');
    if (end < 0) return { names, unclosed: true };
    const name = after.slice(0, end).trim();
    if (!names.includes(name)) names.push(name);
    rest = after.slice(end + 2);
  }
}

/** Every name used across `texts`, in order of first use, and whether any text leaves one open. */
export function scanAll(texts: readonly string[]): PlaceholderScan {
  const names: string[] = [];
  let unclosed = false;
  for (const text of texts) {
    const scan = scanPlaceholders(text);
    unclosed ||= scan.unclosed;
    for (const n of scan.names) if (!names.includes(n)) names.push(n);
  }
  return { names, unclosed };
}

/** The names only a CSV column can fill (not name, phone or email). */
export function columnVariables(names: readonly string[]): string[] {
  return names.filter((n) => !(CONTACT_VARIABLES as readonly string[]).includes(n));
}

/** "{{order}}", "{{order}} and {{city}}", "{{a}}, {{b}} and {{c}}". */
export function listPlaceholders(names: readonly string[]): string {
  const shown = names.map((n) => `{{${n}}}`);
  if (shown.length <= 1) return shown.join('');
  return `${shown.slice(0, -1).join(', ')} and ${shown[shown.length - 1] ?? ''}`;
}
