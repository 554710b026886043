//! Contact values and the rules of contact search.
//!
//! Search must be a prefix match, case-insensitive, over the words of a name, the email address
//! and the phone digits (with or without country code), answered by DynamoDB Query without a
//! Scan. So each contact is indexed under a small set of *search tokens*, and a query is reduced
//! to one token prefix to look up plus optional extra words to filter by. The functions here are
//! the whole of that logic; the store only writes and reads the tokens they produce.

use std::collections::BTreeSet;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::email::Email;
use crate::phone::PhoneNumber;

/// At most this many distinct name words are indexed, which bounds the items one contact write
/// touches (DynamoDB transactions hold at most 100).
pub const MAX_NAME_TOKENS: usize = 20;

/// A contact's identifier: a UUID v7, so ids also sort by creation time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct ContactId(uuid::Uuid);

impl ContactId {
    pub fn new() -> Self {
        ContactId(uuid::Uuid::now_v7())
    }
    /// Parses a path parameter; anything that is not a UUID cannot name a contact.
    pub fn parse(s: &str) -> Option<Self> {
        uuid::Uuid::parse_str(s).ok().map(ContactId)
    }
}

impl Default for ContactId {
    fn default() -> Self {
        Self::new()
    }
}

impl fmt::Display for ContactId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.hyphenated().fmt(f)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("must not be empty")]
    Empty,
    #[error("is too long ({0} characters, at most 200)")]
    TooLong(usize),
    #[error("must not contain control characters")]
    ControlCharacters,
}

/// A display name: trimmed, 1–200 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct ContactName(String);

impl ContactName {
    pub const MAX_CHARS: usize = 200;

    pub fn parse(input: &str) -> Result<Self, NameError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(NameError::Empty);
        }
        let n = trimmed.chars().count();
        if n > Self::MAX_CHARS {
            return Err(NameError::TooLong(n));
        }
        if trimmed.chars().any(char::is_control) {
            return Err(NameError::ControlCharacters);
        }
        Ok(ContactName(trimmed.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> Deserialize<'de> for ContactName {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        ContactName::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Splits text into lower-case words on anything that is not a letter or digit.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// The tokens a contact is found by: its name words, its email, and its phone digits with and
/// without the country code.
pub fn search_tokens(
    name: Option<&ContactName>,
    phone: Option<&PhoneNumber>,
    email: Option<&Email>,
) -> BTreeSet<String> {
    let mut tokens = BTreeSet::new();
    if let Some(name) = name {
        let mut seen = BTreeSet::new();
        for w in words(name.as_str()) {
            if seen.len() == MAX_NAME_TOKENS {
                break;
            }
            seen.insert(w);
        }
        tokens.extend(seen);
    }
    if let Some(email) = email {
        tokens.insert(email.as_str().to_string());
    }
    if let Some(phone) = phone {
        tokens.insert(phone.digits().to_string());
        tokens.insert(phone.national_digits());
    }
    tokens
}

/// The index partition a token lives in: its first character, so one tenant's search load is
/// spread over many partitions rather than one.
pub fn token_shard(token: &str) -> String {
    token.chars().next().map(String::from).unwrap_or_default()
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("must not be empty")]
    Empty,
    #[error("is too long (at most 100 characters)")]
    TooLong,
}

/// A parsed search: one prefix to look up in the index, and further words every hit must match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchQuery {
    pub prefix: String,
    pub also: Vec<String>,
}

impl SearchQuery {
    pub fn parse(q: &str) -> Result<Self, QueryError> {
        let q = q.trim();
        if q.is_empty() {
            return Err(QueryError::Empty);
        }
        if q.chars().count() > 100 {
            return Err(QueryError::TooLong);
        }
        let phone_like =
            q.chars().all(|c| c.is_ascii_digit() || " +-().".contains(c)) && q.chars().any(|c| c.is_ascii_digit());
        if phone_like {
            let digits: String = q.chars().filter(char::is_ascii_digit).collect();
            return Ok(SearchQuery {
                prefix: digits,
                also: vec![],
            });
        }
        if q.contains('@') {
            return Ok(SearchQuery {
                prefix: q.to_lowercase(),
                also: vec![],
            });
        }
        let mut ws: Vec<String> = words(q).collect();
        if ws.is_empty() {
            return Err(QueryError::Empty);
        }
        let prefix = ws.remove(0);
        Ok(SearchQuery { prefix, also: ws })
    }

    /// Whether a contact with these tokens answers this query.
    pub fn matches(&self, tokens: &BTreeSet<String>) -> bool {
        tokens.iter().any(|t| t.starts_with(&self.prefix))
            && self
                .also
                .iter()
                .all(|w| tokens.iter().any(|t| t.starts_with(w.as_str())))
    }

