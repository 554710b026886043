//! SDK configuration for the embedded AWS: endpoint override, fixed region, dummy credentials.

use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;

pub const REGION: &str = "us-east-1";

/// An `SdkConfig` whose clients all talk to `endpoint` (moto). No real credentials are used or
/// needed; moto accepts any.
pub fn sdk_config(endpoint: &str) -> SdkConfig {
    SdkConfig::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new(REGION))
        .endpoint_url(endpoint)
        .credentials_provider(aws_credential_types::provider::SharedCredentialsProvider::new(
            Credentials::new("testing", "testing", None, None, "wecare-local"),
        ))
        .build()
}

/// S3 needs path-style addressing against moto on loopback.
pub fn s3_client(sdk: &SdkConfig) -> aws_sdk_s3::Client {
    aws_sdk_s3::Client::from_conf(aws_sdk_s3::config::Builder::from(sdk).force_path_style(true).build())
}
