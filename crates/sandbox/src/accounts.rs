//! ListLinkedWhatsAppBusinessAccounts: the WhatsApp Business Accounts linked to the (local) AWS
//! account, each with its AWS resource id (`waba-…`, what the template operations take) and Meta's
//! id (what senders are configured with). Every configured WABA is linked, with the AWS id
//! `waba-<Meta id>`, which the template operations accept like the real ones.

use std::collections::HashMap;

use axum::extract::{Query, State as AxState};
use axum::response::Response;
use serde_json::{json, Value};

use crate::whatsapp::guarded;
use crate::State;

/// `GET /v1/whatsapp/waba/list?nextToken=&maxResults=`
pub(crate) async fn list(AxState(state): AxState<State>, Query(q): Query<HashMap<String, String>>) -> Response {
    let st = state.clone();
    let request = json!(q);
    guarded(&state, "ListLinkedWhatsAppBusinessAccounts", request, async move {
        let mut wabas: Vec<&str> = st.config.phone_numbers.iter().map(|p| p.waba_id.as_str()).collect();
        wabas.sort_unstable();
        wabas.dedup();
        let accounts: Vec<Value> = wabas
            .iter()
            .map(|waba| {
                json!({
                    "arn": format!("arn:aws:social-messaging:us-east-1:000000000000:waba/waba-{waba}"),
                    "id": format!("waba-{waba}"),
                    "wabaId": waba,
                    "registrationStatus": "COMPLETE",
                    "linkDate": 1_767_225_600,
                    "wabaName": format!("Sandbox business account {waba}"),
                    "eventDestinations": [],
                })
            })
            .collect();
        let (page, next) = crate::templates::paginate(
            accounts,
            q.get("maxResults").map(String::as_str),
            q.get("nextToken").map(String::as_str),
        )?;
        let mut out = json!({ "linkedAccounts": page });
        if let Some(next) = next {
            out["nextToken"] = json!(next);
        }
        Ok((out.clone(), out))
    })
    .await
}
