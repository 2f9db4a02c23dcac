//! Server functions for courses, classes, lectures, attendance, certificates and the
//! student and teacher pages. Each one starts with the check of who may call it:
//! [`signed_in`], [`instructor`], [`admin`], [`class_staff`] or [`class_member`].

#![allow(
    clippy::too_many_arguments,
    reason = "a server function's arguments are its form's fields"
)]

use std::collections::HashMap;

use leptos::prelude::*;

use super::model::{
    AccountRequest, AttendanceSheet, BulkIssue, Certification, ClassPage, CourseListing,
    CoursePage, CourseQuery, Interest, InterestChoice, JoinOutcome, MyClasses, Progress,
    TeacherDashboard,
};
use crate::app_error::AppError;

#[cfg(feature = "ssr")]
pub(crate) mod checks {
    use super::super::model::ClassRole;
    use crate::app_error::AppError;
    use crate::auth::model::Role;
    use crate::auth::service::User;
    use crate::server::AppState;

    /// Any signed-in user.
    pub async fn signed_in() -> Result<(User, AppState), AppError> {
        let user = crate::auth::guard::require_user().await?;
        Ok((
            user,
            crate::server::app_state().map_err(AppError::internal)?,
        ))
    }

    /// Instructors and administrators.
    pub async fn instructor() -> Result<(User, AppState), AppError> {
        let user = crate::auth::guard::require_role(Role::Instructor).await?;
        Ok((
            user,
            crate::server::app_state().map_err(AppError::internal)?,
        ))
    }

    /// Administrators.
    pub async fn admin() -> Result<(User, AppState), AppError> {
        let user = crate::auth::guard::require_role(Role::Admin).await?;
        Ok((
            user,
            crate::server::app_state().map_err(AppError::internal)?,
        ))
    }

    /// The class's instructors and administrators.
    pub async fn class_staff(class_id: &str) -> Result<(User, AppState), AppError> {
        let (user, state) = signed_in().await?;
        super::super::access::require_staff(&state.db, &user, class_id).await?;
        Ok((user, state))
    }

    /// The class's staff and active students.
    pub async fn class_member(class_id: &str) -> Result<(User, AppState, ClassRole), AppError> {
        let (user, state) = signed_in().await?;
        let role = super::super::access::require_member(&state.db, &user, class_id).await?;
        Ok((user, state, role))
    }

    /// The staff of the class a lecture belongs to.
    pub async fn lecture_staff(lecture_id: &str) -> Result<(User, AppState), AppError> {
        let (user, state) = signed_in().await?;
        let class_id = super::super::access::lecture_class(&state.db, lecture_id).await?;
        super::super::access::require_staff(&state.db, &user, &class_id).await?;
        Ok((user, state))
    }
}

#[cfg(feature = "ssr")]
use checks::{admin, class_member, class_staff, instructor, lecture_staff, signed_in};

#[cfg(feature = "ssr")]
fn invalid(problems: Vec<crate::app_error::FieldProblem>) -> AppError {
    AppError::Invalid(problems).with_status()
}

/// Whether a checkbox was ticked (browsers send `on`; scripts may send `true`).
#[cfg(feature = "ssr")]
fn ticked(value: Option<&str>) -> bool {
    matches!(value, Some("on" | "true" | "1"))
}

/// The ids of the ticked boxes of a `name[<form key>]` group; a key not made by
/// `form_key` is kept whole, so it is refused as an unknown id later.
#[cfg(feature = "ssr")]
fn ticked_ids(boxes: HashMap<String, String>) -> Vec<String> {
    boxes
        .into_iter()
        .filter(|(_, v)| ticked(Some(v)))
        .map(|(key, _)| super::model::from_form_key(&key).unwrap_or(&key).to_owned())
        .collect()
}

// ---- Courses ----

/// One page of courses matching the search (instructors and administrators).
#[server(prefix = "/api/fn", endpoint = "list_courses")]
pub async fn list_courses(
    #[server(default)] query: CourseQuery,
) -> Result<CourseListing, AppError> {
    let (_, state) = instructor().await?;
    super::classes::search_courses(&state.db, &query).await
}

/// Creates a course and goes to its page.
#[server(prefix = "/api/fn", endpoint = "create_course")]
pub async fn create_course(
    title: String,
    description: String,
    keyword: String,
) -> Result<String, AppError> {
    let (user, state) = instructor().await?;
    let input = super::validate::course(&title, &description, &keyword).map_err(invalid)?;
    let id = super::classes::create_course(&state.db, &user, &input).await?;
    leptos_axum::redirect(&format!("/courses/{id}"));
    Ok(id)
}

