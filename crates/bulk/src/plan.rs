//! Who a job would reach: the recipients resolved from contact ids, a filter or a CSV, each judged
//! once by `wecare_core::bulk::exclusion` (so every excluded recipient is counted under exactly
//! one reason), duplicates and the tier judged over the whole list, and the message rendered per
//! recipient. Only reads: the preview is this plan, and creating a job is this plan plus writes.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use wecare_core::bulk::{exclusion, mask_address, parse_recipients_csv, render, CsvProblem, Exclusion, RecipientFacts};
use wecare_core::consent::ConsentSource;
use wecare_core::sender::Sender;
use wecare_core::sms::SmsSegments;
use wecare_core::window::Window;
use wecare_core::{Channel, ContactId, SearchQuery, TenantId};
use wecare_messaging::{Content, WhatsAppContent};
use wecare_store::messages::Template;
use wecare_store::{keys, Contact};

use crate::request::{ContentRequest, JobSpec, Recipients};
use crate::{BulkError, Deps};

/// Contacts shown per exclusion reason in a preview.
pub const EXCLUDED_SHOWN: usize = 50;
/// Rendered samples in a preview.
pub const SAMPLES: usize = 3;
/// Variables every contact can fill.
pub const CONTACT_VARIABLES: [&str; 3] = ["name", "phone", "email"];

/// A contact a CSV row will create when the job is accepted (it carried explicit consent).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NewContact {
    pub line: usize,
    pub name: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub consent: Vec<(Channel, bool)>,
}

/// One eligible recipient, as the job's manifest keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Planned {
    pub contact_id: ContactId,
    /// Masked, for the ledger and the report.
    pub address: String,
    pub values: BTreeMap<String, String>,
    /// WhatsApp outside the window: opens a business-initiated conversation.
    #[serde(default)]
    pub business_initiated: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub create: Option<NewContact>,
}

