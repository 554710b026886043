//! pinpoint-sms-voice-v2 (awsJson1.0): SendTextMessage with the service's field validation.

use axum::extract::State as AxState;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};

use crate::faults;
use crate::ledger::record;
use crate::State;

const SERVICE: &str = "pinpoint-sms-voice-v2";

/// An awsJson error: `__type` with the namespace prefix the SDK strips, `Message`.
fn error(status: u16, code: &str, message: &str) -> Response {
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = json!({ "__type": format!("com.amazonaws.pinpointsmsvoicev2#{code}"), "Message": message });
    (
        status,
        [("content-type", "application/x-amz-json-1.0")],
        body.to_string(),
    )
        .into_response()
}

fn validate(req: &Value) -> Result<(), String> {
    let dest = req["DestinationPhoneNumber"]
        .as_str()
        .ok_or("DestinationPhoneNumber is required")?;
    let digits = dest.strip_prefix('+').unwrap_or(dest);
    let valid_dest =
        (2..=19).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit()) && !digits.starts_with('0');
    if !valid_dest {
        return Err(format!(
            "DestinationPhoneNumber {dest:?} must match \\+?[1-9][0-9]{{1,18}}"
        ));
    }
    if let Some(body) = req.get("MessageBody") {
        let n = body.as_str().map(|b| b.chars().count()).unwrap_or(0);
        if !(1..=1600).contains(&n) {
            return Err(format!("MessageBody must be 1-1600 characters, got {n}"));
        }
    }
    if let Some(t) = req.get("MessageType") {
        if !matches!(t.as_str(), Some("TRANSACTIONAL") | Some("PROMOTIONAL")) {
            return Err("MessageType must be TRANSACTIONAL or PROMOTIONAL".into());
        }
    }
    if let Some(o) = req.get("OriginationIdentity") {
        let n = o.as_str().map(str::len).unwrap_or(0);
        if !(1..=256).contains(&n) {
            return Err("OriginationIdentity must be 1-256 characters".into());
        }
    }
    if req
        .get("Context")
        .and_then(Value::as_object)
        .is_some_and(|c| c.len() > 5)
    {
        return Err("Context holds at most 5 entries".into());
    }
    Ok(())
}

pub(crate) async fn dispatch(AxState(state): AxState<State>, headers: HeaderMap, body: String) -> Response {
    let target = headers.get("x-amz-target").and_then(|h| h.to_str().ok()).unwrap_or("");
    let Some(operation) = target.strip_prefix("PinpointSMSVoiceV2.") else {
        return error(400, "UnknownOperationException", &format!("unknown target {target:?}"));
    };
    let request: Value = serde_json::from_str(&body).unwrap_or(Value::Null);
    if operation != "SendTextMessage" {
        return error(
            400,
            "UnknownOperationException",
            &format!("{operation} is not emulated"),
        );
    }
    let action = faults::take(&state, operation).await;
    if let faults::Action::Fail(f) = &action {
        record(
            &state,
            SERVICE,
            operation,
            request,
            f.status,
            json!({ "error": f.code, "message": f.message }),
        );
        return error(f.status, &f.code, &f.message);
    }
    if let Err(why) = validate(&request) {
        record(
            &state,
            SERVICE,
            operation,
            request,
            400,
            json!({ "error": "ValidationException", "message": why }),
        );
        return error(400, "ValidationException", &why);
    }
    let out = json!({ "MessageId": uuid::Uuid::new_v4().to_string() });
    record(&state, SERVICE, operation, request, 200, out.clone());
    if matches!(action, faults::Action::Drop) {
        return crate::whatsapp::dropped();
    }
    (
        StatusCode::OK,
        [("content-type", "application/x-amz-json-1.0")],
        out.to_string(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_validated_as_the_service_does() {
        assert!(validate(&json!({ "DestinationPhoneNumber": "+919876543210", "MessageBody": "hi" })).is_ok());
        assert!(validate(&json!({ "DestinationPhoneNumber": "+0123", "MessageBody": "hi" })).is_err());
        assert!(validate(&json!({ "DestinationPhoneNumber": "+919876543210", "MessageBody": "" })).is_err());
        assert!(
            validate(&json!({ "DestinationPhoneNumber": "+919876543210", "MessageBody": "x".repeat(1601) })).is_err()
        );
        assert!(validate(&json!({ "DestinationPhoneNumber": "+919876543210", "MessageType": "BULK" })).is_err());
        assert!(validate(&json!({})).is_err());
    }
}
