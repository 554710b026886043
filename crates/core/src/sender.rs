//! Who a message goes out from, and which tenant owns each sender.
//!
//! A WhatsApp phone-number id, an SMS pool or origination identity and an email address are each
//! owned by exactly one tenant: a customer's reply lands with the tenant whose number they wrote
//! to, so sending from another tenant's number would hand that tenant the conversation. The
//! directory is the deployment's configuration (`SENDERS`, the same list the CDK app writes); it
//! is checked once at cold start so that no two tenants can claim one sender and each (tenant,
//! channel) has one default. A send names a sender or takes its tenant's default; anything else
//! is refused before any write.
//!
//! Rate limits are counted where the providers count them, which is not per tenant: per WhatsApp
//! number, per SMS pool or origination identity, and per SES sending account (all email senders
//! of a deployment share one). [`Sender::rate_bucket`] names that bucket.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::rate::Rate;
use crate::{Channel, TenantId};

/// One configured sender, as `SENDERS` lists it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SenderConfig {
    pub tenant: String,
    pub channel: Channel,
    pub id: String,
    pub label: String,
    #[serde(default)]
    pub default: bool,
    /// The WhatsApp Business Account of a WhatsApp number; its numbers share one messaging tier.
    #[serde(default)]
    pub waba_id: Option<String>,
    #[serde(default)]
    pub rate_per_second: Option<f64>,
}

/// A validated sender.
#[derive(Debug, Clone, PartialEq)]
pub struct Sender {
    pub tenant: TenantId,
    pub channel: Channel,
    /// What the provider takes: `phone-number-id-…`, a pool id or number, an email address.
    pub id: String,
    pub label: String,
    pub is_default: bool,
    pub waba_id: Option<String>,
    /// The limit of this sender's bucket.
    pub rate: Rate,
}

impl Sender {
    /// The rate-limit bucket this sender draws from, named as the provider counts it.
    pub fn rate_bucket(&self) -> String {
        match self.channel {
            Channel::WhatsApp => format!("whatsapp#{}", self.id),
            Channel::Sms => format!("sms#{}", self.id),
            // SES limits the sending account, whatever the From address.
            Channel::Email => "email#ses-account".to_string(),
        }
    }
}

/// Why a requested sender cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SenderRefusal {
    #[error("{0} is not one of your organisation's {1} senders")]
    NotOwned(String, &'static str),
    #[error("your organisation has no {0} sender configured")]
    NoneConfigured(&'static str),
}

/// The per-channel default rates, for senders that do not set their own.
#[derive(Debug, Clone, Copy)]
pub struct DefaultRates {
    pub whatsapp: Rate,
    pub sms: Rate,
    pub email: Rate,
}

impl DefaultRates {
    fn of(&self, channel: Channel) -> Rate {
        match channel {
            Channel::WhatsApp => self.whatsapp,
            Channel::Sms => self.sms,
            Channel::Email => self.email,
        }
    }
}

/// Every sender of the deployment, by tenant and channel.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Senders {
    all: Vec<Sender>,
}

fn valid_id(channel: Channel, id: &str) -> bool {
    let visible = !id.is_empty() && id.len() <= 256 && id.chars().all(|c| c.is_ascii_graphic() && c != '#');
    match channel {
        Channel::WhatsApp => {
            visible
                && id
                    .strip_prefix("phone-number-id-")
                    .is_some_and(|rest| !rest.is_empty() && rest.chars().all(|c| c.is_ascii_alphanumeric()))
        }
        Channel::Sms => visible,
        Channel::Email => visible && crate::Email::parse(id).is_ok(),
    }
}

impl Senders {
    /// Parses and checks `SENDERS`: every problem is reported, not just the first.
    pub fn parse(json: &str, rates: DefaultRates) -> Result<Senders, String> {
        let raw: Vec<SenderConfig> =
            serde_json::from_str(json).map_err(|e| format!("is not a JSON list of senders: {e}"))?;
        Self::from_configs(raw, rates)
    }

