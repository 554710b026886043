// The variables of a WhatsApp template — `{{1}}`, `{{2}}`… (positional) or `{{first_name}}`
// (named) in its header text and body — found, filled in for a preview, prefilled from a contact,
// and checked against a message about to be sent. Pure functions: the picker, the composer, the
// bulk wizard and the Templates page share them.
import type { TemplateEntry, TemplateMessage, TemplateVariable } from '@/lib/whatsapp-templates';
import { isHeaderMedia } from '@/lib/whatsapp-templates';

/** `{{…}}` without braces inside. */
const VARIABLE = /\{\{([^{}]*)\}\}/g;

/** What is written between the braces of every variable of `text`, in order of first use, once each. */
export function variablesIn(text: string): string[] {
  const names: string[] = [];
  for (const match of text.matchAll(VARIABLE)) {
    const name = match[1] ?? '';
    if (!names.includes(name)) names.push(name);
  }
  return names;
}

/** A `{{` or `}}` that is not part of a well-formed `{{variable}}` (e.g. `{{1}`, `{{a{{b}}`). */
export function hasStrayBraces(text: string): boolean {
  const rest = text.replace(VARIABLE, '');
  return rest.includes('{{') || rest.includes('}}');
}

export type TemplateComponent = 'HEADER' | 'BODY';

export interface DetectedVariable {
  name: string;
  component: TemplateComponent;
}

/** The variables of a header text and a body, as the API lists them: the header's first, then the body's. */
export function detectVariables({ headerText, body }: { headerText?: string | null | undefined; body: string }): DetectedVariable[] {
  return [
    ...variablesIn(headerText ?? '').map((name) => ({ name, component: 'HEADER' as const })),
    ...variablesIn(body).map((name) => ({ name, component: 'BODY' as const })),
  ];
}

/** How a variable is named on screen: `{{1}}`, or `Header {{1}}` for one of the header. */
export function variableLabel(variable: Pick<TemplateVariable, 'name' | 'component'>): string {
  return variable.component === 'HEADER' ? `Header {{${variable.name}}}` : `{{${variable.name}}}`;
}

export type TextSegment =
  | { kind: 'text'; text: string }
  | { kind: 'value'; name: string; value: string }
  /** A variable without a value yet: the preview marks it. */
  | { kind: 'missing'; name: string };

/**
 * `text` cut into plain text and variables, each variable with its value from `valueOf` (blank or
 * absent = missing), for a preview that fills in what it can and marks what it cannot.
 */
export function fillTemplateText(text: string, valueOf: (name: string) => string | null | undefined): TextSegment[] {
  const segments: TextSegment[] = [];
  let last = 0;
  for (const match of text.matchAll(VARIABLE)) {
    const start = match.index;
    if (start > last) segments.push({ kind: 'text', text: text.slice(last, start) });
    const name = match[1] ?? '';
    const value = valueOf(name);
    segments.push(value && value.trim() !== '' ? { kind: 'value', name, value } : { kind: 'missing', name });
    last = start + match[0].length;
  }
  if (last < text.length) segments.push({ kind: 'text', text: text.slice(last) });
  return segments;
}

/** `fillTemplateText` as one string, unfilled variables left as `{{name}}`. */
export function renderTemplateText(text: string, valueOf: (name: string) => string | null | undefined): string {
  return fillTemplateText(text, valueOf)
    .map((s) => (s.kind === 'text' ? s.text : s.kind === 'value' ? s.value : `{{${s.name}}}`))
    .join('');
}

/** A value lookup for one component of an entry, from the parameters in `variables` order. */
export function valuesOf(
  variables: readonly Pick<TemplateVariable, 'name' | 'component'>[],
  parameters: readonly string[],
  component: TemplateComponent,
): (name: string) => string | undefined {
  return (name) => {
    const index = variables.findIndex((v) => v.component === component && v.name === name);
    return index < 0 ? undefined : parameters[index];
  };
}

/** What a contact can fill in. */
export interface TemplateContact {
  name?: string | null | undefined;
  phone?: string | null | undefined;
  email?: string | null | undefined;
}

/** The contact fields a NAMED variable is filled from, by the variable's name. */
export const CONTACT_FIELD_VARIABLES = ['name', 'first_name', 'phone', 'email'] as const;

/** The value of a named variable that is named for a contact field (`first_name`: the first word of the name). */
export function contactValue(variable: string, contact: TemplateContact): string | undefined {
  const pick = (value: string | null | undefined) => (value?.trim() ? value.trim() : undefined);
  switch (variable) {
    case 'name':
      return pick(contact.name);
    case 'first_name':
      return pick(contact.name)?.split(/\s+/)[0];
    case 'phone':
      return pick(contact.phone);
    case 'email':
      return pick(contact.email);
    default:
      return undefined;
  }
}

/** The bulk placeholders a recipient fills from their contact. */
const BULK_CONTACT_TOKENS = ['name', 'phone', 'email'] as const;

/** The bulk placeholder (`{{name}}`) a named variable is filled from, when it is named for one. */
export function bulkToken(variable: string): string | undefined {
  return (BULK_CONTACT_TOKENS as readonly string[]).includes(variable) ? `{{${variable}}}` : undefined;
}

/**
 * The first values of a template's variables, in `variables` order: for a NAMED template, what
 * `prefill` gives for a variable named for a contact field; blank otherwise.
 */
export function prefilledParameters(
  entry: Pick<TemplateEntry, 'parameterFormat' | 'variables'>,
  prefill: (variable: string) => string | undefined,
): string[] {
  const named = entry.parameterFormat === 'NAMED';
  return entry.variables.map((v) => (named ? (prefill(v.name) ?? '') : ''));
}

/** What keeps a template message from being sent. */
export type TemplateProblem =
  | { kind: 'parameter'; index: number; variable: Pick<TemplateVariable, 'name' | 'component'> }
  | { kind: 'headerMedia'; format: string };

/** The blank values and the missing header media of `message` for `entry`; empty when it can be sent. */
export function templateProblems(
  entry: Pick<TemplateEntry, 'variables' | 'header'>,
  message: Pick<TemplateMessage, 'parameters' | 'headerMediaId'>,
): TemplateProblem[] {
  const problems: TemplateProblem[] = entry.variables.flatMap((variable, index) =>
    (message.parameters[index] ?? '').trim() === '' ? [{ kind: 'parameter' as const, index, variable }] : [],
  );
  const format = entry.header?.format;
  if (isHeaderMedia(format) && !message.headerMediaId) problems.push({ kind: 'headerMedia', format });
  return problems;
}

const MEDIA_NOUN: Record<string, string> = { IMAGE: 'image', VIDEO: 'video', DOCUMENT: 'document' };

/** The noun of a header's media: "image", "video", "document". */
export function mediaNoun(format: string): string {
  return MEDIA_NOUN[format] ?? 'file';
}

/** One sentence per problem, saying what to do. */
export function describeTemplateProblem(problem: TemplateProblem): string {
  return problem.kind === 'parameter'
    ? `Fill in ${variableLabel(problem.variable)}.`
    : `Upload the header’s ${mediaNoun(problem.format)}.`;
}
