//! What a dead-lettered message is, in each of the shapes it reaches its queue in, and whose.
//!
//! - `inbound-dlq` holds one failed inbound WhatsApp event in one of three shapes, all decoded to
//!   the SNS event Lambda gives the inbound handler:
//!   - the **SNS notification** itself: what SNS's subscription dead-letter queue receives in
//!     AWS, and what the local stack's redrive leaves after three failed receives
//!     (`crates/local/src/pump.rs`);
//!   - the notification **the handler sent itself** because no tenant owns the event's number or
//!     the event is unreadable, with its `reason` as a message attribute;
//!   - in AWS, Lambda's **on-failure destination record** of an asynchronous invocation that kept
//!     failing: the original SNS event under `requestPayload`, why under `requestContext`
//!     (`condition`, `approximateInvokeCount`) and `responsePayload` (`errorType`,
//!     `errorMessage`).
//!
//!   Its original id is the SNS message id, the same in every shape and every copy. It belongs to
//!   the tenant the inbound handler would store it under ([`inbound_whatsapp_handler::owner`]).
//! - `bulk-dlq` holds bulk work as `bulk-queue` had it (SQS moves it unchanged, keeping its id);
//!   the work names its tenant.
//! - `outbound-dlq` holds [`OutboundDeadLetter`]s, which name their tenant and the message id of
//!   their send.
//!
//! What is none of these shapes, or what no tenant owns (an event for a number nobody owns, a
//! template decision about an account several tenants share), belongs to nobody: it is shown to
//! nobody and replayed by nobody through the API, and not recorded — an operator of the
//! deployment sees it in SQS, and the queue's depth alarm says it is there. A tenant must not
//! decide about what may be another's. Ownership is judged by the senders configured now, so an
//! event dead-lettered for a number nobody owned becomes its tenant's once the number is given.

use aws_lambda_events::event::sns::{SnsEvent, SnsMessage, SnsRecord};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::{json, Value};
use wecare_bulk::work::Work;
use wecare_core::dlq::DlqQueue;
use wecare_core::sender::Senders;
use wecare_core::TenantId;
use wecare_messaging::dead_letter::OutboundDeadLetter;

use crate::queue::Received;

/// How long a text preview may be, in characters.
const PREVIEW_CHARS: usize = 80;

/// The shape a message reached its queue in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An SNS notification (the subscription's dead-letter queue, the local redrive).
    SnsNotification,
    /// Sent by the inbound handler itself: no tenant owns it, or it is unreadable.
    Unroutable,
    /// Lambda's on-failure destination record of an asynchronous invocation.
    LambdaOnFailure,
    /// Bulk work of this kind (`expand`, `chunk`, `check`, `sweep`).
    Bulk(&'static str),
    /// A send that failed on the platform's side.
    Send,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::SnsNotification => "sns-notification",
            Kind::Unroutable => "unroutable-event",
            Kind::LambdaOnFailure => "lambda-on-failure",
            Kind::Bulk(kind) => kind,
            Kind::Send => "send",
        }
    }
}

/// What a replay runs: the logic of the message's original consumer.
#[derive(Debug, Clone)]
pub enum Job {
    /// The inbound handler, on this event.
    Inbound(SnsEvent),
    /// `bulk-worker`, by putting this body back on `bulk-queue`.
    Bulk(String),
    /// The send pipeline, with the original idempotency key.
    Outbound(Box<OutboundDeadLetter>),
}

/// One dead-lettered message, decoded.
#[derive(Debug, Clone)]
pub struct DeadLetter {
    pub original_id: String,
    /// The tenant it belongs to; `None`: nobody's (see the module).
    pub owner: Option<TenantId>,
    pub kind: Kind,
    pub summary: Value,
    pub first_failed_at: Option<DateTime<Utc>>,
    /// The error it carried in, when its shape carries one.
    pub error: Option<String>,
    pub job: Job,
}

/// Decodes a message received from `queue`; `None` when it is none of the queue's shapes.
pub fn decode(queue: DlqQueue, m: &Received, senders: &Senders) -> Option<DeadLetter> {
    match queue {
        DlqQueue::Inbound => inbound(m, senders),
        DlqQueue::Bulk => bulk(m),
        DlqQueue::Outbound => outbound(m),
    }
}

/// An SNS notification, as SNS writes it to a queue and as Lambda's event carries it; read
/// leniently (the signing fields differ in spelling between the two and are not needed).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct Notification {
    #[serde(rename = "Type", default)]
    kind: Option<String>,
    message_id: String,
    #[serde(default)]
    topic_arn: Option<String>,
    #[serde(default)]
    subject: Option<String>,
    message: String,
    #[serde(default)]
    timestamp: Option<String>,
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s).ok().map(|t| t.with_timezone(&Utc))
}

