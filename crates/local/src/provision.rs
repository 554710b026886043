//! Creating every resource of the product in the embedded AWS.
//!
//! Tables come from `wecare_core::tables` (the definition the CDK app reads too); the rest
//! mirrors the specification: four queues with redrive, the inbound-events and alerts topics, the
//! media and report buckets, the SES sender identity, and a Cognito user pool with the three role
//! groups, a `custom:tenant_id` attribute, an app client allowing USER_PASSWORD_AUTH, and the seed
//! users. Creating what already exists is not an error, so provisioning can be re-run.

use std::collections::BTreeMap;

use anyhow::Context;
use aws_config::SdkConfig;
use aws_sdk_cognitoidentityprovider::types::{
    AttributeDataType, AttributeType, ExplicitAuthFlowsType, MessageActionType, SchemaAttributeType,
    UsernameAttributeType,
};
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection, ProjectionType,
    ScalarAttributeType, TimeToLiveSpecification,
};
use aws_sdk_s3::types::{CorsConfiguration, CorsRule};
use aws_sdk_sqs::types::QueueAttributeName;
use serde::Serialize;
use wecare_core::tables::{Table, TableDef};

use crate::aws::{s3_client, REGION};
use crate::seed::{self, SeedUser};

/// Everything that was provisioned, as tools and tests need to find it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Resources {
    pub aws_endpoint: String,
    pub region: String,
    pub prefix: String,
    pub tables: BTreeMap<String, String>,
    pub queues: BTreeMap<String, String>,
    pub sns_topic_arn: String,
    pub alerts_topic_arn: String,
    pub media_bucket: String,
    pub reports_bucket: String,
    pub ses_sender: String,
    pub user_pool_id: String,
    pub user_pool_client_id: String,
    pub users: Vec<SeedUser>,
}

impl Resources {
    pub fn issuer(&self) -> String {
        format!(
            "https://cognito-idp.{}.amazonaws.com/{}",
            self.region, self.user_pool_id
        )
    }

    pub fn jwks_url(&self) -> String {
        format!("{}/{}/.well-known/jwks.json", self.aws_endpoint, self.user_pool_id)
    }

    pub fn table(&self, t: Table) -> String {
        t.physical_name(&self.prefix)
    }

    /// The console's settings: where the API is and how to sign in.
    pub fn console_config(&self) -> serde_json::Value {
        serde_json::json!({
            "apiBase": "/api",
            "region": self.region,
            "cognitoEndpoint": self.aws_endpoint,
            "userPoolId": self.user_pool_id,
            "userPoolClientId": self.user_pool_client_id,
        })
    }

    /// The environment every function gets, as the CDK app sets it in production.
    pub fn function_env(&self) -> BTreeMap<String, String> {
        let mut env: BTreeMap<String, String> = Table::ALL
            .iter()
            .map(|t| (t.def().env_var.to_string(), self.table(*t)))
            .collect();
        env.insert("DEFAULT_PHONE_REGION".into(), "IN".into());
        // Every seeded user carries custom:tenant_id; a token without one is refused.
        env.insert("TENANCY".into(), "multi".into());
        env.insert("COGNITO_ISSUER".into(), self.issuer());
        env.insert("COGNITO_CLIENT_IDS".into(), self.user_pool_client_id.clone());
        env.insert("JWKS_URL".into(), self.jwks_url());
        // Locally the sandbox is the provider, so LIVE exercises the whole path without AWS.
        env.insert("SEND_MODE".into(), "LIVE".into());
        env.insert("ENVIRONMENT".into(), "local".into());
        env.insert("SENDERS".into(), seed::senders().to_string());
        env.insert("WHATSAPP_META_API_VERSION".into(), "v20.0".into());
        env.insert("RATE_WHATSAPP_PER_SECOND".into(), "80".into());
        env.insert("RATE_SMS_PER_SECOND".into(), "5".into());
        env.insert("RATE_EMAIL_PER_SECOND".into(), "10".into());
        env.insert("MEDIA_BUCKET".into(), self.media_bucket.clone());
        env.insert("WHATSAPP_TIER_LIMIT".into(), "250".into());
        env.insert("ALERTS_TOPIC_ARN".into(), self.alerts_topic_arn.clone());
        // Every queue's URL, as the CDK app gives every function (Messaging's environment).
        env.insert("INBOUND_DLQ_URL".into(), self.queues["inbound-dlq"].clone());
        env.insert("BULK_QUEUE_URL".into(), self.queues["bulk-queue"].clone());
        env.insert("BULK_DLQ_URL".into(), self.queues["bulk-dlq"].clone());
        env.insert("OUTBOUND_DLQ_URL".into(), self.queues["outbound-dlq"].clone());
        env.insert("AI_QUEUE_URL".into(), self.queues["ai-queue"].clone());
        // The sandbox's knowledge base and agent; the model RetrieveAndGenerate is asked to use.
        env.insert("AI_KNOWLEDGE_BASE_ID".into(), seed::KNOWLEDGE_BASE_ID.into());
        env.insert("AI_AGENT_ID".into(), seed::AGENT_ID.into());
        env.insert("AI_AGENT_ALIAS_ID".into(), seed::AGENT_ALIAS_ID.into());
        env.insert(
            "AI_MODEL_ARN".into(),
            format!("arn:aws:bedrock:{}::foundation-model/amazon.nova-pro-v1:0", self.region),
        );
        env.insert("REPORTS_BUCKET".into(), self.reports_bucket.clone());
        // The team's user pool; locally Cognito sends no mail, so an invite's temporary password
        // is shown once to the inviting Admin (in AWS the CDK app sets EMAIL: Cognito sends it).
        env.insert("USER_POOL_ID".into(), self.user_pool_id.clone());
        env.insert("INVITE_DELIVERY".into(), "SHOW_ONCE".into());
        env
    }
}

