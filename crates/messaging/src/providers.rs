//! The provider calls, over the real SDK clients, each answered as one [`Attempt`].
//!
//! No provider offers an idempotency token, so a request that may have been accepted must never
//! be sent again blindly. The SDK's own retries are therefore off, and every failure is classified
//! here once: the provider refused the request (a 4xx: definitive, nothing was sent), throttled it
//! (429 / `Throttl…`: nothing was sent, safe to retry), or its fate is unknown (a timeout, a reset
//! connection, an unreadable answer, a 5xx: it may have been accepted). The pipeline retries only
//! throttling, with backoff, and settles the unknown as `unknown`.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::SdkConfig;
use aws_sdk_sesv2::types::{Body, Content as EmailText, Destination, EmailContent, Message as EmailMessage};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use serde_json::json;
use wecare_core::whatsapp::MediaKind;
use wecare_store::messages::{ProviderError, Template};

use crate::ProviderEndpoints;

/// How one provider request ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempt {
    /// Accepted; the provider's id for it.
    Accepted(String),
    /// Refused definitively (a 4xx): nothing was sent and sending it again would be refused again.
    Refused(ProviderError),
    /// Throttled: nothing was sent; it may be tried again after a while.
    Throttled(ProviderError),
    /// It may or may not have been accepted.
    Ambiguous(ProviderError),
}

/// Codes that mean "not now": the request was not taken, so trying again is safe.
const THROTTLING: &[&str] = &[
    "ThrottledRequestException",
    "ThrottlingException",
    "TooManyRequestsException",
    "Throttling",
    "ServiceQuotaExceededException",
];

fn provider_error(code: &str, message: impl Into<String>) -> ProviderError {
    ProviderError {
        code: code.to_string(),
        message: message.into(),
    }
}

