//! The send path's configuration, from the environment (read once per cold start).

use wecare_core::rate::Rate;
use wecare_http::config::{ConfigError, Env};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendMode {
    /// Calls the providers.
    Live,
    /// Does every check and records the message, but calls no provider.
    DryRun,
}

impl SendMode {
    pub fn parse(s: &str) -> Result<SendMode, String> {
        match s {
            "LIVE" => Ok(SendMode::Live),
            "DRY_RUN" => Ok(SendMode::DryRun),
            other => Err(format!("{other:?} is neither LIVE nor DRY_RUN")),
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Rates {
    pub whatsapp: Rate,
    pub sms: Rate,
    pub email: Rate,
}

#[derive(Debug, Clone)]
pub struct Config {
    pub send_mode: SendMode,
    /// Allowed WhatsApp origination phone-number ids; the first is the default sender. Empty
    /// until a deployment configures its numbers: every WhatsApp send is then NOT_ALLOWLISTED.
    pub whatsapp_senders: Vec<String>,
    pub meta_api_version: String,
    /// SMS origination identity (pool id, phone number or sender id).
    pub sms_origination: String,
    pub email_sender: String,
    pub rates: Rates,
    pub contacts_table: String,
    pub messages_table: String,
    pub audit_logs_table: String,
    pub rate_limit_table: String,
    /// Business-initiated WhatsApp conversations allowed per tenant in a moving 24 h (the tier).
    pub whatsapp_tier_limit: u64,
    /// Where operational alerts (the tier warning) are published.
    pub alerts_topic_arn: String,
    pub media_bucket: String,
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
        let whatsapp_senders = env.list("WHATSAPP_PHONE_NUMBER_IDS");
        let meta_api_version = env.required("WHATSAPP_META_API_VERSION");
        let sms_origination = env.required("SMS_ORIGINATION_IDENTITY");
        let email_sender = env.required("EMAIL_SENDER");
        let whatsapp = env.parsed("RATE_WHATSAPP_PER_SECOND", per_second);
        let sms = env.parsed("RATE_SMS_PER_SECOND", per_second);
        let email = env.parsed("RATE_EMAIL_PER_SECOND", per_second);
        let contacts_table = env.required("CONTACTS_TABLE");
        let messages_table = env.required("MESSAGES_TABLE");
        let audit_logs_table = env.required("AUDIT_LOGS_TABLE");
        let rate_limit_table = env.required("RATE_LIMIT_TRACKERS_TABLE");
        let whatsapp_tier_limit = env.parsed("WHATSAPP_TIER_LIMIT", tier);
        let alerts_topic_arn = env.required("ALERTS_TOPIC_ARN");
        let media_bucket = env.required("MEDIA_BUCKET");
        env.finish(|| {
            Some(Config {
                send_mode: send_mode?,
                whatsapp_senders,
                meta_api_version,
                sms_origination,
                email_sender,
                rates: Rates {
                    whatsapp: whatsapp?,
                    sms: sms?,
                    email: email?,
                },
                contacts_table,
                messages_table,
                audit_logs_table,
                rate_limit_table,
                whatsapp_tier_limit: whatsapp_tier_limit?,
                alerts_topic_arn,
                media_bucket,
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
}
