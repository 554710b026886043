//! The team, end to end: an Admin invites, changes roles, disables and enables members through
//! the API; Cognito (moto) signs them in; the authorizer enforces what the team directory says.

use aws_sdk_cognitoidentityprovider::types::{AuthFlowType, ChallengeNameType};
use serde_json::{json, Value};
use wecare_core::tables::Table;
use wecare_core::{Role, TenantId};
use wecare_store::UsersRepo;
use wecare_tests::{Method, TestStack};

fn cognito(stack: &TestStack) -> aws_sdk_cognitoidentityprovider::Client {
    aws_sdk_cognitoidentityprovider::Client::new(&stack.sdk)
}

fn users_repo(stack: &TestStack) -> UsersRepo {
    UsersRepo::new(stack.dynamo(), stack.table(Table::Users), stack.table(Table::AuditLogs))
}

fn wecare() -> TenantId {
    TenantId::parse("wecare").unwrap()
}

/// A member invited through the API, who has chosen their password and holds a fresh ID token.
struct Invited {
    user_id: String,
    email: String,
    password: String,
    token: String,
    refresh: String,
}

async fn invite(stack: &TestStack, admin: &str, email: &str, role: &str) -> (u16, Value) {
    stack
        .call(
            Method::POST,
            "/api/users",
            Some(admin),
            Some(&json!({ "email": email, "role": role })),
        )
        .await
}

/// Signs in with a password through USER_PASSWORD_AUTH, answering the first sign-in's
/// NEW_PASSWORD_REQUIRED challenge with `new_password` when Cognito asks; (ID, refresh) tokens.
async fn sign_in(
    stack: &TestStack,
    email: &str,
    password: &str,
    new_password: &str,
) -> Result<(String, String), String> {
    let c = cognito(stack);
    let out = c
        .initiate_auth()
        .auth_flow(AuthFlowType::UserPasswordAuth)
        .client_id(&stack.resources.user_pool_client_id)
        .auth_parameters("USERNAME", email)
        .auth_parameters("PASSWORD", password)
        .send()
        .await
        .map_err(|e| format!("{:?}", e.into_service_error()))?;
    let result = match out.challenge_name() {
        Some(ChallengeNameType::NewPasswordRequired) => {
            c.respond_to_auth_challenge()
                .client_id(&stack.resources.user_pool_client_id)
                .challenge_name(ChallengeNameType::NewPasswordRequired)
                .session(out.session().unwrap_or_default())
                .challenge_responses("USERNAME", email)
                .challenge_responses("NEW_PASSWORD", new_password)
                .send()
                .await
                .map_err(|e| format!("{:?}", e.into_service_error()))?
                .authentication_result
        }
        Some(other) => return Err(format!("unexpected challenge {other:?}")),
        None => out.authentication_result,
    };
    let r = result.ok_or("no tokens")?;
    Ok((r.id_token.unwrap_or_default(), r.refresh_token.unwrap_or_default()))
}

/// Invites `email` as `role` and takes them through their first sign-in.
async fn onboard(stack: &TestStack, admin: &str, email: &str, role: &str) -> Invited {
    let (status, body) = invite(stack, admin, email, role).await;
    assert_eq!(status, 201, "{body}");
    let temporary = body["temporaryPassword"]
        .as_str()
        .expect("temporary password")
        .to_string();
    let password = "Chosen!Passw0rd".to_string();
    let (token, refresh) = sign_in(stack, email, &temporary, &password)
        .await
        .expect("first sign-in");
    let (status, me) = stack.call(Method::GET, "/api/me", Some(&token), None).await;
    assert_eq!(status, 200, "{me}");
    Invited {
        user_id: body["user"]["userId"].as_str().unwrap().to_string(),
        email: email.to_string(),
        password,
        token,
        refresh,
    }
}