    /// A contact can match the looked-up prefix through several of its tokens; only the first of
    /// them (in index order) reports the contact, so each contact appears once in results and
    /// pagination stays stateless.
    pub fn is_reporting_token(&self, token: &str, tokens: &BTreeSet<String>) -> bool {
        self.matches(tokens) && tokens.iter().find(|t| t.starts_with(&self.prefix)).map(String::as_str) == Some(token)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::phone::Region;
    use proptest::prelude::*;

    fn tokens(name: &str, phone: &str, email: &str) -> BTreeSet<String> {
        search_tokens(
            Some(&ContactName::parse(name).unwrap()),
            Some(&PhoneNumber::parse(phone, Region::INDIA).unwrap()),
            Some(&Email::parse(email).unwrap()),
        )
    }

    #[test]
    fn a_contact_is_indexed_by_name_words_email_and_both_phone_forms() {
        let t = tokens("Anna-Maria  O'Neil", "98765 43210", "Anna@Example.com");
        let expected: BTreeSet<String> = [
            "anna",
            "maria",
            "o",
            "neil",
            "anna@example.com",
            "919876543210",
            "9876543210",
        ]
        .map(String::from)
        .into();
        assert_eq!(t, expected);
    }

    #[test]
    fn queries_match_name_word_email_and_phone_prefixes_case_insensitively() {
        let t = tokens("Anna Smith", "+91 98765 43210", "anna.smith@example.com");
        for q in [
            "ann",
            "SMI",
            "anna.s",
            "anna.smith@ex",
            "98765",
            "+91 98765",
            "9198",
            "anna smi",
            "Smith Anna",
        ] {
            assert!(SearchQuery::parse(q).unwrap().matches(&t), "{q}");
        }
        for q in ["nna", "mith", "example", "43210", "anna jones", "+1 987"] {
            assert!(!SearchQuery::parse(q).unwrap().matches(&t), "{q}");
        }
    }

    #[test]
    fn a_contact_matching_through_several_tokens_is_reported_once() {
        let t = tokens("Ann Annabel", "9876543210", "zed@example.com");
        let q = SearchQuery::parse("ann").unwrap();
        let reporting: Vec<_> = t.iter().filter(|tok| q.is_reporting_token(tok, &t)).collect();
        assert_eq!(reporting, vec!["ann"]);
    }

    #[test]
    fn empty_or_oversized_queries_are_refused() {
        assert_eq!(SearchQuery::parse("  "), Err(QueryError::Empty));
        assert_eq!(SearchQuery::parse("--"), Err(QueryError::Empty));
        assert_eq!(SearchQuery::parse(&"a".repeat(101)), Err(QueryError::TooLong));
    }

    #[test]
    fn names_are_trimmed_and_limited_to_200_characters() {
        assert_eq!(ContactName::parse("  Ravi ").unwrap().as_str(), "Ravi");
        assert!(ContactName::parse(&"é".repeat(200)).is_ok());
        assert_eq!(ContactName::parse(&"é".repeat(201)), Err(NameError::TooLong(201)));
        assert_eq!(ContactName::parse("a\u{0}b"), Err(NameError::ControlCharacters));
    }

    #[test]
    fn only_the_first_twenty_distinct_name_words_are_indexed() {
        let long: Vec<String> = (0..40).map(|i| format!("w{i}")).collect();
        let name = ContactName::parse(&long.join(" ")).unwrap();
        assert_eq!(search_tokens(Some(&name), None, None).len(), MAX_NAME_TOKENS);
    }

    proptest! {
        #[test]
        fn every_prefix_of_every_name_word_finds_the_contact(name in "[A-Za-zà-öø-ÿ]{1,10}( [A-Za-zà-öø-ÿ]{1,10}){0,3}", cut in 1usize..10) {
            let n = ContactName::parse(&name).unwrap();
            let t = search_tokens(Some(&n), None, None);
            for w in name.split(' ') {
                let prefix: String = w.chars().take(cut).collect::<String>().to_uppercase();
                let q = SearchQuery::parse(&prefix).unwrap();
                prop_assert!(q.matches(&t), "{} in {:?}", prefix, t);
                prop_assert_eq!(t.iter().filter(|tok| q.is_reporting_token(tok, &t)).count(), 1);
            }
        }

        #[test]
        fn parsing_any_query_never_panics_and_a_prefix_is_never_empty(q in "\\PC{0,120}") {
            if let Ok(parsed) = SearchQuery::parse(&q) {
                prop_assert!(!parsed.prefix.is_empty());
            }
        }
    }
}
