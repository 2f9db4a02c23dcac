//! The help desk and instructor presence on both databases: raising requests (notebook,
//! extension toggle, page), every transition with the instructors' sessions and status
//! history, breaks and the grace period, who may do what, and the live messages.

mod common;

use std::time::Duration;

use chrono::Utc;
use common::{
    Backend, PASSWORD, Socket, TestApp, block_on, call, class, next, open_socket, run_with,
    sign_in, socket_at, teacher_token, user,
};
use lectern::auth::model::Role;
use lectern::db_run;
use reqwest::StatusCode;
use serde_json::{Value, json};

on_both_backends!(
    a_request_is_raised_taken_and_resolved,
    hand_over_and_cancel_move_the_sessions,
    the_extension_toggle_opens_and_closes_one_request,
    students_see_and_cancel_only_their_own,
    bad_input_gets_a_clear_4xx,
    status_history_has_durations_and_breaks_end_by_themselves,
    dashboards_and_students_hear_of_changes_live,
    status_changes_take_turns_with_pouring_events,
);

/// While notebooks keep the event writer busy, every status change (a read, then a
/// write, in one transaction) still succeeds: on SQLite the writes take turns.
async fn status_changes_take_turns_with_pouring_events(app: TestApp) {
    let (_, ingest) = class(&app, "help9").await;
    let token = teacher_token(&app, "help9").await;
    let stream = |stream: usize| {
        let (app, ingest) = (&app, &ingest);
        async move {
            for round in 0..25 {
                let batch: Vec<Value> = (0..40)
                    .map(|n| {
                        json!({
                            "event_id": format!("{stream}-{round}-{n}"),
                            "user_name": format!("Student {n}"),
                            "email": format!("s{n}@example.edu"),
                            "notebook_path": "lesson9.ipynb", "cell_id": format!("c{round}"),
                            "code": "x = 1", "status": "success",
                            "timestamp": Utc::now().to_rfc3339(),
                        })
                    })
                    .collect();
                let (status, body) = post_events(app, ingest, &json!(batch)).await;
                assert_eq!(status, StatusCode::CREATED, "{body}");
            }
        }
    };
    let statuses = async {
        for round in 0..40 {
            let body = if round % 2 == 0 {
                json!({"status": "break", "break_minutes": 5})
            } else {
                json!({"status": "available"})
            };
            let (status, answer) = put(&app, &token, "/api/v1/instructors/status", body).await;
            assert_eq!(status, StatusCode::OK, "change {round}: {answer}");
        }
    };
    tokio::join!(futures::future::join_all((0..4).map(stream)), statuses);
}

async fn send(
    app: &TestApp,
    method: reqwest::Method,
    auth: Option<&str>,
    path: &str,
    body: Option<&Value>,
) -> (StatusCode, Value) {
    let mut request = app.client.request(method, app.url(path));
    if let Some(token) = auth {
        request = request.bearer_auth(token);
    }
    if let Some(body) = body {
        request = request.json(body);
    }
    let response = request.send().await.unwrap();
    let status = response.status();
    (status, response.json().await.unwrap_or(Value::Null))
}

async fn get(app: &TestApp, token: &str, path: &str) -> (StatusCode, Value) {
    send(app, reqwest::Method::GET, Some(token), path, None).await
}

async fn put(app: &TestApp, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
    send(app, reqwest::Method::PUT, Some(token), path, Some(&body)).await
}

/// A class's help requests as an instructor (or student) sees them; `extra` adds to the
/// query.
async fn help_requests(
    app: &TestApp,
    token: &str,
    class_id: &str,
    extra: &str,
) -> (StatusCode, Value) {
    get(
        app,
        token,
        &format!("/api/v1/help/requests?class_id={class_id}{extra}"),
    )
    .await
}

/// Posts events the way the JupyterLab extension does: the token in the query string.
async fn post_events(app: &TestApp, ingest: &str, body: &Value) -> (StatusCode, Value) {
    send(
        app,
        reqwest::Method::POST,
        None,
        &format!("/api/v1/events?token={ingest}"),
        Some(body),
    )
    .await
}

async fn raise(app: &TestApp, ingest: &str, body: Value) -> (StatusCode, Value) {
    send(
        app,
        reqwest::Method::POST,
        Some(ingest),
        "/api/v1/help/request",
        Some(&body),
    )
    .await
}

