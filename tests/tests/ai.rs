//! AI suggestions end to end, against moto and the sandbox's knowledge base and agent through the
//! real SDK clients: a question answered with its sources; a draft edited and approved twice and
//! sent once; an approval refused after the customer opted out; `DRY_RUN`; a throttled stream;
//! automation on and off; the injection fixtures; and a free-text opt-out that only raises a flag.

use std::time::Duration;

use serde_json::{json, Value};
use wecare_core::Role;
use wecare_sandbox::bedrock::{INJECTION_CONSENT, INJECTION_REVEAL, INJECTION_SEND};
use wecare_tests::{eventually, Method, TestStack};

const WAIT: Duration = Duration::from_secs(20);

/// An opted-in contact with this phone who has written `text` on WhatsApp; its id.
async fn customer_who_wrote(stack: &TestStack, token: &str, phone: &str, text: &str) -> String {
    let id = stack
        .create_contact(token, json!({ "name": "Asha", "phone": phone, "optInWhatsApp": true }))
        .await;
    writes(stack, token, &id, phone, text).await;
    id
}

/// The customer writes `text`; returns once it is in the timeline.
async fn writes(stack: &TestStack, token: &str, id: &str, phone: &str, text: &str) {
    stack.customer_message(json!({ "from": phone, "text": text })).await;
    eventually("the customer's message in the timeline", WAIT, || async {
        stack.timeline(token, id).await.into_iter().find(|m| m["text"] == text)
    })
    .await;
}

async fn suggest(stack: &TestStack, token: &str, contact: &str) -> (u16, Value) {
    stack
        .call(
            Method::POST,
            "/api/ai/suggestions",
            Some(token),
            Some(&json!({ "contactId": contact })),
        )
        .await
}

async fn decide(stack: &TestStack, token: &str, id: &str, action: &str, body: Value) -> (u16, Value) {
    stack
        .call(
            Method::POST,
            &format!("/api/ai/suggestions/{id}/{action}"),
            Some(token),
            Some(&body),
        )
        .await
}