/// Classifies an SDK failure (see the module).
pub(crate) fn classify<E>(err: SdkError<E, HttpResponse>) -> Attempt
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    match err {
        // Never left this process.
        SdkError::ConstructionFailure(e) => Attempt::Refused(provider_error("RequestNotBuilt", format!("{e:?}"))),
        SdkError::TimeoutError(_) => {
            Attempt::Ambiguous(provider_error("Timeout", "the provider did not answer in time"))
        }
        SdkError::DispatchFailure(e) => Attempt::Ambiguous(provider_error(
            "ConnectionError",
            format!(
                "the connection failed: {:?}",
                e.as_connector_error().map(|c| c.to_string())
            ),
        )),
        SdkError::ResponseError(_) => Attempt::Ambiguous(provider_error(
            "ResponseError",
            "the provider's answer could not be read",
        )),
        SdkError::ServiceError(ctx) => {
            let status = ctx.raw().status().as_u16();
            let e = ctx.into_err();
            let code = e.code().unwrap_or("Unknown").to_string();
            let message = e.message().unwrap_or("no message").to_string();
            // WhatsApp's own throughput error, should it come through in the message.
            let throttled = status == 429 || THROTTLING.contains(&code.as_str()) || message.contains("130429");
            let p = provider_error(&code, message);
            if throttled {
                Attempt::Throttled(p)
            } else if status >= 500 {
                Attempt::Ambiguous(p)
            } else {
                Attempt::Refused(p)
            }
        }
        _ => Attempt::Ambiguous(provider_error("Unknown", "the request failed in an unexpected way")),
    }
}

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
    /// A template; its media header already handed to WhatsApp (`upload_media`) when it has one.
    Template {
        template: &'a Template,
        header_media: Option<(MediaKind, &'a str)>,
    },
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

/// No retries inside the SDK: a retried send could be a second message (the pipeline retries
/// what is safe to retry). Timeouts bound how long a send can hang.
fn retry() -> RetryConfig {
    RetryConfig::disabled()
}

fn timeouts() -> TimeoutConfig {
    TimeoutConfig::builder()
        .connect_timeout(Duration::from_secs(3))
        .operation_attempt_timeout(Duration::from_secs(10))
        .build()
}

fn built<T, E: std::fmt::Display>(r: Result<T, E>) -> Result<T, Attempt> {
    r.map_err(|e| Attempt::Refused(provider_error("RequestNotBuilt", e.to_string())))
}

impl Providers {
    pub fn new(sdk: &SdkConfig, endpoints: &ProviderEndpoints) -> Self {
        let mut wa = aws_sdk_socialmessaging::config::Builder::from(sdk)
            .retry_config(retry())
            .timeout_config(timeouts());
        if let Some(url) = &endpoints.social_messaging {
            wa = wa.endpoint_url(url);
        }
        let mut sms = aws_sdk_pinpointsmsvoicev2::config::Builder::from(sdk)
            .retry_config(retry())
            .timeout_config(timeouts());
        if let Some(url) = &endpoints.sms_voice {
            sms = sms.endpoint_url(url);
        }
        let email = aws_sdk_sesv2::config::Builder::from(sdk)
            .retry_config(retry())
            .timeout_config(timeouts());
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
    ) -> Attempt {
        let message = whatsapp_message(to, content, callback);
        match self
            .whatsapp
            .send_whats_app_message()
            .origination_phone_number_id(from)
            .meta_api_version(api_version)
            .message(aws_smithy_types::Blob::new(message.to_string().into_bytes()))
            .send()
            .await
        {
            Ok(out) => Attempt::Accepted(out.message_id.unwrap_or_default()),
            Err(e) => classify(e),
        }
    }

    /// Hands an S3 object to WhatsApp for sending; returns the media id to send it by.
    pub async fn upload_media(&self, from: &str, bucket: &str, key: &str) -> Attempt {
        let source = match s3_file(bucket, key) {
            Ok(s) => s,
            Err(a) => return a,
        };
        match self
            .whatsapp
            .post_whats_app_message_media()
            .origination_phone_number_id(from)
            .source_s3_file(source)
            .send()
            .await
        {
            Ok(out) => Attempt::Accepted(out.media_id.unwrap_or_default()),
            Err(e) => classify(e),
        }
    }

    /// Copies an inbound media file from WhatsApp into S3; returns its MIME type and size.
    pub async fn fetch_media(
        &self,
        media_id: &str,
        phone_number_id: &str,
        bucket: &str,
        key: &str,
    ) -> Result<(String, i64), ProviderError> {
        let problem = |a: Attempt| match a {
            Attempt::Refused(p) | Attempt::Throttled(p) | Attempt::Ambiguous(p) => p,
            Attempt::Accepted(_) => provider_error("Unknown", "no media"),
        };
        let out = self
            .whatsapp
            .get_whats_app_message_media()
            .media_id(media_id)
            .origination_phone_number_id(phone_number_id)
            .destination_s3_file(s3_file(bucket, key).map_err(problem)?)
            .send()
            .await
            .map_err(|e| problem(classify(e)))?;
        Ok((out.mime_type.unwrap_or_default(), out.file_size.unwrap_or_default()))
    }

    pub async fn sms(&self, from: &str, to: &str, text: &str, message_id: &str) -> Attempt {
        let sent = self
            .sms
            .send_text_message()
            .destination_phone_number(to)
            .origination_identity(from)
            .message_body(text)
            .message_type(aws_sdk_pinpointsmsvoicev2::types::MessageType::Transactional)
            .context("messageId", message_id)
            .send()
            .await;
        match sent {
            Ok(out) => Attempt::Accepted(out.message_id.unwrap_or_default()),
            Err(e) => classify(e),
        }
    }

    pub async fn email(&self, from: &str, to: &str, subject: &str, text: Option<&str>, html: Option<&str>) -> Attempt {
        match self.email_request(from, to, subject, text, html).await {
            Ok(a) | Err(a) => a,
        }
    }

    async fn email_request(
        &self,
        from: &str,
        to: &str,
        subject: &str,
        text: Option<&str>,
        html: Option<&str>,
    ) -> Result<Attempt, Attempt> {
        let content = |s: &str| built(EmailText::builder().data(s).charset("UTF-8").build());
        let mut body = Body::builder();
        if let Some(t) = text {
            body = body.text(content(t)?);
        }
        if let Some(h) = html {
            body = body.html(content(h)?);
        }
        let sent = self
            .email
            .send_email()
            .from_email_address(from)
            .destination(Destination::builder().to_addresses(to).build())
            .content(
                EmailContent::builder()
                    .simple(
                        EmailMessage::builder()
                            .subject(content(subject)?)
                            .body(body.build())
                            .build(),
                    )
                    .build(),
            )
            .send()
            .await;
        Ok(match sent {
            Ok(out) => Attempt::Accepted(out.message_id.unwrap_or_default()),
            Err(e) => classify(e),
        })
    }
}

/// The location of a file in S3 as socialmessaging takes it.
fn s3_file(bucket: &str, key: &str) -> Result<aws_sdk_socialmessaging::types::S3File, Attempt> {
    built(
        aws_sdk_socialmessaging::types::S3File::builder()
            .bucket_name(bucket)
            .key(key)
            .build(),
    )
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
        Content::Template {
            template: tpl,
            header_media,
        } => {
            // Named variables are given by name; numbered ones by position.
            let params: Vec<_> = tpl
                .parameters
                .iter()
                .enumerate()
                .map(|(i, p)| match tpl.parameter_names.get(i) {
                    Some(name) => json!({ "type": "text", "parameter_name": name, "text": p }),
                    None => json!({ "type": "text", "text": p }),
                })
                .collect();
            let split = tpl.header_parameters.min(params.len());
            let (header, body) = params.split_at(split);
            let mut components = Vec::new();
            if let Some((kind, id)) = header_media {
                components.push(
                    json!({ "type": "header", "parameters": [{ "type": kind.as_str(), kind.as_str(): { "id": id } }] }),
                );
            } else if !header.is_empty() {
                components.push(json!({ "type": "header", "parameters": header }));
            }
            if !body.is_empty() {
                components.push(json!({ "type": "body", "parameters": body }));
            }
            let mut template = json!({ "name": tpl.name, "language": { "code": tpl.language } });
            if !components.is_empty() {
                template["components"] = json!(components);
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
    fn template_parameters_fill_the_header_then_the_body_and_none_leaves_no_components() {
        let to = WhatsAppRecipient::Phone("+919812345678".into());
        let mut tpl = Template {
            name: "order_update".into(),
            language: "en".into(),
            parameters: vec!["A-7".into(), "Ada".into(), "42".into()],
            header_parameters: 1,
            parameter_names: vec![],
            header_media_key: None,
            category: None,
        };
        let template = |tpl: &Template| {
            whatsapp_message(
                &to,
                Content::Template {
                    template: tpl,
                    header_media: None,
                },
                "c",
            )
        };
        let m = template(&tpl);
        assert_eq!(m["type"], "template");
        assert_eq!(
            m["template"]["components"],
            json!([
                { "type": "header", "parameters": [{ "type": "text", "text": "A-7" }] },
                { "type": "body", "parameters": [{ "type": "text", "text": "Ada" }, { "type": "text", "text": "42" }] }
            ])
        );
        tpl.parameters.clear();
        tpl.header_parameters = 0;
        assert_eq!(
            template(&tpl)["template"],
            json!({ "name": "order_update", "language": { "code": "en" } })
        );
    }

    #[test]
    fn named_variables_are_sent_by_name_and_a_media_header_by_its_id() {
        let to = WhatsAppRecipient::Phone("+919812345678".into());
        let tpl = Template {
            name: "appointment_reminder".into(),
            language: "en_US".into(),
            parameters: vec!["Ada".into()],
            header_parameters: 0,
            parameter_names: vec!["first_name".into()],
            header_media_key: Some("uploads/t/x.jpg".into()),
            category: None,
        };
        let m = whatsapp_message(
            &to,
            Content::Template {
                template: &tpl,
                header_media: Some((MediaKind::Image, "m-9")),
            },
            "c",
        );
        assert_eq!(
            m["template"]["components"],
            json!([
                { "type": "header", "parameters": [{ "type": "image", "image": { "id": "m-9" } }] },
                { "type": "body", "parameters": [{ "type": "text", "parameter_name": "first_name", "text": "Ada" }] }
            ])
        );
    }
}