/// A course with its classes and certificates.
#[server(prefix = "/api/fn", endpoint = "get_course")]
pub async fn get_course(id: String) -> Result<CoursePage, AppError> {
    let (user, state) = instructor().await?;
    let course = super::classes::course(&state.db, &id).await?;
    // Certificates and students are shown for the classes the user may certify.
    let allowed = super::access::certifiable_classes(&state.db, &user, &id).await?;
    let certifications = super::certs::for_course(&state.db, &id)
        .await?
        .into_iter()
        .filter(|cert| cert.classes.iter().any(|c| allowed.contains(&c.id)))
        .collect();
    Ok(CoursePage {
        may_edit: super::classes::may_edit_course(&user, &course),
        classes: super::classes::course_classes(&state.db, &id).await?,
        students: super::classes::students_of(&state.db, &allowed).await?,
        certifications,
        may_certify: !allowed.is_empty(),
        course,
    })
}

/// Changes a course (its author and administrators).
#[server(prefix = "/api/fn", endpoint = "update_course")]
pub async fn update_course(
    id: String,
    title: String,
    description: String,
    keyword: String,
) -> Result<(), AppError> {
    let (user, state) = instructor().await?;
    let input = super::validate::course(&title, &description, &keyword).map_err(invalid)?;
    super::classes::update_course(&state.db, &user, &id, &input).await
}

/// Deactivates (`active` false) or reactivates a course.
#[server(prefix = "/api/fn", endpoint = "set_course_active")]
pub async fn set_course_active(id: String, active: bool) -> Result<(), AppError> {
    let (user, state) = instructor().await?;
    super::classes::set_course_active(&state.db, &user, &id, active).await
}

// ---- Classes ----

/// Creates a class under a course and goes to its page.
#[server(prefix = "/api/fn", endpoint = "create_class")]
pub async fn create_class(
    course_id: String,
    title: String,
    subject: String,
    #[server(default)] lecturer_info: String,
    #[server(default)] date_info: String,
    #[server(default)] begins_on: String,
    #[server(default)] ends_on: String,
    #[server(default)] join_approval: Option<String>,
) -> Result<String, AppError> {
    let (user, state) = instructor().await?;
    let input = super::validate::class(
        &title,
        &subject,
        &lecturer_info,
        &date_info,
        &begins_on,
        &ends_on,
        ticked(join_approval.as_deref()),
    )
    .map_err(invalid)?;
    let id = super::classes::create_class(&state.db, &user, &course_id, &input).await?;
    leptos_axum::redirect(&format!("/classes/{id}"));
    Ok(id)
}

/// The class page: staff see everything, students the class and their own marks.
#[server(prefix = "/api/fn", endpoint = "get_class")]
pub async fn get_class(id: String) -> Result<ClassPage, AppError> {
    use super::model::{ClassRole, RosterEntry, rate};
    let (user, state, role) = class_member(&id).await?;
    let db = &state.db;
    let tz = state.config.timezone;
    let mut class = super::classes::class(db, &id).await?;
    let record = super::lectures::ClassRecord::load(db, &id).await?;
    let now = chrono::Utc::now();
    let entries = |rows: Vec<(super::model::Person, Option<chrono::DateTime<chrono::Utc>>)>| {
        rows.into_iter()
            .map(|(student, enrolled_at)| {
                let (attended, counted) = record.student_totals(&student.id, now);
                RosterEntry {
                    student,
                    enrolled_at,
                    attended,
                    counted,
                }
            })
            .collect::<Vec<_>>()
    };
    let (roster, pending, lectures, attendance_rate) = match role {
        ClassRole::Staff => {
            let (attended, expected) = record.class_totals(now);
            (
                entries(super::classes::enrolled(db, &id, "active").await?),
                entries(super::classes::enrolled(db, &id, "pending").await?),
                record.lectures(tz, None),
                rate(attended, expected),
            )
        }
        ClassRole::Student => {
            class.join_code.clear();
            class.ingest_token.clear();
            let (attended, counted) = record.student_totals(&user.id, now);
            (
                Vec::new(),
                Vec::new(),
                record.lectures(tz, Some(&user.id)),
                rate(attended, counted),
            )
        }
    };
    Ok(ClassPage {
        role,
        instructors: super::classes::instructors(db, &id).await?,
        class,
        roster,
        pending,
        lectures,
        attendance_rate,
    })
}

