// The deployment the console talks to: its environment and whether it sends (`LIVE`) or only
// records (`DRY_RUN`). `/api/me` carries it for every role (the app shell's dry-run banner) and
// `/api/settings` for Admins (the Settings page), so the shape and its words live here, once.
import * as z from 'zod/mini';

export const SEND_MODES = ['LIVE', 'DRY_RUN'] as const;
export type SendMode = (typeof SEND_MODES)[number];

export const deploymentSchema = z.object({
  /** `local`, `production`, `staging` or `preview`; kept as said if the API names another. */
  environment: z.string(),
  sendMode: z.enum(SEND_MODES),
});

export type Deployment = z.infer<typeof deploymentSchema>;

const ENVIRONMENT_LABEL: Record<string, string> = {
  local: 'Local',
  production: 'Production',
  staging: 'Staging',
  preview: 'Preview',
};

/** "Staging"; an environment the console does not know, as the API names it. */
export function environmentLabel(environment: string): string {
  return ENVIRONMENT_LABEL[environment] ?? environment;
}

/** What a dry run means for whoever is about to send something. */
export function dryRunSentence(deployment: Pick<Deployment, 'environment'>): string {
  return `Dry run — messages are recorded but nothing is sent to customers (environment ${deployment.environment}).`;
}
