//! The bulk jobs store against moto: a job is created once, controls follow the state machine
//! with conditional writes (an illegal one is refused, another tenant's job is not found), a
//! job's ledger is its messages — each recipient claimed, settled or closed at most once however
//! often a chunk arrives, a closed one never claimed after — its messages are in their contacts'
//! timelines, and a job completes exactly once.

use std::collections::HashMap;

use chrono::Utc;
use serde_json::json;
use wecare_core::bulk::{Control, Exclusion, JobStatus, Progress, RecipientOutcome};
use wecare_core::message::{Direction, MessageStatus};
use wecare_core::tables::Table;
use wecare_core::{Channel, ContactId, TenantId};
use wecare_store::bulk::{BulkJob, ControlError, RecipientStatus};
use wecare_store::messages::{Claim, Message, MessagesRepo, ProviderError, Settlement};
use wecare_store::BulkRepo;
use wecare_tests::TestStack;

fn repo(stack: &TestStack) -> BulkRepo {
    BulkRepo::new(
        stack.dynamo(),
        stack.table(Table::BulkJobs),
        stack.table(Table::BulkRecipients),
    )
}

fn messages(stack: &TestStack) -> MessagesRepo {
    MessagesRepo::new(
        stack.dynamo(),
        stack.table(Table::Messages),
        stack.table(Table::BulkRecipients),
        stack.table(Table::AuditLogs),
    )
}

/// The record the send pipeline claims for a job's send to `contact`.
fn bulk_message(tenant: &TenantId, job_id: &str, contact: ContactId) -> Message {
    let now = Utc::now();
    Message {
        message_id: wecare_core::bulk::bulk_message_id(job_id, &contact),
        tenant_id: tenant.clone(),
        contact_id: contact,
        channel: Channel::WhatsApp,
        direction: Direction::Outbound,
        status: MessageStatus::Sending,
        to: "+919800000001".into(),
        from: "phone-number-id-0a1b2c3d4e5f60718293a4b5c6d7e8f9".into(),
        text: None,
        subject: None,
        html: None,
        template: None,
        is_template: true,
        segments: None,
        encoding: None,
        provider_message_id: None,
        error: None,
        details: None,
        origin: Some("bulk".into()),
        idempotency_key: None,
        fingerprint: None,
        created_by: "operator".into(),
        created_at: now,
        updated_at: now,
        settled_at: None,
        expires_at: Message::expiry(now),
        job_id: Some(job_id.to_string()),
        business_initiated: true,
        outcome: None,
        opt_out_intent: false,
    }
}

fn job(tenant: &TenantId, total: u64) -> BulkJob {
    let now = Utc::now();
    BulkJob {
        job_id: uuid::Uuid::now_v7().to_string(),
        tenant_id: tenant.clone(),
        channel: Channel::WhatsApp,
        sender: "phone-number-id-0a1b2c3d4e5f60718293a4b5c6d7e8f9".into(),
        content: json!({ "template": { "name": "order_update", "language": "en_US" } }),
        status: JobStatus::Pending,
        progress: Progress::new(total),
        excluded: HashMap::from([("not_opted_in".to_string(), 3)]),
        tier_reserved: total,
        waba_id: Some("102290129340398".into()),
        tier_used: 0,
        tier_settled_at: None,
        manifest_key: "manifests/test.json".into(),
        expanded: true,
        stalled: false,
        last_progress_at: None,
        report_key: None,
        name: Some("Test".into()),
        created_by: "operator".into(),
        created_at: now,
        updated_at: now,
        finished_at: None,
    }
}

