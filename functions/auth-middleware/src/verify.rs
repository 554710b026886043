//! Verifying a Cognito ID token and turning it into a `Principal`.
//!
//! The signature is checked by `jsonwebtoken` with RS256 as the only algorithm (so `none` and
//! HS256-signed-with-the-public-key tokens fail before any claim is read); the time claims are
//! checked here against the `now` the caller passes, so expiry is testable without a clock.

use std::collections::HashSet;
use std::fmt;

use chrono::{DateTime, Utc};
use jsonwebtoken::{decode, decode_header, Algorithm, Validation};
use serde::Deserialize;
use wecare_core::{Email, Principal, Role, TenantId, UserId};

use crate::jwks::{Jwks, JwksError};

/// Tolerated clock difference for `nbf` and `iat` (Cognito and Lambda clocks are NTP-synced).
const SKEW_SECS: i64 = 30;

/// Why a token was refused: logged, never returned to the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Deny {
    Malformed,
    Algorithm(String),
    NoKeyId,
    UnknownKey,
    KeysUnavailable,
    Signature(String),
    WrongTokenUse(String),
    Audience,
    Expired,
    NotYetValid,
    NoRole,
    BadSubject,
    BadTenant,
    /// A multi-tenant deployment never guesses a tenant.
    NoTenant,
}

impl fmt::Display for Deny {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Deny::Malformed => write!(f, "token is not a JWT"),
            Deny::Algorithm(a) => write!(f, "algorithm {a} is not allowed"),
            Deny::NoKeyId => write!(f, "token names no signing key"),
            Deny::UnknownKey => write!(f, "signing key is unknown"),
            Deny::KeysUnavailable => write!(f, "signing keys could not be fetched"),
            Deny::Signature(why) => write!(f, "signature or issuer invalid: {why}"),
            Deny::WrongTokenUse(u) => write!(f, "token_use is {u:?}; an ID token is required"),
            Deny::Audience => write!(f, "audience is not an accepted app client"),
            Deny::Expired => write!(f, "token has expired"),
            Deny::NotYetValid => write!(f, "token is not valid yet"),
            Deny::NoRole => write!(f, "user is in no role group"),
            Deny::BadSubject => write!(f, "subject is not a user id"),
            Deny::BadTenant => write!(f, "custom:tenant_id is not a tenant id"),
            Deny::NoTenant => write!(f, "custom:tenant_id is missing and the deployment is multi-tenant"),
        }
    }
}

#[derive(Debug, Deserialize)]
struct Claims {
    sub: String,
    #[serde(default)]
    aud: Option<String>,
    #[serde(default)]
    token_use: Option<String>,
    exp: i64,
    #[serde(default)]
    nbf: Option<i64>,
    #[serde(default)]
    iat: Option<i64>,
    /// When the user signed in (Cognito keeps it across refreshes).
    #[serde(default)]
    auth_time: Option<i64>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default, rename = "cognito:groups")]
    groups: Vec<String>,
    #[serde(default, rename = "custom:tenant_id")]
    tenant_id: Option<String>,
}

/// A verified token: who it names (with the role of its groups), and when its session began.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub principal: Principal,
    pub signed_in_at: DateTime<Utc>,
}

pub struct Verifier {
    jwks: Jwks,
    validation: Validation,
    client_ids: Vec<String>,
    /// The tenant of tokens without `custom:tenant_id`: only in a single-tenant deployment.
    default_tenant: Option<TenantId>,
}

impl Verifier {
    pub fn new(jwks: Jwks, issuer: &str, client_ids: Vec<String>, default_tenant: Option<TenantId>) -> Self {
        let mut validation = Validation::new(Algorithm::RS256);
        validation.set_issuer(&[issuer]);
        validation.validate_exp = false;
        validation.validate_nbf = false;
        validation.validate_aud = false;
        validation.required_spec_claims = HashSet::from(["iss".to_string(), "exp".to_string(), "sub".to_string()]);
        Verifier {
            jwks,
            validation,
            client_ids,
            default_tenant,
        }
    }

    /// Who the token names (with the role of its groups), and when its session began.
    pub async fn verify(&self, token: &str, now: DateTime<Utc>) -> Result<Verified, Deny> {
        let header = decode_header(token).map_err(|_| Deny::Malformed)?;
        if header.alg != Algorithm::RS256 {
            return Err(Deny::Algorithm(format!("{:?}", header.alg)));
        }
        let kid = header.kid.ok_or(Deny::NoKeyId)?;
        let key = self.jwks.key(&kid).await.map_err(|e| match e {
            JwksError::UnknownKey(_) => Deny::UnknownKey,
            JwksError::Fetch(e) => {
                tracing::error!(error = %e, "JWKS fetch failed");
                Deny::KeysUnavailable
            }
        })?;
        let claims = decode::<Claims>(token, &key, &self.validation)
            .map_err(|e| Deny::Signature(format!("{:?}", e.kind())))?
            .claims;

        let token_use = claims.token_use.as_deref().unwrap_or("");
        if token_use != "id" {
            return Err(Deny::WrongTokenUse(token_use.to_string()));
        }
        if !claims
            .aud
            .as_ref()
            .is_some_and(|a| self.client_ids.iter().any(|c| c == a))
        {
            return Err(Deny::Audience);
        }
        let now_s = now.timestamp();
        if claims.exp <= now_s {
            return Err(Deny::Expired);
        }
        if claims.nbf.is_some_and(|nbf| nbf > now_s + SKEW_SECS)
            || claims.iat.is_some_and(|iat| iat > now_s + SKEW_SECS)
        {
            return Err(Deny::NotYetValid);
        }
        let role = Role::from_groups(claims.groups.iter().map(String::as_str)).ok_or(Deny::NoRole)?;
        let user_id = UserId::parse(&claims.sub).map_err(|_| Deny::BadSubject)?;
        let tenant_id = match claims.tenant_id.as_deref() {
            Some(t) if !t.is_empty() => TenantId::parse(t).map_err(|_| Deny::BadTenant)?,
            _ => self.default_tenant.clone().ok_or(Deny::NoTenant)?,
        };
        let email = claims.email.as_deref().and_then(|e| Email::parse(e).ok());
        // Cognito always sets auth_time; a token without it began no later than it was issued.
        let signed_in_at = claims
            .auth_time
            .or(claims.iat)
            .and_then(|t| DateTime::from_timestamp(t, 0))
            .unwrap_or(now);
        Ok(Verified {
            principal: Principal {
                user_id,
                email,
                role,
                tenant_id,
            },
            signed_in_at,
        })
    }
}
