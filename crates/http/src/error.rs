//! The API's error envelope: `{"error":{"code","message"}}` with the status its code implies.
//!
//! Use-case errors convert into `ApiError` in one `From` impl each; internal failures go through
//! [`ApiError::internal`], which logs the whole cause chain once and answers a generic message so
//! nothing about tables, SDKs or stack traces leaks to a caller.

use std::error::Error as StdError;

use wecare_core::ErrorCode;

/// An error and its sources, outermost first: what a log line needs to explain a failure once.
pub fn cause_chain(err: &(dyn StdError + 'static)) -> Vec<String> {
    let mut chain = vec![err.to_string()];
    let mut source = err.source();
    while let Some(s) = source {
        chain.push(s.to_string());
        source = s.source();
    }
    chain
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
    /// Seconds a client should wait before retrying (429 answers).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// A field failed validation: the message names the field and says why.
    pub fn validation(field: &str, why: impl std::fmt::Display) -> Self {
        Self::new(ErrorCode::ValidationFailed, format!("{field}: {why}"))
    }

    pub fn not_found(what: &str) -> Self {
        Self::new(ErrorCode::NotFound, format!("{what} not found"))
    }

    pub fn forbidden() -> Self {
        Self::new(ErrorCode::Forbidden, "your role does not allow this action")
    }

    pub fn unauthenticated() -> Self {
        Self::new(ErrorCode::Unauthenticated, "sign in to continue")
    }

    /// Logs `err` with its full cause chain, once, and returns the generic 500.
    pub fn internal(err: &(dyn StdError + 'static)) -> Self {
        tracing::error!(error.chain = ?cause_chain(err), "internal error");
        Self::new(
            ErrorCode::Internal,
            "something went wrong on our side; please try again",
        )
    }

    pub fn status(&self) -> u16 {
        self.code.http_status()
    }
}

/// A page that could not be read: a cursor the caller altered or kept too long is theirs to fix
/// (400 naming `cursor`); a store failure is ours.
impl From<wecare_store::cursor::ListError> for ApiError {
    fn from(e: wecare_store::cursor::ListError) -> Self {
        match e {
            wecare_store::cursor::ListError::Cursor(c) => ApiError::validation("cursor", c),
            wecare_store::cursor::ListError::Store(e) => ApiError::internal(&e),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.code.as_str(), self.message)
    }
}

impl StdError for ApiError {}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, thiserror::Error)]
    #[error("table Contacts-xyz throttled")]
    struct Leaky;

    #[test]
    fn internal_errors_never_carry_their_cause_to_the_caller() {
        let e = ApiError::internal(&Leaky);
        assert_eq!(e.status(), 500);
        assert!(!e.message.contains("Contacts"));
    }

    #[test]
    fn a_bad_cursor_is_the_callers_to_fix_and_names_the_field() {
        let e = ApiError::from(wecare_store::cursor::ListError::from(
            wecare_store::cursor::InvalidCursor,
        ));
        assert_eq!(e.status(), 400);
        assert!(e.message.starts_with("cursor: "), "{}", e.message);
    }

    #[test]
    fn validation_messages_name_the_field() {
        assert_eq!(
            ApiError::validation("phone", "is not a phone number").message,
            "phone: is not a phone number"
        );
    }
}
