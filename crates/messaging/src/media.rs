//! The media bucket as the send and read paths see it: short-lived presigned URLs for the
//! browser (uploads into `outgoing/`, downloads of anything a message carries) and a HEAD to learn
//! what an uploaded object really is before it is sent.
//!
//! Presigning is local computation (no request), so a timeline with many files costs nothing
//! extra. Keys are always under the caller's tenant, checked here, so one tenant's key can never
//! be sent or read through another's session.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_config::SdkConfig;
use aws_sdk_s3::presigning::PresigningConfig;
use chrono::{DateTime, Utc};
use wecare_core::TenantId;

/// How long a presigned URL works: long enough to open or upload a file, short enough that a
/// leaked URL is soon useless.
pub const URL_TTL: Duration = Duration::from_secs(5 * 60);

/// Where operators' uploads go, per tenant.
pub fn outgoing_prefix(tenant: &TenantId) -> String {
    format!("outgoing/{tenant}/")
}

/// Where inbound media is copied, per tenant.
pub fn incoming_prefix(tenant: &TenantId) -> String {
    format!("incoming/{tenant}/")
}

/// Whether `key` is one of `tenant`'s uploads.
pub fn is_upload_of(key: &str, tenant: &TenantId) -> bool {
    !key.contains("..") && key.starts_with(&outgoing_prefix(tenant))
}

/// Whether `key` is one of `tenant`'s media objects (an upload or a copied inbound file).
pub fn belongs_to(key: &str, tenant: &TenantId) -> bool {
    is_upload_of(key, tenant) || (!key.contains("..") && key.starts_with(&incoming_prefix(tenant)))
}

#[derive(Debug, thiserror::Error)]
pub enum MediaError {
    #[error("presigning failed")]
    Presign(#[source] Box<dyn std::error::Error + Send + Sync>),
    #[error("S3 {operation} failed")]
    S3 {
        operation: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

/// An object's type and size, as S3 has it.
/// A presigned URL's validity: from `now`, for `ttl`.
pub fn presigning(now: DateTime<Utc>, ttl: Duration) -> Result<PresigningConfig, MediaError> {
    PresigningConfig::builder()
        .start_time(now.into())
        .expires_in(ttl)
        .build()
        .map_err(|e| MediaError::Presign(Box::new(e)))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectInfo {
    pub content_type: String,
    pub size: u64,
    /// The object's version as S3 names it: a file uploaded again under the same key is another.
    pub etag: Option<String>,
}

/// How long a WhatsApp media id is reused for the same file. Meta keeps an uploaded file for 30
/// days; a day stays well within that whatever the clocks say.
pub const HANDED_OVER_TTL: chrono::Duration = chrono::Duration::hours(24);

type Handles = HashMap<(String, String, String), (DateTime<Utc>, String)>;

/// The WhatsApp media ids of files already handed to the provider (PostWhatsAppMessageMedia),
/// per cold start, by sending number, key and version: a campaign with a media header uploads its
/// file once per warm worker rather than once per recipient.
#[derive(Clone, Default)]
pub struct HandedOver(Arc<Mutex<Handles>>);

impl HandedOver {
    /// The media id `from` got for this version of `key`, if it is still fresh.
    pub fn get(&self, from: &str, key: &str, etag: &str, now: DateTime<Utc>) -> Option<String> {
        let handles = self.0.lock().unwrap_or_else(|p| p.into_inner());
        handles
            .get(&(from.to_string(), key.to_string(), etag.to_string()))
            .filter(|(at, _)| now - *at < HANDED_OVER_TTL)
            .map(|(_, id)| id.clone())
    }

    pub fn keep(&self, from: &str, key: &str, etag: &str, media_id: &str, now: DateTime<Utc>) {
        let mut handles = self.0.lock().unwrap_or_else(|p| p.into_inner());
        // Old handles go when a new one comes: the map holds one day's files at most.
        handles.retain(|_, (at, _)| now - *at < HANDED_OVER_TTL);
        handles.insert(
            (from.to_string(), key.to_string(), etag.to_string()),
            (now, media_id.to_string()),
        );
    }
}

#[derive(Clone)]
pub struct MediaBucket {
    s3: aws_sdk_s3::Client,
    bucket: String,
}

impl MediaBucket {
    pub fn new(sdk: &SdkConfig, bucket: impl Into<String>) -> Self {
        // An endpoint override means an emulator (moto locally), which serves path-style only;
        // in AWS the default virtual-hosted style is kept.
        let s3 = aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(sdk.endpoint_url().is_some())
            .build();
        MediaBucket {
            s3: aws_sdk_s3::Client::from_conf(s3),
            bucket: bucket.into(),
        }
    }

    pub fn bucket(&self) -> &str {
        &self.bucket
    }

    /// The S3 client (path-style against an emulator), for other buckets of the same functions.
    pub fn s3(&self) -> &aws_sdk_s3::Client {
        &self.s3
    }

    fn presigning(now: DateTime<Utc>) -> Result<PresigningConfig, MediaError> {
        presigning(now, URL_TTL)
    }

    /// A GET URL for `key`, valid for [`URL_TTL`] from `now`.
    pub async fn download_url(&self, key: &str, now: DateTime<Utc>) -> Result<String, MediaError> {
        let req = self
            .s3
            .get_object()
            .bucket(&self.bucket)
            .key(key)
            .presigned(Self::presigning(now)?)
            .await
            .map_err(|e| MediaError::Presign(Box::new(e)))?;
        Ok(req.uri().to_string())
    }

    /// A PUT URL for `key` that only accepts `content_type`, valid for [`URL_TTL`] from `now`.
    pub async fn upload_url(&self, key: &str, content_type: &str, now: DateTime<Utc>) -> Result<String, MediaError> {
        let req = self
            .s3
            .put_object()
            .bucket(&self.bucket)
            .key(key)
            .content_type(content_type)
            .presigned(Self::presigning(now)?)
            .await
            .map_err(|e| MediaError::Presign(Box::new(e)))?;
        Ok(req.uri().to_string())
    }

    /// What is stored at `key`; `None` if nothing is.
    pub async fn head(&self, key: &str) -> Result<Option<ObjectInfo>, MediaError> {
        match self.s3.head_object().bucket(&self.bucket).key(key).send().await {
            Ok(out) => Ok(Some(ObjectInfo {
                content_type: out.content_type.unwrap_or_default(),
                size: out.content_length.unwrap_or_default().max(0) as u64,
                etag: out.e_tag,
            })),
            Err(e) if e.as_service_error().is_some_and(|s| s.is_not_found()) => Ok(None),
            Err(e) => Err(MediaError::S3 {
                operation: "HeadObject",
                source: Box::new(e),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_belongs_only_to_its_own_tenant() {
        let wecare = TenantId::parse("wecare").unwrap();
        let globex = TenantId::parse("globex").unwrap();
        assert!(belongs_to("outgoing/wecare/1/photo.png", &wecare));
        assert!(belongs_to("incoming/wecare/in-1/abc", &wecare));
        assert!(!belongs_to("outgoing/wecare/1/photo.png", &globex));
        assert!(!belongs_to("outgoing/wecare-other/1/photo.png", &wecare));
        assert!(!belongs_to("outgoing/wecare/../globex/x", &wecare));
        assert!(!belongs_to("reports/wecare/x.csv", &wecare));
    }
}
