//! Administering users through HTTP on both databases: search and filters, role and
//! status changes (suspension ends sessions at once), permissions, deactivation, accounts
//! made by administrators, the sign-up policy, and who may do any of it.

mod common;

use common::{TestApp, is_signed_in};
use lectern::auth::model::Role;
use reqwest::StatusCode;
use serde_json::Value;

on_both_backends!(
    the_users_list_searches_filters_and_pages,
    only_administrators_may_administer,
    suspending_a_user_ends_their_sessions_at_once,
    roles_and_permissions_follow_the_rules,
    a_deactivated_user_cannot_sign_in_and_is_listed_apart,
    an_account_made_by_an_administrator_gets_a_set_password_link,
    the_signup_policy_closes_registration,
);

use common::{PASSWORD, call, sign_in, super_admin, user};

async fn list(app: &TestApp, client: &reqwest::Client, form: &[(&str, &str)]) -> Value {
    let response = call(app, client, "list_users", form).await;
    assert_eq!(response.status(), StatusCode::OK);
    response.json().await.unwrap()
}

async fn the_users_list_searches_filters_and_pages(app: TestApp) {
    let admin = super_admin(&app).await;
    for n in 0..30 {
        user(
            &app,
            &format!("student{n:02}@example.edu"),
            &format!("Stu{n:02}"),
            Role::Student,
            None,
        )
        .await;
    }
    user(&app, "grace@example.edu", "Grace", Role::Instructor, None).await;

    let first = list(&app, &admin, &[("query[search]", ""), ("query[page]", "1")]).await;
    assert_eq!(first["total"], 32);
    assert_eq!(first["users"].as_array().unwrap().len(), 25);
    let second = list(&app, &admin, &[("query[search]", ""), ("query[page]", "2")]).await;
    assert_eq!(second["users"].as_array().unwrap().len(), 7);

    let by_name = list(
        &app,
        &admin,
        &[("query[search]", "GRACE"), ("query[page]", "1")],
    )
    .await;
    assert_eq!(by_name["total"], 1);
    assert_eq!(by_name["users"][0]["email"], "grace@example.edu");
    let by_full_name = list(
        &app,
        &admin,
        &[("query[search]", "stu07 tester"), ("query[page]", "1")],
    )
    .await;
    assert_eq!(by_full_name["total"], 1);
    let instructors = list(
        &app,
        &admin,
        &[
            ("query[search]", ""),
            ("query[role]", "instructor"),
            ("query[page]", "1"),
        ],
    )
    .await;
    assert_eq!(instructors["total"], 1);
    let manual = list(
        &app,
        &admin,
        &[
            ("query[search]", ""),
            ("query[auth_type]", "kakao"),
            ("query[page]", "1"),
        ],
    )
    .await;
    assert_eq!(manual["total"], 0);

    let page = admin
        .get(app.url("/admin/users?q=grace"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("grace@example.edu") && !page.contains("student01@"),
        "the page searches without JavaScript"
    );
}

async fn only_administrators_may_administer(app: TestApp) {
    super_admin(&app).await;
    let student_id = user(
        &app,
        "ana@example.edu",
        "Ana",
        Role::Student,
        Some(PASSWORD),
    )
    .await;
    user(
        &app,
        "grace@example.edu",
        "Grace",
        Role::Instructor,
        Some(PASSWORD),
    )
    .await;
    for (email, expected) in [
        ("ana@example.edu", StatusCode::FORBIDDEN),
        ("grace@example.edu", StatusCode::FORBIDDEN),
    ] {
        let client = sign_in(&app, email, PASSWORD).await;
        let calls: [(&str, Vec<(&str, &str)>); 5] = [
            (
                "list_users",
                vec![("query[search]", ""), ("query[page]", "1")],
            ),
            ("user_detail", vec![("id", student_id.as_str())]),
            (
                "update_user",
                vec![
                    ("id", student_id.as_str()),
                    ("role", "admin"),
                    ("status", "active"),
                    ("authorizations", ""),
                ],
            ),
            ("deactivate_user", vec![("id", student_id.as_str())]),
            ("set_signup_policy", vec![("policy", "closed")]),
        ];
        for (endpoint, form) in calls {
            assert_eq!(
                call(&app, &client, endpoint, &form).await.status(),
                expected,
                "{email} {endpoint}"
            );
        }
        let page = client
            .get(app.url("/admin/users"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("You are not allowed to see this page."));
    }
    let anonymous = call(
        &app,
        &common::client(),
        "list_users",
        &[("query[search]", ""), ("query[page]", "1")],
    )
    .await;
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}

async fn suspending_a_user_ends_their_sessions_at_once(app: TestApp) {
    let admin = super_admin(&app).await;
    let id = user(
        &app,
        "ana@example.edu",
        "Ana",
        Role::Student,
        Some(PASSWORD),
    )
    .await;
    let ana = sign_in(&app, "ana@example.edu", PASSWORD).await;
    let response = call(
        &app,
        &admin,
        "update_user",
        &[
            ("id", &id),
            ("role", "student"),
            ("status", "suspended"),
            ("authorizations", ""),
        ],
    )
    .await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(
        !is_signed_in(&app, &ana).await,
        "the suspended user's session ended"
    );
    let again = common::client()
        .post(app.url("/api/fn/login"))
        .form(&[("email", "ana@example.edu"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::UNAUTHORIZED);
    let detail: Value = call(&app, &admin, "user_detail", &[("id", &id)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["status"], "suspended");
    let admin_id: Value = admin
        .get(app.url("/api/v1/auth/status"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        detail["updated_by"], admin_id["user"]["id"],
        "the audit column names the admin"
    );
}

async fn roles_and_permissions_follow_the_rules(app: TestApp) {
    let root = super_admin(&app).await;
    let admin_id = user(
        &app,
        "admin@example.edu",
        "Adam",
        Role::Admin,
        Some(PASSWORD),
    )
    .await;
    let ana_id = user(&app, "ana@example.edu", "Ana", Role::Student, None).await;

    let update = |client: &reqwest::Client, id: &str, role: &str, permissions: &str| {
        let request = client.post(app.url("/api/fn/update_user")).form(&[
            ("id", id),
            ("role", role),
            ("status", "active"),
            ("authorizations", permissions),
        ]);
        async move { request.send().await.unwrap() }
    };
    let ok = update(&root, &ana_id, "instructor", "reports.view\ncourses:edit").await;
    assert_eq!(ok.status(), StatusCode::OK);
    let detail: Value = call(&app, &root, "user_detail", &[("id", &ana_id)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["role"], "instructor");
    assert_eq!(
        detail["authorizations"],
        r#"["courses:edit","reports.view"]"#
    );

    let bad = update(&root, &ana_id, "instructor", "Drop Table").await;
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let bad_role = update(&root, &ana_id, "pope", "").await;
    assert_eq!(bad_role.status(), StatusCode::BAD_REQUEST);

    // A plain admin may not grant admin rights, nor change an admin, nor themselves.
    let admin = sign_in(&app, "admin@example.edu", PASSWORD).await;
    assert_eq!(
        update(&admin, &ana_id, "admin", "").await.status(),
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        update(&admin, &ana_id, "student", "").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        update(&admin, &admin_id, "super_admin", "").await.status(),
        StatusCode::FORBIDDEN
    );
    let unknown = update(&root, "no-such-user", "student", "").await;
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
}

async fn a_deactivated_user_cannot_sign_in_and_is_listed_apart(app: TestApp) {
    let admin = super_admin(&app).await;
    let id = user(
        &app,
        "ana@example.edu",
        "Ana",
        Role::Student,
        Some(PASSWORD),
    )
    .await;
    let ana = sign_in(&app, "ana@example.edu", PASSWORD).await;
    let response = admin
        .post(app.url("/api/fn/deactivate_user"))
        .header("accept", "text/html")
        .header("referer", app.url(&format!("/admin/users/{id}")))
        .form(&[("id", &id)])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), StatusCode::FOUND);
    assert!(!is_signed_in(&app, &ana).await);
    let login = common::client()
        .post(app.url("/api/fn/login"))
        .form(&[("email", "ana@example.edu"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), StatusCode::UNAUTHORIZED);
    let active = list(
        &app,
        &admin,
        &[("query[search]", "ana"), ("query[page]", "1")],
    )
    .await;
    assert_eq!(active["total"], 0);
    let deleted = list(
        &app,
        &admin,
        &[
            ("query[search]", "ana"),
            ("query[status]", "deleted"),
            ("query[page]", "1"),
        ],
    )
    .await;
    assert_eq!(deleted["total"], 1);
    assert!(!deleted["users"][0]["deleted_at"].is_null());
}

async fn an_account_made_by_an_administrator_gets_a_set_password_link(app: TestApp) {
    let admin = super_admin(&app).await;
    let created = call(
        &app,
        &admin,
        "create_account",
        &[
            ("email", "grace@example.edu"),
            ("first_name", "Grace"),
            ("last_name", "Hopper"),
            ("role", "instructor"),
        ],
    )
    .await;
    assert_eq!(created.status(), StatusCode::OK);
    let taken = call(
        &app,
        &admin,
        "create_account",
        &[
            ("email", "grace@example.edu"),
            ("first_name", "Grace"),
            ("last_name", "Hopper"),
            ("role", "instructor"),
        ],
    )
    .await;
    assert_eq!(taken.status(), StatusCode::CONFLICT);

    let body: String = lectern::db_run!(app.state.db.reader(), |pool| {
        sqlx::query_scalar("SELECT body FROM outbox WHERE to_address = 'grace@example.edu'")
            .fetch_one(pool)
            .await
    })
    .unwrap();
    let token = body
        .split("token=")
        .nth(1)
        .unwrap()
        .split_whitespace()
        .next()
        .unwrap()
        .to_owned();
    let set = common::client()
        .post(app.url("/api/fn/reset_password"))
        .form(&[("token", token.as_str()), ("new_password", "Grace1hopper")])
        .send()
        .await
        .unwrap();
    assert_eq!(set.status(), StatusCode::OK);
    let grace = sign_in(&app, "grace@example.edu", "Grace1hopper").await;
    let status: Value = grace
        .get(app.url("/api/v1/auth/status"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(status["user"]["role"], "instructor");
}

async fn the_signup_policy_closes_registration(app: TestApp) {
    let admin = super_admin(&app).await;
    for (policy, code) in [
        ("closed", "signup_closed"),
        ("invite", "signup_invite_only"),
    ] {
        assert_eq!(
            call(&app, &admin, "set_signup_policy", &[("policy", policy)])
                .await
                .status(),
            StatusCode::OK
        );
        let refused = common::client()
            .post(app.url("/api/fn/register"))
            .form(&[
                ("email", "new@example.edu"),
                ("password", PASSWORD),
                ("first_name", "New"),
                ("last_name", "Student"),
                ("grade_level", "10"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(refused.status(), StatusCode::FORBIDDEN);
        assert_eq!(
            refused.json::<Value>().await.unwrap()["details"][0]["code"],
            code
        );
        let page = common::client()
            .get(app.url("/register"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("signup-unavailable"));
    }
    assert_eq!(
        call(
            &app,
            &admin,
            "set_signup_policy",
            &[("policy", "sometimes")]
        )
        .await
        .status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        call(&app, &admin, "set_signup_policy", &[("policy", "open")])
            .await
            .status(),
        StatusCode::OK
    );
    let page = common::client()
        .get(app.url("/register"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("grade_level"));
}
