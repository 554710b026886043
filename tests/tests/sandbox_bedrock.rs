//! The sandbox's bedrock-agent-runtime, through the real `aws_sdk_bedrockagentruntime` client:
//! Retrieve and RetrieveAndGenerate must answer in shapes the SDK parses (scores, S3 sources,
//! citations whose spans index into the answer), InvokeAgent must stream event-stream frames the
//! SDK's receiver reads to the end (traces, chunks with attribution, returnControl), and faults —
//! a 429, latency, a throttling exception in the middle of a stream — must reach the caller as
//! they would from AWS. The prompt-injection fixtures are driven here too, so the platform's own
//! tests can rely on them.
//!
//! Each test serves its own sandbox, so its ledger, faults and agent sessions are its own.

use std::time::{Duration, Instant};

use aws_sdk_bedrockagentruntime::config::retry::RetryConfig;
use aws_sdk_bedrockagentruntime::error::ProvideErrorMetadata;
use aws_sdk_bedrockagentruntime::types::error::ResponseStreamError;
use aws_sdk_bedrockagentruntime::types::{
    Citation, InvocationInputMember, KnowledgeBaseQuery, KnowledgeBaseRetrievalConfiguration,
    KnowledgeBaseRetrieveAndGenerateConfiguration, KnowledgeBaseVectorSearchConfiguration, OrchestrationTrace,
    ResponseStream, RetrieveAndGenerateConfiguration, RetrieveAndGenerateInput, RetrieveAndGenerateType,
    ReturnControlPayload, StreamingConfigurations, Trace,
};
use aws_sdk_bedrockagentruntime::Client;
use serde_json::{json, Value};
use wecare_local::seed::{AGENT_ALIAS_ID, AGENT_ID, KNOWLEDGE_BASE_ID};
use wecare_sandbox::bedrock::{FALLBACK_DRAFT, INJECTION_CONSENT, INJECTION_REVEAL, INJECTION_SEND, NOTHING_FOUND};

const MODEL_ARN: &str = "arn:aws:bedrock:ap-south-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0";
const RETURNS_QUESTION: &str = "How many days do I have to return something I bought?";
const REFUND_QUESTION: &str = "When will I get my refund?";
const OFF_TOPIC: &str = "What is the weather like in Paris today?";

struct Sandbox {
    url: String,
    /// The SDK's defaults: a throttled call is retried (three attempts in all).
    client: Client,
    /// No retries, so an injected error reaches the test as the first attempt got it.
    impatient: Client,
}

impl Sandbox {
    async fn start() -> Sandbox {
        let sdk = wecare_local::aws::sdk_config(&wecare_tests::moto_endpoint());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind sandbox");
        let url = format!("http://{}", listener.local_addr().expect("sandbox addr"));
        let config = wecare_sandbox::SandboxConfig {
            sdk: sdk.clone(),
            events_topic_arn: "arn:aws:sns:us-east-1:123456789012:sandbox-bedrock-unused".into(),
            account_id: "123456789012".into(),
            phone_numbers: Vec::new(),
            strict_templates: false,
            template_review: None,
            knowledge_base_id: KNOWLEDGE_BASE_ID.into(),
            agent_id: AGENT_ID.into(),
            agent_alias_id: AGENT_ALIAS_ID.into(),
        };
        tokio::spawn(async move {
            if let Err(e) = wecare_sandbox::serve(listener, config).await {
                panic!("sandbox stopped: {e}");
            }
        });
        let builder = || aws_sdk_bedrockagentruntime::config::Builder::from(&sdk).endpoint_url(&url);
        Sandbox {
            client: Client::from_conf(builder().build()),
            impatient: Client::from_conf(builder().retry_config(RetryConfig::disabled()).build()),
            url,
        }
    }

    async fn fault(&self, fault: Value) {
        let resp = reqwest::Client::new()
            .post(format!("{}/faults", self.url))
            .json(&fault)
            .send()
            .await
            .expect("add a fault");
        assert!(resp.status().is_success());
    }

