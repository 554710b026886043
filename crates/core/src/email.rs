//! Email addresses as the platform stores them: trimmed, lower-cased, and deliverable in shape.
//!
//! RFC 5322 allows far more than any mail provider accepts (quoted local parts, IP literals,
//! dotless domains); operators mean a mailbox SES can reach, so parsing goes through the
//! `email_address` crate with domain literals refused and a dotted domain required, and the
//! result is lower-cased so uniqueness per tenant is case-insensitive.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why an email address was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EmailError {
    #[error("must not be empty")]
    Empty,
    #[error("is too long (at most 254 characters)")]
    TooLong,
    #[error("is not a valid email address")]
    Invalid,
}

/// A syntactically valid, lower-cased email address.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, EmailError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(EmailError::Empty);
        }
        if trimmed.len() > 254 {
            return Err(EmailError::TooLong);
        }
        let lowered = trimmed.to_lowercase();
        let options = email_address::Options {
            minimum_sub_domains: 2,
            allow_domain_literal: false,
            allow_display_text: false,
        };
        let parsed =
            email_address::EmailAddress::parse_with_options(&lowered, options).map_err(|_| EmailError::Invalid)?;
        let domain = parsed.domain();
        let plausible_domain = domain
            .split('.')
            .all(|label| !label.is_empty() && label.chars().all(|c| c.is_alphanumeric() || c == '-'));
        let quoted = parsed.local_part().starts_with('"');
        if !plausible_domain || quoted || lowered.chars().any(char::is_whitespace) {
            return Err(EmailError::Invalid);
        }
        Ok(Email(lowered))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Email {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Email::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn addresses_are_trimmed_and_lower_cased() {
        assert_eq!(
            Email::parse("  Anna.Smith@Example.COM ").unwrap().as_str(),
            "anna.smith@example.com"
        );
    }

    #[test]
    fn plus_addressing_and_subdomains_are_accepted() {
        assert!(Email::parse("ops+alerts@mail.wecare.digital").is_ok());
    }

    #[test]
    fn shapes_no_mailbox_accepts_are_refused() {
        for bad in [
            "",
            "anna",
            "anna@",
            "@example.com",
            "anna@localhost",
            "anna@[127.0.0.1]",
            "a b@example.com",
            "anna@exa mple.com",
            "\"quoted\"@example.com",
            "Anna <anna@example.com>",
            "anna@@example.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    proptest! {
        #[test]
        fn parsing_never_panics_on_arbitrary_input(s in "\\PC{0,80}") {
            let _ = Email::parse(&s);
        }

        #[test]
        fn generated_addresses_parse_to_their_lower_case_form(
            local in "[A-Za-z0-9][A-Za-z0-9._+-]{0,20}[A-Za-z0-9]",
            domain in "[A-Za-z0-9]{1,12}",
            tld in "[A-Za-z]{2,6}",
        ) {
            prop_assume!(!local.contains(".."));
            let raw = format!("{local}@{domain}.{tld}");
            let e = Email::parse(&raw).unwrap();
            prop_assert_eq!(e.as_str(), raw.to_lowercase());
            prop_assert_eq!(Email::parse(e.as_str()).unwrap(), e.clone());
        }

        #[test]
        fn a_parsed_address_is_always_lower_case_and_has_one_at(s in "[a-zA-Z0-9@._+-]{0,40}") {
            if let Ok(e) = Email::parse(&s) {
                prop_assert_eq!(e.as_str().to_lowercase(), e.as_str());
                prop_assert_eq!(e.as_str().matches('@').count(), 1);
            }
        }
    }
}