async fn suggestions_of(stack: &TestStack, token: &str, contact: &str) -> Vec<Value> {
    let (status, v) = stack
        .call(
            Method::GET,
            &format!("/api/ai/suggestions?contactId={contact}"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(status, 200, "{v}");
    v["items"].as_array().cloned().unwrap_or_default()
}

/// WhatsApp sends in the sandbox's ledger whose text is `text`.
async fn sends_of(stack: &TestStack, text: &str) -> usize {
    stack
        .ledger()
        .await
        .iter()
        .filter(|e| e["operation"] == "SendWhatsAppMessage" && e["request"]["message"]["text"]["body"] == text)
        .count()
}

async fn whatsapp_sends(stack: &TestStack) -> usize {
    stack
        .ledger()
        .await
        .iter()
        .filter(|e| e["operation"] == "SendWhatsAppMessage")
        .count()
}

async fn bedrock_calls(stack: &TestStack) -> usize {
    stack
        .ledger()
        .await
        .iter()
        .filter(|e| e["service"] == "bedrock-agent-runtime")
        .count()
}

#[tokio::test]
async fn an_operator_asks_the_knowledge_base_and_the_question_is_kept_with_its_sources() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let (status, answer) = stack
        .call(
            Method::POST,
            "/api/ai/query",
            Some(&op),
            Some(&json!({ "question": "What is your returns policy?" })),
        )
        .await;
    assert_eq!(status, 200, "{answer}");
    assert!(!answer["answer"].as_str().unwrap().is_empty());
    let citations = answer["citations"].as_array().unwrap();
    assert!(!citations.is_empty(), "{answer}");
    assert!(citations[0]["source"].as_str().unwrap().starts_with("s3://"));
    assert!(
        citations[0]["score"].as_f64().is_some(),
        "scores come from Retrieve: {answer}"
    );
    assert!(citations
        .iter()
        .any(|c| c["title"].as_str().unwrap_or("").contains("return")));

    let viewer = stack.token(Role::Viewer).await;
    let (status, e) = stack
        .call(
            Method::POST,
            "/api/ai/query",
            Some(&viewer),
            Some(&json!({ "question": "hours?" })),
        )
        .await;
    assert_eq!((status, e["error"]["code"].as_str()), (403, Some("FORBIDDEN")));
    let (status, e) = stack
        .call(
            Method::POST,
            "/api/ai/query",
            Some(&op),
            Some(&json!({ "question": "  " })),
        )
        .await;
    assert_eq!((status, e["error"]["code"].as_str()), (400, Some("VALIDATION_FAILED")));

    let admin = stack.token(Role::Admin).await;
    let (status, list) = stack
        .call(Method::GET, "/api/ai/interactions?kind=query", Some(&admin), None)
        .await;
    assert_eq!(status, 200, "{list}");
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{list}");
    assert_eq!(items[0]["question"], "What is your returns policy?");
    assert_eq!(items[0]["knowledgeBaseId"], "KBWECARE01");
    assert!(items[0]["sourceCount"].as_u64().unwrap() > 0);
    let (status, _) = stack.call(Method::GET, "/api/ai/interactions", Some(&op), None).await;
    assert_eq!(status, 403, "the interactions are an Admin's");
    let (_, stats) = stack
        .call(Method::GET, "/api/ai/stats?days=7", Some(&admin), None)
        .await;
    assert_eq!(stats["days"].as_array().unwrap().len(), 7, "{stats}");
    assert_eq!(stats["totals"]["queries"], 1, "{stats}");
}

#[tokio::test]
async fn a_draft_edited_and_approved_twice_is_sent_once_and_cannot_be_rejected_after() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let contact = customer_who_wrote(&stack, &op, "+919811100001", "What is your returns policy?").await;

    let (status, draft) = suggest(&stack, &op, &contact).await;
    assert_eq!(status, 201, "{draft}");
    assert_eq!(draft["status"], "suggested");
    assert_eq!(draft["origin"], "operator");
    assert!(!draft["citations"].as_array().unwrap().is_empty(), "{draft}");
    assert_eq!(whatsapp_sends(&stack).await, 0, "a draft sends nothing");
    let id = draft["id"].as_str().unwrap().to_string();

    let edited = "Hi Asha! You can return unused items within 30 days. — Team WECARE";
    let body = json!({ "text": edited });
    let (first, second) = tokio::join!(
        decide(&stack, &op, &id, "approve", body.clone()),
        decide(&stack, &op, &id, "approve", body.clone()),
    );
    let approved: Vec<&Value> = [&first, &second]
        .into_iter()
        .filter(|(s, _)| *s == 200)
        .map(|(_, v)| v)
        .collect();
    assert!(!approved.is_empty(), "{first:?} {second:?}");
    for (status, v) in [&first, &second] {
        assert!([200, 409].contains(status), "{v}");
    }
    let (_, again) = decide(&stack, &op, &id, "approve", body).await;
    assert_eq!(again["error"]["code"], "CONFLICT", "{again}");
    assert_eq!(sends_of(&stack, edited).await, 1, "approved twice, sent once");

    let now = &suggestions_of(&stack, &op, &contact).await[0];
    assert_eq!(now["status"], "edited");
    assert_eq!(now["sentText"], edited);
    assert_ne!(now["text"], edited, "the draft is kept beside the edit");
    assert_eq!(now["sendStatus"], "sent");
    let message_id = now["messageId"].as_str().unwrap();
    let timeline = stack.timeline(&op, &contact).await;
    assert_eq!(
        timeline.iter().filter(|m| m["messageId"] == message_id).count(),
        1,
        "the sent reply is in the conversation once"
    );

    let (status, e) = decide(&stack, &op, &id, "reject", json!({ "reason": "too late" })).await;
    assert_eq!((status, e["error"]["code"].as_str()), (409, Some("CONFLICT")));
    let (status, rated) = decide(
        &stack,
        &op,
        &id,
        "feedback",
        json!({ "rating": "down", "comment": "too formal" }),
    )
    .await;
    assert_eq!(status, 200, "{rated}");
    assert_eq!(rated["feedback"]["rating"], "down");
    let (status, rated) = decide(&stack, &op, &id, "feedback", json!({ "rating": "up" })).await;
    assert_eq!(status, 200, "{rated}");

    let admin = stack.token(Role::Admin).await;
    let (_, stats) = stack.call(Method::GET, "/api/ai/stats", Some(&admin), None).await;
    let totals = &stats["totals"];
    assert_eq!(
        (&totals["suggested"], &totals["edited"], &totals["approved"]),
        (&json!(1), &json!(1), &json!(0)),
        "{stats}"
    );
    assert_eq!(
        (&totals["up"], &totals["down"]),
        (&json!(1), &json!(0)),
        "the later rating replaced the first"
    );
    assert_eq!(totals["approvalRate"], 1.0);
    assert_eq!(totals["editRate"], 1.0);
}

