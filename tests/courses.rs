//! Courses, classes, lectures, attendance, certificates and the student and teacher
//! pages, through their server functions on both databases: each operation, bad input,
//! and another instructor's or student's ids (refused).

mod common;

use chrono::{Duration, Utc};
use common::{PASSWORD, TestApp, call, sign_in, super_admin, user};
use lectern::auth::model::Role;
use lectern::db_run;
use reqwest::StatusCode;
use serde_json::Value;

on_both_backends!(
    courses_are_created_searched_edited_and_deactivated,
    classes_have_join_codes_rosters_and_tokens,
    joining_can_wait_for_approval_and_archived_classes_refuse,
    attendance_is_marked_counted_and_refused_for_strangers,
    students_check_in_with_the_rotating_code,
    certificates_are_issued_listed_and_verified,
    students_keep_a_profile_interests_and_progress,
    instructors_request_accounts_that_admins_approve,
    the_teacher_dashboard_shows_today_and_the_week,
    instructors_only_reach_their_own_classes,
);

/// Calls a server function and returns the status and JSON body (or `Null`).
async fn json(
    app: &TestApp,
    client: &reqwest::Client,
    endpoint: &str,
    form: &[(&str, &str)],
) -> (StatusCode, Value) {
    let response = call(app, client, endpoint, form).await;
    let status = response.status();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, body)
}