async fn patch(stack: &TestStack, admin: &str, user_id: &str, body: Value) -> (u16, Value) {
    stack
        .call(
            Method::PATCH,
            &format!("/api/users/{user_id}"),
            Some(admin),
            Some(&body),
        )
        .await
}

async fn members(stack: &TestStack, admin: &str) -> Vec<Value> {
    let (status, page) = stack.call(Method::GET, "/api/users?limit=100", Some(admin), None).await;
    assert_eq!(status, 200, "{page}");
    page["items"].as_array().cloned().unwrap_or_default()
}

async fn groups_of(stack: &TestStack, user_id: &str) -> Vec<String> {
    cognito(stack)
        .admin_list_groups_for_user()
        .user_pool_id(&stack.resources.user_pool_id)
        .username(user_id)
        .send()
        .await
        .expect("groups")
        .groups()
        .iter()
        .filter_map(|g| g.group_name().map(str::to_string))
        .collect()
}

async fn audit(stack: &TestStack, admin: &str, query: &str) -> Vec<Value> {
    let (status, page) = stack
        .call(Method::GET, &format!("/api/audit?{query}"), Some(admin), None)
        .await;
    assert_eq!(status, 200, "{page}");
    page["items"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn an_invited_user_chooses_a_password_at_first_sign_in_and_holds_the_role_they_were_invited_with() {
    let stack = TestStack::start().await;
    let admin = stack.token(Role::Admin).await;

    let (status, body) = invite(&stack, &admin, " Priya.Nair@Example.com ", "Operator").await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["delivery"], "SHOW_ONCE");
    assert_eq!(body["user"]["email"], "priya.nair@example.com");
    assert_eq!(body["user"]["role"], "Operator");
    assert_eq!(body["user"]["status"], "ENABLED");
    assert_eq!(body["user"]["accountStatus"], "FORCE_CHANGE_PASSWORD");
    assert_eq!(body["user"]["invitedBy"], "admin@wecare.digital");
    let user_id = body["user"]["userId"].as_str().unwrap().to_string();
    let temporary = body["temporaryPassword"].as_str().unwrap().to_string();
    assert_eq!(groups_of(&stack, &user_id).await, ["Operator"]);

    // The temporary password signs in only to choose a new one, which must meet the policy.
    let weak = sign_in(&stack, "priya.nair@example.com", &temporary, "short").await;
    assert!(weak.is_err_and(|e| e.contains("InvalidPassword")));
    let (token, _) = sign_in(&stack, "priya.nair@example.com", &temporary, "Chosen!Passw0rd")
        .await
        .expect("first sign-in");
    let (status, me) = stack.call(Method::GET, "/api/me", Some(&token), None).await;
    assert_eq!(status, 200, "{me}");
    assert_eq!(
        (me["role"].as_str(), me["tenantId"].as_str()),
        (Some("Operator"), Some("wecare"))
    );
    assert_eq!(me["userId"], user_id.as_str());

    let listed = members(&stack, &admin).await;
    let priya = listed.iter().find(|m| m["userId"] == user_id.as_str()).expect("listed");
    assert_eq!(priya["accountStatus"], "CONFIRMED");
    assert!(priya["lastSignInAt"].is_string(), "{priya}");

    let trail = audit(&stack, &admin, &format!("resourceType=user&resourceId={user_id}")).await;
    let actions: Vec<&str> = trail.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["user.sign_in", "user.invite"], "newest first");
    assert_eq!(trail[1]["actorEmail"], "admin@wecare.digital");
    assert!(
        !trail[1].to_string().contains(&temporary),
        "the password is never recorded"
    );
}