/// An executed cell, failed or not.
async fn run_cell(app: &TestApp, ingest: &str, email: &str, cell: &str, failed: bool) {
    let event = json!({
        "event_id": uuid::Uuid::new_v4().to_string(),
        "user_name": "Mina Park", "email": email, "team_name": "A",
        "notebook_path": "lesson2.ipynb", "cell_id": cell,
        "code": "print(total)", "status": if failed { "error" } else { "success" },
        "error_type": if failed { Some("NameError") } else { None },
        "error_message": if failed { Some("name 'total' is not defined") } else { None },
        "timestamp": Utc::now().to_rfc3339(),
    });
    let (status, _) = send(
        app,
        reqwest::Method::POST,
        Some(ingest),
        "/api/v1/events",
        Some(&event),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
}

async fn presence(app: &TestApp, token: &str, user_id: &str) -> Value {
    let (status, body) = get(app, token, "/api/v1/instructors/status").await;
    assert_eq!(status, StatusCode::OK);
    body["instructors"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == user_id)
        .cloned()
        .unwrap_or(Value::Null)
}

async fn user_id(app: &TestApp, email: &str) -> String {
    db_run!(app.state.db.reader(), |pool| {
        sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(email)
            .fetch_one(pool)
            .await
    })
    .unwrap()
}

/// The statuses of an instructor's history, oldest first.
async fn history(app: &TestApp, user_id: &str) -> Vec<(String, Option<i64>)> {
    db_run!(app.state.db.reader(), |pool| {
        sqlx::query_as(
            "SELECT status, duration_seconds FROM instructor_status_history WHERE user_id = $1 ORDER BY id",
        )
        .bind(user_id)
        .fetch_all(pool)
        .await
    })
    .unwrap()
}

async fn a_request_is_raised_taken_and_resolved(app: TestApp) {
    let (class_id, ingest) = class(&app, "help1").await;
    let teacher = teacher_token(&app, "help1").await;
    let teacher_id = user_id(&app, "help1@example.edu").await;
    run_cell(&app, &ingest, "mina@example.edu", "c7", true).await;

    let body = json!({"user_id": "mina@example.edu", "message": "My total is undefined", "priority": "high"});
    let (status, raised) = raise(&app, &ingest, body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{raised}");
    assert_eq!(raised["position"], 1);
    let request = &raised["request"];
    // The context came from the student's last run (S2.13).
    assert_eq!(request["status"], "pending");
    assert_eq!(request["priority"], "high");
    assert_eq!(request["notebook_path"], "lesson2.ipynb");
    assert_eq!(request["cell_id"], "c7");
    assert_eq!(request["code"], "print(total)");
    assert_eq!(
        request["last_error"],
        "NameError: name 'total' is not defined"
    );
    let id = request["id"].as_str().unwrap().to_owned();
    // Raised again while open: the same request.
    let (status, again) = raise(&app, &ingest, body).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(again["request"]["id"], id.as_str());

    // The queue, and the student's tile shows help.
    let (status, list) = help_requests(&app, &teacher, &class_id, "").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["requests"].as_array().unwrap().len(), 1);
    assert_eq!(list["requests"][0]["user_name"], "Mina Park");
    let (_, overview) = get(
        &app,
        &teacher,
        &format!("/api/v1/dashboard/overview?class_id={class_id}"),
    )
    .await;
    assert_eq!(overview["students"][0]["status"], "help");
    assert_eq!(overview["metrics"]["helpCount"], 1);
    assert_eq!(overview["helpRequests"][0]["id"], id.as_str());

    // Taking it puts the instructor in session with the student.
    let path = format!("/api/v1/help/requests/{id}");
    let (status, taken) = put(&app, &teacher, &path, json!({"status": "in_progress"})).await;
    assert_eq!(status, StatusCode::OK, "{taken}");
    assert_eq!(taken["request"]["status"], "in_progress");
    assert_eq!(taken["request"]["instructor_id"], teacher_id.as_str());
    let me = presence(&app, &teacher, &teacher_id).await;
    assert_eq!(me["status"], "in_session");
    assert_eq!(me["current_session_id"], id.as_str());
    assert_eq!(me["active_students_count"], 1);

    // Resolving ends the session; the student sees the response.
    let (status, resolved) = put(
        &app,
        &teacher,
        &path,
        json!({"status": "resolved", "response": "Define total before the loop"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        resolved["request"]["response"],
        "Define total before the loop"
    );
    assert_eq!(
        presence(&app, &teacher, &teacher_id).await["status"],
        "available"
    );
    let statuses: Vec<String> = history(&app, &teacher_id)
        .await
        .into_iter()
        .map(|h| h.0)
        .collect();
    assert_eq!(statuses, ["in_session", "available"]);
    let (_, overview) = get(
        &app,
        &teacher,
        &format!("/api/v1/dashboard/overview?class_id={class_id}"),
    )
    .await;
    assert_eq!(overview["students"][0]["status"], "active", "help is over");
    // Closed: no more changes.
    let (status, body) = put(&app, &teacher, &path, json!({"status": "cancelled"})).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(body["details"][0]["code"], "help_closed");

    // Workload (S0.6).
    let (status, work) = get(
        &app,
        &teacher,
        &format!("/api/v1/instructors/workload/{teacher_id}"),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(work["students_helped"], 1);
    assert_eq!(work["active_sessions"], 0);
    assert!(work["average_seconds_to_take"].as_f64().unwrap() >= 0.0);
    assert!(work["average_seconds_to_resolve"].as_f64().is_some());
    // A new request after the resolved one is a new one.
    let (status, _) = raise(&app, &ingest, json!({"email": "mina@example.edu"})).await;
    assert_eq!(status, StatusCode::CREATED);
    // Removing the student from the live roster cancels their open request.
    let (_, overview) = get(
        &app,
        &teacher,
        &format!("/api/v1/dashboard/overview?class_id={class_id}"),
    )
    .await;
    let student_id = overview["students"][0]["id"].as_i64().unwrap();
    let (status, _) = send(
        &app,
        reqwest::Method::DELETE,
        Some(&teacher),
        &format!("/api/v1/students/{student_id}?class_id={class_id}"),
        None,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, list) = help_requests(&app, &teacher, &class_id, "").await;
    assert_eq!(list["count"], 0);
}

async fn hand_over_and_cancel_move_the_sessions(app: TestApp) {
    let (class_id, ingest) = class(&app, "help2").await;
    let first = teacher_token(&app, "help2").await;
    let first_id = user_id(&app, "help2@example.edu").await;
    let second_id = user(
        &app,
        "second@example.edu",
        "Sam",
        Role::Instructor,
        Some(PASSWORD),
    )
    .await;
    let second = lectern::auth::tokens::create(&app.state.db, &second_id, "t")
        .await
        .unwrap();
    let outsider_id = user(&app, "out@example.edu", "Olu", Role::Instructor, None).await;
    db_run!(app.state.db.writer(), |pool| {
        sqlx::query(
            "INSERT INTO class_instructors (class_id, user_id, created_at) VALUES ($1, $2, $3)",
        )
        .bind(&class_id)
        .bind(&second_id)
        .bind(Utc::now())
        .execute(pool)
        .await
        .map(|_| ())
    })
    .unwrap();
    let (_, raised) = raise(
        &app,
        &ingest,
        json!({"email": "kai@example.edu", "message": "stuck"}),
    )
    .await;
    // The dashboard knows whom a request may be handed over to: the class's instructors.
    let (_, overview) = get(
        &app,
        &first,
        &format!("/api/v1/dashboard/overview?class_id={class_id}"),
    )
    .await;
    let mut staff: Vec<&str> = overview["classInstructors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    staff.sort_unstable();
    let mut expected = [first_id.as_str(), second_id.as_str()];
    expected.sort_unstable();
    assert_eq!(staff, expected, "not the outsider");
    let path = format!(
        "/api/v1/help/requests/{}",
        raised["request"]["id"].as_str().unwrap()
    );

    put(&app, &first, &path, json!({"status": "in_progress"})).await;
    // The other instructor cannot take it from under them…
    let (status, body) = put(&app, &second, &path, json!({"status": "in_progress"})).await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert_eq!(body["details"][0]["code"], "help_taken");
    // …nor hand it to someone who does not teach the class.
    let (status, _) = put(
        &app,
        &first,
        &path,
        json!({"status": "in_progress", "instructor_id": outsider_id}),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Handed over: the first is free, the second in session.
    let (status, body) = put(
        &app,
        &first,
        &path,
        json!({"status": "in_progress", "instructor_id": second_id}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["request"]["instructor_id"], second_id.as_str());
    assert_eq!(
        presence(&app, &first, &first_id).await["status"],
        "available"
    );
    assert_eq!(
        presence(&app, &first, &second_id).await["status"],
        "in_session"
    );

    // The student cancels it (the extension's help_stop): the session ends.
    let stop = json!({"eventId": "s1", "eventType": "help_stop", "eventTime": Utc::now().to_rfc3339(),
        "emailAddress": "kai@example.edu", "teamName": "チームA", "userName": "Kai",
        "sessionId": "x", "notebookPath": "a.ipynb"});
    let (status, _) = post_events(&app, &ingest, &json!([stop])).await;
    assert_eq!(status, StatusCode::CREATED);
    let (_, list) = help_requests(&app, &first, &class_id, "&status=all").await;
    assert_eq!(list["requests"][0]["status"], "cancelled");
    assert_eq!(
        presence(&app, &first, &second_id).await["status"],
        "available"
    );
    let statuses: Vec<String> = history(&app, &second_id)
        .await
        .into_iter()
        .map(|h| h.0)
        .collect();
    assert_eq!(statuses, ["in_session", "available"]);
    let durations = history(&app, &first_id).await;
    assert!(durations[0].1.is_some(), "the ended session has a duration");
    assert!(durations[1].1.is_none(), "the current stretch is open");
}

async fn the_extension_toggle_opens_and_closes_one_request(app: TestApp) {
    let (class_id, ingest) = class(&app, "help3").await;
    let teacher = teacher_token(&app, "help3").await;
    let help = |id: &str| {
        json!([{"eventId": id, "eventType": "help", "eventTime": Utc::now().to_rfc3339(),
            "emailAddress": "student001@example.com", "teamName": "チームB", "userName": "テスト学生001",
            "sessionId": "s", "notebookPath": "lesson1/intro.ipynb"}])
    };
    // Re-sent every 10 s while on: one request.
    for id in ["h1", "h2", "h3"] {
        let (status, _) = post_events(&app, &ingest, &help(id)).await;
        assert_eq!(status, StatusCode::CREATED);
    }
    let (_, list) = help_requests(&app, &teacher, &class_id, "").await;
    let requests = list["requests"].as_array().unwrap();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0]["source"], "extension");
    assert_eq!(requests[0]["team_name"], "B");
    assert_eq!(requests[0]["notebook_path"], "lesson1/intro.ipynb");
    // A class that keeps metadata only keeps no code with its help requests (S2.14).
    db_run!(app.state.db.writer(), |pool| {
        sqlx::query("UPDATE classes SET store_code = FALSE WHERE id = $1")
            .bind(&class_id)
            .execute(pool)
            .await
            .map(|_| ())
    })
    .unwrap();
    let (status, raised) = raise(
        &app,
        &ingest,
        json!({"email": "quiet@example.com", "code": "secret()", "last_error": "ValueError: x"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED);
    assert_eq!(raised["request"]["code"], Value::Null);
    assert_eq!(raised["request"]["last_error"], "ValueError: x");
    // Resolved while the toggle is still on: its repeats do not open it again…
    let path = format!(
        "/api/v1/help/requests/{}",
        requests[0]["id"].as_str().unwrap()
    );
    let (status, _) = put(
        &app,
        &teacher,
        &path,
        json!({"status": "resolved", "response": "ok"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    post_events(&app, &ingest, &help("h4")).await;
    let (_, list) = help_requests(&app, &teacher, &class_id, "").await;
    let theirs = |list: &Value| {
        list["requests"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|r| r["user_id"] == "student001@example.com")
            .count()
    };
    assert_eq!(theirs(&list), 0, "the toggle's repeats after resolving");
    // …until it is switched off and on again.
    let mut stop = help("h5");
    stop[0]["eventType"] = json!("help_stop");
    post_events(&app, &ingest, &stop).await;
    post_events(&app, &ingest, &help("h6")).await;
    let (_, list) = help_requests(&app, &teacher, &class_id, "").await;
    assert_eq!(theirs(&list), 1, "asked again");
    // The CORS preflight of the help endpoint answers any origin.
    let response = app
        .client
        .request(reqwest::Method::OPTIONS, app.url("/api/v1/help/request"))
        .header("Origin", "http://jupyter.example:8888")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::NO_CONTENT);
    assert_eq!(response.headers()["access-control-allow-origin"], "*");
}

async fn students_see_and_cancel_only_their_own(app: TestApp) {
    let (class_id, ingest) = class(&app, "help4").await;
    let teacher = teacher_token(&app, "help4").await;
    let teacher_user = lectern::auth::service::active_user(
        &app.state.db,
        &user_id(&app, "help4@example.edu").await,
    )
    .await
    .unwrap()
    .unwrap();
    for (email, name) in [("ana@example.edu", "Ana"), ("ben@example.edu", "Ben")] {
        user(&app, email, name, Role::Student, Some(PASSWORD)).await;
        lectern::courses::classes::add_student(&app.state.db, &teacher_user, &class_id, email)
            .await
            .unwrap();
    }
    let ana = sign_in(&app, "ana@example.edu", PASSWORD).await;
    let ben = sign_in(&app, "ben@example.edu", PASSWORD).await;
    // Ana raises one from her page (her session, this site's origin).
    let response = ana
        .post(app.url("/api/v1/help/request"))
        .header("Origin", app.url(""))
        .json(&json!({"class_id": class_id, "message": "Help with loops"}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::CREATED);
    let ana_request: Value = response.json().await.unwrap();
    assert_eq!(ana_request["request"]["source"], "page");
    assert_eq!(ana_request["request"]["user_id"], "ana@example.edu");
    // Another site cannot raise one with her cookie.
    let response = ana
        .post(app.url("/api/v1/help/request"))
        .header("Origin", "https://evil.example")
        .json(&json!({"class_id": class_id}))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let (_, ben_request) = raise(&app, &ingest, json!({"email": "ben@example.edu"})).await;

    // Each sees only their own.
    let mine: Value = ben
        .get(app.url(&format!("/api/v1/help/requests?class_id={class_id}")))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let mine = mine["requests"].as_array().unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["user_id"], "ben@example.edu");
    // Ben cannot resolve his own, nor touch Ana's.
    let ben_path = format!(
        "/api/v1/help/requests/{}",
        ben_request["request"]["id"].as_str().unwrap()
    );
    let ana_path = format!(
        "/api/v1/help/requests/{}",
        ana_request["request"]["id"].as_str().unwrap()
    );
    let answer = |client: &reqwest::Client, path: &str, body: Value| {
        let request = client
            .put(app.url(path))
            .header("Origin", app.url(""))
            .json(&body);
        async move { request.send().await.unwrap().status() }
    };
    assert_eq!(
        answer(&ben, &ben_path, json!({"status": "resolved"})).await,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        answer(&ben, &ana_path, json!({"status": "cancelled"})).await,
        StatusCode::FORBIDDEN
    );
    // He may cancel his own.
    assert_eq!(
        answer(&ben, &ben_path, json!({"status": "cancelled"})).await,
        StatusCode::OK
    );
    // Not signed in: 401; an instructor of another class: 403.
    let (status, _) = send(
        &app,
        reqwest::Method::PUT,
        None,
        &ana_path,
        Some(&json!({"status": "cancelled"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    class(&app, "other4").await;
    let stranger = teacher_token(&app, "other4").await;
    let (status, _) = put(&app, &stranger, &ana_path, json!({"status": "resolved"})).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = help_requests(&app, &stranger, &class_id, "").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Students see who is available among their instructors, but not the staff board.
    let (status, _) = get(&app, &teacher, "/api/v1/instructors/status").await;
    assert_eq!(status, StatusCode::OK);
    let response = ben
        .get(app.url("/api/v1/instructors/status"))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FORBIDDEN);
    let teacher_client = sign_in(&app, "help4@example.edu", PASSWORD).await;
    drop(teacher_client);
    let available: Value = ben
        .get(app.url("/api/v1/instructors/available"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let names: Vec<&str> = available
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|i| i["name"].as_str())
        .collect();
    assert_eq!(
        names,
        ["help4 Tester"],
        "signed in: available; other4's teacher is not Ben's"
    );
    // The server functions of the help page agree.
    let response = call(&app, &ben, "my_help_desks", &[]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let desks: Value = response.json().await.unwrap();
    assert_eq!(desks[0]["open"], Value::Null);
    assert_eq!(desks[0]["history"][0]["status"], "cancelled");
    assert_eq!(desks[0]["available"][0]["name"], "help4 Tester");
    let response = call(&app, &ana, "my_help_desks", &[]).await;
    let desks: Value = response.json().await.unwrap();
    assert_eq!(desks[0]["position"], 1);
}

async fn bad_input_gets_a_clear_4xx(app: TestApp) {
    let (class_id, ingest) = class(&app, "help5").await;
    let teacher = teacher_token(&app, "help5").await;
    let cases = [
        (json!({"message": "no email"}), "email"),
        (json!({"email": "not-an-email"}), "email"),
        (
            json!({"email": "a@example.edu", "priority": "urgent"}),
            "priority",
        ),
        (json!({"email": "a@example.edu", "message": 5}), "message"),
        (
            json!({"email": "a@example.edu", "message": "x".repeat(2_001)}),
            "message",
        ),
        (
            json!({"email": "a@example.edu", "team_name": "Z9"}),
            "team_name",
        ),
        (json!(["not", "an", "object"]), "body"),
    ];
    for (body, field) in cases {
        let (status, answer) = raise(&app, &ingest, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}: {answer}");
        assert_eq!(answer["success"], false);
        assert_eq!(answer["details"][0]["field"], field, "{answer}");
    }
    let response = app
        .client
        .post(app.url("/api/v1/help/request"))
        .bearer_auth(&ingest)
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::BAD_REQUEST);
    // No token, no session: 401; a wrong token: 401.
    let (status, _) = send(
        &app,
        reqwest::Method::POST,
        None,
        "/api/v1/help/request",
        Some(&json!({"email": "a@example.edu"})),
    )
    .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let (status, _) = raise(&app, "wrong-token", json!({"email": "a@example.edu"})).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // NUL characters, which PostgreSQL cannot store, are dropped.
    let (status, raised) = raise(
        &app,
        &ingest,
        json!({"email": "a@example.edu", "message": "a\u{0}b", "cell_id": "c\u{0}1"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{raised}");
    assert_eq!(raised["request"]["message"], "ab");
    assert_eq!(raised["request"]["cell_id"], "c1");
    for path in [
        "/api/v1/help/requests/a%00b",
        "/api/v1/instructors/workload/a%00b",
    ] {
        let (status, _) = send(&app, reqwest::Method::GET, Some(&teacher), path, None).await;
        assert!(
            status == StatusCode::NOT_FOUND || status == StatusCode::METHOD_NOT_ALLOWED,
            "{path}: {status}"
        );
    }
    let (status, _) = put(
        &app,
        &teacher,
        "/api/v1/help/requests/a%00b",
        json!({"status": "resolved"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, raised) = raise(&app, &ingest, json!({"email": "a@example.edu"})).await;
    let path = format!(
        "/api/v1/help/requests/{}",
        raised["request"]["id"].as_str().unwrap()
    );
    for (body, field) in [
        (json!({}), "status"),
        (json!({"status": "done"}), "status"),
        (json!({"status": "pending"}), "status"),
        (
            json!({"status": "resolved", "response": "x".repeat(4_001)}),
            "response",
        ),
    ] {
        let (status, answer) = put(&app, &teacher, &path, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(answer["details"][0]["field"], field);
    }
    let (status, _) = put(
        &app,
        &teacher,
        "/api/v1/help/requests/nope",
        json!({"status": "resolved"}),
    )
    .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    for (query, field) in [("status=closed", "status"), ("limit=0", "limit")] {
        let (status, answer) = get(
            &app,
            &teacher,
            &format!("/api/v1/help/requests?class_id={class_id}&{query}"),
        )
        .await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(answer["details"][0]["field"], field);
    }
    for body in [
        json!({"status": "asleep"}),
        json!({}),
        json!({"status": "break", "break_minutes": 0}),
        json!({"status": "break", "break_minutes": "ten"}),
    ] {
        let (status, _) = put(&app, &teacher, "/api/v1/instructors/status", body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    }
    let (status, _) = get(&app, &teacher, "/api/v1/instructors/workload/nobody").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn status_history_has_durations_and_breaks_end_by_themselves(app: TestApp) {
    // The header asks for the visitor's status on every page: signed out, that is no
    // reason for anything but 200.
    let home = common::client().get(app.url("/")).send().await.unwrap();
    assert_eq!(home.status(), StatusCode::OK);
    class(&app, "help6").await;
    let id = user_id(&app, "help6@example.edu").await;
    // Signing in makes an instructor available; signing out, offline.
    let browser = sign_in(&app, "help6@example.edu", PASSWORD).await;
    let token = teacher_token(&app, "help6").await;
    assert_eq!(presence(&app, &token, &id).await["status"], "available");
    let (status, body) = put(
        &app,
        &token,
        "/api/v1/instructors/status",
        json!({"status": "break", "break_minutes": 5}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["status"]["status"], "break");
    let until = body["status"]["break_until"].as_str().unwrap().to_owned();
    let until = chrono::DateTime::parse_from_rfc3339(&until).unwrap();
    let left = until.signed_duration_since(Utc::now()).num_seconds();
    assert!(
        (295..=300).contains(&left),
        "a five-minute break: {left} s left"
    );

    // Five minutes pass: the break was started five minutes ago and ends now.
    let earlier = Utc::now() - chrono::Duration::seconds(301);
    db_run!(app.state.db.writer(), |pool| {
        sqlx::query("UPDATE instructor_presence SET break_until = $1 WHERE user_id = $2")
            .bind(earlier + chrono::Duration::seconds(300))
            .bind(&id)
            .execute(pool)
            .await
            .unwrap();
        sqlx::query("UPDATE instructor_status_history SET started_at = $1 WHERE user_id = $2 AND ended_at IS NULL")
            .bind(earlier)
            .bind(&id)
            .execute(pool)
            .await
            .map(|_| ())
    })
    .unwrap();
    assert_eq!(presence(&app, &token, &id).await["status"], "available");
    let rows = history(&app, &id).await;
    let statuses: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(statuses, ["available", "break", "available"]);
    assert_eq!(
        rows[1].1,
        Some(300),
        "the break lasted exactly its five minutes"
    );

    // The status control's server function, then signing out.
    let response = call(
        &app,
        &browser,
        "set_my_presence",
        &[("status", "in_session"), ("break_minutes", "")],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(presence(&app, &token, &id).await["status"], "in_session");
    let response = call(&app, &browser, "logout", &[]).await;
    assert!(response.status().is_success() || response.status().is_redirection());
    assert_eq!(presence(&app, &token, &id).await["status"], "offline");
    // The history page's server function (another instructor may read it).
    let watcher = sign_in(&app, "help6@example.edu", PASSWORD).await;
    let response = call(&app, &watcher, "instructor_history", &[("id", &id)]).await;
    assert_eq!(response.status(), StatusCode::OK);
    let (_, _, stretches): (Value, Value, Vec<Value>) = response.json().await.unwrap();
    assert_eq!(
        stretches[0]["status"], "available",
        "newest first: signed in again"
    );
    assert_eq!(stretches[1]["status"], "offline");
    assert!(stretches[1]["duration_seconds"].as_i64().is_some());
}

/// Reads messages until one of each of `kinds` came, reading coalesced deltas too, and
/// returns them in that order: `help_request` and `help_resolved` as the request,
/// `instructor_status_update` as the status.
async fn expect(socket: &mut Socket, kinds: &[&str]) -> Vec<Value> {
    let mut found: Vec<Option<Value>> = vec![None; kinds.len()];
    while found.iter().any(Option::is_none) {
        let message = next(socket).await;
        let items: Vec<(String, Value)> = match message["type"].as_str() {
            Some("delta_update") => message["data"]["changes"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|change| {
                    let value = change["value"].clone();
                    let kind = match change["target"].as_str()? {
                        "instructor" => "instructor_status_update",
                        "help_request"
                            if matches!(
                                value["status"].as_str(),
                                Some("pending" | "in_progress")
                            ) =>
                        {
                            "help_request"
                        }
                        "help_request" => "help_resolved",
                        _ => return None,
                    };
                    Some((kind.to_owned(), value))
                })
                .collect(),
            Some("instructor_status_update") => vec![(
                "instructor_status_update".to_owned(),
                message["data"].clone(),
            )],
            Some(kind) => vec![(kind.to_owned(), message["data"]["request"].clone())],
            None => Vec::new(),
        };
        for (kind, value) in items {
            if let Some(at) = kinds.iter().position(|k| *k == kind) {
                found[at] = Some(value);
            }
        }
    }
    found.into_iter().flatten().collect()
}

async fn dashboards_and_students_hear_of_changes_live(app: TestApp) {
    let (class_id, ingest) = class(&app, "help7").await;
    let teacher = teacher_token(&app, "help7").await;
    let teacher_user = lectern::auth::service::active_user(
        &app.state.db,
        &user_id(&app, "help7@example.edu").await,
    )
    .await
    .unwrap()
    .unwrap();
    user(
        &app,
        "lee@example.edu",
        "Lee",
        Role::Student,
        Some(PASSWORD),
    )
    .await;
    lectern::courses::classes::add_student(
        &app.state.db,
        &teacher_user,
        &class_id,
        "lee@example.edu",
    )
    .await
    .unwrap();
    let bearer = format!("Bearer {teacher}");
    let mut dashboard = open_socket(
        &app,
        &format!("class_id={class_id}"),
        &[("Authorization", &bearer)],
    )
    .await
    .unwrap();
    let snapshot = next(&mut dashboard).await;
    assert_eq!(snapshot["type"], "snapshot");
    // Opening the dashboard made the instructor available.
    assert_eq!(snapshot["data"]["instructors"][0]["status"], "available");

    // The student's page follows its class's help desk; strangers are refused.
    let cookie = session_cookie(&app, "lee@example.edu").await;
    let origin = app.url("");
    let mut student = socket_at(
        &app,
        "/ws/help",
        &format!("class_id={class_id}"),
        &[("Cookie", &cookie), ("Origin", &origin)],
    )
    .await
    .unwrap();
    let refused = socket_at(
        &app,
        "/ws/help",
        &format!("class_id={class_id}"),
        &[("Origin", &origin)],
    )
    .await;
    assert_eq!(refused.err(), Some(401));
    let refused = socket_at(
        &app,
        "/ws/help",
        &format!("class_id={class_id}"),
        &[("Cookie", &cookie), ("Origin", "https://evil.example")],
    )
    .await;
    assert_eq!(refused.err(), Some(403));

    let (_, raised) = raise(
        &app,
        &ingest,
        json!({"email": "lee@example.edu", "message": "help"}),
    )
    .await;
    let id = raised["request"]["id"].as_str().unwrap().to_owned();
    let seen = expect(&mut dashboard, &["help_request"]).await.remove(0);
    assert_eq!(seen["id"], id.as_str());
    assert_eq!(next(&mut student).await["type"], "help_desk_changed");

    put(
        &app,
        &teacher,
        &format!("/api/v1/help/requests/{id}"),
        json!({"status": "in_progress"}),
    )
    .await;
    let seen = expect(
        &mut dashboard,
        &["help_request", "instructor_status_update"],
    )
    .await;
    assert_eq!(seen[0]["status"], "in_progress");
    assert_eq!(seen[1]["status"], "in_session");
    assert_eq!(next(&mut student).await["type"], "help_desk_changed");
    put(
        &app,
        &teacher,
        &format!("/api/v1/help/requests/{id}"),
        json!({"status": "resolved", "response": "ok"}),
    )
    .await;
    let closed = expect(&mut dashboard, &["help_resolved"]).await.remove(0);
    assert_eq!(closed["response"], "ok");
    assert_eq!(next(&mut student).await["type"], "help_desk_changed");
}

/// Signs in with a fresh client and returns its session cookie, as a `Cookie` header.
async fn session_cookie(app: &TestApp, email: &str) -> String {
    let response = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
        .post(app.url("/api/fn/login"))
        .form(&[("email", email), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    response
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok()?.split(';').next().map(str::to_owned))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The grace period: the last dashboard closed, after it the instructor is offline;
/// a dashboard opened again within it keeps them on.
async fn offline_after_the_last_dashboard_closes(app: TestApp) {
    let (class_id, _) = class(&app, "grace").await;
    let teacher = teacher_token(&app, "grace").await;
    let id = user_id(&app, "grace@example.edu").await;
    let bearer = format!("Bearer {teacher}");
    let query = format!("class_id={class_id}");
    let headers = [("Authorization", bearer.as_str())];
    let open = || open_socket(&app, &query, &headers);
    let first = open().await.unwrap();
    assert!(
        common::eventually(5, || async {
            presence(&app, &teacher, &id).await["status"] == "available"
        })
        .await
    );
    drop(first);
    // Back within the grace period (2 s): still available after it.
    tokio::time::sleep(Duration::from_millis(500)).await;
    let second = open().await.unwrap();
    tokio::time::sleep(Duration::from_millis(2_500)).await;
    assert_eq!(presence(&app, &teacher, &id).await["status"], "available");
    drop(second);
    assert!(
        common::eventually(10, || async {
            presence(&app, &teacher, &id).await["status"] == "offline"
        })
        .await,
        "offline once the grace period is over"
    );
}

#[test]
fn sqlite_offline_after_the_last_dashboard_closes() {
    block_on(run_with(
        Backend::Sqlite,
        &["--presence-grace-seconds", "2"],
        offline_after_the_last_dashboard_closes,
    ));
}

#[test]
fn postgres_offline_after_the_last_dashboard_closes() {
    block_on(run_with(
        Backend::Postgres,
        &["--presence-grace-seconds", "2"],
        offline_after_the_last_dashboard_closes,
    ));
}
