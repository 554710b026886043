//! Playing a customer: inbound messages and delivery statuses published to the SNS topic in moto
//! in the exact EUM Social envelope, where `whatsAppWebhookEntry` is a JSON *string* holding one
//! Meta `entry`. Duplicates (`copies`) and arbitrary order are the caller's to choose, because
//! that is what the real webhook does.

use axum::extract::State as AxState;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::{PhoneNumberSetting, State};

#[derive(Clone, Debug)]
pub struct Media {
    pub mime_type: String,
    pub bytes: Vec<u8>,
}

pub(crate) fn media(state: &State, id: &str) -> Option<Media> {
    state.media.lock().ok()?.get(id).cloned()
}

/// A small valid file of each kind, so what lands in S3 opens as what it claims to be.
fn sample_bytes(mime: &str) -> Vec<u8> {
    match mime {
        "image/png" | "image/webp" | "image/jpeg" => {
            // 1×1 transparent PNG.
            base64_decode(
                "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=",
            )
        }
        "application/pdf" => b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec(),
        _ => format!("sandbox media of type {mime}\n").into_bytes(),
    }
}

fn base64_decode(s: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(s).unwrap_or_default()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct InboundRequest {
    /// The customer's number (E.164); omitted for users known only by a business-scoped id.
    from: Option<String>,
    /// Business-scoped user id; generated from `from` when absent.
    from_user_id: Option<String>,
    name: Option<String>,
    /// Which of the business's numbers receives it (default: the first configured).
    phone_number_id: Option<String>,
    #[serde(rename = "type", default = "text_type")]
    kind: String,
    text: Option<String>,
    caption: Option<String>,
    mime_type: Option<String>,
    filename: Option<String>,
    latitude: Option<f64>,
    longitude: Option<f64>,
    button_id: Option<String>,
    button_title: Option<String>,
    /// Reuse a wamid to simulate a redelivery of the same message.
    id: Option<String>,
    timestamp: Option<i64>,
    #[serde(default = "one")]
    copies: u32,
}

fn text_type() -> String {
    "text".into()
}
fn one() -> u32 {
    1
}

fn number<'a>(state: &'a State, id: Option<&str>) -> Option<&'a PhoneNumberSetting> {
    let numbers = &state.config.phone_numbers;
    match id {
        Some(id) => numbers
            .iter()
            .find(|p| p.phone_number_id == id || p.meta_phone_number_id == id),
        None => numbers.first(),
    }
}

/// The region the sandbox's ARNs name.
fn region(state: &State) -> String {
    state
        .config
        .sdk
        .region()
        .map(|r| r.to_string())
        .unwrap_or_else(|| "us-east-1".into())
}

fn envelope(state: &State, pn: &PhoneNumberSetting, value: Value) -> String {
    envelope_of(state, &pn.waba_id, Some(pn), "messages", value)
}

/// The EUM Social envelope of one webhook change of `field` about the account `waba` (and the
/// phone number, for message events; account events such as template decisions name none).
fn envelope_of(state: &State, waba: &str, pn: Option<&PhoneNumberSetting>, field: &str, value: Value) -> String {
    let region = region(state);
    let account = &state.config.account_id;
    let numbers: Vec<Value> = pn
        .map(|pn| {
            json!({
                "metaPhoneNumberId": pn.meta_phone_number_id,
                // The ARN's resource is the bare id; `phone-number-id-…` is the form the API takes.
                "arn": format!(
                    "arn:aws:social-messaging:{region}:{account}:phone-number-id/{}",
                    pn.phone_number_id.trim_start_matches("phone-number-id-")
                ),
            })
        })
        .into_iter()
        .collect();
    let entry =
        json!({ "id": waba, "time": chrono::Utc::now().timestamp(), "changes": [{ "field": field, "value": value }] });
    json!({
        "context": {
            "MetaWabaIds": [{ "wabaId": waba, "arn": format!("arn:aws:social-messaging:{region}:{account}:waba/{waba}") }],
            "MetaPhoneNumberIds": numbers,
        },
        "whatsAppWebhookEntry": entry.to_string(),
        "aws_account_id": account,
        "message_timestamp": chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Nanos, true),
        "messageId": uuid::Uuid::new_v4().to_string(),
    })
    .to_string()
}