/// The one-record event Lambda gives the handler for each notification.
fn sns_event(notes: &[Notification], fallback_time: DateTime<Utc>) -> SnsEvent {
    let mut event = SnsEvent::default();
    event.records = notes
        .iter()
        .map(|n| {
            let mut sns = SnsMessage::default();
            sns.sns_message_type = "Notification".into();
            sns.message_id = n.message_id.clone();
            sns.topic_arn = n.topic_arn.clone().unwrap_or_default();
            sns.subject = n.subject.clone();
            sns.timestamp = n.timestamp.as_deref().and_then(parse_time).unwrap_or(fallback_time);
            sns.signature_version = "1".into();
            sns.message = n.message.clone();
            let mut record = SnsRecord::default();
            record.event_source = "aws:sns".into();
            record.event_version = "1.0".into();
            record.event_subscription_arn = format!("{}:dlq-replay", sns.topic_arn);
            record.sns = sns;
            record
        })
        .collect();
    event
}

fn inbound(m: &Received, senders: &Senders) -> Option<DeadLetter> {
    let body: Value = serde_json::from_str(&m.body).ok()?;
    let (notes, kind, first_failed_at, error) = match body.get("requestPayload") {
        Some(payload) => {
            let notes = payload
                .get("Records")?
                .as_array()?
                .iter()
                .map(|r| serde_json::from_value::<Notification>(r.get("Sns")?.clone()).ok())
                .collect::<Option<Vec<_>>>()?;
            let failed_at = body.get("timestamp").and_then(Value::as_str).and_then(parse_time);
            (
                notes,
                Kind::LambdaOnFailure,
                failed_at.or(m.sent_at),
                on_failure_error(&body),
            )
        }
        None => {
            let note: Notification = serde_json::from_value(body).ok()?;
            if note.kind.as_deref().is_some_and(|k| k != "Notification") {
                return None;
            }
            // The handler's own dead letter was sent when it failed; a redriven notification was
            // first queued just before its first (failed) attempt.
            match m.attributes.get("reason") {
                Some(reason) => (vec![note], Kind::Unroutable, m.sent_at, Some(reason.clone())),
                None => (vec![note], Kind::SnsNotification, m.sent_at, None),
            }
        }
    };
    let first = notes.first()?;
    // SNS gives Lambda one record per event; should several arrive, all must be one tenant's.
    let owners: Vec<Option<TenantId>> = notes
        .iter()
        .map(|n| inbound_whatsapp_handler::owner(senders, &n.message))
        .collect();
    let owner = owners
        .first()
        .cloned()
        .flatten()
        .filter(|o| owners.iter().all(|x| x.as_ref() == Some(o)));
    Some(DeadLetter {
        original_id: first.message_id.clone(),
        owner,
        kind,
        summary: inbound_summary(&first.message),
        first_failed_at,
        error,
        job: Job::Inbound(sns_event(&notes, m.sent_at.unwrap_or_default())),
    })
}

/// Why Lambda gave up on an invocation, from its on-failure record.
fn on_failure_error(record: &Value) -> Option<String> {
    let context = record.get("requestContext");
    let condition = context.and_then(|c| c.get("condition")).and_then(Value::as_str);
    let invocations = context
        .and_then(|c| c.get("approximateInvokeCount"))
        .and_then(Value::as_u64);
    let response = record.get("responsePayload");
    let field = |k: &str| response.and_then(|r| r.get(k)).and_then(Value::as_str);
    let mut parts: Vec<String> = Vec::new();
    match (condition, invocations) {
        (Some(c), Some(n)) => parts.push(format!("{c} after {n} invocations")),
        (Some(c), None) => parts.push(c.to_string()),
        _ => {}
    }
    parts.extend(field("errorType").map(str::to_string));
    parts.extend(field("errorMessage").map(str::to_string));
    (!parts.is_empty()).then(|| parts.join(": "))
}

fn preview(text: &str) -> String {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(PREVIEW_CHARS).collect();
    if chars.next().is_some() {
        format!("{head}…")
    } else {
        head
    }
}

