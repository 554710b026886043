//! The API's Lambda REQUEST authorizer (HTTP API, payload v2, simple responses).
//!
//! It verifies the Cognito ID token in `Authorization` (RS256 against the user pool's JWKS,
//! issuer, audience = app client id, `token_use`, expiry, not-before), derives the role from
//! `cognito:groups` and the tenant from `custom:tenant_id` (a token without one is refused, unless
//! `TENANCY=single` names the deployment's one tenant), and hands `{userId, email, role, tenantId}`
//! to the function as context.
//!
//! Only ID tokens are accepted: the tenant and email the platform scopes every request by exist
//! only in the ID token (Cognito access tokens carry neither without a pre-token-generation
//! trigger), and accepting both kinds would let a token minted for another purpose in.
//! Every decision is logged with its reason, never with the token.
//!
//! A valid token is not enough: the caller must be an enabled member of the tenant's team, and
//! the role handed on is the one the team directory holds (`wecare_store::users`), not the one of
//! the token's groups. An ID token lives an hour and cannot be revoked, so this is what makes an
//! Admin's disabling or demotion apply at the member's next request (after API Gateway's cached
//! answer for that token, at most `AUTHORIZER_CACHE_TTL`, a minute, has lapsed). If the directory
//! cannot be read, the caller is refused: the platform fails closed.

pub mod jwks;
pub mod verify;

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde_json::{json, Value};
use tracing::Instrument;
use wecare_core::{Principal, TenantId};
use wecare_http::config::{ConfigError, Env};
use wecare_http::{AuthorizerRequest, AuthorizerResponse};
use wecare_store::users::Admission;
use wecare_store::{AuditContext, UsersRepo};

pub use jwks::Jwks;
pub use verify::{Deny, Verified, Verifier};

#[derive(Debug, Clone)]
pub struct Config {
    pub users_table: String,
    /// Where sign-ins are audited.
    pub audit_table: String,
    /// The `iss` tokens must carry: `https://cognito-idp.{region}.amazonaws.com/{userPoolId}`.
    pub issuer: String,
    /// App client ids whose ID tokens are accepted (`COGNITO_CLIENT_IDS`, comma-separated).
    pub client_ids: Vec<String>,
    /// Where the signing keys are fetched from; separate from the issuer because locally the
    /// keys are served by the emulator while tokens name the real Cognito issuer.
    pub jwks_url: String,
    pub tenancy: Tenancy,
}

/// Whether tokens must name their tenant (`TENANCY=multi`), or a deployment serving one tenant
/// takes tokens without `custom:tenant_id` as that tenant's (`TENANCY=single` with
/// `DEFAULT_TENANT_ID`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Tenancy {
    Multi,
    Single(TenantId),
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from(Env::from_process())
    }

    pub fn from(mut env: Env) -> Result<Self, ConfigError> {
        let users_table = env.required("USERS_TABLE");
        let audit_table = env.required("AUDIT_LOGS_TABLE");
        let issuer = env.required("COGNITO_ISSUER");
        let client_ids = env.required("COGNITO_CLIENT_IDS");
        let jwks_url = env.required("JWKS_URL");
        let tenancy = match env.required("TENANCY").as_str() {
            "multi" => Some(Tenancy::Multi),
            "single" => env.parsed("DEFAULT_TENANT_ID", TenantId::parse).map(Tenancy::Single),
            "" => None,
            other => {
                env.problem(format!("TENANCY {other:?} is neither multi nor single"));
                None
            }
        };
        env.finish(|| {
            Some(Config {
                users_table,
                audit_table,
                issuer,
                client_ids: client_ids
                    .split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty())
                    .collect(),
                jwks_url,
                tenancy: tenancy?,
            })
        })
    }
}

/// Built once per cold start: the JWKS cache lives as long as the instance.
pub struct Deps {
    pub verifier: Verifier,
    pub users: UsersRepo,
}

impl Deps {
    pub fn new(config: &Config, dynamo: aws_sdk_dynamodb::Client, http: reqwest::Client) -> Self {
        Deps {
            verifier: Verifier::new(
                Jwks::new(http, &config.jwks_url),
                &config.issuer,
                config.client_ids.clone(),
                match &config.tenancy {
                    Tenancy::Multi => None,
                    Tenancy::Single(t) => Some(t.clone()),
                },
            ),
            users: UsersRepo::new(dynamo, &config.users_table, &config.audit_table),
        }
    }
}

/// The bearer token of a request: `Authorization: Bearer <jwt>` (or the bare token).
fn bearer(req: &AuthorizerRequest) -> Option<&str> {
    let raw = req.headers.get("authorization")?.to_str().ok()?.trim();
    let token = match raw.split_once(' ') {
        Some((scheme, rest)) if scheme.eq_ignore_ascii_case("bearer") => rest.trim(),
        Some(_) => return None,
        None if raw.eq_ignore_ascii_case("bearer") => return None,
        None => raw,
    };
    (!token.is_empty()).then_some(token)
}

fn response(allowed: bool, context: Value) -> AuthorizerResponse<Value> {
    let mut r: AuthorizerResponse<Value> =
        serde_json::from_value(json!({ "isAuthorized": false, "context": {} })).unwrap_or_default();
    r.is_authorized = allowed;
    r.context = context;
    r
}

