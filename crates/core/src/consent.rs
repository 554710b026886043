//! Consent per channel, with provenance.
//!
//! Fail closed: a contact starts opted out on every channel, and a send requires the opt-in of its
//! channel. Every change records who made it, when and how, because "why did we message this
//! person" must always have an answer.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// The three channels the platform sends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Channel {
    #[serde(rename = "whatsapp")]
    WhatsApp,
    Sms,
    Email,
}

impl Channel {
    pub const ALL: [Channel; 3] = [Channel::WhatsApp, Channel::Sms, Channel::Email];

    pub fn as_str(self) -> &'static str {
        match self {
            Channel::WhatsApp => "whatsapp",
            Channel::Sms => "sms",
            Channel::Email => "email",
        }
    }

    /// The JSON/attribute name of this channel's opt-in flag.
    pub fn opt_in_field(self) -> &'static str {
        match self {
            Channel::WhatsApp => "optInWhatsApp",
            Channel::Sms => "optInSms",
            Channel::Email => "optInEmail",
        }
    }
}

/// How a consent change came about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentSource {
    /// An operator set it in the console or API.
    Operator,
    /// The contact sent STOP/START (or an equivalent keyword).
    InboundKeyword,
    /// A bulk import carried it.
    Import,
    /// The contact was created from an inbound message.
    Inbound,
}

/// One recorded consent change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentChange {
    pub channel: Channel,
    pub opted_in: bool,
    /// The user id (or `system` for keyword/inbound changes) that made the change.
    pub by: String,
    pub at: DateTime<Utc>,
    pub source: ConsentSource,
}

/// The per-channel flags of a contact. `Default` is opted out everywhere.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OptIns {
    #[serde(rename = "optInWhatsApp")]
    pub whatsapp: bool,
    pub opt_in_sms: bool,
    pub opt_in_email: bool,
}

impl OptIns {
    pub fn get(&self, channel: Channel) -> bool {
        match channel {
            Channel::WhatsApp => self.whatsapp,
            Channel::Sms => self.opt_in_sms,
            Channel::Email => self.opt_in_email,
        }
    }

    pub fn set(&mut self, channel: Channel, value: bool) {
        match channel {
            Channel::WhatsApp => self.whatsapp = value,
            Channel::Sms => self.opt_in_sms = value,
            Channel::Email => self.opt_in_email = value,
        }
    }

    /// Applies requested flags, returning one provenance record per flag that actually changed.
    /// Requests that restate the current value record nothing, so history shows real changes.
    pub fn apply(
        &mut self,
        requested: &[(Channel, bool)],
        by: &str,
        at: DateTime<Utc>,
        source: ConsentSource,
    ) -> Vec<ConsentChange> {
        let mut changes = Vec::new();
        for &(channel, opted_in) in requested {
            if self.get(channel) != opted_in {
                self.set(channel, opted_in);
                changes.push(ConsentChange {
                    channel,
                    opted_in,
                    by: by.to_string(),
                    at,
                    source,
                });
            }
        }
        changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn a_new_contact_is_opted_out_of_every_channel() {
        let o = OptIns::default();
        assert!(Channel::ALL.iter().all(|c| !o.get(*c)));
    }

    #[test]
    fn restating_the_current_value_records_no_change() {
        let mut o = OptIns::default();
        let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let first = o.apply(&[(Channel::Sms, true)], "u1", at, ConsentSource::Operator);
        assert_eq!(first.len(), 1);
        let again = o.apply(
            &[(Channel::Sms, true), (Channel::Email, false)],
            "u1",
            at,
            ConsentSource::Operator,
        );
        assert!(again.is_empty());
    }

    proptest! {
        #[test]
        fn flags_end_as_the_last_request_says_and_every_change_is_recorded(
            reqs in prop::collection::vec((prop::sample::select(Channel::ALL.to_vec()), any::<bool>()), 0..12)
        ) {
            let mut o = OptIns::default();
            let at = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
            let mut before = o;
            let mut recorded = 0;
            for (c, v) in &reqs {
                let changes = o.apply(&[(*c, *v)], "u", at, ConsentSource::Operator);
                prop_assert_eq!(changes.len(), usize::from(before.get(*c) != *v));
                recorded += changes.len();
                before = o;
            }
            for c in Channel::ALL {
                let last = reqs.iter().rev().find(|(rc, _)| *rc == c).map(|(_, v)| *v).unwrap_or(false);
                prop_assert_eq!(o.get(c), last);
            }
            prop_assert!(recorded <= reqs.len());
        }
    }
}