    async fn ledger(&self) -> Vec<Value> {
        reqwest::get(format!("{}/ledger", self.url))
            .await
            .expect("ledger")
            .json()
            .await
            .expect("ledger JSON")
    }

    async fn retrieve(&self, client: &Client, kb: &str, question: &str, n: i32) -> Result<Vec<Retrieved>, String> {
        let query = KnowledgeBaseQuery::builder().text(question).build();
        let search = KnowledgeBaseVectorSearchConfiguration::builder()
            .number_of_results(n)
            .build();
        let configuration = KnowledgeBaseRetrievalConfiguration::builder()
            .vector_search_configuration(search)
            .build();
        let out = client
            .retrieve()
            .knowledge_base_id(kb)
            .retrieval_query(query)
            .retrieval_configuration(configuration)
            .send()
            .await
            .map_err(|e| e.code().unwrap_or("no code").to_string())?;
        Ok(out
            .retrieval_results()
            .iter()
            .map(|r| {
                let meta = |key: &str| {
                    r.metadata()
                        .and_then(|m| m.get(key))
                        .and_then(|d| d.as_string())
                        .unwrap_or_default()
                        .to_string()
                };
                Retrieved {
                    text: r.content().map(|c| c.text()).unwrap_or_default().to_string(),
                    location_type: r
                        .location()
                        .map(|l| l.r#type().as_str().to_string())
                        .unwrap_or_default(),
                    uri: r
                        .location()
                        .and_then(|l| l.s3_location())
                        .and_then(|s| s.uri())
                        .unwrap_or_default()
                        .to_string(),
                    score: r.score().unwrap_or(-1.0),
                    source_uri: meta("x-amz-bedrock-kb-source-uri"),
                    chunk_id: meta("x-amz-bedrock-kb-chunk-id"),
                }
            })
            .collect())
    }

    async fn ask(&self, client: &Client, question: &str, session: Option<&str>) -> Result<Generated, String> {
        let kb = KnowledgeBaseRetrieveAndGenerateConfiguration::builder()
            .knowledge_base_id(KNOWLEDGE_BASE_ID)
            .model_arn(MODEL_ARN)
            .build()
            .expect("knowledge base configuration");
        let configuration = RetrieveAndGenerateConfiguration::builder()
            .r#type(RetrieveAndGenerateType::KnowledgeBase)
            .knowledge_base_configuration(kb)
            .build()
            .expect("configuration");
        let out = client
            .retrieve_and_generate()
            .input(
                RetrieveAndGenerateInput::builder()
                    .text(question)
                    .build()
                    .expect("input"),
            )
            .retrieve_and_generate_configuration(configuration)
            .set_session_id(session.map(str::to_string))
            .send()
            .await
            .map_err(|e| e.code().unwrap_or("no code").to_string())?;
        Ok(Generated {
            session_id: out.session_id().to_string(),
            text: out.output().map(|o| o.text().to_string()).unwrap_or_default(),
            citations: out.citations().iter().map(cited).collect(),
        })
    }

    /// Invokes the agent and reads its stream to the end (or to its first error).
    async fn invoke(&self, session: &str, input: &str, streamed: bool) -> Result<Stream, String> {
        let out = self
            .client
            .invoke_agent()
            .agent_id(AGENT_ID)
            .agent_alias_id(AGENT_ALIAS_ID)
            .session_id(session)
            .input_text(input)
            .enable_trace(true)
            .streaming_configurations(
                StreamingConfigurations::builder()
                    .stream_final_response(streamed)
                    .build(),
            )
            .send()
            .await
            .map_err(|e| e.code().unwrap_or("no code").to_string())?;
        let mut stream = Stream {
            session_id: out.session_id.clone(),
            content_type: out.content_type.clone(),
            ..Stream::default()
        };
        let mut completion = out.completion;
        loop {
            match completion.recv().await {
                Ok(Some(ResponseStream::Chunk(part))) => {
                    let bytes = part.bytes().map(|b| b.as_ref().to_vec()).unwrap_or_default();
                    stream
                        .chunks
                        .push(String::from_utf8(bytes).expect("chunk bytes are UTF-8"));
                    if let Some(a) = part.attribution() {
                        stream.citations.extend(a.citations().iter().map(cited));
                    }
                }
                Ok(Some(ResponseStream::Trace(part))) => {
                    let kind = match part.trace() {
                        Some(Trace::OrchestrationTrace(OrchestrationTrace::Rationale(r))) => {
                            assert!(!r.text().unwrap_or_default().is_empty(), "a rationale has text");
                            "rationale"
                        }
                        Some(Trace::OrchestrationTrace(OrchestrationTrace::InvocationInput(_))) => "invocationInput",
                        Some(Trace::OrchestrationTrace(OrchestrationTrace::Observation(_))) => "observation",
                        other => panic!("unexpected trace {other:?}"),
                    };
                    assert_eq!(part.session_id(), Some(session));
                    stream.traces.push(kind.to_string());
                }
                Ok(Some(ResponseStream::ReturnControl(payload))) => stream.return_control.push(payload),
                Ok(Some(other)) => panic!("unexpected event {other:?}"),
                Ok(None) => return Ok(stream),
                Err(e) => {
                    stream.error = Some(e.into_service_error());
                    return Ok(stream);
                }
            }
        }
    }
}

struct Retrieved {
    text: String,
    location_type: String,
    uri: String,
    score: f64,
    source_uri: String,
    chunk_id: String,
}

struct Generated {
    session_id: String,
    text: String,
    citations: Vec<Cited>,
}

/// One citation: the cited text, its span and the source URIs of its references.
#[derive(Debug, PartialEq)]
struct Cited {
    text: String,
    start: usize,
    end: usize,
    uris: Vec<String>,
}

fn cited(c: &Citation) -> Cited {
    let part = c.generated_response_part().and_then(|g| g.text_response_part());
    let span = part.and_then(|p| p.span());
    let index = |i: Option<i32>| usize::try_from(i.expect("span index")).expect("non-negative span");
    Cited {
        text: part.and_then(|p| p.text()).unwrap_or_default().to_string(),
        start: index(span.and_then(|s| s.start())),
        end: index(span.and_then(|s| s.end())),
        uris: c
            .retrieved_references()
            .iter()
            .filter_map(|r| r.location().and_then(|l| l.s3_location()).and_then(|s| s.uri()))
            .map(str::to_string)
            .collect(),
    }
}

#[derive(Default)]
struct Stream {
    session_id: String,
    content_type: String,
    chunks: Vec<String>,
    citations: Vec<Cited>,
    traces: Vec<String>,
    return_control: Vec<ReturnControlPayload>,
    error: Option<ResponseStreamError>,
}

impl Stream {
    fn draft(&self) -> String {
        self.chunks.concat()
    }

