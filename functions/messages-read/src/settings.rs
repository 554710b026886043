//! `GET /api/settings`, `PUT /api/settings` and `GET /api/settings/time-zones`: what an Admin
//! sees of the deployment and changes of the tenant.
//!
//! Read only, from the deployment: the environment and send mode, the tenant's senders with their
//! rate limits, and each WhatsApp Business Account's tier use now. Editable (SystemConfig, see
//! [`wecare_store::settings`]): the AI automation switch, who receives alerts, and the quiet hours
//! campaigns hold in. A save states the version it was read at and replaces the whole editable
//! part; a save over someone else's is refused with 409 rather than silently undoing theirs, and
//! a refused or invalid save writes nothing. Every save is audited with what it changed.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use wecare_core::settings::{zone_names, SettingsError, SettingsInput, TenantSettings};
use wecare_core::{ErrorCode, Permission, TenantId};
use wecare_http::guard::{authorize, Attempt};
use wecare_http::{parse_json_body, ApiError, Request};
use wecare_store::settings::{ReadError, SaveError, StoredSettings};
use wecare_store::{AuditContext, AuditEntry};

use crate::overview::{tiers, OverviewError};
use crate::Deps;

/// One use case's failures, mapped to the API's in [`api_error`].
#[derive(Debug, thiserror::Error)]
pub enum SettingsUseError {
    #[error(transparent)]
    Invalid(#[from] SettingsError),
    #[error("someone saved the settings since you read them (version {0}); reload to see their change")]
    Changed(u64),
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error(transparent)]
    Save(SaveError),
    #[error(transparent)]
    Tier(#[from] OverviewError),
}

fn api_error(e: SettingsUseError) -> ApiError {
    match e {
        SettingsUseError::Invalid(e) => ApiError::validation(&e.field, e.problem),
        SettingsUseError::Changed(_) => ApiError::new(ErrorCode::Conflict, e.to_string()),
        SettingsUseError::Save(SaveError::Changed(v)) => api_error(SettingsUseError::Changed(v)),
        SettingsUseError::Save(SaveError::Store(e)) => ApiError::internal(&e),
        SettingsUseError::Read(e) => ApiError::internal(&e),
        SettingsUseError::Tier(e) => ApiError::internal(&e),
    }
}

/// A save: the whole editable part, and the version it was read at.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct SaveRequest {
    version: u64,
    config: SettingsInput,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
struct Deployment<'a> {
    environment: &'a str,
    send_mode: &'a str,
}

async fn admin(deps: &Deps, req: &Request, action: &str, now: DateTime<Utc>) -> Result<AuditContext, ApiError> {
    let attempt = Attempt {
        permission: Permission::ManageConfig,
        action,
        resource_type: "settings",
        resource_id: "*",
    };
    let contacts = &deps.messaging.contacts;
    authorize(contacts.client(), contacts.audit_table(), req, attempt, now).await
}

pub async fn read(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<Value, ApiError> {
    let ctx = admin(deps, req, "settings.read", now).await?;
    let tenant = &ctx.principal.tenant_id;
    let stored = deps
        .messaging
        .settings
        .get(tenant, true)
        .await
        .map_err(|e| api_error(e.into()))?;
    view(deps, tenant, &stored, now).await.map_err(api_error)
}

pub async fn save(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<Value, ApiError> {
    let ctx = admin(deps, req, "settings.update", now).await?;
    let body: SaveRequest = parse_json_body(req)?;
    let settings = TenantSettings::parse(&body.config, "config").map_err(|e| api_error(e.into()))?;
    let tenant = &ctx.principal.tenant_id;
    let before = deps
        .messaging
        .settings
        .get(tenant, true)
        .await
        .map_err(|e| api_error(e.into()))?;
    if before.version != body.version {
        return Err(api_error(SettingsUseError::Changed(body.version)));
    }
    let by = ctx
        .principal
        .email
        .as_ref()
        .map(|e| e.as_str().to_string())
        .unwrap_or_else(|| ctx.principal.user_id.to_string());
    let audit = AuditEntry::new(
        &ctx,
        "settings.update",
        "settings",
        "tenant",
        "success",
        Some(json!(before.settings.to_input())),
        Some(json!(settings.to_input())),
        now,
    );
    // The version is the save's condition (one conditional write with the audit entry): the read
    // above only answers the common case early; a save racing this one is refused by the write.
    let saved = deps
        .messaging
        .settings
        .save(tenant, &settings, body.version, &by, &audit, now)
        .await
        .map_err(|e| api_error(SettingsUseError::Save(e)))?;
    view(deps, tenant, &saved, now).await.map_err(api_error)
}

pub async fn time_zones(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<Value, ApiError> {
    admin(deps, req, "settings.read", now).await?;
    Ok(json!({ "items": zone_names().collect::<Vec<_>>() }))
}

async fn view(
    deps: &Deps,
    tenant: &TenantId,
    stored: &StoredSettings,
    now: DateTime<Utc>,
) -> Result<Value, SettingsUseError> {
    let config = &deps.messaging.config;
    let senders: Vec<Value> = config
        .senders
        .of_tenant(tenant, None)
        .into_iter()
        .map(|s| {
            json!({
                "senderId": s.id, "channel": s.channel, "label": s.label, "default": s.is_default,
                "ratePerSecond": s.rate.per_second, "wabaId": s.waba_id,
            })
        })
        .collect();
    let quiet_now = stored
        .settings
        .quiet_hours
        .as_ref()
        .and_then(|q| q.holds_until(now))
        .map(|until| json!({ "until": wecare_core::time::iso(until) }));
    Ok(json!({
        "deployment": Deployment { environment: &deps.environment, send_mode: config.send_mode.as_str() },
        "senders": senders,
        "tiers": tiers(deps, tenant).await?,
        "config": stored.settings.to_input(),
        "quietNow": quiet_now,
        "version": stored.version,
        "updatedAt": stored.updated_at,
        "updatedBy": stored.updated_by,
    }))
}
