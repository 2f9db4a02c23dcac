//! Kakao sign-in against a small local server that behaves like Kakao (authorize, token
//! with PKCE, `/v2/user/me`), on both databases: new and returning users, linking and
//! unlinking, a wrong state, a replayed code, denied consent, and no configuration.

mod common;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode as AxumStatus};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use common::{Backend, TestApp};
use reqwest::StatusCode;
use serde_json::{Value, json};
use sha2::Digest;

/// What the fake Kakao knows: issued codes and the user who consents next.
#[derive(Default)]
struct Fake {
    /// code → (PKCE challenge, used)
    codes: HashMap<String, (String, bool)>,
    user: Value,
    tokens: HashMap<String, Value>,
}

type Shared = Arc<Mutex<Fake>>;

fn base64url(bytes: &[u8]) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..=chunk.len() {
            out.push(ALPHABET[((n >> (18 - 6 * i)) & 63) as usize] as char);
        }
    }
    out
}

async fn authorize(
    State(fake): State<Shared>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    assert_eq!(q.get("response_type").map(String::as_str), Some("code"));
    assert_eq!(
        q.get("code_challenge_method").map(String::as_str),
        Some("S256")
    );
    assert_eq!(q.get("client_id").map(String::as_str), Some("test-client"));
    let code = format!("code-{}", uuid::Uuid::new_v4().simple());
    fake.lock()
        .unwrap()
        .codes
        .insert(code.clone(), (q["code_challenge"].clone(), false));
    let target = format!("{}?code={code}&state={}", q["redirect_uri"], q["state"]);
    Redirect::to(&target).into_response()
}

async fn token(State(fake): State<Shared>, Form(form): Form<HashMap<String, String>>) -> Response {
    let mut fake = fake.lock().unwrap();
    let invalid = || {
        (
            AxumStatus::BAD_REQUEST,
            axum::Json(json!({"error": "invalid_grant"})),
        )
            .into_response()
    };
    if form.get("grant_type").map(String::as_str) != Some("authorization_code")
        || form.get("client_id").map(String::as_str) != Some("test-client")
        || form.get("client_secret").map(String::as_str) != Some("test-secret")
    {
        return invalid();
    }
    let Some((challenge, used)) = form.get("code").and_then(|c| fake.codes.get_mut(c)) else {
        return invalid();
    };
    let verifier = form.get("code_verifier").cloned().unwrap_or_default();
    if *used || base64url(&sha2::Sha256::digest(verifier.as_bytes())) != *challenge {
        return invalid();
    }
    *used = true;
    let access = format!("at-{}", uuid::Uuid::new_v4().simple());
    let user = fake.user.clone();
    fake.tokens.insert(access.clone(), user);
    axum::Json(json!({"access_token": access, "token_type": "bearer", "expires_in": 21599}))
        .into_response()
}

async fn me(State(fake): State<Shared>, headers: HeaderMap) -> Response {
    let token = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .unwrap_or_default();
    match fake.lock().unwrap().tokens.get(token) {
        Some(user) => axum::Json(user.clone()).into_response(),
        None => AxumStatus::UNAUTHORIZED.into_response(),
    }
}

