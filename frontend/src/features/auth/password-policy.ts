// The user pool's password rules, as the new-password form states and checks them before asking
// Cognito: its default policy, the one the local pool has and deployments keep
// (wecare_core::team::PasswordPolicy::COGNITO_DEFAULT, which also makes invites' temporary
// passwords). Cognito checks again and has the last word; its refusal is shown as it words it.

/** The characters Cognito counts as symbols. */
export const SYMBOLS = '^$*.[]{}()?"!@#%&/\\,><\':;|_~`=+-';

export interface PasswordRule {
  id: string;
  label: string;
  met: (password: string) => boolean;
}

export const PASSWORD_RULES: readonly PasswordRule[] = [
  { id: 'length', label: 'At least 8 characters', met: (p) => Array.from(p).length >= 8 },
  { id: 'upper', label: 'An upper-case letter (A–Z)', met: (p) => /[A-Z]/.test(p) },
  { id: 'lower', label: 'A lower-case letter (a–z)', met: (p) => /[a-z]/.test(p) },
  { id: 'number', label: 'A digit (0–9)', met: (p) => /[0-9]/.test(p) },
  { id: 'symbol', label: 'A symbol, such as ! @ # % & * ? -', met: (p) => Array.from(p).some((c) => SYMBOLS.includes(c)) },
];

/** The rules `password` does not meet yet. */
export function unmetRules(password: string): PasswordRule[] {
  return PASSWORD_RULES.filter((rule) => !rule.met(password));
}
