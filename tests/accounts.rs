//! Accounts through HTTP, as a browser without JavaScript uses them (form posts to the
//! server functions), on SQLite and PostgreSQL.

mod common;

use common::{TestApp, is_signed_in};
use reqwest::StatusCode;
use serde_json::Value;

on_both_backends!(
    registering_creates_a_signed_in_student,
    registration_reports_every_bad_field,
    a_taken_email_is_a_409_field_error,
    wrong_password_and_unknown_email_get_the_same_answer,
    the_session_id_changes_at_login_and_at_relogin,
    signing_out_deletes_the_session,
    the_profile_page_shows_who_is_signed_in,
    five_failed_sign_ins_lock_the_account,
    sign_ups_are_limited_per_address,
    setup_creates_the_first_administrator_once,
    sessions_are_listed_and_revoked_by_their_owner,
    changing_the_password_ends_the_other_sessions,
    api_tokens_act_as_their_owner_until_revoked,
    a_failed_form_post_without_javascript_shows_its_error,
    a_tampered_session_cookie_is_refused,
);

const PASSWORD: &str = "Correct1horse";

/// Posts a form to a server function the way a browser form does.
async fn post_form(
    app: &TestApp,
    client: &reqwest::Client,
    endpoint: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    client
        .post(app.url(&format!("/api/fn/{endpoint}")))
        .header("accept", "text/html")
        .header("referer", app.url("/"))
        .form(form)
        .send()
        .await
        .unwrap()
}

fn registration(email: &str) -> Vec<(&'static str, &str)> {
    vec![
        ("email", email),
        ("password", PASSWORD),
        ("first_name", "Ana"),
        ("last_name", "Lee"),
        ("grade_level", "10"),
    ]
}

/// The value of the session cookie a response sets.
fn session_cookie(response: &reqwest::Response) -> Option<String> {
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("lectern_session="))
        .map(|c| c.split(';').next().unwrap_or_default().to_owned())
}

async fn status_with(app: &TestApp, cookie: Option<&str>) -> Value {
    let client = reqwest::Client::new();
    let mut request = client.get(app.url("/api/v1/auth/status"));
    if let Some(cookie) = cookie {
        request = request.header("cookie", cookie);
    }
    request.send().await.unwrap().json().await.unwrap()
}

async fn registering_creates_a_signed_in_student(app: TestApp) {
    let response = post_form(
        &app,
        &app.client,
        "register",
        &registration(" Ana@Example.EDU "),
    )
    .await;
    assert_eq!(response.status(), StatusCode::FOUND);
    let set_cookie: Vec<_> = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let session = set_cookie
        .iter()
        .find(|c| c.starts_with("lectern_session="))
        .expect("a session cookie");
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Lax"),
        "{session}"
    );

    let status: Value = app.get("/api/v1/auth/status").await.json().await.unwrap();
    assert_eq!(status["authenticated"], true);
    assert_eq!(status["user"]["email"], "ana@example.edu");
    assert_eq!(status["user"]["role"], "student");
    assert!(status["expires_at"].as_str().is_some());
}

