//! Dead-letter queues and the rules of replaying them, whatever tool does it.
//!
//! Three queues hold what failed: `inbound-dlq` (WhatsApp events the inbound handler could not
//! process or would not store), `bulk-dlq` (bulk work that failed its receives) and
//! `outbound-dlq` (asynchronous sends that failed on the platform's side). A message is replayed
//! by running the logic of its original consumer again; each message is known by its original
//! id, replayed successfully at most once, and tried at most [`MAX_REPLAY_ATTEMPTS`] times, after
//! which it is abandoned: shown with its last error, never run again. Its state is derived here,
//! from what its record holds, so a record cannot be "replayed" and "abandoned" at once.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Replay attempts of one message before it is abandoned.
pub const MAX_REPLAY_ATTEMPTS: u32 = 5;

/// The most messages one replay request may name (or replay, with `all`).
pub const MAX_REPLAY_BATCH: usize = 100;

/// The dead-letter queues, by the names the API, the local stack and the CDK app use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DlqQueue {
    #[serde(rename = "inbound-dlq")]
    Inbound,
    #[serde(rename = "bulk-dlq")]
    Bulk,
    #[serde(rename = "outbound-dlq")]
    Outbound,
}

impl DlqQueue {
    pub const ALL: [DlqQueue; 3] = [DlqQueue::Inbound, DlqQueue::Bulk, DlqQueue::Outbound];

    pub fn as_str(self) -> &'static str {
        match self {
            DlqQueue::Inbound => "inbound-dlq",
            DlqQueue::Bulk => "bulk-dlq",
            DlqQueue::Outbound => "outbound-dlq",
        }
    }

    /// The queue named by its wire spelling; `None` for anything else (an unknown queue).
    pub fn parse(s: &str) -> Option<DlqQueue> {
        DlqQueue::ALL.into_iter().find(|q| q.as_str() == s)
    }
}

impl fmt::Display for DlqQueue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a dead-lettered message stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum DlqState {
    /// Waiting: never replayed, or replayed and failed fewer than [`MAX_REPLAY_ATTEMPTS`] times.
    Pending,
    /// Replayed successfully; whatever copy of it is still in the queue is only deleted.
    Replayed,
    /// Tried [`MAX_REPLAY_ATTEMPTS`] times without success: never run again.
    Abandoned,
}

impl DlqState {
    /// The state of a message after `attempts` replays, `replayed` telling whether one succeeded
    /// (a success wins, even on the last attempt).
    pub fn of(attempts: u32, replayed: bool) -> DlqState {
        if replayed {
            DlqState::Replayed
        } else if attempts >= MAX_REPLAY_ATTEMPTS {
            DlqState::Abandoned
        } else {
            DlqState::Pending
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queues_are_known_by_their_wire_names_only() {
        for q in DlqQueue::ALL {
            assert_eq!(DlqQueue::parse(q.as_str()), Some(q));
            assert_eq!(serde_json::to_value(q).unwrap(), serde_json::json!(q.as_str()));
        }
        for bad in ["bulk-queue", "INBOUND-DLQ", "", "inbound"] {
            assert_eq!(DlqQueue::parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn a_message_is_abandoned_after_five_failed_attempts_unless_one_succeeded() {
        assert_eq!(DlqState::of(0, false), DlqState::Pending);
        assert_eq!(DlqState::of(4, false), DlqState::Pending);
        assert_eq!(DlqState::of(5, false), DlqState::Abandoned);
        assert_eq!(DlqState::of(5, true), DlqState::Replayed);
        assert_eq!(DlqState::of(1, true), DlqState::Replayed);
    }
}

/// The URLs of the three dead-letter queues, one per [`DlqQueue`]: read by the functions that
/// list or replay them and by the overview that shows their depth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetterQueues {
    pub inbound: String,
    pub bulk: String,
    pub outbound: String,
}

impl DeadLetterQueues {
    pub fn url(&self, q: DlqQueue) -> &str {
        match q {
            DlqQueue::Inbound => &self.inbound,
            DlqQueue::Bulk => &self.bulk,
            DlqQueue::Outbound => &self.outbound,
        }
    }
}
