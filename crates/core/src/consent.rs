//! Consent per channel, with provenance.
//!
//! Fail closed: a contact starts opted out on every channel, and a send requires the opt-in of its
//! channel. Every change records who made it, when and how, because "why did we message this
//! person" must always have an answer.
//!
//! Consent follows the customer's latest word, not the order events happen to be processed in:
//! SNS retries and DLQ replays deliver a START sent before a STOP after it. So each channel keeps
//! its [`LastWord`] (when it last changed, by what event, from what source), and a keyword changes
//! consent only if the message carrying it is later than that ([`apply_keyword`]). An older
//! keyword is still recorded, as not applied and why. Operator changes take effect at request
//! time. A tie fails closed: a STOP at the same instant as the last word wins, a START does not.

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
    /// The channel named by its wire spelling (`whatsapp`, `sms`, `email`).
    pub fn parse(s: &str) -> Option<Channel> {
        Channel::ALL.into_iter().find(|c| c.as_str() == s)
    }

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
    /// The event that carried it: the keyword message's id; absent for operator changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// When the customer sent the keyword (`at` is when it was processed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event_at: Option<DateTime<Utc>>,
    /// Set when the event was recorded but did not change consent, saying why.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub not_applied: Option<String>,
}

/// The latest word on one channel's consent.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LastWord {
    /// When it was said: the keyword message's own timestamp, or the operator's request time.
    pub at: DateTime<Utc>,
    pub source: ConsentSource,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
}

/// The latest word per channel; a channel never changed has none.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsentClock {
    #[serde(default, skip_serializing_if = "Option::is_none", rename = "whatsapp")]
    pub whatsapp: Option<LastWord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sms: Option<LastWord>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub email: Option<LastWord>,
}

impl ConsentClock {
    pub fn get(&self, channel: Channel) -> Option<&LastWord> {
        match channel {
            Channel::WhatsApp => self.whatsapp.as_ref(),
            Channel::Sms => self.sms.as_ref(),
            Channel::Email => self.email.as_ref(),
        }
    }

    pub fn set(&mut self, channel: Channel, word: LastWord) {
        let slot = match channel {
            Channel::WhatsApp => &mut self.whatsapp,
            Channel::Sms => &mut self.sms,
            Channel::Email => &mut self.email,
        };
        *slot = Some(word);
    }

    /// Moves each changed channel's last word to its change (operator and import changes, which
    /// take effect when they are made).
    pub fn record(&mut self, changes: &[ConsentChange]) {
        for c in changes.iter().filter(|c| c.not_applied.is_none()) {
            self.set(
                c.channel,
                LastWord {
                    at: c.event_at.unwrap_or(c.at),
                    source: c.source,
                    event: c.event.clone(),
                },
            );
        }
    }
}

/// A STOP or START keyword on one channel, as the customer sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeywordEvent<'a> {
    pub channel: Channel,
    pub opted_in: bool,
    /// The message's own timestamp.
    pub sent_at: DateTime<Utc>,
    /// The message's id (the WhatsApp wamid): a redelivery carries the same one.
    pub event: &'a str,
}

/// What a keyword did to consent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeywordOutcome {
    /// Consent changed; record this change.
    Applied(ConsentChange),
    /// Consent already said this; the last word moved to this event.
    Restated,
    /// This very event was handled before (a redelivery): nothing to do.
    Repeated,
    /// A later word was already recorded: record this change, marked as not applied.
    Stale(ConsentChange),
}

