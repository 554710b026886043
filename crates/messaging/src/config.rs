//! The send pipeline's configuration, from the environment (read once per cold start).
//!
//! `SENDERS` is the deployment's list of senders, each owned by one tenant (see
//! `wecare_core::sender`); the `RATE_*_PER_SECOND` values are the channels' default rates, and
//! email's is the SES account's.

use wecare_core::rate::Rate;
use wecare_core::sender::{DefaultRates, Senders};
use wecare_http::config::{ConfigError, Env};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendMode {
    /// Calls the providers.
    Live,
    /// Does every check and records the message, but calls no provider.
    DryRun,
}

impl SendMode {
    pub fn as_str(self) -> &'static str {
        match self {
            SendMode::Live => "LIVE",
            SendMode::DryRun => "DRY_RUN",
        }
    }

    pub fn parse(s: &str) -> Result<SendMode, String> {
        match s {
            "LIVE" => Ok(SendMode::Live),
            "DRY_RUN" => Ok(SendMode::DryRun),
            other => Err(format!("{other:?} is neither LIVE nor DRY_RUN")),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub send_mode: SendMode,
    /// Every sender of the deployment and the tenant that owns it. A tenant without a sender on
    /// a channel cannot send on it.
    pub senders: Senders,
    pub meta_api_version: String,
    pub contacts_table: String,
    pub messages_table: String,
    /// BulkRecipients: a bulk job's messages are recorded in its ledger there.
    pub bulk_recipients_table: String,
    pub audit_logs_table: String,
    pub rate_limit_table: String,
    /// Where the WhatsApp template catalogue and its usage counts are kept.
    pub system_config_table: String,
    /// Business-initiated WhatsApp conversations allowed per WhatsApp Business Account in a moving
    /// 24 h (the messaging tier).
    pub whatsapp_tier_limit: u64,
    /// Where operational alerts (the tier warning) are published.
    pub alerts_topic_arn: String,
    pub media_bucket: String,
    /// How long a claim may stay `sending` before it is taken for one whose call died
    /// (`STALE_CLAIM_SECONDS`, default [`crate::pipeline::STALE_CLAIM`]). It must exceed the
    /// longest live attempt; tests shorten it to see a dead worker's sends settle quickly.
    pub stale_claim: chrono::Duration,
    /// How old a template catalogue may grow before the scheduled refresh syncs it
    /// (`TEMPLATE_CATALOGUE_MAX_AGE_MINUTES`, default [`crate::catalogue::MAX_AGE`]).
    pub catalogue_max_age: chrono::Duration,
}

fn tier(s: &str) -> Result<u64, String> {
    match s.parse::<u64>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(format!("{s:?} is not a positive number of conversations")),
    }
}

