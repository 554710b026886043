//! The send pipeline: check → claim → rate limit and tier → provider (or dry run) → settle.
//!
//! - **Check**, writing nothing: the content; the contact exists and is live; it opted in on the
//!   channel; the sender is the tenant's; free-form WhatsApp is inside the 24 h window; a media
//!   file is the tenant's and acceptable. A refusal is logged with its code.
//! - **Claim**: the message record is written in state `sending` under the id its idempotency key
//!   names, with one conditional write. Exactly one call per key gets past it; a repeat gets the
//!   record as it stands (its outcome, or "in progress"), and never reaches a provider. A claim
//!   left `sending` longer than any live attempt can take belonged to a call that died; it is
//!   settled `unknown`, because that call may have reached the provider.
//! - **Rate limit and tier**: a slot of the sender's bucket (waited for up to a second), then,
//!   for a business-initiated WhatsApp conversation, one of the account's tier. A refusal here
//!   gives the claim back, so nothing stays written and the key may be tried again.
//! - **Provider**: throttling is retried with exponential backoff, at most three times; anything
//!   that may have been accepted is not retried.
//! - **Settle**: one conditional update to `sent`, `failed` or `unknown`, or `dry_run`. The
//!   conversation row and the audit entry are written after it, each on its own, so nothing that
//!   conflicts with inbound traffic can undo the record of a send; so is the overview's count of
//!   the outcome, by the call whose settle moved the message only.

use std::time::Duration;

use chrono::{DateTime, Utc};
use wecare_core::consent::ConsentSource;
use wecare_core::message::{Direction, MessageStatus};
use wecare_core::overview::milestones;
use wecare_core::sender::Sender;
use wecare_core::sms::SmsSegments;
use wecare_core::whatsapp::{check_media, check_text, MediaKind};
use wecare_core::window::Window;
use wecare_core::{Channel, Email, TenantId};
use wecare_store::audit::AuditEntry;
use wecare_store::messages::{Claim, Message, PendingStatus, ProviderError, Settlement};
use wecare_store::tier::TierSlot;
use wecare_store::{Contact, TierOutcome};

use crate::command::{Content, Refusal, SendCommand, SendOutcome, SystemPurpose, WhatsAppContent};
use crate::media::{self, ObjectInfo};
use crate::providers::{Attempt, Content as WaContent, WhatsAppRecipient};
use crate::{Actor, Deps, SendError, SendMode};

/// The longest a send waits for its rate-limit slot before it is refused with `RATE_LIMITED`.
pub const MAX_RATE_WAIT: Duration = Duration::from_secs(1);

/// Retries of a throttled provider call (the specification's rule), after the first attempt.
pub const THROTTLE_RETRIES: u32 = 3;

/// First backoff after throttling; doubled for each further retry.
const FIRST_BACKOFF: Duration = Duration::from_millis(200);

/// By default, a claim still `sending` after this long belongs to a call that died: no live attempt takes
/// longer (a second of rate-limit wait, four provider attempts of at most 10 s, backoff).
pub const STALE_CLAIM: chrono::Duration = chrono::Duration::minutes(5);

/// What a WhatsApp send needs of the contact: a number, or the business-scoped user id of a user
/// who writes without showing one.
const WHATSAPP_ADDRESS: &str = "phone or WhatsApp user id";

/// The text of the STOP confirmation.
pub const OPT_OUT_CONFIRMATION: &str =
    "You will no longer receive WhatsApp messages from us. Reply START to subscribe again.";

fn invalid(field: &'static str, why: impl ToString) -> Refusal {
    Refusal::Invalid {
        field,
        why: why.to_string(),
    }
}

/// Everything the checks established, for the steps after the claim.
struct Checked {
    sender: Sender,
    to: String,
    whatsapp_to: Option<WhatsAppRecipient>,
    segments: Option<SmsSegments>,
    business_initiated: bool,
    media: Option<(MediaKind, ObjectInfo)>,
    /// The template as sent: checked against the catalogue, with its header/body split, its
    /// variables' names and its category (`as_sent`).
    template: Option<wecare_store::messages::Template>,
}

/// Sends one message (see the module).
pub async fn send(deps: &Deps, cmd: SendCommand) -> Result<SendOutcome, SendError> {
    send_inner(deps, cmd, &mut false).await
}

/// [`send`], also telling whether this call wrote the message's outcome (settled it), as opposed
/// to finding it settled by an earlier call with the same key: what a caller that counts
/// outcomes (a bulk job's progress) counts.
pub async fn send_reporting(deps: &Deps, cmd: SendCommand) -> Result<(SendOutcome, bool), SendError> {
    let mut settled_here = false;
    let outcome = send_inner(deps, cmd, &mut settled_here).await?;
    Ok((outcome, settled_here))
}