#[tokio::test]
async fn a_refused_invite_writes_nothing() {
    let stack = TestStack::start().await;
    let admin = stack.token(Role::Admin).await;
    onboard(&stack, &admin, "taken@example.com", "Viewer").await;
    let before = members(&stack, &admin).await.len();

    let cases = [
        (
            json!({ "email": "taken@example.com", "role": "Viewer" }),
            409,
            "CONFLICT",
        ),
        (
            json!({ "email": "not-an-address", "role": "Viewer" }),
            400,
            "VALIDATION_FAILED",
        ),
        (
            json!({ "email": "new@example.com", "role": "Owner" }),
            400,
            "VALIDATION_FAILED",
        ),
        (json!({ "email": "new@example.com" }), 400, "VALIDATION_FAILED"),
        (
            json!({ "email": "new@example.com", "role": "Viewer", "tenantId": "globex" }),
            400,
            "VALIDATION_FAILED",
        ),
    ];
    for (body, status, code) in cases {
        let (got, answer) = stack.call(Method::POST, "/api/users", Some(&admin), Some(&body)).await;
        assert_eq!(
            (got, answer["error"]["code"].as_str()),
            (status, Some(code)),
            "{body}: {answer}"
        );
    }
    assert_eq!(members(&stack, &admin).await.len(), before);
    let accounts = cognito(&stack)
        .list_users()
        .user_pool_id(&stack.resources.user_pool_id)
        .filter("email = \"new@example.com\"")
        .send()
        .await
        .unwrap();
    assert!(accounts.users().is_empty(), "no account was created");
}

#[tokio::test]
async fn a_role_change_applies_at_the_members_next_request_with_the_token_they_already_hold() {
    let stack = TestStack::start().await;
    let admin = stack.token(Role::Admin).await;
    let member = onboard(&stack, &admin, "ravi@example.com", "Operator").await;
    let contact = json!({ "name": "Asha", "phone": "9876500001" });
    let (status, _) = stack
        .call(Method::POST, "/api/contacts", Some(&member.token), Some(&contact))
        .await;
    assert_eq!(status, 201);

    let (status, changed) = patch(&stack, &admin, &member.user_id, json!({ "role": "Viewer" })).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["user"]["role"], "Viewer");

    // The same, still unexpired token: its groups say Operator, the directory says Viewer.
    let (status, me) = stack.call(Method::GET, "/api/me", Some(&member.token), None).await;
    assert_eq!((status, me["role"].as_str()), (200, Some("Viewer")));
    let contact = json!({ "name": "Bina", "phone": "9876500002" });
    let (status, refused) = stack
        .call(Method::POST, "/api/contacts", Some(&member.token), Some(&contact))
        .await;
    assert_eq!(status, 403, "{refused}");
    // Cognito agrees, so the next tokens say so too.
    assert_eq!(groups_of(&stack, &member.user_id).await, ["Viewer"]);

    let trail = audit(
        &stack,
        &admin,
        &format!(
            "resourceType=user&resourceId={}&action=user.role_change",
            member.user_id
        ),
    )
    .await;
    assert_eq!(trail.len(), 1);
    assert_eq!(trail[0]["before"]["role"], "Operator");
    assert_eq!(trail[0]["after"]["role"], "Viewer");

    // Promoted back: at once too, with the same token.
    let (status, _) = patch(&stack, &admin, &member.user_id, json!({ "role": "Operator" })).await;
    assert_eq!(status, 200);
    let (status, _) = stack
        .call(Method::POST, "/api/contacts", Some(&member.token), Some(&contact))
        .await;
    assert_eq!(status, 201);
}

