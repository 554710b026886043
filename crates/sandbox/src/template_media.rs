//! Template header media, the provider side of CreateWhatsAppMessageTemplateMedia
//! (`POST /v1/whatsapp/template/media` `{"id","sourceS3File":{"bucketName","key"}}` →
//! `{"metaHeaderHandle"}`): the service reads the file from S3 and uploads it to Meta's resumable
//! upload API, whose answer is a header handle (`4::<base64 of the MIME type>:…`) that a new
//! template gives as the sample of its IMAGE, VIDEO or DOCUMENT header (`example.header_handle`).
//!
//! The sandbox reads the object from moto, checks it as Meta checks header samples (type and size),
//! and remembers each handle with the WhatsApp Business Account it was issued to, so that a template
//! created or updated with a Meta-style handle is accepted only with a handle its own WABA uploaded
//! for a header of that kind.

use axum::extract::State as AxState;
use axum::response::Response;
use base64::Engine;
use serde_json::{json, Value};

use crate::templates::{require_waba, Refusal};
use crate::whatsapp::{error, guarded};
use crate::State;

/// What Meta's resumable upload handles start with; a header sample without it (a URL) is not one
/// of ours to check.
const HANDLE_PREFIX: &str = "4::";

/// How long a handle stays usable, as Meta's do (about 30 days): only written into the handle.
const HANDLE_LIFETIME_DAYS: i64 = 30;

/// The header kinds and what Meta accepts as their sample: MIME types and a size limit in bytes.
const KINDS: [(&str, &[&str], i64); 3] = [
    ("IMAGE", &["image/jpeg", "image/png"], 5 << 20),
    ("VIDEO", &["video/mp4", "video/3gpp"], 16 << 20),
    ("DOCUMENT", &["application/pdf"], 100 << 20),
];

/// A header handle issued by CreateWhatsAppMessageTemplateMedia.
#[derive(Debug, Clone)]
pub(crate) struct HeaderHandle {
    pub handle: String,
    /// The configured (bare, Meta) WABA id it was issued to.
    pub waba_id: String,
    pub mime_type: String,
    /// IMAGE, VIDEO or DOCUMENT: the header format the file can be the sample of.
    pub kind: &'static str,
}

/// The MIME type of an uploaded object: its S3 content type, or (when S3 only knows it as bytes)
/// what its extension says, as Meta's upload is told the file type by the caller.
fn mime_of(content_type: Option<&str>, key: &str) -> String {
    match content_type {
        Some(t) if !t.is_empty() && t != "application/octet-stream" && t != "binary/octet-stream" => {
            t.split(';').next().unwrap_or(t).trim().to_ascii_lowercase()
        }
        _ => {
            let ext = key.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
            match ext.as_str() {
                "jpg" | "jpeg" => "image/jpeg",
                "png" => "image/png",
                "mp4" => "video/mp4",
                "3gp" => "video/3gpp",
                "pdf" => "application/pdf",
                _ => "application/octet-stream",
            }
            .into()
        }
    }
}

/// The header kind a file of `mime` type and `size` bytes can be the sample of.
fn kind_of(mime: &str, size: i64) -> Result<&'static str, String> {
    let Some((kind, _, limit)) = KINDS.iter().find(|(_, types, _)| types.contains(&mime)) else {
        return Err(format!(
            "a template header sample must be image/jpeg, image/png, video/mp4, video/3gpp or application/pdf, \
             not {mime}"
        ));
    };
    if size > *limit {
        return Err(format!(
            "the sample of a {kind} header is at most {} MB; this file is {size} bytes",
            limit >> 20
        ));
    }
    Ok(kind)
}

/// A fresh handle shaped like Meta's: `4::<base64 MIME>:AR<random>:e:<expiry epoch>:<WABA>`.
fn new_handle(mime: &str, waba: &str) -> String {
    let b64 = base64::engine::general_purpose::STANDARD;
    let random = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(uuid::Uuid::new_v4().as_bytes());
    let expiry = chrono::Utc::now().timestamp() + HANDLE_LIFETIME_DAYS * 86_400;
    format!("{HANDLE_PREFIX}{}:AR{random}:e:{expiry}:{waba}", b64.encode(mime))
}