async fn send_inner(deps: &Deps, mut cmd: SendCommand, settled_here: &mut bool) -> Result<SendOutcome, SendError> {
    let channel = cmd.content.channel();
    // A paced send takes its slot first and is checked just before it (see `crate::pace`): the
    // checks, the window included, are then as of now, not of when the send was queued. A slot
    // taken and not used (the send is refused, or repeats an earlier one) goes back to the run.
    let turn = match cmd.pacer.clone() {
        Some(p) => {
            let turn = p.approach().await?;
            if p.stopped() {
                return Ok(SendOutcome::Refused(Refusal::Stopped));
            }
            cmd.now = wecare_core::time::now();
            Some(turn)
        }
        None => None,
    };
    // A send's times are its caller's clock (`cmd.now`, the request's "now") moved on by what the
    // send has taken since: in Lambda that is the wall clock, and a caller that states another
    // time (the local demo's week of history) gets its sends recorded, and counted, then.
    let began = std::time::Instant::now();
    let now = cmd.now;
    let at = move || {
        let t = now + chrono::Duration::from_std(began.elapsed()).unwrap_or_default();
        // At the platform's precision, as `wecare_core::time::now` gives it.
        chrono::DurationRound::duration_trunc(t, chrono::Duration::milliseconds(1)).unwrap_or(t)
    };
    let checked = match check(deps, &cmd).await? {
        Ok(c) => c,
        Err(refusal) => {
            tracing::info!(
                contact_id = %cmd.contact_id, channel = channel.as_str(), code = refusal.code().as_str(),
                reason = %refusal, origin = cmd.actor.origin(), "send refused"
            );
            return Ok(SendOutcome::Refused(refusal));
        }
    };

    let record = draft(&cmd, &checked);
    let pending = match deps.messages.claim(&record).await? {
        Claim::Claimed { pending } => pending,
        Claim::Existing(existing) => return repeat(deps, &cmd, *existing, &record, settled_here).await,
        Claim::Closed(_) => return Ok(refused(&cmd, Refusal::Closed)),
    };

    let ready = match cmd.pacer.as_deref() {
        // A paced send (a bulk recipient) already has its slots, and its job reserved the tier:
        // the job counts each business-initiated send it makes against that reservation from its
        // ledger, so the send itself writes nothing to the tier.
        Some(_) => Ok(Ok(None)),
        None => limit_and_open(deps, &cmd, &checked).await,
    };
    let tier_slot = match ready {
        Ok(Ok(slot)) => slot,
        Ok(Err(refusal)) => {
            deps.messages.release(&record).await?;
            return Ok(refused(&cmd, refusal));
        }
        Err(e) => {
            deps.messages.release(&record).await?;
            return Err(e);
        }
    };

    // Before each attempt a paced send waits for its slot (the one it took for the first; a
    // throttled one retries in a later slot, never in a burst) and honours its run's stop just
    // before the call.
    let turn = std::sync::Mutex::new(turn);
    let pacer = cmd.pacer.as_deref();
    let gate = || {
        let mut taken = turn.lock().unwrap_or_else(|p| p.into_inner()).take();
        async move { pace(pacer, taken.as_mut()).await }
    };
    let attempted = match deps.config.send_mode {
        SendMode::DryRun => gate().await.map(|go| {
            go.then(|| Settlement {
                status: MessageStatus::DryRun,
                provider_message_id: None,
                error: None,
                at: at(),
            })
        }),
        SendMode::Live => retry_throttled(gate, || call_provider(deps, &cmd, &checked, &record.message_id))
            .await
            .map(|a| a.map(|a| settlement_of(a, at()))),
    };
    let settlement = match attempted {
        Ok(Some(s)) => s,
        // Stopped before the provider: nothing was sent, so the key is given back and the
        // recipient stays pending for a resume.
        Ok(None) => {
            deps.messages.release(&record).await?;
            return Ok(SendOutcome::Refused(Refusal::Stopped));
        }
        Err(e) => {
            deps.messages.release(&record).await?;
            return Err(e.into());
        }
    };
    let (mut message, first, moved) = deps.messages.settle_moved(&record, &settlement).await?;
    *settled_here = first;
    if moved {
        count_settle(deps, &cmd, &message, &settlement).await;
    }
    for p in pending {
        message = apply_pending(deps, &message, p).await?;
    }
    if settlement.status == MessageStatus::Failed {
        if let Some(slot) = &tier_slot {
            // Refused by the provider: no conversation was opened.
            deps.tier.release(slot).await?;
        }
    }
    finish(deps, &cmd, &message, &settlement).await?;
    Ok(SendOutcome::of_record(message))
}

/// An interactive send's slot of the sender's bucket (waited for up to [`MAX_RATE_WAIT`]), then
/// for a business-initiated conversation one of the account's tier.
async fn limit_and_open(
    deps: &Deps,
    cmd: &SendCommand,
    checked: &Checked,
) -> Result<Result<Option<TierSlot>, Refusal>, SendError> {
    // Measured from now, when this request reaches the limiter, not from when it started.
    let cost = checked.segments.map(|s| s.segments.max(1)).unwrap_or(1) as f64;
    let slot = deps
        .limiter
        .reserve(
            &checked.sender.rate_bucket(),
            checked.sender.rate,
            cost,
            MAX_RATE_WAIT,
            wecare_core::time::now(),
        )
        .await?;
    match slot {
        Ok(slot) => {
            // A slot shortly ahead is waited for rather than refused: the limit stays exact and a
            // burst is smoothed instead of bounced back to the caller.
            if let Ok(wait) = (slot - wecare_core::time::now()).to_std() {
                tokio::time::sleep(wait).await;
            }
        }
        Err(limited) => {
            return Ok(Err(Refusal::RateLimited {
                retry_after_ms: limited.retry_after_ms,
            }))
        }
    }
    if checked.business_initiated {
        open_conversation(deps, cmd, &checked.sender).await
    } else {
        Ok(Ok(None))
    }
}