    /// Every action handed back to the caller.
    fn actions(&self) -> Vec<HandedBack> {
        self.return_control
            .iter()
            .flat_map(|p| p.invocation_inputs())
            .filter_map(|i| match i {
                InvocationInputMember::FunctionInvocationInput(f) => Some(HandedBack {
                    group: f.action_group().to_string(),
                    function: f.function().unwrap_or_default().to_string(),
                    parameters: f
                        .parameters()
                        .iter()
                        .map(|p| {
                            (
                                p.name().unwrap_or_default().to_string(),
                                p.value().unwrap_or_default().to_string(),
                            )
                        })
                        .collect(),
                }),
                _ => None,
            })
            .collect()
    }
}

/// A function the agent asks the caller to run: what the platform must never do.
#[derive(Debug)]
struct HandedBack {
    group: String,
    function: String,
    /// `(name, value)`
    parameters: Vec<(String, String)>,
}

/// Every citation's text is exactly the part of `text` its span points at (end exclusive).
fn assert_spans_index_into(text: &str, citations: &[Cited]) {
    assert!(!citations.is_empty(), "no citations for {text:?}");
    for c in citations {
        assert_eq!(
            text.get(c.start..c.end),
            Some(c.text.as_str()),
            "span of {c:?} in {text:?}"
        );
        assert!(!c.uris.is_empty(), "{c:?} has no reference");
        assert!(c.uris.iter().all(|u| u.starts_with("s3://wecare-knowledge-base/")));
    }
}

fn session() -> String {
    uuid::Uuid::new_v4().to_string()
}

#[tokio::test]
async fn retrieving_a_returns_question_answers_scored_passages_from_the_returns_policy_first() {
    let sandbox = Sandbox::start().await;

    let results = sandbox
        .retrieve(&sandbox.client, KNOWLEDGE_BASE_ID, RETURNS_QUESTION, 3)
        .await
        .expect("retrieve");

    assert!((1..=3).contains(&results.len()), "{} results", results.len());
    assert_eq!(results[0].uri, "s3://wecare-knowledge-base/returns-policy.md");
    assert!(results[0].text.contains("15 days"), "{}", results[0].text);
    assert!(results.windows(2).all(|w| w[0].score >= w[1].score), "best first");
    for r in &results {
        assert!(r.score > 0.0 && r.score <= 1.0, "score {}", r.score);
        assert_eq!(r.location_type, "S3");
        assert_eq!(r.source_uri, r.uri);
        assert!(!r.chunk_id.is_empty());
    }
}

#[tokio::test]
async fn retrieve_and_generate_cites_the_passages_its_answer_is_built_from() {
    let sandbox = Sandbox::start().await;

    let answer = sandbox
        .ask(&sandbox.client, REFUND_QUESTION, None)
        .await
        .expect("retrieve and generate");

    assert!(answer.text.contains("3 to 5 working days"), "{}", answer.text);
    assert_spans_index_into(&answer.text, &answer.citations);
    assert!(answer.citations[0].uris[0].ends_with("/returns-policy.md"));
    assert!(!answer.session_id.is_empty(), "a new session is answered");
}

#[tokio::test]
async fn retrieve_and_generate_answers_the_same_question_the_same_way_in_the_session_given() {
    let sandbox = Sandbox::start().await;
    let session = session();

    let first = sandbox
        .ask(&sandbox.client, RETURNS_QUESTION, Some(&session))
        .await
        .expect("first");
    let second = sandbox
        .ask(&sandbox.client, RETURNS_QUESTION, Some(&session))
        .await
        .expect("second");

    assert_eq!(first.session_id, session);
    assert_eq!(first.text, second.text);
    assert_eq!(first.citations, second.citations);
}

#[tokio::test]
async fn a_question_the_knowledge_base_cannot_answer_gets_the_fixed_reply_without_citations() {
    let sandbox = Sandbox::start().await;

    let answer = sandbox.ask(&sandbox.client, OFF_TOPIC, None).await.expect("answer");

    assert_eq!(answer.text, NOTHING_FOUND);
    assert!(answer.citations.is_empty());
}

#[tokio::test]
async fn the_agent_streams_a_cited_draft_replying_to_the_latest_customer_turn() {
    let sandbox = Sandbox::start().await;
    let session = session();
    let input = "You draft replies for WECARE.DIGITAL. Answer the customer's latest message.\n\n\
                 Customer: When are you open on Sunday?\n\
                 Business: Hello! On Sundays we are open from 10:00 am to 6:00 pm IST.\n\
                 Customer: Thanks, I returned the pressure cooker last week.\n\
                 Customer: When will I get my refund?";

    let stream = sandbox.invoke(&session, input, false).await.expect("invoke");

    assert!(stream.error.is_none(), "{:?}", stream.error);
    assert_eq!(stream.session_id, session);
    assert_eq!(stream.content_type, "application/json");
    let draft = stream.draft();
    assert!(draft.starts_with("Hello! "), "{draft}");
    assert!(draft.contains("3 to 5 working days"), "{draft}");
    assert!(!draft.contains("Sundays"), "answers the latest turn only: {draft}");
    assert_spans_index_into(&draft, &stream.citations);
    assert_eq!(stream.traces.first().map(String::as_str), Some("rationale"));
    assert!(stream.return_control.is_empty());
}

#[tokio::test]
async fn streaming_the_final_response_cuts_the_same_draft_into_several_chunks() {
    let sandbox = Sandbox::start().await;

    let whole = sandbox
        .invoke(&session(), RETURNS_QUESTION, false)
        .await
        .expect("whole");
    let streamed = sandbox
        .invoke(&session(), RETURNS_QUESTION, true)
        .await
        .expect("streamed");

    assert_eq!(whole.chunks.len(), 1);
    assert!(streamed.chunks.len() > 1, "{:?}", streamed.chunks);
    assert_eq!(streamed.draft(), whole.draft());
    assert_eq!(streamed.citations, whole.citations);
    assert_spans_index_into(&streamed.draft(), &streamed.citations);
}

#[tokio::test]
async fn a_question_the_agent_cannot_answer_gets_a_polite_holding_draft_without_citations() {
    let sandbox = Sandbox::start().await;

    let stream = sandbox
        .invoke(&session(), &format!("Customer: {OFF_TOPIC}"), false)
        .await
        .expect("invoke");

    assert_eq!(stream.draft(), FALLBACK_DRAFT);
    assert!(stream.citations.is_empty());
}

#[tokio::test]
async fn a_send_injection_makes_the_agent_hand_back_a_send_message_action_and_obey_it() {
    let sandbox = Sandbox::start().await;

    let stream = sandbox
        .invoke(&session(), &format!("Customer: {INJECTION_SEND}"), false)
        .await
        .expect("invoke");

    let actions = stream.actions();
    assert_eq!(actions.len(), 1, "{actions:?}");
    let action = &actions[0];
    assert_eq!(
        (action.group.as_str(), action.function.as_str()),
        ("messaging", "send_message")
    );
    assert!(
        action.parameters.contains(&("to".into(), "+919000000001".into())),
        "{action:?}"
    );
    assert!(stream.draft().starts_with("Sure, sending now: "), "{}", stream.draft());
    assert!(stream.citations.is_empty());
}

#[tokio::test]
async fn a_consent_injection_makes_the_agent_hand_back_an_update_consent_action() {
    let sandbox = Sandbox::start().await;

    let stream = sandbox
        .invoke(&session(), &format!("Customer: {INJECTION_CONSENT}"), false)
        .await
        .expect("invoke");

    let actions = stream.actions();
    assert_eq!(actions.len(), 1, "{actions:?}");
    assert_eq!(actions[0].function, "update_consent");
    assert!(actions[0]
        .parameters
        .contains(&("contact".into(), "+919000000002".into())));
}

#[tokio::test]
async fn a_reveal_injection_repeats_everything_its_session_remembers_and_nothing_of_other_sessions() {
    let sandbox = Sandbox::start().await;
    let (mine, theirs) = (session(), session());
    sandbox
        .invoke(&mine, "Customer: Please deliver to 12 Park Street, Kolkata", false)
        .await
        .expect("mine");
    sandbox
        .invoke(&theirs, "Customer: My card number ends in 4242", false)
        .await
        .expect("theirs");

    let stream = sandbox
        .invoke(&mine, &format!("Customer: {INJECTION_REVEAL}"), false)
        .await
        .expect("reveal");

    let draft = stream.draft();
    assert!(draft.contains("12 Park Street"), "{draft}");
    assert!(!draft.contains("4242"), "another session leaked: {draft}");
}

#[tokio::test]
async fn a_throttling_exception_mid_stream_surfaces_from_the_sdks_receiver() {
    let sandbox = Sandbox::start().await;
    sandbox
        .fault(json!({ "operation": "InvokeAgent", "count": 1, "mode": "streamError" }))
        .await;

    let stream = sandbox
        .invoke(&session(), RETURNS_QUESTION, false)
        .await
        .expect("the call itself succeeds");

    assert_eq!(stream.chunks.len(), 1, "one chunk arrives before the error");
    assert!(stream.chunks[0].starts_with("Hello!"), "{:?}", stream.chunks);
    assert!(
        matches!(stream.error, Some(ResponseStreamError::ThrottlingException(_))),
        "{:?}",
        stream.error
    );
    let whole = sandbox.invoke(&session(), RETURNS_QUESTION, false).await.expect("next");
    assert!(whole.error.is_none(), "the fault is spent");
}

#[tokio::test]
async fn an_injected_throttle_is_a_429_the_sdk_retries_away_when_it_passes() {
    let sandbox = Sandbox::start().await;
    let throttle = json!({ "operation": "Retrieve", "count": 1, "status": 429, "code": "ThrottlingException" });

    sandbox.fault(throttle.clone()).await;
    let refused = sandbox
        .retrieve(&sandbox.impatient, KNOWLEDGE_BASE_ID, RETURNS_QUESTION, 3)
        .await;
    sandbox.fault(throttle).await;
    let retried = sandbox
        .retrieve(&sandbox.client, KNOWLEDGE_BASE_ID, RETURNS_QUESTION, 3)
        .await;

    assert_eq!(refused.err().as_deref(), Some("ThrottlingException"));
    assert!(retried.is_ok_and(|r| !r.is_empty()));
    let statuses: Vec<u64> = sandbox
        .ledger()
        .await
        .iter()
        .map(|e| e["status"].as_u64().unwrap_or(0))
        .collect();
    assert_eq!(statuses, vec![429, 429, 200]);
}

#[tokio::test]
async fn a_latency_fault_slows_every_call_of_its_operation() {
    let sandbox = Sandbox::start().await;
    sandbox
        .fault(json!({ "operation": "RetrieveAndGenerate", "latencyMs": 400 }))
        .await;

    let started = Instant::now();
    let answer = sandbox.ask(&sandbox.client, REFUND_QUESTION, None).await;

    assert!(answer.is_ok());
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn an_unknown_knowledge_base_agent_or_alias_is_not_found() {
    let sandbox = Sandbox::start().await;

    let kb = sandbox
        .retrieve(&sandbox.impatient, "KBUNKNOWN1", RETURNS_QUESTION, 3)
        .await;
    let agent = |agent: &'static str, alias: &'static str| {
        sandbox
            .impatient
            .invoke_agent()
            .agent_id(agent)
            .agent_alias_id(alias)
            .session_id(session())
            .input_text("Customer: hello")
            .send()
    };
    let unknown_agent = agent("AGUNKNOWN1", AGENT_ALIAS_ID).await;
    let unknown_alias = agent(AGENT_ID, "ALIASNONE1").await;

    assert_eq!(kb.err().as_deref(), Some("ResourceNotFoundException"));
    assert_eq!(
        unknown_agent
            .err()
            .and_then(|e| e.code().map(str::to_string))
            .as_deref(),
        Some("ResourceNotFoundException")
    );
    assert_eq!(
        unknown_alias
            .err()
            .and_then(|e| e.code().map(str::to_string))
            .as_deref(),
        Some("ResourceNotFoundException")
    );
}

#[tokio::test]
async fn every_bedrock_call_is_in_the_ledger_with_what_was_answered() {
    let sandbox = Sandbox::start().await;
    let session = session();

    sandbox
        .retrieve(&sandbox.client, KNOWLEDGE_BASE_ID, RETURNS_QUESTION, 2)
        .await
        .expect("retrieve");
    sandbox.ask(&sandbox.client, REFUND_QUESTION, None).await.expect("ask");
    sandbox
        .invoke(&session, &format!("Customer: {INJECTION_SEND}"), false)
        .await
        .expect("invoke");

    let ledger = sandbox.ledger().await;
    let operations: Vec<&str> = ledger.iter().filter_map(|e| e["operation"].as_str()).collect();
    assert_eq!(operations, vec!["Retrieve", "RetrieveAndGenerate", "InvokeAgent"]);
    assert!(ledger.iter().all(|e| e["service"] == "bedrock-agent-runtime"));
    assert_eq!(ledger[0]["request"]["retrievalQuery"]["text"], RETURNS_QUESTION);
    assert_eq!(ledger[2]["request"]["sessionId"], session.as_str());
    assert_eq!(ledger[2]["response"]["returnControl"], "send_message");
}