/// A template decision Meta announces: the template (its Meta id, name and language), the
/// decision, and why (a rejection's reason).
pub(crate) struct TemplateDecision<'a> {
    pub waba: &'a str,
    pub meta_id: &'a str,
    pub name: &'a str,
    pub language: &'a str,
    pub event: &'a str,
    pub reason: Option<&'a str>,
}

/// Publishes Meta's decision on a template (`message_template_status_update`) as EUM Social
/// would: an event about the business account, with no phone number.
pub(crate) async fn publish_template_status(state: &State, d: TemplateDecision<'_>) -> Result<(), String> {
    let value = json!({
        "event": d.event,
        "message_template_id": d.meta_id.parse::<u64>().unwrap_or_default(),
        "message_template_name": d.name,
        "message_template_language": d.language,
        "reason": d.reason.unwrap_or("NONE"),
    });
    let message = envelope_of(state, d.waba, None, "message_template_status_update", value);
    publish(state, message, 1)
        .await
        .map_err(|_| "publishing failed".to_string())
}

async fn publish(state: &State, message: String, copies: u32) -> Result<(), Response> {
    for _ in 0..copies.max(1) {
        state
            .sns
            .publish()
            .topic_arn(&state.config.events_topic_arn)
            .message(&message)
            .send()
            .await
            .map_err(|e| (StatusCode::BAD_GATEWAY, format!("publish to SNS failed: {e}")).into_response())?;
    }
    Ok(())
}

