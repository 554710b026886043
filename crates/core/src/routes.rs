//! The HTTP routes of the API and the function behind each.
//!
//! The local stack's gateway and the CDK app's HTTP API are built from this table, so a route
//! cannot exist in one and not the other. Paths use API Gateway's `{param}` syntax.

use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RouteDef {
    pub method: &'static str,
    pub path: &'static str,
    /// The function (crate, binary and Lambda name) that answers.
    pub function: &'static str,
    /// Whether the `auth-middleware` authorizer runs first.
    pub authorized: bool,
}

impl RouteDef {
    /// API Gateway's route key, e.g. `GET /api/contacts/{contactId}`.
    pub fn route_key(&self) -> String {
        format!("{} {}", self.method, self.path)
    }
}

const fn route(method: &'static str, path: &'static str, function: &'static str) -> RouteDef {
    RouteDef {
        method,
        path,
        function,
        authorized: true,
    }
}

pub const ROUTES: &[RouteDef] = &[
    RouteDef {
        method: "GET",
        path: "/api/health",
        function: "users",
        authorized: false,
    },
    route("GET", "/api/me", "users"),
    route("GET", "/api/users", "users"),
    route("POST", "/api/users", "users"),
    route("PATCH", "/api/users/{userId}", "users"),
    route("GET", "/api/audit", "users"),
    route("POST", "/api/contacts", "contacts-create"),
    route("GET", "/api/contacts", "contacts-read"),
    route("GET", "/api/contacts/search", "contacts-search"),
    route("GET", "/api/contacts/{contactId}", "contacts-read"),
    route("PATCH", "/api/contacts/{contactId}", "contacts-update"),
    route("DELETE", "/api/contacts/{contactId}", "contacts-delete"),
    route("GET", "/api/contacts/{contactId}/messages", "messages-read"),
    route("GET", "/api/conversations", "messages-read"),
    route("POST", "/api/conversations/{contactId}/read", "messages-read"),
    route("GET", "/api/senders", "messages-read"),
    route("GET", "/api/overview", "messages-read"),
    route("GET", "/api/settings", "messages-read"),
    route("PUT", "/api/settings", "messages-read"),
    route("GET", "/api/settings/time-zones", "messages-read"),
    route("POST", "/api/messages/whatsapp", "outbound-whatsapp"),
    route("POST", "/api/media/uploads", "outbound-whatsapp"),
    route("POST", "/api/messages/sms", "outbound-sms"),
    route("POST", "/api/messages/email", "outbound-email"),
    route("GET", "/api/whatsapp/templates", "whatsapp-templates"),
    route("POST", "/api/whatsapp/templates/sync", "whatsapp-templates"),
    route("POST", "/api/whatsapp/templates", "whatsapp-templates"),
    route("DELETE", "/api/whatsapp/templates/{name}", "whatsapp-templates"),
    route("GET", "/api/whatsapp/template-library", "whatsapp-templates"),
    route("POST", "/api/whatsapp/templates/from-library", "whatsapp-templates"),
    route("GET", "/api/whatsapp/template-usage", "whatsapp-templates"),
    route("POST", "/api/bulk-jobs/uploads", "bulk-job-create"),
    route("POST", "/api/bulk-jobs/preview", "bulk-job-create"),
    route("POST", "/api/bulk-jobs", "bulk-job-create"),
    route("GET", "/api/bulk-jobs", "bulk-job-control"),
    route("GET", "/api/bulk-jobs/{jobId}", "bulk-job-control"),
    route("GET", "/api/bulk-jobs/{jobId}/recipients", "bulk-job-control"),
    route("GET", "/api/bulk-jobs/{jobId}/report", "bulk-job-control"),
    route("POST", "/api/bulk-jobs/{jobId}/pause", "bulk-job-control"),
    route("POST", "/api/bulk-jobs/{jobId}/resume", "bulk-job-control"),
    route("POST", "/api/bulk-jobs/{jobId}/cancel", "bulk-job-control"),
    route("GET", "/api/dlq/{queue}", "dlq-replay"),
    route("POST", "/api/dlq/{queue}/replay", "dlq-replay"),
    route("POST", "/api/ai/query", "ai-query-kb"),
    route("GET", "/api/ai/suggestions", "ai-generate-response"),
    route("POST", "/api/ai/suggestions", "ai-generate-response"),
    route(
        "POST",
        "/api/ai/suggestions/{suggestionId}/approve",
        "ai-generate-response",
    ),
    route(
        "POST",
        "/api/ai/suggestions/{suggestionId}/reject",
        "ai-generate-response",
    ),
    route(
        "POST",
        "/api/ai/suggestions/{suggestionId}/feedback",
        "ai-generate-response",
    ),
    route("GET", "/api/ai/interactions", "ai-generate-response"),
    route("GET", "/api/ai/stats", "ai-generate-response"),
];

/// The functions of the platform that exist, in the order of the specification.
pub const FUNCTIONS: &[&str] = &[
    "auth-middleware",
    "contacts-create",
    "contacts-read",
    "contacts-update",
    "contacts-delete",
    "contacts-search",
    "inbound-whatsapp-handler",
    "outbound-whatsapp",
    "outbound-sms",
    "outbound-email",
    "messages-read",
    "users",
    "bulk-job-create",
    "bulk-worker",
    "bulk-job-control",
    "dlq-replay",
    "whatsapp-templates",
    "ai-query-kb",
    "ai-generate-response",
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_route_key_is_unique_and_served_by_a_known_function() {
        let keys: HashSet<_> = ROUTES.iter().map(RouteDef::route_key).collect();
        assert_eq!(keys.len(), ROUTES.len());
        assert!(ROUTES.iter().all(|r| FUNCTIONS.contains(&r.function)));
    }

    #[test]
    fn only_health_is_reachable_without_the_authorizer() {
        let open: Vec<_> = ROUTES.iter().filter(|r| !r.authorized).map(|r| r.path).collect();
        assert_eq!(open, vec!["/api/health"]);
    }
}
