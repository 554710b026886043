//! The WhatsApp template catalogue of a business account: kept in DynamoDB
//! ([`wecare_store::TemplatesRepo`]) and brought up to date from the provider
//! (ListWhatsAppMessageTemplates, then GetWhatsAppMessageTemplate for each template that is new or
//! changed), so that lists and send checks read storage and never wait on the provider — except
//! once, when a send names a template the stored catalogue does not have yet (created a moment
//! ago at Meta): then the catalogue is synced and looked at again, at most once a minute.
//!
//! The template operations take the account's AWS resource id (`waba-…`), not Meta's id that
//! senders are configured with; it is found once per cold start with
//! ListLinkedWhatsAppBusinessAccounts. Unlike sends, these calls are safe to repeat, so this client
//! keeps the SDK's standard retries.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aws_config::SdkConfig;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_smithy_types::Blob;
use chrono::{DateTime, Duration, Utc};
use serde_json::Value;
use wecare_core::template::{Definition, LibraryButtonInput, Template, Variable};
use wecare_core::TenantId;
use wecare_store::templates::Catalogue;
use wecare_store::{StoreError, TemplatesRepo};

use crate::ProviderEndpoints;

/// A stored catalogue is synced again on a miss only if its last sync is older than this.
pub const MISS_RESYNC: Duration = Duration::minutes(1);

/// How old a stored catalogue may grow before the scheduled refresh syncs it
/// (`TEMPLATE_CATALOGUE_MAX_AGE_MINUTES` overrides it): status events bring Meta's decisions at
/// once, and this catches what they cannot — templates changed in WhatsApp Manager, a lost event.
pub const MAX_AGE: Duration = Duration::minutes(60);

/// How long a send trusts the versions of an approved template it looked up (per cold start): a
/// campaign checks its template once a minute, not once per recipient. A template Meta paused or
/// that was deleted in the meantime is refused by Meta itself.
pub const LOOKUP_TTL: Duration = Duration::minutes(1);

type Looked = HashMap<(String, String, String), (DateTime<Utc>, Vec<Template>)>;

/// Why a catalogue operation failed.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The provider refused the request (its code and message are the user's to read).
    #[error("the provider refused {operation}: {code}: {message}")]
    Refused {
        operation: &'static str,
        code: String,
        message: String,
    },
    /// The provider could not be reached or answered something unreadable.
    #[error("{operation} failed")]
    Unavailable {
        operation: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    #[error("business account {0} is not linked to this AWS account")]
    NotLinked(String),
}

fn provider_error<E, R>(
    operation: &'static str,
    e: aws_smithy_runtime_api::client::result::SdkError<E, R>,
) -> CatalogueError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    match e {
        aws_smithy_runtime_api::client::result::SdkError::ServiceError(ctx) => {
            let err = ctx.into_err();
            CatalogueError::Refused {
                operation,
                code: err.code().unwrap_or("Unknown").to_string(),
                message: err.message().unwrap_or("no message").to_string(),
            }
        }
        other => CatalogueError::Unavailable {
            operation,
            source: Box::new(other),
        },
    }
}

/// A request the SDK could not build (a required field missing): nothing reached the provider.
fn unbuilt(operation: &'static str) -> impl FnOnce(aws_smithy_types::error::operation::BuildError) -> CatalogueError {
    move |e| CatalogueError::Unavailable {
        operation,
        source: Box::new(e),
    }
}

/// A template to create from Meta's library: which one, the new template's name, language and
/// category, and the targets of the library template's URL and call buttons, in their order.
#[derive(Debug, Clone, Copy)]
pub struct FromLibrary<'a> {
    pub library_name: &'a str,
    pub name: &'a str,
    pub language: &'a str,
    pub category: &'a str,
    pub buttons: &'a [LibraryButtonInput],
}

/// A button input as Meta's `library_template_button_inputs` takes it.
fn button_input(b: &LibraryButtonInput) -> aws_sdk_socialmessaging::types::LibraryTemplateButtonInput {
    let input = aws_sdk_socialmessaging::types::LibraryTemplateButtonInput::builder().r#type(b.kind().as_str());
    match b {
        LibraryButtonInput::Url { url, example } => {
            let input = input.url("base_url", url);
            match example {
                Some(e) => input.url("url_suffix_example", e),
                None => input,
            }
        }
        LibraryButtonInput::PhoneNumber { phone_number } => input.phone_number(phone_number),
    }
    .build()
}

#[derive(Clone)]
pub struct TemplateCatalogue {
    pub repo: TemplatesRepo,
    client: aws_sdk_socialmessaging::Client,
    /// Meta's WABA id → the linked account's AWS id, learnt once per cold start.
    linked: Arc<Mutex<HashMap<String, String>>>,
    /// Recent lookups by (tenant, account, name), for sends ([`LOOKUP_TTL`]).
    looked: Arc<Mutex<Looked>>,
}