#[tokio::test]
async fn a_draft_can_be_rejected_with_a_reason_and_is_then_closed() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let contact = customer_who_wrote(&stack, &op, "+919811100002", "When are you open?").await;
    let (_, draft) = suggest(&stack, &op, &contact).await;
    let id = draft["id"].as_str().unwrap();
    let (status, e) = decide(&stack, &op, id, "reject", json!({ "reason": " " })).await;
    assert_eq!((status, e["error"]["code"].as_str()), (400, Some("VALIDATION_FAILED")));
    let (status, rejected) = decide(&stack, &op, id, "reject", json!({ "reason": "wrong hours" })).await;
    assert_eq!(status, 200, "{rejected}");
    assert_eq!(
        (rejected["status"].as_str(), rejected["rejectReason"].as_str()),
        (Some("rejected"), Some("wrong hours"))
    );
    let (status, _) = decide(&stack, &op, id, "approve", json!({})).await;
    assert_eq!(status, 409);
    assert_eq!(whatsapp_sends(&stack).await, 0);

    let viewer = stack.token(Role::Viewer).await;
    assert_eq!(
        suggestions_of(&stack, &viewer, &contact).await.len(),
        1,
        "a Viewer reads drafts"
    );
    let (status, _) = suggest(&stack, &viewer, &contact).await;
    assert_eq!(status, 403, "but drafts none");
}

#[tokio::test]
async fn approving_for_a_contact_who_opted_out_after_the_draft_is_refused_and_the_draft_stays_open() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let phone = "+919811100003";
    let contact = customer_who_wrote(&stack, &op, phone, "Do you deliver on Sundays?").await;
    let (_, draft) = suggest(&stack, &op, &contact).await;
    let id = draft["id"].as_str().unwrap();

    writes(&stack, &op, &contact, phone, "STOP").await;
    eventually("the opt-out recorded", WAIT, || async {
        let (_, c) = stack
            .call(Method::GET, &format!("/api/contacts/{contact}"), Some(&op), None)
            .await;
        (c["optInWhatsApp"] == false).then_some(())
    })
    .await;
    let (status, e) = decide(&stack, &op, id, "approve", json!({})).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (422, Some("NOT_OPTED_IN")),
        "{e}"
    );
    assert_eq!(sends_of(&stack, draft["text"].as_str().unwrap()).await, 0);
    assert_eq!(suggestions_of(&stack, &op, &contact).await[0]["status"], "suggested");
}

#[tokio::test]
async fn in_dry_run_an_approval_is_recorded_and_nothing_reaches_whatsapp() {
    let stack = TestStack::start_with(&[("SEND_MODE", "DRY_RUN")]).await;
    let op = stack.token(Role::Operator).await;
    let contact = customer_who_wrote(&stack, &op, "+919811100004", "How much is delivery?").await;
    let (_, draft) = suggest(&stack, &op, &contact).await;
    let (status, done) = decide(&stack, &op, draft["id"].as_str().unwrap(), "approve", json!({})).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(
        (done["status"].as_str(), done["sendStatus"].as_str()),
        (Some("approved"), Some("dry_run"))
    );
    assert_eq!(whatsapp_sends(&stack).await, 0);
}

#[tokio::test]
async fn a_throttled_stream_is_a_clear_error_and_nothing_is_stored() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let contact = customer_who_wrote(&stack, &op, "+919811100005", "What are your prices?").await;
    // Every stream of the next few (the SDK's retries included) is cut by a throttling exception.
    stack
        .fault(json!({ "operation": "InvokeAgent", "count": 5, "mode": "streamError" }))
        .await;
    let (status, e) = suggest(&stack, &op, &contact).await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (429, Some("AI_THROTTLED")),
        "{e}"
    );
    assert!(e["error"]["message"].as_str().unwrap().contains("try again"));
    assert!(suggestions_of(&stack, &op, &contact).await.is_empty());

    stack.clear_faults().await;
    stack
        .inject_fault("RetrieveAndGenerate", 5, 500, "InternalServerException")
        .await;
    let (status, e) = stack
        .call(
            Method::POST,
            "/api/ai/query",
            Some(&op),
            Some(&json!({ "question": "prices?" })),
        )
        .await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (502, Some("AI_UNAVAILABLE")),
        "{e}"
    );
}

