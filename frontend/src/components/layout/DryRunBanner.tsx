// The console's warning that this deployment does not send: in DRY_RUN every check runs and every
// message is recorded, but no provider is called, so an operator must not believe a customer got
// anything. Shown at the top of every signed-in page, to every role; LIVE shows nothing.
import { dryRunSentence, type Deployment } from '@/lib/deployment';

export function DryRunBanner({ deployment }: { deployment: Deployment | undefined }) {
  if (deployment?.sendMode !== 'DRY_RUN') return null;
  return (
    <div className="dry-run-banner" role="status">
      <span className="dry-run-banner__mode">DRY RUN</span>
      <p>{dryRunSentence(deployment)}</p>
    </div>
  );
}
