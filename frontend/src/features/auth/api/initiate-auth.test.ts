import { fakeFetch, json } from '@/testing/fake-fetch';
import { testConfig } from '@/testing/fixtures';
import { CognitoError, isSessionOver, refreshTokens, signInErrorMessage, signInWithPassword } from './initiate-auth';

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
    const tokens = await signInWithPassword(
      testConfig,
      { email: ' operator@wecare.digital ', password: 'pw' },
      { fetchFn: network.fetch, now },
    );
    expect(tokens).toEqual({ idToken: 'id', accessToken: 'access', refreshToken: 'refresh', expiresAt: 1_000_000 + 3600_000 });
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

  it('explains a challenge it cannot answer and an unreachable service', async () => {
    const challenge = fakeFetch({ 'POST cognito InitiateAuth': () => json(200, { ChallengeName: 'NEW_PASSWORD_REQUIRED' }) });
    const error = await signInWithPassword(testConfig, { email: 'a', password: 'b' }, { fetchFn: challenge.fetch }).catch(
      (e: unknown) => e,
    );
    expect(signInErrorMessage(error)).toMatch(/needs a new password/);
    const down = (() => Promise.reject(new TypeError('Failed to fetch'))) as typeof fetch;
    const offline = await signInWithPassword(testConfig, { email: 'a', password: 'b' }, { fetchFn: down }).catch((e: unknown) => e);
    expect(signInErrorMessage(offline)).toMatch(/Cannot reach the sign-in service/);
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