#[tokio::test]
async fn a_disabled_member_is_refused_at_once_and_signs_in_again_once_enabled() {
    let stack = TestStack::start().await;
    let admin = stack.token(Role::Admin).await;
    let member = onboard(&stack, &admin, "meera@example.com", "Operator").await;

    let (status, changed) = patch(&stack, &admin, &member.user_id, json!({ "enabled": false })).await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["user"]["status"], "DISABLED");

    let (status, body) = stack.call(Method::GET, "/api/me", Some(&member.token), None).await;
    assert_eq!((status, body), (403, json!({ "message": "Forbidden" })));
    assert!(
        sign_in(&stack, &member.email, &member.password, "unused")
            .await
            .is_err(),
        "a disabled account cannot sign in"
    );
    let refreshed = cognito(&stack)
        .initiate_auth()
        .auth_flow(AuthFlowType::RefreshTokenAuth)
        .client_id(&stack.resources.user_pool_client_id)
        .auth_parameters("REFRESH_TOKEN", &member.refresh)
        .send()
        .await;
    assert!(refreshed.is_err(), "its session was signed out");
    let refusals = audit(&stack, &admin, &format!("actor={}&outcome=denied", member.user_id)).await;
    assert_eq!(refusals[0]["action"], "user.sign_in");
    assert_eq!(refusals[0]["after"]["reason"], "disabled");

    let (status, _) = patch(&stack, &admin, &member.user_id, json!({ "enabled": true })).await;
    assert_eq!(status, 200);
    let (token, _) = sign_in(&stack, &member.email, &member.password, "unused")
        .await
        .expect("signs in again");
    let (status, me) = stack.call(Method::GET, "/api/me", Some(&token), None).await;
    assert_eq!((status, me["role"].as_str()), (200, Some("Operator")));

    let trail = audit(
        &stack,
        &admin,
        &format!("resourceType=user&resourceId={}", member.user_id),
    )
    .await;
    let actions: Vec<&str> = trail.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert!(
        actions.contains(&"user.disable") && actions.contains(&"user.enable"),
        "{actions:?}"
    );
}

#[tokio::test]
async fn the_last_admin_can_be_neither_demoted_nor_disabled() {
    let stack = TestStack::start().await;
    let admin = stack.token(Role::Admin).await;
    let (_, me) = stack.call(Method::GET, "/api/me", Some(&admin), None).await;
    let admin_id = me["userId"].as_str().unwrap().to_string();
    assert_eq!(users_repo(&stack).admins(&wecare()).await.unwrap(), 1);

    for change in [
        json!({ "role": "Operator" }),
        json!({ "enabled": false }),
        json!({ "role": "Viewer", "enabled": false }),
    ] {
        let (status, body) = patch(&stack, &admin, &admin_id, change.clone()).await;
        assert_eq!(
            (status, body["error"]["code"].as_str()),
            (409, Some("LAST_ADMIN")),
            "{change}: {body}"
        );
    }
    let (_, me) = stack.call(Method::GET, "/api/me", Some(&admin), None).await;
    assert_eq!(me["role"], "Admin", "the refused changes changed nothing");
    assert!(audit(&stack, &admin, "action=user.role_change").await.is_empty());

    // With a second Admin, either may step down, but then the other is the last.
    let second = onboard(&stack, &admin, "second.admin@example.com", "Admin").await;
    assert_eq!(users_repo(&stack).admins(&wecare()).await.unwrap(), 2);
    let (status, _) = patch(&stack, &second.token, &admin_id, json!({ "role": "Operator" })).await;
    assert_eq!(status, 200);
    let (status, body) = patch(&stack, &second.token, &second.user_id, json!({ "enabled": false })).await;
    assert_eq!((status, body["error"]["code"].as_str()), (409, Some("LAST_ADMIN")));
    assert_eq!(users_repo(&stack).admins(&wecare()).await.unwrap(), 1);
}

