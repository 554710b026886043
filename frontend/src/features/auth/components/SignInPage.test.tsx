import { screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { json } from '@/testing/fake-fetch';
import { users } from '@/testing/fixtures';
import { renderApp } from '@/testing/render-app';

const signedIn = {
  AuthenticationResult: { IdToken: 'id', AccessToken: 'access', RefreshToken: 'refresh', ExpiresIn: 3600 },
};

describe('SignInPage', () => {
  it('sends a signed-out visitor to sign in, then back where they were going', async () => {
    const user = userEvent.setup();
    const { router, requests } = renderApp({
      path: '/contacts?q=ada',
      routes: {
        'POST cognito InitiateAuth': () => json(200, signedIn),
        'GET /api/me': () => json(200, users.Operator),
        'GET /api/contacts/search': () => json(200, { items: [], nextCursor: null }),
      },
    });
    await user.type(await screen.findByLabelText('Email'), 'operator@wecare.digital');
    await user.type(screen.getByLabelText('Password'), 'Wecare!Operator2026');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('heading', { name: 'Contacts' })).toBeInTheDocument();
    expect(router.state.location.pathname + router.state.location.search).toBe('/contacts?q=ada');
    expect(requests.find((r) => r.url.pathname === '/api/me')?.headers.get('Authorization')).toBe('Bearer id');
  });

  it('says clearly when the password is wrong', async () => {
    const user = userEvent.setup();
    renderApp({
      path: '/sign-in',
      routes: {
        'POST cognito InitiateAuth': () =>
          json(400, { __type: 'NotAuthorizedException', message: 'Incorrect username or password.' }),
      },
    });
    await user.type(screen.getByLabelText('Email'), 'operator@wecare.digital');
    await user.type(screen.getByLabelText('Password'), 'nope');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('Incorrect email or password.');
    await waitFor(() => expect(screen.getByText('Incorrect email or password.').closest('[tabindex]')).toHaveFocus());
  });

  it('takes an invited user through choosing their own password at their first sign-in, with the rules shown', async () => {
    const user = userEvent.setup();
    const { requests } = renderApp({
      path: '/contacts',
      routes: {
        'POST cognito InitiateAuth': () => json(200, { ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: 'session-1', ChallengeParameters: {} }),
        'POST cognito RespondToAuthChallenge': () => json(200, signedIn),
        'GET /api/me': () => json(200, users.Operator),
        'GET /api/contacts': () => json(200, { items: [], nextCursor: null }),
      },
    });
    await user.type(await screen.findByLabelText('Email'), 'new@example.com');
    await user.type(screen.getByLabelText('Password'), 'Temp0rary!x');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));

    expect(await screen.findByRole('heading', { name: 'Choose your password' })).toBeInTheDocument();
    const rules = screen.getByRole('list', { name: 'Your password needs' });
    expect(rules).toHaveTextContent('At least 8 characters');
    expect(rules).toHaveTextContent('A symbol');
    await user.type(screen.getByLabelText('New password'), 'weak');
    await user.click(screen.getByRole('button', { name: 'Set password and sign in' }));
    expect(screen.getByText('This password does not meet every rule below yet.')).toBeInTheDocument();
    expect(requests.filter((r) => r.headers.get('X-Amz-Target')?.endsWith('RespondToAuthChallenge'))).toHaveLength(0);

    await user.clear(screen.getByLabelText('New password'));
    await user.type(screen.getByLabelText('New password'), 'Chosen!Passw0rd');
    expect(screen.getByText('At least 8 characters').closest('li')).toHaveTextContent('(met)');
    await user.type(screen.getByLabelText('Repeat the new password'), 'Chosen!Passw0rd');
    await user.click(screen.getByRole('button', { name: 'Set password and sign in' }));

    expect(await screen.findByRole('heading', { name: 'Contacts' })).toBeInTheDocument();
    const answer = requests.find((r) => r.headers.get('X-Amz-Target')?.endsWith('RespondToAuthChallenge'));
    expect(answer?.body).toMatchObject({
      Session: 'session-1',
      ChallengeResponses: { USERNAME: 'new@example.com', NEW_PASSWORD: 'Chosen!Passw0rd' },
    });
  });

  it('sends an expired first sign-in back to the start with what to do', async () => {
    const user = userEvent.setup();
    renderApp({
      path: '/sign-in',
      routes: {
        'POST cognito InitiateAuth': () => json(200, { ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: 'old' }),
        'POST cognito RespondToAuthChallenge': () =>
          json(400, { __type: 'NotAuthorizedException', message: 'Invalid session for the user, session is expired.' }),
      },
    });
    await user.type(screen.getByLabelText('Email'), 'new@example.com');
    await user.type(screen.getByLabelText('Password'), 'Temp0rary!x');
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    await user.type(await screen.findByLabelText('New password'), 'Chosen!Passw0rd');
    await user.type(screen.getByLabelText('Repeat the new password'), 'Chosen!Passw0rd');
    await user.click(screen.getByRole('button', { name: 'Set password and sign in' }));
    expect(await screen.findByRole('alert')).toHaveTextContent('This sign-in has expired. Sign in again with your temporary password.');
    await user.click(screen.getByRole('button', { name: 'Back to sign-in' }));
    expect(screen.getByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
  });

  it('asks for both fields before calling Cognito', async () => {
    const user = userEvent.setup();
    const { requests } = renderApp({ path: '/sign-in' });
    await user.click(screen.getByRole('button', { name: 'Sign in' }));
    expect(screen.getByText('Enter your email address.')).toBeInTheDocument();
    expect(screen.getByText('Enter your password.')).toBeInTheDocument();
    expect(screen.getByLabelText('Email')).toHaveAttribute('aria-invalid', 'true');
    expect(requests).toHaveLength(0);
  });

  it('signs out from the shell and forgets the session', async () => {
    const user = userEvent.setup();
    renderApp({ path: '/contacts', as: 'Operator', routes: { 'GET /api/contacts': () => json(200, { items: [], nextCursor: null }) } });
    await user.click(await screen.findByRole('button', { name: 'Sign out' }));
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(localStorage.length).toBe(0);
  });

  it('signs out when the gateway stops accepting the token', async () => {
    renderApp({
      path: '/contacts',
      as: 'Operator',
      routes: { 'GET /api/me': () => json(401, { message: 'Unauthorized' }) },
    });
    expect(await screen.findByRole('heading', { name: 'Sign in' })).toBeInTheDocument();
    expect(screen.getByText(/Your session has ended/)).toBeInTheDocument();
  });
});