/// Whether an attempt may go ahead: always for an interactive send; for a paced one, once its
/// slot is due and unless its run was stopped.
async fn pace(
    pacer: Option<&crate::pace::Pacer>,
    turn: Option<&mut crate::pace::Turn>,
) -> Result<bool, wecare_store::StoreError> {
    match pacer {
        None => Ok(true),
        Some(p) => {
            p.wait_for_slot(turn).await?;
            Ok(!p.stopped())
        }
    }
}

fn refused(cmd: &SendCommand, refusal: Refusal) -> SendOutcome {
    tracing::info!(
        contact_id = %cmd.contact_id, channel = cmd.content.channel().as_str(), code = refusal.code().as_str(),
        reason = %refusal, origin = cmd.actor.origin(), "send refused after claiming; claim given back"
    );
    SendOutcome::Refused(refusal)
}

/// The checks, in order; nothing is written.
async fn check(deps: &Deps, cmd: &SendCommand) -> Result<Result<Checked, Refusal>, SendError> {
    let channel = cmd.content.channel();
    let segments = match check_content(&cmd.content) {
        Ok(s) => s,
        Err(r) => return Ok(Err(r)),
    };
    // A paced send's contact is read with its neighbours'.
    let prefetched = match cmd.pacer.as_deref() {
        Some(p) => p.contact(&deps.contacts, &cmd.tenant, &cmd.contact_id).await,
        None => None,
    };
    let contact = match prefetched {
        Some(contact) => contact,
        None => deps.contacts.get(&cmd.tenant, &cmd.contact_id).await?,
    };
    let Some(contact) = contact else {
        return Ok(Err(Refusal::ContactNotFound));
    };
    if !may_receive(&contact, channel, &cmd.actor) {
        return Ok(Err(Refusal::NotOptedIn(channel)));
    }
    let whatsapp_to = WhatsAppRecipient::of(&contact);
    let to = match channel {
        Channel::WhatsApp => whatsapp_to.as_ref().map(|r| r.as_str().to_string()),
        Channel::Sms => contact.phone.as_ref().map(|p| p.to_string()),
        Channel::Email => contact.email.as_ref().map(Email::to_string),
    };
    let Some(to) = to else {
        let what = match channel {
            Channel::WhatsApp => WHATSAPP_ADDRESS,
            Channel::Sms => "phone",
            Channel::Email => "email",
        };
        return Ok(Err(Refusal::NoAddress(what)));
    };
    let sender = match deps.config.senders.resolve(&cmd.tenant, channel, cmd.from.as_deref()) {
        Ok(s) => s.clone(),
        Err(e) => return Ok(Err(Refusal::NotAllowlisted(e))),
    };
    let mut business_initiated = false;
    let mut media = None;
    let mut template = None;
    if let Content::WhatsApp(wa) = &cmd.content {
        let window_open = Window::at(contact.last_inbound_message_at, cmd.now).is_open();
        let is_template = matches!(wa, WhatsAppContent::Template(_));
        if !is_template && !window_open {
            // The specification asks for this to be visible: someone tried free-form outside it.
            tracing::warn!(contact_id = %cmd.contact_id, origin = cmd.actor.origin(), "free-form WhatsApp refused outside the 24-hour window");
            return Ok(Err(Refusal::TemplateRequired));
        }
        business_initiated = is_template && !window_open;
        match wa {
            WhatsAppContent::Media(m) => match resolve_media(deps, &cmd.tenant, m).await? {
                Ok(found) => media = Some(found),
                Err(r) => return Ok(Err(r)),
            },
            WhatsAppContent::Template(t) => match check_template(deps, cmd, &sender, t).await? {
                Ok((entry, header)) => {
                    template = Some(entry);
                    media = header;
                }
                Err(r) => return Ok(Err(r)),
            },
            WhatsAppContent::Text(_) => {}
        }
    }
    Ok(Ok(Checked {
        sender,
        to,
        whatsapp_to,
        segments,
        business_initiated,
        media,
        template,
    }))
}

/// Consent: the channel's opt-in; the only exception is the confirmation of a STOP, to a contact
/// whose last word on WhatsApp is that very keyword.
fn may_receive(contact: &Contact, channel: Channel, actor: &Actor) -> bool {
    if contact.opt_ins.get(channel) {
        return true;
    }
    matches!(actor, Actor::System(SystemPurpose::OptOutConfirmation))
        && channel == Channel::WhatsApp
        && contact
            .last_consent_change
            .get(Channel::WhatsApp)
            .is_some_and(|w| w.source == ConsentSource::InboundKeyword)
}

