//! `GET /api/me` (who am I, with what role and permissions, in which tenant) and the
//! unauthenticated `GET /api/health`.
//!
//! The console adapts to the role it reads here, so the answer comes from exactly the context
//! the authorizer produced for this request, the same one every other function enforces.

use serde::Serialize;
use serde_json::json;
use tracing::Instrument;
use wecare_core::{Permission, Principal};
use wecare_http::{json_response, principal, respond, route_key, Request, Response};

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Me {
    #[serde(flatten)]
    pub principal: Principal,
    pub permissions: Vec<Permission>,
}

pub async fn handle(req: Request) -> Response {
    let span = tracing::info_span!("request", request_id = %wecare_http::request_id(&req), function = "users");
    async {
        if route_key(&req) == "GET /api/health" {
            return json_response(200, &json!({ "status": "ok" }));
        }
        respond(
            200,
            principal(&req).map(|p| {
                let permissions = Permission::ALL.into_iter().filter(|perm| p.role.can(*perm)).collect();
                Me {
                    principal: p,
                    permissions,
                }
            }),
        )
    }
    .instrument(span)
    .await
}
