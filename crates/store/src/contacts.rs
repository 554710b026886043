//! The contacts repository.
//!
//! A contact is one item plus the items that index it, all in the Contacts table:
//! uniqueness guards for its phone and email (a conditional put that fails if another contact
//! holds the value), search tokens (one item per token, see `wecare_core::contact`), and the
//! sparse `gsi1` attributes that list live contacts newest first. Every change writes the contact,
//! its index items and its audit entry in one transaction, so a duplicate phone, a concurrent
//! edit or a crash can never leave an index pointing at the wrong contact or a change unaudited.

use std::collections::{BTreeSet, HashMap};

use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
use aws_sdk_dynamodb::types::{
    AttributeValue, CancellationReason, Delete, Put, ReturnValuesOnConditionCheckFailure, TransactWriteItem,
};
use aws_sdk_dynamodb::Client;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use wecare_core::consent::OptIns;
use wecare_core::contact::search_tokens;
use wecare_core::{ConsentChange, ConsentClock, ContactId, ContactName, Email, PhoneNumber, SearchQuery, TenantId};

use crate::audit::{AuditContext, AuditEntry};
use crate::cursor::{self, InvalidCursor};
use crate::error::{condition_failed, StoreError};
use crate::keys;

/// Consent history kept on the contact itself (the audit trail keeps everything).
const HISTORY_ON_RECORD: usize = 50;
/// Optimistic-concurrency retries for read-modify-write operations.
const MAX_ATTEMPTS: usize = 4;

/// A contact as stored and as the API returns it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Contact {
    pub contact_id: ContactId,
    pub tenant_id: TenantId,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<ContactName>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<PhoneNumber>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<Email>,
    /// WhatsApp's business-scoped user id, for users who message without a visible number.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub whatsapp_user_id: Option<String>,
    #[serde(flatten)]
    pub opt_ins: OptIns,
    #[serde(default)]
    pub consent_history: Vec<ConsentChange>,
    /// Per channel, when consent last changed, by what event and from what source: a keyword
    /// older than this is recorded but not applied (`wecare_core::consent::apply_keyword`).
    #[serde(default)]
    pub last_consent_change: ConsentClock,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        with = "wecare_core::time::iso_opt"
    )]
    pub last_inbound_message_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
    pub updated_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deleted_by: Option<String>,
    pub version: u64,
}

impl Contact {
    pub fn tokens(&self) -> BTreeSet<String> {
        search_tokens(self.name.as_ref(), self.phone.as_ref(), self.email.as_ref())
    }

    /// The fields an audit entry shows for this contact.
    pub fn summary(&self) -> Value {
        json!({
            "name": self.name, "phone": self.phone, "email": self.email,
            "optInWhatsApp": self.opt_ins.whatsapp, "optInSms": self.opt_ins.opt_in_sms,
            "optInEmail": self.opt_ins.opt_in_email,
        })
    }

    /// Records consent changes made now (by an operator, an import, or an applied keyword): the
    /// history, and each channel's last word.
    pub fn record_consent(&mut self, changes: Vec<ConsentChange>) {
        self.last_consent_change.record(&changes);
        self.consent_history.extend(changes);
        let excess = self.consent_history.len().saturating_sub(HISTORY_ON_RECORD);
        self.consent_history.drain(..excess);
    }

    fn item(&self) -> Result<HashMap<String, AttributeValue>, StoreError> {
        let mut item: HashMap<String, AttributeValue> = serde_dynamo::to_item(self).map_err(StoreError::Serialize)?;
        item.insert("pk".into(), s(keys::contact_pk(&self.tenant_id, &self.contact_id)));
        item.insert("sk".into(), s(keys::CONTACT_SK));
        if self.deleted_at.is_none() {
            item.insert("gsi1pk".into(), s(keys::contacts_list_pk(&self.tenant_id)));
            item.insert(
                "gsi1sk".into(),
                s(keys::contacts_list_sk(self.created_at, &self.contact_id)),
            );
        }
        Ok(item)
    }