/// The content rules of each channel; an SMS's exact segments.
fn check_content(content: &Content) -> Result<Option<SmsSegments>, Refusal> {
    match content {
        Content::WhatsApp(WhatsAppContent::Text(t)) => {
            check_text(t).map_err(|e| invalid("text", e))?;
            Ok(None)
        }
        Content::WhatsApp(WhatsAppContent::Media(m)) => {
            if let Some(c) = &m.caption {
                check_text(c).map_err(|e| invalid("media.caption", e))?;
            }
            if m.filename
                .as_deref()
                .is_some_and(|f| f.trim().is_empty() || f.chars().count() > 240)
            {
                return Err(invalid("media.filename", "must be 1-240 characters"));
            }
            Ok(None)
        }
        Content::WhatsApp(WhatsAppContent::Template(tpl)) => {
            if tpl.name.trim().is_empty() || tpl.name.len() > 512 {
                return Err(invalid("template.name", "must be 1-512 characters"));
            }
            if tpl.language.trim().is_empty() {
                return Err(invalid("template.language", "is required (e.g. en_US)"));
            }
            Ok(None)
        }
        Content::Sms { text } => {
            let n = text.chars().count();
            if !(1..=1600).contains(&n) || text.trim().is_empty() {
                return Err(invalid("text", format!("must be 1-1600 characters, got {n}")));
            }
            Ok(Some(SmsSegments::of(text)))
        }
        Content::Email { subject, text, html } => {
            if subject.trim().is_empty() || subject.chars().count() > 998 {
                return Err(invalid("subject", "must be 1-998 characters"));
            }
            if text.as_deref().is_none_or(|t| t.trim().is_empty())
                && html.as_deref().is_none_or(|h| h.trim().is_empty())
            {
                return Err(invalid("text", "text or html is required"));
            }
            Ok(None)
        }
    }
}

/// A template send checked against the sender's catalogue (see `wecare_core::template::check_send`),
/// and its header file checked like a media message's: the template as sent, and the header file,
/// if any.
async fn check_template(
    deps: &Deps,
    cmd: &SendCommand,
    sender: &Sender,
    t: &wecare_store::messages::Template,
) -> Result<Result<(wecare_store::messages::Template, Option<(MediaKind, ObjectInfo)>), Refusal>, SendError> {
    let Some(waba) = sender.waba_id.as_deref() else {
        return Ok(Err(invalid(
            "from",
            "this WhatsApp sender has no business account configured",
        )));
    };
    let versions = match deps.catalogue.versions(&cmd.tenant, waba, &t.name, cmd.now).await {
        Ok(v) => v,
        Err(crate::catalogue::CatalogueError::Store(e)) => return Err(e.into()),
        // The catalogue could not be refreshed from the provider: what is stored decides (the
        // template is then unknown, and the refusal says so).
        Err(e) => {
            tracing::warn!(error = %e, waba_id = waba, "template catalogue not refreshed on a miss");
            Vec::new()
        }
    };
    let entry = match wecare_core::template::check_send(
        &t.name,
        &t.language,
        &versions,
        &t.parameters,
        t.header_media_key.is_some(),
    ) {
        Ok(e) => e,
        Err(e) => return Ok(Err(invalid("template", e.to_string()))),
    };
    let header = match (
        &t.header_media_key,
        entry.definition.header.as_ref().and_then(|h| h.media()),
    ) {
        (Some(key), Some(format)) => {
            let req = crate::MediaRequest {
                s3_key: key.clone(),
                caption: None,
                filename: None,
            };
            match resolve_media(deps, &cmd.tenant, &req).await? {
                Ok((kind, info)) if kind.as_str().eq_ignore_ascii_case(format.as_str()) => Some((kind, info)),
                Ok((kind, _)) => {
                    return Ok(Err(invalid(
                        "template.headerMedia",
                        format!(
                            "the template's header is {}, and this file is {}",
                            format.as_str().to_lowercase(),
                            kind.as_str()
                        ),
                    )))
                }
                Err(r) => return Ok(Err(r)),
            }
        }
        _ => None,
    };
    Ok(Ok((as_sent(t, entry), header)))
}

/// The uploaded object a WhatsApp media send refers to: the tenant's, present, and acceptable.
async fn resolve_media(
    deps: &Deps,
    tenant: &wecare_core::TenantId,
    m: &crate::MediaRequest,
) -> Result<Result<(MediaKind, ObjectInfo), Refusal>, SendError> {
    if !media::is_upload_of(&m.s3_key, tenant) {
        return Ok(Err(invalid(
            "media.s3Key",
            "is not an upload of this tenant (POST /api/media/uploads first)",
        )));
    }
    let Some(info) = deps
        .media
        .head(&m.s3_key)
        .await
        .map_err(|e| SendError::Media(Box::new(e)))?
    else {
        return Ok(Err(invalid("media.s3Key", "nothing has been uploaded there")));
    };
    let kind = match check_media(&info.content_type, info.size) {
        Ok(k) => k,
        Err(e) => return Ok(Err(invalid("media", e))),
    };
    // WhatsApp shows a caption on images, videos and documents only, and a file name on documents:
    // anything else would be stored as said but never seen by the customer.
    if m.caption.is_some() && !matches!(kind, MediaKind::Image | MediaKind::Video | MediaKind::Document) {
        return Ok(Err(invalid(
            "media.caption",
            format!("a {} carries no caption", kind.as_str()),
        )));
    }
    if m.filename.is_some() && kind != MediaKind::Document {
        return Ok(Err(invalid("media.filename", "only documents carry a file name")));
    }
    Ok(Ok((kind, info)))
}