    pub fn from_configs(raw: Vec<SenderConfig>, rates: DefaultRates) -> Result<Senders, String> {
        let mut problems = Vec::new();
        let mut owners: BTreeMap<String, String> = BTreeMap::new();
        let mut defaults: BTreeSet<(String, Channel)> = BTreeSet::new();
        let mut all = Vec::new();
        for (i, s) in raw.into_iter().enumerate() {
            let at = format!("sender {i} ({})", s.id);
            let tenant = match TenantId::parse(&s.tenant) {
                Ok(t) => Some(t),
                Err(e) => {
                    problems.push(format!("{at}: tenant {:?} {e}", s.tenant));
                    None
                }
            };
            if !valid_id(s.channel, &s.id) {
                problems.push(format!(
                    "{at}: {:?} is not a valid {} sender id",
                    s.id,
                    s.channel.as_str()
                ));
            }
            if let Some(previous) = owners.insert(s.id.clone(), s.tenant.clone()) {
                problems.push(format!(
                    "{at}: already configured for tenant {previous}; a sender belongs to exactly one tenant"
                ));
            }
            if s.label.trim().is_empty() {
                problems.push(format!("{at}: label is empty"));
            }
            match (s.channel, &s.waba_id) {
                (Channel::WhatsApp, None) => problems.push(format!("{at}: a WhatsApp number needs its wabaId")),
                (Channel::WhatsApp, Some(w)) if w.is_empty() || !w.chars().all(|c| c.is_ascii_digit()) => {
                    problems.push(format!("{at}: wabaId {w:?} is not a WhatsApp Business Account id"))
                }
                (Channel::Sms | Channel::Email, Some(_)) => {
                    problems.push(format!("{at}: only WhatsApp numbers have a wabaId"))
                }
                _ => {}
            }
            let rate = match s.rate_per_second {
                None => rates.of(s.channel),
                Some(r) if s.channel == Channel::Email => {
                    problems.push(format!(
                        "{at}: ratePerSecond {r} cannot be set per email sender (SES limits the account)"
                    ));
                    rates.email
                }
                Some(r) if r > 0.0 && r <= 10_000.0 => Rate::steady(r),
                Some(r) => {
                    problems.push(format!("{at}: ratePerSecond {r} is not between 0 and 10000"));
                    rates.of(s.channel)
                }
            };
            if s.default && !defaults.insert((s.tenant.clone(), s.channel)) {
                problems.push(format!(
                    "{at}: tenant {} already has a default {} sender",
                    s.tenant,
                    s.channel.as_str()
                ));
            }
            if let Some(tenant) = tenant {
                all.push(Sender {
                    tenant,
                    channel: s.channel,
                    id: s.id,
                    label: s.label,
                    is_default: s.default,
                    waba_id: s.waba_id,
                    rate,
                });
            }
        }
        if !problems.is_empty() {
            return Err(problems.join("; "));
        }
        // A tenant with senders on a channel but none marked default sends from the first listed.
        let mut seen: BTreeSet<(TenantId, Channel)> = all
            .iter()
            .filter(|s| s.is_default)
            .map(|s| (s.tenant.clone(), s.channel))
            .collect();
        for s in &mut all {
            if seen.insert((s.tenant.clone(), s.channel)) {
                s.is_default = true;
            }
        }
        Ok(Senders { all })
    }

    /// The tenant's senders on `channel`, the default first.
    pub fn of_tenant(&self, tenant: &TenantId, channel: Option<Channel>) -> Vec<&Sender> {
        let mut out: Vec<&Sender> = self
            .all
            .iter()
            .filter(|s| &s.tenant == tenant && channel.is_none_or(|c| s.channel == c))
            .collect();
        out.sort_by_key(|s| (s.channel, !s.is_default));
        out
    }

    /// The sender a send of `tenant` on `channel` goes from: the one asked for if the tenant owns
    /// it, else the tenant's default. Another tenant's sender is refused exactly like an unknown one.
    pub fn resolve(&self, tenant: &TenantId, channel: Channel, from: Option<&str>) -> Result<&Sender, SenderRefusal> {
        let mut own = self.all.iter().filter(|s| &s.tenant == tenant && s.channel == channel);
        match from {
            Some(id) => own
                .find(|s| s.id == id)
                .ok_or_else(|| SenderRefusal::NotOwned(id.to_string(), channel.as_str())),
            None => own
                .find(|s| s.is_default)
                .ok_or(SenderRefusal::NoneConfigured(channel.as_str())),
        }
    }

    /// The WhatsApp number an inbound event names, in any of the forms EUM uses: the
    /// `phone-number-id-…` id, its ARN, or the ARN's bare resource id.
    pub fn whatsapp_number(&self, named: &str) -> Option<&Sender> {
        let bare = named.rsplit('/').next().unwrap_or(named);
        let bare = bare.strip_prefix("phone-number-id-").unwrap_or(bare);
        self.all
            .iter()
            .filter(|s| s.channel == Channel::WhatsApp)
            .find(|s| s.id.strip_prefix("phone-number-id-") == Some(bare))
    }