async fn fake_kakao() -> (String, Shared) {
    let fake: Shared = Arc::default();
    let app = axum::Router::new()
        .route("/oauth/authorize", get(authorize))
        .route("/oauth/token", post(token))
        .route("/v2/user/me", get(me))
        .with_state(fake.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (base, fake)
}

/// Runs `test` against a server configured for the fake Kakao.
fn with_kakao<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(TestApp, Shared) -> Fut,
    Fut: std::future::Future<Output = ()> + Send + 'static,
{
    common::block_on(async move {
        let Some(database) = common::create_database(backend).await else {
            eprintln!("skipped: set LECTERN_TEST_POSTGRES_URL to run the PostgreSQL tests");
            return;
        };
        let (base, fake) = fake_kakao().await;
        let (auth, token, me) = (
            format!("{base}/oauth/authorize"),
            format!("{base}/oauth/token"),
            format!("{base}/v2/user/me"),
        );
        let (app, stop, serving) = common::start_server(
            backend,
            database.clone(),
            &[
                "--kakao-client-id",
                "test-client",
                "--kakao-client-secret",
                "test-secret",
                "--kakao-auth-url",
                &auth,
                "--kakao-token-url",
                &token,
                "--kakao-userinfo-url",
                &me,
            ],
        )
        .await;
        let outcome = tokio::spawn(test(app, fake)).await;
        let _ = stop.send(());
        let _ = serving.await;
        common::drop_database(&database).await;
        if let Err(error) = outcome {
            std::panic::resume_unwind(error.into_panic());
        }
    });
}

fn consenting(fake: &Shared, id: i64, email: Option<&str>, nickname: &str) {
    let mut account = json!({"profile": {"nickname": nickname}});
    if let Some(email) = email {
        account["email"] = json!(email);
    }
    fake.lock().unwrap().user = json!({"id": id, "kakao_account": account});
}

/// Follows the flow as a browser: Lectern → Kakao (consents) → the callback URL, which
/// is returned without being visited.
async fn authorize_url(
    app: &TestApp,
    browser: &reqwest::Client,
    start: reqwest::Response,
) -> String {
    assert_eq!(
        start.status(),
        StatusCode::SEE_OTHER,
        "Lectern redirects to Kakao"
    );
    let to_kakao = start.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        to_kakao.contains("code_challenge=") && to_kakao.contains("state="),
        "{to_kakao}"
    );
    let consent = browser.get(&to_kakao).send().await.unwrap();
    let callback = consent.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        callback.starts_with(&app.url("/auth/kakao/callback")),
        "{callback}"
    );
    callback
}

async fn status(client: &reqwest::Client, app: &TestApp) -> Value {
    common::auth_status(app, client).await
}

async fn sign_in_with_kakao(app: &TestApp) -> (reqwest::Client, reqwest::Response) {
    let browser = common::client();
    let start = browser.get(app.url("/auth/kakao")).send().await.unwrap();
    let callback = authorize_url(app, &browser, start).await;
    let done = browser.get(&callback).send().await.unwrap();
    (browser, done)
}

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_owned()
}

