//! Phone numbers as the platform stores them: E.164, validated against libphonenumber's metadata.
//!
//! Operators type numbers in every shape ("098765 43210", "+91 98765-43210", "tel:+1…"); the
//! providers and the uniqueness rule need one canonical form, so a `PhoneNumber` only exists once
//! it has been parsed and validated. Numbers without a country code are read in the deployment's
//! default region (India unless configured otherwise).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// A region used to read numbers written without a country code (ISO 3166-1 alpha-2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Region(phonenumber::country::Id);

impl Region {
    /// India: the deployment default of the specification.
    pub const INDIA: Region = Region(phonenumber::country::Id::IN);

    /// Parses an ISO 3166-1 alpha-2 code such as `IN` or `us`.
    pub fn parse(code: &str) -> Result<Self, PhoneError> {
        phonenumber::country::Id::from_str(&code.trim().to_ascii_uppercase())
            .map(Region)
            .map_err(|_| PhoneError::UnknownRegion(code.to_string()))
    }
}

impl Default for Region {
    fn default() -> Self {
        Region::INDIA
    }
}

/// Why a phone number was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PhoneError {
    #[error("must not be empty")]
    Empty,
    #[error("is too long (at most 32 characters)")]
    TooLong,
    #[error("is not a phone number")]
    Unparseable,
    #[error("is not a valid number for its country")]
    Invalid,
    #[error("unknown region {0:?}")]
    UnknownRegion(String),
}

/// A valid phone number in E.164 form (`+919876543210`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    /// Parses free-form input; numbers without `+` are read in `default_region`.
    pub fn parse(input: &str, default_region: Region) -> Result<Self, PhoneError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(PhoneError::Empty);
        }
        if trimmed.chars().count() > 32 {
            return Err(PhoneError::TooLong);
        }
        let parsed = phonenumber::parse(Some(default_region.0), trimmed).map_err(|_| PhoneError::Unparseable)?;
        if !phonenumber::is_valid(&parsed) {
            return Err(PhoneError::Invalid);
        }
        let e164 = parsed.format().mode(phonenumber::Mode::E164).to_string();
        Ok(PhoneNumber(e164))
    }

    /// The E.164 string, with its leading `+`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// All digits of the E.164 form, country code included (`919876543210`).
    pub fn digits(&self) -> &str {
        &self.0[1..]
    }

    /// The national significant number (`9876543210`), i.e. the digits after the country code.
    pub fn national_digits(&self) -> String {
        // E.164 keeps leading zeros that some countries need, so cutting the country code off the
        // canonical string is exact where rebuilding from the parsed integer would not be.
        match phonenumber::parse(None, &self.0) {
            Ok(n) => {
                let code = n.code().value().to_string();
                self.digits()
                    .strip_prefix(code.as_str())
                    .unwrap_or(self.digits())
                    .to_string()
            }
            Err(_) => self.digits().to_string(),
        }
    }
}

impl fmt::Display for PhoneNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for PhoneNumber {
    /// Stored values are already E.164; reading them back re-validates so a corrupt row is loud.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        if !s.starts_with('+') {
            return Err(serde::de::Error::custom("stored phone number is not E.164"));
        }
        PhoneNumber::parse(&s, Region::default()).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn indian_numbers_without_country_code_are_read_in_the_default_region() {
        let p = PhoneNumber::parse("98765 43210", Region::INDIA).unwrap();
        assert_eq!(p.as_str(), "+919876543210");
        assert_eq!(p.digits(), "919876543210");
        assert_eq!(p.national_digits(), "9876543210");
    }

    #[test]
    fn the_same_number_in_different_shapes_normalizes_to_one_value() {
        let shapes = [
            "+91 98765-43210",
            "098765 43210",
            "(+91) 9876543210",
            "+919876543210",
            "tel:+91-98765-43210",
        ];
        for s in shapes {
            assert_eq!(
                PhoneNumber::parse(s, Region::INDIA).unwrap().as_str(),
                "+919876543210",
                "{s}"
            );
        }
    }

    #[test]
    fn a_number_with_a_country_code_ignores_the_default_region() {
        let p = PhoneNumber::parse("+1 415 555 2671", Region::INDIA).unwrap();
        assert_eq!(p.as_str(), "+14155552671");
        assert_eq!(p.national_digits(), "4155552671");
    }

    #[test]
    fn the_default_region_is_configurable() {
        let us = Region::parse("us").unwrap();
        assert_eq!(
            PhoneNumber::parse("(415) 555-2671", us).unwrap().as_str(),
            "+14155552671"
        );
        assert!(Region::parse("XX").is_err());
    }

    #[test]
    fn garbage_empty_and_impossible_numbers_are_refused() {
        assert_eq!(PhoneNumber::parse("   ", Region::INDIA), Err(PhoneError::Empty));
        assert!(PhoneNumber::parse("not a phone", Region::INDIA).is_err());
        assert!(PhoneNumber::parse("12", Region::INDIA).is_err());
        assert!(PhoneNumber::parse("+91 12345", Region::INDIA).is_err());
        assert_eq!(
            PhoneNumber::parse(&"9".repeat(40), Region::INDIA),
            Err(PhoneError::TooLong)
        );
    }

    proptest! {
        #[test]
        fn parsing_never_panics_on_arbitrary_input(s in "\\PC{0,40}") {
            let _ = PhoneNumber::parse(&s, Region::INDIA);
        }

        #[test]
        fn a_parsed_number_is_e164_and_parsing_it_again_is_identity(s in "[+0-9 ()-]{0,20}") {
            if let Ok(p) = PhoneNumber::parse(&s, Region::INDIA) {
                prop_assert!(p.as_str().starts_with('+'));
                prop_assert!(p.digits().chars().all(|c| c.is_ascii_digit()));
                prop_assert!(p.digits().len() <= 15);
                prop_assert_eq!(PhoneNumber::parse(p.as_str(), Region::INDIA).unwrap(), p.clone());
                prop_assert!(p.digits().ends_with(&p.national_digits()));
            }
        }

        #[test]
        fn any_valid_indian_mobile_parses_in_every_common_shape(n in 6_000_000_000u64..9_999_999_999u64) {
            let s = n.to_string();
            if let Ok(p) = PhoneNumber::parse(&s, Region::INDIA) {
                let spaced = format!("+91 {} {}", &s[..5], &s[5..]);
                let trunk = format!("0{s}");
                prop_assert_eq!(PhoneNumber::parse(&spaced, Region::INDIA).unwrap(), p.clone());
                prop_assert_eq!(PhoneNumber::parse(&trunk, Region::INDIA).unwrap(), p.clone());
                prop_assert_eq!(p.national_digits(), s);
            }
        }
    }
}
