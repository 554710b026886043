import { useEffect, useRef, useState, type SubmitEvent } from 'react';
import { Navigate, useLocation } from 'react-router';
import { Alert } from '@/components/Alert';
import { Button } from '@/components/Button';
import { TextField } from '@/components/TextField';
import { useConfig } from '@/config/config-context';
import { usePageTitle } from '@/hooks/use-page-title';
import { signInErrorMessage, useSignIn, type NewPasswordRequired } from '../api/initiate-auth';
import { useSession, useSessionStore } from '../session-context';
import { NewPasswordForm } from './NewPasswordForm';

/** Where to go after signing in: the page that sent the user here, if it was one of ours. */
function returnPath(state: unknown): string {
  const from = (state as { from?: { pathname?: unknown; search?: unknown } } | null)?.from;
  if (typeof from?.pathname !== 'string' || !from.pathname.startsWith('/') || from.pathname.startsWith('//')) {
    return '/';
  }
  return from.pathname + (typeof from.search === 'string' ? from.search : '');
}

export function SignInPage() {
  usePageTitle('Sign in');
  const config = useConfig();
  const store = useSessionStore();
  const session = useSession();
  const location = useLocation();
  const signIn = useSignIn(config, (tokens) => store.signIn(tokens));
  // Set when Cognito wants an invited user's own password before signing them in.
  const [challenge, setChallenge] = useState<NewPasswordRequired | null>(null);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [missing, setMissing] = useState<{ email?: boolean; password?: boolean }>({});
  const errorRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (signIn.error) errorRef.current?.focus();
  }, [signIn.error]);

  if (session.status === 'signedIn') return <Navigate to={returnPath(location.state)} replace />;

  const submit = (event: SubmitEvent<HTMLFormElement>) => {
    event.preventDefault();
    const blank = { email: email.trim() === '', password: password === '' };
    setMissing(blank);
    if (blank.email || blank.password) return;
    signIn.mutate(
      { email, password },
      {
        onSuccess: (outcome) => {
          if (outcome.kind === 'newPasswordRequired') {
            setPassword('');
            setChallenge(outcome);
          }
        },
      },
    );
  };

  if (challenge) {
    return (
      <main className="sign-in" id="main">
        <div className="sign-in__card">
          <p className="brand sign-in__brand">WECARE.DIGITAL</p>
          <NewPasswordForm
            challenge={challenge}
            onSignedIn={(tokens) => store.signIn(tokens)}
            onRestart={() => {
              signIn.reset();
              setChallenge(null);
            }}
          />
        </div>
      </main>
    );
  }

  const expired = session.reason === 'expired' && !signIn.error;

  return (
    <main className="sign-in" id="main">
      <div className="sign-in__card">
        <p className="brand sign-in__brand">WECARE.DIGITAL</p>
        <h1 className="sign-in__title">Sign in</h1>
        {expired ? <Alert tone="info">Your session has ended. Sign in again to continue.</Alert> : null}
        <form className="form" noValidate onSubmit={submit}>
          <TextField
            label="Email"
            name="email"
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={missing.email ? 'Enter your email address.' : undefined}
          />
          <TextField
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={missing.password ? 'Enter your password.' : undefined}
          />
          {signIn.error ? (
            <div ref={errorRef} tabIndex={-1} className="form__error">
              <Alert>{signInErrorMessage(signIn.error)}</Alert>
            </div>
          ) : null}
          <Button type="submit" busy={signIn.isPending} className="sign-in__submit">
            {signIn.isPending ? 'Signing in…' : 'Sign in'}
          </Button>
        </form>
      </div>
    </main>
  );
}
