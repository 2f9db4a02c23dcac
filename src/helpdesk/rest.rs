//! The help desk's and presence's JSON API (SPEC §5.3; seed 002, seed 000):
//! `POST /help/request`, `GET /help/requests`, `PUT /help/requests/{id}`,
//! `GET|PUT /instructors/status`, `GET /instructors/available`,
//! `GET /instructors/workload/{id}`.
//!
//! A notebook raises a request with its class's ingest token (from any origin, like
//! events); a signed-in student with their session, for themselves. Instructors see
//! and change the requests of their classes; a student sees and cancels only their own.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::{Value, json};

use super::desk::{self, Change, Filter, NewRequest};
use super::model::{HelpRequest, HelpStatus, Presence, Priority};
use super::presence;
use crate::app_error::{AppError, FieldProblem};
use crate::auth::guard::ApiCaller;
use crate::auth::model::Role;
use crate::auth::service::User;
use crate::classroom::ingest::{TokenQuery, sent_token, with_cors};
use crate::courses::access::{class_role, require_staff};
use crate::courses::model::ClassRole;
use crate::server::AppState;

/// An [`AppError`] as an API answer, in the §5.1 format.
fn answer(error: AppError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, axum::Json(error)).into_response()
}

fn respond(result: Result<Response, AppError>) -> Response {
    result.unwrap_or_else(answer)
}

/// An id from the path or query: one with a NUL character names nothing.
fn id(raw: String) -> Result<String, AppError> {
    if raw.contains('\0') {
        Err(AppError::NotFound)
    } else {
        Ok(raw)
    }
}

fn signed_in(caller: Option<User>) -> Result<User, AppError> {
    caller.ok_or(AppError::Unauthorized)
}

/// The body as a JSON object; 400 otherwise.
fn object(body: &Bytes) -> Result<serde_json::Map<String, Value>, AppError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(AppError::field("body", "json_object_required")),
        Err(_) => Err(AppError::field("body", "invalid_json")),
    }
}

/// An optional string field: absent or null is `None`, anything but a string is a
/// problem.
fn text(
    body: &serde_json::Map<String, Value>,
    names: &[&str],
    problems: &mut Vec<FieldProblem>,
) -> Option<String> {
    let (name, value) = names
        .iter()
        .find_map(|n| body.get(*n).filter(|v| !v.is_null()).map(|v| (*n, v)))?;
    match value {
        Value::String(s) => Some(desk::clean(s.trim().to_owned())).filter(|s| !s.is_empty()),
        _ => {
            problems.push(FieldProblem::new(name, "must_be_text"));
            None
        }
    }
}

/// `POST /api/v1/help/request`.
pub async fn raise(
    State(state): State<AppState>,
    Query(query): Query<TokenQuery>,
    session: Option<axum::Extension<crate::auth::service::AuthSession>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let token = sent_token(&headers, &query);
    let by_token = match token {
        Some(token) => crate::classroom::ingest::class_of_token(&state, token).await,
        None => Ok(None),
    };
    match by_token {
        Err(error) => with_cors(error.into_response()),
        Ok(Some(class_id)) => with_cors(respond(raise_for_notebook(&state, class_id, &body).await)),
        // Not a class's token: a personal API token (not sent by browsers on their own,
        // so from anywhere), else the session, from this site only (the guard lets
        // this path through for notebooks on other origins).
        Ok(None) => {
            let caller = match token {
                Some(token) => match crate::auth::tokens::authenticate(&state.db, token).await {
                    Ok(Some(user)) => Some(user),
                    // An old ingest token, say: the notebook must be told, across origins.
                    Ok(None) => return with_cors(answer(AppError::Unauthorized)),
                    Err(error) => return answer(AppError::internal(error)),
                },
                None if !crate::server::guard::is_same_site(
                    &headers,
                    &state.config.public_url(),
                ) =>
                {
                    return answer(AppError::Forbidden);
                }
                None => session.and_then(|s| s.0.user.clone()),
            };
            respond(raise_for_user(&state, caller, &body).await)
        }
    }
}

