//! `POST /api/messages/whatsapp`: sends a WhatsApp text (inside the 24 h window), a media file
//! (inside the window) or an approved template (any time) to a contact who opted in to WhatsApp,
//! from one of the tenant's numbers. `POST /api/media/uploads` hands out the presigned URL a file
//! is uploaded to first, after checking its type and size against WhatsApp's limits.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use tracing::Instrument;
use wecare_core::whatsapp::check_media;
use wecare_core::Permission;
use wecare_http::guard::{authorize, Attempt};
use wecare_http::{parse_json_body, respond, route_key, ApiError, Request, Response};
use wecare_messaging::media::{outgoing_prefix, URL_TTL};
use wecare_messaging::{Content, Deps, MediaRequest, TemplateRequest, WhatsAppContent};
use wecare_send_api::{contact_id, handle_send, SendRequest};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct SendWhatsAppRequest {
    pub contact_id: String,
    pub text: Option<String>,
    pub template: Option<TemplateRequest>,
    pub media: Option<MediaRequest>,
    /// One of the tenant's WhatsApp numbers (phone-number id); the tenant's default when absent.
    pub from: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UploadRequest {
    pub mime_type: String,
    pub size: u64,
    pub filename: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Upload {
    /// PUT the file here, with `Content-Type` set to the declared type.
    pub upload_url: String,
    /// What to send as `media.s3Key`.
    pub s3_key: String,
    pub kind: &'static str,
    pub expires_at: String,
}

pub async fn handle(deps: &Deps, req: Request, now: DateTime<Utc>) -> Response {
    let span =
        tracing::info_span!("request", request_id = %wecare_http::request_id(&req), function = "outbound-whatsapp");
    async {
        if route_key(&req) == "POST /api/media/uploads" {
            return respond(201, upload(deps, &req, now).await);
        }
        handle_send(deps, &req, now, "message.send.whatsapp", |req| {
            let b: SendWhatsAppRequest = parse_json_body(req)?;
            let content = match (b.text, b.template, b.media) {
                (Some(t), None, None) => WhatsAppContent::Text(t),
                (None, Some(t), None) => WhatsAppContent::Template(t.into()),
                (None, None, Some(m)) => WhatsAppContent::Media(m),
                (None, None, None) => {
                    return Err(ApiError::validation("text", "is required (or a template, or media)"))
                }
                _ => {
                    return Err(ApiError::validation(
                        "text",
                        "send one of text, a template or media, not several",
                    ))
                }
            };
            Ok(SendRequest {
                contact_id: contact_id(&b.contact_id)?,
                content: Content::WhatsApp(content),
                from: b.from,
            })
        })
        .await
    }
    .instrument(span)
    .await
}

/// Keeps what S3 and WhatsApp accept in a file name: letters, digits, `.`, `-`, `_`.
fn safe_name(raw: Option<&str>) -> String {
    let mut cleaned: String = raw
        .unwrap_or("file")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(120)
        .collect();
    // No `..` anywhere: keys holding one are refused when sent.
    while cleaned.contains("..") {
        cleaned = cleaned.replace("..", "_");
    }
    let trimmed = cleaned.trim_matches('.');
    if trimmed.is_empty() {
        "file".into()
    } else {
        trimmed.to_string()
    }
}

async fn upload(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<Upload, ApiError> {
    let attempt = Attempt {
        permission: Permission::SendMessages,
        action: "media.upload",
        resource_type: "media",
        resource_id: "*",
    };
    let ctx = authorize(deps.contacts.client(), deps.contacts.audit_table(), req, attempt, now).await?;
    let b: UploadRequest = parse_json_body(req)?;
    let kind = check_media(&b.mime_type, b.size).map_err(|e| ApiError::validation("mimeType", e))?;
    let key = format!(
        "{}{}/{}",
        outgoing_prefix(&ctx.principal.tenant_id),
        uuid::Uuid::now_v7(),
        safe_name(b.filename.as_deref())
    );
    let upload_url = deps
        .media
        .upload_url(&key, &b.mime_type, now)
        .await
        .map_err(|e| ApiError::internal(&e))?;
    tracing::info!(kind = kind.as_str(), size = b.size, "media upload URL issued");
    let expires = now + chrono::Duration::from_std(URL_TTL).unwrap_or_default();
    Ok(Upload {
        upload_url,
        s3_key: key,
        kind: kind.as_str(),
        expires_at: wecare_core::time::iso(expires),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_are_reduced_to_safe_characters() {
        assert_eq!(safe_name(Some("Invoice März 2026.pdf")), "Invoice_M_rz_2026.pdf");
        assert_eq!(safe_name(Some("../../etc/passwd")), "____etc_passwd");
        assert_eq!(safe_name(Some(".")), "file");
        assert_eq!(safe_name(None), "file");
    }
}
