// Cognito's InitiateAuth and RespondToAuthChallenge, the Cognito calls the console makes:
// USER_PASSWORD_AUTH to sign in, NEW_PASSWORD_REQUIRED's answer at an invited user's first sign-in
// (they replace their temporary password), REFRESH_TOKEN_AUTH to renew the tokens. Plain JSON over
// fetch (the AWS JSON 1.1 protocol needs no signing for these public-client flows), so moto
// locally and Cognito in AWS look the same.
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
  z.object({ ChallengeName: z.string(), Session: z.optional(z.string()) }),
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

/** Cognito asks an invited user to replace their temporary password before it signs them in. */
export interface NewPasswordRequired {
  /** Cognito's session of this sign-in, to answer the challenge with (valid a few minutes). */
  session: string;
  email: string;
}

/** A sign-in's outcome: signed in, or asked for a new password first. */
export type SignInOutcome = { kind: 'signedIn'; tokens: SessionTokens } | ({ kind: 'newPasswordRequired' } & NewPasswordRequired);

type Answer = AuthResult | { challenge: string; session?: string | undefined };

async function callCognito(
  settings: CognitoSettings,
  operation: 'InitiateAuth' | 'RespondToAuthChallenge',
  request: Record<string, unknown>,
  fetchFn: typeof fetch,
): Promise<Answer> {
  let response: Response;
  try {
    response = await fetchFn(settings.cognitoEndpoint, {
      method: 'POST',
      headers: {
        'Content-Type': 'application/x-amz-json-1.1',
        'X-Amz-Target': `AWSCognitoIdentityProviderService.${operation}`,
      },
      body: JSON.stringify({ ClientId: settings.userPoolClientId, ...request }),
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
  if (!('AuthenticationResult' in parsed.data)) return { challenge: parsed.data.ChallengeName, session: parsed.data.Session };
  return parsed.data.AuthenticationResult;
}

/** The tokens of a completed sign-in, or an error for a challenge the console does not answer. */
function signedIn(answer: Answer, requestedAt: number): SessionTokens {
  if ('challenge' in answer) throw new CognitoError(`Challenge:${answer.challenge}`, `Cognito asks for ${answer.challenge}.`);
  if (!answer.RefreshToken) throw new CognitoError('UnknownError', 'Cognito returned no refresh token.');
  return {
    idToken: answer.IdToken,
    accessToken: answer.AccessToken,
    refreshToken: answer.RefreshToken,
    expiresAt: requestedAt + answer.ExpiresIn * 1000,
  };
}

/** Signs in with email and password; an invited user's first sign-in asks for a new password. */
export async function signInWithPassword(
  settings: CognitoSettings,
  credentials: { email: string; password: string },
  { fetchFn = fetch, now = Date.now }: { fetchFn?: typeof fetch; now?: () => number } = {},
): Promise<SignInOutcome> {
  const requestedAt = now();
  const email = credentials.email.trim();
  const answer = await callCognito(
    settings,
    'InitiateAuth',
    { AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: email, PASSWORD: credentials.password } },
    fetchFn,
  );
  if ('challenge' in answer && answer.challenge === 'NEW_PASSWORD_REQUIRED' && answer.session) {
    return { kind: 'newPasswordRequired', session: answer.session, email };
  }
  return { kind: 'signedIn', tokens: signedIn(answer, requestedAt) };
}

/** Answers NEW_PASSWORD_REQUIRED with the password the user chose; signs them in. */
export async function completeNewPassword(
  settings: CognitoSettings,
  { session, email, newPassword }: NewPasswordRequired & { newPassword: string },
  { fetchFn = fetch, now = Date.now }: { fetchFn?: typeof fetch; now?: () => number } = {},
): Promise<SessionTokens> {
  const requestedAt = now();
  const answer = await callCognito(
    settings,
    'RespondToAuthChallenge',
    { ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: session, ChallengeResponses: { USERNAME: email, NEW_PASSWORD: newPassword } },
    fetchFn,
  );
  return signedIn(answer, requestedAt);
}

/** New ID and access tokens for a refresh token (Cognito keeps the refresh token). */
export async function refreshTokens(
  settings: CognitoSettings,
  refreshToken: string,
  { fetchFn = fetch, now = Date.now }: { fetchFn?: typeof fetch; now?: () => number } = {},
): Promise<SessionTokens> {
  const requestedAt = now();
  const result = await callCognito(settings, 'InitiateAuth', { AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: refreshToken } }, fetchFn);
  if ('challenge' in result) throw new CognitoError(`Challenge:${result.challenge}`, `Cognito asks for ${result.challenge}.`);
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
      if (/attempts exceeded/i.test(error.message)) return 'Too many failed attempts. Wait a few minutes and try again.';
      if (/disabled/i.test(error.message)) return 'This account is disabled. Ask an Admin of your organisation to enable it.';
      return 'Incorrect email or password.';
    case 'UserNotFoundException':
      return 'Incorrect email or password.';
    case 'UserNotConfirmedException':
      return 'This account is not confirmed yet. Ask your administrator.';
    case 'PasswordResetRequiredException':
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

/** What the new-password form says about a refused answer, and what to do next. */
export function newPasswordErrorMessage(error: unknown): string {
  if (!(error instanceof CognitoError)) return 'Setting the password failed. Try again.';
  switch (error.type) {
    case 'InvalidPasswordException':
    case 'InvalidParameterException':
      return `This password is not accepted (${error.message.replace(/\.$/, '')}). Choose one that meets every rule listed.`;
    case 'NotAuthorizedException':
    case 'CodeMismatchException':
    case 'ExpiredCodeException':
      return 'This sign-in has expired. Sign in again with your temporary password.';
    default:
      return signInErrorMessage(error);
  }
}

/** The sign-in form's mutation; `onSignedIn` stores the tokens in the session. */
export function useSignIn(settings: CognitoSettings, onSignedIn: (tokens: SessionTokens) => void) {
  return useMutation({
    mutationFn: (credentials: { email: string; password: string }) => signInWithPassword(settings, credentials),
    onSuccess: (outcome) => {
      if (outcome.kind === 'signedIn') onSignedIn(outcome.tokens);
    },
  });
}

/** The new-password form's mutation; `onSignedIn` stores the tokens in the session. */
export function useCompleteNewPassword(settings: CognitoSettings, onSignedIn: (tokens: SessionTokens) => void) {
  return useMutation({
    mutationFn: (answer: NewPasswordRequired & { newPassword: string }) => completeNewPassword(settings, answer),
    onSuccess: onSignedIn,
  });
}
