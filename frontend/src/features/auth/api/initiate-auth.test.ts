import { fakeFetch, json } from '@/testing/fake-fetch';
import { testConfig } from '@/testing/fixtures';
import {
  CognitoError,
  completeNewPassword,
  isSessionOver,
  newPasswordErrorMessage,
  refreshTokens,
  signInErrorMessage,
  signInWithPassword,
} from './initiate-auth';

const now = () => 1_000_000;
const authResult = (withRefresh = true) => ({
  AuthenticationResult: {
    IdToken: 'id',
    AccessToken: 'access',
    ...(withRefresh ? { RefreshToken: 'refresh' } : {}),
    ExpiresIn: 3600,
    TokenType: 'Bearer',
  },
});

describe('signInWithPassword', () => {
  it('calls InitiateAuth with USER_PASSWORD_AUTH and keeps the tokens and their expiry', async () => {
    const network = fakeFetch({ 'POST cognito InitiateAuth': () => json(200, authResult()) });
    const outcome = await signInWithPassword(
      testConfig,
      { email: ' operator@wecare.digital ', password: 'pw' },
      { fetchFn: network.fetch, now },
    );
    expect(outcome).toEqual({
      kind: 'signedIn',
      tokens: { idToken: 'id', accessToken: 'access', refreshToken: 'refresh', expiresAt: 1_000_000 + 3600_000 },
    });
    const [request] = network.requests;
    expect(request?.url.href).toBe(testConfig.cognitoEndpoint);
    expect(request?.headers.get('Content-Type')).toBe('application/x-amz-json-1.1');
    expect(request?.headers.get('X-Amz-Target')).toBe('AWSCognitoIdentityProviderService.InitiateAuth');
    expect(request?.body).toEqual({
      AuthFlow: 'USER_PASSWORD_AUTH',
      ClientId: 'client123',
      AuthParameters: { USERNAME: 'operator@wecare.digital', PASSWORD: 'pw' },
    });
  });

  it('says "Incorrect email or password." for a wrong password or an unknown user', async () => {
    for (const type of ['NotAuthorizedException', 'UserNotFoundException']) {
      const network = fakeFetch({ 'POST cognito InitiateAuth': () => json(400, { __type: type, message: 'x' }) });
      const error = await signInWithPassword(testConfig, { email: 'a', password: 'b' }, { fetchFn: network.fetch }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(CognitoError);
      expect(signInErrorMessage(error)).toBe('Incorrect email or password.');
    }
  });

  it('says so when an Admin disabled the account', async () => {
    const network = fakeFetch({ 'POST cognito InitiateAuth': () => json(400, { __type: 'NotAuthorizedException', message: 'User is disabled.' }) });
    const error = await signInWithPassword(testConfig, { email: 'a', password: 'b' }, { fetchFn: network.fetch }).catch((e: unknown) => e);
    expect(signInErrorMessage(error)).toBe('This account is disabled. Ask an Admin of your organisation to enable it.');
  });

  it('hands back the new-password challenge of a first sign-in with its session', async () => {
    const network = fakeFetch({
      'POST cognito InitiateAuth': () =>
        json(200, { ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: 'session-1', ChallengeParameters: { USERNAME: 'uuid-1' } }),
    });
    const outcome = await signInWithPassword(testConfig, { email: ' New@Example.com ', password: 'Temp!1234' }, { fetchFn: network.fetch });
    expect(outcome).toEqual({ kind: 'newPasswordRequired', session: 'session-1', email: 'New@Example.com' });
  });

  it('explains a challenge it cannot answer and an unreachable service', async () => {
    const challenge = fakeFetch({ 'POST cognito InitiateAuth': () => json(200, { ChallengeName: 'SMS_MFA', Session: 's' }) });
    const error = await signInWithPassword(testConfig, { email: 'a', password: 'b' }, { fetchFn: challenge.fetch }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(CognitoError);
    expect(signInErrorMessage(error)).toMatch(/Sign-in failed: Cognito asks for SMS_MFA/);
    const down = (() => Promise.reject(new TypeError('Failed to fetch'))) as typeof fetch;
    const offline = await signInWithPassword(testConfig, { email: 'a', password: 'b' }, { fetchFn: down }).catch((e: unknown) => e);
    expect(signInErrorMessage(offline)).toMatch(/Cannot reach the sign-in service/);
  });
});

describe('completeNewPassword', () => {
  it('answers NEW_PASSWORD_REQUIRED with the session, the email and the chosen password, and keeps the tokens', async () => {
    const network = fakeFetch({ 'POST cognito RespondToAuthChallenge': () => json(200, authResult()) });
    const tokens = await completeNewPassword(
      testConfig,
      { session: 'session-1', email: 'new@example.com', newPassword: 'Chosen!Passw0rd' },
      { fetchFn: network.fetch, now },
    );
    expect(tokens.idToken).toBe('id');
    expect(tokens.expiresAt).toBe(1_000_000 + 3600_000);
    const [request] = network.requests;
    expect(request?.headers.get('X-Amz-Target')).toBe('AWSCognitoIdentityProviderService.RespondToAuthChallenge');
    expect(request?.body).toEqual({
      ClientId: 'client123',
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: 'session-1',
      ChallengeResponses: { USERNAME: 'new@example.com', NEW_PASSWORD: 'Chosen!Passw0rd' },
    });
  });

  it('says what to do when Cognito refuses the password or the sign-in expired', async () => {
    const refuse = (type: string, message: string) =>
      completeNewPassword(
        testConfig,
        { session: 's', email: 'a@example.com', newPassword: 'x' },
        { fetchFn: fakeFetch({ 'POST cognito RespondToAuthChallenge': () => json(400, { __type: type, message }) }).fetch },
      ).catch((e: unknown) => e);
    expect(newPasswordErrorMessage(await refuse('InvalidPasswordException', 'Password did not conform with policy: Password not long enough.'))).toBe(
      'This password is not accepted (Password did not conform with policy: Password not long enough). Choose one that meets every rule listed.',
    );
    expect(newPasswordErrorMessage(await refuse('NotAuthorizedException', 'Invalid session for the user, session is expired.'))).toBe(
      'This sign-in has expired. Sign in again with your temporary password.',
    );
  });
});

describe('refreshTokens', () => {
  it('uses REFRESH_TOKEN_AUTH and keeps the refresh token Cognito does not return', async () => {
    const network = fakeFetch({ 'POST cognito InitiateAuth': () => json(200, authResult(false)) });
    const tokens = await refreshTokens(testConfig, 'the-refresh-token', { fetchFn: network.fetch, now });
    expect(network.requests[0]?.body).toMatchObject({
      AuthFlow: 'REFRESH_TOKEN_AUTH',
      AuthParameters: { REFRESH_TOKEN: 'the-refresh-token' },
    });
    expect(tokens.refreshToken).toBe('the-refresh-token');
    expect(tokens.idToken).toBe('id');
  });

  it('treats a refused refresh token as the end of the session', async () => {
    const network = fakeFetch({
      'POST cognito InitiateAuth': () => json(400, { __type: 'NotAuthorizedException', message: 'Refresh Token has expired' }),
    });
    const error = await refreshTokens(testConfig, 'old', { fetchFn: network.fetch }).catch((e: unknown) => e);
    expect(isSessionOver(error)).toBe(true);
    expect(isSessionOver(new CognitoError('NetworkError', 'x'))).toBe(false);
  });
});
