//! A finished job's CSV report: one row per recipient (contact, masked address, status, reason,
//! provider message id, time), written to the reports bucket and handed out as a short-lived URL.

use chrono::{DateTime, Utc};
use wecare_core::TenantId;
use wecare_store::bulk::BulkRecipient;

use crate::{BulkError, Deps};

pub const DOWNLOAD_TTL: std::time::Duration = std::time::Duration::from_secs(10 * 60);

pub fn report_key(tenant: &TenantId, job_id: &str) -> String {
    format!("reports/{tenant}/{job_id}.csv")
}

/// Where the part `n` of a report being assembled by the finishing pass `pass` is kept (see
/// [`crate::finish`]): under the pass, so that two passes never mix their parts.
pub fn part_key(tenant: &TenantId, job_id: &str, pass: &str, n: u32) -> String {
    format!("report-parts/{tenant}/{job_id}/{pass}/{n:06}.csv")
}

const HEADER: [&str; 6] = ["contactId", "address", "status", "reason", "providerMessageId", "at"];

/// The report's first line.
pub fn header() -> Result<Vec<u8>, csv::Error> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER)?;
    w.into_inner().map_err(|e| e.into_error().into())
}

/// Report lines of `recipients`, in contact order, without the header: a part of a report.
pub fn rows(recipients: &[BulkRecipient]) -> Result<Vec<u8>, csv::Error> {
    let mut rows: Vec<&BulkRecipient> = recipients.iter().collect();
    rows.sort_by_key(|r| r.contact_id);
    let mut w = csv::WriterBuilder::new().has_headers(false).from_writer(Vec::new());
    for r in rows {
        w.write_record([
            r.contact_id.to_string(),
            r.address.clone().unwrap_or_default(),
            r.status.as_str().to_string(),
            r.reason.clone().unwrap_or_default(),
            r.provider_message_id.clone().unwrap_or_default(),
            r.settled_at.map(wecare_core::time::iso).unwrap_or_default(),
        ])?;
    }
    w.into_inner().map_err(|e| e.into_error().into())
}

/// Writes `body` as CSV to `key` in the reports bucket (a report, or a part of one: an
/// overwrite is harmless, a part being rewritten from the same place in the same ledger).
pub async fn put(deps: &Deps, key: &str, body: Vec<u8>) -> Result<(), BulkError> {
    deps.s3
        .put_object()
        .bucket(&deps.config.reports_bucket)
        .key(key)
        .content_type("text/csv")
        .content_disposition("attachment")
        .body(body.into())
        .send()
        .await
        .map_err(|e| BulkError::s3("PutObject", e))?;
    Ok(())
}

/// A presigned download URL of `key`.
pub async fn download_url(deps: &Deps, key: &str, now: DateTime<Utc>) -> Result<String, BulkError> {
    let presigning = wecare_messaging::media::presigning(now, DOWNLOAD_TTL).map_err(|e| BulkError::s3("presign", e))?;
    let req = deps
        .s3
        .get_object()
        .bucket(&deps.config.reports_bucket)
        .key(key)
        .presigned(presigning)
        .await
        .map_err(|e| BulkError::s3("presign", e))?;
    Ok(req.uri().to_string())
}
