//! What a search of the audit trail means, before any table is read.
//!
//! A tenant's entries are kept in one partition per UTC day (`{tenant}#AUDIT#{yyyy-mm-dd}`),
//! each sorted by `{at}#{auditId}`, so that a busy tenant's writes spread over partitions; an
//! index per actor and one per resource hold the same entries by `{at}#{auditId}` too. A search
//! is a [`TimeRange`] (both ends inclusive, never older than the retention, since older entries
//! have expired) and optional filters. The most selective key wins: a resource's history, else
//! an actor's, else the tenant's days walked newest first ([`TimeRange::days`]); the remaining
//! filters are applied to what that key finds.

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::time::{iso, AUDIT_RETENTION};

/// The most DynamoDB queries one page of a search may make. A page over the tenant's days makes
/// one query per day it visits, so a page over a quiet stretch stops after this many days and
/// hands back a cursor where it stopped, rather than taking a request per day of the retention.
pub const MAX_QUERIES_PER_PAGE: usize = 32;

/// Longest resource type, resource id, actor or action a search may name.
const MAX_TERM: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SearchError {
    #[error("must not be later than to")]
    Inverted,
    #[error("must be 1–200 characters without control characters")]
    Term(&'static str),
    #[error("must be given with resourceType (a resource is its type and its id)")]
    HalfEntity,
    #[error("must be success, denied or failed")]
    Outcome,
}

impl SearchError {
    /// The request parameter the error is about.
    pub fn field(&self) -> &'static str {
        match self {
            SearchError::Inverted => "from",
            SearchError::Term(f) => f,
            SearchError::HalfEntity => "resourceId",
            SearchError::Outcome => "outcome",
        }
    }
}

/// A span of the audit trail: `from` ≤ at ≤ `to`, with `from` no older than the retention.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
}

impl TimeRange {
    /// The range a search asks for: `to` defaults to `now`, `from` to the oldest entry still kept
    /// (and is raised to it when older: nothing older exists).
    pub fn new(
        from: Option<DateTime<Utc>>,
        to: Option<DateTime<Utc>>,
        now: DateTime<Utc>,
    ) -> Result<TimeRange, SearchError> {
        let oldest = oldest_kept(now);
        let to = to.unwrap_or(now);
        let from = from.map_or(oldest, |f| f.max(oldest));
        if from > to {
            return Err(SearchError::Inverted);
        }
        Ok(TimeRange { from, to })
    }

    pub fn from(&self) -> DateTime<Utc> {
        self.from
    }

    pub fn to(&self) -> DateTime<Utc> {
        self.to
    }

    /// The UTC days the range touches, newest first: the day partitions to read, in the order a
    /// newest-first page reads them.
    pub fn days(&self) -> impl Iterator<Item = NaiveDate> {
        let first = self.from.date_naive();
        self.to.date_naive().iter_days().rev().take_while(move |d| *d >= first)
    }

    /// Whether `day` is one of [`TimeRange::days`].
    pub fn touches(&self, day: NaiveDate) -> bool {
        self.from.date_naive() <= day && day <= self.to.date_naive()
    }

    /// Bounds of the sort key `{at}#{auditId}` for a `BETWEEN` that keeps exactly the entries of
    /// the range: every key of an entry at `from` starts with `iso(from)`, so it sorts at or
    /// after it; every key of an entry at `to` is `iso(to)#…`, and `char::MAX` sorts after any
    /// character an id holds.
    pub fn sort_key_bounds(&self) -> (String, String) {
        (iso(self.from), format!("{}#{}", iso(self.to), char::MAX))
    }
}

/// The oldest moment whose entries are still kept at `now` (entries expire after
/// [`AUDIT_RETENTION`]; the second added keeps an entry whose expiry is exactly now out).
pub fn oldest_kept(now: DateTime<Utc>) -> DateTime<Utc> {
    now - AUDIT_RETENTION + Duration::seconds(1)
}

/// Which actions a search keeps: one action, or a family of them (`contact.*`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionFilter {
    Exact(String),
    /// The part before `*`, e.g. `contact.`.
    Prefix(String),
}

/// How an audited attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    Success,
    Denied,
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Denied => "denied",
            Outcome::Failed => "failed",
        }
    }
}

/// A resource of the platform: a contact, a bulk job, a user…
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entity {
    pub resource_type: String,
    pub resource_id: String,
}

/// Which key a search reads: the narrowest its filters allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Entity(Entity),
    Actor(String),
    Tenant,
}

/// A checked search of one tenant's audit trail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditSearch {
    pub scope: Scope,
    /// The actor, when it is a filter on another scope.
    pub actor: Option<String>,
    pub action: Option<ActionFilter>,
    pub outcome: Option<Outcome>,
    pub range: TimeRange,
}

/// A search's parameters as a request gives them (empty strings count as absent).
#[derive(Debug, Clone, Default)]
pub struct SearchTerms<'a> {
    pub actor: Option<&'a str>,
    pub action: Option<&'a str>,
    pub resource_type: Option<&'a str>,
    pub resource_id: Option<&'a str>,
    pub outcome: Option<&'a str>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

fn term<'a>(field: &'static str, value: Option<&'a str>) -> Result<Option<&'a str>, SearchError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        None => Ok(None),
        Some(v) if v.chars().count() <= MAX_TERM && !v.chars().any(char::is_control) => Ok(Some(v)),
        Some(_) => Err(SearchError::Term(field)),
    }
}

