//! The three provider calls, over the real SDK clients.
//!
//! Retries are the SDK's: standard mode, at most 3 attempts, exponential backoff with jitter, for
//! throttling and 5xx. What is left after that is classified once here: the provider refusing the
//! request (a 4xx validation error: the caller's problem, 400) or failing (502).

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::SdkConfig;
use aws_sdk_sesv2::types::{Body, Content as EmailText, Destination, EmailContent, Message as EmailMessage};
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde_json::json;
use wecare_core::whatsapp::MediaKind;
use wecare_store::messages::{ProviderError, Template};

use crate::ProviderEndpoints;

/// Whom a WhatsApp message goes to. Since 2026 a user with a WhatsApp username may write without
/// showing a number; Meta then gives only a business-scoped user id, and replies are addressed to
/// it in `recipient` instead of `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WhatsAppRecipient {
    Phone(String),
    User(String),
}

impl WhatsAppRecipient {
    /// The contact's number when known (it survives a change of username), else its user id.
    pub fn of(contact: &wecare_store::Contact) -> Option<Self> {
        match (&contact.phone, &contact.whatsapp_user_id) {
            (Some(p), _) => Some(WhatsAppRecipient::Phone(p.to_string())),
            (None, Some(u)) => Some(WhatsAppRecipient::User(u.clone())),
            (None, None) => None,
        }
    }

    pub fn as_str(&self) -> &str {
        match self {
            WhatsAppRecipient::Phone(p) | WhatsAppRecipient::User(p) => p,
        }
    }

    /// The field of Meta's message object that names the recipient.
    fn field(&self) -> &'static str {
        match self {
            WhatsAppRecipient::Phone(_) => "to",
            WhatsAppRecipient::User(_) => "recipient",
        }
    }
}

