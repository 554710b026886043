//! The stable error codes of the API and the HTTP status each one answers with.
//!
//! Clients (the SPA, scripts, tests) branch on `code`, never on the message, so the codes are an
//! enum with one mapping to status and wire name. Every use-case error enum converts into one of
//! these in exactly one place.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    ValidationFailed,
    Unauthenticated,
    Forbidden,
    NotFound,
    Conflict,
    /// The change would leave the tenant without an enabled Admin.
    LastAdmin,
    /// The same idempotency key is being processed by another request: retry shortly.
    IdempotencyInProgress,
    /// The idempotency key was used for a different message.
    IdempotencyKeyReused,
    NotOptedIn,
    NotAllowlisted,
    TemplateRequired,
    TierLimitExceeded,
    ConfirmationRequired,
    RateLimited,
    ProviderError,
    /// An AI draft was asked for a contact who has sent nothing to reply to.
    NothingToReplyTo,
    /// Bedrock throttled the request: try again in a few seconds.
    AiThrottled,
    /// Bedrock failed or could not be reached: the operator writes the reply themselves.
    AiUnavailable,
    Internal,
}

impl ErrorCode {
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::ValidationFailed => 400,
            ErrorCode::Unauthenticated => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::NotFound => 404,
            ErrorCode::Conflict
            | ErrorCode::LastAdmin
            | ErrorCode::IdempotencyInProgress
            | ErrorCode::NothingToReplyTo => 409,
            // A sender the tenant does not own is not the tenant's to use.
            ErrorCode::NotAllowlisted => 403,
            ErrorCode::NotOptedIn
            | ErrorCode::IdempotencyKeyReused
            | ErrorCode::TemplateRequired
            | ErrorCode::TierLimitExceeded
            | ErrorCode::ConfirmationRequired => 422,
            ErrorCode::RateLimited | ErrorCode::AiThrottled => 429,
            ErrorCode::ProviderError | ErrorCode::AiUnavailable => 502,
            ErrorCode::Internal => 500,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::ValidationFailed => "VALIDATION_FAILED",
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::LastAdmin => "LAST_ADMIN",
            ErrorCode::IdempotencyInProgress => "IDEMPOTENCY_IN_PROGRESS",
            ErrorCode::IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
            ErrorCode::NotOptedIn => "NOT_OPTED_IN",
            ErrorCode::NotAllowlisted => "NOT_ALLOWLISTED",
            ErrorCode::TemplateRequired => "TEMPLATE_REQUIRED",
            ErrorCode::TierLimitExceeded => "TIER_LIMIT_EXCEEDED",
            ErrorCode::ConfirmationRequired => "CONFIRMATION_REQUIRED",
            ErrorCode::RateLimited => "RATE_LIMITED",
            ErrorCode::ProviderError => "PROVIDER_ERROR",
            ErrorCode::NothingToReplyTo => "NOTHING_TO_REPLY_TO",
            ErrorCode::AiThrottled => "AI_THROTTLED",
            ErrorCode::AiUnavailable => "AI_UNAVAILABLE",
            ErrorCode::Internal => "INTERNAL",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wire_name_is_the_serialized_name() {
        for c in [
            ErrorCode::ValidationFailed,
            ErrorCode::NotOptedIn,
            ErrorCode::Internal,
            ErrorCode::RateLimited,
        ] {
            assert_eq!(serde_json::to_value(c).unwrap(), serde_json::json!(c.as_str()));
        }
    }

    #[test]
    fn client_errors_are_4xx_and_only_internal_provider_and_ai_errors_are_5xx() {
        assert_eq!(ErrorCode::Internal.http_status(), 500);
        assert_eq!(ErrorCode::ProviderError.http_status(), 502);
        assert_eq!(ErrorCode::Conflict.http_status(), 409);
    }
}
