//! Server functions of the help desk's and presence's pages. Instructors act on the
//! requests of classes they teach ([`class_staff`]); students raise, see and cancel
//! their own ([`class_member`], by their account's email).

use leptos::prelude::*;

use super::model::{HelpRequest, InstructorStatus, StatusStretch, StudentDesk, Workload};
use crate::app_error::AppError;

#[cfg(feature = "ssr")]
use crate::courses::api::checks::{class_member, instructor, signed_in};

/// An instructor's action on a request from the dashboard: `take`, `resolve` (with
/// `response`), `cancel`, or `hand_over` (to instructor `to`).
#[server(prefix = "/api/fn", endpoint = "help_action")]
pub async fn help_action(
    request_id: String,
    action: String,
    response: Option<String>,
    to: Option<String>,
) -> Result<HelpRequest, AppError> {
    use super::model::HelpStatus;
    let (user, state) = signed_in().await?;
    let request = super::desk::get(&state.db, &request_id)
        .await?
        .ok_or_else(|| AppError::NotFound.with_status())?;
    let status = match action.as_str() {
        "take" | "hand_over" => HelpStatus::InProgress,
        "resolve" => HelpStatus::Resolved,
        "cancel" => HelpStatus::Cancelled,
        _ => return Err(AppError::field("action", "invalid_choice").with_status()),
    };
    let to = (action == "hand_over").then_some(to).flatten();
    if action == "hand_over" && to.is_none() {
        return Err(AppError::field("to", "required").with_status());
    }
    if response
        .as_ref()
        .is_some_and(|r| r.chars().count() > super::desk::MAX_RESPONSE)
    {
        return Err(AppError::field("response", "too_long").with_status());
    }
    super::rest::apply(&state, &user, &request, Some(status), response, to)
        .await
        .map_err(AppError::with_status)
}

/// The signed-in student's help desk in each class they attend.
#[server(prefix = "/api/fn", endpoint = "my_help_desks")]
pub async fn my_help_desks() -> Result<Vec<StudentDesk>, AppError> {
    use crate::db_run;
    let (user, state) = signed_in().await?;
    let classes: Vec<(String, String)> = db_run!(state.db.reader(), |pool| {
        sqlx::query_as(
            "SELECT c.id, c.title FROM enrollments e JOIN classes c ON c.id = e.class_id \
             WHERE e.user_id = $1 AND e.status = 'active' AND NOT c.archived ORDER BY c.title, c.id",
        )
        .bind(&user.id)
        .fetch_all(pool)
        .await
    })?;
    super::presence::expire_breaks(&state).await?;
    let all = super::presence::statuses(&state.db).await?;
    let mut desks = Vec::with_capacity(classes.len());
    for (class_id, class_title) in classes {
        let open = super::desk::open_of(&state.db, &class_id, &user.email).await?;
        let position = match &open {
            Some(request) => super::desk::position(&state.db, request).await?,
            None => None,
        };
        let history = super::desk::list(
            &state.db,
            &class_id,
            super::desk::Filter {
                statuses: &[
                    super::model::HelpStatus::Resolved,
                    super::model::HelpStatus::Cancelled,
                ],
                email: Some(&user.email),
                limit: 10,
            },
        )
        .await?;
        let teachers: Vec<String> = db_run!(state.db.reader(), |pool| {
            sqlx::query_scalar("SELECT user_id FROM class_instructors WHERE class_id = $1")
                .bind(&class_id)
                .fetch_all(pool)
                .await
        })?;
        let available = all
            .iter()
            .filter(|s| s.status == super::model::Presence::Available && teachers.contains(&s.id))
            .cloned()
            .collect();
        desks.push(StudentDesk {
            class_id,
            class_title,
            open,
            position,
            history,
            available,
        });
    }
    Ok(desks)
}

/// Raises a help request from the help page, for the signed-in student.
#[server(prefix = "/api/fn", endpoint = "raise_help")]
pub async fn raise_help(
    class_id: String,
    message: String,
    priority: String,
    notebook_path: Option<String>,
    cell_id: Option<String>,
) -> Result<HelpRequest, AppError> {
    use super::model::Priority;
    if class_id.contains('\0') {
        return Err(AppError::NotFound.with_status());
    }
    let (user, state, role) = class_member(&class_id).await?;
    if role != crate::courses::model::ClassRole::Student {
        return Err(AppError::field("class_id", "students_only").with_status());
    }
    let message = message.trim().to_owned();
    if message.chars().count() > super::desk::MAX_MESSAGE {
        return Err(AppError::field("message", "too_long").with_status());
    }
    let priority = Priority::parse(&priority)
        .ok_or_else(|| AppError::field("priority", "invalid_choice").with_status())?;
    let clean =
        |value: Option<String>| value.map(|v| v.trim().to_owned()).filter(|v| !v.is_empty());
    let request = super::desk::NewRequest {
        class_id,
        email: user.email.clone(),
        name: format!("{} {}", user.first_name, user.last_name),
        message,
        priority: Some(priority),
        notebook_path: clean(notebook_path),
        cell_id: clean(cell_id),
        source: "page",
        ..super::desk::NewRequest::default()
    };
    Ok(super::desk::raise(&state, request).await?.0)
}