/// `POST /v1/whatsapp/template/media` `{"id","sourceS3File":{"bucketName","key"}}` →
/// `{"metaHeaderHandle"}`.
pub(crate) async fn upload(AxState(state): AxState<State>, body: String) -> Response {
    let Ok(req) = serde_json::from_str::<Value>(&body) else {
        return error(400, "ValidationException", "request body is not JSON");
    };
    let st = state.clone();
    guarded(&state, "CreateWhatsAppMessageTemplateMedia", req.clone(), async move {
        let waba = require_waba(&st, req["id"].as_str().unwrap_or(""))?;
        let (bucket, key) = (
            req["sourceS3File"]["bucketName"].as_str().unwrap_or(""),
            req["sourceS3File"]["key"].as_str().unwrap_or(""),
        );
        if bucket.is_empty() || key.is_empty() {
            return Err((
                400,
                "ValidationException",
                "sourceS3File.bucketName and sourceS3File.key are required".into(),
            ));
        }
        let head = st.s3.head_object().bucket(bucket).key(key).send().await;
        let head = head.map_err(|_| {
            (
                400,
                "ValidationException",
                format!("s3://{bucket}/{key} cannot be read"),
            )
        })?;
        let mime = mime_of(head.content_type(), key);
        let size = head.content_length().unwrap_or(0);
        let kind = kind_of(&mime, size).map_err(|m| (400, "ValidationException", m))?;
        let handle = new_handle(&mime, &waba);
        st.header_handles
            .lock()
            .map_err(|_| {
                (
                    500,
                    "InternalServiceException",
                    "header handle store unavailable".into(),
                )
            })?
            .push(HeaderHandle {
                handle: handle.clone(),
                waba_id: waba,
                mime_type: mime.clone(),
                kind,
            });
        let kept = json!({ "metaHeaderHandle": handle, "mimeType": mime, "size": size, "headerFormat": kind });
        Ok((kept, json!({ "metaHeaderHandle": handle })))
    })
    .await
}

/// Checks the Meta-style handles a template's media HEADER gives as samples: each must have been
/// issued to `waba` for a file of the header's kind. Samples that are not handles (URLs, as older
/// templates have) are left to the component validation.
pub(crate) fn check_handles(state: &State, waba: &str, components: &Value) -> Result<(), Refusal> {
    let refuse = |m: String| (400, "ValidationException", m);
    let Some(header) = components.as_array().and_then(|list| {
        list.iter()
            .find(|c| c["type"].as_str().is_some_and(|t| t.eq_ignore_ascii_case("HEADER")))
    }) else {
        return Ok(());
    };
    let format = header["format"].as_str().unwrap_or("").to_ascii_uppercase();
    let samples = header["example"]["header_handle"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let handles: Vec<&str> = samples
        .iter()
        .filter_map(Value::as_str)
        .filter(|s| s.starts_with(HANDLE_PREFIX))
        .collect();
    if handles.is_empty() {
        return Ok(());
    }
    let issued = state.header_handles.lock().map_err(|_| {
        (
            500,
            "InternalServiceException",
            "header handle store unavailable".into(),
        )
    })?;
    for h in handles {
        let Some(known) = issued.iter().find(|k| k.handle == h && k.waba_id == waba) else {
            return Err(refuse(format!(
                "header handle {h} was not issued to this WhatsApp Business Account: upload the sample with \
                 CreateWhatsAppMessageTemplateMedia"
            )));
        };
        if known.kind != format {
            return Err(refuse(format!(
                "the {format} HEADER cannot use {h}: it was issued for an {} sample ({})",
                known.kind, known.mime_type
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mime_type_comes_from_s3_or_else_from_the_extension() {
        assert_eq!(mime_of(Some("image/png"), "a.bin"), "image/png");
        assert_eq!(mime_of(Some("Image/JPEG; charset=binary"), "a"), "image/jpeg");
        assert_eq!(
            mime_of(Some("application/octet-stream"), "brochure.PDF"),
            "application/pdf"
        );
        assert_eq!(mime_of(None, "clip.mp4"), "video/mp4");
        assert_eq!(mime_of(None, "notes.txt"), "application/octet-stream");
    }

    #[test]
    fn header_samples_are_limited_by_type_and_size() {
        assert_eq!(kind_of("image/png", 1000), Ok("IMAGE"));
        assert_eq!(kind_of("application/pdf", 50 << 20), Ok("DOCUMENT"));
        assert!(kind_of("image/png", (5 << 20) + 1)
            .expect_err("too big")
            .contains("5 MB"));
        assert!(kind_of("audio/ogg", 10).expect_err("audio").contains("audio/ogg"));
    }

    #[test]
    fn a_handle_carries_the_mime_type_as_metas_do() {
        let h = new_handle("image/jpeg", "123");
        assert!(h.starts_with("4::aW1hZ2UvanBlZw==:AR"), "{h}");
        assert!(h.ends_with(":123"), "{h}");
    }
}