async fn registration_reports_every_bad_field(app: TestApp) {
    let client = reqwest::Client::new();
    let response = client
        .post(app.url("/api/fn/register"))
        .form(&[
            ("email", "not-an-email"),
            ("password", "short"),
            ("first_name", ""),
            ("last_name", "Lee"),
            ("grade_level", "13"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    let codes: Vec<(String, String)> = body["details"]
        .as_array()
        .expect("field problems")
        .iter()
        .map(|p| {
            (
                p["field"].as_str().unwrap().to_owned(),
                p["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        codes,
        [
            ("email".into(), "invalid_email".into()),
            ("password".into(), "password_too_short".into()),
            ("first_name".into(), "required".into()),
            ("grade_level".into(), "invalid_grade".into()),
        ]
    );
    // Nothing was created.
    let status = status_with(&app, None).await;
    assert_eq!(status["authenticated"], false);
}

async fn a_taken_email_is_a_409_field_error(app: TestApp) {
    let first = post_form(
        &app,
        &common::client(),
        "register",
        &registration("ana@example.edu"),
    )
    .await;
    assert_eq!(first.status(), StatusCode::FOUND);
    let client = reqwest::Client::new();
    let again = client
        .post(app.url("/api/fn/register"))
        .form(&registration("ANA@example.edu"))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::CONFLICT);
    let body: Value = again.json().await.unwrap();
    assert_eq!(body["details"][0]["field"], "email");
    assert_eq!(body["details"][0]["code"], "taken");
}

async fn wrong_password_and_unknown_email_get_the_same_answer(app: TestApp) {
    post_form(
        &app,
        &common::client(),
        "register",
        &registration("ana@example.edu"),
    )
    .await;
    let attempt = |email: &'static str, password: &'static str| {
        let url = app.url("/api/fn/login");
        async move {
            let response = reqwest::Client::new()
                .post(url)
                .form(&[("email", email), ("password", password)])
                .send()
                .await
                .unwrap();
            let status = response.status();
            let mut body: Value = response.json().await.unwrap_or_default();
            // Only the time and the request id may differ.
            if let Some(fields) = body.as_object_mut() {
                fields.remove("timestamp");
                fields.remove("request_id");
            }
            (status, body)
        }
    };
    let wrong_password = attempt("ana@example.edu", "Wrong1horse").await;
    let unknown_email = attempt("nobody@example.edu", PASSWORD).await;
    assert_eq!(wrong_password.0, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong_password, unknown_email);
    let right = attempt("ana@example.edu", PASSWORD).await;
    assert_eq!(right.0, StatusCode::OK);
}

async fn the_session_id_changes_at_login_and_at_relogin(app: TestApp) {
    let registered = post_form(
        &app,
        &app.client,
        "register",
        &registration("ana@example.edu"),
    )
    .await;
    let first = session_cookie(&registered).expect("session after registering");

    // Signing in again on a signed-in session still gives a new id.
    let login = [("email", "ana@example.edu"), ("password", PASSWORD)];
    let relogin = post_form(&app, &app.client, "login", &login).await;
    assert_eq!(relogin.status(), StatusCode::FOUND);
    let second = session_cookie(&relogin).expect("a new session cookie");
    assert_ne!(first, second);
    assert_eq!(
        status_with(&app, Some(&second)).await["authenticated"],
        true
    );
    assert_eq!(
        status_with(&app, Some(&first)).await["authenticated"],
        false,
        "old id still valid"
    );

    // A session planted before signing in (fixation) is not the one signed in.
    let planted = "lectern_session=AAAAAAAAAAAAAAAAAAAAAA";
    let fixed = reqwest::Client::new()
        .post(app.url("/api/fn/login"))
        .header("cookie", planted)
        .form(&login)
        .send()
        .await
        .unwrap();
    let issued = session_cookie(&fixed).expect("a fresh session cookie");
    assert_ne!(issued, planted);
    assert_eq!(
        status_with(&app, Some(planted)).await["authenticated"],
        false
    );
}

async fn signing_out_deletes_the_session(app: TestApp) {
    let registered = post_form(
        &app,
        &app.client,
        "register",
        &registration("ana@example.edu"),
    )
    .await;
    let cookie = session_cookie(&registered).unwrap();
    let out = post_form(&app, &app.client, "logout", &[]).await;
    assert_eq!(out.status(), StatusCode::FOUND);
    assert_eq!(
        status_with(&app, Some(&cookie)).await["authenticated"],
        false
    );
    let rows: i64 = lectern::db_run!(app.state.db.reader(), |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM sessions WHERE user_id IS NOT NULL")
            .fetch_one(pool)
            .await
    })
    .unwrap();
    assert_eq!(rows, 0, "the signed-in session row is gone");
}

async fn the_profile_page_shows_who_is_signed_in(app: TestApp) {
    let anonymous = app.get("/profile").await.text().await.unwrap();
    assert!(anonymous.contains("/login?next=/profile"));
    post_form(
        &app,
        &app.client,
        "register",
        &registration("ana@example.edu"),
    )
    .await;
    let page = app.get("/profile").await.text().await.unwrap();
    assert!(page.contains("ana@example.edu"), "{page:.400}");
    assert!(page.contains("Ana Lee"));
}

#[test]
fn expired_sessions_are_deleted() {
    common::block_on(common::run(common::Backend::Sqlite, |app| async move {
        post_form(
            &app,
            &app.client,
            "register",
            &registration("ana@example.edu"),
        )
        .await;
        let past = chrono::Utc::now() - chrono::Duration::hours(1);
        lectern::db_run!(app.state.db.writer(), |pool| {
            sqlx::query("UPDATE sessions SET expires_at = $1")
                .bind(past)
                .execute(pool)
                .await
                .map(|_| ())
        })
        .unwrap();
        let store = lectern::auth::store::DbSessionStore::new(app.state.db.clone());
        assert_eq!(store.delete_expired().await.unwrap(), 1);
        assert_eq!(
            app.get("/api/v1/auth/status")
                .await
                .json::<Value>()
                .await
                .unwrap()["authenticated"],
            false
        );
    }));
}

/// Five failures lock the account for the window; the right password then gets 429 too.
async fn five_failed_sign_ins_lock_the_account(app: TestApp) {
    post_form(
        &app,
        &common::client(),
        "register",
        &registration("ana@example.edu"),
    )
    .await;
    let attempt = |password: &'static str| {
        let url = app.url("/api/fn/login");
        async move {
            common::client()
                .post(url)
                .form(&[("email", "ana@example.edu"), ("password", password)])
                .send()
                .await
                .unwrap()
        }
    };
    for _ in 0..5 {
        assert_eq!(
            attempt("Wrong1horse").await.status(),
            StatusCode::UNAUTHORIZED
        );
    }
    let locked = attempt(PASSWORD).await;
    assert_eq!(locked.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(locked.headers()["retry-after"], "900");
    let body: Value = locked.json().await.unwrap();
    assert_eq!(body["retry_after"], 900);
}

/// The fourth sign-up from one address within the hour is refused.
async fn sign_ups_are_limited_per_address(app: TestApp) {
    for n in 0..3 {
        let email = format!("student{n}@example.edu");
        let response = post_form(&app, &common::client(), "register", &registration(&email)).await;
        assert_eq!(response.status(), StatusCode::FOUND, "sign-up {n}");
    }
    let fourth = common::client()
        .post(app.url("/api/fn/register"))
        .form(&registration("late@example.edu"))
        .send()
        .await
        .unwrap();
    assert_eq!(fourth.status(), StatusCode::TOO_MANY_REQUESTS);
}

/// `/setup` creates the first super admin with the logged code, and only once.
async fn setup_creates_the_first_administrator_once(app: TestApp) {
    let page = app.get("/setup").await.text().await.unwrap();
    assert!(page.contains("Setup code"), "the set-up form is offered");
    let code = lectern::auth::setup::open_setup_code(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let form = |code: &str| {
        vec![
            ("setup_code", code.to_owned()),
            ("email", "admin@example.edu".to_owned()),
            ("password", PASSWORD.to_owned()),
            ("first_name", "Ada".to_owned()),
            ("last_name", "Lovelace".to_owned()),
        ]
    };
    let wrong = common::client()
        .post(app.url("/api/fn/setup"))
        .form(&form("AAAA-AAAA"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        wrong.json::<Value>().await.unwrap()["details"][0]["code"],
        "wrong_setup_code"
    );

    let right = app
        .client
        .post(app.url("/api/fn/setup"))
        .header("accept", "text/html")
        .header("referer", app.url("/setup"))
        .form(&form(&code.to_lowercase()))
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), StatusCode::FOUND);
    let status: Value = app.get("/api/v1/auth/status").await.json().await.unwrap();
    assert_eq!(status["user"]["role"], "super_admin");

    let again = common::client()
        .post(app.url("/api/fn/setup"))
        .form(&form(&code))
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::FORBIDDEN);
    assert!(
        app.get("/setup")
            .await
            .text()
            .await
            .unwrap()
            .contains("setup-closed")
    );
    assert!(
        lectern::auth::setup::open_setup_code(&app.state.db)
            .await
            .unwrap()
            .is_none()
    );
}

/// Signs `email` in on a fresh client and returns it.
async fn signed_in(app: &TestApp, email: &str, password: &str) -> reqwest::Client {
    let client = common::client();
    let response = post_form(
        app,
        &client,
        "login",
        &[("email", email), ("password", password)],
    )
    .await;
    assert_eq!(response.status(), StatusCode::FOUND, "sign-in of {email}");
    client
}

async fn my_sessions(app: &TestApp, client: &reqwest::Client) -> Vec<Value> {
    let response = client
        .post(app.url("/api/fn/my_sessions"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

/// Sessions are listed with their device, and can be ended one by one or all but this one,
/// only by their owner.
async fn sessions_are_listed_and_revoked_by_their_owner(app: TestApp) {
    post_form(
        &app,
        &common::client(),
        "register",
        &registration("ana@example.edu"),
    )
    .await;
    let laptop = signed_in(&app, "ana@example.edu", PASSWORD).await;
    let phone = signed_in(&app, "ana@example.edu", PASSWORD).await;
    let tablet = signed_in(&app, "ana@example.edu", PASSWORD).await;

    let listed = my_sessions(&app, &laptop).await;
    assert!(listed.len() >= 3, "{listed:?}");
    assert_eq!(listed.iter().filter(|s| s["current"] == true).count(), 1);
    assert!(listed.iter().all(|s| s["ip"] == "127.0.0.1"));

    // Another user cannot end Ana's sessions, even knowing a handle.
    post_form(
        &app,
        &common::client(),
        "register",
        &registration("eve@example.edu"),
    )
    .await;
    let eve = signed_in(&app, "eve@example.edu", PASSWORD).await;
    let phone_handle = my_sessions(&app, &phone)
        .await
        .into_iter()
        .find(|s| s["current"] == true)
        .unwrap()["handle"]
        .as_str()
        .unwrap()
        .to_owned();
    let refused = eve
        .post(app.url("/api/fn/revoke_session"))
        .form(&[("handle", &phone_handle)])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);
    assert!(is_signed_in(&app, &phone).await);

    let revoked = laptop
        .post(app.url("/api/fn/revoke_session"))
        .form(&[("handle", &phone_handle)])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::OK);
    assert!(!is_signed_in(&app, &phone).await);

    let others = laptop
        .post(app.url("/api/fn/revoke_other_sessions"))
        .send()
        .await
        .unwrap();
    assert_eq!(others.status(), StatusCode::OK);
    assert!(!is_signed_in(&app, &tablet).await);
    assert!(is_signed_in(&app, &laptop).await);
    assert!(is_signed_in(&app, &eve).await, "other users are untouched");

    let anonymous = common::client()
        .post(app.url("/api/fn/my_sessions"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

/// Changing the password needs the current one, keeps this device signed in and signs
/// out every other.
async fn changing_the_password_ends_the_other_sessions(app: TestApp) {
    post_form(
        &app,
        &common::client(),
        "register",
        &registration("ana@example.edu"),
    )
    .await;
    let laptop = signed_in(&app, "ana@example.edu", PASSWORD).await;
    let phone = signed_in(&app, "ana@example.edu", PASSWORD).await;
    let change = |current: &'static str, new: &'static str| {
        let request = laptop
            .post(app.url("/api/fn/change_password"))
            .form(&[("current_password", current), ("new_password", new)]);
        async move { request.send().await.unwrap() }
    };
    let wrong = change("Wrong1horse", "Better2horse").await;
    assert_eq!(wrong.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        wrong.json::<Value>().await.unwrap()["details"][0]["code"],
        "wrong_password"
    );
    let weak = change(PASSWORD, "weak").await;
    assert_eq!(
        weak.json::<Value>().await.unwrap()["details"][0]["field"],
        "new_password"
    );

    assert_eq!(
        change(PASSWORD, "Better2horse").await.status(),
        StatusCode::OK
    );
    assert!(
        is_signed_in(&app, &laptop).await,
        "this device stays signed in"
    );
    assert!(
        !is_signed_in(&app, &phone).await,
        "other devices are signed out"
    );
    let old = common::client()
        .post(app.url("/api/fn/login"))
        .form(&[("email", "ana@example.edu"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), StatusCode::UNAUTHORIZED);
    signed_in(&app, "ana@example.edu", "Better2horse").await;
}

/// A personal API token acts as its owner on the JSON API until revoked, and only its
/// owner can list or revoke it.
async fn api_tokens_act_as_their_owner_until_revoked(app: TestApp) {
    post_form(
        &app,
        &common::client(),
        "register",
        &registration("ana@example.edu"),
    )
    .await;
    let ana = signed_in(&app, "ana@example.edu", PASSWORD).await;
    let created = ana
        .post(app.url("/api/fn/create_api_token"))
        .form(&[("name", "grading script")])
        .send()
        .await
        .unwrap();
    assert_eq!(created.status(), StatusCode::OK);
    let token: String = created.json().await.unwrap();
    assert!(token.starts_with("lct_") && token.len() > 60, "{token}");

    let with_token = |token: String| {
        let request = reqwest::Client::new()
            .get(app.url("/api/v1/auth/status"))
            .header("authorization", format!("Bearer {token}"));
        async move { request.send().await.unwrap() }
    };
    let status: Value = with_token(token.clone()).await.json().await.unwrap();
    assert_eq!(status["authenticated"], true);
    assert_eq!(status["user"]["email"], "ana@example.edu");

    let listed: Vec<Value> = ana
        .post(app.url("/api/fn/my_api_tokens"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0]["name"], "grading script");
    assert!(token.starts_with(listed[0]["prefix"].as_str().unwrap()));
    assert!(!listed[0]["last_used_at"].is_null(), "use is recorded");
    let id = listed[0]["id"].as_str().unwrap().to_owned();

    post_form(
        &app,
        &common::client(),
        "register",
        &registration("eve@example.edu"),
    )
    .await;
    let eve = signed_in(&app, "eve@example.edu", PASSWORD).await;
    let refused = eve
        .post(app.url("/api/fn/revoke_api_token"))
        .form(&[("id", &id)])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::NOT_FOUND);

    let revoked = ana
        .post(app.url("/api/fn/revoke_api_token"))
        .form(&[("id", &id)])
        .send()
        .await
        .unwrap();
    assert_eq!(revoked.status(), StatusCode::OK);
    let after = with_token(token).await;
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        after.json::<Value>().await.unwrap()["error"],
        "invalid_token"
    );
    let made_up = with_token("lct_0000".to_owned()).await;
    assert_eq!(made_up.status(), StatusCode::UNAUTHORIZED);

    let anonymous = common::client()
        .post(app.url("/api/fn/create_api_token"))
        .form(&[("name", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

/// Without JavaScript a failed form comes back to its page with the error shown next to
/// the field (the server puts it in the redirect URL).
async fn a_failed_form_post_without_javascript_shows_its_error(app: TestApp) {
    let wrong = common::client()
        .post(app.url("/api/fn/login"))
        .header("accept", "text/html")
        .header("referer", app.url("/login"))
        .form(&[("email", "nobody@example.edu"), ("password", "Wrong1horse")])
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), StatusCode::FOUND);
    let back = wrong.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        back.starts_with(&app.url("/login?")) && back.contains("__err="),
        "{back}"
    );
    let page = common::client()
        .get(&back)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("The email or password is not right."),
        "{page:.3000}"
    );

    let bad = common::client()
        .post(app.url("/api/fn/register"))
        .header("accept", "text/html")
        .header("referer", app.url("/register"))
        .form(&[
            ("email", "x"),
            ("password", "short"),
            ("first_name", "A"),
            ("last_name", "B"),
            ("grade_level", "10"),
        ])
        .send()
        .await
        .unwrap();
    let back = bad.headers()["location"].to_str().unwrap().to_owned();
    let page = common::client()
        .get(&back)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Enter a valid email address.")
            && page.contains("Use at least 8 characters.")
    );
}

/// Session cookies are signed with the server's key: an altered one is no session.
async fn a_tampered_session_cookie_is_refused(app: TestApp) {
    let registered = post_form(
        &app,
        &app.client,
        "register",
        &registration("ana@example.edu"),
    )
    .await;
    let cookie = session_cookie(&registered).unwrap();
    assert_eq!(
        status_with(&app, Some(&cookie)).await["authenticated"],
        true
    );
    let mut tampered = cookie.clone().into_bytes();
    let last = tampered.len() - 1;
    tampered[last] = if tampered[last] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(tampered).unwrap();
    assert_eq!(
        status_with(&app, Some(&tampered)).await["authenticated"],
        false
    );
}