impl TemplateCatalogue {
    pub fn new(sdk: &SdkConfig, endpoints: &ProviderEndpoints, dynamo: aws_sdk_dynamodb::Client, table: &str) -> Self {
        let mut conf = aws_sdk_socialmessaging::config::Builder::from(sdk);
        if let Some(url) = &endpoints.social_messaging {
            conf = conf.endpoint_url(url);
        }
        TemplateCatalogue {
            repo: TemplatesRepo::new(dynamo, table),
            client: aws_sdk_socialmessaging::Client::from_conf(conf.build()),
            linked: Arc::default(),
            looked: Arc::default(),
        }
    }

    /// The AWS id of the linked account whose Meta id is `waba`.
    async fn resource_id(&self, waba: &str) -> Result<String, CatalogueError> {
        if let Some(id) = self.linked.lock().unwrap_or_else(|p| p.into_inner()).get(waba) {
            return Ok(id.clone());
        }
        let mut next = None;
        loop {
            let page = self
                .client
                .list_linked_whats_app_business_accounts()
                .set_next_token(next)
                .send()
                .await
                .map_err(|e| provider_error("ListLinkedWhatsAppBusinessAccounts", e))?;
            let mut linked = self.linked.lock().unwrap_or_else(|p| p.into_inner());
            for a in page.linked_accounts() {
                linked.insert(a.waba_id().to_string(), a.id().to_string());
            }
            if let Some(id) = linked.get(waba) {
                return Ok(id.clone());
            }
            match page.next_token {
                Some(t) => next = Some(t),
                None => return Err(CatalogueError::NotLinked(waba.to_string())),
            }
        }
    }

    /// Stores a template as it now stands, and drops what sends remember of its name.
    async fn keep(
        &self,
        tenant: &TenantId,
        waba: &str,
        t: &Template,
        now: DateTime<Utc>,
    ) -> Result<(), CatalogueError> {
        self.repo.put(tenant, waba, t, now).await?;
        self.forget(tenant, waba, t.name());
        Ok(())
    }

    /// Drops what sends remember of template `name` (it changed here).
    fn forget(&self, tenant: &TenantId, waba: &str, name: &str) {
        self.looked.lock().unwrap_or_else(|p| p.into_inner()).remove(&(
            tenant.to_string(),
            waba.to_string(),
            name.to_string(),
        ));
    }

    /// The stored catalogue, as it is.
    pub async fn stored(&self, tenant: &TenantId, waba: &str) -> Result<Catalogue, CatalogueError> {
        Ok(self.repo.catalogue(tenant, waba).await?)
    }