/// Cancels the signed-in student's own request.
#[server(prefix = "/api/fn", endpoint = "cancel_my_help")]
pub async fn cancel_my_help(request_id: String) -> Result<HelpRequest, AppError> {
    let (user, state) = signed_in().await?;
    let request = super::desk::get(&state.db, &request_id)
        .await?
        .filter(|r| r.user_id == user.email)
        .ok_or_else(|| AppError::NotFound.with_status())?;
    super::rest::apply(
        &state,
        &user,
        &request,
        Some(super::model::HelpStatus::Cancelled),
        None,
        None,
    )
    .await
    .map_err(AppError::with_status)
}

/// The signed-in instructor's own status; `None` for everyone else. The header asks on
/// every page, so a signed-out visitor gets `None`, not a 401 that would become the
/// page's status.
#[server(prefix = "/api/fn", endpoint = "my_presence")]
pub async fn my_presence() -> Result<Option<InstructorStatus>, AppError> {
    let auth = crate::auth::guard::auth_session().await?;
    let Some(user) = auth.user else {
        return Ok(None);
    };
    if user.role() < crate::auth::model::Role::Instructor {
        return Ok(None);
    }
    let state = crate::server::app_state().map_err(AppError::internal)?;
    super::presence::expire_breaks(&state).await?;
    super::presence::status_of(&state.db, &user.id).await
}

/// Sets the signed-in instructor's status; a break lasts `break_minutes`.
#[server(prefix = "/api/fn", endpoint = "set_my_presence")]
pub async fn set_my_presence(
    status: String,
    break_minutes: Option<String>,
) -> Result<(), AppError> {
    use super::model::Presence;
    let (user, state) = instructor().await?;
    let status = Presence::parse(&status)
        .ok_or_else(|| AppError::field("status", "invalid_choice").with_status())?;
    let minutes = match break_minutes
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        None => None,
        Some(raw) => match raw.parse::<i64>() {
            Ok(m) if (1..=super::presence::MAX_BREAK_MINUTES).contains(&m) => Some(m),
            _ => return Err(AppError::field("break_minutes", "invalid_break").with_status()),
        },
    };
    let options = super::presence::Options {
        session: None,
        break_minutes: minutes,
    };
    super::presence::set(&state, &user.id, status, options).await
}

/// Every instructor's status and workload (S0.4, S0.6).
#[server(prefix = "/api/fn", endpoint = "instructors_board")]
pub async fn instructors_board() -> Result<Vec<(InstructorStatus, Workload)>, AppError> {
    let (_, state) = instructor().await?;
    super::presence::expire_breaks(&state).await?;
    let mut board = Vec::new();
    // One status query for everyone; each workload is its own (a handful of instructors).
    for status in super::presence::statuses(&state.db).await? {
        let workload = super::presence::workload_of(&state.db, status.clone()).await?;
        board.push((status, workload));
    }
    Ok(board)
}

/// One instructor's status, workload and history (S0.3).
#[server(prefix = "/api/fn", endpoint = "instructor_history")]
pub async fn instructor_history(
    id: String,
) -> Result<(InstructorStatus, Workload, Vec<StatusStretch>), AppError> {
    let (_, state) = instructor().await?;
    super::presence::expire_breaks(&state).await?;
    let status = super::presence::status_of(&state.db, &id)
        .await?
        .ok_or_else(|| AppError::NotFound.with_status())?;
    let workload = super::presence::workload_of(&state.db, status.clone()).await?;
    let history = super::presence::history(&state.db, &id, 200).await?;
    Ok((status, workload, history))
}

/// The open requests of the classes the signed-in instructor teaches.
#[server(prefix = "/api/fn", endpoint = "my_open_help")]
pub async fn my_open_help() -> Result<Vec<HelpRequest>, AppError> {
    let (user, state) = instructor().await?;
    super::desk::open_for_instructor(&state.db, &user.id).await
}

/// A student's help history, for the student and for those who may see their records.
#[server(prefix = "/api/fn", endpoint = "help_history")]
pub async fn help_history(student_id: Option<String>) -> Result<Vec<HelpRequest>, AppError> {
    let (viewer, state) = signed_in().await?;
    let student_id = student_id.unwrap_or_else(|| viewer.id.clone());
    let classes =
        crate::courses::access::visible_classes_of(&state.db, &viewer, &student_id).await?;
    let student = crate::auth::service::active_user(&state.db, &student_id)
        .await?
        .ok_or_else(|| AppError::NotFound.with_status())?;
    let history = super::desk::history_of(&state.db, &student.email, 100).await?;
    Ok(history
        .into_iter()
        .filter(|r| classes.as_ref().is_none_or(|ids| ids.contains(&r.class_id)))
        .collect())
}