/// Changes a class's fields.
#[server(prefix = "/api/fn", endpoint = "update_class")]
pub async fn update_class(
    id: String,
    title: String,
    subject: String,
    #[server(default)] lecturer_info: String,
    #[server(default)] date_info: String,
    #[server(default)] begins_on: String,
    #[server(default)] ends_on: String,
    #[server(default)] join_approval: Option<String>,
) -> Result<(), AppError> {
    let (user, state) = class_staff(&id).await?;
    let input = super::validate::class(
        &title,
        &subject,
        &lecturer_info,
        &date_info,
        &begins_on,
        &ends_on,
        ticked(join_approval.as_deref()),
    )
    .map_err(invalid)?;
    super::classes::update_class(&state.db, &user, &id, &input).await
}

/// Archives (`archived` true) or restores a class.
#[server(prefix = "/api/fn", endpoint = "archive_class")]
pub async fn archive_class(id: String, archived: bool) -> Result<(), AppError> {
    let (user, state) = class_staff(&id).await?;
    super::classes::set_archived(&state.db, &user, &id, archived).await?;
    state.ingest_tokens.forget_all();
    Ok(())
}

/// Gives the class a new join code.
#[server(prefix = "/api/fn", endpoint = "regenerate_join_code")]
pub async fn regenerate_join_code(id: String) -> Result<String, AppError> {
    let (user, state) = class_staff(&id).await?;
    super::classes::regenerate_join_code(&state.db, &user, &id).await
}

/// Gives the class a new ingest token for its notebook clients.
#[server(prefix = "/api/fn", endpoint = "rotate_ingest_token")]
pub async fn rotate_ingest_token(id: String) -> Result<(), AppError> {
    let (user, state) = class_staff(&id).await?;
    super::classes::rotate_ingest_token(&state.db, &user, &id).await?;
    state.ingest_tokens.forget_all();
    Ok(())
}

/// Adds another instructor to the class by email.
#[server(prefix = "/api/fn", endpoint = "add_class_instructor")]
pub async fn add_class_instructor(id: String, email: String) -> Result<(), AppError> {
    let (user, state) = class_staff(&id).await?;
    super::classes::add_instructor(&state.db, &user, &id, &email).await
}

/// Adds a student account to the roster by email.
#[server(prefix = "/api/fn", endpoint = "add_student")]
pub async fn add_student(id: String, email: String) -> Result<(), AppError> {
    let (user, state) = class_staff(&id).await?;
    super::classes::add_student(&state.db, &user, &id, &email).await
}

/// Removes a student (or a waiting join request) from the class.
#[server(prefix = "/api/fn", endpoint = "remove_student")]
pub async fn remove_student(id: String, student_id: String) -> Result<(), AppError> {
    let (_, state) = class_staff(&id).await?;
    super::classes::remove_student(&state.db, &id, &student_id).await
}

/// Accepts a student waiting to join.
#[server(prefix = "/api/fn", endpoint = "approve_join")]
pub async fn approve_join(id: String, student_id: String) -> Result<(), AppError> {
    let (user, state) = class_staff(&id).await?;
    super::classes::approve_join(&state.db, &user, &id, &student_id).await
}

/// Copies the class with its instructors and roster, and goes to the copy.
#[server(prefix = "/api/fn", endpoint = "copy_class")]
pub async fn copy_class(id: String, title: String) -> Result<String, AppError> {
    let (user, state) = class_staff(&id).await?;
    let title = super::validate::text(&title, 200, true, false)
        .map_err(|code| AppError::field("title", code).with_status())?;
    let copy = super::classes::copy_class(&state.db, &user, &id, &title).await?;
    leptos_axum::redirect(&format!("/classes/{copy}"));
    Ok(copy)
}

/// A student joins a class with its code.
#[server(prefix = "/api/fn", endpoint = "join_class")]
pub async fn join_class(code: String) -> Result<JoinOutcome, AppError> {
    use crate::auth::model::Role;
    let (user, state) = signed_in().await?;
    if user.role() != Role::Student {
        return Err(AppError::field("code", "students_only").with_status());
    }
    let outcome = super::classes::join_by_code(&state.db, &user, &code).await?;
    // The page shows the outcome from the URL, so it reads the same with or without
    // JavaScript.
    leptos_axum::redirect(&format!("/classes?joined={}", outcome.as_str()));
    Ok(outcome)
}

