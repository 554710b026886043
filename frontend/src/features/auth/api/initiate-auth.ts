// Cognito's InitiateAuth, the one Cognito call the console makes: USER_PASSWORD_AUTH to sign in,
// REFRESH_TOKEN_AUTH to renew the tokens. Plain JSON over fetch (the AWS JSON 1.1 protocol needs
// no signing for these public-client flows), so moto locally and Cognito in AWS look the same.
import { useMutation } from '@tanstack/react-query';
import * as z from 'zod/mini';

export interface CognitoSettings {
  cognitoEndpoint: string;
  userPoolClientId: string;
}

export interface SessionTokens {
  idToken: string;
  accessToken: string;
  refreshToken: string;
  /** Milliseconds since the epoch when the ID token stops being accepted. */
  expiresAt: number;
}

const authenticationResultSchema = z.object({
  IdToken: z.string().check(z.minLength(1)),
  AccessToken: z.string().check(z.minLength(1)),
  RefreshToken: z.optional(z.string().check(z.minLength(1))),
  ExpiresIn: z.int().check(z.positive()),
});

const initiateAuthResponseSchema = z.union([
  z.object({ AuthenticationResult: authenticationResultSchema }),
  z.object({ ChallengeName: z.string() }),
]);

const cognitoErrorSchema = z.object({
  __type: z.string(),
  message: z.optional(z.string()),
  Message: z.optional(z.string()),
});

/** A refusal from Cognito (`type` is e.g. NotAuthorizedException), or `NetworkError`. */
export class CognitoError extends Error {
  override name = 'CognitoError';

  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

type AuthResult = z.infer<typeof authenticationResultSchema>;

async function initiateAuth(
  settings: CognitoSettings,
  flow: 'USER_PASSWORD_AUTH' | 'REFRESH_TOKEN_AUTH',
  parameters: Record<string, string>,
  fetchFn: typeof fetch,
): Promise<AuthResult> {
  let response: Response;
  try {
    response = await fetchFn(settings.cognitoEndpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': 'AWSCognitoIdentityProviderService.InitiateAuth',
      },
      body: JSON.stringify({ AuthFlow: flow, ClientId: settings.userPoolClientId, AuthParameters: parameters }),
    });
  } catch {
    throw new CognitoError('NetworkError', 'The sign-in service did not answer.');
  }
  const body: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    const error = cognitoErrorSchema.safeParse(body);
    if (!error.success) throw new CognitoError('UnknownError', `The sign-in service answered ${response.status}.`);
    // AWS may prefix the type with a namespace: "com.amazonaws…#NotAuthorizedException".
    const type = error.data.__type.split('#').pop() ?? error.data.__type;
    throw new CognitoError(type, error.data.message ?? error.data.Message ?? type);
  }
  const parsed = initiateAuthResponseSchema.safeParse(body);
  if (!parsed.success) throw new CognitoError('UnknownError', 'The sign-in service answered in an unexpected shape.');
  if (!('AuthenticationResult' in parsed.data)) {
    throw new CognitoError(`Challenge:${parsed.data.ChallengeName}`, `Cognito asks for ${parsed.data.ChallengeName}.`);
  }
  return parsed.data.AuthenticationResult;
}

/** Signs in with email and password. */
export async function signInWithPassword(
  settings: CognitoSettings,
  credentials: { email: string; password: string },
  { fetchFn = fetch, now = Date.now }: { fetchFn?: typeof fetch; now?: () => number } = {},
): Promise<SessionTokens> {
  const requestedAt = now();
  const result = await initiateAuth(
    settings,
    'USER_PASSWORD_AUTH',
    { USERNAME: credentials.email.trim(), PASSWORD: credentials.password },
    fetchFn,
  );
  if (!result.RefreshToken) throw new CognitoError('UnknownError', 'Cognito returned no refresh token.');
  return {
    idToken: result.IdToken,
    accessToken: result.AccessToken,
    refreshToken: result.RefreshToken,
    expiresAt: requestedAt + result.ExpiresIn * 1000,
  };
}

/** New ID and access tokens for a refresh token (Cognito keeps the refresh token). */
export async function refreshTokens(
  settings: CognitoSettings,
  refreshToken: string,
  { fetchFn = fetch, now = Date.now }: { fetchFn?: typeof fetch; now?: () => number } = {},
): Promise<SessionTokens> {
  const requestedAt = now();
  const result = await initiateAuth(settings, 'REFRESH_TOKEN_AUTH', { REFRESH_TOKEN: refreshToken }, fetchFn);
  return {
    idToken: result.IdToken,
    accessToken: result.AccessToken,
    refreshToken: result.RefreshToken ?? refreshToken,
    expiresAt: requestedAt + result.ExpiresIn * 1000,
  };
}

/** True when the refresh token itself was refused: the session is over. */
export function isSessionOver(error: unknown): boolean {
  return error instanceof CognitoError && error.type === 'NotAuthorizedException';
}

/** What the sign-in form says about a failed attempt. */
export function signInErrorMessage(error: unknown): string {
  if (!(error instanceof CognitoError)) return 'Sign-in failed. Try again.';
  switch (error.type) {
    case 'NotAuthorizedException':
      return /attempts exceeded/i.test(error.message)
        ? 'Too many failed attempts. Wait a few minutes and try again.'
        : 'Incorrect email or password.';
    case 'UserNotFoundException':
      return 'Incorrect email or password.';
    case 'UserNotConfirmedException':
      return 'This account is not confirmed yet. Ask your administrator.';
    case 'PasswordResetRequiredException':
    case 'Challenge:NEW_PASSWORD_REQUIRED':
      return 'This account needs a new password. Ask your administrator.';
    case 'TooManyRequestsException':
    case 'LimitExceededException':
      return 'Too many attempts. Wait a minute and try again.';
    case 'NetworkError':
      return 'Cannot reach the sign-in service. Check your connection and try again.';
    default:
      return `Sign-in failed: ${error.message}`;
  }
}

/** The sign-in form's mutation; `onSignedIn` stores the tokens in the session. */
export function useSignIn(settings: CognitoSettings, onSignedIn: (tokens: SessionTokens) => void) {
  return useMutation({
    mutationFn: (credentials: { email: string; password: string }) => signInWithPassword(settings, credentials),
    onSuccess: onSignedIn,
  });
}