    /// The contact's item and its uniqueness guards, without search tokens or an audit entry: for
    /// loading test fixtures in bulk (BatchWriteItem) where creating thousands of contacts one
    /// transaction at a time would take minutes. Never a path of the product itself.
    pub fn fixture_items(&self) -> Result<Vec<HashMap<String, AttributeValue>>, StoreError> {
        let mut items = vec![self.item()?];
        let guards = [
            self.phone.as_ref().map(|p| keys::phone_guard_pk(&self.tenant_id, p)),
            self.email.as_ref().map(|e| keys::email_guard_pk(&self.tenant_id, e)),
        ];
        for pk in guards.into_iter().flatten() {
            items.push(HashMap::from([
                ("pk".to_string(), s(pk)),
                ("sk".to_string(), s(keys::GUARD_SK)),
                ("contactId".to_string(), s(self.contact_id.to_string())),
            ]));
        }
        Ok(items)
    }

    fn from_item(item: HashMap<String, AttributeValue>) -> Result<Self, StoreError> {
        serde_dynamo::from_item(item).map_err(StoreError::Corrupt)
    }
}

/// Which unique field another contact already holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UniqueField {
    Phone,
    Email,
    WhatsAppUser,
}

impl UniqueField {
    pub fn as_str(self) -> &'static str {
        match self {
            UniqueField::Phone => "phone",
            UniqueField::Email => "email",
            UniqueField::WhatsAppUser => "whatsappUserId",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("{} already belongs to contact {existing}", .field.as_str())]
    Duplicate { field: UniqueField, existing: String },
    #[error("contact not found")]
    NotFound,
    #[error("the contact kept changing while this update was applied")]
    Contended,
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One page of contacts and the cursor of the next, if any.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Page {
    pub items: Vec<Contact>,
    pub next_cursor: Option<String>,
}

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error(transparent)]
    Cursor(#[from] InvalidCursor),
    #[error(transparent)]
    Store(#[from] StoreError),
}

#[derive(Clone)]
pub struct ContactsRepo {
    client: Client,
    contacts: String,
    audit: String,
}

fn s(v: impl Into<String>) -> AttributeValue {
    AttributeValue::S(v.into())
}

fn built<T, E: std::error::Error + Send + Sync + 'static>(r: Result<T, E>) -> Result<T, StoreError> {
    r.map_err(|e| StoreError::Dynamo {
        operation: "build",
        source: Box::new(e),
    })
}

/// A planned transaction item, with what its failed condition would mean.
enum Step {
    Plain(TransactWriteItem),
    /// The contact item itself: a failed condition means a concurrent change (or a deletion).
    Contact(TransactWriteItem),
    /// A guard claimed for this field: a failed condition means another contact holds it.
    Claim(TransactWriteItem, UniqueField, String),
}

impl ContactsRepo {
    pub fn new(client: Client, contacts_table: impl Into<String>, audit_table: impl Into<String>) -> Self {
        ContactsRepo {
            client,
            contacts: contacts_table.into(),
            audit: audit_table.into(),
        }
    }

