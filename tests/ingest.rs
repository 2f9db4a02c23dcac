//! Cell events posted by notebooks (SPEC §5.2) on both databases: both body formats,
//! the CORS preflight of the JupyterLab extension, idempotent retries, the students'
//! counters, and every kind of bad input.

mod common;

use common::{TestApp, class};
use lectern::db_run;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    events_are_stored_once_and_move_the_counters,
    bad_input_gets_a_clear_4xx,
    the_jupyterlab_extension_posts_across_origins,
    batches_answer_per_event,
    instructors_read_their_class_events,
);

/// On SQLite the writer never checkpoints (its commits would wait for it): the
/// checkpointer copies committed events from the WAL into the database file itself.
#[test]
fn sqlite_events_reach_the_database_file_while_the_writer_only_appends() {
    common::block_on(common::run(common::Backend::Sqlite, |app| async move {
        let (_, token) = class(&app, "checkpoint").await;
        for n in 0..20 {
            let body = event("mina@example.edu", &format!("e{n}"), "success");
            let (status, _) = post(&app, "/api/v1/events", Some(&token), &body).await;
            assert_eq!(status, StatusCode::CREATED);
        }
        let common::TestDatabase::Sqlite { dir, .. } = &app.database else {
            unreachable!("an SQLite test")
        };
        // The file alone, without its WAL: only what has been checkpointed.
        let copy = dir.path().join("file-only.db");
        let count_in_copy = || async {
            std::fs::copy(dir.path().join("lectern.db"), &copy).ok()?;
            let url = format!("sqlite://{}", copy.display());
            let mut connection = <sqlx::SqliteConnection as sqlx::Connection>::connect(&url)
                .await
                .ok()?;
            sqlx::query_scalar::<_, i64>("SELECT count(*) FROM cell_events")
                .fetch_one(&mut connection)
                .await
                .ok()
        };
        let mut in_file = None;
        for _ in 0..50 {
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            // A copy taken in the middle of a checkpoint may not open: try again.
            in_file = count_in_copy().await;
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", copy.display()));
            }
            if in_file == Some(20) {
                break;
            }
        }
        assert_eq!(in_file, Some(20), "the events are still only in the WAL");
    }));
}

/// Events stored before the index of events held hashes of their ids (migration 0011) get
/// theirs when the writer starts, and a late retry of one of them is still stored once;
/// two different ids with the same hash are both stored.
#[test]
fn retries_of_events_stored_before_the_key_hashes_are_stored_once() {
    common::block_on(async {
        let backend = common::Backend::Sqlite;
        let database = common::create_database(backend).await.unwrap();
        let (app, stop, serving) = common::start_server(backend, database.clone(), &[]).await;
        let (class_id, token) = class(&app, "upgrade").await;
        let mut first_ids = Vec::new();
        for key in ["e1", "e2", "é3"] {
            let body = event("mina@example.edu", key, "success");
            let (status, answer) = post(&app, "/api/v1/events", Some(&token), &body).await;
            assert_eq!(status, StatusCode::CREATED, "{answer}");
            first_ids.push(answer["event_id"].clone());
        }
        // What migration 0011 leaves for events stored before it: no hashes, and a list.
        let reset = "UPDATE cell_events SET key_hash = NULL; \
                     INSERT INTO cell_event_key_hashes (event_id) SELECT id FROM cell_events; \
                     INSERT INTO cell_event_key_hashes (event_id) VALUES (999999);";
        let lectern::db::Pool::Sqlite(pool) = app.state.db.writer() else {
            unreachable!("an SQLite test")
        };
        sqlx::raw_sql(reset).execute(pool).await.unwrap();
        let _ = stop.send(());
        serving.await.unwrap();
        drop(app);

        let (app, stop, serving) = common::start_server(backend, database, &[]).await;
        let left: (i64, i64) = db_run!(app.state.db.reader(), |pool| {
            sqlx::query_as(
                "SELECT (SELECT COUNT(*) FROM cell_event_key_hashes), \
                 (SELECT COUNT(*) FROM cell_events WHERE key_hash IS NULL)",
            )
            .fetch_one(pool)
            .await
        })
        .unwrap();
        assert_eq!(
            left,
            (0, 0),
            "(listed, without a hash) after the writer started"
        );
        for (key, first) in ["e1", "e2", "é3"].into_iter().zip(&first_ids) {
            let body = event("mina@example.edu", key, "success");
            let (status, answer) = post(&app, "/api/v1/events", Some(&token), &body).await;
            assert_eq!((status, &answer["event_id"]), (StatusCode::CREATED, first));
        }
        assert_eq!(stored_events(&app).await, 3);
        // Two ids with the same hash are two events.
        for key in ["aÈ", "bE"] {
            let body = event("mina@example.edu", key, "success");
            let (status, _) = post(&app, "/api/v1/events", Some(&token), &body).await;
            assert_eq!(status, StatusCode::CREATED);
        }
        assert_eq!(stored_events(&app).await, 5);
        assert_eq!(counters(&app, &class_id, "mina@example.edu").await.0, 5);
        let _ = stop.send(());
        serving.await.unwrap();
    });
}

