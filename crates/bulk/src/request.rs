//! A bulk job as the API takes it (`POST /api/bulk-jobs` and its preview), checked into a
//! [`JobSpec`] that cannot hold a message the channel does not carry or a recipient source that
//! names nothing.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use wecare_core::bulk::placeholders;
use wecare_core::{Channel, ContactId};

/// The body of a create or preview request.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct JobRequest {
    pub name: Option<String>,
    pub channel: String,
    /// One of the tenant's senders on the channel; the tenant's default when absent.
    pub sender: Option<String>,
    pub content: ContentRequest,
    pub recipients: RecipientsRequest,
    /// The eligible count the operator confirmed (required above 20).
    pub confirmed_count: Option<u64>,
    /// The preview the operator confirmed (`previewId` of `POST /api/bulk-jobs/preview`): when it
    /// is recent and of this very request, the job is accepted from it without planning again.
    pub preview_id: Option<uuid::Uuid>,
}

/// An uploaded file (`POST /api/media/uploads`) for a template's media header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HeaderMedia {
    pub s3_key: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", deny_unknown_fields)]
pub enum ContentRequest {
    /// A WhatsApp template; each parameter may hold `{{variables}}`.
    Template {
        name: String,
        language: String,
        #[serde(default)]
        parameters: Vec<String>,
        /// The file of a media header, the same for every recipient.
        #[serde(default, rename = "headerMedia", skip_serializing_if = "Option::is_none")]
        header_media: Option<HeaderMedia>,
    },
    /// SMS text, or WhatsApp free-form text (only to people inside their 24-hour window).
    Text { body: String },
    Email {
        subject: String,
        #[serde(default)]
        text: Option<String>,
        #[serde(default)]
        html: Option<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "camelCase", deny_unknown_fields)]
pub enum RecipientsRequest {
    Contacts {
        #[serde(rename = "contactIds")]
        contact_ids: Vec<String>,
    },
    Filter {
        /// Only contacts opted in to the channel (default); otherwise everyone matching, with the
        /// ones without consent shown as excluded.
        #[serde(default = "yes", rename = "optedIn")]
        opted_in: bool,
        #[serde(default)]
        search: Option<String>,
        #[serde(default, rename = "createdFrom")]
        created_from: Option<DateTime<Utc>>,
        #[serde(default, rename = "createdTo")]
        created_to: Option<DateTime<Utc>>,
    },
    Upload {
        #[serde(rename = "uploadId")]
        upload_id: String,
    },
}

fn yes() -> bool {
    true
}

/// Contacts listed explicitly per job, at most: what fits the API's 64 KiB body with room for the
/// content (an id and its quotes and comma are 39 bytes); a filter or a CSV takes more.
pub const MAX_LISTED_CONTACTS: usize = 1_000;

/// A checked job request.
#[derive(Debug, Clone, PartialEq)]
pub struct JobSpec {
    pub name: Option<String>,
    pub channel: Channel,
    pub sender: Option<String>,
    pub content: ContentRequest,
    pub recipients: Recipients,
    pub confirmed_count: Option<u64>,
    pub preview_id: Option<uuid::Uuid>,
}

impl JobSpec {
    /// What the job sends and to whom, as a digest: a preview stands for a create only if both
    /// were asked of the same sender, content and recipients (the name and the confirmed count
    /// may differ).
    pub fn fingerprint(&self, sender: &str) -> String {
        let what = serde_json::json!({
            "channel": self.channel.as_str(),
            "sender": sender,
            "content": self.content,
            "recipients": self.recipients,
        });
        uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_OID, what.to_string().as_bytes()).to_string()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Recipients {
    /// In the order given; a repeated id is a duplicate in the list.
    Contacts(Vec<ContactId>),
    Filter {
        opted_in: bool,
        search: Option<String>,
        created_from: Option<DateTime<Utc>>,
        created_to: Option<DateTime<Utc>>,
    },
    Upload(uuid::Uuid),
}

/// A field that is not acceptable, and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {why}")]
pub struct Invalid {
    pub field: &'static str,
    pub why: String,
}

fn invalid(field: &'static str, why: impl Into<String>) -> Invalid {
    Invalid { field, why: why.into() }
}

impl ContentRequest {
    /// The texts that are personalised per recipient.
    pub fn texts(&self) -> Vec<&str> {
        match self {
            ContentRequest::Template { parameters, .. } => parameters.iter().map(String::as_str).collect(),
            ContentRequest::Text { body } => vec![body.as_str()],
            ContentRequest::Email { subject, text, html } => [Some(subject.as_str()), text.as_deref(), html.as_deref()]
                .into_iter()
                .flatten()
                .collect(),
        }
    }

    /// Every `{{variable}}` the content uses.
    pub fn variables(&self) -> Result<BTreeSet<String>, Invalid> {
        let mut all = BTreeSet::new();
        for t in self.texts() {
            all.extend(placeholders(t).map_err(|e| invalid("content", e.to_string()))?);
        }
        Ok(all)
    }

