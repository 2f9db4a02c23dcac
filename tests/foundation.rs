//! The foundation through HTTP on a real server: health, pages, the API error format,
//! request ids, languages and the database layer, on SQLite and PostgreSQL alike.

mod common;

use common::TestApp;
use reqwest::StatusCode;
use serde_json::Value;

on_both_backends!(
    health_reports_a_healthy_database,
    every_response_carries_a_fresh_request_id,
    home_page_is_server_rendered_with_hydration_script_and_csp_nonce,
    home_page_follows_accept_language_and_the_remembered_choice,
    unknown_page_is_a_404_page,
    unknown_api_route_is_a_json_404_with_the_request_id,
    wrong_method_on_the_api_is_a_json_405,
    oversized_api_body_is_a_json_413,
    choosing_a_language_without_javascript_sets_a_cookie_and_redirects_back,
    choosing_an_unknown_language_is_a_400,
    a_form_post_comes_back_to_its_page_marked_with_its_outcome,
    security_headers_are_set,
    secret_key_is_generated_once_and_kept,
    concurrent_write_transactions_all_commit,
    concurrent_page_renders_all_complete,
    cross_site_form_posts_are_refused,
);

async fn json(response: reqwest::Response) -> Value {
    response.json().await.expect("a JSON body")
}

fn assert_error_shape(body: &Value, code: &str) {
    assert_eq!(body["success"], false, "{body}");
    assert_eq!(body["error"], code, "{body}");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );
    assert!(
        body["timestamp"].as_str().is_some_and(|t| t.ends_with('Z')),
        "{body}"
    );
    assert!(
        body["request_id"]
            .as_str()
            .is_some_and(|r| r.starts_with("req_")),
        "{body}"
    );
}

async fn health_reports_a_healthy_database(app: TestApp) {
    let response = app.get("/health").await;
    assert_eq!(response.status(), StatusCode::OK);
    let body = json(response).await;
    assert_eq!(body["status"], "healthy");
    assert_eq!(body["services"]["database"], "healthy");
    assert_eq!(body["version"], env!("CARGO_PKG_VERSION"));
    let timestamp = body["timestamp"].as_str().unwrap();
    assert!(
        chrono::DateTime::parse_from_rfc3339(timestamp).is_ok(),
        "{timestamp}"
    );
}

async fn every_response_carries_a_fresh_request_id(app: TestApp) {
    let mut seen = std::collections::HashSet::new();
    for path in [
        "/health",
        "/",
        "/favicon.ico",
        "/nowhere",
        "/api/v1/nowhere",
    ] {
        let response = app.get(path).await;
        let id = response.headers()["x-request-id"]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(id.starts_with("req_") && id.len() > 20, "{path}: {id}");
        assert!(seen.insert(id), "{path}: request id reused");
    }
}

