//! The HTTP edge of the send pipeline, shared by the three outbound API functions.
//!
//! It is the only place that knows both the pipeline and API Gateway: it checks the permission
//! (denials audited), reads the `Idempotency-Key` header (one key per compose action; a request
//! without one is its own send), runs the pipeline, and maps each outcome to a status and a stable
//! code. A repeat that finds its key still being processed waits briefly for the first call to
//! settle, so a double click or a browser retry answers what the first request answers.

use std::time::Duration;

use chrono::{DateTime, Utc};
use wecare_core::{ContactId, ErrorCode, IdempotencyKey, Permission};
use wecare_http::guard::{authorize, Attempt};
use wecare_http::{respond, ApiError, Request, Response};
use wecare_messaging::{Actor, Content, Deps, Refusal, SendCommand, SendOutcome};
use wecare_store::messages::Message;

/// How long a repeat waits for the request that holds its key, and how often it looks.
const IN_PROGRESS_WAIT: Duration = Duration::from_secs(5);
const IN_PROGRESS_POLL: Duration = Duration::from_millis(100);

/// What a send route's body says, parsed by the route.
pub struct SendRequest {
    pub contact_id: ContactId,
    pub content: Content,
    /// A sender id of the tenant; `None` for the tenant's default on the channel.
    pub from: Option<String>,
}

/// The one mapping of refusals to API errors.
pub fn refusal_error(r: &Refusal) -> ApiError {
    let mut e = ApiError::new(r.code(), r.to_string());
    if let Refusal::RateLimited { retry_after_ms } = r {
        e.retry_after = Some(retry_after_ms.div_ceil(1000).max(1));
    }
    e
}

/// The answer to an outcome: 202 with the message, or the error.
pub fn outcome_response(outcome: SendOutcome) -> Result<Message, ApiError> {
    match outcome {
        SendOutcome::Sent(m) | SendOutcome::DryRun(m) | SendOutcome::Unknown(m) => Ok(m),
        SendOutcome::Failed(m) => {
            let (code, why) = m
                .error
                .as_ref()
                .map(|e| (e.code.as_str(), e.message.as_str()))
                .unwrap_or(("Unknown", "no reason given"));
            Err(ApiError::new(
                ErrorCode::ProviderError,
                format!("the provider did not send it: {why} ({code}); it is recorded as failed in the timeline"),
            ))
        }
        SendOutcome::InProgress(_) => Err(ApiError::new(
            ErrorCode::IdempotencyInProgress,
            "a request with this Idempotency-Key is still being processed; retry it shortly with the same key",
        )),
        SendOutcome::Refused(r) => Err(refusal_error(&r)),
    }
}

/// What every outbound function does: check the permission, read the key and the body, send,
/// and answer 202 with the message (or the outcome's error).
pub async fn handle_send(
    deps: &Deps,
    req: &Request,
    now: DateTime<Utc>,
    action: &'static str,
    parse: impl FnOnce(&Request) -> Result<SendRequest, ApiError>,
) -> Response {
    let attempt = Attempt {
        permission: Permission::SendMessages,
        action,
        resource_type: "contact",
        resource_id: "*",
    };
    let result = async {
        let ctx = authorize(deps.contacts.client(), deps.contacts.audit_table(), req, attempt, now).await?;
        // Without a key, every request is a new send.
        let key = wecare_http::idempotency_key(req)?.unwrap_or_else(IdempotencyKey::random);
        let body = parse(req)?;
        let cmd = SendCommand {
            tenant: ctx.principal.tenant_id.clone(),
            actor: Actor::Operator(ctx),
            contact_id: body.contact_id,
            content: body.content,
            from: body.from,
            key,
            now,
            pacer: None,
        };
        let outcome = wecare_messaging::send(deps, cmd)
            .await
            .map_err(|e| ApiError::internal(&e))?;
        let outcome = match outcome {
            SendOutcome::InProgress(m) => wait_for_settle(deps, m).await?,
            other => other,
        };
        outcome_response(outcome)
    }
    .await;
    respond(202, result)
}

/// Polls the record another request is settling, for a little while.
async fn wait_for_settle(deps: &Deps, m: Message) -> Result<SendOutcome, ApiError> {
    let deadline = tokio::time::Instant::now() + IN_PROGRESS_WAIT;
    while tokio::time::Instant::now() < deadline {
        tokio::time::sleep(IN_PROGRESS_POLL).await;
        let found = deps
            .messages
            .find(&m.tenant_id, &m.message_id)
            .await
            .map_err(|e| ApiError::internal(&e))?;
        match found {
            Some(settled) if settled.status != wecare_core::message::MessageStatus::Sending => {
                return Ok(SendOutcome::of_record(settled))
            }
            Some(_) => {}
            // The first request was refused after claiming and gave the key back.
            None => {
                return Ok(SendOutcome::InProgress(m));
            }
        }
    }
    Ok(SendOutcome::InProgress(m))
}

/// `contactId` of a send request.
pub fn contact_id(raw: &str) -> Result<ContactId, ApiError> {
    ContactId::parse(raw).ok_or_else(|| ApiError::validation("contactId", "is not a contact id"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use wecare_core::sender::SenderRefusal;

    #[test]
    fn a_sender_of_another_tenant_is_forbidden_and_a_rate_limit_says_when_to_retry() {
        let e = refusal_error(&Refusal::NotAllowlisted(SenderRefusal::NotOwned(
            "phone-number-id-x".into(),
            "whatsapp",
        )));
        assert_eq!((e.status(), e.code.as_str()), (403, "NOT_ALLOWLISTED"));
        let e = refusal_error(&Refusal::RateLimited { retry_after_ms: 1500 });
        assert_eq!((e.status(), e.retry_after), (429, Some(2)));
        let e = refusal_error(&Refusal::KeyReused);
        assert_eq!((e.status(), e.code.as_str()), (422, "IDEMPOTENCY_KEY_REUSED"));
    }
}
