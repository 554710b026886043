//! Failures of the storage layer that a handler cannot do anything about but report.

use aws_sdk_dynamodb::error::SdkError;

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
