//! The users and senders every local stack starts with: one user per role in tenant `wecare`, and
//! an Operator in a second tenant, `globex`, so tenant isolation can be tried by hand. Each tenant
//! owns its own WhatsApp number(s), SMS pool and email sender; one more number is known to the
//! provider but owned by no tenant, so its traffic can be seen being refused.

use serde::Serialize;
use wecare_core::Role;

/// The first tenant locally, where the Admin, Operator and Viewer sign in.
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
}

pub fn users() -> Vec<SeedUser> {
    let user = |email: &str, password: &str, role, tenant: &str| SeedUser {
        email: email.into(),
        password: password.into(),
        role,
        tenant_id: tenant.into(),
    };
    vec![
        user("admin@wecare.digital", "Wecare!Admin2026", Role::Admin, DEFAULT_TENANT),
        user(
            "operator@wecare.digital",
            "Wecare!Operator2026",
            Role::Operator,
            DEFAULT_TENANT,
        ),
        user(
            "viewer@wecare.digital",
            "Wecare!Viewer2026",
            Role::Viewer,
            DEFAULT_TENANT,
        ),
        user(
            "operator@globex.example",
            "Globex!Operator2026",
            Role::Operator,
            SECOND_TENANT,
        ),
    ]
}

/// The WhatsApp Business Accounts locally: `wecare`'s (two numbers) and `globex`'s.
pub const WECARE_WABA: &str = "102290129340398";
pub const GLOBEX_WABA: &str = "102290129340777";

/// The Bedrock knowledge base and agent the sandbox plays locally (the agent's alias is Bedrock's
/// name for an agent's working draft).
pub const KNOWLEDGE_BASE_ID: &str = "KBWECARE01";
pub const AGENT_ID: &str = "AGWECARE01";
pub const AGENT_ALIAS_ID: &str = "TSTALIASID";

/// A WhatsApp number the provider knows, with the tenant that owns it (none for the last).
pub struct LocalNumber {
    pub setting: wecare_sandbox::PhoneNumberSetting,
    pub tenant: Option<&'static str>,
}

/// The WhatsApp numbers the sandbox serves locally: the specification's two for `wecare`, one for
/// `globex`, and one owned by no tenant.
pub fn whatsapp_numbers() -> Vec<LocalNumber> {
    let number = |id: &str, meta: &str, display: &str, waba: &str, tenant| LocalNumber {
        setting: wecare_sandbox::PhoneNumberSetting {
            phone_number_id: id.into(),
            meta_phone_number_id: meta.into(),
            display_phone_number: display.into(),
            waba_id: waba.into(),
        },
        tenant,
    };
    vec![
        number(
            "phone-number-id-0a1b2c3d4e5f60718293a4b5c6d7e8f9",
            "106540352242922",
            "+91 93309 94400",
            WECARE_WABA,
            Some(DEFAULT_TENANT),
        ),
        number(
            "phone-number-id-f9e8d7c6b5a40392817f6e5d4c3b2a10",
            "106540352242923",
            "+91 99033 00044",
            WECARE_WABA,
            Some(DEFAULT_TENANT),
        ),
        number(
            "phone-number-id-7c0b1e5a9d2f4c3b8a6e0d1f2a3b4c5d",
            "106540352242925",
            "+91 80471 12345",
            GLOBEX_WABA,
            Some(SECOND_TENANT),
        ),
        number(
            "phone-number-id-00000000000000000000000000000bad",
            "106540352242924",
            "+91 90000 00000",
            "102290129340000",
            None,
        ),
    ]
}

/// The SES sender identities locally, one per tenant.
pub const WECARE_EMAIL: &str = "one@wecare.digital";
pub const GLOBEX_EMAIL: &str = "hello@globex.example";

/// `SENDERS` locally: every sender with the tenant that owns it.
pub fn senders() -> serde_json::Value {
    let mut list: Vec<serde_json::Value> = whatsapp_numbers()
        .into_iter()
        .filter_map(|n| {
            let tenant = n.tenant?;
            Some(serde_json::json!({
                "tenant": tenant, "channel": "whatsapp", "id": n.setting.phone_number_id,
                "label": n.setting.display_phone_number, "wabaId": n.setting.waba_id,
            }))
        })
        .collect();
    // The first number of each tenant is its default, as configuration without a marked default says.
    list.extend([
        serde_json::json!({ "tenant": DEFAULT_TENANT, "channel": "sms", "id": "pool-6fbf5a5f390d4eeeaa7dbae39d78933e", "label": "WECARE SMS pool", "default": true }),
        serde_json::json!({ "tenant": SECOND_TENANT, "channel": "sms", "id": "pool-1d2c3b4a59687f0e1d2c3b4a59687f0e", "label": "Globex SMS pool", "default": true }),
        serde_json::json!({ "tenant": DEFAULT_TENANT, "channel": "email", "id": WECARE_EMAIL, "label": "WECARE.DIGITAL <one@wecare.digital>", "default": true }),
        serde_json::json!({ "tenant": SECOND_TENANT, "channel": "email", "id": GLOBEX_EMAIL, "label": "Globex <hello@globex.example>", "default": true }),
    ]);
    serde_json::Value::Array(list)
}