/// Provisions everything under `prefix` (e.g. `wecare-local-`), seeding `users`.
pub async fn provision(
    sdk: &SdkConfig,
    endpoint: &str,
    prefix: &str,
    users: Vec<SeedUser>,
) -> anyhow::Result<Resources> {
    let dynamo = aws_sdk_dynamodb::Client::new(sdk);
    for t in Table::ALL {
        create_table(&dynamo, &t.def(), &t.physical_name(prefix)).await?;
    }
    let queues = create_queues(&aws_sdk_sqs::Client::new(sdk), prefix).await?;

    let sns = aws_sdk_sns::Client::new(sdk);
    let topic = |name: String| {
        let sns = sns.clone();
        async move {
            let out = sns
                .create_topic()
                .name(&name)
                .send()
                .await
                .with_context(|| format!("create topic {name}"))?;
            anyhow::Ok(out.topic_arn.unwrap_or_default())
        }
    };
    let sns_topic_arn = topic(format!("{prefix}whatsapp-events")).await?;
    let alerts_topic_arn = topic(format!("{prefix}alerts")).await?;
    let mut queues = queues;
    let events_queue =
        subscribe_events_queue(&aws_sdk_sqs::Client::new(sdk), &sns, prefix, &sns_topic_arn, &queues).await?;
    queues.insert("whatsapp-events".to_string(), events_queue);

    let s3 = s3_client(sdk);
    let (media_bucket, reports_bucket) = (format!("{prefix}media"), format!("{prefix}reports"));
    for b in [&media_bucket, &reports_bucket] {
        if let Err(e) = s3.create_bucket().bucket(b).send().await {
            let owned = e
                .as_service_error()
                .is_some_and(|s| s.is_bucket_already_owned_by_you() || s.is_bucket_already_exists());
            if !owned {
                return Err(e).with_context(|| format!("create bucket {b}"));
            }
        }
    }
    // The console uploads files straight to the media bucket (a presigned PUT) and shows them
    // from it (presigned GET), from its own origin: the browser sends a CORS preflight, which
    // moto answers from the bucket's CORS configuration as S3 does. In AWS the media bucket is
    // imported, not created by the stack, and its CORS rule is the operator's to set.
    let cors = CorsConfiguration::builder()
        .cors_rules(
            CorsRule::builder()
                .allowed_origins("*")
                .allowed_methods("PUT")
                .allowed_methods("GET")
                .allowed_headers("Content-Type")
                .max_age_seconds(300)
                .build()
                .context("media bucket CORS rule")?,
        )
        .build()
        .context("media bucket CORS configuration")?;
    // The same for the reports bucket: operators upload recipient CSVs to it and download reports.
    for bucket in [&media_bucket, &reports_bucket] {
        s3.put_bucket_cors()
            .bucket(bucket)
            .cors_configuration(cors.clone())
            .send()
            .await
            .with_context(|| format!("put CORS on bucket {bucket}"))?;
    }

    let ses_sender = seed::WECARE_EMAIL.to_string();
    let ses = aws_sdk_sesv2::Client::new(sdk);
    for identity in [seed::WECARE_EMAIL, seed::GLOBEX_EMAIL] {
        if let Err(e) = ses.create_email_identity().email_identity(identity).send().await {
            if !e.as_service_error().is_some_and(|s| s.is_already_exists_exception()) {
                return Err(e).context("create SES identity");
            }
        }
    }

    let (user_pool_id, user_pool_client_id) =
        create_user_pool(&aws_sdk_cognitoidentityprovider::Client::new(sdk), prefix, &users).await?;

    Ok(Resources {
        aws_endpoint: endpoint.to_string(),
        region: REGION.to_string(),
        prefix: prefix.to_string(),
        tables: Table::ALL
            .iter()
            .map(|t| (t.name().to_string(), t.physical_name(prefix)))
            .collect(),
        queues,
        sns_topic_arn,
        alerts_topic_arn,
        media_bucket,
        reports_bucket,
        ses_sender,
        user_pool_id,
        user_pool_client_id,
        users,
    })
}