/// The fields of a request that both ways of raising one share.
fn request_fields(
    body: &serde_json::Map<String, Value>,
    problems: &mut Vec<FieldProblem>,
) -> NewRequest {
    let priority = text(body, &["priority"], problems).and_then(|p| {
        let parsed = Priority::parse(&p);
        if parsed.is_none() {
            problems.push(FieldProblem::new("priority", "invalid_priority"));
        }
        parsed
    });
    let message = text(body, &["message"], problems).unwrap_or_default();
    if message.chars().count() > desk::MAX_MESSAGE {
        problems.push(FieldProblem::new("message", "too_long"));
    }
    NewRequest {
        message,
        priority,
        notebook_path: text(body, &["notebook_path", "notebookPath"], problems),
        cell_id: text(body, &["cell_id", "cellId"], problems),
        code: text(body, &["code"], problems),
        last_error: text(
            body,
            &["last_error", "lastError", "error_message"],
            problems,
        ),
        ..NewRequest::default()
    }
}

/// 201 for a new request, 200 for the one already open; with its place in the queue.
async fn created(state: &AppState, request: HelpRequest, new: bool) -> Result<Response, AppError> {
    let status = if new {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    let position = desk::position(&state.db, &request).await?;
    Ok((
        status,
        axum::Json(json!({
            "success": true,
            "created": new,
            "message": if new { "Help request sent" } else { "A help request is already open" },
            "position": position,
            "request": request,
        })),
    )
        .into_response())
}

/// From a notebook: the student is named in the body, as in events.
async fn raise_for_notebook(
    state: &AppState,
    class_id: String,
    body: &Bytes,
) -> Result<Response, AppError> {
    let body = object(body)?;
    let mut problems = Vec::new();
    let email = text(&body, &["email", "user_id", "emailAddress"], &mut problems);
    let email = match crate::auth::validate::email(email.as_deref().unwrap_or_default()) {
        Ok(email) => Some(email),
        Err(code) => {
            problems.push(FieldProblem::new("email", code));
            None
        }
    };
    let team = match text(&body, &["team_name", "teamName", "team"], &mut problems) {
        Some(raw) => match crate::classroom::event::team(&raw) {
            Ok(team) => team,
            Err(_) => {
                problems.push(FieldProblem::new("team_name", "invalid_team_format"));
                None
            }
        },
        None => None,
    };
    let name = text(&body, &["user_name", "userName", "name"], &mut problems).unwrap_or_default();
    let mut new = request_fields(&body, &mut problems);
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    new.class_id = class_id;
    new.email = email.unwrap_or_default();
    new.name = name;
    new.team = team;
    new.source = "client";
    let (request, fresh) = desk::raise(state, new).await?;
    created(state, request, fresh).await
}

/// From a signed-in student, for themselves, in `class_id` or their only class.
async fn raise_for_user(
    state: &AppState,
    caller: Option<User>,
    body: &Bytes,
) -> Result<Response, AppError> {
    let user = signed_in(caller)?;
    let body = object(body)?;
    let mut problems = Vec::new();
    let class_id = text(&body, &["class_id"], &mut problems);
    let mut new = request_fields(&body, &mut problems);
    if !problems.is_empty() {
        return Err(AppError::Invalid(problems));
    }
    let class_id = match class_id {
        Some(class_id) => id(class_id)?,
        None => only_class(state, &user).await?,
    };
    if class_role(&state.db, &user, &class_id).await? != Some(ClassRole::Student) {
        return Err(AppError::Forbidden);
    }
    new.class_id = class_id;
    new.email = user.email.clone();
    new.name = format!("{} {}", user.first_name, user.last_name);
    new.source = "page";
    let (request, fresh) = desk::raise(state, new).await?;
    created(state, request, fresh).await
}

/// The one class a student is active in; 400 asking for `class_id` otherwise.
async fn only_class(state: &AppState, user: &User) -> Result<String, AppError> {
    use crate::db_run;
    let classes: Vec<String> = db_run!(state.db.reader(), |pool| {
        sqlx::query_scalar(
            "SELECT class_id FROM enrollments WHERE user_id = $1 AND status = 'active' LIMIT 2",
        )
        .bind(&user.id)
        .fetch_all(pool)
        .await
    })?;
    match classes.as_slice() {
        [only] => Ok(only.clone()),
        _ => Err(AppError::field("class_id", "required")),
    }
}

#[derive(Deserialize)]
pub struct ListQuery {
    class_id: Option<String>,
    status: Option<String>,
    limit: Option<String>,
}

/// `GET /api/v1/help/requests`: a class's requests for its instructors (open ones by
/// default, `status=all` for every one); a student's own for a student.
pub async fn list(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Query(query): Query<ListQuery>,
) -> Response {
    respond(
        async {
            let user = signed_in(caller)?;
            let mut problems = Vec::new();
            let statuses: Vec<HelpStatus> = match query.status.as_deref().unwrap_or("open") {
                "open" | "" => vec![HelpStatus::Pending, HelpStatus::InProgress],
                "all" => Vec::new(),
                raw => match HelpStatus::parse(raw) {
                    Some(status) => vec![status],
                    None => {
                        problems.push(FieldProblem::new("status", "invalid_status"));
                        Vec::new()
                    }
                },
            };
            let limit = match query.limit.as_deref().filter(|l| !l.is_empty()) {
                None => 200,
                Some(raw) => match raw.parse::<i64>() {
                    Ok(n) if (1..=1_000).contains(&n) => n,
                    _ => {
                        problems.push(FieldProblem::new("limit", "invalid_number"));
                        200
                    }
                },
            };
            if !problems.is_empty() {
                return Err(AppError::Invalid(problems));
            }
            let class_id = match query.class_id.filter(|c| !c.is_empty()) {
                Some(class_id) => id(class_id)?,
                None if user.role() >= Role::Instructor => {
                    crate::classroom::read::class_for_caller(&state.db, &user, None)
                        .await
                        .map_err(|_| AppError::field("class_id", "required"))?
                }
                None => only_class(&state, &user).await?,
            };
            let role = class_role(&state.db, &user, &class_id).await?;
            let email = match role {
                Some(ClassRole::Staff) => None,
                Some(ClassRole::Student) => Some(user.email.as_str()),
                None => return Err(AppError::Forbidden),
            };
            let filter = Filter {
                statuses: &statuses,
                email,
                limit,
            };
            let requests = desk::list(&state.db, &class_id, filter).await?;
            Ok(
                axum::Json(json!({ "requests": requests, "count": requests.len() }))
                    .into_response(),
            )
        }
        .await,
    )
}

/// `PUT /api/v1/help/requests/{id}`: `status` `in_progress` takes the request (or,
/// with another instructor's `instructor_id`, hands it over), `resolved` resolves it
/// with `response`, `cancelled` cancels it. Students may only cancel their own.
pub async fn update(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    respond(
        async {
            let user = signed_in(caller)?;
            let body = object(&body)?;
            let mut problems = Vec::new();
            let status = text(&body, &["status"], &mut problems);
            let response = text(&body, &["response"], &mut problems);
            let to = text(&body, &["instructor_id"], &mut problems);
            let status = match status.as_deref().map(HelpStatus::parse) {
                Some(Some(status)) if status != HelpStatus::Pending => Some(status),
                Some(_) => {
                    problems.push(FieldProblem::new("status", "invalid_status"));
                    None
                }
                None => {
                    problems.push(FieldProblem::new("status", "required"));
                    None
                }
            };
            if response
                .as_ref()
                .is_some_and(|r| r.chars().count() > desk::MAX_RESPONSE)
            {
                problems.push(FieldProblem::new("response", "too_long"));
            }
            if !problems.is_empty() {
                return Err(AppError::Invalid(problems));
            }
            let request = desk::get(&state.db, &id).await?.ok_or(AppError::NotFound)?;
            let changed = apply(&state, &user, &request, status, response, to).await?;
            Ok(axum::Json(json!({"success": true, "request": changed})).into_response())
        }
        .await,
    )
}

/// Checks who may make the change, then makes it. Shared by the API and the pages.
pub async fn apply(
    state: &AppState,
    user: &User,
    request: &HelpRequest,
    status: Option<HelpStatus>,
    response: Option<String>,
    to: Option<String>,
) -> Result<HelpRequest, AppError> {
    let role = class_role(&state.db, user, &request.class_id).await?;
    let own = request.user_id == user.email && role == Some(ClassRole::Student);
    let change = match (role, status) {
        (Some(ClassRole::Staff), Some(HelpStatus::InProgress)) => match to {
            Some(to) if to.contains('\0') => {
                return Err(AppError::field("instructor_id", "not_an_instructor"));
            }
            Some(to) if to != user.id => {
                let target = crate::auth::service::active_user(&state.db, &to)
                    .await?
                    .ok_or_else(|| AppError::field("instructor_id", "not_an_instructor"))?;
                if require_staff(&state.db, &target, &request.class_id)
                    .await
                    .is_err()
                    || target.role() < Role::Instructor
                {
                    return Err(AppError::field("instructor_id", "not_an_instructor"));
                }
                Change::HandOver { to }
            }
            _ => Change::Take,
        },
        (Some(ClassRole::Staff), Some(HelpStatus::Resolved)) => Change::Resolve {
            response: response.unwrap_or_default(),
        },
        (Some(ClassRole::Staff), Some(HelpStatus::Cancelled)) => Change::Cancel,
        (_, Some(HelpStatus::Cancelled)) if own => Change::Cancel,
        // A student may see their own request, but not change it otherwise.
        _ if own => return Err(AppError::Forbidden),
        (Some(_), _) => return Err(AppError::Forbidden),
        // Someone else's request in another class: as if it did not exist.
        (None, _) => return Err(AppError::NotFound),
    };
    desk::change(state, &user.id, request, change).await
}

/// `GET /api/v1/instructors/status`: every instructor's status (instructors only).
pub async fn statuses(State(state): State<AppState>, ApiCaller(caller): ApiCaller) -> Response {
    respond(
        async {
            let user = signed_in(caller)?;
            if user.role() < Role::Instructor {
                return Err(AppError::Forbidden);
            }
            presence::expire_breaks(&state).await?;
            let all = presence::statuses(&state.db).await?;
            let mine = all.iter().find(|s| s.id == user.id).cloned();
            Ok(axum::Json(json!({ "instructors": all, "me": mine })).into_response())
        }
        .await,
    )
}

/// `PUT /api/v1/instructors/status`: `{"status", "break_minutes"?}` sets the caller's.
pub async fn set_status(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    body: Bytes,
) -> Response {
    respond(
        async {
            let user = signed_in(caller)?;
            if user.role() < Role::Instructor {
                return Err(AppError::Forbidden);
            }
            let body = object(&body)?;
            let mut problems = Vec::new();
            let status = match text(&body, &["status"], &mut problems).as_deref() {
                None => {
                    problems.push(FieldProblem::new("status", "required"));
                    None
                }
                Some(raw) => {
                    let parsed = Presence::parse(raw);
                    if parsed.is_none() {
                        problems.push(FieldProblem::new("status", "invalid_status"));
                    }
                    parsed
                }
            };
            let minutes = match body.get("break_minutes").filter(|v| !v.is_null()) {
                None => None,
                Some(value) => match value.as_i64() {
                    Some(m) if (1..=presence::MAX_BREAK_MINUTES).contains(&m) => Some(m),
                    _ => {
                        problems.push(FieldProblem::new("break_minutes", "invalid_break"));
                        None
                    }
                },
            };
            let (Some(status), true) = (status, problems.is_empty()) else {
                return Err(AppError::Invalid(problems));
            };
            let options = presence::Options {
                session: None,
                break_minutes: minutes,
            };
            presence::set(&state, &user.id, status, options).await?;
            let now = presence::status_of(&state.db, &user.id).await?;
            Ok(axum::Json(json!({"message": "Status updated", "status": now})).into_response())
        }
        .await,
    )
}

/// `GET /api/v1/instructors/available`: who can help now; for a student, among the
/// instructors of their classes.
pub async fn available(State(state): State<AppState>, ApiCaller(caller): ApiCaller) -> Response {
    respond(
        async {
            let user = signed_in(caller)?;
            let student = (user.role() < Role::Instructor).then_some(user.id.as_str());
            let available = presence::available(&state, student).await?;
            let list: Vec<Value> = available
                .iter()
                .map(|s| json!({"id": s.id, "name": s.name, "status": s.status}))
                .collect();
            Ok(axum::Json(list).into_response())
        }
        .await,
    )
}

/// `GET /api/v1/instructors/workload/{id}` (instructors only).
pub async fn workload(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(instructor): Path<String>,
) -> Response {
    respond(
        async {
            let user = signed_in(caller)?;
            if user.role() < Role::Instructor {
                return Err(AppError::Forbidden);
            }
            let workload = presence::workload(&state, &id(instructor)?)
                .await?
                .ok_or(AppError::NotFound)?;
            Ok(axum::Json(workload).into_response())
        }
        .await,
    )
}
