//! Messages: direction, status and the rule that a status never moves backwards.
//!
//! An outbound message is recorded as `sending` before the provider is called and settled after:
//! `sent`, `failed`, or `unknown` when the request may or may not have reached the provider.
//! Provider statuses arrive late, twice, and out of order (a `read` before its `delivered`, a
//! `delivered` before the send was even settled); the stored status only ever advances:
//! sending < unknown < queued < sent < delivered < read, and `failed` is terminal from anything but
//! `read` (a message that was read was delivered, whatever a late failure says).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    Inbound,
    Outbound,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MessageStatus {
    /// Recorded, and the provider call is (or was) in flight.
    Sending,
    /// The provider may or may not have accepted it (a timeout, a dropped connection, a 5xx): it
    /// is never sent again automatically, and a delivery status settles it.
    Unknown,
    /// Accepted by the provider, before the platform said `sent` for that (older records).
    Queued,
    /// Checked and recorded in DRY_RUN mode; no provider was called.
    DryRun,
    Sent,
    Delivered,
    Read,
    Failed,
    /// An inbound message as it arrived.
    Received,
}

impl MessageStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            MessageStatus::Sending => "sending",
            MessageStatus::Unknown => "unknown",
            MessageStatus::Queued => "queued",
            MessageStatus::DryRun => "dry_run",
            MessageStatus::Sent => "sent",
            MessageStatus::Delivered => "delivered",
            MessageStatus::Read => "read",
            MessageStatus::Failed => "failed",
            MessageStatus::Received => "received",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [
            MessageStatus::Sending,
            MessageStatus::Unknown,
            MessageStatus::Queued,
            MessageStatus::DryRun,
            MessageStatus::Sent,
            MessageStatus::Delivered,
            MessageStatus::Read,
            MessageStatus::Failed,
            MessageStatus::Received,
        ]
        .into_iter()
        .find(|m| m.as_str() == s)
    }

    /// Position on the delivery path; `None` for statuses that are not on it.
    pub fn rank(self) -> Option<u8> {
        match self {
            MessageStatus::Sending => Some(0),
            MessageStatus::Unknown => Some(1),
            MessageStatus::Queued => Some(2),
            MessageStatus::Sent => Some(3),
            MessageStatus::Delivered => Some(4),
            MessageStatus::Read => Some(5),
            MessageStatus::Failed => Some(6),
            MessageStatus::DryRun | MessageStatus::Received => None,
        }
    }

    /// Whether a message in `self` may move to `next`.
    pub fn may_advance_to(self, next: MessageStatus) -> bool {
        match (self, next) {
            (MessageStatus::Failed, _) | (MessageStatus::Read, MessageStatus::Failed) => false,
            (_, MessageStatus::Failed) => self.rank().is_some(),
            (a, b) => matches!((a.rank(), b.rank()), (Some(x), Some(y)) if y > x && b != MessageStatus::Failed),
        }
    }

    /// The statuses a message in `next` may have been in before (for a conditional write).
    pub fn may_follow(next: MessageStatus) -> Vec<MessageStatus> {
        [
            MessageStatus::Sending,
            MessageStatus::Unknown,
            MessageStatus::Queued,
            MessageStatus::Sent,
            MessageStatus::Delivered,
            MessageStatus::Read,
            MessageStatus::Failed,
        ]
        .into_iter()
        .filter(|s| s.may_advance_to(next))
        .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use MessageStatus::*;

    #[test]
    fn statuses_only_move_forward() {
        assert!(Sent.may_advance_to(Delivered));
        assert!(Sent.may_advance_to(Read));
        assert!(!Read.may_advance_to(Delivered));
        assert!(!Delivered.may_advance_to(Sent));
        assert!(!Sent.may_advance_to(Sent));
    }

    #[test]
    fn a_status_settles_a_message_still_sending_or_of_unknown_fate() {
        assert!(Sending.may_advance_to(Delivered));
        assert!(Unknown.may_advance_to(Sent));
        assert!(Unknown.may_advance_to(Failed));
        assert!(!Sent.may_advance_to(Unknown));
    }

    #[test]
    fn failed_is_terminal_and_cannot_undo_a_read() {
        assert!(Sent.may_advance_to(Failed));
        assert!(Delivered.may_advance_to(Failed));
        assert!(!Read.may_advance_to(Failed));
        assert!(!Failed.may_advance_to(Read));
        assert_eq!(
            MessageStatus::may_follow(Failed),
            vec![Sending, Unknown, Queued, Sent, Delivered]
        );
    }

    fn path() -> impl Strategy<Value = MessageStatus> {
        prop::sample::select(vec![Sent, Delivered, Read, Failed])
    }

    proptest! {
        #[test]
        fn applying_statuses_in_any_order_never_lowers_the_rank(updates in prop::collection::vec(path(), 0..10)) {
            let mut current = Sending;
            for u in updates {
                let before = current;
                if current.may_advance_to(u) {
                    current = u;
                }
                prop_assert!(current.rank() >= before.rank());
                prop_assert!(before != Failed || current == Failed);
            }
        }
    }
}