/// The template as sent: with the catalogue's split of header and body values, its variables'
/// names (named templates are sent by name) and its category.
fn as_sent(
    t: &wecare_store::messages::Template,
    entry: &wecare_core::template::Template,
) -> wecare_store::messages::Template {
    wecare_store::messages::Template {
        header_parameters: entry.header_parameters(),
        parameter_names: match entry.definition.parameter_format {
            wecare_core::template::ParameterFormat::Named => entry.variables.iter().map(|v| v.name.clone()).collect(),
            wecare_core::template::ParameterFormat::Positional => Vec::new(),
        },
        category: Some(entry.definition.category),
        ..t.clone()
    }
}

/// The record claimed for this send, in state `sending`.
fn draft(cmd: &SendCommand, c: &Checked) -> Message {
    let now = cmd.now;
    // A bulk send's record is its job's ledger entry for the contact (its id says so), and the
    // key and fingerprint it would carry are the job's and the contact's: left out, they keep the
    // entry under 1 KB, one write unit for its claim and one for its settle.
    let job = match &cmd.actor {
        Actor::BulkJob { job_id, .. } => Some(job_id.clone()),
        _ => None,
    };
    let mut m = Message {
        message_id: match &job {
            Some(job_id) => wecare_core::bulk::bulk_message_id(job_id, &cmd.contact_id),
            None => cmd.key.message_id(&cmd.tenant),
        },
        tenant_id: cmd.tenant.clone(),
        contact_id: cmd.contact_id,
        channel: cmd.content.channel(),
        direction: Direction::Outbound,
        status: MessageStatus::Sending,
        to: c.to.clone(),
        from: c.sender.id.clone(),
        text: None,
        subject: None,
        html: None,
        template: None,
        is_template: false,
        segments: c.segments.map(|s| s.segments),
        encoding: c.segments.map(|s| s.encoding.as_str().to_string()),
        provider_message_id: None,
        error: None,
        details: None,
        origin: Some(cmd.actor.origin().to_string()),
        idempotency_key: job.is_none().then(|| cmd.key.to_string()),
        fingerprint: job
            .is_none()
            .then(|| cmd.content.fingerprint(&cmd.contact_id, cmd.from.as_deref())),
        created_by: cmd.actor.audit_context(&cmd.tenant).principal.user_id.to_string(),
        created_at: now,
        updated_at: now,
        settled_at: None,
        expires_at: Message::expiry(now),
        job_id: job,
        business_initiated: c.business_initiated,
        outcome: None,
        opt_out_intent: false,
    };
    match &cmd.content {
        Content::WhatsApp(WhatsAppContent::Text(t)) => m.text = Some(t.clone()),
        Content::WhatsApp(WhatsAppContent::Template(t)) => {
            m.template = Some(c.template.clone().unwrap_or_else(|| t.clone()));
            m.is_template = true;
        }
        Content::WhatsApp(WhatsAppContent::Media(req)) => {
            m.text = req.caption.clone();
            if let Some((kind, info)) = &c.media {
                let mut file =
                    serde_json::json!({ "s3Key": req.s3_key, "mimeType": info.content_type, "size": info.size });
                if let Some(name) = &req.filename {
                    file["filename"] = serde_json::json!(name);
                }
                m.details = Some(serde_json::json!({ "type": kind.as_str(), "media": file }));
            }
        }
        Content::Sms { text } => m.text = Some(text.clone()),
        Content::Email { subject, text, html } => {
            m.subject = Some(subject.clone());
            m.text = text.clone();
            m.html = html.clone();
        }
    }
    if matches!(cmd.actor, Actor::System(SystemPurpose::OptOutConfirmation)) {
        m.details = Some(serde_json::json!({ "kind": "opt_out_confirmation" }));
    }
    m
}

/// A repeat of a key: the first attempt's outcome, never a second provider call.
async fn repeat(
    deps: &Deps,
    cmd: &SendCommand,
    existing: Message,
    asked: &Message,
    settled_here: &mut bool,
) -> Result<SendOutcome, SendError> {
    if existing.fingerprint.is_some() && existing.fingerprint != asked.fingerprint {
        return Ok(SendOutcome::Refused(Refusal::KeyReused));
    }
    tracing::info!(message_id = %existing.message_id, status = existing.status.as_str(), "repeat of an idempotency key: answered from the record");
    if existing.status == MessageStatus::Sending && cmd.now - existing.created_at > deps.config.stale_claim {
        // The call that claimed it died somewhere between the claim and the settle. It may have
        // reached the provider, so this is not sent again: it becomes unknown.
        let settlement = Settlement {
            status: MessageStatus::Unknown,
            provider_message_id: None,
            error: Some(ProviderError {
                code: "AttemptAbandoned".into(),
                message: "the attempt that claimed this send stopped before it could record the provider's answer"
                    .into(),
            }),
            at: cmd.now,
        };
        let (message, first, moved) = deps.messages.settle_moved(&existing, &settlement).await?;
        *settled_here = first;
        if moved {
            count_settle(deps, cmd, &message, &settlement).await;
        }
        finish(deps, cmd, &message, &settlement).await?;
        return Ok(SendOutcome::of_record(message));
    }
    if existing.status != MessageStatus::Sending {
        record_settled(deps, cmd, &existing).await?;
    }
    Ok(SendOutcome::of_record(existing))
}