async fn create_table(client: &aws_sdk_dynamodb::Client, def: &TableDef, name: &str) -> anyhow::Result<()> {
    let string_attr = |n: &str| {
        AttributeDefinition::builder()
            .attribute_name(n)
            .attribute_type(ScalarAttributeType::S)
            .build()
    };
    let key = |n: &str, t: KeyType| KeySchemaElement::builder().attribute_name(n).key_type(t).build();
    let mut attrs = vec![string_attr(def.partition_key)?, string_attr(def.sort_key)?];
    let mut gsis = Vec::new();
    for g in &def.gsis {
        attrs.push(string_attr(g.partition_key)?);
        attrs.push(string_attr(g.sort_key)?);
        gsis.push(
            GlobalSecondaryIndex::builder()
                .index_name(g.name)
                .key_schema(key(g.partition_key, KeyType::Hash)?)
                .key_schema(key(g.sort_key, KeyType::Range)?)
                .projection(
                    Projection::builder()
                        .projection_type(match g.projection {
                            wecare_core::tables::Projection::All => ProjectionType::All,
                            wecare_core::tables::Projection::KeysOnly => ProjectionType::KeysOnly,
                        })
                        .build(),
                )
                .build()?,
        );
    }
    let created = client
        .create_table()
        .table_name(name)
        .billing_mode(BillingMode::PayPerRequest)
        .set_attribute_definitions(Some(attrs))
        .key_schema(key(def.partition_key, KeyType::Hash)?)
        .key_schema(key(def.sort_key, KeyType::Range)?)
        .set_global_secondary_indexes((!gsis.is_empty()).then_some(gsis))
        .send()
        .await;
    if let Err(e) = created {
        if e.as_service_error().is_some_and(|s| s.is_resource_in_use_exception()) {
            return Ok(());
        }
        return Err(e).with_context(|| format!("create table {name}"));
    }
    if let Some(attr) = def.ttl_attribute {
        client
            .update_time_to_live()
            .table_name(name)
            .time_to_live_specification(
                TimeToLiveSpecification::builder()
                    .attribute_name(attr)
                    .enabled(true)
                    .build()?,
            )
            .send()
            .await
            .with_context(|| format!("enable TTL on {name}"))?;
    }
    Ok(())
}

/// In AWS, SNS invokes the inbound handler asynchronously and Lambda retries, then sends the
/// event to `inbound-dlq`. Locally an SQS queue subscribed to the topic stands in for that
/// invocation path: the pump receives from it, a failure leaves the message to reappear, and
/// after three receives SQS moves it to `inbound-dlq`.
async fn subscribe_events_queue(
    sqs: &aws_sdk_sqs::Client,
    sns: &aws_sdk_sns::Client,
    prefix: &str,
    topic_arn: &str,
    queues: &BTreeMap<String, String>,
) -> anyhow::Result<String> {
    let arn_of = |url: String| async move {
        let out = sqs
            .get_queue_attributes()
            .queue_url(&url)
            .attribute_names(QueueAttributeName::QueueArn)
            .send()
            .await;
        anyhow::Ok(
            out.context("queue arn")?
                .attributes
                .and_then(|mut a| a.remove(&QueueAttributeName::QueueArn))
                .unwrap_or_default(),
        )
    };
    let dlq_arn = arn_of(queues["inbound-dlq"].clone()).await?;
    let redrive = serde_json::json!({ "deadLetterTargetArn": dlq_arn, "maxReceiveCount": 3 }).to_string();
    let url = sqs
        .create_queue()
        .queue_name(format!("{prefix}whatsapp-events"))
        .attributes(QueueAttributeName::RedrivePolicy, redrive)
        .attributes(QueueAttributeName::VisibilityTimeout, "2")
        .send()
        .await
        .context("create queue whatsapp-events")?
        .queue_url
        .unwrap_or_default();
    let queue_arn = arn_of(url.clone()).await?;
    sns.subscribe()
        .topic_arn(topic_arn)
        .protocol("sqs")
        .endpoint(queue_arn)
        .send()
        .await
        .context("subscribe events queue")?;
    Ok(url)
}