async fn home_page_is_server_rendered_with_hydration_script_and_csp_nonce(app: TestApp) {
    let response = app.get("/").await;
    assert_eq!(response.status(), StatusCode::OK);
    let csp = response.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let html = response.text().await.unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"), "{html:.200}");
    assert!(
        html.contains("See every student"),
        "server-rendered content missing"
    );
    assert!(html.contains(r#"data-testid="database-status""#));
    assert!(html.contains("/pkg/lectern.js"), "hydration script missing");
    // Only the live parts hydrate: here the time of the health check, with its props.
    assert!(
        html.contains(r#"<leptos-island data-component="RelativeTime_"#)
            && html.contains(r#"data-props="{&quot;at&quot;:"#),
        "the relative time is not an island"
    );
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .expect("CSP has a script nonce");
    assert!(
        html.contains(&format!(r#"nonce="{nonce}""#)),
        "script nonce differs from CSP"
    );
    assert!(csp.contains("frame-ancestors 'none'"));
}

async fn home_page_follows_accept_language_and_the_remembered_choice(app: TestApp) {
    let page = |lang: &'static str, cookie: Option<&'static str>| {
        let mut request = app.client.get(app.url("/")).header("accept-language", lang);
        if let Some(cookie) = cookie {
            request = request.header("cookie", cookie);
        }
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    let ja = page("ja-JP,ja;q=0.9,en;q=0.5", None).await;
    assert!(ja.contains(r#"lang="ja""#), "{ja:.300}");
    assert!(ja.contains("すべての学生のノートブックをライブで"));
    let ko = page("ko-KR", None).await;
    assert!(ko.contains("모든 학생의 노트북을 실시간으로"));
    let remembered = page("ja", Some("lectern_lang=ko")).await;
    assert!(remembered.contains(r#"lang="ko""#));
    let fallback = page("fr-FR", None).await;
    assert!(fallback.contains(r#"lang="en""#));
}

async fn unknown_page_is_a_404_page(app: TestApp) {
    let response = app.get("/no/such/page").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = response.text().await.unwrap();
    assert!(html.contains("Page not found"));
}

async fn unknown_api_route_is_a_json_404_with_the_request_id(app: TestApp) {
    let response = app.get("/api/v1/no-such-thing").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
    let header_id = response.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    let body = json(response).await;
    assert_error_shape(&body, "not_found");
    assert_eq!(body["request_id"], header_id);
}

async fn wrong_method_on_the_api_is_a_json_405(app: TestApp) {
    let response = app
        .client
        .delete(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert!(response.headers().contains_key("allow"));
    assert_error_shape(&json(response).await, "method_not_allowed");
    let ok = app.get("/api/v1/openapi.json").await;
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(json(ok).await["info"]["title"], "Lectern API");
}

async fn oversized_api_body_is_a_json_413(app: TestApp) {
    let body = vec![b' '; 1024 * 1024 + 1];
    let response = app
        .client
        .post(app.url("/api/v1/openapi.json"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_error_shape(&json(response).await, "payload_too_large");
}

async fn choosing_a_language_without_javascript_sets_a_cookie_and_redirects_back(app: TestApp) {
    // What a browser sends when the switcher form is submitted with JavaScript off.
    let response = app
        .client
        .post(app.url("/api/fn/set_locale"))
        .header("accept", "text/html")
        .header("referer", app.url("/"))
        .form(&[("locale", "ja")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    let location = response.headers()["location"].to_str().unwrap();
    assert!(location.starts_with(&app.url("/")), "{location}");
    let cookie = response.headers()["set-cookie"].to_str().unwrap();
    assert!(cookie.starts_with("lectern_lang=ja"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"));
    // The client kept the cookie: the next page is Japanese whatever the browser asks.
    let html = app
        .client
        .get(app.url("/"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(r#"lang="ja""#));
}

async fn choosing_an_unknown_language_is_a_400(app: TestApp) {
    let response = app
        .client
        .post(app.url("/api/fn/set_locale"))
        .form(&[("locale", "xx")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert!(response.headers().get("set-cookie").is_none());
}

async fn a_form_post_comes_back_to_its_page_marked_with_its_outcome(app: TestApp) {
    // What a browser sends for a page's form (outside the islands, forms are plain posts).
    let post =
        |endpoint: &'static str, referer: String, form: &'static [(&'static str, &'static str)]| {
            let request = common::client()
                .post(app.url(&format!("/api/fn/{endpoint}")))
                .header("accept", "text/html")
                .header("referer", referer)
                .form(form);
            async move {
                let response = request.send().await.unwrap();
                assert_eq!(response.status(), StatusCode::FOUND);
                response.headers()["location"].to_str().unwrap().to_owned()
            }
        };
    let language = &[("locale", "ja")];
    let saved = post("set_locale", app.url("/profile?tab=1"), language).await;
    let marked = app.url("/profile?tab=1&__saved=%2Fapi%2Ffn%2Fset_locale");
    assert_eq!(saved, marked);
    // A later failure drops the earlier success; the error travels as Leptos puts it.
    let wrong = &[("email", "nobody@example.edu"), ("password", "Wrong1horse")];
    let failed = post("login", saved, wrong).await;
    assert!(
        failed.starts_with(&app.url("/profile?tab=1&__path=")),
        "{failed}"
    );
    assert!(
        failed.contains("__err=") && !failed.contains("__saved"),
        "{failed}"
    );
    // Succeeding again marks it once, without the old error.
    assert_eq!(post("set_locale", failed, language).await, marked);
    // The page reads the mark, each form for its own function only.
    let email = "marked@example.edu";
    let role = lectern::auth::model::Role::Student;
    common::user(&app, email, "Mark", role, Some(common::PASSWORD)).await;
    let client = common::sign_in(&app, email, common::PASSWORD).await;
    let profile = |query: &'static str| {
        let request = client
            .get(app.url(&format!("/profile?{query}")))
            .header("accept-language", "en");
        async move { request.send().await.unwrap().text().await.unwrap() }
    };
    let changed = "Password changed.";
    let html = profile("__saved=%2Fapi%2Ffn%2Fchange_password").await;
    assert!(html.contains(changed), "{html:.300}");
    let html = profile("__saved=%2Fapi%2Ffn%2Fset_locale").await;
    assert!(!html.contains(changed));
}

async fn security_headers_are_set(app: TestApp) {
    for path in ["/", "/health", "/api/v1/nowhere"] {
        let response = app.get(path).await;
        let headers = response.headers();
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["referrer-policy"], "same-origin", "{path}");
    }
}

async fn secret_key_is_generated_once_and_kept(app: TestApp) {
    let first = app.state.secret_key.expose().to_owned();
    assert_eq!(first.len(), 64);
    // A second start on the same database (another instance, or a restart) reads it back.
    let (again, stop, serving) = common::start_server(app.backend, app.database.clone(), &[]).await;
    assert_eq!(again.state.secret_key.expose(), first);
    let _ = stop.send(());
    let _ = serving.await;
}

async fn concurrent_write_transactions_all_commit(app: TestApp) {
    // 64 writers at once, each a multi-statement transaction: none may fail with
    // "database is locked" (SQLite) or lose its row.
    let tasks = (0..64).map(|i| {
        let db = app.state.db.clone();
        tokio::spawn(async move {
            lectern::db_run!(db.writer(), |pool| {
                let mut tx = pool.begin().await?;
                for part in ["a", "b"] {
                    sqlx::query(
                        "INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3)",
                    )
                    .bind(format!("test_{i}_{part}"))
                    .bind("x")
                    .bind(chrono::Utc::now())
                    .execute(&mut *tx)
                    .await?;
                }
                tx.commit().await
            })
        })
    });
    for task in tasks {
        task.await.unwrap().expect("write transaction committed");
    }
    let count: i64 = lectern::db_run!(app.state.db.reader(), |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM server_secrets WHERE name LIKE 'test_%'")
            .fetch_one(pool)
            .await
    })
    .unwrap();
    assert_eq!(count, 128);
}

/// A PostgreSQL outage: `/health` answers 503 in its usual shape and pages still render,
/// then everything recovers by itself once the database is back. (An SQLite file cannot
/// go away underneath a running server in the same way.)
#[test]
fn postgres_outage_answers_503_then_recovers() {
    common::block_on(common::run(common::Backend::Postgres, |app| async move {
        use sqlx::Connection;
        let common::TestDatabase::Postgres {
            admin_url, name, ..
        } = app.database.clone()
        else {
            unreachable!("a PostgreSQL test");
        };
        let mut admin = sqlx::PgConnection::connect(&admin_url).await.unwrap();
        sqlx::query(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS false"))
            .execute(&mut admin)
            .await
            .unwrap();
        sqlx::query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1")
            .bind(&name)
            .execute(&mut admin)
            .await
            .unwrap();

        let response = app.get("/health").await;
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        let body = json(response).await;
        assert_eq!(body["status"], "unhealthy");
        assert_eq!(body["services"]["database"], "unhealthy");
        let page = app.get("/").await;
        assert_eq!(page.status(), StatusCode::OK);
        assert!(page.text().await.unwrap().contains("Unavailable"));

        sqlx::query(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"))
            .execute(&mut admin)
            .await
            .unwrap();
        let recovered = common::eventually(15, || async {
            app.get("/health").await.status() == StatusCode::OK
        })
        .await;
        assert!(
            recovered,
            "health did not recover after the database came back"
        );
    }));
}

/// SQLite runs in WAL mode with foreign keys enforced and `synchronous=NORMAL` on every
/// connection, readers and the writer alike.
#[test]
fn sqlite_connections_use_wal_foreign_keys_and_normal_sync() {
    common::block_on(common::run(common::Backend::Sqlite, |app| async move {
        let lectern::db::Db::Sqlite { reader, writer } = &app.state.db else {
            unreachable!("an SQLite test");
        };
        for pool in [reader, writer] {
            let mode: String = sqlx::query_scalar("PRAGMA journal_mode")
                .fetch_one(pool)
                .await
                .unwrap();
            assert_eq!(mode, "wal");
            let keys: i64 = sqlx::query_scalar("PRAGMA foreign_keys")
                .fetch_one(pool)
                .await
                .unwrap();
            assert_eq!(keys, 1);
            let sync: i64 = sqlx::query_scalar("PRAGMA synchronous")
                .fetch_one(pool)
                .await
                .unwrap();
            assert_eq!(sync, 1, "1 is NORMAL");
            let timeout: i64 = sqlx::query_scalar("PRAGMA busy_timeout")
                .fetch_one(pool)
                .await
                .unwrap();
            assert!(timeout >= 5_000);
        }
    }));
}

async fn concurrent_page_renders_all_complete(app: TestApp) {
    // Pages render with async data; many at once must all finish, none wait forever.
    let renders = (0..40).map(|i| {
        let app = app.clone();
        tokio::spawn(async move {
            let path = if i % 2 == 0 { "/" } else { "/no/such/page" };
            let response = app.get(path).await;
            let status = response.status();
            (path, status, response.text().await.unwrap_or_default())
        })
    });
    for render in renders {
        let (path, status, body) = render.await.unwrap();
        let expected = if path == "/" {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(status, expected, "{path}: {body:.2000}");
    }
}

async fn cross_site_form_posts_are_refused(app: TestApp) {
    let post = |headers: &'static [(&'static str, &'static str)]| {
        let mut request = app
            .client
            .post(app.url("/api/fn/set_locale"))
            .header("accept", "text/html")
            .form(&[("locale", "ja")]);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        async move { request.send().await.unwrap() }
    };
    let foreign = post(&[("origin", "https://evil.example")]).await;
    assert_eq!(foreign.status(), StatusCode::FORBIDDEN);
    assert!(foreign.headers().get("set-cookie").is_none());
    let cross = post(&[("sec-fetch-site", "cross-site")]).await;
    assert_eq!(cross.status(), StatusCode::FORBIDDEN);
    let api = app
        .client
        .post(app.url("/api/v1/anything"))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(api.status(), StatusCode::FORBIDDEN);
    assert_error_shape(&json(api).await, "cross_site_request");
    // The same form from this site goes through.
    let own_origin = format!("http://localhost:{}", app.addr.port());
    let own = app
        .client
        .post(app.url("/api/fn/set_locale"))
        .header("origin", own_origin)
        .header("referer", app.url("/"))
        .header("accept", "text/html")
        .form(&[("locale", "ja")])
        .send()
        .await
        .unwrap();
    assert_eq!(own.status(), StatusCode::FOUND);
}
