//! Who is asking: tenant and user identifiers, and the verified principal of a request.
//!
//! The tenant scopes every key in every table, so it must be a value that cannot smuggle a key
//! separator (`#`) or anything else into a key. It only ever comes from the verified token.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::email::Email;
use crate::rbac::Role;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("must be 1–64 characters of letters, digits, '-' or '_'")]
pub struct InvalidId;

fn check_id(s: &str) -> Result<(), InvalidId> {
    let ok = !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    ok.then_some(()).ok_or(InvalidId)
}

/// A tenant (organization) identifier, safe to embed in keys.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct TenantId(String);

impl TenantId {
    pub fn parse(s: &str) -> Result<Self, InvalidId> {
        check_id(s).map(|_| TenantId(s.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for TenantId {
    type Error = InvalidId;
    fn try_from(s: String) -> Result<Self, InvalidId> {
        check_id(&s).map(|_| TenantId(s))
    }
}

impl From<TenantId> for String {
    fn from(t: TenantId) -> String {
        t.0
    }
}

impl fmt::Display for TenantId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A user identifier: the Cognito `sub` (a UUID), safe to embed in keys.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct UserId(String);

impl UserId {
    pub fn parse(s: &str) -> Result<Self, InvalidId> {
        check_id(s).map(|_| UserId(s.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for UserId {
    type Error = InvalidId;
    fn try_from(s: String) -> Result<Self, InvalidId> {
        check_id(&s).map(|_| UserId(s))
    }
}

impl From<UserId> for String {
    fn from(t: UserId) -> String {
        t.0
    }
}

impl fmt::Display for UserId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The verified caller of a request, as the authorizer established it.
///
/// Serialized in camelCase because this is exactly the authorizer's context
/// (`{userId, email, role, tenantId}`) that API Gateway hands to every function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Principal {
    pub user_id: UserId,
    pub email: Option<Email>,
    pub role: Role,
    pub tenant_id: TenantId,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tenant_ids_cannot_carry_key_separators_or_be_empty() {
        assert!(TenantId::parse("acme-01").is_ok());
        for bad in ["", "a#b", "a b", "ümlaut", &"x".repeat(65)] {
            assert!(TenantId::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn a_principal_reads_the_authorizer_context_shape() {
        let p: Principal = serde_json::from_value(serde_json::json!({
            "userId": "5f0c1c8e-1111-4222-8333-944445555666",
            "email": "op@example.com",
            "role": "Operator",
            "tenantId": "default"
        }))
        .unwrap();
        assert_eq!(p.role, Role::Operator);
        assert_eq!(p.tenant_id.as_str(), "default");
    }
}