#[tokio::test]
async fn admins_demoting_one_another_at_the_same_time_always_leave_one_admin() {
    let stack = TestStack::start().await;
    let admin = stack.token(Role::Admin).await;
    let (_, me) = stack.call(Method::GET, "/api/me", Some(&admin), None).await;
    let mut admins = vec![(me["userId"].as_str().unwrap().to_string(), admin.clone())];
    for i in 0..3 {
        let a = onboard(&stack, &admin, &format!("admin{i}@example.com"), "Admin").await;
        admins.push((a.user_id, a.token));
    }
    assert_eq!(users_repo(&stack).admins(&wecare()).await.unwrap(), 4);

    // Each Admin demotes the next one, all at once.
    let results = futures::future::join_all((0..admins.len()).map(|i| {
        let (by, target) = (&admins[i].1, &admins[(i + 1) % admins.len()].0);
        patch(&stack, by, target, json!({ "role": "Viewer" }))
    }))
    .await;
    let statuses: Vec<u16> = results.iter().map(|(s, _)| *s).collect();
    // A demoted Admin's own request may be refused (403) if it ran after their demotion; at most
    // three demotions can succeed, and whatever the interleaving one enabled Admin remains.
    assert!(statuses.iter().all(|s| [200, 403, 409].contains(s)), "{results:?}");
    assert!(statuses.iter().filter(|s| **s == 200).count() <= 3, "{results:?}");
    // Read from the directory itself: any of the four may have been demoted.
    let listed = users_repo(&stack).list(&wecare(), 100, None).await.unwrap().items;
    let remaining = listed.iter().filter(|m| m.access().is_enabled_admin()).count();
    let counted = users_repo(&stack).admins(&wecare()).await.unwrap();
    assert!(remaining >= 1, "{listed:?}");
    assert_eq!(counted as usize, remaining, "the count is the enabled Admins there are");
    let last_admin_refusals = results
        .iter()
        .filter(|(s, b)| *s == 409 && b["error"]["code"] == "LAST_ADMIN")
        .count();
    eprintln!("concurrent demotions: {statuses:?}, {last_admin_refusals} refused as the last Admin");
}

#[tokio::test]
async fn another_tenants_user_is_not_found_and_never_listed() {
    let stack = TestStack::start().await;
    let admin = stack.token(Role::Admin).await;
    let globex = stack.sign_in(Role::Operator, "globex").await;
    let (_, them) = stack.call(Method::GET, "/api/me", Some(&globex.id), None).await;
    let globex_id = them["userId"].as_str().unwrap().to_string();

    let (status, body) = patch(&stack, &admin, &globex_id, json!({ "enabled": false })).await;
    assert_eq!((status, body["error"]["code"].as_str()), (404, Some("NOT_FOUND")));
    let (status, _) = stack.call(Method::GET, "/api/me", Some(&globex.id), None).await;
    assert_eq!(status, 200, "the other tenant's user was not touched");
    assert!(members(&stack, &admin).await.iter().all(|m| m["tenantId"] == "wecare"));
    let (status, _) = patch(&stack, &admin, "no-such-user", json!({ "role": "Viewer" })).await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn only_admins_manage_the_team_and_refusals_are_audited() {
    let stack = TestStack::start().await;
    let admin = stack.token(Role::Admin).await;
    let member = onboard(&stack, &admin, "sanjay@example.com", "Viewer").await;
    for role in [Role::Viewer, Role::Operator] {
        let token = stack.token(role).await;
        let (status, _) = stack.call(Method::GET, "/api/users", Some(&token), None).await;
        assert_eq!(status, 403, "{role:?} lists");
        let (status, _) = invite(&stack, &token, "someone@example.com", "Admin").await;
        assert_eq!(status, 403, "{role:?} invites");
        let (status, _) = patch(&stack, &token, &member.user_id, json!({ "role": "Admin" })).await;
        assert_eq!(status, 403, "{role:?} promotes");
    }
    let denied = audit(&stack, &admin, "action=user.*&outcome=denied").await;
    assert_eq!(denied.len(), 6, "{denied:?}");
    let promotions: Vec<&Value> = denied.iter().filter(|e| e["action"] == "user.update").collect();
    assert!(promotions.iter().all(|e| e["resourceId"] == member.user_id.as_str()));
    let (_, me) = stack.call(Method::GET, "/api/me", Some(&member.token), None).await;
    assert_eq!(me["role"], "Viewer");
}