#[tokio::test]
async fn a_job_follows_its_state_machine_and_another_tenant_cannot_touch_it() {
    let stack = TestStack::start().await;
    let bulk = repo(&stack);
    let (wecare, globex) = (TenantId::parse("wecare").unwrap(), TenantId::parse("globex").unwrap());
    let j = job(&wecare, 10);
    assert!(bulk.create(&j).await.unwrap());
    assert!(!bulk.create(&j).await.unwrap(), "the same id twice is one job");

    let now = Utc::now();
    assert!(matches!(
        bulk.control(&wecare, &j.job_id, Control::Resume, now).await,
        Err(ControlError::Illegal(_))
    ));
    assert!(bulk.start(&wecare, &j.job_id, now).await.unwrap());
    assert!(!bulk.start(&wecare, &j.job_id, now).await.unwrap(), "started once");
    assert_eq!(
        bulk.control(&wecare, &j.job_id, Control::Pause, now)
            .await
            .unwrap()
            .status,
        JobStatus::Paused
    );
    assert!(matches!(
        bulk.control(&wecare, &j.job_id, Control::Pause, now).await,
        Err(ControlError::Illegal(e)) if e.from == JobStatus::Paused
    ));
    assert!(matches!(
        bulk.control(&globex, &j.job_id, Control::Cancel, now).await,
        Err(ControlError::NotFound)
    ));
    assert!(bulk.get(&globex, &j.job_id).await.unwrap().is_none());
    assert_eq!(
        bulk.control(&wecare, &j.job_id, Control::Resume, now)
            .await
            .unwrap()
            .status,
        JobStatus::Running
    );
    let jobs = bulk
        .list(&wecare, Some(JobStatus::Running), 10, None)
        .await
        .unwrap()
        .items;
    assert_eq!(
        jobs.iter().map(|j| j.job_id.as_str()).collect::<Vec<_>>(),
        [j.job_id.as_str()]
    );
    assert!(bulk.list(&globex, None, 10, None).await.unwrap().items.is_empty());
}

