//! `POST /api/contacts`: creates a contact.
//!
//! A contact needs a phone or an email; the phone is stored in E.164 and the email lower-cased,
//! each unique within the tenant (409 names the contact that already has it). Every channel
//! starts opted out unless the request opts in explicitly, and such an opt-in is recorded with
//! who gave it, when and how.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use tracing::Instrument;
use wecare_contacts::{parse_email, parse_name, parse_phone, write_error, Contact, Deps};
use wecare_core::consent::{ConsentSource, OptIns};
use wecare_core::{Channel, ContactId, Permission};
use wecare_http::{parse_json_body, respond, ApiError, Request, Response};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct CreateContactRequest {
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    #[serde(rename = "optInWhatsApp")]
    pub opt_in_whatsapp: Option<bool>,
    pub opt_in_sms: Option<bool>,
    pub opt_in_email: Option<bool>,
}

pub async fn handle(deps: &Deps, req: Request, now: DateTime<Utc>) -> Response {
    let span =
        tracing::info_span!("request", request_id = %wecare_http::request_id(&req), function = "contacts-create");
    async { respond(201, create(deps, &req, now).await) }
        .instrument(span)
        .await
}

async fn create(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<Contact, ApiError> {
    let ctx = deps
        .authorize(req, Permission::WriteContacts, "contact.create", "*", now)
        .await?;
    let input: CreateContactRequest = parse_json_body(req)?;
    let name = input.name.as_deref().map(parse_name).transpose()?;
    let phone = input
        .phone
        .as_deref()
        .map(|p| parse_phone(p, deps.default_region))
        .transpose()?;
    let email = input.email.as_deref().map(parse_email).transpose()?;
    if phone.is_none() && email.is_none() {
        return Err(ApiError::validation("phone", "a contact needs a phone or an email"));
    }
    let by = ctx.principal.user_id.to_string();
    let mut opt_ins = OptIns::default();
    let requested: Vec<(Channel, bool)> = [
        (Channel::WhatsApp, input.opt_in_whatsapp),
        (Channel::Sms, input.opt_in_sms),
        (Channel::Email, input.opt_in_email),
    ]
    .into_iter()
    .filter_map(|(c, v)| v.map(|v| (c, v)))
    .collect();
    let changes = opt_ins.apply(&requested, &by, now, ConsentSource::Operator);
    let contact = Contact {
        contact_id: ContactId::new(),
        tenant_id: ctx.principal.tenant_id.clone(),
        name,
        phone,
        email,
        whatsapp_user_id: None,
        opt_ins,
        last_consent_change: {
            let mut clock = wecare_core::ConsentClock::default();
            clock.record(&changes);
            clock
        },
        consent_history: changes,
        last_inbound_message_at: None,
        created_at: now,
        created_by: by,
        updated_at: now,
        deleted_at: None,
        deleted_by: None,
        version: 1,
    };
    deps.repo.create(&contact, &ctx, now).await.map_err(write_error)?;
    tracing::info!(contact_id = %contact.contact_id, tenant_id = %contact.tenant_id, "contact created");
    wecare_http::metrics::count("ContactCreated", &[("Function", "contacts-create")]);
    Ok(contact)
}
