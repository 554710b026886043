//! WhatsApp media end to end: a presigned upload into the tenant's `outgoing/` prefix, the file
//! handed to WhatsApp (PostWhatsAppMessageMedia in the sandbox reads it from S3 in moto) and sent
//! by its media id, then offered back through a short-lived download URL on the timeline.

use serde_json::{json, Value};
use wecare_core::Role;
use wecare_tests::{Method, TestStack};

/// A 1×1 PNG.
const PNG: &[u8] = &[
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x00,
    0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4, 0x89, 0x00, 0x00, 0x00, 0x0d, 0x49,
    0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00, 0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00,
    0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82,
];

async fn request_upload(stack: &TestStack, token: &str, body: Value) -> (u16, Value) {
    stack
        .call(Method::POST, "/api/media/uploads", Some(token), Some(&body))
        .await
}

async fn upload(stack: &TestStack, token: &str, mime: &str, bytes: &[u8], filename: &str) -> String {
    stack.upload_media(token, mime, bytes, filename).await
}

#[tokio::test]
async fn an_uploaded_image_is_sent_by_its_media_id_and_offered_back_through_a_short_lived_url() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let id = stack
        .create_contact(&op, json!({ "phone": "+919855556666", "optInWhatsApp": true }))
        .await;
    stack.open_window(&id, 10).await;

    let key = upload(&stack, &op, "image/png", PNG, "receipt 12.png").await;
    assert!(
        key.starts_with("outgoing/wecare/") && key.ends_with("/receipt_12.png"),
        "{key}"
    );
    let (status, sent) = stack
        .send_message(
            &op,
            "whatsapp",
            json!({ "contactId": id, "media": { "s3Key": key, "caption": "Your receipt" } }),
        )
        .await;
    assert_eq!(status, 202, "{sent}");

    let ledger = stack.ledger().await;
    let post = ledger
        .iter()
        .find(|e| e["operation"] == "PostWhatsAppMessageMedia")
        .expect("the file went to WhatsApp");
    assert_eq!(
        post["request"]["sourceS3File"]["bucketName"],
        stack.resources.media_bucket.as_str()
    );
    assert_eq!(post["request"]["sourceS3File"]["key"], key.as_str());
    let send = ledger
        .iter()
        .find(|e| e["operation"] == "SendWhatsAppMessage")
        .expect("then the message");
    let message = &send["request"]["message"];
    assert_eq!(message["type"], "image");
    assert_eq!(message["image"]["id"], post["response"]["mediaId"]);
    assert_eq!(message["image"]["caption"], "Your receipt");

    let (_, timeline) = stack
        .call(Method::GET, &format!("/api/contacts/{id}/messages"), Some(&op), None)
        .await;
    let m = &timeline["items"][0];
    assert_eq!(
        (m["details"]["type"].as_str(), m["text"].as_str()),
        (Some("image"), Some("Your receipt"))
    );
    let url = m["details"]["media"]["url"].as_str().expect("a download URL");
    let got = reqwest::get(url).await.unwrap();
    assert!(got.status().is_success());
    assert_eq!(got.bytes().await.unwrap().as_ref(), PNG);
    assert!(m["details"]["media"]["urlExpiresAt"].is_string());
}

#[tokio::test]
async fn files_whatsapp_would_refuse_are_refused_before_anything_is_sent() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let id = stack
        .create_contact(&op, json!({ "phone": "+919866667777", "optInWhatsApp": true }))
        .await;

    for (body, why) in [
        (
            json!({ "mimeType": "application/x-msdownload", "size": 1000 }),
            "not a type WhatsApp takes",
        ),
        (
            json!({ "mimeType": "image/png", "size": 6 * 1024 * 1024 }),
            "an image over 5 MB",
        ),
        (json!({ "mimeType": "image/png", "size": 0 }), "an empty file"),
    ] {
        let (status, e) = request_upload(&stack, &op, body).await;
        assert_eq!(
            (status, e["error"]["code"].as_str()),
            (400, Some("VALIDATION_FAILED")),
            "{why}: {e}"
        );
    }
    let viewer = stack.token(Role::Viewer).await;
    let (status, _) = request_upload(&stack, &viewer, json!({ "mimeType": "image/png", "size": 10 })).await;
    assert_eq!(status, 403, "a Viewer cannot upload");

    stack.open_window(&id, 5).await;
    for (key, why) in [
        ("outgoing/globex/0190/receipt.png", "another tenant's upload"),
        ("outgoing/wecare/0190/never-uploaded.png", "nothing there"),
        ("incoming/wecare/in-1/abc", "not an upload"),
    ] {
        let (status, e) = stack
            .send_message(&op, "whatsapp", json!({ "contactId": id, "media": { "s3Key": key } }))
            .await;
        assert_eq!(
            (status, e["error"]["code"].as_str()),
            (400, Some("VALIDATION_FAILED")),
            "{why}: {e}"
        );
    }
    let audio = upload(&stack, &op, "audio/ogg", b"OggS-sandbox", "note.ogg").await;
    let (status, e) = stack
        .send_message(
            &op,
            "whatsapp",
            json!({ "contactId": id, "media": { "s3Key": audio, "caption": "listen" } }),
        )
        .await;
    assert_eq!(
        (status, e["error"]["code"].as_str()),
        (400, Some("VALIDATION_FAILED")),
        "audio has no caption: {e}"
    );
    // A document goes with its file name.
    let key = upload(&stack, &op, "application/pdf", b"%PDF-1.4\n%%EOF\n", "terms.pdf").await;
    let (status, sent) = stack
        .send_message(
            &op,
            "whatsapp",
            json!({ "contactId": id, "media": { "s3Key": key, "filename": "terms.pdf" } }),
        )
        .await;
    assert_eq!(status, 202, "{sent}");
    let ledger = stack.ledger().await;
    let message = &ledger.iter().find(|e| e["operation"] == "SendWhatsAppMessage").unwrap()["request"]["message"];
    assert_eq!(
        (message["type"].as_str(), message["document"]["filename"].as_str()),
        (Some("document"), Some("terms.pdf"))
    );
    assert!(
        ledger
            .iter()
            .filter(|e| e["operation"] == "PostWhatsAppMessageMedia")
            .count()
            == 1,
        "only the accepted file reached WhatsApp"
    );
}

#[tokio::test]
async fn media_outside_the_window_needs_a_template_like_any_free_form_message() {
    let stack = TestStack::start().await;
    let op = stack.token(Role::Operator).await;
    let id = stack
        .create_contact(&op, json!({ "phone": "+919877778888", "optInWhatsApp": true }))
        .await;
    let key = upload(&stack, &op, "image/png", PNG, "x.png").await;
    let (status, e) = stack
        .send_message(&op, "whatsapp", json!({ "contactId": id, "media": { "s3Key": key } }))
        .await;
    assert_eq!((status, e["error"]["code"].as_str()), (422, Some("TEMPLATE_REQUIRED")));
    assert!(stack.ledger().await.is_empty());
}