/// Who wrote, what kind of message and the start of its text; or what the event is instead.
fn inbound_summary(sns_message: &str) -> Value {
    let Ok((envelope, entry)) = inbound_whatsapp_handler::parse(sns_message) else {
        return json!({ "messageType": "unreadable" });
    };
    let number = envelope
        .context
        .meta_phone_number_ids
        .first()
        .and_then(|n| n.phone_number_id());
    let messages: Vec<&inbound_whatsapp_handler::event::InboundMessage> =
        entry.changes.iter().flat_map(|c| &c.value.messages).collect();
    if let Some(m) = messages.first() {
        return json!({
            "messageType": m.kind,
            "sender": m.from.as_deref().map(|f| format!("+{}", f.trim_start_matches('+'))).or_else(|| m.from_user_id.clone()),
            "textPreview": m.text().map(preview),
            "messages": messages.len(),
            "to": number,
        });
    }
    let statuses: Vec<&str> = entry
        .changes
        .iter()
        .flat_map(|c| &c.value.statuses)
        .map(|s| s.status.as_str())
        .collect();
    if !statuses.is_empty() {
        return json!({ "messageType": "status", "statuses": statuses, "to": number });
    }
    match entry.changes.first() {
        Some(c) => json!({
            "messageType": c.field,
            "template": c.value.message_template_name,
            "language": c.value.message_template_language,
            "event": c.value.event,
        }),
        None => json!({ "messageType": "empty" }),
    }
}

fn bulk(m: &Received) -> Option<DeadLetter> {
    let work: Work = serde_json::from_str(&m.body).ok()?;
    let (tenant, job_id) = work.job();
    let mut summary = json!({ "jobId": job_id, "work": work.kind() });
    if let Work::Chunk { recipients, .. } = &work {
        summary["recipients"] = json!(recipients.len());
    }
    Some(DeadLetter {
        original_id: m.sqs_id.clone(),
        owner: Some(tenant.clone()),
        kind: Kind::Bulk(work.kind()),
        summary,
        // When the work was queued, just before the attempts that failed; SQS keeps no reason.
        first_failed_at: m.sent_at,
        error: None,
        job: Job::Bulk(m.body.clone()),
    })
}

