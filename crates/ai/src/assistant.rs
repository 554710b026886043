//! The two Bedrock calls the platform makes, in its own terms: ask the knowledge base a question
//! (Retrieve and RetrieveAndGenerate), and have the agent draft a reply (InvokeAgent).
//!
//! Retrieval scores come only from Retrieve, and the cited passages only from
//! RetrieveAndGenerate, so a question runs both at once and joins them by passage: the answer's
//! latency is the slower of the two, not their sum. The agent's stream is read to its end; text
//! chunks make the draft, attributions its citations, and a return of control (the agent asking
//! the platform to carry out an action) is counted and ignored: the platform gives the agent no
//! action it would carry out, so whatever a customer talks it into stays words in a draft.

use std::collections::HashMap;
use std::time::Duration;

use aws_sdk_bedrockagentruntime::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_bedrockagentruntime::types::error::ResponseStreamError;
use aws_sdk_bedrockagentruntime::types::{
    KnowledgeBaseQuery, KnowledgeBaseRetrievalConfiguration, KnowledgeBaseRetrieveAndGenerateConfiguration,
    KnowledgeBaseVectorSearchConfiguration, ResponseStream, RetrieveAndGenerateConfiguration, RetrieveAndGenerateInput,
    RetrieveAndGenerateType,
};
use aws_sdk_bedrockagentruntime::Client;
use aws_smithy_types::event_stream::RawMessage;
use wecare_store::ai::Citation;

/// Which knowledge base, agent and model, per deployment.
#[derive(Debug, Clone)]
pub struct AssistantConfig {
    pub knowledge_base_id: String,
    pub agent_id: String,
    pub agent_alias_id: String,
    /// The model RetrieveAndGenerate answers with (an ARN).
    pub model_arn: String,
    /// How long one call may take before the operator is told the assistant is unavailable:
    /// under API Gateway's 29 s for the API, longer in the background.
    pub timeout: Duration,
}

/// How many passages a question retrieves.
const PASSAGES: i32 = 5;

/// Why Bedrock gave no answer.
#[derive(Debug, thiserror::Error)]
pub enum AiError {
    /// Bedrock is throttling this account (after the SDK's own retries): try again shortly.
    #[error("Bedrock throttled the request")]
    Throttled,
    /// Bedrock failed, refused the request or could not be reached in time.
    #[error("Bedrock {operation} failed")]
    Unavailable {
        operation: &'static str,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
}

fn unavailable(operation: &'static str, e: impl std::error::Error + Send + Sync + 'static) -> AiError {
    AiError::Unavailable {
        operation,
        source: Box::new(e),
    }
}

/// An SDK error as ours: throttling by its code, anything else unavailable.
fn sdk_error<E, R>(operation: &'static str, e: SdkError<E, R>) -> AiError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug + Send + Sync + 'static,
{
    // `ThrottlingException` in an answer, `throttlingException` inside the agent's stream.
    if e.code().is_some_and(|c| c.eq_ignore_ascii_case("ThrottlingException")) {
        AiError::Throttled
    } else {
        unavailable(operation, e)
    }
}

/// An error inside the agent's stream. A modeled exception there carries no error code (the SDK
/// reads its type from the frame's `:exception-type` header into the variant), so throttling is
/// told by the variant.
fn stream_error(e: SdkError<ResponseStreamError, RawMessage>) -> AiError {
    if matches!(e.as_service_error(), Some(ResponseStreamError::ThrottlingException(_))) {
        AiError::Throttled
    } else {
        sdk_error("InvokeAgent", e)
    }
}

#[derive(Debug, thiserror::Error)]
#[error("no answer within {0:?}")]
pub struct TimedOut(Duration);

/// An answer from the knowledge base.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub text: String,
    pub citations: Vec<Citation>,
}

/// A reply the agent drafted.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub text: String,
    pub citations: Vec<Citation>,
    /// Actions the agent asked for and the platform ignored.
    pub ignored_actions: u32,
}

#[derive(Clone, Debug)]
pub struct Assistant {
    client: Client,
    pub config: AssistantConfig,
}

impl Assistant {
    pub fn new(client: Client, config: AssistantConfig) -> Self {
        Assistant { client, config }
    }

    async fn within<T>(
        &self,
        operation: &'static str,
        call: impl std::future::Future<Output = Result<T, AiError>>,
    ) -> Result<T, AiError> {
        tokio::time::timeout(self.config.timeout, call)
            .await
            .unwrap_or_else(|_| Err(unavailable(operation, TimedOut(self.config.timeout))))
    }