/// The signed-in user's classes.
#[server(prefix = "/api/fn", endpoint = "get_my_classes")]
pub async fn get_my_classes() -> Result<MyClasses, AppError> {
    let (user, state) = signed_in().await?;
    super::classes::my_classes(&state.db, &user).await
}

// ---- Lectures and attendance ----

/// Adds a lecture to a class.
#[server(prefix = "/api/fn", endpoint = "create_lecture")]
pub async fn create_lecture(
    class_id: String,
    title: String,
    #[server(default)] sequence: String,
    starts_at: String,
    duration_minutes: String,
    attendance_type: String,
) -> Result<String, AppError> {
    let (user, state) = class_staff(&class_id).await?;
    let input = super::validate::lecture(
        &title,
        &sequence,
        &starts_at,
        &duration_minutes,
        &attendance_type,
    )
    .map_err(invalid)?;
    super::lectures::create(&state.db, state.config.timezone, &user, &class_id, &input).await
}

/// Changes a lecture.
#[server(prefix = "/api/fn", endpoint = "update_lecture")]
pub async fn update_lecture(
    id: String,
    title: String,
    #[server(default)] sequence: String,
    starts_at: String,
    duration_minutes: String,
    attendance_type: String,
) -> Result<(), AppError> {
    let (user, state) = lecture_staff(&id).await?;
    let input = super::validate::lecture(
        &title,
        &sequence,
        &starts_at,
        &duration_minutes,
        &attendance_type,
    )
    .map_err(invalid)?;
    super::lectures::update(&state.db, state.config.timezone, &user, &id, &input).await
}

/// Deletes a lecture with its attendance, and goes back to the class.
#[server(prefix = "/api/fn", endpoint = "delete_lecture")]
pub async fn delete_lecture(id: String) -> Result<(), AppError> {
    let (_, state) = lecture_staff(&id).await?;
    let class_id = super::access::lecture_class(&state.db, &id).await?;
    super::lectures::delete(&state.db, &id).await?;
    leptos_axum::redirect(&format!("/classes/{class_id}"));
    Ok(())
}

/// The attendance sheet of a lecture.
#[server(prefix = "/api/fn", endpoint = "get_attendance_sheet")]
pub async fn get_attendance_sheet(id: String) -> Result<AttendanceSheet, AppError> {
    let (_, state) = lecture_staff(&id).await?;
    super::lectures::sheet(&state.db, state.config.timezone, &id).await
}

/// Records the sheet: `status[<student id>]` is present, absent or late; `detail[...]`
/// and `note[...]` the detail type and description. Students without a status are left
/// unmarked.
#[server(prefix = "/api/fn", endpoint = "save_attendance")]
pub async fn save_attendance(
    id: String,
    #[server(default)] status: HashMap<String, String>,
    #[server(default)] detail: HashMap<String, String>,
    #[server(default)] note: HashMap<String, String>,
) -> Result<(), AppError> {
    use super::lectures::Mark;
    use super::model::AttendanceStatus;
    let (user, state) = lecture_staff(&id).await?;
    let mut marks = Vec::with_capacity(status.len());
    for (key, value) in status {
        let student_id = super::model::from_form_key(&key)
            .ok_or_else(|| AppError::field("status", "invalid_choice").with_status())?
            .to_owned();
        let status = AttendanceStatus::parse(&value)
            .ok_or_else(|| AppError::field("status", "invalid_choice").with_status())?;
        let text = |map: &HashMap<String, String>, max| {
            super::validate::text(map.get(&key).map_or("", String::as_str), max, false, false)
        };
        let detail_type =
            text(&detail, 50).map_err(|code| AppError::field("detail", code).with_status())?;
        let description =
            text(&note, 500).map_err(|code| AppError::field("note", code).with_status())?;
        marks.push(Mark {
            student_id,
            status,
            detail_type,
            description,
        });
    }
    super::lectures::save(&state.db, &user, &id, &marks).await
}

/// Opens self check-in for `minutes` (1-240, default 15).
#[server(prefix = "/api/fn", endpoint = "open_check_in")]
pub async fn open_check_in(id: String, #[server(default)] minutes: String) -> Result<(), AppError> {
    let (user, state) = lecture_staff(&id).await?;
    let minutes = match minutes.trim() {
        "" => 15,
        m => m
            .parse::<i64>()
            .ok()
            .filter(|m| (1..=240).contains(m))
            .ok_or_else(|| AppError::field("minutes", "invalid_number").with_status())?,
    };
    super::lectures::open_check_in(&state.db, &user, &id, minutes).await
}

