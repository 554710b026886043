//! The bulk jobs store against moto: a job is created once, controls follow the state machine
//! with conditional writes (an illegal one is refused, another tenant's job is not found),
//! recipients are written in batches and settled at most once however often a chunk arrives, and
//! a job completes exactly once.

use std::collections::HashMap;

use chrono::Utc;
use serde_json::json;
use wecare_core::bulk::{Control, Exclusion, JobStatus, Progress, RecipientOutcome};
use wecare_core::tables::Table;
use wecare_core::{Channel, ContactId, TenantId};
use wecare_store::bulk::{BulkJob, BulkRecipient, ControlError, RecipientStatus, Settled};
use wecare_store::BulkRepo;
use wecare_tests::TestStack;

fn repo(stack: &TestStack) -> BulkRepo {
    BulkRepo::new(
        stack.dynamo(),
        stack.table(Table::BulkJobs),
        stack.table(Table::BulkRecipients),
    )
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
    let tenant = TenantId::parse("wecare").unwrap();
    let j = job(&tenant, 130);
    bulk.create(&j).await.unwrap();
    bulk.start(&tenant, &j.job_id, Utc::now()).await.unwrap();
    let recipients: Vec<BulkRecipient> = (0..130)
        .map(|i| BulkRecipient {
            job_id: j.job_id.clone(),
            tenant_id: tenant.clone(),
            contact_id: ContactId::new(),
            status: RecipientStatus::Pending,
            reason: None,
            message_id: None,
            provider_message_id: None,
            address: Some("+91••••••0001".into()),
            values: HashMap::from([("name".to_string(), format!("Customer {i}"))]),
            settled_at: None,
            tier_opened: false,
        })
        .collect();
    bulk.put_recipients(&recipients).await.unwrap();

    // Every chunk delivered twice: each recipient is settled once.
    let mut progress = Progress::new(130);
    for round in 0..2 {
        for (i, r) in recipients.iter().enumerate() {
            let (how, outcome) = match i % 10 {
                0 => (
                    Settled::skipped(Exclusion::OptedOutByKeyword),
                    RecipientOutcome::Skipped(Exclusion::OptedOutByKeyword),
                ),
                1 => (
                    Settled {
                        status: RecipientStatus::Failed,
                        reason: Some("131026".into()),
                        message_id: Some(format!("m{i}")),
                        provider_message_id: None,
                        tier_opened: false,
                    },
                    RecipientOutcome::Failed,
                ),
                _ => (
                    Settled {
                        status: RecipientStatus::Sent,
                        reason: None,
                        message_id: Some(format!("m{i}")),
                        provider_message_id: None,
                        tier_opened: false,
                    },
                    RecipientOutcome::Sent,
                ),
            };
            let first = bulk
                .settle_recipient(&tenant, &j.job_id, &r.contact_id, &how, Utc::now())
                .await
                .unwrap();
            assert_eq!(first.is_some(), round == 0, "recipient {i}, delivery {round}");
            if first.is_some() {
                progress.record(outcome);
            }
        }
    }
    assert!(progress.adds_up() && progress.pending == 0);
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
    assert!(
        bulk.pending(&tenant, &j.job_id).await.unwrap().is_empty(),
        "nobody left pending"
    );
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
