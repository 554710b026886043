//! Failures of the storage layer that a handler cannot do anything about but report.

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("DynamoDB {operation} failed")]
    Dynamo {
        operation: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("stored item could not be read")]
    Corrupt(#[source] serde_dynamo::Error),
    #[error("item could not be serialized")]
    Serialize(#[source] serde_dynamo::Error),
}

impl StoreError {
    pub fn dynamo<E, R>(operation: &'static str, err: SdkError<E, R>) -> Self
    where
        E: std::error::Error + Send + Sync + 'static,
        R: std::fmt::Debug + Send + Sync + 'static,
    {
        StoreError::Dynamo {
            operation,
            source: Box::new(err),
        }
    }
}

/// Whether a single-item write was refused by its condition: the expected answer of the
/// conditional writes that make this layer idempotent, not a failure.
pub fn condition_failed<E: ProvideErrorMetadata, R>(err: &SdkError<E, R>) -> bool {
    err.as_service_error().and_then(|e| e.code()) == Some("ConditionalCheckFailedException")
}

/// Whether a transaction was cancelled because its first action's condition failed: the
/// transactions of this layer put their conditioned item first (the message claim, a settings
/// save, an AI interaction's versioned write) and its audit entry or counters after it, which
/// carry no condition. A conflict with another transaction or a fault is not this.
pub fn first_condition_failed<R>(
    err: &SdkError<aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError, R>,
) -> bool {
    use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
    match err.as_service_error() {
        Some(TransactWriteItemsError::TransactionCanceledException(c)) => {
            c.cancellation_reasons().first().and_then(|r| r.code()) == Some("ConditionalCheckFailed")
        }
        _ => false,
    }
}
