//! Strict JSON request bodies.
//!
//! A body is at most 64 KiB, must be JSON, and (because request types use
//! `deny_unknown_fields`) may not carry fields the API would silently drop. Failures name the
//! offending field using `serde_path_to_error`, so a client is told `optInSms: invalid type…`
//! rather than "bad request".

use base64::Engine;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer};

use crate::error::ApiError;
use crate::Request;

pub const MAX_BODY_BYTES: usize = 64 * 1024;

/// Reads and decodes the request body as `T`.
pub fn parse_json_body<T: DeserializeOwned>(req: &Request) -> Result<T, ApiError> {
    let raw = match &req.body {
        None => return Err(ApiError::validation("body", "is required")),
        Some(b) if req.is_base64_encoded => base64::engine::general_purpose::STANDARD
            .decode(b)
            .map_err(|_| ApiError::validation("body", "is not valid base64"))?,
        Some(b) => b.as_bytes().to_vec(),
    };
    if raw.len() > MAX_BODY_BYTES {
        return Err(ApiError::validation(
            "body",
            format!("is too large ({} bytes, at most {MAX_BODY_BYTES})", raw.len()),
        ));
    }
    if raw.iter().all(u8::is_ascii_whitespace) {
        return Err(ApiError::validation("body", "is required"));
    }
    let mut de = serde_json::Deserializer::from_slice(&raw);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            ApiError::validation("body", format!("is not valid JSON ({inner})"))
        } else if path == "." || path.is_empty() {
            ApiError::validation("body", strip_position(&inner.to_string()))
        } else {
            ApiError::validation(&path, strip_position(&inner.to_string()))
        }
    })?;
    de.end()
        .map_err(|_| ApiError::validation("body", "has trailing characters after the JSON value"))?;
    Ok(value)
}

/// serde_json appends " at line 1 column 42"; the field path already says where.
fn strip_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// A field of a partial update: absent, explicitly `null`, or a value.
///
/// `Option<T>` cannot tell "not sent" from "sent as null", which PATCH semantics need
/// (`"name": null` clears a name; leaving it out keeps it).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Patch<T> {
    #[default]
    Missing,
    Null,
    Value(T),
}

impl<T> Patch<T> {
    pub fn is_missing(&self) -> bool {
        matches!(self, Patch::Missing)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Patch<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Only called when the field is present (fields use `#[serde(default)]`).
        Ok(Option::<T>::deserialize(d)?.map_or(Patch::Null, Patch::Value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields, rename_all = "camelCase")]
    #[allow(dead_code)]
    struct Dto {
        name: Option<String>,
        #[serde(default)]
        opt_in_sms: Patch<bool>,
    }

    fn req(body: &str) -> Request {
        let mut r = Request::default();
        r.body = Some(body.to_string());
        r
    }

    #[test]
    fn unknown_fields_are_refused_by_name() {
        let e = parse_json_body::<Dto>(&req(r#"{"name":"a","nickname":"b"}"#)).unwrap_err();
        assert_eq!(e.code, wecare_core::ErrorCode::ValidationFailed);
        assert!(e.message.contains("nickname"), "{}", e.message);
    }

    #[test]
    fn a_wrongly_typed_field_is_named() {
        let e = parse_json_body::<Dto>(&req(r#"{"optInSms":"yes"}"#)).unwrap_err();
        assert!(e.message.starts_with("optInSms: "), "{}", e.message);
    }

    #[test]
    fn malformed_json_and_oversized_bodies_are_refused() {
        assert!(parse_json_body::<Dto>(&req("{\"name\":"))
            .unwrap_err()
            .message
            .starts_with("body: is not valid JSON"));
        let big = format!(r#"{{"name":"{}"}}"#, "a".repeat(MAX_BODY_BYTES));
        assert!(parse_json_body::<Dto>(&req(&big))
            .unwrap_err()
            .message
            .contains("too large"));
        assert!(parse_json_body::<Dto>(&Request::default()).is_err());
    }

    #[test]
    fn patch_tells_absent_from_null_from_value() {
        assert_eq!(parse_json_body::<Dto>(&req("{}")).unwrap().opt_in_sms, Patch::Missing);
        assert_eq!(
            parse_json_body::<Dto>(&req(r#"{"optInSms":null}"#)).unwrap().opt_in_sms,
            Patch::Null
        );
        assert_eq!(
            parse_json_body::<Dto>(&req(r#"{"optInSms":true}"#)).unwrap().opt_in_sms,
            Patch::Value(true)
        );
    }
}