    /// Answers `question` from the knowledge base, with the passages it rests on and their scores.
    pub async fn ask(&self, question: &str) -> Result<Answer, AiError> {
        let retrieve = self.within("Retrieve", async {
            self.client
                .retrieve()
                .knowledge_base_id(&self.config.knowledge_base_id)
                .retrieval_query(KnowledgeBaseQuery::builder().text(question).build())
                .retrieval_configuration(
                    KnowledgeBaseRetrievalConfiguration::builder()
                        .vector_search_configuration(
                            KnowledgeBaseVectorSearchConfiguration::builder()
                                .number_of_results(PASSAGES)
                                .build(),
                        )
                        .build(),
                )
                .send()
                .await
                .map_err(|e| sdk_error("Retrieve", e))
        });
        let generate = self.within("RetrieveAndGenerate", async {
            let kb = KnowledgeBaseRetrieveAndGenerateConfiguration::builder()
                .knowledge_base_id(&self.config.knowledge_base_id)
                .model_arn(&self.config.model_arn)
                .build()
                .map_err(|e| unavailable("RetrieveAndGenerate", e))?;
            let configuration = RetrieveAndGenerateConfiguration::builder()
                .r#type(RetrieveAndGenerateType::KnowledgeBase)
                .knowledge_base_configuration(kb)
                .build()
                .map_err(|e| unavailable("RetrieveAndGenerate", e))?;
            let input = RetrieveAndGenerateInput::builder()
                .text(question)
                .build()
                .map_err(|e| unavailable("RetrieveAndGenerate", e))?;
            self.client
                .retrieve_and_generate()
                .input(input)
                .retrieve_and_generate_configuration(configuration)
                .send()
                .await
                .map_err(|e| sdk_error("RetrieveAndGenerate", e))
        });
        let (retrieved, generated) = tokio::join!(retrieve, generate);
        let (retrieved, generated) = (retrieved?, generated?);
        let scores: HashMap<(String, String), f64> = retrieved
            .retrieval_results()
            .iter()
            .filter_map(|r| {
                let uri = r.location()?.s3_location()?.uri()?.to_string();
                Some(((uri, r.content()?.text().to_string()), r.score()?))
            })
            .collect();
        let text = generated.output().map(|o| o.text().to_string()).unwrap_or_default();
        let citations = citations(generated.citations(), &scores);
        Ok(Answer { text, citations })
    }

    /// Has the agent draft a reply to `input` (see `wecare_core::ai::agent_input`) in the
    /// contact's own session.
    pub async fn draft(&self, session_id: &str, input: &str) -> Result<Draft, AiError> {
        self.within("InvokeAgent", async {
            let mut out = self
                .client
                .invoke_agent()
                .agent_id(&self.config.agent_id)
                .agent_alias_id(&self.config.agent_alias_id)
                .session_id(session_id)
                .input_text(input)
                .enable_trace(false)
                .send()
                .await
                .map_err(|e| sdk_error("InvokeAgent", e))?;
            let mut text = String::new();
            let mut cited = Vec::new();
            let mut ignored_actions = 0u32;
            while let Some(event) = out.completion.recv().await.map_err(stream_error)? {
                match event {
                    ResponseStream::Chunk(part) => {
                        if let Some(bytes) = part.bytes() {
                            text.push_str(&String::from_utf8_lossy(bytes.as_ref()));
                        }
                        if let Some(a) = part.attribution() {
                            cited.extend(a.citations().iter().cloned());
                        }
                    }
                    ResponseStream::ReturnControl(payload) => {
                        let asked = payload.invocation_inputs().len().max(1);
                        ignored_actions = ignored_actions.saturating_add(u32::try_from(asked).unwrap_or(u32::MAX));
                        tracing::warn!(asked, "the agent asked for actions; none are carried out");
                    }
                    // Traces explain the agent's reasoning; nothing of them is kept.
                    _ => {}
                }
            }
            Ok(Draft {
                text: text.trim().to_string(),
                citations: citations(&cited, &HashMap::new()),
                ignored_actions,
            })
        })
        .await
    }
}

/// Our citations from Bedrock's: one per distinct passage, numbered in order of first appearance,
/// with the part of the answer that first cited it and its retrieval score where known.
fn citations(
    cited: &[aws_sdk_bedrockagentruntime::types::Citation],
    scores: &HashMap<(String, String), f64>,
) -> Vec<Citation> {
    let mut out: Vec<Citation> = Vec::new();
    for c in cited {
        let part = c
            .generated_response_part()
            .and_then(|p| p.text_response_part())
            .and_then(|t| t.text())
            .unwrap_or_default();
        for r in c.retrieved_references() {
            let Some(source) = r.location().and_then(|l| l.s3_location()).and_then(|s| s.uri()) else {
                continue;
            };
            let excerpt = r.content().map(|c| c.text()).unwrap_or_default();
            if out.iter().any(|o| o.source == source && o.excerpt == excerpt) {
                continue;
            }
            let title = source.rsplit('/').next().unwrap_or(source).to_string();
            out.push(Citation {
                id: u32::try_from(out.len() + 1).unwrap_or(u32::MAX),
                source: source.to_string(),
                title,
                excerpt: excerpt.to_string(),
                score: scores.get(&(source.to_string(), excerpt.to_string())).copied(),
                answer_part: part.to_string(),
            });
        }
    }
    out
}
