//! `PATCH /api/contacts/{contactId}`: partial update.
//!
//! Absent fields stay as they are; `null` clears `name`, `phone` or `email` (a contact keeps an
//! address: a phone, an email, or the WhatsApp user id of someone who wrote in without a number). Opt-in flags must be explicit booleans, and each change is
//! recorded with who made it, when, and source `operator`. A new phone or email is claimed in the
//! same transaction as the update, so uniqueness holds under concurrent edits.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use tracing::Instrument;
use wecare_contacts::{contact_id, parse_email, parse_name, parse_phone, write_error, Contact, Deps};
use wecare_core::consent::ConsentSource;
use wecare_core::{Channel, ContactName, Email, Permission, PhoneNumber};
use wecare_http::{parse_json_body, respond, ApiError, Patch, Request, Response};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct UpdateContactRequest {
    #[serde(default)]
    pub name: Patch<String>,
    #[serde(default)]
    pub phone: Patch<String>,
    #[serde(default)]
    pub email: Patch<String>,
    #[serde(default, rename = "optInWhatsApp")]
    pub opt_in_whatsapp: Patch<bool>,
    #[serde(default)]
    pub opt_in_sms: Patch<bool>,
    #[serde(default)]
    pub opt_in_email: Patch<bool>,
}

/// The validated change: `Some(None)` clears a field.
#[derive(Debug)]
struct Change {
    name: Option<Option<ContactName>>,
    phone: Option<Option<PhoneNumber>>,
    email: Option<Option<Email>>,
    opt_ins: Vec<(Channel, bool)>,
}

fn validate(input: UpdateContactRequest, deps: &Deps) -> Result<Change, ApiError> {
    fn field<T, U>(p: Patch<T>, parse: impl FnOnce(T) -> Result<U, ApiError>) -> Result<Option<Option<U>>, ApiError> {
        match p {
            Patch::Missing => Ok(None),
            Patch::Null => Ok(Some(None)),
            Patch::Value(v) => parse(v).map(|u| Some(Some(u))),
        }
    }
    let mut opt_ins = Vec::new();
    for (channel, patch) in [
        (Channel::WhatsApp, input.opt_in_whatsapp),
        (Channel::Sms, input.opt_in_sms),
        (Channel::Email, input.opt_in_email),
    ] {
        match patch {
            Patch::Missing => {}
            Patch::Null => return Err(ApiError::validation(channel.opt_in_field(), "must be true or false")),
            Patch::Value(v) => opt_ins.push((channel, v)),
        }
    }
    let change = Change {
        name: field(input.name, |n| parse_name(&n))?,
        phone: field(input.phone, |p| parse_phone(&p, deps.default_region))?,
        email: field(input.email, |e| parse_email(&e))?,
        opt_ins,
    };
    if change.name.is_none() && change.phone.is_none() && change.email.is_none() && change.opt_ins.is_empty() {
        return Err(ApiError::validation("body", "names no field to update"));
    }
    Ok(change)
}

pub async fn handle(deps: &Deps, req: Request, now: DateTime<Utc>) -> Response {
    let span =
        tracing::info_span!("request", request_id = %wecare_http::request_id(&req), function = "contacts-update");
    async { respond(200, update(deps, &req, now).await) }
        .instrument(span)
        .await
}

async fn update(deps: &Deps, req: &Request, now: DateTime<Utc>) -> Result<Contact, ApiError> {
    let raw_id = wecare_http::path_param(req, "contactId").unwrap_or("*");
    let ctx = deps
        .authorize(req, Permission::WriteContacts, "contact.update", raw_id, now)
        .await?;
    let id = contact_id(req)?;
    let input: UpdateContactRequest = parse_json_body(req)?;
    let change = validate(input, deps)?;
    let by = ctx.principal.user_id.to_string();

    // Checked against the stored contact inside the retry loop, so it is decided on fresh data.
    let mut left_unreachable = false;
    let result = deps
        .repo
        .update(&ctx.principal.tenant_id, &id, &ctx, now, |c| {
            let before = c.clone();
            if let Some(n) = &change.name {
                c.name = n.clone();
            }
            if let Some(p) = &change.phone {
                c.phone = p.clone();
            }
            if let Some(e) = &change.email {
                c.email = e.clone();
            }
            left_unreachable = c.phone.is_none() && c.email.is_none() && c.whatsapp_user_id.is_none();
            if left_unreachable {
                return None;
            }
            let consent = c.opt_ins.apply(&change.opt_ins, &by, now, ConsentSource::Operator);
            c.record_consent(consent);
            (*c != before).then_some("contact.update")
        })
        .await;
    let contact = result.map_err(write_error)?;
    if left_unreachable {
        return Err(ApiError::validation("phone", "a contact needs a phone or an email"));
    }
    tracing::info!(contact_id = %contact.contact_id, tenant_id = %contact.tenant_id, "contact updated");
    wecare_http::metrics::count("ContactUpdated", &[("Function", "contacts-update")]);
    Ok(contact)
}

#[cfg(test)]
mod tests {
    use super::*;
    use wecare_core::Region;

    fn deps() -> Deps {
        let conf = aws_sdk_dynamodb::Config::builder()
            .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
            .build();
        let client = aws_sdk_dynamodb::Client::from_conf(conf);
        Deps {
            repo: wecare_store::ContactsRepo::new(client, "Contacts", "AuditLogs"),
            default_region: Region::INDIA,
        }
    }

    fn parse(body: &str) -> Result<Change, ApiError> {
        let input: UpdateContactRequest = serde_json::from_str(body).map_err(|e| ApiError::validation("body", e))?;
        validate(input, &deps())
    }

    #[test]
    fn null_clears_a_field_and_absence_keeps_it() {
        let c = parse(r#"{"name":null,"phone":"98765 43210"}"#).unwrap();
        assert_eq!(c.name, Some(None));
        assert_eq!(c.phone.unwrap().unwrap().as_str(), "+919876543210");
        assert!(c.email.is_none());
    }

    #[test]
    fn an_opt_in_must_be_an_explicit_boolean() {
        assert_eq!(
            parse(r#"{"optInEmail":null}"#).unwrap_err().message,
            "optInEmail: must be true or false"
        );
        assert!(parse(r#"{"optInEmail":"true"}"#).is_err());
        assert_eq!(
            parse(r#"{"optInEmail":true}"#).unwrap().opt_ins,
            vec![(Channel::Email, true)]
        );
    }

    #[test]
    fn an_update_must_name_something_to_change() {
        assert_eq!(parse("{}").unwrap_err().message, "body: names no field to update");
    }

    #[test]
    fn invalid_values_are_refused_by_field() {
        assert!(parse(r#"{"email":"nope"}"#).unwrap_err().message.starts_with("email: "));
        assert!(parse(r#"{"phone":"12"}"#).unwrap_err().message.starts_with("phone: "));
        assert!(parse(&format!(r#"{{"name":"{}"}}"#, "x".repeat(201)))
            .unwrap_err()
            .message
            .starts_with("name: "));
    }
}
