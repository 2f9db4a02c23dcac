//! Password reset through HTTP on both databases: the same answer for every email, a
//! single-use expiring link delivered to the outbox, and over SMTP to a local server that
//! speaks the protocol.

mod common;

use common::{TestApp, is_signed_in};
use reqwest::StatusCode;
use serde_json::Value;

on_both_backends!(
    a_reset_request_answers_the_same_for_any_email,
    a_reset_link_works_once_and_ends_every_session,
    an_expired_reset_link_is_refused,
    reset_requests_are_limited,
    only_administrators_read_the_outbox,
);

const PASSWORD: &str = "Correct1horse";

async fn register(app: &TestApp, email: &str) -> reqwest::Client {
    let client = common::client();
    let response = client
        .post(app.url("/api/fn/register"))
        .header("accept", "text/html")
        .header("referer", app.url("/register"))
        .form(&[
            ("email", email),
            ("password", PASSWORD),
            ("first_name", "Ana"),
            ("last_name", "Lee"),
            ("grade_level", "10"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    client
}

async fn request_reset(app: &TestApp, email: &str) -> reqwest::Response {
    common::client()
        .post(app.url("/api/fn/request_password_reset"))
        .header("accept", "text/html")
        .header("referer", app.url("/forgot-password"))
        .form(&[("email", email)])
        .send()
        .await
        .unwrap()
}

/// The newest outbox message as (to, body).
async fn newest_mail(app: &TestApp) -> Option<(String, String)> {
    lectern::db_run!(app.state.db.reader(), |pool| {
        sqlx::query_as("SELECT to_address, body FROM outbox ORDER BY created_at DESC LIMIT 1")
            .fetch_optional(pool)
            .await
    })
    .unwrap()
}

fn token_in(body: &str) -> String {
    body.split("token=")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned()
}

async fn a_reset_request_answers_the_same_for_any_email(app: TestApp) {
    register(&app, "ana@example.edu").await;
    let known = request_reset(&app, "ana@example.edu").await;
    let unknown = request_reset(&app, "nobody@example.edu").await;
    assert_eq!(known.status(), StatusCode::FOUND);
    assert_eq!(known.status(), unknown.status());
    assert_eq!(known.headers()["location"], unknown.headers()["location"]);
    assert_eq!(known.text().await.unwrap(), unknown.text().await.unwrap());
    let (to, body) = newest_mail(&app)
        .await
        .expect("a mail for the known account");
    assert_eq!(to, "ana@example.edu");
    assert!(body.contains("/reset-password?token="), "{body}");
    let count: i64 = lectern::db_run!(app.state.db.reader(), |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM outbox")
            .fetch_one(pool)
            .await
    })
    .unwrap();
    assert_eq!(count, 1, "nothing is sent for an unknown email");
    let page = common::client()
        .get(app.url("/forgot-password?sent=1"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("a reset link is on its way"));
}

async fn a_reset_link_works_once_and_ends_every_session(app: TestApp) {
    let browser = register(&app, "ana@example.edu").await;
    request_reset(&app, "ana@example.edu").await;
    let token = token_in(&newest_mail(&app).await.unwrap().1);
    let page = common::client()
        .get(app.url(&format!("/reset-password?token={token}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("new_password"), "the form is shown");

    let reset = |password: &'static str| {
        let request = common::client()
            .post(app.url("/api/fn/reset_password"))
            .form(&[("token", token.as_str()), ("new_password", password)]);
        async move { request.send().await.unwrap() }
    };
    let weak = reset("weak").await;
    assert_eq!(weak.status(), StatusCode::BAD_REQUEST);
    let done = reset("Better2horse").await;
    assert_eq!(done.status(), StatusCode::OK);
    assert!(
        !is_signed_in(&app, &browser).await,
        "existing sessions ended"
    );
    let again = reset("Third3horse").await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        again.json::<Value>().await.unwrap()["details"][0]["code"],
        "invalid_reset_link"
    );

    let login = common::client()
        .post(app.url("/api/fn/login"))
        .form(&[("email", "ana@example.edu"), ("password", "Better2horse")])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::OK);
    let used = common::client()
        .get(app.url(&format!("/reset-password?token={token}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(used.contains("reset-invalid"));
}

async fn an_expired_reset_link_is_refused(app: TestApp) {
    register(&app, "ana@example.edu").await;
    request_reset(&app, "ana@example.edu").await;
    let token = token_in(&newest_mail(&app).await.unwrap().1);
    let past = chrono::Utc::now() - chrono::Duration::minutes(1);
    lectern::db_run!(app.state.db.writer(), |pool| {
        sqlx::query("UPDATE password_resets SET expires_at = $1")
            .bind(past)
            .execute(pool)
            .await
            .map(|_| ())
    })
    .unwrap();
    let response = common::client()
        .post(app.url("/api/fn/reset_password"))
        .form(&[("token", token.as_str()), ("new_password", "Better2horse")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
}

async fn reset_requests_are_limited(app: TestApp) {
    for _ in 0..3 {
        assert_eq!(
            request_reset(&app, "ana@example.edu").await.status(),
            StatusCode::FOUND
        );
    }
    // A browser form is sent back to the page with the error in its URL...
    let form = request_reset(&app, "ana@example.edu").await;
    assert_eq!(form.status(), StatusCode::FOUND);
    assert!(
        form.headers()["location"]
            .to_str()
            .unwrap()
            .contains("__err=")
    );
    // ...and any other client gets 429 with Retry-After.
    let limited = common::client()
        .post(app.url("/api/fn/request_password_reset"))
        .form(&[("email", "ana@example.edu")])
        .send()
        .await
        .unwrap();
    assert_eq!(limited.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(limited.headers().contains_key("retry-after"));
}

async fn only_administrators_read_the_outbox(app: TestApp) {
    let student = register(&app, "ana@example.edu").await;
    request_reset(&app, "ana@example.edu").await;
    let refused = student
        .post(app.url("/api/fn/outbox"))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let anonymous = common::client()
        .post(app.url("/api/fn/outbox"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);

    let code = lectern::auth::setup::open_setup_code(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let admin = common::client();
    let setup = admin
        .post(app.url("/api/fn/setup"))
        .form(&[
            ("setup_code", code.as_str()),
            ("email", "admin@example.edu"),
            ("password", PASSWORD),
            ("first_name", "Ada"),
            ("last_name", "Lovelace"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(setup.status(), StatusCode::OK);
    let page = admin
        .get(app.url("/admin/outbox"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("ana@example.edu") && page.contains("reset-password?token="),
        "{page:.500}"
    );
}

/// A local SMTP server speaking just enough of the protocol to take one message.
async fn fake_smtp() -> (u16, tokio::sync::oneshot::Receiver<String>) {
    use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let (stream, _) = listener.accept().await.unwrap();
        let (read, mut write) = stream.into_split();
        let mut lines = BufReader::new(read).lines();
        write.write_all(b"220 fake.smtp ESMTP\r\n").await.unwrap();
        let mut message = String::new();
        let mut in_data = false;
        let mut tx = Some(tx);
        while let Ok(Some(line)) = lines.next_line().await {
            if in_data {
                if line == "." {
                    in_data = false;
                    write.write_all(b"250 queued\r\n").await.unwrap();
                    if let Some(tx) = tx.take() {
                        let _ = tx.send(message.clone());
                    }
                } else {
                    message.push_str(&line);
                    message.push('\n');
                }
                continue;
            }
            let verb = line
                .split_whitespace()
                .next()
                .unwrap_or("")
                .to_ascii_uppercase();
            let reply: &[u8] = match verb.as_str() {
                "EHLO" | "HELO" => b"250 fake.smtp\r\n",
                "DATA" => {
                    in_data = true;
                    b"354 end with .\r\n"
                }
                "QUIT" => {
                    write.write_all(b"221 bye\r\n").await.unwrap();
                    break;
                }
                _ => b"250 OK\r\n",
            };
            write.write_all(reply).await.unwrap();
        }
    });
    (port, rx)
}

#[test]
fn with_smtp_configured_the_reset_mail_is_delivered_and_marked_sent() {
    common::block_on(async {
        let (port, received) = fake_smtp().await;
        let database = common::create_database(common::Backend::Sqlite)
            .await
            .unwrap();
        let smtp = format!("smtp://127.0.0.1:{port}");
        let (app, stop, serving) = common::start_server(
            common::Backend::Sqlite,
            database,
            &[
                "--smtp-url",
                &smtp,
                "--mail-from",
                "Lectern <noreply@example.edu>",
            ],
        )
        .await;
        register(&app, "ana@example.edu").await;
        request_reset(&app, "ana@example.edu").await;
        let message = tokio::time::timeout(std::time::Duration::from_secs(20), received)
            .await
            .expect("the SMTP server got a message")
            .unwrap();
        assert!(message.contains("To: ana@example.edu"), "{message}");
        assert!(message.contains("reset-password?token="), "{message}");
        let delivered = common::eventually(10, || async {
            let sent: Option<chrono::DateTime<chrono::Utc>> =
                lectern::db_run!(app.state.db.reader(), |pool| {
                    sqlx::query_scalar("SELECT sent_at FROM outbox")
                        .fetch_one(pool)
                        .await
                })
                .unwrap();
            sent.is_some()
        })
        .await;
        assert!(delivered, "the outbox row is marked sent");
        let _ = stop.send(());
        let _ = serving.await;
    });
}
