//! The event pump: delivers what SNS publishes to the inbound handler, as Lambda would.
//!
//! It long-polls the queue subscribed to the WhatsApp events topic, turns each SNS notification
//! into the `SnsEvent` Lambda would pass, and invokes the handler; success deletes the message,
//! failure leaves it to reappear after the visibility timeout, and the queue's redrive policy
//! moves it to `inbound-dlq` after three attempts. Messages of a batch run concurrently, since
//! SNS invokes Lambda once per message.

use std::sync::Arc;
use std::time::Duration;

use aws_lambda_events::event::sns::SnsEvent;
use serde_json::{json, Value};

use crate::functions::Functions;

/// Starts pumping `queue_url` into the inbound handler until the process ends.
pub fn start(sqs: aws_sdk_sqs::Client, queue_url: String, functions: Arc<Functions>) {
    tokio::spawn(async move {
        loop {
            let received = sqs
                .receive_message()
                .queue_url(&queue_url)
                .max_number_of_messages(10)
                .wait_time_seconds(1)
                .send()
                .await;
            let messages = match received {
                Ok(out) => out.messages.unwrap_or_default(),
                Err(e) => {
                    tracing::warn!(error = %e, "event queue not reachable; retrying");
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    continue;
                }
            };
            let work = messages.into_iter().map(|m| {
                let (sqs, url, functions) = (sqs.clone(), queue_url.clone(), functions.clone());
                async move {
                    let Some(event) = m.body().and_then(sns_event) else {
                        tracing::error!("event queue holds something that is not an SNS notification");
                        return;
                    };
                    match functions.inbound(event, wecare_core::time::now()).await {
                        Ok(()) => {
                            if let Some(handle) = m.receipt_handle() {
                                let _ = sqs.delete_message().queue_url(&url).receipt_handle(handle).send().await;
                            }
                        }
                        Err(e) => tracing::warn!(error = %e, "inbound event failed; SQS will redeliver it"),
                    }
                }
            });
            futures::future::join_all(work).await;
        }
    });
}

/// The `SnsEvent` Lambda receives for one SNS notification (as SNS delivers it to SQS).
pub(crate) fn sns_event(body: &str) -> Option<SnsEvent> {
    let n: Value = serde_json::from_str(body).ok()?;
    let event = json!({
        "Records": [{
            "EventSource": "aws:sns",
            "EventVersion": "1.0",
            "EventSubscriptionArn": format!("{}:local", n["TopicArn"].as_str().unwrap_or("")),
            "Sns": {
                "Type": n["Type"].as_str().unwrap_or("Notification"),
                "MessageId": n["MessageId"],
                "TopicArn": n["TopicArn"],
                "Subject": n.get("Subject").cloned().unwrap_or(Value::Null),
                "Message": n["Message"],
                "Timestamp": n["Timestamp"],
                "SignatureVersion": "1",
                "Signature": "",
                "SigningCertUrl": "",
                "UnsubscribeUrl": "",
                "MessageAttributes": {},
            },
        }],
    });
    serde_json::from_value(event)
        .map_err(|e| tracing::error!(error = %e, "cannot build the SNS event"))
        .ok()
}
