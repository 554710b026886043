// An invited user's first sign-in: Cognito accepted the temporary password and asks for a password
// of their own. The rules are listed and ticked off as they type; the answer signs them in.
import { useEffect, useRef, useState, type SubmitEvent } from 'react';
import { Alert } from '@/components/Alert';
import { Button } from '@/components/Button';
import { TextField } from '@/components/TextField';
import { useConfig } from '@/config/config-context';
import { newPasswordErrorMessage, useCompleteNewPassword, type NewPasswordRequired, type SessionTokens } from '../api/initiate-auth';
import { PASSWORD_RULES, unmetRules } from '../password-policy';
import './new-password.css';

export interface NewPasswordFormProps {
  challenge: NewPasswordRequired;
  onSignedIn: (tokens: SessionTokens) => void;
  /** Back to the email and password form (the challenge expired, or another account). */
  onRestart: () => void;
}

export function NewPasswordForm({ challenge, onSignedIn, onRestart }: NewPasswordFormProps) {
  const config = useConfig();
  const complete = useCompleteNewPassword(config, onSignedIn);
  const [password, setPassword] = useState('');
  const [repeat, setRepeat] = useState('');
  const [checked, setChecked] = useState(false);
  const errorRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (complete.error) errorRef.current?.focus();
  }, [complete.error]);

  const unmet = unmetRules(password);
  const passwordError = checked && unmet.length > 0 ? 'This password does not meet every rule below yet.' : undefined;
  const repeatError = checked && unmet.length === 0 && repeat !== password ? 'The two passwords are not the same.' : undefined;

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    setChecked(true);
    if (unmet.length > 0 || repeat !== password) return;
    complete.mutate({ ...challenge, newPassword: password });
  };

  return (
    <>
      <h1 className="sign-in__title">Choose your password</h1>
      <p>
        Welcome, {challenge.email}. You signed in with a temporary password: choose a password of your own to continue.
      </p>
      <form className="form" noValidate onSubmit={submit}>
        <TextField
          label="New password"
          name="new-password"
          type="password"
          autoComplete="new-password"
          required
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          error={passwordError}
        />
        <div className="password-rules">
          <p className="password-rules__title" id="password-rules-title">
            Your password needs
          </p>
          <ul aria-labelledby="password-rules-title">
            {PASSWORD_RULES.map((rule) => {
              const met = rule.met(password);
              return (
                <li key={rule.id} className={met ? 'password-rules__met' : undefined}>
                  <span aria-hidden="true">{met ? '✓' : '•'}</span> {rule.label}
                  <span className="visually-hidden">{met ? ' (met)' : ' (not met yet)'}</span>
                </li>
              );
            })}
          </ul>
        </div>
        <TextField
          label="Repeat the new password"
          name="repeat-password"
          type="password"
          autoComplete="new-password"
          required
          value={repeat}
          onChange={(e) => setRepeat(e.target.value)}
          error={repeatError}
        />
        {complete.error ? (
          <div ref={errorRef} tabIndex={-1} className="form__error">
            <Alert>{newPasswordErrorMessage(complete.error)}</Alert>
          </div>
        ) : null}
        <Button type="submit" busy={complete.isPending} className="sign-in__submit">
          {complete.isPending ? 'Setting your password…' : 'Set password and sign in'}
        </Button>
        <Button variant="ghost" onClick={onRestart} disabled={complete.isPending}>
          Back to sign-in
        </Button>
      </form>
    </>
  );
}