/// `inbound-dlq`, `bulk-queue` → `bulk-dlq`, `outbound-dlq`, `ai-queue`; returns logical name → queue URL.
async fn create_queues(sqs: &aws_sdk_sqs::Client, prefix: &str) -> anyhow::Result<BTreeMap<String, String>> {
    let mut urls = BTreeMap::new();
    let fourteen_days = (14 * 24 * 3600).to_string();
    for name in ["inbound-dlq", "bulk-dlq", "outbound-dlq"] {
        let out = sqs
            .create_queue()
            .queue_name(format!("{prefix}{name}"))
            .attributes(QueueAttributeName::MessageRetentionPeriod, &fourteen_days)
            .send()
            .await
            .with_context(|| format!("create queue {name}"))?;
        urls.insert(name.to_string(), out.queue_url.unwrap_or_default());
    }
    let dlq_arn = sqs
        .get_queue_attributes()
        .queue_url(&urls["bulk-dlq"])
        .attribute_names(QueueAttributeName::QueueArn)
        .send()
        .await
        .context("bulk-dlq arn")?
        .attributes
        .and_then(|mut a| a.remove(&QueueAttributeName::QueueArn))
        .unwrap_or_default();
    let redrive = serde_json::json!({ "deadLetterTargetArn": dlq_arn, "maxReceiveCount": 5 }).to_string();
    let out = sqs
        .create_queue()
        .queue_name(format!("{prefix}bulk-queue"))
        .attributes(QueueAttributeName::RedrivePolicy, redrive)
        // Six times the bulk worker's timeout in the local stack, as Lambda's SQS integration
        // requires.
        .attributes(
            QueueAttributeName::VisibilityTimeout,
            (crate::bulk_pump::WORKER_TIMEOUT.as_secs() * 6).to_string(),
        )
        .send()
        .await
        .context("create queue bulk-queue")?;
    urls.insert("bulk-queue".to_string(), out.queue_url.unwrap_or_default());
    // Automatic drafts: no dead-letter queue, as a draft late by more than a few tries is of no
    // use; `ai-generate-response` gives a request up itself after three receives.
    let out = sqs
        .create_queue()
        .queue_name(format!("{prefix}ai-queue"))
        .attributes(QueueAttributeName::MessageRetentionPeriod, "3600")
        .attributes(
            QueueAttributeName::VisibilityTimeout,
            (crate::bulk_pump::AI_TIMEOUT.as_secs() * 6).to_string(),
        )
        .send()
        .await
        .context("create queue ai-queue")?;
    urls.insert("ai-queue".to_string(), out.queue_url.unwrap_or_default());
    Ok(urls)
}

async fn create_user_pool(
    cognito: &aws_sdk_cognitoidentityprovider::Client,
    prefix: &str,
    users: &[SeedUser],
) -> anyhow::Result<(String, String)> {
    let pool = cognito
        .create_user_pool()
        .pool_name(format!("{prefix}users"))
        .username_attributes(UsernameAttributeType::Email)
        .schema(
            SchemaAttributeType::builder()
                .name("tenant_id")
                .attribute_data_type(AttributeDataType::String)
                .mutable(true)
                .build(),
        )
        .send()
        .await
        .context("create user pool")?
        .user_pool
        .and_then(|p| p.id)
        .context("user pool id")?;
    let client_id = cognito
        .create_user_pool_client()
        .user_pool_id(&pool)
        .client_name("console")
        .generate_secret(false)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowUserPasswordAuth)
        .explicit_auth_flows(ExplicitAuthFlowsType::AllowRefreshTokenAuth)
        .read_attributes("email")
        .read_attributes("custom:tenant_id")
        .send()
        .await
        .context("create app client")?
        .user_pool_client
        .and_then(|c| c.client_id)
        .context("app client id")?;
    for group in ["Viewer", "Operator", "Admin"] {
        cognito
            .create_group()
            .user_pool_id(&pool)
            .group_name(group)
            .send()
            .await
            .context("create group")?;
    }
    for u in users {
        let mut attrs = vec![
            AttributeType::builder().name("email").value(&u.email).build()?,
            AttributeType::builder().name("email_verified").value("true").build()?,
        ];
        attrs.push(
            AttributeType::builder()
                .name("custom:tenant_id")
                .value(&u.tenant_id)
                .build()?,
        );
        cognito
            .admin_create_user()
            .user_pool_id(&pool)
            .username(&u.email)
            .set_user_attributes(Some(attrs))
            .message_action(MessageActionType::Suppress)
            .send()
            .await
            .with_context(|| format!("create user {}", u.email))?;
        cognito
            .admin_set_user_password()
            .user_pool_id(&pool)
            .username(&u.email)
            .password(&u.password)
            .permanent(true)
            .send()
            .await
            .context("set password")?;
        cognito
            .admin_add_user_to_group()
            .user_pool_id(&pool)
            .username(&u.email)
            .group_name(u.role.as_str())
            .send()
            .await
            .context("add to group")?;
    }
    Ok((pool, client_id))
}