fn event(email: &str, event_id: &str, status: &str) -> Value {
    json!({
        "event_id": event_id, "user_id": "u1", "user_name": "Mina Park", "email": email,
        "notebook_path": "lesson1/intro.ipynb", "cell_id": "c12", "cell_type": "code",
        "execution_count": 3, "code": "print(x)", "output": "", "status": status,
        "error_type": if status == "error" { "NameError" } else { "" },
        "error_message": if status == "error" { "name 'x' is not defined" } else { "" },
        "execution_time": 0.01, "timestamp": "2026-11-22T09:30:00Z", "team_name": "A"
    })
}

async fn post(app: &TestApp, path: &str, token: Option<&str>, body: &Value) -> (StatusCode, Value) {
    let mut request = app.client.post(app.url(path)).json(body);
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

/// (executions, errors, error streak, last error) of a student of a class.
async fn counters(app: &TestApp, class_id: &str, email: &str) -> (i64, i64, i64, Option<String>) {
    db_run!(app.state.db.reader(), |pool| {
        sqlx::query_as(
            "SELECT executions, errors, error_streak, last_error FROM classroom_students WHERE class_id = $1 AND email = $2",
        )
        .bind(class_id)
        .bind(email)
        .fetch_one(pool)
        .await
    })
    .unwrap()
}

async fn stored_events(app: &TestApp) -> i64 {
    db_run!(app.state.db.reader(), |pool| {
        sqlx::query_scalar("SELECT COUNT(*) FROM cell_events")
            .fetch_one(pool)
            .await
    })
    .unwrap()
}

async fn events_are_stored_once_and_move_the_counters(app: TestApp) {
    let (class_id, token) = class(&app, "spring").await;
    let (status, body) = post(
        &app,
        "/api/v1/events",
        Some(&token),
        &event("mina@example.edu", "e1", "success"),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    assert_eq!(body["success"], true);
    assert_eq!(body["message"], "Event recorded successfully");
    let first = body["event_id"].as_str().unwrap().to_owned();
    assert!(first.starts_with("evt_"));

    // A retry with the same event_id is acknowledged with the same id, stored once.
    let (status, again) = post(
        &app,
        "/api/v1/events",
        Some(&token),
        &event("mina@example.edu", "e1", "success"),
    )
    .await;
    assert_eq!(
        (status, again["event_id"].as_str()),
        (StatusCode::CREATED, Some(first.as_str()))
    );
    assert_eq!(stored_events(&app).await, 1);
    assert_eq!(
        counters(&app, &class_id, "mina@example.edu").await,
        (1, 0, 0, None)
    );

    for n in 0..3 {
        post(
            &app,
            "/api/v1/events",
            Some(&token),
            &event("mina@example.edu", &format!("err{n}"), "error"),
        )
        .await;
    }
    assert_eq!(
        counters(&app, &class_id, "mina@example.edu").await,
        (
            4,
            3,
            3,
            Some("NameError in lesson1/intro.ipynb cell c12".to_owned())
        )
    );
    post(
        &app,
        "/api/v1/events",
        Some(&token),
        &event("mina@example.edu", "ok2", "success"),
    )
    .await;
    assert_eq!(
        counters(&app, &class_id, "mina@example.edu").await,
        (5, 3, 0, None),
        "a success ends the streak"
    );

    // Without an event_id every post is a new event.
    let mut anonymous = event("joon@example.edu", "", "success");
    anonymous.as_object_mut().unwrap().remove("event_id");
    post(&app, "/api/v1/events", Some(&token), &anonymous).await;
    post(&app, "/api/v1/events", Some(&token), &anonymous).await;
    assert_eq!(counters(&app, &class_id, "joon@example.edu").await.0, 2);

    // A retry resends the event whole: the same event_id at another time is another
    // event, and each is stored once however often it comes, also twice in one batch.
    let at_nine = event("hana@example.edu", "h1", "success");
    let mut at_ten = at_nine.clone();
    at_ten["timestamp"] = json!("2026-11-22T10:30:00Z");
    let (_, first) = post(&app, "/api/v1/events", Some(&token), &at_nine).await;
    let (status, body) = post(
        &app,
        "/api/v1/events/batch",
        Some(&token),
        &json!({"events": [at_ten, at_nine, at_ten]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let ids: Vec<&str> = (0..3)
        .map(|n| body["results"][n]["event_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids[1], first["event_id"].as_str().unwrap());
    assert_eq!(ids[0], ids[2]);
    assert_ne!(ids[0], ids[1]);
    assert_eq!(counters(&app, &class_id, "hana@example.edu").await.0, 2);

    // Another class's token files the event under that class.
    let (other_class, other_token) = class(&app, "fall").await;
    post(
        &app,
        "/api/v1/events",
        Some(&other_token),
        &event("mina@example.edu", "e1", "success"),
    )
    .await;
    assert_eq!(counters(&app, &other_class, "mina@example.edu").await.0, 1);
    assert_eq!(counters(&app, &class_id, "mina@example.edu").await.0, 5);
}

async fn bad_input_gets_a_clear_4xx(app: TestApp) {
    let (_, token) = class(&app, "spring").await;
    let good = event("mina@example.edu", "e1", "success");
    let (status, body) = post(&app, "/api/v1/events", None, &good).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("missing_token"))
    );
    let (status, body) = post(&app, "/api/v1/events", Some("lci_nope"), &good).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("invalid_token"))
    );

    let response = app
        .client
        .post(app.url("/api/v1/events"))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    assert_eq!(
        response.json::<Value>().await.unwrap()["error"],
        "invalid_json"
    );

    // Every field wrong at once: each is named.
    let bad = json!({
        "email": "nope", "notebook_path": 7, "status": "maybe", "timestamp": "yesterday",
        "execution_count": -1, "team_name": "Z9", "cell_type": "python", "execution_time": "slow"
    });
    let (status, body) = post(&app, "/api/v1/events", Some(&token), &bad).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["error"], "validation_error");
    let fields: Vec<&str> = body["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    for field in [
        "email",
        "notebook_path",
        "status",
        "timestamp",
        "execution_count",
        "team_name",
        "cell_type",
        "execution_time",
        "cell_id",
    ] {
        assert!(fields.contains(&field), "{field} in {fields:?}");
    }

    let (status, body) = post(&app, "/api/v1/events", Some(&token), &json!([])).await;
    assert_eq!(
        (status, body["details"][0]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("empty"))
    );
    let many: Vec<Value> = (0..1_001)
        .map(|n| event("mina@example.edu", &format!("m{n}"), "success"))
        .collect();
    let (status, body) = post(&app, "/api/v1/events", Some(&token), &Value::Array(many)).await;
    assert_eq!(
        (status, body["details"][0]["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("too_many_events"))
    );
    let (status, body) = post(
        &app,
        "/api/v1/events",
        Some(&token),
        &json!([good, {"email": "x"}]),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert!(
        body["details"]
            .as_array()
            .unwrap()
            .iter()
            .all(|d| d["field"].as_str().unwrap().starts_with("1."))
    );
    assert_eq!(
        stored_events(&app).await,
        0,
        "an array with a bad event stores nothing"
    );

    // Over 1 MiB: 413. Long code is cut and flagged, not refused.
    let mut huge = good.clone();
    huge["code"] = json!("x".repeat(1_100_000));
    let (status, _) = post(&app, "/api/v1/events", Some(&token), &huge).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let mut long = good.clone();
    long["code"] = json!("y".repeat(100_000));
    let (status, _) = post(&app, "/api/v1/events", Some(&token), &long).await;
    assert_eq!(status, StatusCode::CREATED);
    let (length, truncated): (i64, bool) = db_run!(app.state.db.reader(), |pool| {
        sqlx::query_as("SELECT CAST(LENGTH(code) AS BIGINT), truncated FROM cell_events")
            .fetch_one(pool)
            .await
    })
    .unwrap();
    assert_eq!((length, truncated), (64 * 1024, true));

    // An archived class takes no more events.
    db_run!(app.state.db.writer(), |pool| {
        sqlx::query("UPDATE classes SET archived = TRUE")
            .execute(pool)
            .await
            .map(|_| ())
    })
    .unwrap();
    // Within a second (tokens are looked up again at most once a second).
    let refused = common::eventually(3, || async {
        let (status, body) = post(&app, "/api/v1/events", Some(&token), &good).await;
        (status, body["error"].as_str()) == (StatusCode::FORBIDDEN, Some("class_archived"))
    })
    .await;
    assert!(refused, "an archived class still takes events");
}

async fn the_jupyterlab_extension_posts_across_origins(app: TestApp) {
    let (class_id, token) = class(&app, "spring").await;
    let url = app.url(&format!("/api/v1/events?token={token}"));
    let preflight = app
        .client
        .request(reqwest::Method::OPTIONS, &url)
        .header("origin", "http://localhost:8888")
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    assert!(preflight.status().is_success(), "{}", preflight.status());
    assert_eq!(preflight.headers()["access-control-allow-origin"], "*");
    assert!(
        preflight.headers()["access-control-allow-headers"]
            .to_str()
            .unwrap()
            .contains("content-type")
    );

    let posted = json!([{
        "eventId": "0b6c5a1e", "eventType": "cell_executed", "eventTime": "2025-08-29T02:20:23.123Z",
        "emailAddress": "student001@example.com", "teamName": "チームA", "userName": "テスト学生001",
        "sessionId": "s1", "notebookPath": "lesson1/intro.ipynb", "cellId": "abc", "cellIndex": 3,
        "cellType": "code", "code": "print(1/0)", "executionCount": 5, "hasError": true,
        "errorMessage": "ZeroDivisionError: division by zero",
        "result": "ZeroDivisionError: division by zero", "executionDurationMs": 2
    }]);
    let response = app
        .client
        .post(&url)
        .header("origin", "http://localhost:8888")
        .header("sec-fetch-site", "cross-site")
        .json(&posted)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
    // Events take their own lane past the sessions and cookies; the answer still has what
    // every answer has.
    let id = response.headers()["x-request-id"].to_str().unwrap();
    assert!(id.starts_with("req_"), "{id}");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
    let (executions, errors, _, last_error) =
        counters(&app, &class_id, "student001@example.com").await;
    assert_eq!((executions, errors), (1, 1));
    assert_eq!(
        last_error.as_deref(),
        Some("ZeroDivisionError in lesson1/intro.ipynb cell abc")
    );
    let team: Option<String> = db_run!(app.state.db.reader(), |pool| {
        sqlx::query_scalar("SELECT team FROM classroom_students")
            .fetch_one(pool)
            .await
    })
    .unwrap();
    assert_eq!(team.as_deref(), Some("A"));

    // The rest of the API still refuses other origins.
    let refused = app
        .client
        .post(app.url("/api/fn/logout"))
        .header("origin", "http://localhost:8888")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
}

async fn batches_answer_per_event(app: TestApp) {
    let (_, token) = class(&app, "spring").await;
    let good = event("mina@example.edu", "b1", "success");
    let (status, body) = post(
        &app,
        "/api/v1/events/batch",
        Some(&token),
        &json!({"events": [good, {"email": "x"}]}),
    )
    .await;
    assert_eq!(status, StatusCode::MULTI_STATUS, "{body}");
    assert_eq!(
        (body["accepted"].as_i64(), body["rejected"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(body["results"][0]["success"], true);
    assert!(
        body["results"][0]["event_id"]
            .as_str()
            .unwrap()
            .starts_with("evt_")
    );
    assert_eq!(body["results"][1]["success"], false);
    let (status, _) = post(
        &app,
        "/api/v1/events/batch",
        Some(&token),
        &json!({"events": [event("mina@example.edu", "b2", "error")]}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (status, body) = post(
        &app,
        "/api/v1/events/batch",
        Some(&token),
        &json!({"events": [{"email": "x"}]}),
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("validation_error"))
    );
    let (status, _) = post(&app, "/api/v1/events/batch", Some(&token), &json!([good])).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "the batch endpoint wants {{\"events\": [...]}}"
    );
    assert_eq!(stored_events(&app).await, 2);
}

async fn instructors_read_their_class_events(app: TestApp) {
    let (class_id, token) = class(&app, "spring").await;
    let (_, other_token) = class(&app, "fall").await;
    let mut second = event("mina@example.edu", "e2", "error");
    second["timestamp"] = json!("2026-11-22T09:31:00Z");
    second["notebook_path"] = json!("lesson2/loops.ipynb");
    let mut third = event("joon@example.edu", "e3", "success");
    third["timestamp"] = json!("2026-11-22T09:32:00Z");
    for body in [event("mina@example.edu", "e1", "success"), second, third] {
        post(&app, "/api/v1/events", Some(&token), &body).await;
    }
    post(
        &app,
        "/api/v1/events",
        Some(&other_token),
        &event("mina@example.edu", "x1", "success"),
    )
    .await;

    let teacher = common::sign_in(&app, "spring@example.edu", common::PASSWORD).await;
    let get = |query: String| {
        let teacher = teacher.clone();
        let url = app.url(&format!("/api/v1/events{query}"));
        async move {
            let response = teacher.get(url).send().await.unwrap();
            let status = response.status();
            (
                status,
                response.json::<Value>().await.unwrap_or(Value::Null),
            )
        }
    };
    let (status, all) = get(format!("?class_id={class_id}")).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(
        (all["total"].as_i64(), all["has_more"].as_bool()),
        (Some(3), Some(false))
    );
    let emails: Vec<&str> = all["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["email"].as_str().unwrap())
        .collect();
    assert_eq!(
        emails,
        ["joon@example.edu", "mina@example.edu", "mina@example.edu"],
        "newest first"
    );
    let failed = &all["events"][1];
    assert_eq!(
        (failed["status"].as_str(), failed["error_type"].as_str()),
        (Some("error"), Some("NameError"))
    );
    assert_eq!(failed["execution_time"].as_f64(), Some(0.01));

    // The only class an instructor teaches is the default.
    let (_, mine) = get("?email=MINA@example.edu".to_owned()).await;
    assert_eq!(mine["total"], 2);
    let (_, by_notebook) = get("?notebook_path=lesson2/loops.ipynb".to_owned()).await;
    assert_eq!(by_notebook["total"], 1);
    let (_, page) = get("?limit=1&offset=1".to_owned()).await;
    assert_eq!(
        (
            page["events"].as_array().unwrap().len(),
            page["has_more"].as_bool()
        ),
        (1, Some(true))
    );
    let (_, window) =
        get("?start_time=2026-11-22T09:30:30Z&end_time=2026-11-22T09:31:30Z".to_owned()).await;
    assert_eq!(window["total"], 1);
    let (status, body) = get("?limit=5000&start_time=noon".to_owned()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let fields: Vec<&str> = body["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["start_time", "limit"]);

    // Only the class's instructors.
    let other = common::sign_in(&app, "fall@example.edu", common::PASSWORD).await;
    let refused = other
        .get(app.url(&format!("/api/v1/events?class_id={class_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), StatusCode::FORBIDDEN);
    let anonymous = common::client()
        .get(app.url(&format!("/api/v1/events?class_id={class_id}")))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}