/// Opens a business-initiated conversation on the sender's account, within the tier; alerts once
/// per crossing of 80 %. `None` when the contact's conversation was already open.
async fn open_conversation(
    deps: &Deps,
    cmd: &SendCommand,
    sender: &Sender,
) -> Result<Result<Option<TierSlot>, Refusal>, SendError> {
    let limit = deps.config.whatsapp_tier_limit;
    let Some(waba) = sender.waba_id.clone() else {
        // Configuration guarantees a WhatsApp sender has one; refuse rather than count nowhere.
        return Ok(Err(Refusal::TierLimitExceeded { limit }));
    };
    match deps
        .tier
        .open(&waba, &cmd.tenant, &cmd.contact_id, limit, cmd.now)
        .await?
    {
        TierOutcome::AlreadyOpen => Ok(Ok(None)),
        TierOutcome::Exceeded { count } => {
            tracing::warn!(waba_id = %waba, count, limit, "messaging tier used up: business-initiated send refused");
            Ok(Err(Refusal::TierLimitExceeded { limit }))
        }
        TierOutcome::Opened { count, warn } => {
            if warn {
                alert_tier(deps, &cmd.tenant, &waba, count, limit, cmd.now).await;
            }
            Ok(Ok(Some(TierSlot {
                waba,
                tenant: cmd.tenant.clone(),
                contact: cmd.contact_id,
                opened_at: cmd.now,
            })))
        }
    }
}

async fn alert_tier(deps: &Deps, tenant: &TenantId, waba: &str, count: u64, limit: u64, now: DateTime<Utc>) {
    let subject = "WhatsApp messaging tier at 80 %";
    let alert = serde_json::json!({
        "alert": "WHATSAPP_TIER_80_PERCENT",
        "wabaId": waba,
        "openConversations": count,
        "tierLimit": limit,
        "at": wecare_core::time::iso(now),
    });
    let published = deps
        .alerts
        .publish()
        .topic_arn(&deps.config.alerts_topic_arn)
        .subject(subject)
        .message(alert.to_string())
        .send()
        .await;
    match published {
        Ok(_) => tracing::warn!(waba_id = %waba, count, limit, "messaging tier at 80 %: alert published"),
        // The send itself is fine; an alert that could not go out is logged for the alarm.
        Err(e) => tracing::error!(
            waba_id = %waba,
            error = %aws_sdk_sns::error::DisplayErrorContext(&e),
            "tier alert not published"
        ),
    }
    let text = format!(
        "Your WhatsApp Business Account {waba} has {count} of its {limit} business-initiated conversations of \
         the last 24 hours in use. Past the limit, campaigns and new conversations you start are refused until \
         older ones age out. Spread large campaigns over more days, or ask Meta for a higher tier.\n\n\
         You receive this because you are an alert recipient in the platform's settings."
    );
    email_alert(deps, tenant, subject, &text).await;
}

/// Emails an alert to the people the tenant named in its settings, from its default email
/// sender. Staff, not customers: no consent is asked and nothing is recorded as a message. Best
/// effort, like the alert itself: a failure is logged, and the SNS topic has it anyway. In
/// `DRY_RUN` nothing is emailed (no provider is called).
async fn email_alert(deps: &Deps, tenant: &TenantId, subject: &str, text: &str) {
    let recipients = match deps.settings.get(tenant, false).await {
        Ok(s) => s.settings.alert_recipients().to_vec(),
        Err(e) => {
            tracing::error!(error.chain = ?wecare_http::error::cause_chain(&e), "alert recipients not read");
            return;
        }
    };
    if recipients.is_empty() {
        return;
    }
    let Ok(sender) = deps.config.senders.resolve(tenant, Channel::Email, None) else {
        tracing::warn!(tenant_id = %tenant, "the tenant has no email sender: its alert is not emailed");
        return;
    };
    if deps.config.send_mode == SendMode::DryRun {
        tracing::info!(recipients = recipients.len(), "dry run: alert not emailed");
        return;
    }
    for to in &recipients {
        match deps
            .providers
            .email(&sender.id, to.as_str(), subject, Some(text), None)
            .await
        {
            Attempt::Accepted(_) => tracing::info!(tenant_id = %tenant, "alert emailed to a recipient"),
            other => tracing::error!(tenant_id = %tenant, outcome = ?other, "alert not emailed to a recipient"),
        }
    }
}

/// Runs a provider call, retrying throttling with exponential backoff, at most
/// [`THROTTLE_RETRIES`] times; what is still throttled then is a failure. `gate` runs before each
/// attempt and may stop the send before it reaches the provider (`None`).
async fn retry_throttled<G, GFut, E, F, Fut>(mut gate: G, mut call: F) -> Result<Option<Attempt>, E>
where
    G: FnMut() -> GFut,
    GFut: std::future::Future<Output = Result<bool, E>>,
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Attempt>,
{
    let mut backoff = FIRST_BACKOFF;
    let mut retries = 0;
    loop {
        if !gate().await? {
            return Ok(None);
        }
        match call().await {
            Attempt::Throttled(p) if retries < THROTTLE_RETRIES => {
                tracing::info!(code = %p.code, retry = retries + 1, "provider throttled the send; backing off");
                tokio::time::sleep(backoff).await;
                backoff *= 2;
                retries += 1;
            }
            other => return Ok(Some(other)),
        }
    }
}

