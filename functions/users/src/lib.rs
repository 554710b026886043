//! Who is who on a tenant's team, and what they did:
//!
//! - `GET /api/health` (unauthenticated) and `GET /api/me` (who am I, with what role and
//!   permissions, in which tenant: the console adapts to it, so it answers exactly the context
//!   the authorizer produced for this request);
//! - `GET /api/users`, `POST /api/users` (invite) and `PATCH /api/users/{userId}` (role, enable,
//!   disable), for Admins ([`team`]);
//! - `GET /api/audit`, the tenant's audit trail searched by actor, action, resource and time, for
//!   Admins ([`audit`]).
//!
//! Every request but health and me is checked for its permission first, and a refusal is
//! audited; another tenant's user is not found.

pub mod audit;
pub mod directory;
pub mod team;

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{json, Value};
use tracing::Instrument;
use wecare_core::{Permission, Principal};
use wecare_http::config::{ConfigError, Env};
use wecare_http::guard::{authorize, Attempt};
use wecare_http::{error_response, json_response, path_param, principal, route_key, ApiError, Request, Response};
use wecare_store::{AuditContext, UsersRepo};

use crate::directory::Directory;

/// How an invited user learns their temporary password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InviteDelivery {
    /// Cognito emails it (a deployment in AWS): the API never sees it.
    Email,
    /// The platform makes it and answers it once to the inviting Admin, and Cognito sends nothing
    /// (the local stack, whose Cognito sends no mail).
    ShowOnce,
}

