// The overview's numbers in the shapes its charts and cards draw, and in words: a channel's (or
// every channel's) counts, the series each chart shows with its colour and line, the points of
// today's hours and of the seven days, and sentences that say what a chart shows.
import type { ByChannel, Counted, Counts, JobProgress, Overview, OverviewChannel } from '../api/get-overview';
import { COUNTED, OVERVIEW_CHANNELS } from '../api/get-overview';

/** Which channels the page shows: one, or all of them added up. */
export type ChannelFilter = 'all' | OverviewChannel;

export const CHANNEL_LABEL: Record<OverviewChannel, string> = { whatsapp: 'WhatsApp', sms: 'SMS', email: 'Email' };

/** A channel's name for people; one the console does not know by its API name. */
export function channelLabel(channel: string): string {
  return (CHANNEL_LABEL as Record<string, string | undefined>)[channel] ?? channel;
}

export function isChannelFilter(value: string | null): value is ChannelFilter {
  return value === 'all' || (OVERVIEW_CHANNELS as readonly string[]).includes(value ?? '');
}

export function filterLabel(filter: ChannelFilter): string {
  return filter === 'all' ? 'all channels' : CHANNEL_LABEL[filter];
}

/** How a status is drawn: its name, a colour (a CSS custom property) and a line pattern, so no
 * series depends on colour alone. */
export interface SeriesStyle {
  key: Counted;
  label: string;
  /** e.g. `--chart-4`. */
  color: string;
  /** Canvas dash pattern; empty for a solid line. */
  dash: number[];
}

const STYLES: Record<Counted, SeriesStyle> = {
  sent: { key: 'sent', label: 'Sent', color: '--chart-4', dash: [] },
  delivered: { key: 'delivered', label: 'Delivered', color: '--chart-sent', dash: [8, 4] },
  read: { key: 'read', label: 'Read', color: '--chart-6', dash: [2, 3] },
  failed: { key: 'failed', label: 'Failed', color: '--chart-failed', dash: [12, 3, 2, 3] },
  received: { key: 'received', label: 'Received', color: '--chart-2', dash: [4, 4] },
  unknown: { key: 'unknown', label: 'Unknown', color: '--chart-unknown', dash: [1, 5] },
  dryRun: { key: 'dryRun', label: 'Dry run', color: '--chart-8', dash: [6, 2, 1, 2] },
};

/** Always shown: what every operator looks for. Unknown and dry run only when there are some. */
const ALWAYS: readonly Counted[] = ['sent', 'delivered', 'read', 'failed', 'received'];

export function emptyCounts(): Counts {
  return { sent: 0, delivered: 0, read: 0, failed: 0, unknown: 0, dryRun: 0, received: 0 };
}

/** The counts of one channel, or of all of them added up. */
export function countsOf(channels: ByChannel, filter: ChannelFilter): Counts {
  const picked = filter === 'all' ? OVERVIEW_CHANNELS.map((c) => channels[c]) : [channels[filter]];
  const sum = emptyCounts();
  for (const c of picked) for (const k of COUNTED) sum[k] += c[k];
  return sum;
}

export function addCounts(a: Counts, b: Counts): Counts {
  const sum = emptyCounts();
  for (const k of COUNTED) sum[k] = a[k] + b[k];
  return sum;
}

/** The series a chart of `points` shows. */
export function seriesFor(points: readonly Counts[]): SeriesStyle[] {
  const total = points.reduce(addCounts, emptyCounts());
  return COUNTED.filter((k) => ALWAYS.includes(k) || total[k] > 0).map((k) => STYLES[k]);
}

/** One point of a chart: how it is named, and its counts. */
export interface ChartPoint {
  label: string;
  counts: Counts;
}

const hourFormat = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short' });

/** "14:00" (or "2:00 PM"), in the reader's time zone. */
export function hourLabel(iso: string): string {
  const at = new Date(iso);
  return Number.isNaN(at.getTime()) ? iso : hourFormat.format(at);
}