impl AuditSearch {
    pub fn new(terms: SearchTerms<'_>, now: DateTime<Utc>) -> Result<AuditSearch, SearchError> {
        let range = TimeRange::new(terms.from, terms.to, now)?;
        let actor = term("actor", terms.actor)?.map(str::to_string);
        let action = term("action", terms.action)?.map(|a| match a.strip_suffix('*') {
            Some(prefix) => ActionFilter::Prefix(prefix.to_string()),
            None => ActionFilter::Exact(a.to_string()),
        });
        let outcome = match term("outcome", terms.outcome)? {
            None => None,
            Some("success") => Some(Outcome::Success),
            Some("denied") => Some(Outcome::Denied),
            Some("failed") => Some(Outcome::Failed),
            Some(_) => return Err(SearchError::Outcome),
        };
        let entity = match (
            term("resourceType", terms.resource_type)?,
            term("resourceId", terms.resource_id)?,
        ) {
            (Some(t), Some(id)) => Some(Entity {
                resource_type: t.to_string(),
                resource_id: id.to_string(),
            }),
            (None, None) => None,
            _ => return Err(SearchError::HalfEntity),
        };
        let (scope, actor) = match (entity, actor) {
            (Some(e), actor) => (Scope::Entity(e), actor),
            (None, Some(a)) => (Scope::Actor(a), None),
            (None, None) => (Scope::Tenant, None),
        };
        Ok(AuditSearch {
            scope,
            actor,
            action,
            outcome,
            range,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_range_defaults_to_the_whole_retention_up_to_now() {
        let now = at("2026-06-30T12:00:00Z");
        let r = TimeRange::new(None, None, now).unwrap();
        assert_eq!(r.to(), now);
        assert_eq!(r.from(), now - AUDIT_RETENTION + Duration::seconds(1));
        assert_eq!(r.days().count(), 181);
        assert_eq!(r.days().next(), Some(now.date_naive()));
    }

    #[test]
    fn a_range_older_than_the_retention_is_cut_to_it_and_an_inverted_one_refused() {
        let now = at("2026-06-30T12:00:00Z");
        let r = TimeRange::new(Some(at("2020-01-01T00:00:00Z")), None, now).unwrap();
        assert_eq!(r.from(), oldest_kept(now));
        assert_eq!(
            TimeRange::new(Some(at("2026-06-02T00:00:00Z")), Some(at("2026-06-01T00:00:00Z")), now),
            Err(SearchError::Inverted)
        );
    }

    #[test]
    fn the_sort_key_bounds_keep_entries_at_both_ends_and_nothing_outside() {
        let now = at("2026-06-30T12:00:00Z");
        let r = TimeRange::new(Some(at("2026-06-01T00:00:00Z")), Some(at("2026-06-02T00:00:00Z")), now).unwrap();
        let (lo, hi) = r.sort_key_bounds();
        let key = |t: &str, id: &str| format!("{}#{id}", iso(at(t)));
        for inside in [
            key("2026-06-01T00:00:00Z", "0190a1b2-0000-7000-8000-000000000000"),
            key("2026-06-02T00:00:00Z", "zzzz-bulk-finish-job"),
        ] {
            assert!(lo <= inside && inside <= hi, "{inside}");
        }
        for outside in [
            key("2026-05-31T23:59:59.999Z", "x"),
            key("2026-06-02T00:00:00.001Z", "0"),
        ] {
            assert!(!(lo <= outside && outside <= hi), "{outside}");
        }
    }

    #[test]
    fn the_narrowest_key_is_chosen_and_the_other_filters_kept() {
        let now = at("2026-06-30T12:00:00Z");
        let s = AuditSearch::new(
            SearchTerms {
                actor: Some("u-1"),
                action: Some("contact.*"),
                resource_type: Some("contact"),
                resource_id: Some("c-1"),
                ..Default::default()
            },
            now,
        )
        .unwrap();
        assert!(matches!(s.scope, Scope::Entity(_)));
        assert_eq!(s.actor.as_deref(), Some("u-1"));
        assert_eq!(s.action, Some(ActionFilter::Prefix("contact.".into())));

        let s = AuditSearch::new(
            SearchTerms {
                actor: Some("u-1"),
                ..Default::default()
            },
            now,
        )
        .unwrap();
        assert_eq!((s.scope, s.actor), (Scope::Actor("u-1".into()), None));
        let half = SearchTerms {
            resource_type: Some("contact"),
            ..Default::default()
        };
        assert_eq!(AuditSearch::new(half, now), Err(SearchError::HalfEntity));
        let bad = SearchTerms {
            outcome: Some("maybe"),
            ..Default::default()
        };
        assert_eq!(AuditSearch::new(bad, now), Err(SearchError::Outcome));
    }

    proptest! {
        /// Every instant of a range lies in one of its days, the days are distinct and descending,
        /// and there are exactly as many as the calendar days the range spans.
        #[test]
        fn the_days_of_a_range_cover_it_exactly_newest_first(
            start in 0i64..(170 * 86_400),
            length in 0i64..(10 * 86_400),
            probe in 0.0f64..=1.0,
        ) {
            let now = at("2026-06-30T12:00:00Z");
            let from = oldest_kept(now) + Duration::seconds(start);
            let to = (from + Duration::seconds(length)).min(now);
            let r = TimeRange::new(Some(from), Some(to), now).unwrap();
            let days: Vec<NaiveDate> = r.days().collect();
            prop_assert!(days.windows(2).all(|w| w[0] > w[1]));
            prop_assert_eq!(days.len() as i64, (to.date_naive() - from.date_naive()).num_days() + 1);
            let inside = from + Duration::milliseconds(((to - from).num_milliseconds() as f64 * probe) as i64);
            prop_assert!(days.contains(&inside.date_naive()));
            prop_assert!(days.iter().all(|d| r.touches(*d)));
        }
    }
}
