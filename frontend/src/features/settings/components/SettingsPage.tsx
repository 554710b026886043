// Settings (Admins): what the deployment decides, shown so no one has to ask — the environment and
// whether it sends or only records (a dry run stands out), the senders of each channel with their
// rate limits, and each WhatsApp business account's use of its tier now — and what the
// organisation decides, in a form: AI automation, who receives alerts, and quiet hours.
import { Alert } from '@/components/Alert';
import { Button } from '@/components/Button';
import { NoAccess } from '@/components/NoAccess';
import { PageHeader } from '@/components/PageHeader';
import { Skeleton } from '@/components/Skeleton';
import { usePageTitle } from '@/hooks/use-page-title';
import { describeError } from '@/lib/api-error';
import { useCan } from '@/lib/authorization';
import { dryRunSentence, environmentLabel } from '@/lib/deployment';
import { useSettings } from '../api/get-settings';
import { useTimeZones } from '../api/get-time-zones';
import type { Settings, SettingsSender, SettingsTier } from '../api/settings';
import { SettingsForm } from './SettingsForm';
import { channelLabel, rateLabel, sendersByChannel } from './settings-text';
import { TierMeter } from './TierMeter';
import './settings.css';

function SettingsSkeleton() {
  return (
    <div className="settings-skeleton" aria-hidden="true">
      <Skeleton height="9rem" />
      <Skeleton height="9rem" />
      <Skeleton height="9rem" />
      <Skeleton height="20rem" />
    </div>
  );
}

function DeploymentPanel({ deployment }: { deployment: Settings['deployment'] }) {
  const dryRun = deployment.sendMode === 'DRY_RUN';
  return (
    <section className="panel" aria-labelledby="settings-deployment">
      <h2 className="panel__title" id="settings-deployment">
        Deployment
      </h2>
      <dl className="details">
        <div className="details__row">
          <dt>Environment</dt>
          <dd>{environmentLabel(deployment.environment)}</dd>
        </div>
        <div className="details__row">
          <dt>Send mode</dt>
          <dd>
            {dryRun ? (
              <span className="status-badge status-badge--warning settings-mode">Dry run (DRY_RUN)</span>
            ) : (
              <span className="status-badge status-badge--success">Live (LIVE)</span>
            )}
          </dd>
        </div>
      </dl>
      {dryRun ? (
        <p className="settings-dry-run">{dryRunSentence(deployment)}</p>
      ) : (
        <p className="muted">Messages go to customers through the providers.</p>
      )}
      <p className="muted">Set where the platform is deployed; it cannot be changed here.</p>
    </section>
  );
}

function SenderRow({ sender }: { sender: SettingsSender }) {
  return (
    <tr>
      <th scope="row" className="settings-sender">
        <span>{sender.label || sender.senderId}</span>
        {sender.default ? <span className="status-badge status-badge--neutral">Default</span> : null}
        <span className="muted settings-sender__id">{sender.senderId}</span>
      </th>
      <td className="settings-rate">{rateLabel(sender.ratePerSecond)}</td>
    </tr>
  );
}

function SendersPanel({ senders }: { senders: SettingsSender[] }) {
  const groups = sendersByChannel(senders);
  return (
    <section className="panel" aria-labelledby="settings-senders">
      <h2 className="panel__title" id="settings-senders">
        Senders
      </h2>
      {groups.length === 0 ? (
        <p className="muted">Your organisation has no senders yet: nothing can be sent until the deployment configures one.</p>
      ) : (
        groups.map((group) => (
          <div key={group.channel} className="settings-senders">
            <h3 className="settings-block__title">{channelLabel(group.channel)}</h3>
            <table className="table" aria-label={`${channelLabel(group.channel)} senders`}>
              <thead>
                <tr>
                  <th scope="col">Sender</th>
                  <th scope="col">Rate limit</th>
                </tr>
              </thead>
              <tbody>
                {group.senders.map((sender) => (
                  <SenderRow key={sender.senderId} sender={sender} />
                ))}
              </tbody>
            </table>
          </div>
        ))
      )}
      <p className="muted">A send without a chosen sender goes from its channel’s default.</p>
    </section>
  );
}

function TierPanel({ tiers }: { tiers: SettingsTier[] }) {
  return (
    <section className="panel" aria-labelledby="settings-tier">
      <h2 className="panel__title" id="settings-tier">
        WhatsApp tier
      </h2>
      {tiers.length === 0 ? (
        <p className="muted">No WhatsApp number is set up for your organisation.</p>
      ) : (
        <ul className="settings-tiers">
          {tiers.map((tier) => (
            <TierMeter key={tier.wabaId} tier={tier} />
          ))}
        </ul>
      )}
    </section>
  );
}

export function SettingsPage() {
  usePageTitle('Settings');
  const allowed = useCan('manageConfig');
  const settings = useSettings(allowed);
  const zones = useTimeZones(allowed);

  if (!allowed) return <NoAccess what="manage settings" />;

  const body = () => {
    if (settings.isPending) return <SettingsSkeleton />;
    if (!settings.data) {
      return (
        <Alert title="Settings could not be loaded.">
          <p>{describeError(settings.error)}</p>
          <p>Nothing was changed. Try again; if it keeps failing, check that the API is running.</p>
          <Button variant="secondary" onClick={() => void settings.refetch()} busy={settings.isFetching}>
            Try again
          </Button>
        </Alert>
      );
    }
    const data = settings.data;
    return (
      <>
        <div className="settings-grid">
          <div className="settings-column">
            <DeploymentPanel deployment={data.deployment} />
            <TierPanel tiers={data.tiers} />
          </div>
          <SendersPanel senders={data.senders} />
        </div>
        <SettingsForm
          settings={data}
          timeZones={zones.data ?? null}
          timeZonesFailed={zones.isError}
          onRetryTimeZones={() => void zones.refetch()}
          onReload={async () => {
            const read = await settings.refetch();
            return read.isSuccess ? read.data : undefined;
          }}
        />
      </>
    );
  };

  return (
    <>
      <PageHeader title="Settings">
        <p className="muted">How this deployment sends, and what your organisation has chosen. Every save is recorded in the audit log.</p>
      </PageHeader>
      {body()}
    </>
  );
}