/// What a WhatsApp message carries.
#[derive(Debug, Clone, Copy)]
pub enum Content<'a> {
    Text(&'a str),
    Template(&'a Template),
    /// A file already handed to WhatsApp (`upload_media`).
    Media {
        kind: MediaKind,
        media_id: &'a str,
        caption: Option<&'a str>,
        filename: Option<&'a str>,
    },
}

#[derive(Clone)]
pub struct Providers {
    whatsapp: aws_sdk_socialmessaging::Client,
    sms: aws_sdk_pinpointsmsvoicev2::Client,
    email: aws_sdk_sesv2::Client,
}

pub enum Failure {
    Rejected(ProviderError),
    Failed(ProviderError),
}

fn retry() -> RetryConfig {
    RetryConfig::standard()
        .with_max_attempts(3)
        .with_initial_backoff(Duration::from_millis(200))
}

/// Codes that mean "this request is wrong", as opposed to "the service could not do it now".
const REJECTIONS: &[&str] = &[
    "ValidationException",
    "InvalidParametersException",
    "MessageRejected",
    "BadRequestException",
    "ConflictException",
];

fn classify<E: ProvideErrorMetadata + std::fmt::Debug>(err: &E) -> Failure {
    let code = err.code().unwrap_or("Unknown").to_string();
    let message = err.message().unwrap_or("no message").to_string();
    let p = ProviderError {
        code: code.clone(),
        message,
    };
    if REJECTIONS.contains(&code.as_str()) {
        Failure::Rejected(p)
    } else {
        Failure::Failed(p)
    }
}

impl Providers {
    pub fn new(sdk: &SdkConfig, endpoints: &ProviderEndpoints) -> Self {
        let mut wa = aws_sdk_socialmessaging::config::Builder::from(sdk).retry_config(retry());
        if let Some(url) = &endpoints.social_messaging {
            wa = wa.endpoint_url(url);
        }
        let mut sms = aws_sdk_pinpointsmsvoicev2::config::Builder::from(sdk).retry_config(retry());
        if let Some(url) = &endpoints.sms_voice {
            sms = sms.endpoint_url(url);
        }
        let email = aws_sdk_sesv2::config::Builder::from(sdk).retry_config(retry());
        Providers {
            whatsapp: aws_sdk_socialmessaging::Client::from_conf(wa.build()),
            sms: aws_sdk_pinpointsmsvoicev2::Client::from_conf(sms.build()),
            email: aws_sdk_sesv2::Client::from_conf(email.build()),
        }
    }

    /// Sends a WhatsApp message; `callback` comes back on every status of the message.
    pub async fn whatsapp(
        &self,
        from: &str,
        api_version: &str,
        to: &WhatsAppRecipient,
        content: Content<'_>,
        callback: &str,
    ) -> Result<String, Failure> {
        let message = whatsapp_message(to, content, callback);
        let out = self
            .whatsapp
            .send_whats_app_message()
            .origination_phone_number_id(from)
            .meta_api_version(api_version)
            .message(aws_smithy_types::Blob::new(message.to_string().into_bytes()))
            .send()
            .await
            .map_err(|e| classify(&e.into_service_error()))?;
        Ok(out.message_id.unwrap_or_default())
    }

    /// Hands an S3 object to WhatsApp for sending; returns the media id to send it by.
    pub async fn upload_media(&self, from: &str, bucket: &str, key: &str) -> Result<String, Failure> {
        let source = s3_file(bucket, key)?;
        let out = self
            .whatsapp
            .post_whats_app_message_media()
            .origination_phone_number_id(from)
            .source_s3_file(source)
            .send()
            .await
            .map_err(|e| classify(&e.into_service_error()))?;
        Ok(out.media_id.unwrap_or_default())
    }

    /// Copies an inbound media file from WhatsApp into S3; returns its MIME type and size.
    pub async fn fetch_media(
        &self,
        media_id: &str,
        phone_number_id: &str,
        bucket: &str,
        key: &str,
    ) -> Result<(String, i64), Failure> {
        let out = self
            .whatsapp
            .get_whats_app_message_media()
            .media_id(media_id)
            .origination_phone_number_id(phone_number_id)
            .destination_s3_file(s3_file(bucket, key)?)
            .send()
            .await
            .map_err(|e| classify(&e.into_service_error()))?;
        Ok((out.mime_type.unwrap_or_default(), out.file_size.unwrap_or_default()))
    }

    pub async fn sms(&self, from: &str, to: &str, text: &str, message_id: &str) -> Result<String, Failure> {
        let out = self
            .sms
            .send_text_message()
            .destination_phone_number(to)
            .origination_identity(from)
            .message_body(text)
            .message_type(aws_sdk_pinpointsmsvoicev2::types::MessageType::Transactional)
            .context("messageId", message_id)
            .send()
            .await
            .map_err(|e| classify(&e.into_service_error()))?;
        Ok(out.message_id.unwrap_or_default())
    }

    pub async fn email(
        &self,
        from: &str,
        to: &str,
        subject: &str,
        text: Option<&str>,
        html: Option<&str>,
    ) -> Result<String, Failure> {
        let content = |s: &str| EmailText::builder().data(s).charset("UTF-8").build();
        let mut body = Body::builder();
        if let Some(t) = text {
            body = body.text(content(t).map_err(|e| {
                Failure::Rejected(ProviderError {
                    code: "Build".into(),
                    message: e.to_string(),
                })
            })?);
        }
        if let Some(h) = html {
            body = body.html(content(h).map_err(|e| {
                Failure::Rejected(ProviderError {
                    code: "Build".into(),
                    message: e.to_string(),
                })
            })?);
        }
        let subject = content(subject).map_err(|e| {
            Failure::Rejected(ProviderError {
                code: "Build".into(),
                message: e.to_string(),
            })
        })?;
        let out = self
            .email
            .send_email()
            .from_email_address(from)
            .destination(Destination::builder().to_addresses(to).build())
            .content(
                EmailContent::builder()
                    .simple(EmailMessage::builder().subject(subject).body(body.build()).build())
                    .build(),
            )
            .send()
            .await
            .map_err(|e| classify(&e.into_service_error()))?;
        Ok(out.message_id.unwrap_or_default())
    }
}

/// The location of a file in S3 as socialmessaging takes it.
fn s3_file(bucket: &str, key: &str) -> Result<aws_sdk_socialmessaging::types::S3File, Failure> {
    aws_sdk_socialmessaging::types::S3File::builder()
        .bucket_name(bucket)
        .key(key)
        .build()
        .map_err(|e| {
            Failure::Rejected(ProviderError {
                code: "Build".into(),
                message: e.to_string(),
            })
        })
}

/// Meta's message object for `SendWhatsAppMessage`; `callback` comes back on every status.
fn whatsapp_message(to: &WhatsAppRecipient, content: Content<'_>, callback: &str) -> serde_json::Value {
    let mut message = json!({
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "biz_opaque_callback_data": callback,
    });
    message[to.field()] = json!(to.as_str());
    match content {
        Content::Text(t) => {
            message["type"] = json!("text");
            message["text"] = json!({ "preview_url": false, "body": t });
        }
        Content::Media {
            kind,
            media_id,
            caption,
            filename,
        } => {
            let mut media = json!({ "id": media_id });
            // Meta takes a caption on images, videos and documents, and a filename on documents.
            if let Some(c) =
                caption.filter(|_| matches!(kind, MediaKind::Image | MediaKind::Video | MediaKind::Document))
            {
                media["caption"] = json!(c);
            }
            if let Some(f) = filename.filter(|_| kind == MediaKind::Document) {
                media["filename"] = json!(f);
            }
            message["type"] = json!(kind.as_str());
            message[kind.as_str()] = media;
        }
        Content::Template(tpl) => {
            let params: Vec<_> = tpl
                .parameters
                .iter()
                .map(|p| json!({ "type": "text", "text": p }))
                .collect();
            let mut template = json!({ "name": tpl.name, "language": { "code": tpl.language } });
            if !params.is_empty() {
                template["components"] = json!([{ "type": "body", "parameters": params }]);
            }
            message["type"] = json!("template");
            message["template"] = template;
        }
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_number_is_addressed_in_to_and_a_user_id_in_recipient() {
        let by_phone = whatsapp_message(
            &WhatsAppRecipient::Phone("+919812345678".into()),
            Content::Text("hi"),
            "t:m",
        );
        assert_eq!(
            (by_phone["to"].as_str(), by_phone.get("recipient")),
            (Some("+919812345678"), None)
        );
        let by_user = whatsapp_message(
            &WhatsAppRecipient::User("IN.1234567890ABCDEF".into()),
            Content::Text("hi"),
            "t:m",
        );
        assert_eq!(
            (by_user["recipient"].as_str(), by_user.get("to")),
            (Some("IN.1234567890ABCDEF"), None)
        );
        assert_eq!(by_user["biz_opaque_callback_data"], "t:m");
        assert_eq!(by_user["text"], json!({ "preview_url": false, "body": "hi" }));
    }

    #[test]
    fn captions_and_file_names_go_only_where_whatsapp_shows_them() {
        let to = WhatsAppRecipient::Phone("+919812345678".into());
        let media = |kind| Content::Media {
            kind,
            media_id: "m-1",
            caption: Some("look"),
            filename: Some("a.pdf"),
        };
        assert_eq!(
            whatsapp_message(&to, media(MediaKind::Document), "c")["document"],
            json!({ "id": "m-1", "caption": "look", "filename": "a.pdf" })
        );
        assert_eq!(
            whatsapp_message(&to, media(MediaKind::Image), "c")["image"],
            json!({ "id": "m-1", "caption": "look" })
        );
        assert_eq!(
            whatsapp_message(&to, media(MediaKind::Audio), "c")["audio"],
            json!({ "id": "m-1" })
        );
    }

    #[test]
    fn template_parameters_fill_the_body_and_none_leaves_no_components() {
        let to = WhatsAppRecipient::Phone("+919812345678".into());
        let mut tpl = Template {
            name: "order_update".into(),
            language: "en".into(),
            parameters: vec!["Ada".into(), "42".into()],
        };
        let m = whatsapp_message(&to, Content::Template(&tpl), "c");
        assert_eq!(m["type"], "template");
        assert_eq!(
            m["template"]["components"],
            json!([{ "type": "body", "parameters": [{ "type": "text", "text": "Ada" }, { "type": "text", "text": "42" }] }])
        );
        tpl.parameters.clear();
        let m = whatsapp_message(&to, Content::Template(&tpl), "c");
        assert_eq!(
            m["template"],
            json!({ "name": "order_update", "language": { "code": "en" } })
        );
    }
}