/// [`retry_throttled`] with nothing that could stop it.
async fn with_throttle_retries<F, Fut>(call: F) -> Attempt
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Attempt>,
{
    let open = || async { Ok::<bool, std::convert::Infallible>(true) };
    match retry_throttled(open, call).await {
        Ok(Some(attempt)) => attempt,
        Ok(None) | Err(_) => unreachable!("an open gate neither stops nor fails"),
    }
}

/// One provider request for this send (a WhatsApp file is handed over first).
/// Hands an uploaded file to WhatsApp: its media id. A file that could not be handed over was
/// not sent: whatever the reason, the message failed (nothing reached the customer).
async fn handed_over(deps: &Deps, from: &str, key: &str, info: &ObjectInfo) -> Result<String, Attempt> {
    let now = wecare_core::time::now();
    if let Some(id) = info
        .etag
        .as_deref()
        .and_then(|e| deps.handed_over.get(from, key, e, now))
    {
        return Ok(id);
    }
    match with_throttle_retries(|| deps.providers.upload_media(from, deps.media.bucket(), key)).await {
        Attempt::Accepted(id) => {
            if let Some(etag) = info.etag.as_deref() {
                deps.handed_over.keep(from, key, etag, &id, now);
            }
            Ok(id)
        }
        Attempt::Refused(p) | Attempt::Throttled(p) | Attempt::Ambiguous(p) => Err(Attempt::Refused(p)),
    }
}

async fn call_provider(deps: &Deps, cmd: &SendCommand, c: &Checked, message_id: &str) -> Attempt {
    let from = c.sender.id.as_str();
    let api = &deps.config.meta_api_version;
    let callback = format!("{}:{message_id}", cmd.tenant);
    match &cmd.content {
        Content::WhatsApp(wa) => {
            let Some(to) = &c.whatsapp_to else {
                return Attempt::Refused(ProviderError {
                    code: "NoRecipient".into(),
                    message: "the contact has no WhatsApp address".into(),
                });
            };
            match wa {
                WhatsAppContent::Text(t) => {
                    deps.providers
                        .whatsapp(from, api, to, WaContent::Text(t), &callback)
                        .await
                }
                WhatsAppContent::Template(tpl) => {
                    let template = c.template.as_ref().unwrap_or(tpl);
                    let header_media = match (&c.media, &tpl.header_media_key) {
                        (Some((kind, info)), Some(key)) => match handed_over(deps, from, key, info).await {
                            Ok(id) => Some((*kind, id)),
                            Err(refused) => return refused,
                        },
                        _ => None,
                    };
                    let content = WaContent::Template {
                        template,
                        header_media: header_media.as_ref().map(|(k, id)| (*k, id.as_str())),
                    };
                    deps.providers.whatsapp(from, api, to, content, &callback).await
                }
                WhatsAppContent::Media(m) => {
                    let Some((kind, info)) = &c.media else {
                        return Attempt::Refused(ProviderError {
                            code: "NoMedia".into(),
                            message: "the file was not checked".into(),
                        });
                    };
                    let media_id = match handed_over(deps, from, &m.s3_key, info).await {
                        Ok(id) => id,
                        Err(refused) => return refused,
                    };
                    let content = WaContent::Media {
                        kind: *kind,
                        media_id: &media_id,
                        caption: m.caption.as_deref(),
                        filename: m.filename.as_deref(),
                    };
                    deps.providers.whatsapp(from, api, to, content, &callback).await
                }
            }
        }
        Content::Sms { text } => deps.providers.sms(from, &c.to, text, message_id).await,
        Content::Email { subject, text, html } => {
            deps.providers
                .email(from, &c.to, subject, text.as_deref(), html.as_deref())
                .await
        }
    }
}

fn settlement_of(attempt: Attempt, at: DateTime<Utc>) -> Settlement {
    match attempt {
        Attempt::Accepted(id) => Settlement {
            status: MessageStatus::Sent,
            provider_message_id: Some(id),
            error: None,
            at,
        },
        Attempt::Refused(p) | Attempt::Throttled(p) => Settlement {
            status: MessageStatus::Failed,
            provider_message_id: None,
            error: Some(p),
            at,
        },
        Attempt::Ambiguous(p) => Settlement {
            status: MessageStatus::Unknown,
            provider_message_id: None,
            error: Some(p),
            at,
        },
    }
}

/// Counts in the overview what a settle's move out of `sending` reached (see
/// `wecare_core::overview`; only the write that made the move counts it, so a repeat counts
/// nothing). A campaign's sends are added up by their run and written at its flushes, one write
/// per flush instead of one per message; any other send's count is written now, after the settle
/// (a crash in between loses it: an undercount by one, see `wecare_store::overview`).
async fn count_settle(deps: &Deps, cmd: &SendCommand, m: &Message, s: &Settlement) {
    let reached = milestones(MessageStatus::Sending, s.status);
    match cmd.pacer.as_deref() {
        Some(pacer) => pacer.count_overview(m.channel, &reached, s.at),
        None => {
            deps.messages
                .overview()
                .count_or_log(&m.tenant_id, m.channel, s.at, &reached)
                .await
        }
    }
}

/// Applies a status that arrived before the send was recorded.
async fn apply_pending(deps: &Deps, m: &Message, p: PendingStatus) -> Result<Message, SendError> {
    deps.messages
        .apply_status(&m.tenant_id, &m.message_id, p.status, p.error.as_ref(), p.at)
        .await?;
    Ok(deps
        .messages
        .find(&m.tenant_id, &m.message_id)
        .await?
        .unwrap_or_else(|| m.clone()))
}