/// An excluded recipient, as the preview lists it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Excluded {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub contact_id: Option<ContactId>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub address: Option<String>,
    /// The CSV line it came from.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub sender: Sender,
    pub total: u64,
    pub eligible: Vec<Planned>,
    pub excluded: BTreeMap<Exclusion, Vec<Excluded>>,
    pub invalid_rows: Vec<CsvProblem>,
    /// SMS: segments over all eligible recipients.
    pub segments: Option<u64>,
    /// WhatsApp: the account's tier, and its conversations counted now.
    pub tier: Option<TierView>,
    pub samples: Vec<Sample>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TierView {
    pub limit: u64,
    pub used: u64,
    pub after_job: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Sample {
    pub contact_id: ContactId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub to: String,
    pub rendered: String,
}

impl Plan {
    pub fn eligible_count(&self) -> u64 {
        self.eligible.len() as u64
    }

    pub fn business_initiated(&self) -> u64 {
        self.eligible.iter().filter(|p| p.business_initiated).count() as u64
    }

    pub fn excluded_counts(&self) -> BTreeMap<Exclusion, u64> {
        Exclusion::ALL
            .into_iter()
            .map(|e| (e, self.excluded.get(&e).map_or(0, |v| v.len() as u64)))
            .collect()
    }

    /// Seconds to send every eligible message at the sender's rate.
    pub fn estimated_seconds(&self) -> u64 {
        let units = self.segments.unwrap_or(self.eligible_count());
        wecare_core::bulk::eta_seconds(units, self.sender.rate.per_second)
    }

    /// The preview's answer.
    pub fn preview(&self) -> serde_json::Value {
        let excluded: BTreeMap<&str, u64> = self
            .excluded_counts()
            .into_iter()
            .map(|(e, n)| (e.as_str(), n))
            .collect();
        let shown: BTreeMap<&str, &[Excluded]> = self
            .excluded
            .iter()
            .map(|(e, v)| (e.as_str(), &v[..v.len().min(EXCLUDED_SHOWN)]))
            .collect();
        serde_json::json!({
            "channel": self.sender.channel.as_str(),
            "sender": self.sender.id,
            "total": self.total,
            "eligible": self.eligible_count(),
            "excluded": excluded,
            "excludedContacts": shown,
            "invalidRows": self.invalid_rows,
            "segments": self.segments,
            "ratePerSecond": self.sender.rate.per_second,
            "estimatedSeconds": self.estimated_seconds(),
            "tier": self.tier,
            "samples": self.samples,
        })
    }
}

/// A request that cannot be planned, and why (answered 400/404, nothing written).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanRefusal {
    #[error("{field}: {why}")]
    Invalid { field: &'static str, why: String },
    #[error("{0}")]
    Sender(wecare_core::sender::SenderRefusal),
    #[error("upload not found: upload the CSV to the URL POST /api/bulk-jobs/uploads gave, then preview again")]
    UploadNotFound,
}

fn invalid(field: &'static str, why: impl Into<String>) -> PlanRefusal {
    PlanRefusal::Invalid { field, why: why.into() }
}

/// The object key of an upload of `tenant`.
pub fn upload_key(tenant: &TenantId, upload: &uuid::Uuid) -> String {
    format!("imports/{tenant}/{upload}.csv")
}

/// A recipient before it is judged.
struct Candidate {
    contact: Option<Contact>,
    create: Option<NewContact>,
    /// The CSV row's own address (when it names a contact that does not exist yet).
    row_address: Option<String>,
    values: BTreeMap<String, String>,
    line: Option<usize>,
    missing: bool,
}

/// Resolves and judges the recipients of `spec` for `tenant` at `now`.
pub async fn plan(
    deps: &Deps,
    tenant: &TenantId,
    spec: &JobSpec,
    now: DateTime<Utc>,
) -> Result<Result<Plan, PlanRefusal>, BulkError> {
    let sender = match deps
        .config
        .messaging
        .senders
        .resolve(tenant, spec.channel, spec.sender.as_deref())
    {
        Ok(s) => s.clone(),
        Err(e) => return Ok(Err(PlanRefusal::Sender(e))),
    };
    let variables = match spec.content.variables() {
        Ok(v) => v,
        Err(e) => return Ok(Err(invalid(e.field, e.why))),
    };
    // A template is checked against the catalogue once for the whole job, as each send would be.
    if let (
        ContentRequest::Template {
            name,
            language,
            parameters,
            header_media,
        },
        Some(waba),
    ) = (&spec.content, sender.waba_id.as_deref())
    {
        let versions = match deps.messaging.catalogue.versions(tenant, waba, name, now).await {
            Ok(v) => v,
            Err(wecare_messaging::catalogue::CatalogueError::Store(e)) => return Err(BulkError::Store(e)),
            Err(e) => {
                tracing::warn!(error = %e, waba_id = waba, "template catalogue not refreshed on a miss");
                Vec::new()
            }
        };
        if let Err(e) = wecare_core::template::check_send(name, language, &versions, parameters, header_media.is_some())
        {
            return Ok(Err(invalid("content", e.to_string())));
        }
    }
    let (candidates, invalid_rows, columns) = match &spec.recipients {
        Recipients::Contacts(ids) => (from_ids(deps, tenant, ids).await?, Vec::new(), BTreeSet::new()),
        Recipients::Filter {
            opted_in,
            search,
            created_from,
            created_to,
        } => {
            let found = match from_filter(deps, tenant, search.as_deref()).await? {
                Ok(f) => f,
                Err(r) => return Ok(Err(r)),
            };
            let chosen = found
                .into_iter()
                .filter(|c| created_from.is_none_or(|f| c.created_at >= f))
                .filter(|c| created_to.is_none_or(|t| c.created_at <= t))
                .filter(|c| !*opted_in || c.opt_ins.get(spec.channel))
                .map(|c| Candidate {
                    contact: Some(c),
                    create: None,
                    row_address: None,
                    values: BTreeMap::new(),
                    line: None,
                    missing: false,
                })
                .collect();
            (chosen, Vec::new(), BTreeSet::new())
        }
        Recipients::Upload(id) => match from_upload(deps, tenant, id).await? {
            Ok(r) => r,
            Err(refusal) => return Ok(Err(refusal)),
        },
    };
    let unknown: Vec<&String> = variables
        .iter()
        .filter(|v| !CONTACT_VARIABLES.contains(&v.as_str()) && !columns.contains(*v))
        .collect();
    if let Some(v) = unknown.first() {
        return Ok(Err(invalid(
            "content",
            format!("{{{{{v}}}}} is neither a contact field (name, phone, email) nor a column of the uploaded CSV"),
        )));
    }

    let total = candidates.len() as u64 + invalid_rows.len() as u64;
    let mut excluded: BTreeMap<Exclusion, Vec<Excluded>> = BTreeMap::new();
    for p in &invalid_rows {
        excluded.entry(Exclusion::InvalidAddress).or_default().push(Excluded {
            contact_id: None,
            name: None,
            address: None,
            line: Some(p.line),
        });
    }
    let mut eligible = Vec::new();
    // A template reaches a customer inside their window without opening a conversation — unless
    // the window has closed by the time the job reaches them. The tier is reserved for every
    // recipient whose window may close before the job could be done (at the sender's rate, with
    // an hour to spare for pauses): paced sends are not counted against the tier one by one, so
    // the reservation must not fall short; what it holds beyond the use is given back at the end.
    let horizon =
        now + chrono::Duration::seconds(
            i64::try_from(wecare_core::bulk::eta_seconds(
                candidates.len() as u64,
                sender.rate.per_second,
            ))
            .unwrap_or(i64::MAX / 2)
            .min(86_400),
        ) + chrono::Duration::hours(1);
    let mut seen: HashSet<String> = HashSet::new();
    for c in candidates {
        let identity = match (&c.contact, &c.row_address) {
            (Some(contact), _) => contact.contact_id.to_string(),
            (None, Some(a)) => a.clone(),
            (None, None) => format!("line-{:?}", c.line),
        };
        let shown = Excluded {
            contact_id: c.contact.as_ref().map(|k| k.contact_id),
            name: c
                .contact
                .as_ref()
                .and_then(|k| k.name.as_ref().map(|n| n.as_str().to_string()))
                .or_else(|| c.create.as_ref().and_then(|n| n.name.clone())),
            address: c
                .contact
                .as_ref()
                .and_then(|k| address_of(k, spec.channel))
                .or_else(|| c.row_address.clone())
                .map(|a| mask_address(&a)),
            line: c.line,
        };
        if !seen.insert(identity) {
            excluded.entry(Exclusion::DuplicateInList).or_default().push(shown);
            continue;
        }
        let facts = match (&c.contact, &c.create) {
            _ if c.missing => RecipientFacts {
                deleted: true,
                ..RecipientFacts::default()
            },
            (Some(contact), _) => facts_of(contact, spec.channel, now),
            (None, Some(new)) => RecipientFacts {
                opted_in: new.consent.contains(&(spec.channel, true)),
                has_address: new_address(new, spec.channel).is_some(),
                address_valid: true,
                ..RecipientFacts::default()
            },
            (None, None) => RecipientFacts {
                // A row naming nobody we know, without consent columns: never sent to.
                has_address: true,
                address_valid: true,
                ..RecipientFacts::default()
            },
        };
        if let Some(why) = exclusion(&facts, spec.channel, spec.content.is_template()) {
            excluded.entry(why).or_default().push(shown);
            continue;
        }
        let (contact_id, address, mut values) = match (&c.contact, &c.create) {
            (Some(contact), _) => (
                contact.contact_id,
                address_of(contact, spec.channel).unwrap_or_default(),
                contact_values(contact),
            ),
            (None, Some(new)) => (
                ContactId::new(),
                new_address(new, spec.channel).unwrap_or_default(),
                new_values(new),
            ),
            (None, None) => continue,
        };
        values.extend(c.values);
        if variables
            .iter()
            .any(|v| values.get(v).is_none_or(|x| x.trim().is_empty()))
        {
            excluded.entry(Exclusion::MissingVariable).or_default().push(shown);
            continue;
        }
        eligible.push(Planned {
            contact_id,
            address: mask_address(&address),
            values,
            business_initiated: spec.channel == Channel::WhatsApp
                && spec.content.is_template()
                && !c
                    .contact
                    .as_ref()
                    .is_some_and(|k| Window::at(k.last_inbound_message_at, horizon).is_open()),
            create: c.create,
        });
    }

    let mut tier = None;
    if spec.channel == Channel::WhatsApp {
        let limit = deps.config.messaging.whatsapp_tier_limit;
        let used = match &sender.waba_id {
            Some(waba) => deps.messaging.tier.peek(waba).await?,
            None => 0,
        };
        let room = limit.saturating_sub(used);
        // The business-initiated recipients beyond the room left are over the tier, the last
        // ones in list order; the rest of the list is unaffected.
        let mut opened = 0u64;
        let mut kept = Vec::with_capacity(eligible.len());
        for p in eligible {
            if p.business_initiated {
                if opened >= room {
                    excluded.entry(Exclusion::OverTier).or_default().push(Excluded {
                        contact_id: Some(p.contact_id),
                        name: p.values.get("name").cloned(),
                        address: Some(p.address.clone()),
                        line: p.create.as_ref().map(|n| n.line),
                    });
                    continue;
                }
                opened += 1;
            }
            kept.push(p);
        }
        eligible = kept;
        tier = Some(TierView {
            limit,
            used,
            after_job: used + opened,
        });
    }

    let mut segments = None;
    if spec.channel == Channel::Sms {
        let mut n = 0u64;
        for p in &eligible {
            if let Ok(Content::Sms { text }) = render_content(&spec.content, &p.values) {
                n += SmsSegments::of(&text).segments as u64;
            }
        }
        segments = Some(n);
    }
    let samples = eligible
        .iter()
        .take(SAMPLES)
        .filter_map(|p| {
            let content = render_content(&spec.content, &p.values).ok()?;
            Some(Sample {
                contact_id: p.contact_id,
                name: p.values.get("name").cloned().filter(|n| !n.is_empty()),
                to: p.address.clone(),
                rendered: describe(&content),
            })
        })
        .collect();
    Ok(Ok(Plan {
        sender,
        total,
        eligible,
        excluded,
        invalid_rows,
        segments,
        tier,
        samples,
    }))
}

/// What is known of a stored contact, judged for `channel` at `now`.
pub fn facts_of(contact: &Contact, channel: Channel, now: DateTime<Utc>) -> RecipientFacts {
    let opted_in = contact.opt_ins.get(channel);
    RecipientFacts {
        deleted: contact.deleted_at.is_some(),
        opted_in,
        opted_out_by_keyword: !opted_in
            && contact
                .last_consent_change
                .get(channel)
                .is_some_and(|w| w.source == ConsentSource::InboundKeyword),
        has_address: address_of(contact, channel).is_some(),
        address_valid: true,
        window_open: Window::at(contact.last_inbound_message_at, now).is_open(),
    }
}

/// The address a message on `channel` goes to.
pub fn address_of(contact: &Contact, channel: Channel) -> Option<String> {
    match channel {
        Channel::WhatsApp => contact
            .phone
            .as_ref()
            .map(|p| p.to_string())
            .or_else(|| contact.whatsapp_user_id.clone()),
        Channel::Sms => contact.phone.as_ref().map(|p| p.to_string()),
        Channel::Email => contact.email.as_ref().map(|e| e.to_string()),
    }
}

fn new_address(new: &NewContact, channel: Channel) -> Option<String> {
    match channel {
        Channel::WhatsApp | Channel::Sms => new.phone.clone(),
        Channel::Email => new.email.clone(),
    }
}

fn contact_values(c: &Contact) -> BTreeMap<String, String> {
    let mut v = BTreeMap::new();
    if let Some(n) = &c.name {
        v.insert("name".into(), n.as_str().to_string());
    }
    if let Some(p) = &c.phone {
        v.insert("phone".into(), p.to_string());
    }
    if let Some(e) = &c.email {
        v.insert("email".into(), e.to_string());
    }
    v
}

fn new_values(n: &NewContact) -> BTreeMap<String, String> {
    [("name", &n.name), ("phone", &n.phone), ("email", &n.email)]
        .into_iter()
        .filter_map(|(k, v)| v.clone().map(|v| (k.to_string(), v)))
        .collect()
}

/// The message one recipient gets.
pub fn render_content(
    content: &ContentRequest,
    values: &BTreeMap<String, String>,
) -> Result<Content, wecare_core::bulk::RenderError> {
    Ok(match content {
        ContentRequest::Template {
            name,
            language,
            parameters,
            header_media,
        } => Content::WhatsApp(WhatsAppContent::Template(Template {
            name: name.clone(),
            language: language.clone(),
            parameters: parameters.iter().map(|p| render(p, values)).collect::<Result<_, _>>()?,
            header_parameters: 0,
            parameter_names: Vec::new(),
            header_media_key: header_media.as_ref().map(|m| m.s3_key.clone()),
            category: None,
        })),
        ContentRequest::Text { body } => {
            // The channel decides what text is: the caller renders for its job's channel.
            Content::Sms {
                text: render(body, values)?,
            }
        }
        ContentRequest::Email { subject, text, html } => Content::Email {
            subject: render(subject, values)?,
            text: text.as_deref().map(|t| render(t, values)).transpose()?,
            html: html.as_deref().map(|h| render(h, values)).transpose()?,
        },
    })
}

/// The content for `channel`: text on WhatsApp is WhatsApp text, not SMS.
pub fn content_for(
    channel: Channel,
    content: &ContentRequest,
    values: &BTreeMap<String, String>,
) -> Result<Content, wecare_core::bulk::RenderError> {
    match (channel, render_content(content, values)?) {
        (Channel::WhatsApp, Content::Sms { text }) => Ok(Content::WhatsApp(WhatsAppContent::Text(text))),
        (_, c) => Ok(c),
    }
}

/// A sample as the preview shows it.
fn describe(content: &Content) -> String {
    match content {
        Content::WhatsApp(WhatsAppContent::Template(t)) => {
            format!("{} ({}): {}", t.name, t.language, t.parameters.join(" | "))
        }
        Content::WhatsApp(WhatsAppContent::Text(t)) | Content::Sms { text: t } => t.clone(),
        Content::WhatsApp(WhatsAppContent::Media(m)) => m.caption.clone().unwrap_or_default(),
        Content::Email { subject, text, html } => {
            format!("{subject}\n\n{}", text.as_deref().or(html.as_deref()).unwrap_or(""))
        }
    }
}

async fn from_ids(deps: &Deps, tenant: &TenantId, ids: &[ContactId]) -> Result<Vec<Candidate>, BulkError> {
    let unique: Vec<ContactId> = {
        let mut seen = HashSet::new();
        ids.iter().copied().filter(|i| seen.insert(*i)).collect()
    };
    let found = deps.messaging.contacts.batch_get(tenant, &unique).await?;
    let by_id: BTreeMap<ContactId, Contact> = found.into_iter().map(|c| (c.contact_id, c)).collect();
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        // Repeats keep their place, to be counted as duplicates.
        let contact = by_id.get(id).cloned();
        let missing = contact.is_none();
        out.push(Candidate {
            contact,
            create: None,
            row_address: Some(id.to_string()),
            values: BTreeMap::new(),
            line: None,
            missing,
        });
    }
    Ok(out)
}