fn outbound(m: &Received) -> Option<DeadLetter> {
    let letter = OutboundDeadLetter::parse(&m.body).ok()?;
    Some(DeadLetter {
        original_id: letter.message_id.clone(),
        owner: Some(letter.tenant.clone()),
        kind: Kind::Send,
        summary: json!({
            "contactId": letter.contact_id,
            "channel": letter.channel(),
            "purpose": letter.purpose,
            "from": letter.from,
        }),
        first_failed_at: Some(letter.failed_at),
        error: Some(letter.error.clone()),
        job: Job::Outbound(Box::new(letter)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;
    use wecare_core::rate::Rate;
    use wecare_core::sender::DefaultRates;

    const NUMBER: &str = "phone-number-id-0a1b2c3d";

    fn senders() -> Senders {
        let list =
            json!([{ "tenant": "wecare", "channel": "whatsapp", "id": NUMBER, "label": "+91 1", "wabaId": "1022" }]);
        let rate = Rate::steady(10.0);
        Senders::parse(
            &list.to_string(),
            DefaultRates {
                whatsapp: rate,
                sms: rate,
                email: rate,
            },
        )
        .unwrap()
    }

    fn envelope(number: &str) -> String {
        let bare = number.trim_start_matches("phone-number-id-");
        let entry = json!({ "id": "1022", "changes": [{ "field": "messages", "value": {
            "messages": [{ "from": "919800000001", "id": "wamid.1", "timestamp": "1764646243", "type": "text", "text": { "body": "hello there" } }]
        }}]});
        json!({
            "context": { "MetaPhoneNumberIds": [{ "metaPhoneNumberId": "1065", "arn": format!("arn:aws:social-messaging:us-east-1:123456789012:phone-number-id/{bare}") }] },
            "whatsAppWebhookEntry": entry.to_string(),
        })
        .to_string()
    }

    fn received(body: Value, attributes: &[(&str, &str)]) -> Received {
        Received {
            sqs_id: "sqs-1".into(),
            receipt_handle: "h".into(),
            body: body.to_string(),
            attributes: attributes
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<HashMap<_, _>>(),
            sent_at: DateTime::from_timestamp(1_764_646_300, 0),
        }
    }

    fn notification(number: &str) -> Value {
        json!({
            "Type": "Notification", "MessageId": "sns-1", "TopicArn": "arn:aws:sns:us-east-1:123456789012:events",
            "Message": envelope(number), "Timestamp": "2026-12-02T03:30:43.271Z",
            "SignatureVersion": "1", "Signature": "x", "SigningCertURL": "https://x", "UnsubscribeURL": "https://y",
        })
    }

    #[test]
    fn an_sns_notification_is_the_event_of_the_tenant_owning_its_number() {
        let d = decode(DlqQueue::Inbound, &received(notification(NUMBER), &[]), &senders()).unwrap();
        assert_eq!(d.original_id, "sns-1");
        assert_eq!(d.owner.as_ref().map(TenantId::as_str), Some("wecare"));
        assert_eq!(d.kind, Kind::SnsNotification);
        assert_eq!(d.summary["sender"], "+919800000001");
        assert_eq!(d.summary["textPreview"], "hello there");
        let Job::Inbound(event) = d.job else { panic!("inbound") };
        assert_eq!(event.records[0].sns.message, envelope(NUMBER));
    }

    #[test]
    fn the_handlers_own_dead_letter_carries_its_reason_and_an_unowned_number_belongs_to_nobody() {
        let m = received(notification("phone-number-id-ffff"), &[("reason", "UNOWNED_NUMBER: …")]);
        let d = decode(DlqQueue::Inbound, &m, &senders()).unwrap();
        assert_eq!((d.kind, d.owner), (Kind::Unroutable, None));
        assert_eq!(d.error.as_deref(), Some("UNOWNED_NUMBER: …"));
    }

    #[test]
    fn a_lambda_on_failure_record_is_decoded_to_its_request_payload_with_the_reason() {
        let record = json!({
            "version": "1.0",
            "timestamp": "2026-12-02T03:31:50.123Z",
            "requestContext": {
                "requestId": "e4b46cbf-b738-4f1a-8880-a18cdf61200e",
                "functionArn": "arn:aws:lambda:us-east-1:123456789012:function:wecare-production-inbound-whatsapp-handler:$LATEST",
                "condition": "RetriesExhausted",
                "approximateInvokeCount": 3,
            },
            "requestPayload": { "Records": [{
                "EventSource": "aws:sns", "EventVersion": "1.0",
                "EventSubscriptionArn": "arn:aws:sns:us-east-1:123456789012:events:2b1c",
                "Sns": {
                    "Type": "Notification", "MessageId": "sns-1", "TopicArn": "arn:aws:sns:us-east-1:123456789012:events",
                    "Subject": null, "Message": envelope(NUMBER), "Timestamp": "2026-12-02T03:30:43.271Z",
                    "SignatureVersion": "1", "Signature": "x", "SigningCertUrl": "https://x", "UnsubscribeUrl": "https://y",
                    "MessageAttributes": {},
                },
            }]},
            "responseContext": { "statusCode": 200, "executedVersion": "$LATEST", "functionError": "Unhandled" },
            "responsePayload": { "errorType": "&alloc::boxed::Box<dyn core::error::Error + core::marker::Send + core::marker::Sync>", "errorMessage": "1 of 1 records failed" },
        });
        let d = decode(DlqQueue::Inbound, &received(record, &[]), &senders()).unwrap();
        assert_eq!((d.kind, d.original_id.as_str()), (Kind::LambdaOnFailure, "sns-1"));
        assert_eq!(d.owner.as_ref().map(TenantId::as_str), Some("wecare"));
        let error = d.error.unwrap();
        assert!(
            error.starts_with("RetriesExhausted after 3 invocations: ") && error.ends_with("1 of 1 records failed"),
            "{error}"
        );
        assert_eq!(d.first_failed_at, parse_time("2026-12-02T03:31:50.123Z"));
    }

    #[test]
    fn what_is_no_shape_of_its_queue_is_not_decoded() {
        for body in [
            json!("text"),
            json!({ "Type": "SubscriptionConfirmation", "MessageId": "x", "Message": "y" }),
        ] {
            assert!(decode(DlqQueue::Inbound, &received(body.clone(), &[]), &senders()).is_none());
            assert!(decode(DlqQueue::Bulk, &received(body.clone(), &[]), &senders()).is_none());
            assert!(decode(DlqQueue::Outbound, &received(body, &[]), &senders()).is_none());
        }
    }

    #[test]
    fn a_bulk_chunk_says_its_job_and_recipient_count() {
        let chunk = json!({ "kind": "chunk", "tenant": "globex", "jobId": "j-1", "recipients": [
            { "contactId": "0192f0c4-aaaa-7bbb-8ccc-123456789abc" }, { "contactId": "0192f0c4-aaaa-7bbb-8ccc-123456789abd" }
        ]});
        let d = decode(DlqQueue::Bulk, &received(chunk, &[]), &senders()).unwrap();
        assert_eq!(d.owner.as_ref().map(TenantId::as_str), Some("globex"));
        assert_eq!(d.summary, json!({ "jobId": "j-1", "work": "chunk", "recipients": 2 }));
        assert_eq!(d.original_id, "sqs-1");
    }

    #[test]
    fn a_long_text_is_previewed_in_eighty_characters() {
        assert_eq!(preview("short"), "short");
        let long = "é".repeat(100);
        assert_eq!(preview(&long).chars().count(), PREVIEW_CHARS + 1);
    }
}
