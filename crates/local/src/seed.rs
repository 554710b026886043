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

/// The business's WhatsApp numbers locally (the specification's two), plus one the provider
/// knows but the deployment does not allow, so the allowlist can be seen refusing it.
pub fn whatsapp_numbers() -> Vec<wecare_sandbox::PhoneNumberSetting> {
    let number = |id: &str, meta: &str, display: &str| wecare_sandbox::PhoneNumberSetting {
        phone_number_id: id.into(),
        meta_phone_number_id: meta.into(),
        display_phone_number: display.into(),
        waba_id: "102290129340398".into(),
    };
    vec![
        number(
            "phone-number-id-0a1b2c3d4e5f60718293a4b5c6d7e8f9",
            "106540352242922",
            "+91 93309 94400",
        ),
        number(
            "phone-number-id-f9e8d7c6b5a40392817f6e5d4c3b2a10",
            "106540352242923",
            "+91 99033 00044",
        ),
        number(
            "phone-number-id-00000000000000000000000000000bad",
            "106540352242924",
            "+91 90000 00000",
        ),
    ]
}

/// The allowed senders: every local number except the one kept out to show the allowlist.
pub fn allowed_whatsapp_senders() -> Vec<String> {
    whatsapp_numbers()
        .into_iter()
        .map(|n| n.phone_number_id)
        .filter(|id| !id.ends_with("bad"))
        .collect()
}