/// Closes self check-in.
#[server(prefix = "/api/fn", endpoint = "close_check_in")]
pub async fn close_check_in(id: String) -> Result<(), AppError> {
    let (user, state) = lecture_staff(&id).await?;
    super::lectures::close_check_in(&state.db, &user, &id).await
}

/// A student checks in with the code shown in the room; answers the lecture's title.
#[server(prefix = "/api/fn", endpoint = "check_in")]
pub async fn check_in(code: String) -> Result<String, AppError> {
    let (user, state) = signed_in().await?;
    let lecture_id = super::lectures::check_in(&state.db, &user, &code).await?;
    let lecture =
        super::lectures::summary(&state.db, state.config.timezone, &lecture_id, None).await?;
    leptos_axum::redirect(&format!(
        "/checkin?done={}",
        crate::ui::urlencode(&lecture.title)
    ));
    Ok(lecture.title)
}

// ---- Certificates ----

/// Issues a course certificate to a student for the ticked classes (`classes[<id>]`).
#[server(prefix = "/api/fn", endpoint = "issue_certificate")]
pub async fn issue_certificate(
    course_id: String,
    student_id: String,
    #[server(default)] classes: HashMap<String, String>,
) -> Result<String, AppError> {
    let (user, state) = signed_in().await?;
    let allowed = super::access::certifiable_classes(&state.db, &user, &course_id).await?;
    if allowed.is_empty() {
        return Err(AppError::Forbidden.with_status());
    }
    let class_ids = ticked_ids(classes);
    super::certs::issue(
        &state.db,
        &user,
        &course_id,
        &student_id,
        &class_ids,
        &allowed,
    )
    .await
}

/// Issues certificates to everyone at or above `min_rate` percent attendance.
#[server(prefix = "/api/fn", endpoint = "issue_certificates")]
pub async fn issue_certificates(
    course_id: String,
    min_rate: String,
) -> Result<BulkIssue, AppError> {
    let (user, state) = signed_in().await?;
    let allowed = super::access::certifiable_classes(&state.db, &user, &course_id).await?;
    if allowed.is_empty() {
        return Err(AppError::Forbidden.with_status());
    }
    let min_rate = min_rate
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|r| (0.0..=100.0).contains(r))
        .ok_or_else(|| AppError::field("min_rate", "invalid_number").with_status())?;
    let issued =
        super::certs::issue_above(&state.db, &user, &allowed, &course_id, min_rate).await?;
    // The count travels in the URL, so the page reads the same with or without JavaScript.
    leptos_axum::redirect(&format!("/courses/{course_id}?issued={}", issued.issued));
    Ok(issued)
}

/// One certificate: public, so that anyone holding its id can verify it.
#[server(prefix = "/api/fn", endpoint = "certificate")]
pub async fn certificate(id: String) -> Result<Certification, AppError> {
    let state = crate::server::app_state().map_err(AppError::internal)?;
    super::certs::certification(&state.db, &id).await
}

/// A user's certificates (the user, their instructors, administrators).
#[server(prefix = "/api/fn", endpoint = "user_certifications")]
pub async fn user_certifications(user_id: String) -> Result<Vec<Certification>, AppError> {
    let (user, state) = signed_in().await?;
    if !super::access::may_view_student(&state.db, &user, &user_id).await? {
        return Err(AppError::Forbidden.with_status());
    }
    super::certs::for_student(&state.db, &user_id).await
}

// ---- Students and teachers ----

/// A student's progress; `user_id` empty means the signed-in user.
#[server(prefix = "/api/fn", endpoint = "get_progress")]
pub async fn get_progress(#[server(default)] user_id: String) -> Result<Progress, AppError> {
    let (user, state) = signed_in().await?;
    let student_id = if user_id.is_empty() {
        user.id.clone()
    } else {
        user_id
    };
    let visible = super::access::visible_classes_of(&state.db, &user, &student_id).await?;
    if visible.as_ref().is_some_and(Vec::is_empty) {
        return Err(AppError::Forbidden.with_status());
    }
    super::students::progress(
        &state.db,
        state.config.timezone,
        &student_id,
        visible.as_deref(),
    )
    .await
}

/// The interest catalogue with the signed-in user's choices.
#[server(prefix = "/api/fn", endpoint = "my_interests")]
pub async fn my_interests() -> Result<Vec<InterestChoice>, AppError> {
    let (user, state) = signed_in().await?;
    super::students::interest_choices(&state.db, &user.id).await
}

