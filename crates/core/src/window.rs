//! WhatsApp's customer-service window.
//!
//! Free-form messages may be sent only within 24 hours of the contact's latest inbound message;
//! outside it only approved templates may be sent. The window is a pure function of that time
//! and "now", so the rule is testable to the second.

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

pub const LENGTH: Duration = Duration::hours(24);

/// The state of a contact's window at some instant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "camelCase")]
pub enum Window {
    Open {
        #[serde(rename = "expiresAt")]
        expires_at: DateTime<Utc>,
    },
    Closed,
}

impl Window {
    pub fn at(last_inbound: Option<DateTime<Utc>>, now: DateTime<Utc>) -> Window {
        match last_inbound {
            Some(t) if now < t + LENGTH && t <= now + Duration::minutes(5) => Window::Open { expires_at: t + LENGTH },
            _ => Window::Closed,
        }
    }

    pub fn is_open(&self) -> bool {
        matches!(self, Window::Open { .. })
    }

    pub fn expires_at(&self) -> Option<DateTime<Utc>> {
        match self {
            Window::Open { expires_at } => Some(*expires_at),
            Window::Closed => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn t(s: i64) -> DateTime<Utc> {
        DateTime::from_timestamp(1_800_000_000 + s, 0).unwrap()
    }

    #[test]
    fn the_window_is_open_for_exactly_24_hours_after_the_last_inbound_message() {
        assert_eq!(
            Window::at(Some(t(0)), t(86_399)),
            Window::Open { expires_at: t(86_400) }
        );
        assert_eq!(Window::at(Some(t(0)), t(86_400)), Window::Closed);
        assert_eq!(Window::at(None, t(0)), Window::Closed);
    }

    #[test]
    fn an_inbound_time_far_in_the_future_opens_nothing() {
        assert_eq!(Window::at(Some(t(3600)), t(0)), Window::Closed);
    }

    proptest! {
        #[test]
        fn open_means_now_is_within_24_hours_after_the_inbound(last in 0i64..200_000, now in 0i64..200_000) {
            let w = Window::at(Some(t(last)), t(now));
            let within = now >= last - 300 && now < last + 86_400;
            prop_assert_eq!(w.is_open(), within);
        }
    }
}