    /// The versions of template `name`, syncing once first if the catalogue has none of them and
    /// was not synced in the last minute.
    pub async fn versions(
        &self,
        tenant: &TenantId,
        waba: &str,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Template>, CatalogueError> {
        let key = (tenant.to_string(), waba.to_string(), name.to_string());
        if let Some((at, versions)) = self.looked.lock().unwrap_or_else(|p| p.into_inner()).get(&key) {
            if now - *at < LOOKUP_TTL {
                return Ok(versions.clone());
            }
        }
        let versions = self.look_up(tenant, waba, name, now).await?;
        // Only a template that can be sent is remembered: one still in review is looked up again,
        // so its approval is seen at once.
        if versions
            .iter()
            .any(|t| t.status == wecare_core::template::TemplateStatus::Approved)
        {
            self.looked
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(key, (now, versions.clone()));
        }
        Ok(versions)
    }

    /// The versions of template `name` as stored now (syncing once on a miss, as [`Self::versions`]),
    /// bypassing what sends remember.
    pub async fn look_up(
        &self,
        tenant: &TenantId,
        waba: &str,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Template>, CatalogueError> {
        let found = self.repo.versions(tenant, waba, name).await?;
        let recent = found.synced_at.is_some_and(|at| now - at < MISS_RESYNC);
        if !found.templates.is_empty() || recent {
            return Ok(found.templates);
        }
        self.sync(tenant, waba, now).await?;
        Ok(self.repo.versions(tenant, waba, name).await?.templates)
    }

    /// Applies Meta's decision on a template version (its status event). A version this catalogue
    /// does not hold yet (created elsewhere) brings a sync instead. Statuses may arrive twice or
    /// late; each is Meta's word at its time, and the next sync corrects a rare reordering.
    #[allow(clippy::too_many_arguments)]
    pub async fn apply_status(
        &self,
        tenant: &TenantId,
        waba: &str,
        name: &str,
        language: &str,
        status: wecare_core::template::TemplateStatus,
        reason: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(), CatalogueError> {
        let versions = self.repo.versions(tenant, waba, name).await?.templates;
        match versions.into_iter().find(|t| t.language() == language) {
            Some(mut t) => {
                t.status = status;
                t.rejected_reason = reason.map(str::to_string);
                self.keep(tenant, waba, &t, now).await
            }
            None => self.sync(tenant, waba, now).await.map(|_| ()),
        }
    }

    /// Syncs the catalogue if it was never synced or its last sync is at least `max_age` old;
    /// answers how many templates the account has, or `None` if it was recent enough.
    pub async fn refresh(
        &self,
        tenant: &TenantId,
        waba: &str,
        max_age: Duration,
        now: DateTime<Utc>,
    ) -> Result<Option<usize>, CatalogueError> {
        match self.repo.synced_at(tenant, waba).await? {
            Some(at) if now - at < max_age => Ok(None),
            _ => self.sync(tenant, waba, now).await.map(Some),
        }
    }

    /// Brings the stored catalogue up to date with the provider; answers how many templates the
    /// account has.
    pub async fn sync(&self, tenant: &TenantId, waba: &str, now: DateTime<Utc>) -> Result<usize, CatalogueError> {
        let id = self.resource_id(waba).await?;
        let stored = self.repo.catalogue(tenant, waba).await?;
        let mut current = Vec::new();
        let mut next = None;
        loop {
            let page = self
                .client
                .list_whats_app_message_templates()
                .id(&id)
                .set_next_token(next)
                .send()
                .await
                .map_err(|e| provider_error("ListWhatsAppMessageTemplates", e))?;
            for summary in page.templates() {
                let (Some(name), Some(language)) = (summary.template_name(), summary.template_language()) else {
                    continue;
                };
                let unchanged = stored.templates.iter().find(|t| {
                    t.name() == name
                        && t.language() == language
                        && t.meta_template_id.as_deref() == summary.meta_template_id()
                        && Some(t.status.as_str()) == summary.template_status()
                });
                match unchanged {
                    Some(t) => current.push(t.clone()),
                    None => {
                        if let Some(t) = self.fetch(&id, summary.meta_template_id(), name, language).await? {
                            current.push(t);
                        }
                    }
                }
            }
            match page.next_token {
                Some(t) => next = Some(t),
                None => break,
            }
        }
        self.repo.replace(tenant, waba, &stored, &current, now).await?;
        Ok(current.len())
    }

    /// One template as the provider holds it; `None` if it vanished in the meantime or cannot be
    /// read as a template (logged: the rest of the catalogue still syncs).
    async fn fetch(
        &self,
        id: &str,
        meta_id: Option<&str>,
        name: &str,
        language: &str,
    ) -> Result<Option<Template>, CatalogueError> {
        let mut req = self.client.get_whats_app_message_template().id(id);
        req = match meta_id {
            Some(m) => req.meta_template_id(m),
            None => req.template_name(name).template_language_code(language),
        };
        let out = match req.send().await {
            Ok(o) => o,
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception()) =>
            {
                return Ok(None)
            }
            Err(e) => return Err(provider_error("GetWhatsAppMessageTemplate", e)),
        };
        let parsed = out
            .template()
            .map(serde_json::from_str::<Value>)
            .transpose()
            .ok()
            .flatten()
            .map(|meta| Template::from_meta(&meta));
        match parsed {
            Some(Ok(t)) => Ok(Some(t)),
            Some(Err(e)) => {
                tracing::warn!(template = name, language, error = %e, "a template the provider holds could not be read; left out of the catalogue");
                Ok(None)
            }
            None => {
                tracing::warn!(
                    template = name,
                    language,
                    "the provider answered a template without its definition"
                );
                Ok(None)
            }
        }
    }

    /// Submits a new template for review and stores it (PENDING until Meta decides).
    pub async fn create(
        &self,
        tenant: &TenantId,
        waba: &str,
        definition: &Definition,
        variables: &[Variable],
        header_sample: Option<(&str, &str)>,
        now: DateTime<Utc>,
    ) -> Result<Template, CatalogueError> {
        let id = self.resource_id(waba).await?;
        // A media header's sample file (bucket, key) is handed to Meta first; its handle goes in
        // the definition.
        let handle = match header_sample {
            Some((bucket, key)) => {
                let file = aws_sdk_socialmessaging::types::S3File::builder()
                    .bucket_name(bucket)
                    .key(key)
                    .build()
                    .map_err(unbuilt("CreateWhatsAppMessageTemplateMedia"))?;
                let out = self
                    .client
                    .create_whats_app_message_template_media()
                    .id(&id)
                    .source_s3_file(file)
                    .send()
                    .await
                    .map_err(|e| provider_error("CreateWhatsAppMessageTemplateMedia", e))?;
                out.meta_header_handle().map(str::to_string)
            }
            None => None,
        };
        let meta = definition.to_meta(variables, handle.as_deref());
        let out = self
            .client
            .create_whats_app_message_template()
            .id(&id)
            .template_definition(Blob::new(meta.to_string().into_bytes()))
            .send()
            .await
            .map_err(|e| provider_error("CreateWhatsAppMessageTemplate", e))?;
        let status = out
            .template_status()
            .and_then(wecare_core::template::TemplateStatus::parse)
            .unwrap_or(wecare_core::template::TemplateStatus::Pending);
        let template = Template {
            definition: definition.clone(),
            status,
            meta_template_id: out.meta_template_id().map(str::to_string),
            rejected_reason: None,
            variables: variables.to_vec(),
        };
        self.keep(tenant, waba, &template, now).await?;
        Ok(template)
    }

    /// Deletes a version of the catalogue (as the caller found it) at the provider and here.
    pub async fn delete(&self, tenant: &TenantId, waba: &str, t: &Template) -> Result<(), CatalogueError> {
        let (name, language) = (t.name(), t.language());
        let id = self.resource_id(waba).await?;
        let mut req = self
            .client
            .delete_whats_app_message_template()
            .id(&id)
            .template_name(name);
        if let Some(m) = &t.meta_template_id {
            req = req.meta_template_id(m);
        }
        match req.send().await {
            Ok(_) => {}
            // Already gone at the provider: forgetting it is all that is left.
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_resource_not_found_exception()) => {}
            Err(e) => return Err(provider_error("DeleteWhatsAppMessageTemplate", e)),
        }
        self.repo.delete(tenant, waba, name, language).await?;
        self.forget(tenant, waba, name);
        Ok(())
    }

    /// Meta's library of pre-approved templates, filtered by `search` (a part of the name or
    /// text), as the console shows them: name, category, language, header, body, buttons and the
    /// body's sample values.
    pub async fn library(&self, waba: &str, search: Option<&str>) -> Result<Vec<Value>, CatalogueError> {
        let id = self.resource_id(waba).await?;
        let mut out = Vec::new();
        let mut next = None;
        // A few pages at most: the console searches rather than scrolls through the library.
        for _ in 0..5 {
            let mut req = self
                .client
                .list_whats_app_template_library()
                .id(&id)
                .set_next_token(next);
            if let Some(q) = search.filter(|q| !q.trim().is_empty()) {
                req = req.filters("searchKey", q.trim());
            }
            let page = req
                .send()
                .await
                .map_err(|e| provider_error("ListWhatsAppTemplateLibrary", e))?;
            for t in page.meta_library_templates() {
                let buttons: Vec<Value> = t
                    .template_buttons()
                    .iter()
                    .map(|b| {
                        serde_json::json!({
                            "type": b.r#type(), "text": b.text(), "url": b.url(), "phoneNumber": b.phone_number(),
                        })
                    })
                    .collect();
                out.push(serde_json::json!({
                    "libraryName": t.template_name(),
                    "category": t.template_category(),
                    "language": t.template_language(),
                    "topic": t.template_topic(),
                    "useCase": t.template_use_case(),
                    "header": t.template_header(),
                    "body": t.template_body(),
                    "buttons": buttons,
                    "bodySamples": t.template_body_example_params(),
                }));
            }
            match page.next_token {
                Some(t) => next = Some(t),
                None => break,
            }
        }
        Ok(out)
    }

    /// Creates a template from Meta's library under `name` and stores it as the provider then
    /// holds it (PENDING until Meta decides).
    pub async fn create_from_library(
        &self,
        tenant: &TenantId,
        waba: &str,
        from: FromLibrary<'_>,
        now: DateTime<Utc>,
    ) -> Result<Template, CatalogueError> {
        let FromLibrary {
            library_name,
            name,
            language,
            category,
            buttons,
        } = from;
        let id = self.resource_id(waba).await?;
        let template = aws_sdk_socialmessaging::types::MetaLibraryTemplate::builder()
            .template_name(name)
            .library_template_name(library_name)
            .template_category(category)
            .template_language(language)
            .set_library_template_button_inputs(
                (!buttons.is_empty()).then(|| buttons.iter().map(button_input).collect()),
            )
            .build()
            .map_err(unbuilt("CreateWhatsAppMessageTemplateFromLibrary"))?;
        let out = self
            .client
            .create_whats_app_message_template_from_library()
            .id(&id)
            .meta_library_template(template)
            .send()
            .await
            .map_err(|e| provider_error("CreateWhatsAppMessageTemplateFromLibrary", e))?;
        let created = self
            .fetch(&id, out.meta_template_id(), name, language)
            .await?
            .ok_or_else(|| CatalogueError::Refused {
                operation: "GetWhatsAppMessageTemplate",
                code: "NotFound".into(),
                message: format!("template {name} was created but cannot be read back"),
            })?;
        self.keep(tenant, waba, &created, now).await?;
        Ok(created)
    }
}