fn per_second(s: &str) -> Result<Rate, String> {
    match s.parse::<f64>() {
        Ok(r) if r > 0.0 && r <= 10_000.0 => Ok(Rate::steady(r)),
        _ => Err(format!("{s:?} is not a rate per second between 0 and 10000")),
    }
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from(Env::from_process())
    }

    pub fn from(mut env: Env) -> Result<Self, ConfigError> {
        let send_mode = env.parsed("SEND_MODE", SendMode::parse);
        let meta_api_version = env.required("WHATSAPP_META_API_VERSION");
        let whatsapp = env.parsed("RATE_WHATSAPP_PER_SECOND", per_second);
        let sms = env.parsed("RATE_SMS_PER_SECOND", per_second);
        let email = env.parsed("RATE_EMAIL_PER_SECOND", per_second);
        let raw_senders = env.required("SENDERS");
        let senders = match (whatsapp, sms, email) {
            (Some(whatsapp), Some(sms), Some(email)) if !raw_senders.is_empty() => {
                match Senders::parse(&raw_senders, DefaultRates { whatsapp, sms, email }) {
                    Ok(s) => Some(s),
                    Err(e) => {
                        env.problem(format!("SENDERS {e}"));
                        None
                    }
                }
            }
            _ => None,
        };
        let contacts_table = env.required("CONTACTS_TABLE");
        let messages_table = env.required("MESSAGES_TABLE");
        let bulk_recipients_table = env.required("BULK_RECIPIENTS_TABLE");
        let audit_logs_table = env.required("AUDIT_LOGS_TABLE");
        let rate_limit_table = env.required("RATE_LIMIT_TRACKERS_TABLE");
        let system_config_table = env.required("SYSTEM_CONFIG_TABLE");
        let whatsapp_tier_limit = env.parsed("WHATSAPP_TIER_LIMIT", tier);
        let alerts_topic_arn = env.required("ALERTS_TOPIC_ARN");
        let media_bucket = env.required("MEDIA_BUCKET");
        let stale_claim = env.optional(
            "STALE_CLAIM_SECONDS",
            |s| match s.parse::<i64>() {
                Ok(n) if (5..=3600).contains(&n) => Ok(chrono::Duration::seconds(n)),
                _ => Err(format!("{s:?} is not a number of seconds from 5 to 3600")),
            },
            crate::pipeline::STALE_CLAIM,
        );
        let catalogue_max_age = env.optional(
            "TEMPLATE_CATALOGUE_MAX_AGE_MINUTES",
            |s| match s.parse::<i64>() {
                Ok(n) if (5..=7 * 24 * 60).contains(&n) => Ok(chrono::Duration::minutes(n)),
                _ => Err(format!("{s:?} is not a number of minutes from 5 to 10080 (a week)")),
            },
            crate::catalogue::MAX_AGE,
        );
        env.finish(|| {
            Some(Config {
                send_mode: send_mode?,
                senders: senders?,
                meta_api_version,
                contacts_table,
                messages_table,
                bulk_recipients_table,
                audit_logs_table,
                rate_limit_table,
                system_config_table,
                whatsapp_tier_limit: whatsapp_tier_limit?,
                alerts_topic_arn,
                media_bucket,
                stale_claim,
                catalogue_max_age,
            })
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn send_mode_must_be_spelled_out() {
        assert_eq!(SendMode::parse("LIVE"), Ok(SendMode::Live));
        assert!(SendMode::parse("live").is_err());
        let err = Config::from(Env::from_map(BTreeMap::new())).unwrap_err().to_string();
        assert!(
            err.contains("SEND_MODE is not set") && err.contains("RATE_SMS_PER_SECOND is not set"),
            "{err}"
        );
    }

    #[test]
    fn a_sender_claimed_by_two_tenants_stops_the_cold_start() {
        let sender = |t: &str| format!(r#"{{"tenant":"{t}","channel":"sms","id":"pool-1","label":"Pool"}}"#);
        let mut vars: BTreeMap<String, String> = [
            ("SEND_MODE", "LIVE"),
            ("WHATSAPP_META_API_VERSION", "v20.0"),
            ("RATE_WHATSAPP_PER_SECOND", "80"),
            ("RATE_SMS_PER_SECOND", "5"),
            ("RATE_EMAIL_PER_SECOND", "10"),
            ("CONTACTS_TABLE", "c"),
            ("BULK_RECIPIENTS_TABLE", "br"),
            ("MESSAGES_TABLE", "m"),
            ("AUDIT_LOGS_TABLE", "a"),
            ("RATE_LIMIT_TRACKERS_TABLE", "r"),
            ("SYSTEM_CONFIG_TABLE", "s"),
            ("WHATSAPP_TIER_LIMIT", "250"),
            ("ALERTS_TOPIC_ARN", "arn"),
            ("MEDIA_BUCKET", "b"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        vars.insert("SENDERS".into(), format!("[{},{}]", sender("wecare"), sender("globex")));
        let err = Config::from(Env::from_map(vars.clone())).unwrap_err().to_string();
        assert!(err.contains("SENDERS") && err.contains("exactly one tenant"), "{err}");
        vars.insert("SENDERS".into(), format!("[{}]", sender("wecare")));
        assert!(Config::from(Env::from_map(vars)).is_ok());
    }
}
