//! Idempotency keys: one logical send, however often it is asked for.
//!
//! Every caller of the send pipeline delivers its work at least once: an operator double-clicks or
//! a browser retries, SQS redelivers a bulk chunk, a DLQ is replayed, a STOP arrives twice. Each
//! names its send with a key (the console's `Idempotency-Key` per compose action, a bulk job's
//! `(job, recipient)`, an inbound STOP's WhatsApp message id), and the message id is derived from
//! the tenant and the key. The message record is then claimed with one conditional write under
//! that id, so a repeat finds the first attempt instead of making a second message.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A caller's name for one logical send: 1–255 visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IdempotencyKey(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be 1-255 visible ASCII characters")]
pub struct InvalidKey;

impl IdempotencyKey {
    pub fn parse(s: &str) -> Result<Self, InvalidKey> {
        if s.is_empty() || s.len() > 255 || !s.chars().all(|c| c.is_ascii_graphic()) {
            return Err(InvalidKey);
        }
        Ok(IdempotencyKey(s.to_string()))
    }

    /// A fresh key, for a caller that did not name its send (each request is then its own send).
    pub fn random() -> Self {
        IdempotencyKey(uuid::Uuid::now_v7().to_string())
    }

    /// A key made of parts that are each already unique in their own space, e.g.
    /// `("bulk", job, recipient)` or `("stop-confirmation", wamid)`. Parts are joined with `:`.
    pub fn derived(parts: &[&str]) -> Self {
        let joined = parts.join(":");
        // Long parts are hashed into the key's length limit without losing uniqueness in practice.
        if joined.len() <= 255 && joined.chars().all(|c| c.is_ascii_graphic()) {
            IdempotencyKey(joined)
        } else {
            IdempotencyKey(format!(
                "h:{}",
                uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, joined.as_bytes())
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The id of the message this key names in `tenant`: the same for every repeat, different for
    /// every other key or tenant.
    pub fn message_id(&self, tenant: &crate::TenantId) -> String {
        let name = format!("{tenant}\n{}", self.0);
        uuid::Uuid::new_v5(&NAMESPACE, name.as_bytes()).to_string()
    }
}

/// The UUID namespace of outbound message ids.
const NAMESPACE: uuid::Uuid = uuid::Uuid::from_u128(0x6f1c_2a7e_93d4_4b8e_a1f0_5c3d_7e9b_2a41);

impl TryFrom<String> for IdempotencyKey {
    type Error = InvalidKey;
    fn try_from(s: String) -> Result<Self, InvalidKey> {
        IdempotencyKey::parse(&s)
    }
}

impl From<IdempotencyKey> for String {
    fn from(k: IdempotencyKey) -> String {
        k.0
    }
}

impl fmt::Display for IdempotencyKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::TenantId;
    use proptest::prelude::*;

    #[test]
    fn keys_are_visible_ascii_of_bounded_length() {
        assert!(IdempotencyKey::parse("compose-7f3a").is_ok());
        for bad in ["", "has space", "tab\t", "ü", &"k".repeat(256)] {
            assert_eq!(IdempotencyKey::parse(bad), Err(InvalidKey), "{bad:?}");
        }
    }

    #[test]
    fn derived_keys_stay_within_the_limit() {
        let long = "x".repeat(400);
        let k = IdempotencyKey::derived(&["bulk", &long, "r1"]);
        assert!(IdempotencyKey::parse(k.as_str()).is_ok());
        assert_eq!(IdempotencyKey::derived(&["stop", "wamid.1"]).as_str(), "stop:wamid.1");
    }

    proptest! {
        #[test]
        fn the_message_id_depends_on_the_tenant_and_the_key_only(a in "[!-~]{1,40}", b in "[!-~]{1,40}") {
            let (wecare, globex) = (TenantId::parse("wecare").unwrap(), TenantId::parse("globex").unwrap());
            let ka = IdempotencyKey::parse(&a).unwrap();
            let kb = IdempotencyKey::parse(&b).unwrap();
            prop_assert_eq!(ka.message_id(&wecare), ka.clone().message_id(&wecare));
            prop_assert_ne!(ka.message_id(&wecare), ka.message_id(&globex));
            prop_assert_eq!(a == b, ka.message_id(&wecare) == kb.message_id(&wecare));
        }
    }
}