#[tokio::test]
async fn automation_on_drafts_for_each_new_message_and_off_makes_no_bedrock_call() {
    let stack = TestStack::start_ai(&[]).await;
    let op = stack.token(Role::Operator).await;
    let admin = stack.token(Role::Admin).await;
    let automation = |on: bool| json!({ "aiAutomation": on, "alertRecipients": [], "quietHours": null });
    let (status, saved) = stack
        .call(
            Method::PUT,
            "/api/settings",
            Some(&admin),
            Some(&json!({ "version": 0, "config": automation(true) })),
        )
        .await;
    assert_eq!(status, 200, "{saved}");

    let phone = "+919811100006";
    let contact = customer_who_wrote(&stack, &op, phone, "Can I return a gift?").await;
    let drafted = eventually("an automatic draft", WAIT, || async {
        suggestions_of(&stack, &op, &contact).await.into_iter().next()
    })
    .await;
    assert_eq!(
        (drafted["origin"].as_str(), drafted["status"].as_str()),
        (Some("automation"), Some("suggested"))
    );
    assert!(drafted["createdBy"].is_null());
    assert_eq!(whatsapp_sends(&stack).await, 0, "a draft waits for an operator");

    let (status, _) = stack
        .call(
            Method::PUT,
            "/api/settings",
            Some(&admin),
            Some(&json!({ "version": 1, "config": automation(false) })),
        )
        .await;
    assert_eq!(status, 200);
    let calls = bedrock_calls(&stack).await;
    writes(&stack, &op, &contact, phone, "And what about sale items?").await;
    tokio::time::sleep(Duration::from_secs(4)).await;
    assert_eq!(
        suggestions_of(&stack, &op, &contact).await.len(),
        1,
        "no draft with automation off"
    );
    assert_eq!(bedrock_calls(&stack).await, calls, "and no Bedrock call at all");
}

#[tokio::test]
async fn injected_instructions_cannot_send_change_consent_or_reveal_another_contact() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let secret = "my order code is ZX-4471";
    let other = customer_who_wrote(&stack, &op, "+919811100007", secret).await;
    let (status, _) = suggest(&stack, &op, &other).await;
    assert_eq!(status, 201);

    let phone = "+919811100008";
    let attacker = customer_who_wrote(&stack, &op, phone, INJECTION_SEND).await;
    for text in [INJECTION_CONSENT, INJECTION_REVEAL] {
        writes(&stack, &op, &attacker, phone, text).await;
    }
    let (status, draft) = suggest(&stack, &op, &attacker).await;
    assert_eq!(status, 201, "{draft}");
    assert!(
        !draft["text"].as_str().unwrap().contains("ZX-4471"),
        "another contact's words: {draft}"
    );
    assert_eq!(draft["status"], "suggested");
    assert_eq!(
        whatsapp_sends(&stack).await,
        0,
        "the agent's asked-for send was not carried out"
    );
    let (_, c) = stack
        .call(Method::GET, &format!("/api/contacts/{attacker}"), Some(&op), None)
        .await;
    assert_eq!(c["optInWhatsApp"], true, "nor its consent change");
    let (_, c) = stack
        .call(Method::GET, &format!("/api/contacts/{other}"), Some(&op), None)
        .await;
    assert_eq!(c["optInWhatsApp"], true);
}

#[tokio::test]
async fn free_text_that_reads_as_an_opt_out_is_flagged_and_consent_stays_as_it_was() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let text = "Please stop messaging me, I moved away";
    let contact = customer_who_wrote(&stack, &op, "+919811100009", text).await;
    let message = stack
        .timeline(&op, &contact)
        .await
        .into_iter()
        .find(|m| m["text"] == text)
        .unwrap();
    assert_eq!(message["optOutIntent"], true, "{message}");
    let (_, c) = stack
        .call(Method::GET, &format!("/api/contacts/{contact}"), Some(&op), None)
        .await;
    assert_eq!(c["optInWhatsApp"], true, "a flag, never a consent change");
    let (_, draft) = suggest(&stack, &op, &contact).await;
    assert_eq!(draft["optOutIntent"], true, "{draft}");
}
