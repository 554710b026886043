// A WhatsApp business account's use of its messaging tier as a bar: how many business-initiated
// conversations the last 24 hours hold against the limit, turning to a warning at `warnAt`. The
// overview draws the same numbers as a donut; a page about limits reads better as a gauge, and the
// words under it say everything the colour does.
import type { SettingsTier } from '../api/settings';
import { tierView } from './settings-text';

export function TierMeter({ tier }: { tier: SettingsTier }) {
  const view = tierView(tier);
  const state = view.full ? 'full' : view.warning ? 'warning' : 'ok';
  return (
    <li className="tier">
      <p className="tier__numbers">{tier.numbers.length > 0 ? tier.numbers.join(', ') : tier.wabaId}</p>
      <div
        className={`tier__meter tier__meter--${state}`}
        role="meter"
        aria-label={`WhatsApp tier use of ${tier.numbers.join(', ') || tier.wabaId}`}
        aria-valuemin={0}
        aria-valuemax={Math.max(1, tier.limit)}
        aria-valuenow={Math.min(tier.used, Math.max(1, tier.limit))}
        aria-valuetext={view.sentence}
      >
        <span className="tier__fill" style={{ width: `${view.percent}%` }} />
        <span className="tier__mark" style={{ left: `${tier.limit > 0 ? Math.min(100, (tier.warnAt / tier.limit) * 100) : 100}%` }} aria-hidden="true" />
      </div>
      <p>{view.sentence}.</p>
      <p className={view.warning ? 'tier__note tier__note--warning' : 'muted'}>{view.note}</p>
      <p className="muted tier__account">Business account {tier.wabaId}</p>
    </li>
  );
}