#[tokio::test]
async fn recipients_are_settled_at_most_once_and_the_job_completes_once() {
    let stack = TestStack::start().await;
    let bulk = repo(&stack);
    let messages = messages(&stack);
    let tenant = TenantId::parse("wecare").unwrap();
    let j = job(&tenant, 130);
    bulk.create(&j).await.unwrap();
    bulk.start(&tenant, &j.job_id, Utc::now()).await.unwrap();
    messages
        .register_campaign(&tenant, &j.job_id, j.created_at)
        .await
        .unwrap();
    let contacts: Vec<ContactId> = (0..130).map(|_| ContactId::new()).collect();

    // Every chunk delivered twice: each recipient is claimed, settled or closed once.
    let mut progress = Progress::new(130);
    for round in 0..2 {
        for (i, c) in contacts.iter().enumerate() {
            if i % 10 == 0 {
                let why = Exclusion::OptedOutByKeyword;
                let first = bulk
                    .close_recipient(
                        &tenant,
                        &j.job_id,
                        c,
                        RecipientStatus::Skipped,
                        Some(why.as_str()),
                        Utc::now(),
                    )
                    .await
                    .unwrap();
                assert_eq!(first, round == 0, "recipient {i}, delivery {round}");
                if first {
                    progress.record(RecipientOutcome::Skipped(why));
                }
                // A send that comes after finds the recipient closed.
                let claim = messages.claim(&bulk_message(&tenant, &j.job_id, *c)).await.unwrap();
                assert_eq!(claim, Claim::Closed(RecipientStatus::Skipped));
                continue;
            }
            let m = bulk_message(&tenant, &j.job_id, *c);
            match messages.claim(&m).await.unwrap() {
                Claim::Claimed { .. } => assert_eq!(round, 0, "recipient {i} claimed again"),
                Claim::Existing(existing) => {
                    assert_eq!(round, 1);
                    assert_ne!(existing.outcome, None, "settled the first time");
                    continue;
                }
                Claim::Closed(_) => panic!("recipient {i} was never closed"),
            }
            let failed = i % 10 == 1;
            let settled = messages
                .settle(
                    &m,
                    &Settlement {
                        status: if failed {
                            MessageStatus::Failed
                        } else {
                            MessageStatus::Sent
                        },
                        provider_message_id: (!failed).then(|| format!("wamid.{i}")),
                        error: failed.then(|| ProviderError {
                            code: "131026".into(),
                            message: "not a WhatsApp user".into(),
                        }),
                        at: Utc::now(),
                    },
                )
                .await
                .unwrap();
            progress.record(if failed {
                RecipientOutcome::Failed
            } else {
                RecipientOutcome::Sent
            });
            assert_eq!(settled.job_id.as_deref(), Some(j.job_id.as_str()));
            if i < 4 {
                // A settle answers the record as it is stored (built, not read back).
                let stored = messages.find(&tenant, &m.message_id).await.unwrap().unwrap();
                let fields = |m: &Message| {
                    (
                        m.status,
                        m.provider_message_id.clone(),
                        m.error.clone(),
                        m.outcome,
                        m.contact_id,
                    )
                };
                assert_eq!(fields(&settled), fields(&stored), "recipient {i}");
                let ms = |t: chrono::DateTime<Utc>| t.timestamp_millis();
                assert_eq!(settled.settled_at.map(ms), stored.settled_at.map(ms));
                assert_eq!(ms(settled.updated_at), ms(stored.updated_at));
            }
        }
    }
    assert!(progress.adds_up() && progress.pending == 0);
    // A cancellation after a recipient's send changes nothing.
    assert!(!bulk
        .close_recipient(
            &tenant,
            &j.job_id,
            &contacts[2],
            RecipientStatus::Cancelled,
            None,
            Utc::now()
        )
        .await
        .unwrap());
    // The message is its contact's, found by its id and in its timeline (which no index holds it in).
    let id = wecare_core::bulk::bulk_message_id(&j.job_id, &contacts[2]);
    assert_eq!(
        messages
            .find(&tenant, &id)
            .await
            .unwrap()
            .unwrap()
            .provider_message_id
            .as_deref(),
        Some("wamid.2")
    );
    let timeline = messages
        .list_for_contact(&tenant, &contacts[2], 20, None, Utc::now())
        .await
        .unwrap();
    assert_eq!(
        timeline.items.iter().map(|m| m.message_id.as_str()).collect::<Vec<_>>(),
        [id.as_str()]
    );
    assert!(messages
        .find(&TenantId::parse("globex").unwrap(), &id)
        .await
        .unwrap()
        .is_none());

    let ledger = bulk.ledger(&tenant, &j.job_id).await.unwrap();
    assert_eq!(ledger.len(), 130, "one entry per recipient");
    assert!(ledger.iter().all(|r| r.status != RecipientStatus::Pending));
    let count = |status| {
        let bulk = bulk.clone();
        let (tenant, id) = (tenant.clone(), j.job_id.clone());
        async move {
            let (mut n, mut after) = (0, None);
            loop {
                let page = bulk
                    .recipients(&tenant, &id, status, 50, after.as_deref())
                    .await
                    .unwrap();
                n += page.items.len();
                if page.next_cursor.is_none() {
                    return n;
                }
                after = page.next_cursor;
            }
        }
    };
    assert_eq!(count(RecipientStatus::Failed).await, 13);
    assert_eq!(count(RecipientStatus::Skipped).await, 13);
    assert_eq!(count(RecipientStatus::Sent).await, 104);

    let finish = |p: Progress| {
        let bulk = bulk.clone();
        let (tenant, id) = (tenant.clone(), j.job_id.clone());
        async move {
            bulk.finish(&tenant, &id, JobStatus::Running, &p, "reports/r.csv", Utc::now())
                .await
                .unwrap()
        }
    };
    assert!(finish(progress.clone()).await);
    assert!(!finish(progress.clone()).await, "completed once");
    let done = bulk.get(&tenant, &j.job_id).await.unwrap().unwrap();
    assert_eq!(done.status, JobStatus::CompletedWithFailures);
    assert_eq!(
        (done.progress.sent, done.progress.failed, done.progress.skipped_total()),
        (104, 13, 13)
    );
}