macro_rules! kakao_tests {
    ($($name:ident),* $(,)?) => {
        mod sqlite { $( #[test] fn $name() { super::with_kakao(super::Backend::Sqlite, super::$name); } )* }
        mod postgres { $( #[test] fn $name() { super::with_kakao(super::Backend::Postgres, super::$name); } )* }
    };
}

kakao_tests!(
    a_new_kakao_user_is_registered_and_a_returning_one_signed_in,
    a_wrong_state_is_refused,
    a_replayed_callback_or_code_is_refused,
    denied_consent_is_explained,
    kakao_can_be_linked_and_unlinked,
);

async fn a_new_kakao_user_is_registered_and_a_returning_one_signed_in(app: TestApp, fake: Shared) {
    let page = common::client()
        .get(app.url("/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("/auth/kakao"),
        "the Kakao button shows when configured"
    );
    consenting(&fake, 4242, None, "민수");
    let (browser, done) = sign_in_with_kakao(&app).await;
    assert_eq!(location(&done), "/");
    let me = status(&browser, &app).await;
    assert_eq!(me["authenticated"], true);
    assert_eq!(me["user"]["role"], "student");
    assert_eq!(
        me["user"]["email"], "kakao-4242@users.kakao.invalid",
        "no email from Kakao"
    );

    let (again, _) = sign_in_with_kakao(&app).await;
    assert_eq!(
        status(&again, &app).await["user"]["id"],
        me["user"]["id"],
        "the same account"
    );
    let kakao_users: i64 = lectern::db_run!(app.state.db.reader(), |pool| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM users WHERE auth_type = 'kakao' AND kakao_id = '4242'",
        )
        .fetch_one(pool)
        .await
    })
    .unwrap();
    assert_eq!(kakao_users, 1);

    consenting(&fake, 7, Some("Jisoo@Example.KR"), "지수");
    let (other, _) = sign_in_with_kakao(&app).await;
    assert_eq!(
        status(&other, &app).await["user"]["email"],
        "jisoo@example.kr"
    );
}

async fn a_wrong_state_is_refused(app: TestApp, fake: Shared) {
    consenting(&fake, 1, None, "x");
    let browser = common::client();
    let start = browser.get(app.url("/auth/kakao")).send().await.unwrap();
    let callback = authorize_url(&app, &browser, start).await;
    let forged = callback.split("&state=").next().unwrap().to_owned() + "&state=forged";
    let done = browser.get(&forged).send().await.unwrap();
    assert_eq!(location(&done), "/login?kakao=state_mismatch");
    assert_eq!(status(&browser, &app).await["authenticated"], false);
    // Another browser (no pending sign-in) presenting the real callback is refused too.
    let stranger = common::client().get(&callback).send().await.unwrap();
    assert_eq!(location(&stranger), "/login?kakao=state_mismatch");
    let page = browser
        .get(app.url("/login?kakao=state_mismatch"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("out of date"));
}

async fn a_replayed_callback_or_code_is_refused(app: TestApp, fake: Shared) {
    consenting(&fake, 99, None, "x");
    let browser = common::client();
    let start = browser.get(app.url("/auth/kakao")).send().await.unwrap();
    let callback = authorize_url(&app, &browser, start).await;
    assert_eq!(location(&browser.get(&callback).send().await.unwrap()), "/");
    // The same callback again: its state was used up.
    let replay = browser.get(&callback).send().await.unwrap();
    assert_eq!(location(&replay), "/login?kakao=state_mismatch");
    // The old code under a fresh state: Kakao refuses the used code.
    let fresh = browser.get(app.url("/auth/kakao")).send().await.unwrap();
    let fresh_state = location(&fresh)
        .split("state=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    let old_code = callback
        .split("code=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    let reused = browser
        .get(app.url(&format!(
            "/auth/kakao/callback?code={old_code}&state={fresh_state}"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&reused), "/login?kakao=failed");
}

async fn denied_consent_is_explained(app: TestApp, _fake: Shared) {
    let browser = common::client();
    let start = browser.get(app.url("/auth/kakao")).send().await.unwrap();
    let state = location(&start)
        .split("state=")
        .nth(1)
        .unwrap()
        .split('&')
        .next()
        .unwrap()
        .to_owned();
    let denied = browser
        .get(app.url(&format!(
            "/auth/kakao/callback?error=access_denied&state={state}"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(location(&denied), "/login?kakao=denied");
    assert_eq!(status(&browser, &app).await["authenticated"], false);
}

async fn kakao_can_be_linked_and_unlinked(app: TestApp, fake: Shared) {
    let browser = common::client();
    let registered = browser
        .post(app.url("/api/fn/register"))
        .form(&[
            ("email", "ana@example.edu"),
            ("password", "Correct1horse"),
            ("first_name", "Ana"),
            ("last_name", "Lee"),
            ("grade_level", "10"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(registered.status(), StatusCode::OK);
    let ana = status(&browser, &app).await["user"]["id"].clone();
    consenting(&fake, 555, None, "Ana");
    let start = browser
        .post(app.url("/auth/kakao/link"))
        .send()
        .await
        .unwrap();
    let callback = authorize_url(&app, &browser, start).await;
    assert_eq!(
        location(&browser.get(&callback).send().await.unwrap()),
        "/profile"
    );
    let linked: Value = browser
        .post(app.url("/api/fn/kakao_status"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(linked, json!({"enabled": true, "linked": true}));

    // Kakao now signs in to Ana's own account.
    let (kakao_browser, _) = sign_in_with_kakao(&app).await;
    assert_eq!(status(&kakao_browser, &app).await["user"]["id"], ana);

    let unlinked = browser
        .post(app.url("/api/fn/unlink_kakao"))
        .send()
        .await
        .unwrap();
    assert_eq!(unlinked.status(), StatusCode::OK);
    let (new_browser, _) = sign_in_with_kakao(&app).await;
    assert_ne!(
        status(&new_browser, &app).await["user"]["id"],
        ana,
        "a fresh account after unlinking"
    );

    // A Kakao-only account cannot unlink its only way in.
    let refused = new_browser
        .post(app.url("/api/fn/unlink_kakao"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::BAD_REQUEST);
}

#[test]
fn without_configuration_there_is_no_kakao_sign_in() {
    common::block_on(common::run(Backend::Sqlite, |app| async move {
        let start = app.client.get(app.url("/auth/kakao")).send().await.unwrap();
        assert_eq!(location(&start), "/login?kakao=not_configured");
        let page = app.get("/login").await.text().await.unwrap();
        assert!(!page.contains("/auth/kakao"));
    }));
}
