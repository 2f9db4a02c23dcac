//! The live classroom on both databases: the dashboard's JSON API (overview, student
//! detail, students), the WebSocket (snapshot, each message, resume, refusals), privacy
//! and retention, and the group-commit writer under concurrent posts.

mod common;

use chrono::Utc;
use common::{PASSWORD, Socket, TestApp, class, next, open_socket, teacher_token, user};
use futures::SinkExt;
use lectern::auth::model::Role;
use lectern::db_run;
use reqwest::StatusCode;
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

on_both_backends!(
    the_overview_follows_the_events,
    a_students_detail_shows_runs_errors_and_notebooks,
    students_are_listed_created_updated_and_deleted,
    only_the_class_staff_read_the_dashboard,
    the_websocket_sends_a_snapshot_then_each_change,
    a_run_after_a_change_elsewhere_shows_both,
    the_websocket_resumes_after_a_reconnect,
    the_websocket_refuses_strangers,
    privacy_keeps_metadata_only_and_purges_old_code,
    concurrent_posts_are_all_stored_and_counted_once,
    each_student_is_limited_not_the_room,
);

/// On PostgreSQL, instances behind a load balancer share the database: a dashboard open
/// on one gets what another took, also a help request larger than `NOTIFY`'s payload.
#[test]
fn postgres_dashboards_follow_every_instance() {
    common::block_on(common::run(common::Backend::Postgres, |app| async move {
        let (_, ingest, _, mut socket, _) = watched_class(&app, "relay", false).await;
        let (other, stop, serving) =
            common::start_server(common::Backend::Postgres, app.database.clone(), &[]).await;
        let run = event("mina@x.org", "Mina", "c2", true);
        assert_eq!(post(&other, &ingest, &run).await, StatusCode::CREATED);
        let execution = next(&mut socket).await;
        assert_eq!(execution["type"], "cell_execution", "{execution}");
        assert_eq!(execution["data"]["cell_id"], "c2");
        assert_eq!(execution["data"]["cellExecutions"], 2);

        let code = "total = total + 1\n".repeat(1_000);
        let response = other
            .client
            .post(other.url("/api/v1/help/request"))
            .bearer_auth(&ingest)
            .json(&json!({"email": "mina@x.org", "user_name": "Mina", "message": "Stuck", "code": code}))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::CREATED);
        let raised: Value = response.json().await.unwrap();
        let mut help = next(&mut socket).await;
        while help["type"] != "help_request" {
            help = next(&mut socket).await;
        }
        // Past NOTIFY's limit, so it went through a row.
        assert!(help.to_string().len() > 8_000);
        assert!(
            help["data"]["request"] == raised["request"],
            "the request as raised"
        );
        let _ = stop.send(());
        serving.await.unwrap();
    }));
}

fn event(email: &str, name: &str, cell: &str, failed: bool) -> Value {
    json!({
        "event_id": uuid::Uuid::new_v4().to_string(),
        "user_name": name, "email": email, "team_name": "B",
        "notebook_path": "lesson1.ipynb", "cell_id": cell, "cell_type": "code",
        "code": "print(x)", "output": if failed { "" } else { "42" },
        "status": if failed { "error" } else { "success" },
        "error_type": if failed { Some("NameError") } else { None },
        "error_message": if failed { Some("name 'x' is not defined") } else { None },
        "execution_time": 0.25, "timestamp": Utc::now().to_rfc3339(),
    })
}

async fn post(app: &TestApp, token: &str, body: &Value) -> StatusCode {
    app.client
        .post(app.url("/api/v1/events"))
        .bearer_auth(token)
        .json(body)
        .send()
        .await
        .unwrap()
        .status()
}