impl InviteDelivery {
    fn parse(s: &str) -> Result<InviteDelivery, String> {
        match s {
            "EMAIL" => Ok(InviteDelivery::Email),
            "SHOW_ONCE" => Ok(InviteDelivery::ShowOnce),
            other => Err(format!("is {other:?}, not EMAIL or SHOW_ONCE")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            InviteDelivery::Email => "EMAIL",
            InviteDelivery::ShowOnce => "SHOW_ONCE",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub users_table: String,
    pub audit_table: String,
    /// The Cognito user pool the team signs in with.
    pub user_pool_id: String,
    pub invite_delivery: InviteDelivery,
    pub deployment: Deployment,
}

/// Which deployment this is and whether it calls the providers, told to every signed-in user
/// (`GET /api/me`) so the console can say on every page when nothing is really sent.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Deployment {
    pub environment: String,
    /// `LIVE` or `DRY_RUN`.
    pub send_mode: String,
}

fn send_mode(s: &str) -> Result<String, String> {
    match s {
        "LIVE" | "DRY_RUN" => Ok(s.to_string()),
        other => Err(format!("{other:?} is neither LIVE nor DRY_RUN")),
    }
}

impl Config {
    pub fn from_env() -> Result<Self, ConfigError> {
        Self::from(Env::from_process())
    }

    pub fn from(mut env: Env) -> Result<Self, ConfigError> {
        let users_table = env.required("USERS_TABLE");
        let audit_table = env.required("AUDIT_LOGS_TABLE");
        let user_pool_id = env.required("USER_POOL_ID");
        let invite_delivery = env.parsed("INVITE_DELIVERY", InviteDelivery::parse);
        let environment = env.required("ENVIRONMENT");
        let mode = env.parsed("SEND_MODE", send_mode);
        env.finish(|| {
            Some(Config {
                users_table,
                audit_table,
                user_pool_id,
                invite_delivery: invite_delivery?,
                deployment: Deployment {
                    environment,
                    send_mode: mode?,
                },
            })
        })
    }
}

/// Clients and repositories, built once per cold start.
pub struct Deps {
    pub users: UsersRepo,
    pub directory: Directory,
    pub invite_delivery: InviteDelivery,
    pub deployment: Deployment,
}

impl Deps {
    /// `dynamo` is passed in so callers can attach interceptors; Cognito's client uses `sdk`.
    pub fn new(config: &Config, sdk: &aws_config::SdkConfig, dynamo: aws_sdk_dynamodb::Client) -> Self {
        Deps {
            users: UsersRepo::new(dynamo, &config.users_table, &config.audit_table),
            directory: Directory::new(aws_sdk_cognitoidentityprovider::Client::new(sdk), &config.user_pool_id),
            invite_delivery: config.invite_delivery,
            deployment: config.deployment.clone(),
        }
    }
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    #[serde(flatten)]
    pub principal: Principal,
    pub permissions: Vec<Permission>,
    pub deployment: Deployment,
}

fn me(deps: &Deps, req: &Request) -> Result<Value, ApiError> {
    let p = principal(req)?;
    let permissions = Permission::ALL.into_iter().filter(|perm| p.role.can(*perm)).collect();
    to_json(Me {
        principal: p,
        permissions,
        deployment: deps.deployment.clone(),
    })
}

pub async fn handle(deps: &Deps, req: Request, now: DateTime<Utc>) -> Response {
    let span = tracing::info_span!("request", request_id = %wecare_http::request_id(&req), function = "users");
    async {
        let result = match route_key(&req) {
            "GET /api/health" => Ok((200, json!({ "status": "ok" }))),
            "GET /api/users" => team::list(deps, &req, now).await.map(|v| (200, v)),
            "POST /api/users" => team::invite(deps, &req, now).await.map(|v| (201, v)),
            "PATCH /api/users/{userId}" => team::change(deps, &req, now).await.map(|v| (200, v)),
            "GET /api/audit" => audit::search(deps, &req, now).await.map(|v| (200, v)),
            _ => me(deps, &req).map(|v| (200, v)),
        };
        match result {
            Ok((status, v)) => json_response(status, &v),
            Err(e) => error_response(&e),
        }
    }
    .instrument(span)
    .await
}

/// The permission first, for every request but health and me: a refusal is audited.
async fn allowed(
    deps: &Deps,
    req: &Request,
    permission: Permission,
    action: &str,
    resource_type: &str,
    now: DateTime<Utc>,
) -> Result<AuditContext, ApiError> {
    let attempt = Attempt {
        permission,
        action,
        resource_type,
        resource_id: path_param(req, "userId").unwrap_or("*"),
    };
    authorize(deps.users.client(), deps.users.audit_table(), req, attempt, now).await
}

pub(crate) fn to_json<T: Serialize>(v: T) -> Result<Value, ApiError> {
    serde_json::to_value(v).map_err(|e| ApiError::internal(&e))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    fn env(pairs: &[(&str, &str)]) -> Env {
        Env::from_map(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect::<BTreeMap<_, _>>(),
        )
    }

    #[test]
    fn every_missing_variable_is_named() {
        let err = Config::from(env(&[])).unwrap_err().to_string();
        for var in [
            "USERS_TABLE",
            "AUDIT_LOGS_TABLE",
            "USER_POOL_ID",
            "INVITE_DELIVERY",
            "ENVIRONMENT",
            "SEND_MODE",
        ] {
            assert!(err.contains(&format!("{var} is not set")), "{var}: {err}");
        }
    }

    #[test]
    fn how_invites_are_delivered_is_configured_not_guessed() {
        let base = [
            ("USERS_TABLE", "u"),
            ("AUDIT_LOGS_TABLE", "a"),
            ("USER_POOL_ID", "us-east-1_x"),
            ("ENVIRONMENT", "staging"),
            ("SEND_MODE", "DRY_RUN"),
        ];
        let with = |delivery: &str| {
            let mut pairs = base.to_vec();
            pairs.push(("INVITE_DELIVERY", delivery));
            Config::from(env(&pairs))
        };
        assert_eq!(with("EMAIL").unwrap().invite_delivery, InviteDelivery::Email);
        assert_eq!(with("SHOW_ONCE").unwrap().invite_delivery, InviteDelivery::ShowOnce);
        assert!(with("email").unwrap_err().to_string().contains("INVITE_DELIVERY"));
    }
}