/// Applies a keyword only if it is the customer's latest word on its channel (see the module).
/// `history` is consulted so a redelivered event is recognised even when it was stale.
pub fn apply_keyword(
    opt_ins: &mut OptIns,
    clock: &mut ConsentClock,
    history: &[ConsentChange],
    k: &KeywordEvent<'_>,
    by: &str,
    now: DateTime<Utc>,
) -> KeywordOutcome {
    let seen = |e: Option<&str>| e == Some(k.event);
    if seen(clock.get(k.channel).and_then(|w| w.event.as_deref()))
        || history
            .iter()
            .any(|c| c.channel == k.channel && seen(c.event.as_deref()))
    {
        return KeywordOutcome::Repeated;
    }
    let change = |not_applied: Option<String>| ConsentChange {
        channel: k.channel,
        opted_in: k.opted_in,
        by: by.to_string(),
        at: now,
        source: ConsentSource::InboundKeyword,
        event: Some(k.event.to_string()),
        event_at: Some(k.sent_at),
        not_applied,
    };
    if let Some(last) = clock.get(k.channel) {
        // WhatsApp stamps messages in whole seconds, so a keyword is compared with the second of
        // the last word, and a tie fails closed: within the same second a STOP takes effect and a
        // START does not.
        let last_second = last.at.timestamp();
        let sent = k.sent_at.timestamp();
        if sent < last_second || (sent == last_second && k.opted_in) {
            let why = format!(
                "sent at {} but consent was last changed at {} ({:?})",
                crate::time::iso(k.sent_at),
                crate::time::iso(last.at),
                last.source
            );
            return KeywordOutcome::Stale(change(Some(why)));
        }
    }
    clock.set(
        k.channel,
        LastWord {
            at: k.sent_at,
            source: ConsentSource::InboundKeyword,
            event: Some(k.event.to_string()),
        },
    );
    if opt_ins.get(k.channel) == k.opted_in {
        return KeywordOutcome::Restated;
    }
    opt_ins.set(k.channel, k.opted_in);
    KeywordOutcome::Applied(change(None))
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
                    event: None,
                    event_at: None,
                    not_applied: None,
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

        /// Any keyword events, delivered in any order and any of them more than once, leave the
        /// consent of the latest event by its own timestamp (a tie at the latest instant: opted out).
        #[test]
        fn consent_ends_as_the_customers_latest_keyword_says_whatever_the_delivery_order(
            events in prop::collection::vec((0i64..20, any::<bool>()), 1..8),
            initially in any::<bool>(),
            order in prop::collection::vec(0usize..64, 1..24),
        ) {
            let base = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
            let ids: Vec<String> = (0..events.len()).map(|i| format!("wamid.{i}")).collect();
            // Every event at least once, then redeliveries in an arbitrary order.
            let mut deliveries: Vec<usize> = (0..events.len()).collect();
            deliveries.extend(order.iter().map(|o| o % events.len()));
            let mut shuffled = deliveries.clone();
            for (i, o) in order.iter().enumerate() {
                let j = (o * 7 + i) % shuffled.len();
                let k = i % shuffled.len();
                shuffled.swap(j, k);
            }
            let mut o = OptIns::default();
            o.set(Channel::WhatsApp, initially);
            let mut clock = ConsentClock::default();
            let mut history = Vec::new();
            for d in shuffled {
                let (secs, opted_in) = events[d];
                let k = KeywordEvent { channel: Channel::WhatsApp, opted_in, sent_at: base + chrono::Duration::seconds(secs), event: &ids[d] };
                match apply_keyword(&mut o, &mut clock, &history, &k, "system", base) {
                    KeywordOutcome::Applied(c) | KeywordOutcome::Stale(c) => history.push(c),
                    KeywordOutcome::Restated | KeywordOutcome::Repeated => {}
                }
            }
            let latest = events.iter().map(|(s, _)| *s).max().unwrap();
            let expected = events.iter().filter(|(s, _)| *s == latest).all(|(_, v)| *v);
            prop_assert_eq!(o.get(Channel::WhatsApp), expected);
            // Each event is recorded at most once, however often it was delivered.
            let mut recorded: Vec<_> = history.iter().filter_map(|c| c.event.clone()).collect();
            let n = recorded.len();
            recorded.sort();
            recorded.dedup();
            prop_assert_eq!(recorded.len(), n);
        }
    }

    #[test]
    fn a_start_sent_before_a_stop_but_delivered_after_it_is_recorded_and_not_applied() {
        let t = DateTime::from_timestamp(1_700_000_000, 0).unwrap();
        let (mut o, mut clock) = (OptIns::default(), ConsentClock::default());
        o.set(Channel::WhatsApp, true);
        let stop = KeywordEvent {
            channel: Channel::WhatsApp,
            opted_in: false,
            sent_at: t,
            event: "wamid.stop",
        };
        assert!(matches!(
            apply_keyword(&mut o, &mut clock, &[], &stop, "system", t),
            KeywordOutcome::Applied(_)
        ));
        let start = KeywordEvent {
            sent_at: t - chrono::Duration::seconds(60),
            opted_in: true,
            event: "wamid.start",
            ..stop
        };
        match apply_keyword(&mut o, &mut clock, &[], &start, "system", t) {
            KeywordOutcome::Stale(c) => assert!(c.not_applied.unwrap().contains("consent was last changed")),
            other => panic!("{other:?}"),
        }
        assert!(!o.get(Channel::WhatsApp));
    }
}