    pub fn is_template(&self) -> bool {
        matches!(self, ContentRequest::Template { .. })
    }
}

impl JobRequest {
    pub fn check(self) -> Result<JobSpec, Invalid> {
        let channel =
            Channel::parse(&self.channel).ok_or_else(|| invalid("channel", "must be whatsapp, sms or email"))?;
        let name = self.name.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        if name.as_ref().is_some_and(|n| n.chars().count() > 120) {
            return Err(invalid("name", "must be at most 120 characters"));
        }
        match (&self.content, channel) {
            (ContentRequest::Template { name, language, .. }, Channel::WhatsApp) => {
                if name.trim().is_empty() || language.trim().is_empty() {
                    return Err(invalid(
                        "content",
                        "a template needs a name and a language (e.g. en_US)",
                    ));
                }
            }
            (ContentRequest::Text { body }, Channel::WhatsApp | Channel::Sms) => {
                if body.trim().is_empty() {
                    return Err(invalid("content.body", "is empty"));
                }
            }
            (ContentRequest::Email { subject, text, html }, Channel::Email) => {
                if subject.trim().is_empty() {
                    return Err(invalid("content.subject", "is empty"));
                }
                if text.as_deref().is_none_or(|t| t.trim().is_empty())
                    && html.as_deref().is_none_or(|h| h.trim().is_empty())
                {
                    return Err(invalid("content.text", "an email needs text or html"));
                }
            }
            (_, c) => {
                return Err(invalid(
                    "content",
                    format!(
                        "{} takes {}",
                        c.as_str(),
                        match c {
                            Channel::WhatsApp => "a template or text",
                            Channel::Sms => "text",
                            Channel::Email => "an email (subject and text or html)",
                        }
                    ),
                ))
            }
        }
        self.content.variables()?;
        let recipients = match self.recipients {
            RecipientsRequest::Contacts { contact_ids } => {
                if contact_ids.is_empty() {
                    return Err(invalid("recipients.contactIds", "pick at least one contact"));
                }
                if contact_ids.len() > MAX_LISTED_CONTACTS {
                    return Err(invalid(
                        "recipients.contactIds",
                        format!("at most {MAX_LISTED_CONTACTS}; use a filter or a CSV for more"),
                    ));
                }
                let ids = contact_ids
                    .iter()
                    .map(|id| {
                        ContactId::parse(id)
                            .ok_or_else(|| invalid("recipients.contactIds", format!("{id:?} is not a contact id")))
                    })
                    .collect::<Result<Vec<_>, _>>()?;
                Recipients::Contacts(ids)
            }
            RecipientsRequest::Filter {
                opted_in,
                search,
                created_from,
                created_to,
            } => {
                if let (Some(a), Some(b)) = (created_from, created_to) {
                    if a > b {
                        return Err(invalid("recipients.createdFrom", "is after createdTo"));
                    }
                }
                Recipients::Filter {
                    opted_in,
                    search: search.map(|s| s.trim().to_string()).filter(|s| !s.is_empty()),
                    created_from,
                    created_to,
                }
            }
            RecipientsRequest::Upload { upload_id } => {
                Recipients::Upload(uuid::Uuid::parse_str(&upload_id).map_err(|_| {
                    invalid(
                        "recipients.uploadId",
                        "is not an upload id (POST /api/bulk-jobs/uploads)",
                    )
                })?)
            }
        };
        Ok(JobSpec {
            name,
            channel,
            sender: self.sender.filter(|s| !s.trim().is_empty()),
            content: self.content,
            recipients,
            confirmed_count: self.confirmed_count,
            preview_id: self.preview_id,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn req(v: serde_json::Value) -> Result<JobSpec, Invalid> {
        serde_json::from_value::<JobRequest>(v).unwrap().check()
    }

    #[test]
    fn content_must_be_what_the_channel_carries() {
        let r = req(json!({
            "channel": "sms", "content": {"type": "template", "name": "x", "language": "en"},
            "recipients": {"type": "filter"}
        }));
        assert_eq!(r.unwrap_err().field, "content");
        let ok = req(json!({
            "channel": "whatsapp", "content": {"type": "template", "name": "order_update", "language": "en_US", "parameters": ["{{name}}"]},
            "recipients": {"type": "filter"}
        }))
        .unwrap();
        assert_eq!(
            ok.recipients,
            Recipients::Filter {
                opted_in: true,
                search: None,
                created_from: None,
                created_to: None
            }
        );
        assert_eq!(ok.content.variables().unwrap(), BTreeSet::from(["name".to_string()]));
    }

    #[test]
    fn an_unclosed_placeholder_or_a_bad_id_is_refused_with_its_field() {
        let r = req(
            json!({"channel": "sms", "content": {"type": "text", "body": "Hi {{name"}, "recipients": {"type": "filter"}}),
        );
        assert_eq!(r.unwrap_err().field, "content");
        let r = req(
            json!({"channel": "sms", "content": {"type": "text", "body": "Hi"}, "recipients": {"type": "contacts", "contactIds": ["nope"]}}),
        );
        assert_eq!(r.unwrap_err().field, "recipients.contactIds");
        let r = req(
            json!({"channel": "email", "content": {"type": "email", "subject": "S"}, "recipients": {"type": "filter"}}),
        );
        assert_eq!(r.unwrap_err().field, "content.text");
    }

    #[test]
    fn the_most_contacts_a_job_may_list_fit_the_apis_body_limit_and_one_more_is_refused() {
        let ids = |n: usize| {
            (0..n)
                .map(|_| wecare_core::ContactId::new().to_string())
                .collect::<Vec<_>>()
        };
        let body = |n: usize| json!({"channel": "sms", "content": {"type": "text", "body": "Hi {{name}}"}, "recipients": {"type": "contacts", "contactIds": ids(n)}});
        let most = body(MAX_LISTED_CONTACTS);
        assert!(serde_json::to_vec(&most).unwrap().len() < wecare_http::body::MAX_BODY_BYTES);
        assert!(req(most).is_ok());
        let r = req(body(MAX_LISTED_CONTACTS + 1));
        assert_eq!(r.unwrap_err().field, "recipients.contactIds");
    }
}