pub(crate) async fn message(AxState(state): AxState<State>, Json(req): Json<InboundRequest>) -> Response {
    let Some(pn) = number(&state, req.phone_number_id.as_deref()).cloned() else {
        return (StatusCode::BAD_REQUEST, "unknown phoneNumberId").into_response();
    };
    let wamid = req
        .id
        .clone()
        .unwrap_or_else(|| format!("wamid.{}", uuid::Uuid::new_v4().simple()));
    let wa_id = req.from.as_deref().map(|f| f.trim_start_matches('+').to_string());
    let user_id = req
        .from_user_id
        .clone()
        .unwrap_or_else(|| format!("IN.{}", wa_id.clone().unwrap_or_default()));
    let timestamp = req
        .timestamp
        .unwrap_or_else(|| chrono::Utc::now().timestamp())
        .to_string();

    let mut msg = json!({ "from_user_id": user_id, "id": wamid, "timestamp": timestamp, "type": req.kind });
    if let Some(w) = &wa_id {
        msg["from"] = json!(w);
    }
    let media_kinds = ["image", "video", "audio", "document", "sticker"];
    match req.kind.as_str() {
        "text" => msg["text"] = json!({ "body": req.text.clone().unwrap_or_else(|| "hi".into()) }),
        k if media_kinds.contains(&k) => {
            let mime = req.mime_type.clone().unwrap_or_else(|| {
                match k {
                    "image" => "image/jpeg",
                    "video" => "video/mp4",
                    "audio" => "audio/ogg",
                    "sticker" => "image/webp",
                    _ => "application/pdf",
                }
                .into()
            });
            let media_id = uuid::Uuid::new_v4().simple().to_string();
            let bytes = sample_bytes(&mime);
            if let Ok(mut m) = state.media.lock() {
                m.insert(
                    media_id.clone(),
                    Media {
                        mime_type: mime.clone(),
                        bytes,
                    },
                );
            }
            let mut obj =
                json!({ "id": media_id, "mime_type": mime, "sha256": format!("{:x}", uuid::Uuid::new_v4().as_u128()) });
            if let Some(c) = &req.caption {
                obj["caption"] = json!(c);
            }
            if k == "document" {
                obj["filename"] = json!(req.filename.clone().unwrap_or_else(|| "document.pdf".into()));
            }
            if k == "sticker" {
                obj["animated"] = json!(false);
            }
            msg[k] = obj;
        }
        "location" => {
            msg["location"] =
                json!({ "latitude": req.latitude.unwrap_or(22.5726), "longitude": req.longitude.unwrap_or(88.3639) })
        }
        "interactive" => {
            msg["interactive"] = json!({
                "type": "button_reply",
                "button_reply": { "id": req.button_id.clone().unwrap_or_else(|| "yes".into()), "title": req.button_title.clone().unwrap_or_else(|| "Yes".into()) },
            })
        }
        _ => {}
    }
    let mut contact =
        json!({ "profile": { "name": req.name.clone().unwrap_or_else(|| "Customer".into()) }, "user_id": user_id });
    if let Some(w) = &wa_id {
        contact["wa_id"] = json!(w);
    }
    let value = json!({
        "messaging_product": "whatsapp",
        "metadata": { "display_phone_number": pn.display_phone_number, "phone_number_id": pn.meta_phone_number_id },
        "contacts": [contact],
        "messages": [msg],
    });
    if let Err(r) = publish(&state, envelope(&state, &pn, value), req.copies).await {
        return r;
    }
    Json(json!({ "wamid": wamid, "published": req.copies.max(1) })).into_response()
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StatusRequest {
    /// The AWS message id SendWhatsAppMessage returned (looked up in the ledger) …
    message_id: Option<String>,
    /// … or the wamid directly.
    wamid: Option<String>,
    status: String,
    #[serde(default)]
    errors: Vec<Value>,
    timestamp: Option<i64>,
    #[serde(default = "one")]
    copies: u32,
}

pub(crate) async fn status(AxState(state): AxState<State>, Json(req): Json<StatusRequest>) -> Response {
    let sent = state.ledger.lock().ok().and_then(|l| {
        l.iter()
            .rev()
            .find(|e| {
                e.operation == "SendWhatsAppMessage"
                    && e.status == 200
                    && (req.message_id.as_deref().is_some_and(|m| e.response["messageId"] == m)
                        || req.wamid.as_deref().is_some_and(|w| e.response["wamid"] == w))
            })
            .cloned()
    });
    let Some(sent) = sent else {
        return (StatusCode::NOT_FOUND, "no such sent message in the ledger").into_response();
    };
    match publish_status(&state, &sent, &req.status, &req.errors, req.timestamp, req.copies).await {
        Ok(()) => Json(json!({ "wamid": sent.response["wamid"], "published": req.copies.max(1) })).into_response(),
        Err(r) => r,
    }
}

/// Publishes `status` for the send the ledger answered with `message_id` (the `statusFirst` fault).
pub(crate) async fn publish_status_of(state: &State, message_id: Option<&str>, status: &str) -> Result<(), String> {
    let sent = state
        .ledger
        .lock()
        .ok()
        .and_then(|l| {
            l.iter()
                .rev()
                .find(|e| {
                    e.operation == "SendWhatsAppMessage" && message_id.is_some_and(|m| e.response["messageId"] == m)
                })
                .cloned()
        })
        .ok_or("the send is not in the ledger")?;
    publish_status(state, &sent, status, &[], None, 1)
        .await
        .map_err(|_| "publishing failed".to_string())
}

/// Publishes a status event of a sent message, as EUM Social would.
async fn publish_status(
    state: &State,
    sent: &crate::LedgerEntry,
    status_name: &str,
    errors: &[Value],
    timestamp: Option<i64>,
    copies: u32,
) -> Result<(), Response> {
    let origination = sent.request["originationPhoneNumberId"].as_str().unwrap_or("");
    let Some(pn) = number(state, Some(origination.rsplit('/').next().unwrap_or(origination))).cloned() else {
        return Err((StatusCode::BAD_REQUEST, "the message's sender is unknown").into_response());
    };
    let message = &sent.request["message"];
    let recipient = message["to"]
        .as_str()
        .or(message["recipient"].as_str())
        .unwrap_or("")
        .trim_start_matches('+');
    let mut status = json!({
        "id": sent.response["wamid"],
        "status": status_name,
        "timestamp": timestamp.unwrap_or_else(|| chrono::Utc::now().timestamp()).to_string(),
        "recipient_id": recipient,
    });
    if let Some(data) = message["biz_opaque_callback_data"].as_str() {
        status["biz_opaque_callback_data"] = json!(data);
    }
    if status_name != "failed" {
        status["pricing"] =
            json!({ "billable": true, "pricing_model": "PMP", "type": "regular", "category": "utility" });
    } else {
        let errors = if errors.is_empty() {
            vec![json!({ "code": 131026, "title": "Message undeliverable", "message": "Message undeliverable" })]
        } else {
            errors.to_vec()
        };
        status["errors"] = json!(errors);
    }
    let value = json!({
        "messaging_product": "whatsapp",
        "metadata": { "display_phone_number": pn.display_phone_number, "phone_number_id": pn.meta_phone_number_id },
        "statuses": [status],
    });
    publish(state, envelope(state, &pn, value), copies).await
}
