// GET /api/overview?utcOffsetMinutes=: the console's home — messages per channel and status for
// each hour of today and each of the last seven days (the reader's days: the browser's offset is
// sent), delivery and read rates, the WhatsApp tier's use, the dead-letter queues' depth (Admins
// only, null for others) and the running bulk jobs. Read from counters the API keeps as messages
// are written, so a load costs the same however busy the week; refreshed every minute.
import { useQuery } from '@tanstack/react-query';
import * as z from 'zod/mini';
import type { ApiClient } from '@/lib/api-client';
import { useApiClient } from '@/lib/api-client-context';

/** What is counted of a message, as the API names it. */
export const COUNTED = ['sent', 'delivered', 'read', 'failed', 'unknown', 'dryRun', 'received'] as const;
export type Counted = (typeof COUNTED)[number];

export const OVERVIEW_CHANNELS = ['whatsapp', 'sms', 'email'] as const;
export type OverviewChannel = (typeof OVERVIEW_CHANNELS)[number];

const count = z._default(z.number(), 0);

export const countsSchema = z.object({
  sent: count,
  delivered: count,
  read: count,
  failed: count,
  unknown: count,
  dryRun: count,
  received: count,
});

export type Counts = z.infer<typeof countsSchema>;

const byChannel = z.object({ whatsapp: countsSchema, sms: countsSchema, email: countsSchema });

export type ByChannel = z.infer<typeof byChannel>;

const channelSummarySchema = z.object({
  channel: z.string(),
  totals: countsSchema,
  /** Whether delivery and read statuses of this channel reach the platform. */
  reportsStatuses: z.boolean(),
  /** Delivered of sent over the seven days (0–1); null with nothing to divide or no statuses. */
  deliveryRate: z.nullable(z.number()),
  /** Read of delivered over the seven days (0–1). */
  readRate: z.nullable(z.number()),
});

export type ChannelSummary = z.infer<typeof channelSummarySchema>;

const tierSchema = z.object({
  wabaId: z.string(),
  /** The tenant's numbers on the business account. */
  numbers: z.array(z.string()),
  used: z.number(),
  limit: z.number(),
  warnAt: z.number(),
});

export type Tier = z.infer<typeof tierSchema>;

const queueDepthSchema = z.object({
  queue: z.string(),
  /** null when SQS did not answer. */
  depth: z.nullable(z.number()),
});

export type QueueDepth = z.infer<typeof queueDepthSchema>;

const progressSchema = z.object({
  total: z.number(),
  pending: z.number(),
  sent: z.number(),
  failed: z.number(),
  skipped: z._default(z.record(z.string(), z.number()), {}),
  unknown: z._default(z.number(), 0),
  cancelled: z._default(z.number(), 0),
});

export type JobProgress = z.infer<typeof progressSchema>;

const runningJobSchema = z.object({
  jobId: z.string().check(z.minLength(1)),
  name: z.nullish(z.string()),
  channel: z.string(),
  status: z.string(),
  progress: progressSchema,
  stalled: z._default(z.boolean(), false),
  createdAt: z.string(),
});

export type RunningJob = z.infer<typeof runningJobSchema>;

export const overviewSchema = z.object({
  generatedAt: z.string(),
  messages: z.object({
    utcOffsetMinutes: z.number(),
    /** Every hour of today so far, oldest first (`hour`: its start, ISO UTC). */
    today: z.array(z.object({ hour: z.string(), channels: byChannel })),
    /** The last seven days, oldest first (`date`: YYYY-MM-DD, the reader's day). */
    days: z.array(z.object({ date: z.string(), channels: byChannel })),
    channels: z.array(channelSummarySchema),
  }),
  tier: z.array(tierSchema),
  runningJobs: z.array(runningJobSchema),
  deadLetterQueues: z.nullable(z.array(queueDepthSchema)),
});

export type Overview = z.infer<typeof overviewSchema>;

/** How often the overview is read again while it is open. */
export const OVERVIEW_REFRESH_MS = 60_000;

/** The reader's offset from UTC in minutes (India: 330), for the API's days. */
export function utcOffsetMinutes(at: Date = new Date()): number {
  // `getTimezoneOffset` is UTC minus local; 0 rather than -0.
  return -at.getTimezoneOffset() || 0;
}

export const overviewKeys = {
  all: ['overview'] as const,
  of: (offset: number) => ['overview', offset] as const,
};

export function getOverview(api: ApiClient, offset: number, signal?: AbortSignal): Promise<Overview> {
  return api.get('/overview', overviewSchema, { query: { utcOffsetMinutes: offset }, signal });
}

export function useOverview() {
  const api = useApiClient();
  const offset = utcOffsetMinutes();
  return useQuery({
    queryKey: overviewKeys.of(offset),
    queryFn: ({ signal }) => getOverview(api, offset, signal),
    refetchInterval: OVERVIEW_REFRESH_MS,
  });
}
