// Why this exists: the functions publish business metrics through CloudWatch's Embedded Metric
// Format (crates/http/src/metrics.rs); the dashboard can only graph them if both sides agree on
// namespace, metric names and dimensions. This file is the infra side of that contract.

/** Namespace of every EMF metric the functions print (`wecare_http::metrics::NAMESPACE`). */
export const METRICS_NAMESPACE = 'WECARE.DIGITAL';

/** Channels as the Rust `Channel::as_str` spells them. */
export const CHANNELS = ['whatsapp', 'sms', 'email'] as const;
export type ChannelName = (typeof CHANNELS)[number];

/**
 * Delivery outcomes, counted once per message with dimensions `Environment` (the function's
 * `ENVIRONMENT`) and `Channel`: a send accepted by the provider (or recorded in DRY_RUN) counts
 * as succeeded; a send the provider rejected, or a `failed` delivery status, as failed.
 */
export const DELIVERY_SUCCEEDED = 'DeliverySucceeded';
export const DELIVERY_FAILED = 'DeliveryFailed';

/** The dimension set of the delivery metrics, in the order the EMF document declares them. */
export const DELIVERY_DIMENSIONS = ['Environment', 'Channel'] as const;

export const CHANNEL_TITLES: Readonly<Record<ChannelName, string>> = { whatsapp: 'WhatsApp', sms: 'SMS', email: 'Email' };