/** "Fri, 4 Dec" for `2026-12-04`, the reader's day. */
export function dayLabel(date: string): string {
  const [y, m, d] = date.split('-').map(Number);
  if (!y || !m || !d) return date;
  return dayFormat.format(new Date(y, m - 1, d));
}

export function hourlyPoints(overview: Overview, filter: ChannelFilter): ChartPoint[] {
  return overview.messages.today.map((h) => ({ label: hourLabel(h.hour), counts: countsOf(h.channels, filter) }));
}

export function dailyPoints(overview: Overview, filter: ChannelFilter): ChartPoint[] {
  return overview.messages.days.map((d) => ({ label: dayLabel(d.date), counts: countsOf(d.channels, filter) }));
}

/** Today's counts (the last of the seven days). */
export function todayCounts(overview: Overview, filter: ChannelFilter): Counts {
  const today = overview.messages.days[overview.messages.days.length - 1];
  return today ? countsOf(today.channels, filter) : emptyCounts();
}

const numbers = new Intl.NumberFormat();

export function formatCount(n: number): string {
  return numbers.format(n);
}

/** What a chart shows, in a sentence: its totals and its busiest point. */
export function chartSummary(title: string, points: readonly ChartPoint[], series: readonly SeriesStyle[]): string {
  const total = points.reduce((sum, p) => addCounts(sum, p.counts), emptyCounts());
  const all = series.reduce((sum, s) => sum + total[s.key], 0);
  if (all === 0) return `${title}: no messages.`;
  const busiest = points.reduce<ChartPoint | null>((best, p) => (best === null || p.counts.sent + p.counts.received > best.counts.sent + best.counts.received ? p : best), null);
  const parts = series.map((s) => `${formatCount(total[s.key])} ${s.label.toLowerCase()}`).join(', ');
  const peak = busiest && busiest.counts.sent + busiest.counts.received > 0 ? `; the busiest, ${busiest.label}, with ${formatCount(busiest.counts.sent)} sent and ${formatCount(busiest.counts.received)} received` : '';
  return `${title}: ${parts}${peak}.`;
}

/** "92 %", or null when there is no rate. */
export function percent(rate: number | null): string | null {
  if (rate === null) return null;
  const p = rate * 100;
  return `${p >= 10 || p === 0 ? Math.round(p) : Math.round(p * 10) / 10} %`;
}

/** A progress bar's parts, in percent of the recipients. */
export function progressParts(p: JobProgress): { key: string; label: string; value: number; width: number }[] {
  const skipped = Object.values(p.skipped).reduce((s, n) => s + n, 0);
  const parts = [
    { key: 'sent', label: 'sent', value: p.sent },
    { key: 'failed', label: 'failed', value: p.failed },
    { key: 'unknown', label: 'unknown', value: p.unknown },
    { key: 'skipped', label: 'skipped', value: skipped },
    { key: 'cancelled', label: 'cancelled', value: p.cancelled },
  ];
  const total = Math.max(1, p.total);
  return parts.filter((x) => x.value > 0).map((x) => ({ ...x, width: Math.min(100, (x.value / total) * 100) }));
}

export function settledOf(p: JobProgress): number {
  return Math.min(p.total, Math.max(0, p.total - p.pending));
}

/** "12 of 20 settled: 10 sent, 2 failed". */
export function progressSentence(p: JobProgress): string {
  const parts = progressParts(p).map((x) => `${formatCount(x.value)} ${x.label}`);
  return `${formatCount(settledOf(p))} of ${formatCount(p.total)} settled${parts.length ? `: ${parts.join(', ')}` : ''}`;
}

export const QUEUE_LABEL: Record<string, string> = {
  'inbound-dlq': 'Inbound events',
  'bulk-dlq': 'Bulk work',
  'outbound-dlq': 'Sends',
};