/// Every live contact of the tenant, or those matching `search`.
async fn from_filter(
    deps: &Deps,
    tenant: &TenantId,
    search: Option<&str>,
) -> Result<Result<Vec<Contact>, PlanRefusal>, BulkError> {
    let contacts = &deps.messaging.contacts;
    let mut all = Vec::new();
    let mut after: Option<String> = None;
    let query = match search.map(SearchQuery::parse).transpose() {
        Ok(q) => q,
        Err(e) => return Ok(Err(invalid("recipients.search", e.to_string()))),
    };
    loop {
        let page = match &query {
            Some(q) => contacts.search(tenant, q, 500, after.as_deref()).await,
            None => contacts.list(tenant, 500, after.as_deref()).await,
        };
        let page = page.map_err(|e| match e {
            wecare_store::contacts::ReadError::Store(s) => BulkError::Store(s),
            other => BulkError::Store(wecare_store::StoreError::Dynamo {
                operation: "Query",
                source: Box::new(other),
            }),
        })?;
        all.extend(page.items);
        match page.next_cursor {
            Some(c) => after = Some(c),
            None => return Ok(Ok(all)),
        }
    }
}

type UploadRows = (Vec<Candidate>, Vec<CsvProblem>, BTreeSet<String>);

async fn from_upload(
    deps: &Deps,
    tenant: &TenantId,
    upload: &uuid::Uuid,
) -> Result<Result<UploadRows, PlanRefusal>, BulkError> {
    let key = upload_key(tenant, upload);
    let Some(body) = crate::create::get_object(deps, &key).await? else {
        return Ok(Err(PlanRefusal::UploadNotFound));
    };
    let (rows, problems) = match parse_recipients_csv(&body, deps.config.default_region) {
        Ok(r) => r,
        Err(e) => return Ok(Err(invalid("recipients.uploadId", e.to_string()))),
    };
    let mut columns = BTreeSet::new();
    if let Some(first) = rows.first() {
        columns.extend(first.values.keys().cloned());
    }
    // Every row's phone and email guards, read together; a row is its phone's contact, or else
    // its email's.
    let row_guards: Vec<[Option<String>; 2]> = rows
        .iter()
        .map(|r| {
            [
                r.phone.as_ref().map(|p| keys::phone_guard_pk(tenant, p)),
                r.email.as_ref().map(|e| keys::email_guard_pk(tenant, e)),
            ]
        })
        .collect();
    let all: Vec<String> = row_guards.iter().flatten().flatten().cloned().collect();
    let found = deps.messaging.contacts.find_by_guards(tenant, &all).await?;
    let mut out = Vec::with_capacity(rows.len());
    for (row, guards) in rows.into_iter().zip(row_guards) {
        columns.extend(row.values.keys().cloned());
        let existing = guards.iter().flatten().find_map(|g| found.get(g)).cloned();
        let row_address = row
            .phone
            .as_ref()
            .map(|p| p.to_string())
            .or_else(|| row.email.as_ref().map(|e| e.to_string()));
        let create = (existing.is_none() && !row.consent.is_empty()).then(|| NewContact {
            line: row.line,
            name: row.name.as_ref().map(|n| n.as_str().to_string()),
            phone: row.phone.as_ref().map(|p| p.to_string()),
            email: row.email.as_ref().map(|e| e.to_string()),
            consent: row.consent.clone(),
        });
        out.push(Candidate {
            contact: existing,
            create,
            row_address,
            values: row.values,
            line: Some(row.line),
            missing: false,
        });
    }
    Ok(Ok((out, problems, columns)))
}
