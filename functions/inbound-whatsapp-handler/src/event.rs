//! The EUM Social event as it arrives through SNS.
//!
//! `Sns.Message` is a JSON envelope whose `whatsAppWebhookEntry` is itself a JSON *string*
//! holding one Meta `entry`. Since 2026 a sender may have no phone number (`from`/`wa_id`
//! missing) but always has a business-scoped user id (`from_user_id`/`user_id`).

use serde::Deserialize;
use serde_json::Value;

#[derive(Debug, Deserialize)]
pub struct Envelope {
    #[serde(default)]
    pub context: Context,
    #[serde(rename = "whatsAppWebhookEntry")]
    pub whatsapp_webhook_entry: String,
}

#[derive(Debug, Default, Deserialize)]
pub struct Context {
    #[serde(rename = "MetaPhoneNumberIds", default)]
    pub meta_phone_number_ids: Vec<PhoneNumberRef>,
    /// The business accounts the event is about (template events carry no phone number).
    #[serde(rename = "MetaWabaIds", default)]
    pub meta_waba_ids: Vec<WabaRef>,
}

#[derive(Debug, Deserialize)]
pub struct WabaRef {
    #[serde(rename = "wabaId", default)]
    pub waba_id: String,
}

#[derive(Debug, Deserialize)]
pub struct PhoneNumberRef {
    #[serde(rename = "metaPhoneNumberId", default)]
    pub meta_phone_number_id: String,
    #[serde(default)]
    pub arn: String,
}

impl PhoneNumberRef {
    /// `phone-number-id-…`, the id SendWhatsAppMessage takes, from the ARN
    /// (`arn:aws:social-messaging:…:phone-number-id/<id>`).
    pub fn phone_number_id(&self) -> Option<String> {
        let id = self.arn.rsplit_once("phone-number-id/")?.1;
        (!id.is_empty()).then(|| format!("phone-number-id-{id}"))
    }
}

#[derive(Debug, Deserialize)]
pub struct Entry {
    /// Meta's id of the business account.
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub changes: Vec<Change>,
}

#[derive(Debug, Deserialize)]
pub struct Change {
    #[serde(default)]
    pub field: String,
    pub value: ChangeValue,
}

#[derive(Debug, Deserialize)]
pub struct ChangeValue {
    #[serde(default)]
    pub contacts: Vec<WaContact>,
    #[serde(default)]
    pub messages: Vec<InboundMessage>,
    #[serde(default)]
    pub statuses: Vec<Status>,
    /// `message_template_status_update`: what Meta decided (APPROVED, REJECTED, PAUSED, …).
    #[serde(default)]
    pub event: Option<String>,
    #[serde(default)]
    pub message_template_name: Option<String>,
    #[serde(default)]
    pub message_template_language: Option<String>,
    /// Why, for a rejection ("NONE" otherwise).
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct WaContact {
    #[serde(default)]
    pub profile: Option<Profile>,
    pub wa_id: Option<String>,
    pub user_id: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Profile {
    pub name: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct InboundMessage {
    pub id: String,
    pub from: Option<String>,
    pub from_user_id: Option<String>,
    pub timestamp: String,
    #[serde(rename = "type")]
    pub kind: String,
    /// Everything else (text, image, location, interactive…), read by type.
    #[serde(flatten)]
    pub rest: serde_json::Map<String, Value>,
}

impl InboundMessage {
    pub fn text(&self) -> Option<&str> {
        match self.kind.as_str() {
            "text" => self.rest.get("text")?.get("body")?.as_str(),
            "image" | "video" | "document" => self.rest.get(&self.kind)?.get("caption")?.as_str(),
            "interactive" => {
                let i = self.rest.get("interactive")?;
                i.get("button_reply")
                    .or_else(|| i.get("list_reply"))?
                    .get("title")?
                    .as_str()
            }
            "button" => self.rest.get("button")?.get("text")?.as_str(),
            _ => None,
        }
    }

    /// `(media id, mime type)` of a media message.
    pub fn media(&self) -> Option<(&str, &str)> {
        if !matches!(self.kind.as_str(), "image" | "video" | "audio" | "document" | "sticker") {
            return None;
        }
        let m = self.rest.get(&self.kind)?;
        Some((
            m.get("id")?.as_str()?,
            m.get("mime_type")
                .and_then(Value::as_str)
                .unwrap_or("application/octet-stream"),
        ))
    }
}

#[derive(Debug, Deserialize)]
pub struct Status {
    pub id: String,
    pub status: String,
    #[serde(default)]
    pub biz_opaque_callback_data: Option<String>,
    #[serde(default)]
    pub errors: Vec<StatusError>,
}

#[derive(Debug, Deserialize)]
pub struct StatusError {
    pub code: Option<i64>,
    pub title: Option<String>,
    pub message: Option<String>,
}

/// Parses an SNS message into its envelope and Meta entry.
pub fn parse(sns_message: &str) -> Result<(Envelope, Entry), serde_json::Error> {
    let envelope: Envelope = serde_json::from_str(sns_message)?;
    let entry: Entry = serde_json::from_str(&envelope.whatsapp_webhook_entry)?;
    Ok((envelope, entry))
}