async fn get(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
    let response = app
        .client
        .get(app.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn the_overview_follows_the_events(app: TestApp) {
    let (class_id, ingest) = class(&app, "live1").await;
    let token = teacher_token(&app, "live1").await;
    for (cell, failed) in [("c1", false), ("c2", true), ("c2", true), ("c2", true)] {
        let status = post(&app, &ingest, &event("mina@x.org", "Mina", cell, failed)).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    for cell in ["c1", "c2"] {
        post(&app, &ingest, &event("jun@x.org", "Jun", cell, false)).await;
    }
    post(&app, &ingest, &event("ana@x.org", "Ana", "c3", true)).await;
    // An instructor's only class is the default.
    let (status, overview) = get(&app, &token, "/api/v1/dashboard/overview").await;
    assert_eq!(status, StatusCode::OK, "{overview}");
    assert_eq!(overview["classId"], class_id.as_str());
    let students = overview["students"].as_array().unwrap();
    assert_eq!(students.len(), 3);
    let mina = students
        .iter()
        .find(|s| s["emailAddress"] == "mina@x.org")
        .unwrap();
    assert_eq!(mina["cellExecutions"], 4);
    assert_eq!(mina["errorCount"], 3);
    assert_eq!(mina["status"], "error", "three failures in a row");
    assert_eq!(mina["teamName"], "B");
    assert_eq!(mina["currentNotebook"], "lesson1.ipynb");
    // Jun completed both cells anyone completed; Mina one of them.
    assert_eq!(mina["progressPercentage"], 50);
    let jun = students
        .iter()
        .find(|s| s["emailAddress"] == "jun@x.org")
        .unwrap();
    assert_eq!(jun["status"], "active");
    assert_eq!(jun["progressPercentage"], 100);
    let metrics = &overview["metrics"];
    assert_eq!(metrics["totalStudents"], 3);
    assert_eq!(metrics["totalExecutions"], 7);
    assert_eq!(metrics["errorCount"], 1);
    assert_eq!(metrics["totalActive"], 2);
    let chart = overview["activityChart"].as_array().unwrap();
    assert_eq!(chart.len(), 60);
    let runs: i64 = chart
        .iter()
        .map(|p| p["totalExecutions"].as_i64().unwrap())
        .sum();
    let errors: i64 = chart.iter().map(|p| p["errors"].as_i64().unwrap()).sum();
    assert_eq!((runs, errors), (7, 4));
    let groups = overview["errorGroups"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
    assert!(
        groups
            .iter()
            .any(|g| g["error"] == "NameError in lesson1.ipynb cell c2"
                && g["students"] == json!(["mina@x.org"]))
    );
    // A success ends the streak.
    post(&app, &ingest, &event("mina@x.org", "Mina", "c2", false)).await;
    let (_, overview) = get(&app, &token, "/api/v1/dashboard/overview").await;
    let mina = overview["students"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["emailAddress"] == "mina@x.org")
        .cloned()
        .unwrap();
    assert_eq!(mina["status"], "active");
    assert_eq!(mina["progressPercentage"], 100);
    assert!(mina["lastError"].is_null());
}

async fn a_students_detail_shows_runs_errors_and_notebooks(app: TestApp) {
    let (class_id, ingest) = class(&app, "live2").await;
    let token = teacher_token(&app, "live2").await;
    post(&app, &ingest, &event("mina@x.org", "Mina", "c1", false)).await;
    post(&app, &ingest, &event("mina@x.org", "Mina", "c2", true)).await;
    let path = format!("/api/v1/dashboard/student/Mina@X.org?class_id={class_id}");
    let (status, detail) = get(&app, &token, &path).await;
    assert_eq!(status, StatusCode::OK, "{detail}");
    let student = &detail["student"];
    assert_eq!(student["totalExecutions"], 2);
    assert_eq!(student["successfulExecutions"], 1);
    assert_eq!(student["errorCount"], 1);
    assert_eq!(student["averageExecutionTime"], 0.25);
    assert_eq!(detail["recentActivity"].as_array().unwrap().len(), 2);
    let errors = detail["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0]["error_type"], "NameError");
    assert_eq!(errors[0]["code"], "print(x)");
    let notebooks = detail["notebooks"].as_array().unwrap();
    assert_eq!(notebooks[0]["path"], "lesson1.ipynb");
    assert_eq!(notebooks[0]["execution_count"], 2);
    assert_eq!(notebooks[0]["completion_rate"], 1.0);
    let (status, body) = get(
        &app,
        &token,
        &format!("/api/v1/dashboard/student/nobody@x.org?class_id={class_id}"),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["error"], "student_not_found");
}

async fn students_are_listed_created_updated_and_deleted(app: TestApp) {
    let (class_id, ingest) = class(&app, "live3").await;
    let token = teacher_token(&app, "live3").await;
    post(
        &app,
        &ingest,
        &event("mina@x.org", "Mina Park", "c1", false),
    )
    .await;
    let create = |body: Value| {
        app.client
            .post(app.url(&format!("/api/v1/students?class_id={class_id}")))
            .bearer_auth(&token)
            .json(&body)
            .send()
    };
    let response = create(json!({"email": "Jun@X.org", "name": "Jun Lee", "team_name": "チーム3"}))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let jun: Value = response.json().await.unwrap();
    assert_eq!(jun["email"], "jun@x.org");
    assert_eq!(jun["team_name"], "3");
    assert_eq!(jun["status"], "inactive");
    let response = create(json!({"email": "jun@x.org"})).await.unwrap();
    assert_eq!(response.status(), StatusCode::CONFLICT);
    let response = create(json!({"email": "not-an-email", "name": 5, "team_name": "Z9"}))
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let body: Value = response.json().await.unwrap();
    let fields: Vec<&str> = body["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["email", "name", "team_name"]);
    let response = app
        .client
        .post(app.url(&format!("/api/v1/students?class_id={class_id}")))
        .bearer_auth(&token)
        .header("content-type", "application/json")
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);

    let list = |query: &str| {
        let path = format!("/api/v1/students?class_id={class_id}&{query}");
        let (app, token) = (&app, &token);
        async move { get(app, token, &path).await }
    };
    let (_, all) = list("").await;
    assert_eq!(all["total"], 2);
    assert_eq!(all["teams"], json!(["B", "3"]));
    let (_, by_team) = list("team=3").await;
    assert_eq!(by_team["students"][0]["email"], "jun@x.org");
    assert_eq!(by_team["total"], 1);
    let (_, active) = list("status=active").await;
    assert_eq!(active["students"][0]["email"], "mina@x.org");
    let (_, found) = list("search=PARK").await;
    assert_eq!(found["total"], 1);
    let (_, paged) = list("limit=1&offset=1").await;
    assert_eq!(paged["students"].as_array().unwrap().len(), 1);
    let (status, bad) = list("status=asleep&team=Z9&limit=x").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(bad["details"].as_array().unwrap().len(), 3);

    let id = jun["id"].as_str().unwrap().to_owned();
    let response = app
        .client
        .put(app.url(&format!("/api/v1/students/{id}")))
        .bearer_auth(&token)
        .json(&json!({"name": "Jun-ho Lee", "team_name": "C"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let updated: Value = response.json().await.unwrap();
    assert_eq!(updated["name"], "Jun-ho Lee");
    assert_eq!(updated["team_name"], "C");
    let response = app
        .client
        .put(app.url(&format!("/api/v1/students/{id}")))
        .bearer_auth(&token)
        .json(&json!({"team_name": 3}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    let response = app
        .client
        .delete(app.url(&format!("/api/v1/students/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    let (_, all) = list("").await;
    assert_eq!(all["total"], 1);
    for missing in [id.as_str(), "abc", "999999"] {
        let response = app
            .client
            .delete(app.url(&format!("/api/v1/students/{missing}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{missing}");
    }
    // A deleted student whose notebook reports again comes back, fresh.
    let mina = all["students"][0]["id"].as_str().unwrap().to_owned();
    app.client
        .delete(app.url(&format!("/api/v1/students/{mina}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let status = post(
        &app,
        &ingest,
        &event("mina@x.org", "Mina Park", "c9", false),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, all) = list("").await;
    assert_eq!(all["total"], 1);
    assert_eq!(all["students"][0]["total_executions"], 1);
    // SQLite gives a deleted student's id to the next one: the notebook of the deleted
    // student must not write into the newcomer's record.
    let mina = all["students"][0]["id"].as_str().unwrap().to_owned();
    app.client
        .delete(app.url(&format!("/api/v1/students/{mina}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let response = create(json!({"email": "newcomer@x.org"})).await.unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let mut text = event("mina@x.org", "Mina Park", "c10", false);
    text["code"] = json!("print('a\u{0}b')");
    assert_eq!(post(&app, &ingest, &text).await, StatusCode::CREATED);
    let (_, all) = list("").await;
    assert_eq!(all["total"], 2);
    for student in all["students"].as_array().unwrap() {
        let expected = if student["email"] == "mina@x.org" {
            1
        } else {
            0
        };
        assert_eq!(student["total_executions"], expected, "{student}");
    }
}

async fn only_the_class_staff_read_the_dashboard(app: TestApp) {
    let (class_id, ingest) = class(&app, "live4").await;
    post(&app, &ingest, &event("mina@x.org", "Mina", "c1", false)).await;
    class(&app, "other").await;
    let other = teacher_token(&app, "other").await;
    let student_id = user(&app, "kid@x.org", "Kid", Role::Student, Some(PASSWORD)).await;
    let student = lectern::auth::tokens::create(&app.state.db, &student_id, "t")
        .await
        .unwrap();
    for path in [
        format!("/api/v1/dashboard/overview?class_id={class_id}"),
        format!("/api/v1/dashboard/student/mina@x.org?class_id={class_id}"),
        format!("/api/v1/students?class_id={class_id}"),
    ] {
        for token in [&other, &student] {
            let (status, body) = get(&app, token, &path).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{path}");
            assert_eq!(body["success"], false);
        }
        let response = app.client.get(app.url(&path)).send().await.unwrap();
        assert_eq!(response.status(), StatusCode::UNAUTHORIZED, "{path}");
    }
    // Another instructor cannot touch this class's students by id.
    let mina: i64 = db_run!(app.state.db.reader(), |pool| {
        sqlx::query_scalar("SELECT id FROM classroom_students WHERE email = 'mina@x.org'")
            .fetch_one(pool)
            .await
    })
    .unwrap();
    let response = app
        .client
        .delete(app.url(&format!("/api/v1/students/{mina}")))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

/// A class where Mina has run cell c1 (`failed` or not), watched by its instructor:
/// (class id, ingest token, instructor's token, the open socket, its first message).
async fn watched_class(
    app: &TestApp,
    name: &str,
    failed: bool,
) -> (String, String, String, Socket, Value) {
    let (class_id, ingest) = class(app, name).await;
    let token = teacher_token(app, name).await;
    let bearer = format!("Bearer {token}");
    post(app, &ingest, &event("mina@x.org", "Mina", "c1", failed)).await;
    let mut socket = open_socket(
        app,
        &format!("class_id={class_id}"),
        &[("authorization", &bearer)],
    )
    .await
    .unwrap();
    let first = next(&mut socket).await;
    (class_id, ingest, token, socket, first)
}

/// A student's id, by email.
async fn student_id(app: &TestApp, email: &str) -> i64 {
    db_run!(app.state.db.reader(), |pool| {
        sqlx::query_scalar("SELECT id FROM classroom_students WHERE email = $1")
            .bind(email)
            .fetch_one(pool)
            .await
    })
    .unwrap()
}

async fn the_websocket_sends_a_snapshot_then_each_change(app: TestApp) {
    let (_, ingest, token, mut socket, snapshot) = watched_class(&app, "live5", false).await;
    assert_eq!(snapshot["type"], "snapshot");
    // Numbers start where the server's start time puts them; one frame so far.
    let base = snapshot["seq"].as_u64().unwrap() - 1;
    assert!(base > 1_000_000_000_000_000, "{base}");
    assert_eq!(
        snapshot["data"]["students"][0]["emailAddress"],
        "mina@x.org"
    );
    assert!(snapshot["timestamp"].is_string());

    post(&app, &ingest, &event("mina@x.org", "Mina", "c2", true)).await;
    let execution = next(&mut socket).await;
    assert_eq!(execution["type"], "cell_execution");
    assert_eq!(execution["seq"], base + 2);
    assert_eq!(execution["data"]["emailAddress"], "mina@x.org");
    assert_eq!(execution["data"]["cellExecutions"], 2);
    assert_eq!(execution["data"]["cell_id"], "c2");
    assert_eq!(execution["data"]["execution_status"], "error");
    assert_eq!(execution["data"]["execution_time"], 0.25);
    assert_eq!(execution["data"]["student"]["errorCount"], 1);

    // A notebook opening moves the student's state without a run.
    let opened = json!([{
        "eventId": "e-open", "eventType": "notebook_opened", "eventTime": Utc::now().to_rfc3339(),
        "emailAddress": "mina@x.org", "userName": "Mina", "teamName": "チームA",
        "notebookPath": "lesson2.ipynb", "cellId": "", "sessionId": "s"
    }]);
    assert_eq!(post(&app, &ingest, &opened).await, StatusCode::CREATED);
    let progress = next(&mut socket).await;
    assert_eq!(progress["type"], "student_progress_update", "{progress}");
    assert_eq!(progress["data"]["currentNotebook"], "lesson2.ipynb");
    assert_eq!(progress["data"]["teamName"], "A");

    // Many events at once reach the dashboard as one delta with each student's newest state.
    let batch: Vec<Value> = (0..40)
        .map(|n| event(&format!("s{}@x.org", n % 4), "S", "c1", n % 5 == 0))
        .collect();
    let response = app
        .client
        .post(app.url("/api/v1/events/batch"))
        .bearer_auth(&ingest)
        .json(&json!({ "events": batch }))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let mut runs = 0;
    let mut last_seq = base + 3;
    while runs < 40 {
        let message = next(&mut socket).await;
        let seq = message["seq"].as_u64().unwrap();
        assert!(seq > last_seq, "sequence numbers grow");
        last_seq = seq;
        runs += match message["type"].as_str().unwrap() {
            "cell_execution" => 1,
            "delta_update" => {
                assert!(message["data"]["changes"].as_array().unwrap().len() <= 4);
                message["data"]["executions"].as_i64().unwrap()
            }
            other => panic!("unexpected {other}"),
        };
    }
    assert_eq!(last_seq, base + 43);

    // Deleting a student removes their tile.
    let id = student_id(&app, "s0@x.org").await;
    app.client
        .delete(app.url(&format!("/api/v1/students/{id}")))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    let removed = next(&mut socket).await;
    assert_eq!(removed["type"], "student_removed");
    assert_eq!(removed["data"]["emailAddress"], "s0@x.org");
    // Browsers cannot ping: a text "ping" is answered.
    socket.send(Message::text("ping")).await.unwrap();
    assert_eq!(next(&mut socket).await["type"], "pong");
}

/// The writer remembers each student's id and name between transactions; a change made
/// elsewhere in between (here a rename by an instructor) must reach the tile with the
/// next run, and the notebook's own name for the student must not undo it.
async fn a_run_after_a_change_elsewhere_shows_both(app: TestApp) {
    let (class_id, ingest, token, mut socket, snapshot) = watched_class(&app, "live5b", true).await;
    assert_eq!(snapshot["type"], "snapshot");
    let id = student_id(&app, "mina@x.org").await;
    let response = app
        .client
        .put(app.url(&format!("/api/v1/students/{id}")))
        .bearer_auth(&token)
        .json(&json!({"name": "Mina Park"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(next(&mut socket).await["data"]["userName"], "Mina Park");
    for (cell, runs) in [("c2", 2), ("c3", 3)] {
        post(&app, &ingest, &event("mina@x.org", "Mina", cell, true)).await;
        let run = next(&mut socket).await;
        assert_eq!(run["type"], "cell_execution");
        assert_eq!(run["data"]["student"]["userName"], "Mina Park", "{run}");
        assert_eq!(run["data"]["cellExecutions"], runs);
        assert_eq!(run["data"]["student"]["errorStreak"], runs);
    }
    let (_, all) = get(
        &app,
        &token,
        &format!("/api/v1/students?class_id={class_id}"),
    )
    .await;
    assert_eq!(all["students"][0]["name"], "Mina Park");
    assert_eq!(all["students"][0]["total_executions"], 3);
}

async fn the_websocket_resumes_after_a_reconnect(app: TestApp) {
    let (class_id, ingest) = class(&app, "live6").await;
    let token = teacher_token(&app, "live6").await;
    let bearer = format!("Bearer {token}");
    let auth = [("authorization", bearer.as_str())];
    let mut socket = open_socket(&app, &format!("class_id={class_id}"), &auth)
        .await
        .unwrap();
    let base = next(&mut socket).await["seq"].as_u64().unwrap();
    socket.close(None).await.unwrap();
    // Missed while away: two runs.
    post(&app, &ingest, &event("mina@x.org", "Mina", "c1", false)).await;
    post(&app, &ingest, &event("mina@x.org", "Mina", "c2", false)).await;
    let since = |n: u64| format!("class_id={class_id}&since={}", base + n);
    let mut socket = open_socket(&app, &since(0), &auth).await.unwrap();
    let missed = next(&mut socket).await;
    assert_eq!(missed["type"], "delta_update", "{missed}");
    assert_eq!(missed["seq"], base + 2);
    assert_eq!(missed["data"]["executions"], 2);
    assert_eq!(missed["data"]["changes"][0]["value"]["cellExecutions"], 2);
    socket.close(None).await.unwrap();
    let mut socket = open_socket(&app, &since(1), &auth).await.unwrap();
    let one = next(&mut socket).await;
    assert_eq!(
        (one["type"].as_str(), one["seq"].as_u64()),
        (Some("cell_execution"), Some(base + 2))
    );
    // A number this server never sent, or one from before it started (a restart, or
    // another instance): a fresh snapshot.
    for stale in [since(99), format!("class_id={class_id}&since=2")] {
        let mut socket = open_socket(&app, &stale, &auth).await.unwrap();
        let fresh = next(&mut socket).await;
        assert_eq!(fresh["type"], "snapshot");
        assert_eq!(fresh["seq"], base + 2);
    }
    assert_eq!(
        open_socket(&app, &format!("class_id={class_id}&since=x"), &auth)
            .await
            .err(),
        Some(400)
    );
}

async fn the_websocket_refuses_strangers(app: TestApp) {
    let (class_id, _) = class(&app, "live7").await;
    let token = teacher_token(&app, "live7").await;
    class(&app, "rival").await;
    let rival = teacher_token(&app, "rival").await;
    let query = format!("class_id={class_id}");
    let own = app.url("");
    let own = own.trim_end_matches('/');
    let bearer = format!("Bearer {token}");
    // Signed in by cookie, from the site itself: accepted.
    let login = reqwest::Client::new()
        .post(app.url("/api/fn/login"))
        .form(&[("email", "live7@example.edu"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookie = login
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|c| c.to_str().unwrap().split(';').next().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join("; ");
    assert!(!cookie.is_empty());
    let mut socket = open_socket(&app, &query, &[("cookie", &cookie), ("origin", own)])
        .await
        .unwrap();
    assert_eq!(next(&mut socket).await["type"], "snapshot");
    // The same cookie from another site, or with no Origin at all: refused.
    assert_eq!(
        open_socket(
            &app,
            &query,
            &[("cookie", &cookie), ("origin", "https://evil.example")]
        )
        .await
        .err(),
        Some(403)
    );
    assert_eq!(
        open_socket(&app, &query, &[("cookie", &cookie)])
            .await
            .err(),
        Some(403)
    );
    // A token from another site: refused; without credentials: 401.
    assert_eq!(
        open_socket(
            &app,
            &query,
            &[
                ("authorization", &bearer),
                ("origin", "https://evil.example")
            ]
        )
        .await
        .err(),
        Some(403)
    );
    assert_eq!(
        open_socket(&app, &query, &[("origin", own)]).await.err(),
        Some(401)
    );
    // Another class's instructor: 403.
    let rival = format!("Bearer {rival}");
    assert_eq!(
        open_socket(&app, &query, &[("authorization", &rival)])
            .await
            .err(),
        Some(403)
    );
    assert_eq!(
        open_socket(&app, "class_id=nope", &[("authorization", &bearer)])
            .await
            .err(),
        Some(404)
    );
}

async fn privacy_keeps_metadata_only_and_purges_old_code(app: TestApp) {
    let (class_id, ingest) = class(&app, "live8").await;
    let teacher = common::sign_in(&app, "live8@example.edu", PASSWORD).await;
    let mut old = event("mina@x.org", "Mina", "c1", false);
    old["timestamp"] = json!((Utc::now() - chrono::Duration::days(10)).to_rfc3339());
    post(&app, &ingest, &old).await;
    post(&app, &ingest, &event("mina@x.org", "Mina", "c2", false)).await;
    let response = common::call(
        &app,
        &teacher,
        "set_class_privacy",
        &[("class_id", &class_id), ("retention_days", "0")],
    )
    .await;
    let status = response.status();
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "{}",
        response.text().await.unwrap()
    );
    let codes = || async {
        let stored: Vec<(String, Option<String>)> = db_run!(app.state.db.reader(), |pool| {
            sqlx::query_as("SELECT cell_id, code FROM cell_events ORDER BY cell_id")
                .fetch_all(pool)
                .await
        })
        .unwrap();
        stored
            .into_iter()
            .map(|(cell, code)| (cell, code.is_some()))
            .collect::<Vec<_>>()
    };
    // Code older than a week is purged at once.
    let response = common::call(
        &app,
        &teacher,
        "set_class_privacy",
        &[
            ("class_id", &class_id),
            ("store_code", "on"),
            ("retention_days", "7"),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(codes().await, [("c1".into(), false), ("c2".into(), true)]);
    // Metadata only: what was kept goes too, and nothing new is kept.
    let response = common::call(
        &app,
        &teacher,
        "set_class_privacy",
        &[("class_id", &class_id), ("retention_days", "7")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    post(&app, &ingest, &event("mina@x.org", "Mina", "c3", false)).await;
    assert_eq!(
        codes().await,
        [
            ("c1".into(), false),
            ("c2".into(), false),
            ("c3".into(), false)
        ]
    );
    // The student sees what is kept about them once they are on the class's roster
    // (an account with the same email alone proves nothing).
    user(&app, "mina@x.org", "Mina", Role::Student, Some(PASSWORD)).await;
    let mina = common::sign_in(&app, "mina@x.org", PASSWORD).await;
    let response = common::call(&app, &mina, "my_collected_data", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(response.json::<Value>().await.unwrap(), json!([]));
    let response = common::call(
        &app,
        &teacher,
        "add_student",
        &[("id", &class_id), ("email", "mina@x.org")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    let response = common::call(&app, &mina, "my_collected_data", &[]).await;
    let data: Value = response.json().await.unwrap();
    assert_eq!(data[0][0]["store_code"], false);
    assert_eq!(data[0][0]["retention_days"], 7);
    assert_eq!(data[0][1]["student"]["totalExecutions"], 3);
}

async fn concurrent_posts_are_all_stored_and_counted_once(app: TestApp) {
    let (class_id, ingest) = class(&app, "live9").await;
    let events: Vec<Value> = (0..200)
        .map(|n| {
            event(
                &format!("s{}@x.org", n % 20),
                "S",
                &format!("c{}", n % 7),
                n % 3 == 0,
            )
        })
        .collect();
    // Every event twice at the same time: the retry must not count again.
    let posts = events
        .iter()
        .chain(events.iter())
        .map(|e| post(&app, &ingest, e));
    let statuses = futures::future::join_all(posts).await;
    assert!(statuses.iter().all(|s| *s == StatusCode::CREATED));
    let (rows, executions, errors): (i64, i64, i64) = db_run!(app.state.db.reader(), |pool| {
        sqlx::query_as(
            "SELECT (SELECT COUNT(*) FROM cell_events), CAST(SUM(executions) AS BIGINT), CAST(SUM(errors) AS BIGINT) \
             FROM classroom_students WHERE class_id = $1",
        )
        .bind(&class_id)
        .fetch_one(pool)
        .await
    })
    .unwrap();
    assert_eq!((rows, executions, errors), (200, 200, 67));
    let minutes: i64 = db_run!(app.state.db.reader(), |pool| {
        sqlx::query_scalar(
            "SELECT CAST(SUM(executions) AS BIGINT) FROM class_activity WHERE class_id = $1",
        )
        .bind(&class_id)
        .fetch_one(pool)
        .await
    })
    .unwrap();
    assert_eq!(minutes, 200);
}

async fn each_student_is_limited_not_the_room(app: TestApp) {
    let (_, ingest) = class(&app, "live10").await;
    // A backlog of 100 (the default per minute) is taken whole...
    let backlog: Vec<Value> = (0..100)
        .map(|n| event("busy@x.org", "Busy", &format!("c{n}"), false))
        .collect();
    let response = app
        .client
        .post(app.url("/api/v1/events"))
        .bearer_auth(&ingest)
        .json(&backlog)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    // ...then the student waits, with the limit in the answer; from the same address,
    // a classmate is not held back.
    let response = app
        .client
        .post(app.url("/api/v1/events"))
        .bearer_auth(&ingest)
        .json(&event("busy@x.org", "Busy", "c1", false))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = response.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["error"], "rate_limited");
    assert_eq!(body["limit"], 100);
    assert_eq!(body["remaining"], 0);
    assert!(body["reset"].as_i64().unwrap() > Utc::now().timestamp());
    assert_eq!(
        post(&app, &ingest, &event("calm@x.org", "Calm", "c1", false)).await,
        StatusCode::CREATED
    );
}