/// After the settle: the conversation row and the audit entry (concurrently, each on its own),
/// the metric and the log line.
async fn finish(deps: &Deps, cmd: &SendCommand, m: &Message, s: &Settlement) -> Result<(), SendError> {
    record_settled(deps, cmd, m).await?;
    // Template messages the provider accepted, per day, sender and category: what Meta bills by.
    // Counted here, where only the call that settled the send arrives.
    if let (Some(category), MessageStatus::Sent) = (m.template.as_ref().and_then(|t| t.category), s.status) {
        match cmd.pacer.as_deref() {
            // A campaign's sends are added up by their run and counted at its flushes, a write
            // every few seconds per worker rather than one per message on one hot item.
            Some(pacer) => pacer.count_template_use(category, s.at),
            None => {
                deps.catalogue
                    .repo
                    .count_use(&m.tenant_id, &m.from, category, s.at)
                    .await?
            }
        }
        wecare_http::metrics::count("TemplateMessages", &[("Category", category.as_str())]);
    }
    let channel = m.channel.as_str();
    let (metric, code) = match s.status {
        MessageStatus::Failed => ("DeliveryFailed", s.error.as_ref().map(|e| e.code.as_str())),
        MessageStatus::Unknown => ("DeliveryUnknown", s.error.as_ref().map(|e| e.code.as_str())),
        _ => ("DeliverySucceeded", None),
    };
    wecare_http::metrics::count(metric, &[("Channel", channel)]);
    match s.status {
        MessageStatus::Failed | MessageStatus::Unknown => tracing::warn!(
            contact_id = %cmd.contact_id, channel, message_id = %m.message_id, status = s.status.as_str(),
            code = code.unwrap_or(""), origin = cmd.actor.origin(), "send settled"
        ),
        _ => tracing::info!(
            contact_id = %cmd.contact_id, channel, message_id = %m.message_id, status = m.status.as_str(),
            origin = cmd.actor.origin(), "send settled"
        ),
    }
    Ok(())
}

/// The writes that follow a settle: the conversation row and the send's audit entry. Both are
/// idempotent — the row only moves to a later message, and the audit entry has a key derived from
/// the message and is written only if absent — so a repeat of the key writes them again, which
/// makes good a request that died between its settle and these writes.
async fn record_settled(deps: &Deps, cmd: &SendCommand, m: &Message) -> Result<(), SendError> {
    let at = m.settled_at.unwrap_or(m.updated_at);
    let summary = serde_json::json!({
        "messageId": m.message_id, "channel": m.channel.as_str(), "status": m.status, "from": m.from,
        "isTemplate": m.is_template, "segments": m.segments, "origin": m.origin,
        "providerCode": m.error.as_ref().map(|e| e.code.clone()),
    });
    let outcome = match m.status {
        MessageStatus::Failed => "failed",
        MessageStatus::Unknown => "unknown",
        _ => "success",
    };
    let mut audit = AuditEntry::new(
        &cmd.actor.audit_context(&cmd.tenant),
        "message.send",
        "contact",
        &cmd.contact_id.to_string(),
        outcome,
        None,
        Some(summary),
        at,
    );
    audit.audit_id = format!("send-{}", m.message_id);
    if matches!(cmd.actor, Actor::BulkJob { .. }) {
        // A bulk job is audited once, as a whole (who, what, how many), not per recipient; and a
        // campaign is not a conversation: the message is in the contact's timeline, but the inbox
        // keeps ordering conversations by what customers and operators said (a campaign of ten
        // thousand would otherwise bury every live conversation under its rows).
        return Ok(());
    }
    let (row, audited) = tokio::join!(
        deps.messages.touch_conversation(m, at),
        deps.messages.audit_once(&audit, at)
    );
    row?;
    audited?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    fn p(code: &str) -> ProviderError {
        ProviderError {
            code: code.into(),
            message: String::new(),
        }
    }

    // Real time: the backoff sleeps 200 + 400 + 800 ms. (Tokio's paused clock would need its
    // test-util feature, which would make the test build's tokio differ from every other build's.)
    #[tokio::test]
    async fn throttling_is_retried_three_times_and_then_fails() {
        let calls = AtomicU32::new(0);
        let outcome = with_throttle_retries(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            Attempt::Throttled(p("ThrottlingException"))
        })
        .await;
        assert_eq!(calls.load(Ordering::SeqCst), 4);
        assert_eq!(
            settlement_of(outcome, wecare_core::time::now()).status,
            MessageStatus::Failed
        );
    }

    #[tokio::test]
    async fn an_ambiguous_answer_is_never_retried_and_settles_unknown() {
        let calls = AtomicU32::new(0);
        let outcome = with_throttle_retries(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            Attempt::Ambiguous(p("InternalServiceException"))
        })
        .await;
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(
            settlement_of(outcome, wecare_core::time::now()).status,
            MessageStatus::Unknown
        );
    }

    #[test]
    fn sms_text_is_counted_in_exact_segments_and_bounded() {
        let s = check_content(&Content::Sms { text: "a".repeat(161) }).unwrap().unwrap();
        assert_eq!(s.segments, 2);
        assert!(check_content(&Content::Sms { text: " ".into() }).is_err());
    }
}
