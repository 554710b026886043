//! The users every local stack starts with: one per role in the default tenant, and an Operator
//! in a second tenant so tenant isolation can be tried by hand.

use serde::Serialize;
use wecare_core::Role;

/// The deployment's default tenant locally (users without `custom:tenant_id` belong to it).
pub const DEFAULT_TENANT: &str = "wecare";
/// The second tenant, whose Operator must never see the default tenant's data.
pub const SECOND_TENANT: &str = "globex";

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SeedUser {
    pub email: String,
    pub password: String,
    pub role: Role,
    pub tenant_id: String,
    /// Whether `custom:tenant_id` is set; default-tenant users rely on the authorizer's fallback.
    #[serde(skip)]
    pub explicit_tenant: bool,
}

pub fn users() -> Vec<SeedUser> {
    let user = |email: &str, password: &str, role, tenant: &str, explicit| SeedUser {
        email: email.into(),
        password: password.into(),
        role,
        tenant_id: tenant.into(),
        explicit_tenant: explicit,
    };
    vec![
        user(
            "admin@wecare.digital",
            "Wecare!Admin2026",
            Role::Admin,
            DEFAULT_TENANT,
            false,
        ),
        user(
            "operator@wecare.digital",
            "Wecare!Operator2026",
            Role::Operator,
            DEFAULT_TENANT,
            false,
        ),
        user(
            "viewer@wecare.digital",
            "Wecare!Viewer2026",
            Role::Viewer,
            DEFAULT_TENANT,
            false,
        ),
        user(
            "operator@globex.example",
            "Globex!Operator2026",
            Role::Operator,
            SECOND_TENANT,
            true,
        ),
    ]
}