    pub fn audit_table(&self) -> &str {
        &self.audit
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Creates `contact`, failing with `Duplicate` if its phone or email is taken in the tenant.
    pub async fn create(&self, contact: &Contact, ctx: &AuditContext, now: DateTime<Utc>) -> Result<(), WriteError> {
        let audit = AuditEntry::new(
            ctx,
            "contact.create",
            "contact",
            &contact.contact_id.to_string(),
            "success",
            None,
            Some(contact.summary()),
            now,
        );
        let mut steps = vec![Step::Contact(self.put_contact(contact, None)?)];
        steps.extend(self.guard_changes(None, Some(contact))?);
        steps.extend(self.token_changes(None, Some(contact))?);
        steps.push(Step::Plain(
            TransactWriteItem::builder().put(audit.put(&self.audit, now)?).build(),
        ));
        self.transact(steps).await?;
        self.count_change(&contact.tenant_id).await;
        Ok(())
    }

    /// How many times the tenant's contacts have been written (created, edited, deleted, or
    /// written to by an inbound message): a bulk preview is created from only while this has not
    /// moved. Read consistently; 0 before the first write.
    pub async fn changes(&self, tenant: &TenantId) -> Result<u64, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.contacts)
            .key("pk", s(keys::contacts_changes_pk(tenant)))
            .key("sk", s(keys::CONTACTS_CHANGES_SK))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::dynamo("GetItem", e))?;
        Ok(out
            .item
            .and_then(|i| i.get("n").and_then(|n| n.as_n().ok()).and_then(|n| n.parse().ok()))
            .unwrap_or(0))
    }

    /// Counts a write of the tenant's contacts, after it took effect: one atomic ADD of its own,
    /// never inside the write's transaction, where every concurrent contact write of the tenant
    /// would conflict on this one item. A reader that reads the count before the contacts (a
    /// preview) therefore sees any write it may have missed move the count. A failure is logged
    /// and the write stands: at worst a preview is created from although a contact changed, and
    /// its recipients are judged again when they are sent.
    async fn count_change(&self, tenant: &TenantId) {
        let out = self
            .client
            .update_item()
            .table_name(&self.contacts)
            .key("pk", s(keys::contacts_changes_pk(tenant)))
            .key("sk", s(keys::CONTACTS_CHANGES_SK))
            .update_expression("ADD n :one")
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .send()
            .await;
        if let Err(e) = out {
            tracing::warn!(error = %StoreError::dynamo("UpdateItem", e), "contact change not counted");
        }
    }

    /// A live contact by id; deleted and missing contacts are both `None`.
    pub async fn get(&self, tenant: &TenantId, id: &ContactId) -> Result<Option<Contact>, StoreError> {
        Ok(self.get_any(tenant, id).await?.filter(|c| c.deleted_at.is_none()))
    }

    async fn get_any(&self, tenant: &TenantId, id: &ContactId) -> Result<Option<Contact>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.contacts)
            .key("pk", s(keys::contact_pk(tenant, id)))
            .key("sk", s(keys::CONTACT_SK))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::dynamo("GetItem", e))?;
        out.item.map(Contact::from_item).transpose()
    }

    /// The live contact holding a uniqueness guard (phone, email or WhatsApp user id).
    pub async fn find_by_guard(&self, tenant: &TenantId, guard_pk: &str) -> Result<Option<Contact>, StoreError> {
        let Some(id) = self.guard_owner(guard_pk).await? else {
            return Ok(None);
        };
        let Some(id) = ContactId::parse(&id) else {
            return Ok(None);
        };
        self.get(tenant, &id).await
    }

    /// [`ContactsRepo::find_by_guard`] for many guards at once, by guard: two batched reads (the
    /// guards, then their contacts) instead of two reads a guard, so an uploaded list of 100,000
    /// rows is matched in seconds, not minutes. Guards nobody holds, and deleted contacts, are absent.
    pub async fn find_by_guards(
        &self,
        tenant: &TenantId,
        guard_pks: &[String],
    ) -> Result<HashMap<String, Contact>, StoreError> {
        let wanted: std::collections::BTreeSet<&String> = guard_pks.iter().collect();
        let keys = wanted
            .into_iter()
            .map(|pk| HashMap::from([("pk".into(), s(pk)), ("sk".into(), s(keys::GUARD_SK))]))
            .collect();
        let mut owners: HashMap<String, ContactId> = HashMap::new();
        for item in crate::batch::batch_get(&self.client, &self.contacts, keys).await? {
            let pk = item.get("pk").and_then(|v| v.as_s().ok());
            let id = item
                .get("contactId")
                .and_then(|v| v.as_s().ok())
                .and_then(|id| ContactId::parse(id));
            if let (Some(pk), Some(id)) = (pk, id) {
                owners.insert(pk.clone(), id);
            }
        }
        let ids: Vec<ContactId> = owners
            .values()
            .copied()
            .collect::<std::collections::HashSet<_>>()
            .into_iter()
            .collect();
        let contacts: HashMap<ContactId, Contact> = self
            .batch_get(tenant, &ids)
            .await?
            .into_iter()
            .map(|c| (c.contact_id, c))
            .collect();
        Ok(owners
            .into_iter()
            .filter_map(|(pk, id)| contacts.get(&id).map(|c| (pk, c.clone())))
            .collect())
    }

    /// Records an inbound message's time as the contact's latest, never moving it backwards. It
    /// bumps `version` so a concurrent read-modify-write (an operator's edit) retries rather than
    /// overwriting it.
    pub async fn touch_inbound(
        &self,
        tenant: &TenantId,
        id: &ContactId,
        at: DateTime<Utc>,
    ) -> Result<bool, StoreError> {
        let result = self
            .client
            .update_item()
            .table_name(&self.contacts)
            .key("pk", s(keys::contact_pk(tenant, id)))
            .key("sk", s(keys::CONTACT_SK))
            .update_expression("SET lastInboundMessageAt = :t ADD #v :one")
            .condition_expression(
                "attribute_exists(pk) AND attribute_not_exists(deletedAt) AND \
                 (attribute_not_exists(lastInboundMessageAt) OR lastInboundMessageAt < :t)",
            )
            .expression_attribute_names("#v", "version")
            .expression_attribute_values(":t", s(wecare_core::time::iso(at)))
            .expression_attribute_values(":one", AttributeValue::N("1".into()))
            .send()
            .await;
        match result {
            Ok(_) => {
                self.count_change(tenant).await;
                Ok(true)
            }
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(StoreError::dynamo("UpdateItem", e)),
        }
    }

    /// Applies `change` to the live contact and writes the result, retrying on concurrent edits.
    ///
    /// `change` returns the audit action and whether anything changed; it may be called again
    /// with a fresher copy if another writer got in first.
    pub async fn update<F>(
        &self,
        tenant: &TenantId,
        id: &ContactId,
        ctx: &AuditContext,
        now: DateTime<Utc>,
        mut change: F,
    ) -> Result<Contact, WriteError>
    where
        F: FnMut(&mut Contact) -> Option<&'static str>,
    {
        for _ in 0..MAX_ATTEMPTS {
            let current = self.get(tenant, id).await?.ok_or(WriteError::NotFound)?;
            let mut next = current.clone();
            let Some(action) = change(&mut next) else {
                return Ok(current);
            };
            next.version = current.version + 1;
            next.updated_at = now;
            let (before, after) = diff(&current.summary(), &next.summary());
            let audit = AuditEntry::new(
                ctx,
                action,
                "contact",
                &id.to_string(),
                "success",
                Some(before),
                Some(after),
                now,
            );
            let mut steps = vec![Step::Contact(self.put_contact(&next, Some(current.version))?)];
            steps.extend(self.guard_changes(Some(&current), Some(&next))?);
            steps.extend(self.token_changes(Some(&current), Some(&next))?);
            steps.push(Step::Plain(
                TransactWriteItem::builder().put(audit.put(&self.audit, now)?).build(),
            ));
            // Boxed: the SDK futures nested in this retry loop otherwise exceed the type-layout depth limit.
            match Box::pin(self.transact(steps)).await {
                Err(WriteError::Contended) => continue,
                Err(e) => return Err(e),
                Ok(()) => {
                    self.count_change(tenant).await;
                    return Ok(next);
                }
            }
        }
        Err(WriteError::Contended)
    }

    /// Soft-deletes a live contact: the record and its history stay, its phone and email become
    /// free for a new contact, and it leaves the listing and search indexes.
    pub async fn soft_delete(
        &self,
        tenant: &TenantId,
        id: &ContactId,
        ctx: &AuditContext,
        now: DateTime<Utc>,
    ) -> Result<Contact, WriteError> {
        for _ in 0..MAX_ATTEMPTS {
            let current = self.get(tenant, id).await?.ok_or(WriteError::NotFound)?;
            let mut next = current.clone();
            next.deleted_at = Some(now);
            next.deleted_by = Some(ctx.principal.user_id.to_string());
            next.updated_at = now;
            next.version = current.version + 1;
            let audit = AuditEntry::new(
                ctx,
                "contact.delete",
                "contact",
                &id.to_string(),
                "success",
                Some(current.summary()),
                None,
                now,
            );
            let mut steps = vec![Step::Contact(self.put_contact(&next, Some(current.version))?)];
            steps.extend(self.guard_changes(Some(&current), None)?);
            steps.extend(self.token_changes(Some(&current), None)?);
            steps.push(Step::Plain(
                TransactWriteItem::builder().put(audit.put(&self.audit, now)?).build(),
            ));
            // Boxed: the SDK futures nested in this retry loop otherwise exceed the type-layout depth limit.
            match Box::pin(self.transact(steps)).await {
                Err(WriteError::Contended) => continue,
                Err(e) => return Err(e),
                Ok(()) => {
                    self.count_change(tenant).await;
                    return Ok(next);
                }
            }
        }
        Err(WriteError::Contended)
    }

    /// Live contacts, newest first.
    pub async fn list(&self, tenant: &TenantId, limit: i32, after: Option<&str>) -> Result<Page, ReadError> {
        let list_pk = keys::contacts_list_pk(tenant);
        let start = after.map(|c| cursor::decode(c, "gsi1pk", &list_pk)).transpose()?;
        let out = self
            .client
            .query()
            .table_name(&self.contacts)
            .index_name("gsi1")
            .key_condition_expression("gsi1pk = :p")
            .expression_attribute_values(":p", s(list_pk))
            .scan_index_forward(false)
            .limit(limit)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(|e| StoreError::dynamo("Query", e))?;
        let items = out
            .items
            .unwrap_or_default()
            .into_iter()
            .map(Contact::from_item)
            .collect::<Result<Vec<_>, _>>()?;
        let items: Vec<Contact> = items.into_iter().filter(|c| c.deleted_at.is_none()).collect();
        Ok(Page {
            items,
            next_cursor: out.last_evaluated_key.as_ref().map(cursor::encode),
        })
    }

    /// Contacts matching `query`, in token order, each once; Query and BatchGetItem only.
    pub async fn search(
        &self,
        tenant: &TenantId,
        query: &SearchQuery,
        limit: usize,
        after: Option<&str>,
    ) -> Result<Page, ReadError> {
        let pk = keys::search_pk(tenant, &query.prefix);
        let mut start = after.map(|c| cursor::decode(c, "pk", &pk)).transpose()?;
        let mut ids: Vec<ContactId> = Vec::new();
        let mut next_cursor = None;
        'pages: loop {
            let out = self
                .client
                .query()
                .table_name(&self.contacts)
                .key_condition_expression("pk = :p AND begins_with(sk, :q)")
                .expression_attribute_values(":p", s(pk.clone()))
                .expression_attribute_values(":q", s(query.prefix.clone()))
                .limit(100)
                .set_exclusive_start_key(start.take())
                .send()
                .await
                .map_err(|e| StoreError::dynamo("Query", e))?;
            let items = out.items.unwrap_or_default();
            let more_pages = out.last_evaluated_key.is_some();
            let count = items.len();
            for (i, item) in items.into_iter().enumerate() {
                let token_item: TokenItem = serde_dynamo::from_item(item).map_err(StoreError::Corrupt)?;
                let tokens: BTreeSet<String> = token_item.tokens.into_iter().collect();
                if query.is_reporting_token(&token_item.token, &tokens) {
                    ids.push(token_item.contact_id);
                }
                if ids.len() == limit {
                    if i + 1 < count || more_pages {
                        let key = HashMap::from([
                            ("pk".to_string(), s(pk.clone())),
                            (
                                "sk".to_string(),
                                s(keys::search_sk(&token_item.token, &token_item.contact_id)),
                            ),
                        ]);
                        next_cursor = Some(cursor::encode(&key));
                    }
                    break 'pages;
                }
            }
            match out.last_evaluated_key {
                Some(k) => start = Some(k),
                None => break,
            }
        }
        let items = self.batch_get(tenant, &ids).await?;
        Ok(Page { items, next_cursor })
    }

    /// Live contacts by id, in the order of `ids`.
    pub async fn batch_get(&self, tenant: &TenantId, ids: &[ContactId]) -> Result<Vec<Contact>, StoreError> {
        self.batch_get_with(tenant, ids, true).await
    }

    /// [`ContactsRepo::batch_get`] with eventually consistent reads: half the read units, and a
    /// change of the last second or so may not show yet. For a bulk run's recipients, read just
    /// before their sends (see `wecare_messaging::pace`).
    pub async fn batch_get_recent(&self, tenant: &TenantId, ids: &[ContactId]) -> Result<Vec<Contact>, StoreError> {
        self.batch_get_with(tenant, ids, false).await
    }

    async fn batch_get_with(
        &self,
        tenant: &TenantId,
        ids: &[ContactId],
        consistent: bool,
    ) -> Result<Vec<Contact>, StoreError> {
        let keys = ids
            .iter()
            .map(|id| {
                HashMap::from([
                    ("pk".into(), s(keys::contact_pk(tenant, id))),
                    ("sk".into(), s(keys::CONTACT_SK)),
                ])
            })
            .collect();
        let mut found: HashMap<ContactId, Contact> = HashMap::new();
        for item in crate::batch::batch_get_with(&self.client, &self.contacts, keys, consistent).await? {
            let c = Contact::from_item(item)?;
            found.insert(c.contact_id, c);
        }
        Ok(ids
            .iter()
            .filter_map(|id| found.remove(id))
            .filter(|c| c.deleted_at.is_none())
            .collect())
    }

    fn put_contact(&self, c: &Contact, expected_version: Option<u64>) -> Result<TransactWriteItem, StoreError> {
        let put = Put::builder().table_name(&self.contacts).set_item(Some(c.item()?));
        let put = match expected_version {
            None => put.condition_expression("attribute_not_exists(pk)"),
            Some(v) => put
                .condition_expression("#v = :v AND attribute_not_exists(deletedAt)")
                .expression_attribute_names("#v", "version")
                .expression_attribute_values(":v", AttributeValue::N(v.to_string())),
        };
        Ok(TransactWriteItem::builder().put(built(put.build())?).build())
    }

    /// Releases guards the contact no longer needs and claims the ones it newly needs.
    fn guard_changes(&self, old: Option<&Contact>, new: Option<&Contact>) -> Result<Vec<Step>, StoreError> {
        let guards = |c: Option<&Contact>| -> Vec<(UniqueField, String)> {
            let Some(c) = c else { return vec![] };
            let mut v = Vec::new();
            if let Some(p) = &c.phone {
                v.push((UniqueField::Phone, keys::phone_guard_pk(&c.tenant_id, p)));
            }
            if let Some(e) = &c.email {
                v.push((UniqueField::Email, keys::email_guard_pk(&c.tenant_id, e)));
            }
            if let Some(u) = &c.whatsapp_user_id {
                v.push((UniqueField::WhatsAppUser, keys::whatsapp_user_guard_pk(&c.tenant_id, u)));
            }
            v
        };
        let (before, after) = (guards(old), guards(new));
        let mut steps = Vec::new();
        for (_, pk) in &before {
            if !after.iter().any(|(_, p)| p == pk) {
                let id = old.map(|c| c.contact_id.to_string()).unwrap_or_default();
                let del = Delete::builder()
                    .table_name(&self.contacts)
                    .key("pk", s(pk.clone()))
                    .key("sk", s(keys::GUARD_SK))
                    .condition_expression("contactId = :id")
                    .expression_attribute_values(":id", s(id));
                steps.push(Step::Plain(
                    TransactWriteItem::builder().delete(built(del.build())?).build(),
                ));
            }
        }
        for (field, pk) in &after {
            if !before.iter().any(|(_, p)| p == pk) {
                let id = new.map(|c| c.contact_id.to_string()).unwrap_or_default();
                let item = HashMap::from([
                    ("pk".to_string(), s(pk.clone())),
                    ("sk".to_string(), s(keys::GUARD_SK)),
                    ("contactId".to_string(), s(id)),
                ]);
                let put = Put::builder()
                    .table_name(&self.contacts)
                    .set_item(Some(item))
                    .condition_expression("attribute_not_exists(pk)")
                    .return_values_on_condition_check_failure(ReturnValuesOnConditionCheckFailure::AllOld);
                steps.push(Step::Claim(
                    TransactWriteItem::builder().put(built(put.build())?).build(),
                    *field,
                    pk.clone(),
                ));
            }
        }
        Ok(steps)
    }

    /// Rewrites the contact's search tokens: every current token item carries the full token set
    /// (search needs it to report each contact once), so when the set changes all are rewritten.
    fn token_changes(&self, old: Option<&Contact>, new: Option<&Contact>) -> Result<Vec<Step>, StoreError> {
        let before = old.map(Contact::tokens).unwrap_or_default();
        let after = new.map(Contact::tokens).unwrap_or_default();
        if before == after {
            return Ok(vec![]);
        }
        let mut steps = Vec::new();
        if let Some(c) = old {
            for t in before.difference(&after) {
                let del = Delete::builder()
                    .table_name(&self.contacts)
                    .key("pk", s(keys::search_pk(&c.tenant_id, t)))
                    .key("sk", s(keys::search_sk(t, &c.contact_id)));
                steps.push(Step::Plain(
                    TransactWriteItem::builder().delete(built(del.build())?).build(),
                ));
            }
        }
        if let Some(c) = new {
            let all: Vec<AttributeValue> = after.iter().map(|t| s(t.clone())).collect();
            for t in &after {
                let item = HashMap::from([
                    ("pk".to_string(), s(keys::search_pk(&c.tenant_id, t))),
                    ("sk".to_string(), s(keys::search_sk(t, &c.contact_id))),
                    ("token".to_string(), s(t.clone())),
                    ("contactId".to_string(), s(c.contact_id.to_string())),
                    ("tokens".to_string(), AttributeValue::L(all.clone())),
                ]);
                let put = Put::builder().table_name(&self.contacts).set_item(Some(item));
                steps.push(Step::Plain(
                    TransactWriteItem::builder().put(built(put.build())?).build(),
                ));
            }
        }
        Ok(steps)
    }

    async fn transact(&self, steps: Vec<Step>) -> Result<(), WriteError> {
        let mut items = Vec::with_capacity(steps.len());
        let mut meaning = Vec::with_capacity(steps.len());
        for step in steps {
            match step {
                Step::Plain(i) => {
                    items.push(i);
                    meaning.push(None);
                }
                Step::Contact(i) => {
                    items.push(i);
                    meaning.push(Some(Err(())));
                }
                Step::Claim(i, f, pk) => {
                    items.push(i);
                    meaning.push(Some(Ok((f, pk))));
                }
            }
        }
        let result = self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await;
        let err = match result {
            Ok(_) => return Ok(()),
            Err(e) => e,
        };
        let reasons: Vec<CancellationReason> = match err.as_service_error() {
            Some(TransactWriteItemsError::TransactionCanceledException(c)) => c.cancellation_reasons().to_vec(),
            _ => return Err(StoreError::dynamo("TransactWriteItems", err).into()),
        };
        let failed = |r: &CancellationReason| r.code() == Some("ConditionalCheckFailed");
        for (reason, meaning) in reasons.iter().zip(&meaning) {
            if let (true, Some(Ok((field, guard_pk)))) = (failed(reason), meaning) {
                let existing = match reason
                    .item()
                    .and_then(|i| i.get("contactId"))
                    .and_then(|v| v.as_s().ok())
                {
                    Some(id) => id.clone(),
                    None => self.guard_owner(guard_pk).await?.unwrap_or_default(),
                };
                return Err(WriteError::Duplicate {
                    field: *field,
                    existing,
                });
            }
        }
        if reasons
            .iter()
            .zip(&meaning)
            .any(|(r, m)| failed(r) && matches!(m, Some(Err(()))))
        {
            return Err(WriteError::Contended);
        }
        if reasons
            .iter()
            .any(|r| matches!(r.code(), Some("TransactionConflict") | Some("ConditionalCheckFailed")))
        {
            // A release of a guard that another writer moved, or DynamoDB's own conflict between
            // two transactions on the same items: re-read and try again.
            return Err(WriteError::Contended);
        }
        Err(StoreError::dynamo("TransactWriteItems", err).into())
    }

    /// Who holds a guard, when DynamoDB did not return the item with the cancellation.
    async fn guard_owner(&self, guard_pk: &str) -> Result<Option<String>, StoreError> {
        let out = self
            .client
            .get_item()
            .table_name(&self.contacts)
            .key("pk", s(guard_pk))
            .key("sk", s(keys::GUARD_SK))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| StoreError::dynamo("GetItem", e))?;
        Ok(out
            .item
            .and_then(|i| i.get("contactId").and_then(|v| v.as_s().ok()).cloned()))
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenItem {
    token: String,
    contact_id: ContactId,
    tokens: Vec<String>,
}

/// The fields that differ between two summaries, as (before, after).
fn diff(before: &Value, after: &Value) -> (Value, Value) {
    let (mut b, mut a) = (serde_json::Map::new(), serde_json::Map::new());
    if let (Some(bo), Some(ao)) = (before.as_object(), after.as_object()) {
        for (k, av) in ao {
            let bv = bo.get(k).unwrap_or(&Value::Null);
            if bv != av {
                b.insert(k.clone(), bv.clone());
                a.insert(k.clone(), av.clone());
            }
        }
    }
    (Value::Object(b), Value::Object(a))
}