/// Replaces the signed-in student's interests with the ticked ones (`interests[<id>]`).
#[server(prefix = "/api/fn", endpoint = "set_interests")]
pub async fn set_interests(
    #[server(default)] interests: HashMap<String, String>,
) -> Result<(), AppError> {
    let (user, state) = signed_in().await?;
    let ids = ticked_ids(interests);
    super::students::set_interests(&state.db, &user, &ids).await
}

/// Changes the signed-in user's name (and a student's grade level).
#[server(prefix = "/api/fn", endpoint = "update_profile")]
pub async fn update_profile(
    first_name: String,
    last_name: String,
    #[server(default)] grade_level: String,
) -> Result<(), AppError> {
    use crate::auth::model::Role;
    use crate::auth::validate;
    let (user, state) = signed_in().await?;
    let mut problems = super::validate::Problems::default();
    let first_name = problems.check("first_name", validate::name(&first_name));
    let last_name = problems.check("last_name", validate::name(&last_name));
    let grade = if user.role() == Role::Student && !grade_level.trim().is_empty() {
        Some(problems.check("grade_level", validate::grade_level(Some(&grade_level))))
    } else {
        None
    };
    problems.finish(()).map_err(invalid)?;
    super::students::update_profile(&state.db, &user, &first_name, &last_name, grade).await
}

/// The signed-in user's grade level, for the profile form.
#[server(prefix = "/api/fn", endpoint = "my_grade_level")]
pub async fn my_grade_level() -> Result<Option<i32>, AppError> {
    let (user, state) = signed_in().await?;
    super::students::grade_level(&state.db, &user.id).await
}

/// The whole catalogue, retired interests included (administrators).
#[server(prefix = "/api/fn", endpoint = "all_interests")]
pub async fn all_interests() -> Result<Vec<Interest>, AppError> {
    let (_, state) = admin().await?;
    super::students::interests(&state.db, true).await
}

/// Adds an interest to the catalogue.
#[server(prefix = "/api/fn", endpoint = "add_interest")]
pub async fn add_interest(name: String) -> Result<(), AppError> {
    let (user, state) = admin().await?;
    super::students::add_interest(&state.db, &user, &name).await
}

/// Retires (`active` false) or restores an interest.
#[server(prefix = "/api/fn", endpoint = "set_interest_active")]
pub async fn set_interest_active(id: String, active: bool) -> Result<(), AppError> {
    let (user, state) = admin().await?;
    super::students::set_interest_active(&state.db, &user, &id, active).await
}

/// The teacher dashboard.
#[server(prefix = "/api/fn", endpoint = "get_teacher_dashboard")]
pub async fn get_teacher_dashboard() -> Result<TeacherDashboard, AppError> {
    let (user, state) = instructor().await?;
    super::students::teacher_dashboard(&state.db, state.config.timezone, &user).await
}

/// An instructor asks for accounts for the students listed (one per line).
#[server(prefix = "/api/fn", endpoint = "request_accounts")]
pub async fn request_accounts(class_id: String, students: String) -> Result<i64, AppError> {
    let (user, state) = class_staff(&class_id).await?;
    let accounts = super::validate::requested_accounts(&students).map_err(|(line, code)| {
        tracing::debug!(line, code, "account request refused");
        AppError::field("students", code).with_status()
    })?;
    super::students::request_accounts(&state.db, &user, &class_id, &accounts).await?;
    // The count travels in the URL, so the page confirms it after the form's reload.
    leptos_axum::redirect(&format!("/classes/{class_id}?requested={}", accounts.len()));
    Ok(accounts.len() as i64)
}

/// Pending account requests, oldest first (administrators).
#[server(prefix = "/api/fn", endpoint = "account_requests")]
pub async fn account_requests() -> Result<Vec<AccountRequest>, AppError> {
    let (_, state) = admin().await?;
    super::students::account_requests(&state.db, "pending", None).await
}

/// Approves a request: the account is made, enrolled and sent a set-password link.
#[server(prefix = "/api/fn", endpoint = "approve_account_request")]
pub async fn approve_account_request(id: String) -> Result<(), AppError> {
    let (user, state) = admin().await?;
    super::students::approve_request(&state, &user, &id)
        .await
        .map(|_| ())
}

/// Rejects a request.
#[server(prefix = "/api/fn", endpoint = "reject_account_request")]
pub async fn reject_account_request(id: String) -> Result<(), AppError> {
    let (user, state) = admin().await?;
    super::students::decide(&state.db, &user, &id, "rejected", None).await
}
