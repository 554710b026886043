// WhatsApp's rules for a new template, checked as it is written so the form can say what to fix
// before WhatsApp (or the API, which checks the same) refuses it — and the request it makes. Also
// the targets a business gives the URL and call buttons of a library template it copies.
import type { HeaderMediaFormat, TemplateButton, TemplateButtonType, TemplateCategory } from '@/lib/whatsapp-templates';
import { detectVariables, hasStrayBraces, variablesIn } from '@/utils/template-variables';
import type { FromLibraryButton } from '../api/create-from-library';
import type { NewTemplate, NewTemplateButton, ParameterFormat } from '../api/create-template';

export const NAME_PATTERN = /^[a-z0-9_]{1,512}$/;
export const NAME_LIMIT = 512;
export const BODY_LIMIT = 1024;
export const HEADER_LIMIT = 60;
export const FOOTER_LIMIT = 60;
export const BUTTON_LIMIT = 10;
export const BUTTON_TEXT_LIMIT = 25;
export const BUTTON_URL_LIMIT = 2000;
/** The one variable a button's link may have, at its very end. */
export const URL_VARIABLE = '{{1}}';

const NAMED_VARIABLE = /^[a-z_][a-z0-9_]*$/;
const POSITIONAL_VARIABLE = /^[0-9]+$/;
/** `en`, `en_US`, `zh_CN`, `es_419`… */
const LANGUAGE_CODE = /^[a-z]{2,3}(_[A-Z]{2}|_[0-9]{3})?$/;
const WEB_ADDRESS = /^https?:\/\/[^\s/$.?#][^\s]*\.[^\s]+$/i;
const PHONE_NUMBER = /^\+?[0-9][0-9 ()-]{5,22}$/;
/** http(s), a host, no spaces (nor braces in the host). */
const LINK = /^https?:\/\/[^\s/?#{}]+[^\s]*$/;
/** `+`, a country code not starting with 0, 8 to 15 digits in all. */
const E164 = /^\+[1-9][0-9]{7,14}$/;

export type HeaderChoice = 'NONE' | 'TEXT' | HeaderMediaFormat;

export interface FormButton {
  type: TemplateButtonType;
  text: string;
  url: string;
  phoneNumber: string;
}

export interface TemplateForm {
  name: string;
  language: string;
  category: TemplateCategory;
  parameterFormat: ParameterFormat;
  header: HeaderChoice;
  headerText: string;
  /** The uploaded sample of a media header (an `s3Key`). */
  headerMediaId: string | null;
  body: string;
  footer: string;
  buttons: FormButton[];
  /** By variable name. */
  samples: Record<string, string>;
}

export const emptyForm: TemplateForm = {
  name: '',
  language: 'en_US',
  category: 'UTILITY',
  parameterFormat: 'POSITIONAL',
  header: 'NONE',
  headerText: '',
  headerMediaId: null,
  body: '',
  footer: '',
  buttons: [],
  samples: {},
};

export function characters(text: string): number {
  return Array.from(text).length;
}

/** What is wrong, by field: `name`, `language`, `headerText`, `body`, `footer`, `buttons`, `button.0.text`, `button.0.url`, `button.0.phoneNumber`, `sample.first_name`. */
export type FormErrors = Partial<Record<string, string>>;

/** The name's problem, if any. */
export function nameError(name: string): string | undefined {
  if (!name) return 'Enter a name, e.g. order_update.';
  if (name.length > NAME_LIMIT) return `Shorten the name to ${NAME_LIMIT} characters or fewer.`;
  if (!NAME_PATTERN.test(name)) return 'Use only lowercase letters, digits and underscores, e.g. order_update.';
  return undefined;
}

export function languageError(language: string): string | undefined {
  if (!language.trim()) return 'Choose a language.';
  if (!LANGUAGE_CODE.test(language.trim())) return 'Enter a language code such as en, en_US or pt_BR.';
  return undefined;
}

const EXAMPLE: Record<ParameterFormat, string> = { POSITIONAL: '{{1}}, {{2}}…', NAMED: '{{first_name}}' };

/** The first problem with the variables of one text (the header's or the body's). */
export function variableError(text: string, format: ParameterFormat): string | undefined {
  if (hasStrayBraces(text)) return 'A variable is not written right: write it with two braces on each side, like {{1}} or {{first_name}}.';
  const names = variablesIn(text);
  for (const name of names) {
    if (name.trim() === '') return 'A variable is empty: write {{1}} or {{first_name}}, or remove the braces.';
    if (format === 'POSITIONAL' && !POSITIONAL_VARIABLE.test(name)) {
      return NAMED_VARIABLE.test(name.trim())
        ? `This template uses numbered variables (${EXAMPLE.POSITIONAL}): write a number instead of {{${name}}}, or choose named variables.`
        : `{{${name}}} is not a numbered variable: write {{1}}, {{2}}… without spaces.`;
    }
    if (format === 'NAMED' && !NAMED_VARIABLE.test(name)) {
      return POSITIONAL_VARIABLE.test(name.trim())
        ? `This template uses named variables (${EXAMPLE.NAMED}): give {{${name}}} a name, or choose numbered variables.`
        : `{{${name}}} is not a valid name: use lowercase letters, digits and underscores, e.g. {{first_name}}.`;
    }
  }
  if (format === 'POSITIONAL') {
    const numbers = new Set(names.map(Number));
    const zero = names.find((n) => Number(n) === 0);
    if (zero !== undefined) return `Number the variables from {{1}}: there is no {{${zero}}}.`;
    const highest = Math.max(0, ...numbers);
    for (let expected = 1; expected <= highest; expected += 1) {
      if (!numbers.has(expected)) return `Number the variables from {{1}} without gaps: {{${expected}}} is missing.`;
    }
  }
  return undefined;
}

/** The body may not start or end with a variable (WhatsApp refuses it). */
export function edgeVariableError(body: string): string | undefined {
  const trimmed = body.trim();
  const first = /^\{\{([^{}]*)\}\}/.exec(trimmed);
  if (first) return `The body cannot start with a variable: put some words before {{${first[1] ?? ''}}}.`;
  const last = /\{\{([^{}]*)\}\}$/.exec(trimmed);
  if (last) return `The body cannot end with a variable: put some words or a full stop after {{${last[1] ?? ''}}}.`;
  return undefined;
}

/** The variables of the form that need a sample, once each by name: the header's, then the body's. */
export function sampleNames(form: Pick<TemplateForm, 'header' | 'headerText' | 'body'>): string[] {
  const names: string[] = [];
  for (const v of detectVariables({ headerText: form.header === 'TEXT' ? form.headerText : null, body: form.body })) {
    if (!names.includes(v.name)) names.push(v.name);
  }
  return names;
}

function buttonErrors(button: FormButton, index: number, errors: FormErrors): void {
  const at = `button.${index}`;
  const text = button.text.trim();
  if (!text) errors[`${at}.text`] = 'Write the button’s text.';
  else if (characters(text) > BUTTON_TEXT_LIMIT) errors[`${at}.text`] = `Shorten the button’s text to ${BUTTON_TEXT_LIMIT} characters or fewer.`;
  if (button.type === 'URL') {
    const url = button.url.trim();
    if (!url) errors[`${at}.url`] = 'Enter the web address the button opens.';
    else if (!WEB_ADDRESS.test(url)) errors[`${at}.url`] = 'Enter a full web address, starting with https://.';
  }
  if (button.type === 'PHONE_NUMBER') {
    const phone = button.phoneNumber.trim();
    if (!phone) errors[`${at}.phoneNumber`] = 'Enter the phone number the button calls.';
    else if (!PHONE_NUMBER.test(phone)) errors[`${at}.phoneNumber`] = 'Enter the number in international format, e.g. +91 93309 94400.';
  }
}

/** Everything WhatsApp would refuse, by field; empty when the template can be submitted. */
export function validateTemplate(form: TemplateForm): FormErrors {
  const errors: FormErrors = {};
  const name = nameError(form.name);
  if (name) errors.name = name;
  const language = languageError(form.language);
  if (language) errors.language = language;

  if (form.header === 'TEXT') {
    const text = form.headerText.trim();
    if (!text) errors.headerText = 'Write the header’s text, or choose no header.';
    else if (characters(form.headerText) > HEADER_LIMIT) errors.headerText = `Shorten the header to ${HEADER_LIMIT} characters or fewer.`;
    else if (variablesIn(form.headerText).length > 1) errors.headerText = 'The header may have one variable at most.';
    else {
      const variable = variableError(form.headerText, form.parameterFormat);
      if (variable) errors.headerText = variable;
    }
  }

  if (!form.body.trim()) errors.body = 'Write the message’s body.';
  else if (characters(form.body) > BODY_LIMIT) {
    errors.body = `Shorten the body to ${BODY_LIMIT.toLocaleString('en')} characters or fewer (it has ${characters(form.body).toLocaleString('en')}).`;
  } else {
    const variable = variableError(form.body, form.parameterFormat) ?? edgeVariableError(form.body);
    if (variable) errors.body = variable;
  }

  if (characters(form.footer) > FOOTER_LIMIT) errors.footer = `Shorten the footer to ${FOOTER_LIMIT} characters or fewer.`;
  else if (variablesIn(form.footer).length > 0 || hasStrayBraces(form.footer)) errors.footer = 'The footer cannot have variables.';

  if (form.buttons.length > BUTTON_LIMIT) {
    const extra = form.buttons.length - BUTTON_LIMIT;
    errors.buttons = `A template has ${BUTTON_LIMIT} buttons at most: remove ${extra === 1 ? 'one' : extra}.`;
  }
  form.buttons.forEach((button, index) => buttonErrors(button, index, errors));

  for (const variable of sampleNames(form)) {
    if (!(form.samples[variable] ?? '').trim()) errors[`sample.${variable}`] = `Give a sample for {{${variable}}}: WhatsApp’s reviewers read it.`;
  }
  return errors;
}

function buttonOf(button: FormButton): NewTemplateButton {
  const base = { type: button.type, text: button.text.trim() };
  if (button.type === 'URL') return { ...base, url: button.url.trim() };
  if (button.type === 'PHONE_NUMBER') return { ...base, phoneNumber: button.phoneNumber.trim() };
  return base;
}

/** The request the form makes (`sender` undefined: the default WhatsApp number). */
export function requestOf(form: TemplateForm, sender: string | undefined): NewTemplate {
  const header =
    form.header === 'NONE'
      ? {}
      : form.header === 'TEXT'
        ? { header: { format: 'TEXT' as const, text: form.headerText.trim() } }
        : { header: { format: form.header, ...(form.headerMediaId ? { mediaId: form.headerMediaId } : {}) } };
  const footer = form.footer.trim();
  const samples = Object.fromEntries(sampleNames(form).map((name) => [name, (form.samples[name] ?? '').trim()]));
  return {
    ...(sender ? { sender } : {}),
    name: form.name,
    language: form.language.trim(),
    category: form.category,
    parameterFormat: form.parameterFormat,
    ...header,
    body: form.body.trim(),
    ...(footer ? { footer } : {}),
    ...(form.buttons.length ? { buttons: form.buttons.map(buttonOf) } : {}),
    samples,
  };
}

/** A URL or call button of a library template, with the target the Admin gives it. */
export interface LibraryButtonTarget {
  type: FromLibraryButton['type'];
  /** The button's text, to name its fields. */
  text: string;
  /** The library's sample target (`https://www.example.com/{{1}}`, `+15550051234`): an example only. */
  sample: string;
  /** The link (URL) or the number (PHONE_NUMBER) the Admin enters. */
  value: string;
  /** A full sample link, needed when the link ends with {{1}}. */
  example: string;
}

/** WhatsApp's library calls a call button PHONE_NUMBER (its SDK sometimes CALL). */
function targetType(type: string): FromLibraryButton['type'] | null {
  const upper = type.toUpperCase();
  if (upper === 'URL') return 'URL';
  if (upper === 'PHONE_NUMBER' || upper === 'CALL') return 'PHONE_NUMBER';
  return null;
}

/** The buttons of a library template that need a target, in order, none given yet. */
export function libraryButtonTargets(buttons: readonly TemplateButton[]): LibraryButtonTarget[] {
  return buttons.flatMap((button) => {
    const type = targetType(button.type);
    if (!type) return [];
    return [{ type, text: button.text, sample: (type === 'URL' ? button.url : button.phoneNumber) ?? '', value: '', example: '' }];
  });
}

/** Whether a button's link has the variable, whose value each message gives. */
export function hasUrlVariable(url: string): boolean {
  return url.trim().endsWith(URL_VARIABLE);
}

/** The problem with a URL button's link, if any. */
export function buttonUrlError(url: string): string | undefined {
  const link = url.trim();
  if (!link) return 'Enter the web address the button opens.';
  if (characters(link) > BUTTON_URL_LIMIT) return `Shorten the web address to ${BUTTON_URL_LIMIT.toLocaleString('en')} characters or fewer.`;
  const fixed = hasUrlVariable(link) ? link.slice(0, -URL_VARIABLE.length) : link;
  if (fixed.includes('{{') || fixed.includes('}}')) return 'A link may have one variable only, {{1}}, at its very end.';
  if (!LINK.test(fixed)) return 'Enter a full web address, starting with https://.';
  return undefined;
}

/** The problem with the sample link of a URL button whose link ends with {{1}}, if any. */
export function buttonUrlExampleError(example: string): string | undefined {
  const link = example.trim();
  if (!link) return 'Give a sample link, with a value in place of {{1}}: WhatsApp’s reviewers open it.';
  if (characters(link) > BUTTON_URL_LIMIT) return `Shorten the sample link to ${BUTTON_URL_LIMIT.toLocaleString('en')} characters or fewer.`;
  if (link.includes('{{') || link.includes('}}')) return 'Put a sample value in place of {{1}}, e.g. https://example.com/orders/1234.';
  if (!LINK.test(link)) return 'Enter a full web address, starting with https://.';
  return undefined;
}

/** The problem with a call button's number, if any: WhatsApp takes E.164 only. */
export function buttonPhoneNumberError(phoneNumber: string): string | undefined {
  const number = phoneNumber.trim();
  if (!number) return 'Enter the phone number the button calls.';
  if (!E164.test(number)) return 'Enter the number in international form: + and the country code, then digits only, e.g. +14155550100.';
  return undefined;
}

/** What is wrong with the targets, by field: `button.0.url`, `button.0.urlExample`, `button.1.phoneNumber` (by position among the targets). */
export function libraryButtonErrors(targets: readonly LibraryButtonTarget[]): FormErrors {
  const errors: FormErrors = {};
  targets.forEach((target, index) => {
    const at = `button.${index}`;
    if (target.type === 'PHONE_NUMBER') {
      const phone = buttonPhoneNumberError(target.value);
      if (phone) errors[`${at}.phoneNumber`] = phone;
      return;
    }
    const url = buttonUrlError(target.value);
    if (url) errors[`${at}.url`] = url;
    if (hasUrlVariable(target.value)) {
      const example = buttonUrlExampleError(target.example);
      if (example) errors[`${at}.urlExample`] = example;
    }
  });
  return errors;
}

/** The `buttons` of the request, in order; the sample link only with a {{1}} (else it would describe nothing). */
export function libraryButtonsOf(targets: readonly LibraryButtonTarget[]): FromLibraryButton[] {
  return targets.map((target): FromLibraryButton => {
    const value = target.value.trim();
    if (target.type === 'PHONE_NUMBER') return { type: 'PHONE_NUMBER', phoneNumber: value };
    return hasUrlVariable(value) ? { type: 'URL', url: value, urlExample: target.example.trim() } : { type: 'URL', url: value };
  });
}
