//! Time rules shared by every table with a TTL.
//!
//! DynamoDB TTL reads epoch *seconds* from a Number attribute and deletes lazily (up to days
//! later; moto never does), so writers compute `expiresAt` here and readers treat anything past
//! it as already gone.

use chrono::{DateTime, Duration, DurationRound, SecondsFormat, Utc};

pub const AUDIT_RETENTION: Duration = Duration::days(180);
pub const MESSAGE_RETENTION: Duration = Duration::days(30);
pub const DLQ_RETENTION: Duration = Duration::days(7);
pub const RATE_LIMIT_RETENTION: Duration = Duration::days(1);

/// The current time at the platform's precision (milliseconds), for handlers' `now` argument.
pub fn now() -> DateTime<Utc> {
    let t = Utc::now();
    t.duration_trunc(Duration::milliseconds(1)).unwrap_or(t)
}

/// The `expiresAt` value (epoch seconds) for an item written at `now` and kept for `keep`.
pub fn expires_at(now: DateTime<Utc>, keep: Duration) -> i64 {
    (now + keep).timestamp()
}

/// Whether an item with this `expiresAt` must be treated as deleted at `now`.
pub fn is_expired(expires_at: i64, now: DateTime<Utc>) -> bool {
    expires_at <= now.timestamp()
}

/// The one timestamp format of the API and the tables: RFC 3339, UTC, millisecond precision, so
/// timestamps sort lexically.
pub fn iso(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Serde for an optional timestamp in the one sortable format ([`iso`]), for attributes that
/// conditional writes compare as strings.
pub mod iso_opt {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(t: &Option<DateTime<Utc>>, s: S) -> Result<S::Ok, S::Error> {
        match t {
            Some(t) => s.serialize_str(&super::iso(*t)),
            None => s.serialize_none(),
        }
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        Option::<DateTime<Utc>>::deserialize(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn audit_entries_expire_180_days_later_in_epoch_seconds() {
        let now = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        assert_eq!(expires_at(now, AUDIT_RETENTION), 1_700_000_000 + 180 * 86_400);
        assert!(!is_expired(expires_at(now, AUDIT_RETENTION), now));
        assert!(is_expired(1_700_000_000, now));
    }

    #[test]
    fn iso_timestamps_sort_lexically_in_time_order() {
        let a = DateTime::from_timestamp(1_700_000_000, 5_000_000).unwrap();
        let b = DateTime::from_timestamp(1_700_000_010, 0).unwrap();
        assert!(iso(a) < iso(b));
        assert_eq!(iso(a), "2023-11-14T22:13:20.005Z");
    }
}
