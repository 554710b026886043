// What the console can tell about a recipients CSV before uploading it: its header row, which of
// its columns the API reads as the address, name and consent, and which are variables for
// `{{placeholders}}`. Mirrors `wecare_core::bulk::parse_recipients_csv`: a header names a column by
// its letters and digits, lower-cased (`Opt-in SMS`, `optInSms` and `OPTINSMS` are one column);
// any other column is a variable under its header as written.

export interface CsvColumns {
  /** The header cells as written (trimmed). */
  headers: string[];
  phone: string | null;
  email: string | null;
  name: string | null;
  /** Consent columns found, e.g. ['optInSms']. */
  consent: string[];
  /** Every other column: the variables a message can use. */
  variables: string[];
}

const PHONE = ['phone', 'phonenumber', 'mobile', 'whatsapp'];
const EMAIL = ['email', 'emailaddress'];
const NAME = ['name', 'fullname'];
const CONSENT = ['optinwhatsapp', 'whatsappoptin', 'optinsms', 'smsoptin', 'optinemail', 'emailoptin'];

/** The largest CSV the console uploads (the API may refuse less). */
export const MAX_CSV_BYTES = 20 * 1024 * 1024;

function normalise(header: string): string {
  return Array.from(header.trim())
    .filter((c) => /[\p{L}\p{N}]/u.test(c))
    .join('')
    .toLowerCase();
}

/** The cells of one CSV line, with "quoted, cells" and "" for a quote inside them. */
export function splitCsvLine(line: string): string[] {
  const cells: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const c = line.charAt(i);
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (c === '"') {
        quoted = false;
      } else {
        cell += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ',') {
      cells.push(cell);
      cell = '';
    } else {
      cell += c;
    }
  }
  cells.push(cell);
  return cells.map((c) => c.trim());
}

/** The columns of a CSV whose text starts with `head` (at least its first line). */
export function csvColumns(head: string): CsvColumns {
  const firstLine = head.replace(/^\uFEFF/, '').split(/\r?\n/, 1)[0] ?? '';
  const headers = splitCsvLine(firstLine).filter((h) => h !== '');
  const names = headers.map(normalise);
  const find = (wanted: string[]) => {
    const i = names.findIndex((n) => wanted.includes(n));
    return i < 0 ? null : i;
  };
  const phone = find(PHONE);
  const email = find(EMAIL);
  const name = find(NAME);
  const consent = names.flatMap((n, i) => (CONSENT.includes(n) ? [i] : []));
  const known = new Set([phone, email, name, ...consent].filter((i): i is number => i !== null));
  return {
    headers,
    phone: phone === null ? null : (headers[phone] ?? null),
    email: email === null ? null : (headers[email] ?? null),
    name: name === null ? null : (headers[name] ?? null),
    consent: consent.map((i) => headers[i] ?? ''),
    variables: headers.filter((_, i) => !known.has(i)),
  };
}

/** Why this file cannot be used as a recipients CSV, or null. */
export function csvProblem(file: { name: string; size: number }, columns: CsvColumns | null): string | null {
  if (!/\.csv$/i.test(file.name)) return 'Choose a .csv file (save a spreadsheet as “CSV UTF-8”).';
  if (file.size === 0) return 'This file is empty. Choose a CSV with a header row and one row per recipient.';
  if (file.size > MAX_CSV_BYTES) return `This file is larger than ${MAX_CSV_BYTES / 1024 / 1024} MB. Split it into smaller files.`;
  if (!columns || columns.headers.length === 0) return 'This file has no header row. Add one, e.g. phone,name,order.';
  if (!columns.phone && !columns.email) {
    return 'The header has neither a phone nor an email column. Name one of the columns “phone” or “email”.';
  }
  return null;
}
