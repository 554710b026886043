// Template messages sent per day over the last 30 days, stacked by category — what WhatsApp
// charges for, marketing costing the most — drawn, with each category's total in numbers.
import { Alert } from '@/components/Alert';
import { Button } from '@/components/Button';
import { StackedBarChart, type StackColumn, type StackSeries } from '@/components/charts/StackedBarChart';
import { categoryLabel } from '@/components/templates/template-labels';
import { Skeleton } from '@/components/Skeleton';
import { describeError } from '@/lib/api-error';
import { TEMPLATE_CATEGORIES } from '@/lib/whatsapp-templates';
import { USAGE_DAYS, useTemplateUsage, type UsageDay } from '../api/get-usage';

const COLORS: Record<string, string> = {
  MARKETING: 'var(--chart-5)',
  UTILITY: 'var(--chart-4)',
  AUTHENTICATION: 'var(--chart-6)',
};

const EXTRA_COLORS = ['var(--chart-2)', 'var(--chart-3)', 'var(--chart-7)', 'var(--chart-8)'];

const dayLabel = new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' });

function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Every day of the `days` ending today (or on the latest day reported), empty ones as zero, stacked by category. */
export function usageColumns(usage: readonly UsageDay[], days: number, now = Date.now()): { columns: StackColumn[]; series: StackSeries[] } {
  const latest = usage.reduce((max, u) => (u.day > max ? u.day : max), isoDay(now));
  const end = Date.parse(`${latest}T00:00:00Z`);
  const columns: StackColumn[] = Array.from({ length: days }, (_, i) => {
    const day = isoDay(end - (days - 1 - i) * 86_400_000);
    const values: Record<string, number> = {};
    for (const u of usage) if (u.day === day) values[u.category] = (values[u.category] ?? 0) + u.count;
    return { key: day, label: dayLabel.format(new Date(`${day}T00:00:00Z`)), values };
  });
  const others = [...new Set(usage.map((u) => u.category))].filter((c) => !(TEMPLATE_CATEGORIES as readonly string[]).includes(c));
  const series: StackSeries[] = [...TEMPLATE_CATEGORIES, ...others].map((category, i) => ({
    key: category,
    label: categoryLabel(category),
    color: COLORS[category] ?? EXTRA_COLORS[i % EXTRA_COLORS.length] ?? 'var(--chart-8)',
  }));
  return { columns, series };
}

export function UsageChart({ sender }: { sender: string | undefined }) {
  const usage = useTemplateUsage(sender);
  const body = () => {
    if (usage.isPending) return <Skeleton height="11rem" />;
    if (usage.isError) {
      return (
        <Alert title="The usage could not be loaded.">
          <p>{describeError(usage.error)}</p>
          <Button variant="secondary" onClick={() => void usage.refetch()} busy={usage.isFetching}>
            Try again
          </Button>
        </Alert>
      );
    }
    if (!usage.data.some((u) => u.count > 0)) return <p className="muted">No template messages were sent in the last {USAGE_DAYS} days.</p>;
    const { columns, series } = usageColumns(usage.data, USAGE_DAYS);
    return <StackedBarChart columns={columns} series={series} title={`Template messages per day, last ${USAGE_DAYS} days`} unit="messages" />;
  };
  return (
    <section className="panel templates-usage" aria-labelledby="templates-usage-title">
      <h2 className="panel__title" id="templates-usage-title">
        Template messages, last {USAGE_DAYS} days
      </h2>
      <p className="muted">By category: WhatsApp charges template messages by category, marketing the most.</p>
      {body()}
    </section>
  );
}