    pub fn all(&self) -> &[Sender] {
        &self.all
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    const RATES: DefaultRates = DefaultRates {
        whatsapp: Rate { per_second: 80.0 },
        sms: Rate { per_second: 5.0 },
        email: Rate { per_second: 10.0 },
    };

    fn wa(tenant: &str, id: &str, default: bool) -> SenderConfig {
        SenderConfig {
            tenant: tenant.into(),
            channel: Channel::WhatsApp,
            id: id.into(),
            label: "+91 90000 00000".into(),
            default,
            waba_id: Some("1022".into()),
            rate_per_second: None,
        }
    }

    fn tenant(t: &str) -> TenantId {
        TenantId::parse(t).unwrap()
    }

    #[test]
    fn a_sender_claimed_by_two_tenants_is_a_configuration_error() {
        let err = Senders::from_configs(
            vec![
                wa("wecare", "phone-number-id-a1", true),
                wa("globex", "phone-number-id-a1", true),
            ],
            RATES,
        )
        .unwrap_err();
        assert!(err.contains("belongs to exactly one tenant"), "{err}");
    }

    #[test]
    fn two_defaults_or_a_number_without_its_business_account_are_refused() {
        let mut no_waba = wa("wecare", "phone-number-id-b2", false);
        no_waba.waba_id = None;
        let err = Senders::from_configs(
            vec![
                wa("wecare", "phone-number-id-a1", true),
                wa("wecare", "phone-number-id-c3", true),
                no_waba,
            ],
            RATES,
        )
        .unwrap_err();
        assert!(
            err.contains("already has a default") && err.contains("needs its wabaId"),
            "{err}"
        );
    }

    #[test]
    fn the_first_sender_is_the_default_when_none_is_marked() {
        let s = Senders::from_configs(
            vec![
                wa("wecare", "phone-number-id-a1", false),
                wa("wecare", "phone-number-id-b2", false),
            ],
            RATES,
        )
        .unwrap();
        assert_eq!(
            s.resolve(&tenant("wecare"), Channel::WhatsApp, None).unwrap().id,
            "phone-number-id-a1"
        );
    }

    #[test]
    fn inbound_numbers_are_recognised_by_id_arn_or_bare_id() {
        let s = Senders::from_configs(vec![wa("globex", "phone-number-id-a1", true)], RATES).unwrap();
        for named in [
            "phone-number-id-a1",
            "arn:aws:social-messaging:us-east-1:123456789012:phone-number-id/a1",
            "a1",
        ] {
            assert_eq!(
                s.whatsapp_number(named).map(|s| s.tenant.as_str()),
                Some("globex"),
                "{named}"
            );
        }
        assert!(s.whatsapp_number("phone-number-id-zz").is_none());
    }

    #[test]
    fn every_email_sender_shares_the_accounts_bucket_and_numbers_have_their_own() {
        let mut mail = wa("wecare", "one@wecare.digital", true);
        mail.channel = Channel::Email;
        mail.waba_id = None;
        let mut other = mail.clone();
        other.tenant = "globex".into();
        other.id = "hello@globex.example".into();
        let s = Senders::from_configs(vec![mail, other, wa("wecare", "phone-number-id-a1", true)], RATES).unwrap();
        let buckets: BTreeSet<String> = s.all().iter().map(Sender::rate_bucket).collect();
        assert_eq!(buckets.len(), 2);
    }

    proptest! {
        /// Whatever the directory and the request, a send never resolves to another tenant's sender.
        #[test]
        fn a_tenant_never_resolves_another_tenants_sender(
            owners in prop::collection::vec(0usize..3, 1..8),
            asker in 0usize..3,
            pick in prop::option::of(0usize..10),
        ) {
            let tenants = ["wecare", "globex", "initech"];
            let configs: Vec<SenderConfig> = owners
                .iter()
                .enumerate()
                .map(|(i, o)| wa(tenants[*o], &format!("phone-number-id-n{i}"), false))
                .collect();
            let s = Senders::from_configs(configs, RATES).unwrap();
            let from = pick.map(|i| format!("phone-number-id-n{i}"));
            let asker = tenant(tenants[asker]);
            match s.resolve(&asker, Channel::WhatsApp, from.as_deref()) {
                Ok(sender) => {
                    prop_assert_eq!(&sender.tenant, &asker);
                    if let Some(f) = &from { prop_assert_eq!(&sender.id, f); } else { prop_assert!(sender.is_default); }
                }
                Err(_) => {
                    let owned = s.of_tenant(&asker, Some(Channel::WhatsApp));
                    match &from {
                        Some(f) => prop_assert!(owned.iter().all(|o| &o.id != f)),
                        None => prop_assert!(owned.is_empty()),
                    }
                }
            }
        }
    }
}
