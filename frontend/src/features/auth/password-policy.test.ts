import { PASSWORD_RULES, unmetRules } from './password-policy';

describe('the password rules', () => {
  it('accept what Cognito’s default policy accepts and name what is missing otherwise', () => {
    expect(unmetRules('Chosen!Passw0rd')).toEqual([]);
    expect(unmetRules('Wecare!Admin2026')).toEqual([]);
    expect(unmetRules('short').map((r) => r.id)).toEqual(['length', 'upper', 'number', 'symbol']);
    expect(unmetRules('ALLUPPER123!').map((r) => r.id)).toEqual(['lower']);
    expect(unmetRules('NoSymbols123').map((r) => r.id)).toEqual(['symbol']);
    expect(unmetRules('').map((r) => r.id)).toEqual(PASSWORD_RULES.map((r) => r.id));
  });

  it('count each of Cognito’s symbols, and characters rather than code units', () => {
    for (const symbol of '^$*.[]{}()?"!@#%&/\\,><\':;|_~`=+-') expect(unmetRules(`Abcdefg1${symbol}`)).toEqual([]);
    expect(unmetRules('Abcdef1é').map((r) => r.id)).toEqual(['symbol']);
    // Seven characters, one of them outside the basic plane: still too short.
    expect(unmetRules('Ab1!😀xy').map((r) => r.id)).toEqual(['length']);
  });
});