/// The field codes of a §5.1 validation error body.
fn field_codes(body: &Value) -> Vec<(String, String)> {
    body["details"]
        .as_array()
        .map(|details| {
            details
                .iter()
                .map(|d| {
                    (
                        d["field"].as_str().unwrap_or("").to_owned(),
                        d["code"].as_str().unwrap_or("").to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Signs in a new account of `role`.
async fn person(app: &TestApp, email: &str, role: Role) -> (String, reqwest::Client) {
    let id = user(
        app,
        email,
        email.split('@').next().unwrap_or("x"),
        role,
        Some(PASSWORD),
    )
    .await;
    (id, sign_in(app, email, PASSWORD).await)
}

/// A course and a class in it, made by `teacher`: (course id, class id).
async fn course_and_class(
    app: &TestApp,
    teacher: &reqwest::Client,
    subject: &str,
) -> (String, String) {
    let (status, course) = json(
        app,
        teacher,
        "create_course",
        &[
            ("title", "Python basics"),
            ("description", ""),
            ("keyword", "python"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{course}");
    let course = course.as_str().unwrap().to_owned();
    let (status, class) = json(
        app,
        teacher,
        "create_class",
        &[
            ("course_id", &course),
            ("title", "Spring cohort"),
            ("subject", subject),
            ("begins_on", "2026-03-01"),
            ("ends_on", "2026-06-30"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{class}");
    (course, class.as_str().unwrap().to_owned())
}

async fn class_data(app: &TestApp, client: &reqwest::Client, id: &str) -> (StatusCode, Value) {
    json(app, client, "get_class", &[("id", id)]).await
}

/// Sets when a student enrolled, as if they had joined then.
async fn enrolled_at(app: &TestApp, class_id: &str, student_id: &str, at: chrono::DateTime<Utc>) {
    db_run!(app.state.db.writer(), |pool| {
        sqlx::query("UPDATE enrollments SET enrolled_at = $1 WHERE class_id = $2 AND user_id = $3")
            .bind(at)
            .bind(class_id)
            .bind(student_id)
            .execute(pool)
            .await
            .map(|_| ())
    })
    .unwrap();
}

async fn courses_are_created_searched_edited_and_deactivated(app: TestApp) {
    let (_, teacher) = person(&app, "teacher@example.edu", Role::Instructor).await;
    let (_, other) = person(&app, "other@example.edu", Role::Instructor).await;
    let (_, student) = person(&app, "student@example.edu", Role::Student).await;

    let (status, body) = json(
        &app,
        &teacher,
        "create_course",
        &[
            ("title", "  "),
            ("description", ""),
            ("keyword", &"k".repeat(101)),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        field_codes(&body),
        [
            ("title".into(), "required".into()),
            ("keyword".into(), "too_long".into())
        ]
    );

    let mut ids = Vec::new();
    for (title, keyword) in [
        ("Python basics", "python"),
        ("Data science", "pandas"),
        ("Statistics", "python"),
    ] {
        let (status, id) = json(
            &app,
            &teacher,
            "create_course",
            &[
                ("title", title),
                ("description", "About it"),
                ("keyword", keyword),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK);
        ids.push(id.as_str().unwrap().to_owned());
    }
    let (_, listing) = json(
        &app,
        &teacher,
        "list_courses",
        &[("query[search]", "PYTHON")],
    )
    .await;
    assert_eq!(listing["total"], 2, "title or keyword, any case");
    let (_, listing) = json(&app, &teacher, "list_courses", &[("query[search]", "data")]).await;
    assert_eq!(listing["courses"][0]["title"], "Data science");

    let (status, body) = json(&app, &teacher, "list_courses", &[("query[page]", "two")]).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (StatusCode::BAD_REQUEST, Some("bad_request")),
        "undecodable arguments"
    );
    let (status, _) = json(&app, &student, "list_courses", &[]).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "students do not administer courses"
    );
    let (status, _) = json(&app, &common::client(), "list_courses", &[]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    let edit = [
        ("id", ids[0].as_str()),
        ("title", "Python 101"),
        ("description", "New"),
        ("keyword", "py"),
    ];
    let (status, _) = json(&app, &other, "update_course", &edit).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another instructor's course");
    let (status, _) = json(&app, &teacher, "update_course", &edit).await;
    assert_eq!(status, StatusCode::OK);
    let (_, page) = json(&app, &teacher, "get_course", &[("id", &ids[0])]).await;
    assert_eq!(page["course"]["title"], "Python 101");
    assert!(page["course"]["audit"]["updated_by"].is_string());
    assert_eq!(page["may_edit"], true);
    let (_, page) = json(&app, &other, "get_course", &[("id", &ids[0])]).await;
    assert_eq!(page["may_edit"], false);

    let (status, _) = json(
        &app,
        &teacher,
        "set_course_active",
        &[("id", &ids[0]), ("active", "false")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, listing) = json(&app, &teacher, "list_courses", &[]).await;
    assert_eq!(
        listing["total"], 2,
        "inactive courses are hidden by default"
    );
    let (_, listing) = json(
        &app,
        &teacher,
        "list_courses",
        &[("query[include_inactive]", "true")],
    )
    .await;
    assert_eq!(listing["total"], 3);
    let (status, body) = json(
        &app,
        &teacher,
        "create_class",
        &[("course_id", &ids[0]), ("title", "A"), ("subject", "Py")],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "no classes under an inactive course"
    );
    assert_eq!(field_codes(&body)[0].1, "course_inactive");
    let (status, _) = json(&app, &teacher, "get_course", &[("id", "no-such-course")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Pages of twenty.
    for n in 0..21 {
        json(
            &app,
            &teacher,
            "create_course",
            &[
                ("title", &format!("Filler {n:02}")),
                ("description", ""),
                ("keyword", ""),
            ],
        )
        .await;
    }
    let (_, second) = json(
        &app,
        &teacher,
        "list_courses",
        &[("query[search]", "filler"), ("query[page]", "2")],
    )
    .await;
    assert_eq!(second["total"], 21);
    assert_eq!(second["courses"].as_array().unwrap().len(), 1);
}

async fn classes_have_join_codes_rosters_and_tokens(app: TestApp) {
    let (_, teacher) = person(&app, "teacher@example.edu", Role::Instructor).await;
    let (_, other_teacher) = person(&app, "other@example.edu", Role::Instructor).await;
    let (student_id, student) = person(&app, "student@example.edu", Role::Student).await;
    let (_, outsider) = person(&app, "outsider@example.edu", Role::Student).await;

    let (course, _) = course_and_class(&app, &teacher, "Math").await;
    let (status, body) = json(
        &app,
        &teacher,
        "create_class",
        &[
            ("course_id", &course),
            ("title", ""),
            ("subject", "Math"),
            ("begins_on", "2026-12-01"),
            ("ends_on", "2026-11-01"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        field_codes(&body),
        [
            ("title".into(), "required".into()),
            ("ends_on".into(), "ends_before_start".into())
        ]
    );

    let (_, class_id) = course_and_class(&app, &teacher, "Mathematics").await;
    let (status, page) = class_data(&app, &teacher, &class_id).await;
    assert_eq!(status, StatusCode::OK);
    let code = page["class"]["join_code"].as_str().unwrap().to_owned();
    let pattern = |c: &str| {
        c.len() == 12
            && c.starts_with("MATH-")
            && c[5..]
                .chars()
                .all(|ch| ch == '-' || "23456789ABCDEFGHJKMNPQRSTUVWXYZ".contains(ch))
    };
    assert!(pattern(&code), "{code}");
    let token = page["class"]["ingest_token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("lci_"));

    // Strangers are refused; the student joins by code typed loosely.
    for client in [&other_teacher, &outsider, &student] {
        let (status, _) = class_data(&app, client, &class_id).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }
    let (status, body) = json(&app, &student, "join_class", &[("code", "NOPE-222-333")]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(field_codes(&body)[0].1, "unknown_join_code");
    let loose = code.to_lowercase().replace('-', " ");
    let (status, outcome) = json(&app, &student, "join_class", &[("code", &loose)]).await;
    assert_eq!((status, outcome), (StatusCode::OK, Value::from("Joined")));
    let (_, outcome) = json(&app, &student, "join_class", &[("code", &code)]).await;
    assert_eq!(outcome, "AlreadyMember");
    let (status, body) = json(&app, &teacher, "join_class", &[("code", &code)]).await;
    assert_eq!(
        (status, field_codes(&body)[0].1.as_str()),
        (StatusCode::BAD_REQUEST, "students_only")
    );

    // A student sees the class, never its code or token.
    let (status, seen) = class_data(&app, &student, &class_id).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(seen["role"], "Student");
    assert_eq!(seen["class"]["join_code"], "");
    assert_eq!(seen["class"]["ingest_token"], "");
    assert_eq!(seen["roster"], Value::Array(vec![]));
    let (_, mine) = json(&app, &student, "get_my_classes", &[]).await;
    assert_eq!(mine["attending"][0]["id"], class_id.as_str());

    // Staff-only operations, refused to the student and to another instructor.
    for endpoint in ["regenerate_join_code", "rotate_ingest_token"] {
        for client in [&student, &other_teacher] {
            let (status, _) = json(&app, client, endpoint, &[("id", &class_id)]).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{endpoint}");
        }
    }
    let (status, _) = json(
        &app,
        &other_teacher,
        "remove_student",
        &[("id", &class_id), ("student_id", &student_id)],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (_, page) = class_data(&app, &teacher, &class_id).await;
    assert_eq!(page["roster"][0]["student"]["email"], "student@example.edu");

    let (status, new_code) =
        json(&app, &teacher, "regenerate_join_code", &[("id", &class_id)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_ne!(new_code, code.as_str());
    let (_, late) = person(&app, "late@example.edu", Role::Student).await;
    let (status, _) = json(&app, &late, "join_class", &[("code", &code)]).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "the old code stops working"
    );
    let (_, outcome) = json(
        &app,
        &late,
        "join_class",
        &[("code", new_code.as_str().unwrap())],
    )
    .await;
    assert_eq!(outcome, "Joined");
    json(&app, &teacher, "rotate_ingest_token", &[("id", &class_id)]).await;
    let (_, page) = class_data(&app, &teacher, &class_id).await;
    assert_ne!(page["class"]["ingest_token"], token.as_str());

    // Roster by email; instructors by email.
    let (status, body) = json(
        &app,
        &teacher,
        "add_student",
        &[("id", &class_id), ("email", "nobody@example.edu")],
    )
    .await;
    assert_eq!(
        (status, field_codes(&body)[0].1.as_str()),
        (StatusCode::BAD_REQUEST, "no_such_user")
    );
    let (status, body) = json(
        &app,
        &teacher,
        "add_student",
        &[("id", &class_id), ("email", "other@example.edu")],
    )
    .await;
    assert_eq!(
        (status, field_codes(&body)[0].1.as_str()),
        (StatusCode::BAD_REQUEST, "not_a_student")
    );
    let (status, _) = json(
        &app,
        &teacher,
        "add_student",
        &[("id", &class_id), ("email", "OUTSIDER@example.edu")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = json(
        &app,
        &teacher,
        "remove_student",
        &[("id", &class_id), ("student_id", &student_id)],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = class_data(&app, &student, &class_id).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a removed student no longer sees the class"
    );
    let (_, page) = class_data(&app, &teacher, &class_id).await;
    let emails: Vec<&str> = page["roster"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["student"]["email"].as_str().unwrap())
        .collect();
    assert_eq!(emails.len(), 2);
    assert!(emails.contains(&"outsider@example.edu") && emails.contains(&"late@example.edu"));

    let (status, body) = json(
        &app,
        &teacher,
        "add_class_instructor",
        &[("id", &class_id), ("email", "outsider@example.edu")],
    )
    .await;
    assert_eq!(
        (status, field_codes(&body)[0].1.as_str()),
        (StatusCode::BAD_REQUEST, "not_an_instructor")
    );
    json(
        &app,
        &teacher,
        "add_class_instructor",
        &[("id", &class_id), ("email", "other@example.edu")],
    )
    .await;
    let (status, _) = class_data(&app, &other_teacher, &class_id).await;
    assert_eq!(status, StatusCode::OK, "an added instructor is staff");

    // Copy with roster: a new code and token, the same students.
    let (status, copy) = json(
        &app,
        &teacher,
        "copy_class",
        &[("id", &class_id), ("title", "Fall cohort")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, copied) = class_data(&app, &teacher, copy.as_str().unwrap()).await;
    assert_eq!(copied["class"]["title"], "Fall cohort");
    assert_eq!(copied["roster"].as_array().unwrap().len(), 2);
    assert_ne!(copied["class"]["join_code"], page["class"]["join_code"]);
    assert_eq!(copied["instructors"].as_array().unwrap().len(), 2);

    // Edits keep audit columns.
    let (status, _) = json(
        &app,
        &teacher,
        "update_class",
        &[
            ("id", &class_id),
            ("title", "Spring A"),
            ("subject", "Math"),
            ("lecturer_info", "Dr. Kim"),
            ("join_approval", "on"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, page) = class_data(&app, &teacher, &class_id).await;
    assert_eq!(page["class"]["title"], "Spring A");
    assert_eq!(page["class"]["join_approval"], true);
    assert!(page["class"]["audit"]["updated_by"].is_string());
}

async fn joining_can_wait_for_approval_and_archived_classes_refuse(app: TestApp) {
    let (_, teacher) = person(&app, "teacher@example.edu", Role::Instructor).await;
    let (student_id, student) = person(&app, "student@example.edu", Role::Student).await;
    let (_, class_id) = course_and_class(&app, &teacher, "Art").await;
    json(
        &app,
        &teacher,
        "update_class",
        &[
            ("id", &class_id),
            ("title", "Art"),
            ("subject", "Art"),
            ("join_approval", "on"),
        ],
    )
    .await;
    let (_, page) = class_data(&app, &teacher, &class_id).await;
    let code = page["class"]["join_code"].as_str().unwrap().to_owned();

    let (_, outcome) = json(&app, &student, "join_class", &[("code", &code)]).await;
    assert_eq!(outcome, "AwaitingApproval");
    let (status, _) = class_data(&app, &student, &class_id).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "not a member while waiting");
    let (_, mine) = json(&app, &student, "get_my_classes", &[]).await;
    assert_eq!(mine["waiting"][0]["id"], class_id.as_str());
    let (_, page) = class_data(&app, &teacher, &class_id).await;
    assert_eq!(page["pending"][0]["student"]["id"], student_id.as_str());
    let (status, _) = json(
        &app,
        &student,
        "approve_join",
        &[("id", &class_id), ("student_id", &student_id)],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "students cannot approve themselves"
    );
    let (status, _) = json(
        &app,
        &teacher,
        "approve_join",
        &[("id", &class_id), ("student_id", &student_id)],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = class_data(&app, &student, &class_id).await;
    assert_eq!(status, StatusCode::OK);

    let (status, _) = json(
        &app,
        &teacher,
        "archive_class",
        &[("id", &class_id), ("archived", "true")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, newcomer) = person(&app, "new@example.edu", Role::Student).await;
    let (status, body) = json(&app, &newcomer, "join_class", &[("code", &code)]).await;
    assert_eq!(
        (status, field_codes(&body)[0].1.as_str()),
        (StatusCode::BAD_REQUEST, "class_closed")
    );
}

/// A lecture through the server function: its id.
async fn lecture(
    app: &TestApp,
    teacher: &reqwest::Client,
    class_id: &str,
    title: &str,
    starts_at: &str,
) -> String {
    let (status, id) = json(
        app,
        teacher,
        "create_lecture",
        &[
            ("class_id", class_id),
            ("title", title),
            ("starts_at", starts_at),
            ("duration_minutes", "90"),
            ("attendance_type", "manual"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{id}");
    id.as_str().unwrap().to_owned()
}

async fn attendance_is_marked_counted_and_refused_for_strangers(app: TestApp) {
    let (_, teacher) = person(&app, "teacher@example.edu", Role::Instructor).await;
    let (_, other_teacher) = person(&app, "other@example.edu", Role::Instructor).await;
    let (_, class_id) = course_and_class(&app, &teacher, "Bio").await;
    let (_, other_class) = course_and_class(&app, &other_teacher, "Chem").await;
    let mut students = Vec::new();
    for name in ["ana", "ben", "cho"] {
        let email = format!("{name}@example.edu");
        let (id, _) = person(&app, &email, Role::Student).await;
        json(
            &app,
            &teacher,
            "add_student",
            &[("id", &class_id), ("email", &email)],
        )
        .await;
        students.push(id);
    }
    let (stranger, _) = person(&app, "dan@example.edu", Role::Student).await;
    json(
        &app,
        &other_teacher,
        "add_student",
        &[("id", &other_class), ("email", "dan@example.edu")],
    )
    .await;

    let (status, body) = json(
        &app,
        &teacher,
        "create_lecture",
        &[
            ("class_id", &class_id),
            ("title", ""),
            ("sequence", "0"),
            ("starts_at", "soon"),
            ("duration_minutes", "1"),
            ("attendance_type", "x"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(field_codes(&body).len(), 5);
    let (status, _) = json(
        &app,
        &other_teacher,
        "create_lecture",
        &[
            ("class_id", &class_id),
            ("title", "X"),
            ("starts_at", "2026-01-01T09:00"),
            ("duration_minutes", "60"),
            ("attendance_type", "manual"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let first = lecture(&app, &teacher, &class_id, "Cells", "2026-01-12T09:00").await;
    let second = lecture(&app, &teacher, &class_id, "Genes", "2026-01-19T09:00").await;
    let (status, body) = json(
        &app,
        &teacher,
        "create_lecture",
        &[
            ("class_id", &class_id),
            ("title", "Dup"),
            ("sequence", "2"),
            ("starts_at", "2026-01-26T09:00"),
            ("duration_minutes", "60"),
            ("attendance_type", "manual"),
        ],
    )
    .await;
    assert_eq!(
        (status, field_codes(&body)[0].clone()),
        (StatusCode::CONFLICT, ("sequence".into(), "taken".into()))
    );

    // Ana and Ben were enrolled before both lectures; Cho joined after the first.
    let jan = |d: u32| chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 1, d, 0, 0, 0).unwrap();
    enrolled_at(&app, &class_id, &students[0], jan(1)).await;
    enrolled_at(&app, &class_id, &students[1], jan(1)).await;
    enrolled_at(&app, &class_id, &students[2], jan(15)).await;

    let (status, sheet) = json(&app, &teacher, "get_attendance_sheet", &[("id", &first)]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sheet["rows"].as_array().unwrap().len(), 3);
    let cho_row = sheet["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["student"]["id"] == students[2].as_str())
        .unwrap()
        .clone();
    assert_eq!(cho_row["enrolled_later"], true);
    for client in [&other_teacher] {
        let (status, _) = json(&app, client, "get_attendance_sheet", &[("id", &first)]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
    }

    let key = |id: &str| format!("status[k{id}]");
    let detail = |id: &str| format!("detail[k{id}]");
    let (k0, k1, d1) = (key(&students[0]), key(&students[1]), detail(&students[1]));
    let (status, _) = json(
        &app,
        &teacher,
        "save_attendance",
        &[
            ("id", &first),
            (&k0, "present"),
            (&k1, "late"),
            (&d1, "bus"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, body) = json(
        &app,
        &teacher,
        "save_attendance",
        &[("id", &first), (&k0, "sleeping")],
    )
    .await;
    assert_eq!(
        (status, field_codes(&body)[0].1.as_str()),
        (StatusCode::BAD_REQUEST, "invalid_choice")
    );
    let ks = key(&stranger);
    let (status, body) = json(
        &app,
        &teacher,
        "save_attendance",
        &[("id", &first), (&ks, "absent")],
    )
    .await;
    assert_eq!(
        (status, field_codes(&body)[0].1.as_str()),
        (StatusCode::BAD_REQUEST, "not_on_roster")
    );
    let (status, _) = json(
        &app,
        &other_teacher,
        "save_attendance",
        &[("id", &first), (&k0, "absent")],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = json(
        &app,
        &teacher,
        "save_attendance",
        &[
            ("id", &second),
            (&k0, "absent"),
            (&k1, "present"),
            (&key(&students[2]), "present"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let (_, page) = class_data(&app, &teacher, &class_id).await;
    let lectures = page["lectures"].as_array().unwrap();
    assert_eq!(lectures[0]["sequence"], 1);
    // First lecture: Cho was not enrolled, so two were expected, both attended.
    assert_eq!(
        (
            lectures[0]["present"].as_i64(),
            lectures[0]["late"].as_i64(),
            lectures[0]["expected"].as_i64()
        ),
        (Some(1), Some(1), Some(2))
    );
    assert_eq!(
        (
            lectures[1]["absent"].as_i64(),
            lectures[1]["expected"].as_i64()
        ),
        (Some(1), Some(3))
    );
    // Class: 4 attended of 5 expected.
    assert_eq!(page["attendance_rate"].as_f64(), Some(80.0));
    let rate_of = |id: &str| {
        page["roster"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["student"]["id"] == id)
            .map(|e| {
                (
                    e["attended"].as_i64().unwrap(),
                    e["counted"].as_i64().unwrap(),
                )
            })
            .unwrap()
    };
    assert_eq!(rate_of(&students[0]), (1, 2));
    assert_eq!(
        rate_of(&students[2]),
        (1, 1),
        "Cho is not counted absent for the lecture before she joined"
    );

    // The spreadsheet: a row per student, a column per lecture, totals at the end.
    let csv_url = app.url(&format!("/classes/{class_id}/attendance.csv"));
    let response = teacher.get(&csv_url).send().await.unwrap();
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        response.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let csv = response.text().await.unwrap();
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 4, "{csv}");
    assert!(
        lines[0].starts_with("Name,Email,1. Cells (2026-01-12 09:00),2. Genes"),
        "{csv}"
    );
    let ana = lines
        .iter()
        .find(|l| l.contains("ana@example.edu"))
        .unwrap();
    assert!(ana.ends_with("Present,Absent,1,2,50.0"), "{ana}");
    let cho = lines
        .iter()
        .find(|l| l.contains("cho@example.edu"))
        .unwrap();
    assert!(
        cho.ends_with(",,Present,1,1,100.0"),
        "Cho's first cell is empty: {cho}"
    );
    assert_eq!(
        other_teacher.get(&csv_url).send().await.unwrap().status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        common::client()
            .get(&csv_url)
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::UNAUTHORIZED
    );

    let (status, _) = json(&app, &other_teacher, "delete_lecture", &[("id", &second)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = json(&app, &teacher, "delete_lecture", &[("id", &second)]).await;
    assert_eq!(status, StatusCode::OK);
    let (_, page) = class_data(&app, &teacher, &class_id).await;
    assert_eq!(page["lectures"].as_array().unwrap().len(), 1);
}

async fn students_check_in_with_the_rotating_code(app: TestApp) {
    let (_, teacher) = person(&app, "teacher@example.edu", Role::Instructor).await;
    let (student_id, student) = person(&app, "student@example.edu", Role::Student).await;
    let (_, outsider) = person(&app, "outsider@example.edu", Role::Student).await;
    let (_, class_id) = course_and_class(&app, &teacher, "Bio").await;
    json(
        &app,
        &teacher,
        "add_student",
        &[("id", &class_id), ("email", "student@example.edu")],
    )
    .await;
    let starts = (Utc::now() - Duration::minutes(2))
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let lecture_id = lecture(&app, &teacher, &class_id, "Today", &starts).await;

    let (status, body) = json(&app, &student, "check_in", &[("code", "123456")]).await;
    assert_eq!(
        (status, field_codes(&body)[0].1.as_str()),
        (StatusCode::BAD_REQUEST, "wrong_check_in_code"),
        "check-in is closed"
    );
    let (status, _) = json(&app, &student, "open_check_in", &[("id", &lecture_id)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "students cannot open it");
    let (status, _) = json(
        &app,
        &teacher,
        "open_check_in",
        &[("id", &lecture_id), ("minutes", "999")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = json(
        &app,
        &teacher,
        "open_check_in",
        &[("id", &lecture_id), ("minutes", "10")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, sheet) = json(
        &app,
        &teacher,
        "get_attendance_sheet",
        &[("id", &lecture_id)],
    )
    .await;
    let code = sheet["check_in"]["code"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 6);

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (status, _) = json(&app, &student, "check_in", &[("code", wrong)]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, _) = json(&app, &outsider, "check_in", &[("code", &code)]).await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "only the class's students can use its code"
    );
    let (status, title) = json(&app, &student, "check_in", &[("code", &code)]).await;
    assert_eq!((status, title), (StatusCode::OK, Value::from("Today")));

    let (_, sheet) = json(
        &app,
        &teacher,
        "get_attendance_sheet",
        &[("id", &lecture_id)],
    )
    .await;
    let row = &sheet["rows"][0];
    assert_eq!(row["student"]["id"], student_id.as_str());
    assert_eq!(row["status"], "Present");
    assert!(row["checked_in_at"].is_string());
    assert_eq!(sheet["lecture"]["attendance_type"], "SelfCheckIn");
    let (_, page) = class_data(&app, &student, &class_id).await;
    assert_eq!(page["lectures"][0]["my_status"], "Present");

    json(&app, &teacher, "close_check_in", &[("id", &lecture_id)]).await;
    let (_, sheet) = json(
        &app,
        &teacher,
        "get_attendance_sheet",
        &[("id", &lecture_id)],
    )
    .await;
    assert!(sheet["check_in"].is_null());

    // Ten wrong codes in a row and the student must wait.
    for _ in 0..10 {
        json(&app, &outsider, "check_in", &[("code", "999999")]).await;
    }
    let (status, _) = json(&app, &outsider, "check_in", &[("code", "999999")]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

async fn certificates_are_issued_listed_and_verified(app: TestApp) {
    let (_, teacher) = person(&app, "teacher@example.edu", Role::Instructor).await;
    let (_, other_teacher) = person(&app, "other@example.edu", Role::Instructor).await;
    let (course, class_id) = course_and_class(&app, &teacher, "Py").await;
    let (_, other_class) = course_and_class(&app, &other_teacher, "Py").await;
    let (good, good_client) = person(&app, "good@example.edu", Role::Student).await;
    let (poor, poor_client) = person(&app, "poor@example.edu", Role::Student).await;
    for email in ["good@example.edu", "poor@example.edu"] {
        json(
            &app,
            &teacher,
            "add_student",
            &[("id", &class_id), ("email", email)],
        )
        .await;
    }
    let jan1 = chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 1, 1, 0, 0, 0).unwrap();
    enrolled_at(&app, &class_id, &good, jan1).await;
    enrolled_at(&app, &class_id, &poor, jan1).await;
    for (n, day) in ["2026-02-02T09:00", "2026-02-09T09:00"].iter().enumerate() {
        let id = lecture(&app, &teacher, &class_id, &format!("L{n}"), day).await;
        let poor_status = if n == 0 { "present" } else { "absent" };
        let (status, body) = json(
            &app,
            &teacher,
            "save_attendance",
            &[
                ("id", &id),
                (&format!("status[k{good}]"), "present"),
                (&format!("status[k{poor}]"), poor_status),
            ],
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{body}");
    }

    let (status, _) = json(
        &app,
        &other_teacher,
        "issue_certificates",
        &[("course_id", &course), ("min_rate", "80")],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "not an instructor of this course"
    );
    let (status, _) = json(
        &app,
        &teacher,
        "issue_certificates",
        &[("course_id", &course), ("min_rate", "120")],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, issued) = json(
        &app,
        &teacher,
        "issue_certificates",
        &[("course_id", &course), ("min_rate", "80")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(issued["issued"], 1, "only the student at 100% passes 80%");

    let (status, body) = json(
        &app,
        &teacher,
        "issue_certificate",
        &[
            ("course_id", &course),
            ("student_id", &poor),
            (&format!("classes[k{other_class}]"), "on"),
        ],
    )
    .await;
    assert_eq!(
        (status, field_codes(&body)[0].1.as_str()),
        (StatusCode::BAD_REQUEST, "not_in_course")
    );
    let (status, body) = json(
        &app,
        &teacher,
        "issue_certificate",
        &[("course_id", &course), ("student_id", &poor)],
    )
    .await;
    assert_eq!(
        (status, field_codes(&body)[0].1.as_str()),
        (StatusCode::BAD_REQUEST, "required")
    );
    let (status, poor_cert) = json(
        &app,
        &teacher,
        "issue_certificate",
        &[
            ("course_id", &course),
            ("student_id", &poor),
            (&format!("classes[k{class_id}]"), "on"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);

    let (_, mine) = json(
        &app,
        &good_client,
        "user_certifications",
        &[("user_id", &good)],
    )
    .await;
    let cert = &mine[0];
    assert_eq!(cert["course_title"], "Python basics");
    assert_eq!(cert["classes"][0]["title"], "Spring cohort");
    let (status, _) = json(
        &app,
        &poor_client,
        "user_certifications",
        &[("user_id", &good)],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "another student's certificates"
    );
    let (status, _) = json(&app, &teacher, "user_certifications", &[("user_id", &good)]).await;
    assert_eq!(status, StatusCode::OK, "their teacher may");

    // Anyone can verify by id, signed in or not, and sees who, what and when.
    let anonymous = common::client();
    let (status, verified) = json(
        &app,
        &anonymous,
        "certificate",
        &[("id", poor_cert.as_str().unwrap())],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(verified["student_name"], "poor Tester");
    let page = anonymous
        .get(app.url(&format!("/verify/{}", cert["id"].as_str().unwrap())))
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("good Tester")
            && html.contains("Python basics")
            && html.contains("Spring cohort"),
        "{html}"
    );
    let missing = anonymous
        .get(app.url("/verify/not-a-certificate"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(missing.contains("verify-result") && !missing.contains("good Tester"));
    let (_, course_page) = json(&app, &teacher, "get_course", &[("id", &course)]).await;
    assert_eq!(course_page["certifications"].as_array().unwrap().len(), 2);
}

async fn students_keep_a_profile_interests_and_progress(app: TestApp) {
    let admin = super_admin(&app).await;
    let (_, teacher) = person(&app, "teacher@example.edu", Role::Instructor).await;
    let (_, other_teacher) = person(&app, "other@example.edu", Role::Instructor).await;
    let (student_id, student) = person(&app, "student@example.edu", Role::Student).await;
    let (other_id, other) = person(&app, "peer@example.edu", Role::Student).await;

    for name in ["Robots", "Games", "Music", "Art", "Space", "Ocean"] {
        let (status, _) = json(&app, &admin, "add_interest", &[("name", name)]).await;
        assert_eq!(status, StatusCode::OK);
    }
    let (status, body) = json(&app, &admin, "add_interest", &[("name", "Robots")]).await;
    assert_eq!(
        (status, field_codes(&body)[0].1.as_str()),
        (StatusCode::CONFLICT, "taken")
    );
    let (status, _) = json(&app, &teacher, "add_interest", &[("name", "Sneaky")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let (_, choices) = json(&app, &student, "my_interests", &[]).await;
    let ids: Vec<String> = choices
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["interest"]["id"].as_str().unwrap().to_owned())
        .collect();
    let keys: Vec<String> = ids.iter().map(|id| format!("interests[k{id}]")).collect();
    let pick = |n: usize| {
        keys.iter()
            .take(n)
            .map(|k| (k.as_str(), "on"))
            .collect::<Vec<_>>()
    };
    let (status, body) = json(&app, &student, "set_interests", &[]).await;
    assert_eq!(
        (status, field_codes(&body)[0].1.as_str()),
        (StatusCode::BAD_REQUEST, "choose_one_to_five")
    );
    let (status, _) = json(&app, &student, "set_interests", &pick(6)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let (status, body) = json(
        &app,
        &student,
        "set_interests",
        &[("interests[not-an-interest]", "on")],
    )
    .await;
    assert_eq!(
        (status, field_codes(&body)[0].1.as_str()),
        (StatusCode::BAD_REQUEST, "invalid_choice")
    );
    let (status, _) = json(&app, &student, "set_interests", &pick(2)).await;
    assert_eq!(status, StatusCode::OK);
    let (_, choices) = json(&app, &student, "my_interests", &[]).await;
    assert_eq!(
        choices
            .as_array()
            .unwrap()
            .iter()
            .filter(|c| c["chosen"] == true)
            .count(),
        2
    );

    let (status, body) = json(
        &app,
        &student,
        "update_profile",
        &[
            ("first_name", ""),
            ("last_name", "Kim"),
            ("grade_level", "13"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        field_codes(&body),
        [
            ("first_name".into(), "required".into()),
            ("grade_level".into(), "invalid_grade".into())
        ]
    );
    let (status, _) = json(
        &app,
        &student,
        "update_profile",
        &[
            ("first_name", "Mina"),
            ("last_name", "Kim"),
            ("grade_level", "11"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (_, grade) = json(&app, &student, "my_grade_level", &[]).await;
    assert_eq!(grade, 11);

    let (_, class_id) = course_and_class(&app, &teacher, "Py").await;
    json(
        &app,
        &teacher,
        "add_student",
        &[("id", &class_id), ("email", "student@example.edu")],
    )
    .await;
    enrolled_at(
        &app,
        &class_id,
        &student_id,
        chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 1, 1, 0, 0, 0).unwrap(),
    )
    .await;
    let first = lecture(&app, &teacher, &class_id, "One", "2026-02-02T09:00").await;
    lecture(&app, &teacher, &class_id, "Two", "2026-02-09T09:00").await;
    json(
        &app,
        &teacher,
        "save_attendance",
        &[
            ("id", &first),
            (&format!("status[k{student_id}]"), "present"),
        ],
    )
    .await;

    let (status, progress) = json(&app, &student, "get_progress", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(progress["student"]["first_name"], "Mina");
    let class = &progress["classes"][0];
    assert_eq!(
        (class["attended"].as_i64(), class["counted"].as_i64()),
        (Some(1), Some(2)),
        "unmarked past lectures count as missed"
    );
    assert_eq!(class["lectures"][0]["my_status"], "Present");
    let (status, _) = json(&app, &other, "get_progress", &[("user_id", &student_id)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another student's progress");
    let (status, _) = json(
        &app,
        &other_teacher,
        "get_progress",
        &[("user_id", &student_id)],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "an instructor who does not teach them"
    );
    let (status, _) = json(&app, &teacher, "get_progress", &[("user_id", &student_id)]).await;
    assert_eq!(status, StatusCode::OK);
    let (_, own) = json(&app, &other, "get_progress", &[("user_id", &other_id)]).await;
    assert_eq!(own["classes"], Value::Array(vec![]));
}

async fn instructors_request_accounts_that_admins_approve(app: TestApp) {
    let admin = super_admin(&app).await;
    let (_, teacher) = person(&app, "teacher@example.edu", Role::Instructor).await;
    let (_, other_teacher) = person(&app, "other@example.edu", Role::Instructor).await;
    let (_, class_id) = course_and_class(&app, &teacher, "Py").await;

    let (status, body) = json(
        &app,
        &teacher,
        "request_accounts",
        &[("class_id", &class_id), ("students", "Mina Park\n")],
    )
    .await;
    assert_eq!(
        (status, field_codes(&body)[0].1.as_str()),
        (StatusCode::BAD_REQUEST, "invalid_line")
    );
    let list = "Mina Park, mina@example.edu\nJoon\tKim\tjoon@example.edu\n";
    let (status, _) = json(
        &app,
        &other_teacher,
        "request_accounts",
        &[("class_id", &class_id), ("students", list)],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "only the class's instructors"
    );
    let (status, count) = json(
        &app,
        &teacher,
        "request_accounts",
        &[("class_id", &class_id), ("students", list)],
    )
    .await;
    assert_eq!((status, count), (StatusCode::OK, Value::from(2)));

    let (status, _) = json(&app, &teacher, "account_requests", &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (_, requests) = json(&app, &admin, "account_requests", &[]).await;
    let requests = requests.as_array().unwrap().clone();
    assert_eq!(requests.len(), 2);
    let (status, _) = json(
        &app,
        &teacher,
        "approve_account_request",
        &[("id", requests[0]["id"].as_str().unwrap())],
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = json(
        &app,
        &admin,
        "approve_account_request",
        &[("id", requests[0]["id"].as_str().unwrap())],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = json(
        &app,
        &admin,
        "reject_account_request",
        &[("id", requests[1]["id"].as_str().unwrap())],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = json(
        &app,
        &admin,
        "approve_account_request",
        &[("id", requests[1]["id"].as_str().unwrap())],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "a decided request stays decided"
    );

    let (_, page) = class_data(&app, &teacher, &class_id).await;
    assert_eq!(page["roster"][0]["student"]["email"], "mina@example.edu");
    let mail: Option<(String, String)> = db_run!(app.state.db.reader(), |pool| {
        sqlx::query_as("SELECT to_address, body FROM outbox ORDER BY created_at DESC LIMIT 1")
            .fetch_optional(pool)
            .await
    })
    .unwrap();
    let (to, body) = mail.expect("a set-password mail");
    assert_eq!(to, "mina@example.edu");
    assert!(body.contains("/reset-password?token="), "{body}");
    let (_, requests) = json(&app, &admin, "account_requests", &[]).await;
    assert_eq!(requests, Value::Array(vec![]));
}

async fn the_teacher_dashboard_shows_today_and_the_week(app: TestApp) {
    let (_, teacher) = person(&app, "teacher@example.edu", Role::Instructor).await;
    let (student_id, student) = person(&app, "student@example.edu", Role::Student).await;
    let (_, class_id) = course_and_class(&app, &teacher, "Py").await;
    json(
        &app,
        &teacher,
        "add_student",
        &[("id", &class_id), ("email", "student@example.edu")],
    )
    .await;
    enrolled_at(
        &app,
        &class_id,
        &student_id,
        Utc::now() - Duration::days(30),
    )
    .await;
    let today = Utc::now().date_naive();
    let now_lecture = lecture(&app, &teacher, &class_id, "Now", &format!("{today}T00:00")).await;
    lecture(
        &app,
        &teacher,
        &class_id,
        "Soon",
        &format!("{}T09:00", today + Duration::days(2)),
    )
    .await;
    lecture(
        &app,
        &teacher,
        &class_id,
        "Later",
        &format!("{}T09:00", today + Duration::days(20)),
    )
    .await;
    json(
        &app,
        &teacher,
        "save_attendance",
        &[
            ("id", &now_lecture),
            (&format!("status[k{student_id}]"), "present"),
        ],
    )
    .await;

    let (status, dashboard) = json(&app, &teacher, "get_teacher_dashboard", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(dashboard["students"], 1);
    assert_eq!(dashboard["today"][0]["title"], "Now");
    assert_eq!(dashboard["today"][0]["present"], 1);
    let upcoming: Vec<&str> = dashboard["upcoming"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["title"].as_str().unwrap())
        .collect();
    assert_eq!(upcoming, ["Soon"]);
    let (status, _) = json(&app, &student, "get_teacher_dashboard", &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

async fn instructors_only_reach_their_own_classes(app: TestApp) {
    let (a_id, teacher_a) = person(&app, "a@example.edu", Role::Instructor).await;
    let (_, teacher_b) = person(&app, "b@example.edu", Role::Instructor).await;
    let (course, class_a) = course_and_class(&app, &teacher_a, "Py").await;
    // Any instructor may open a class under an active course...
    let (status, class_b) = json(
        &app,
        &teacher_b,
        "create_class",
        &[
            ("course_id", &course),
            ("title", "B cohort"),
            ("subject", "Py"),
        ],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let class_b = class_b.as_str().unwrap().to_owned();
    let (s1, _) = person(&app, "s1@example.edu", Role::Student).await;
    json(
        &app,
        &teacher_a,
        "add_student",
        &[("id", &class_a), ("email", "s1@example.edu")],
    )
    .await;
    enrolled_at(
        &app,
        &class_a,
        &s1,
        chrono::TimeZone::with_ymd_and_hms(&Utc, 2026, 1, 1, 0, 0, 0).unwrap(),
    )
    .await;
    let lecture_a = lecture(&app, &teacher_a, &class_a, "L", "2026-02-02T09:00").await;
    json(
        &app,
        &teacher_a,
        "save_attendance",
        &[("id", &lecture_a), (&format!("status[k{s1}]"), "present")],
    )
    .await;
    let (_, issued) = json(
        &app,
        &teacher_a,
        "issue_certificates",
        &[("course_id", &course), ("min_rate", "50")],
    )
    .await;
    assert_eq!(issued["issued"], 1);

    // ...but sees and certifies only the students of their own classes.
    let (_, page) = json(&app, &teacher_b, "get_course", &[("id", &course)]).await;
    assert_eq!(page["may_certify"], true);
    assert_eq!(page["students"], Value::Array(vec![]));
    assert_eq!(page["certifications"], Value::Array(vec![]));
    let (status, _) = json(
        &app,
        &teacher_b,
        "issue_certificate",
        &[
            ("course_id", &course),
            ("student_id", &s1),
            (&format!("classes[k{class_a}]"), "on"),
        ],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::BAD_REQUEST,
        "not a student of B's classes"
    );
    let (_, issued) = json(
        &app,
        &teacher_b,
        "issue_certificates",
        &[("course_id", &course), ("min_rate", "0")],
    )
    .await;
    assert_eq!(issued["issued"], 0);
    let (status, _) = json(&app, &teacher_b, "get_progress", &[("user_id", &s1)]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Once s1 is also in B's class, B sees that class's record and no other.
    json(
        &app,
        &teacher_b,
        "add_student",
        &[("id", &class_b), ("email", "s1@example.edu")],
    )
    .await;
    let (status, progress) = json(&app, &teacher_b, "get_progress", &[("user_id", &s1)]).await;
    assert_eq!(status, StatusCode::OK);
    let classes: Vec<&str> = progress["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["class"]["id"].as_str().unwrap())
        .collect();
    assert_eq!(classes, [class_b.as_str()]);
    let (status, _) = json(
        &app,
        &teacher_b,
        "issue_certificate",
        &[
            ("course_id", &course),
            ("student_id", &s1),
            (&format!("classes[k{class_a}]"), "on"),
        ],
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "class A is not B's to certify"
    );

    // An instructor made a student loses the staff rights of their classes.
    db_run!(app.state.db.writer(), |pool| {
        sqlx::query("UPDATE users SET role = 'student' WHERE id = $1")
            .bind(&a_id)
            .execute(pool)
            .await
            .map(|_| ())
    })
    .unwrap();
    let (status, _) = class_data(&app, &teacher_a, &class_a).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    // Absurd page numbers are clamped, not a server error.
    let (status, _) = json(
        &app,
        &teacher_b,
        "list_courses",
        &[("query[page]", "9223372036854775807")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = json(
        &app,
        &teacher_b,
        "list_courses",
        &[("query[search]", "100%_\\")],
    )
    .await;
    assert_eq!(status, StatusCode::OK);
}