pub async fn handle(deps: &Deps, req: AuthorizerRequest, now: DateTime<Utc>) -> AuthorizerResponse<Value> {
    let request_id = req.request_context.request_id.clone().unwrap_or_default();
    let span = tracing::info_span!("authorize", request_id = %request_id, function = "auth-middleware");
    async {
        let Some(token) = bearer(&req) else {
            tracing::info!(decision = "deny", reason = "no bearer token");
            wecare_http::metrics::count("AuthorizerDenied", &[("Function", "auth-middleware")]);
            return response(false, json!({}));
        };
        match deps.verifier.verify(token, now).await {
            Err(deny) => {
                tracing::info!(decision = "deny", reason = %deny);
                wecare_http::metrics::count("AuthorizerDenied", &[("Function", "auth-middleware")]);
                response(false, json!({}))
            }
            Ok(Verified { principal, signed_in_at }) => {
                let ctx = AuditContext {
                    principal: principal.clone(),
                    request_id: request_id.clone(),
                    source_ip: req.request_context.http.source_ip.clone(),
                    user_agent: req.request_context.http.user_agent.clone(),
                };
                let role = match deps.users.admit(&principal, signed_in_at, &ctx, now).await {
                    Ok(Admission::Allowed { role }) => role,
                    Ok(Admission::Disabled) => {
                        tracing::info!(decision = "deny", reason = "member is disabled", user_id = %principal.user_id, tenant_id = %principal.tenant_id);
                        wecare_http::metrics::count("AuthorizerDenied", &[("Function", "auth-middleware")]);
                        return response(false, json!({}));
                    }
                    Err(e) => {
                        tracing::error!(error.chain = ?wecare_http::error::cause_chain(&e), "team directory unreadable: refused");
                        return response(false, json!({}));
                    }
                };
                if role != principal.role {
                    tracing::info!(token_role = %principal.role, role = %role, "the directory's role differs from the token's groups: the directory's applies");
                }
                let p = Principal { role, ..principal };
                tracing::info!(decision = "allow", user_id = %p.user_id, tenant_id = %p.tenant_id, role = %p.role);
                let mut ctx = BTreeMap::from([
                    ("userId", json!(p.user_id)),
                    ("role", json!(p.role)),
                    ("tenantId", json!(p.tenant_id)),
                ]);
                if let Some(email) = &p.email {
                    ctx.insert("email", json!(email));
                }
                response(true, json!(ctx))
            }
        }
    }
    .instrument(span)
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request_with(authorization: Option<&str>) -> AuthorizerRequest {
        let mut req = AuthorizerRequest::default();
        if let Some(v) = authorization {
            req.headers.insert("authorization", v.parse().unwrap());
        }
        req
    }

    #[test]
    fn the_token_is_read_from_a_bearer_header_or_a_bare_one() {
        assert_eq!(bearer(&request_with(Some("Bearer abc.def.ghi"))), Some("abc.def.ghi"));
        assert_eq!(bearer(&request_with(Some("bearer   abc"))), Some("abc"));
        assert_eq!(bearer(&request_with(Some("abc.def.ghi"))), Some("abc.def.ghi"));
    }

    #[test]
    fn other_schemes_and_empty_headers_carry_no_token() {
        assert_eq!(bearer(&request_with(Some("Basic dXNlcjpwYXNz"))), None);
        assert_eq!(bearer(&request_with(Some("Bearer "))), None);
        assert_eq!(bearer(&request_with(None)), None);
    }

    #[test]
    fn configuration_names_every_missing_variable() {
        let err = Config::from(Env::from_map(BTreeMap::new())).unwrap_err().to_string();
        for var in [
            "USERS_TABLE",
            "AUDIT_LOGS_TABLE",
            "COGNITO_ISSUER",
            "COGNITO_CLIENT_IDS",
            "JWKS_URL",
            "TENANCY",
        ] {
            assert!(err.contains(var), "{err}");
        }
    }

    #[test]
    fn a_single_tenant_deployment_must_name_its_tenant() {
        let env = |pairs: &[(&str, &str)]| {
            let mut m: BTreeMap<String, String> = [
                ("USERS_TABLE", "Users"),
                ("AUDIT_LOGS_TABLE", "AuditLogs"),
                (
                    "COGNITO_ISSUER",
                    "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x",
                ),
                ("COGNITO_CLIENT_IDS", "console"),
                ("JWKS_URL", "https://example.com/jwks.json"),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .into();
            m.extend(pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())));
            Config::from(Env::from_map(m))
        };
        let err = env(&[("TENANCY", "single")]).unwrap_err().to_string();
        assert!(err.contains("DEFAULT_TENANT_ID"), "{err}");
        assert!(env(&[("TENANCY", "both")]).is_err());
        assert_eq!(
            env(&[("TENANCY", "single"), ("DEFAULT_TENANT_ID", "wecare")])
                .unwrap()
                .tenancy,
            Tenancy::Single(TenantId::parse("wecare").unwrap())
        );
    }

    #[test]
    fn several_app_clients_may_be_accepted() {
        let env = BTreeMap::from(
            [
                ("USERS_TABLE", "Users"),
                ("AUDIT_LOGS_TABLE", "AuditLogs"),
                (
                    "COGNITO_ISSUER",
                    "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_x",
                ),
                ("COGNITO_CLIENT_IDS", "console, scripts ,"),
                ("JWKS_URL", "https://example.com/jwks.json"),
                ("TENANCY", "multi"),
            ]
            .map(|(k, v)| (k.to_string(), v.to_string())),
        );
        assert_eq!(
            Config::from(Env::from_map(env)).unwrap().client_ids,
            ["console", "scripts"]
        );
    }
}
