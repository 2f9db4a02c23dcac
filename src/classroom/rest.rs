//! The dashboard's JSON API (SPEC §5.3, seed 002): `GET /dashboard/overview`,
//! `GET /dashboard/student/{email}`, and the class's students (`GET|POST /students`,
//! `PUT|DELETE /students/{id}`). For the class's instructors only, signed in by session
//! or personal API token; `class_id` names the class (an instructor's only class is the
//! default).

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use http::StatusCode;
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::dashboard;
use super::live::Update;
use super::model::{LiveStatus, StudentState, team_order};
use super::read::{class_for_caller, field, parse_count};
use crate::auth::guard::ApiCaller;
use crate::auth::service::User;
use crate::db::Db;
use crate::db_run;
use crate::error::{ApiError, FieldError};
use crate::server::AppState;

/// Students per page unless asked otherwise, and at most.
const DEFAULT_LIMIT: i64 = 50;
const MAX_LIMIT: i64 = 1_000;

#[derive(Deserialize)]
pub struct ClassQuery {
    class_id: Option<String>,
}

fn signed_in(caller: Option<User>) -> Result<User, ApiError> {
    caller.ok_or_else(|| ApiError::from_status(StatusCode::UNAUTHORIZED))
}

fn respond(result: Result<Response, ApiError>) -> Response {
    result.unwrap_or_else(IntoResponse::into_response)
}

/// `GET /api/v1/dashboard/overview`.
pub async fn overview(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Query(query): Query<ClassQuery>,
) -> Response {
    respond(
        async {
            let user = signed_in(caller)?;
            let class_id = class_for_caller(&state.db, &user, query.class_id.as_deref()).await?;
            let seq = state.live.seq(&class_id);
            let overview = dashboard::overview(&state.db, &class_id, seq)
                .await
                .map_err(ApiError::internal)?;
            Ok(axum::Json(overview).into_response())
        }
        .await,
    )
}

/// `GET /api/v1/dashboard/student/{email}`.
pub async fn student(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(email): Path<String>,
    Query(query): Query<ClassQuery>,
) -> Response {
    respond(
        async {
            let user = signed_in(caller)?;
            let class_id = class_for_caller(&state.db, &user, query.class_id.as_deref()).await?;
            let email = email.trim().to_lowercase();
            match dashboard::student_detail(&state.db, &class_id, &email)
                .await
                .map_err(ApiError::internal)?
            {
                Some(detail) => Ok(axum::Json(detail).into_response()),
                None => Err(ApiError::new(
                    StatusCode::NOT_FOUND,
                    "student_not_found",
                    "The class has no student with this email",
                )),
            }
        }
        .await,
    )
}

#[derive(Deserialize)]
pub struct StudentQuery {
    class_id: Option<String>,
    team: Option<String>,
    status: Option<String>,
    search: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
}

/// Seed 002's student object.
fn student_json(student: &StudentState) -> Value {
    json!({
        "id": student.id.to_string(),
        "email": student.email_address,
        "name": student.user_name,
        "team_name": student.team_name,
        "status": student.status,
        "last_activity": student.last_activity,
        "total_executions": student.cell_executions,
        "error_count": student.error_count,
    })
}

/// `GET /api/v1/students`: filtered by team, status and a search of name and email.
pub async fn list_students(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Query(query): Query<StudentQuery>,
) -> Response {
    respond(
        async {
            let user = signed_in(caller)?;
            let class_id = class_for_caller(&state.db, &user, query.class_id.as_deref()).await?;
            let mut problems = Vec::new();
            let status = match query.status.as_deref().filter(|s| !s.is_empty()) {
                None => None,
                Some(raw) => {
                    let parsed = LiveStatus::parse(raw);
                    if parsed.is_none() {
                        problems.push(field(
                            "status",
                            "invalid_status",
                            "Must be active, inactive, error or help",
                        ));
                    }
                    parsed
                }
            };
            let team = match query.team.as_deref().map(super::event::team) {
                Some(Err(_)) => {
                    problems.push(field("team", "invalid_team_format", "Must be A-Z or 1-99"));
                    None
                }
                Some(Ok(team)) => team,
                None => None,
            };
            let limit = parse_count(
                "limit",
                query.limit.as_deref(),
                DEFAULT_LIMIT,
                MAX_LIMIT,
                &mut problems,
            ) as usize;
            let offset = parse_count(
                "offset",
                query.offset.as_deref(),
                0,
                i64::MAX,
                &mut problems,
            ) as usize;
            if !problems.is_empty() {
                return Err(ApiError::validation(problems));
            }
            let all = dashboard::students(&state.db, &class_id)
                .await
                .map_err(ApiError::internal)?;
            let mut teams: Vec<String> = all.iter().filter_map(|s| s.team_name.clone()).collect();
            teams.sort_by_key(|t| team_order(t));
            teams.dedup();
            let search = query.search.unwrap_or_default().trim().to_lowercase();
            let matching: Vec<&StudentState> = all
                .iter()
                .filter(|s| team.is_none() || s.team_name == team)
                .filter(|s| status.is_none_or(|status| s.status == status))
                .filter(|s| {
                    search.is_empty()
                        || s.email_address.contains(&search)
                        || s.user_name.to_lowercase().contains(&search)
                })
                .collect();
            let page: Vec<Value> = matching
                .iter()
                .skip(offset)
                .take(limit)
                .map(|s| student_json(s))
                .collect();
            Ok(axum::Json(json!({
                "students": page,
                "total": matching.len(),
                "limit": limit,
                "offset": offset,
                "teams": teams,
            }))
            .into_response())
        }
        .await,
    )
}

/// The body as a JSON object; 400 otherwise.
fn object(body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(ApiError::validation(vec![field(
            "",
            "invalid_type",
            "The body must be a JSON object",
        )])),
        Err(e) => Err(ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!("The body is not valid JSON: {e}"),
        )),
    }
}

/// A string field: `None` when absent or null, a problem when of another type or too
/// long.
fn text(
    map: &Map<String, Value>,
    name: &str,
    max: usize,
    problems: &mut Vec<FieldError>,
) -> Option<String> {
    match map.get(name) {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s.chars().count() <= max => Some(s.trim().replace('\0', "")),
        Some(Value::String(_)) => {
            problems.push(field(
                name,
                "too_long",
                &format!("At most {max} characters"),
            ));
            None
        }
        Some(_) => {
            problems.push(field(name, "invalid_type", "Must be a string"));
            None
        }
    }
}

fn team_field(map: &Map<String, Value>, problems: &mut Vec<FieldError>) -> Option<Option<String>> {
    let raw = text(map, "team_name", 40, problems)?;
    match super::event::team(&raw) {
        Ok(team) => Some(team),
        Err(_) => {
            problems.push(field(
                "team_name",
                "invalid_team_format",
                "Must be A-Z or 1-99",
            ));
            None
        }
    }
}

/// The state of one student, as the dashboard shows it.
async fn student_state(db: &Db, class_id: &str, email: &str) -> Result<StudentState, ApiError> {
    dashboard::student(db, class_id, email)
        .await
        .map_err(ApiError::internal)?
        .ok_or_else(|| ApiError::from_status(StatusCode::NOT_FOUND))
}

/// `POST /api/v1/students`: adds a student before their notebook reports (409 when the
/// class has them already).
pub async fn create_student(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Query(query): Query<ClassQuery>,
    body: Bytes,
) -> Response {
    respond(
        async {
            let user = signed_in(caller)?;
            let map = object(&body)?;
            let from_body = map.get("class_id").and_then(Value::as_str);
            let class_id =
                class_for_caller(&state.db, &user, query.class_id.as_deref().or(from_body)).await?;
            let mut problems = Vec::new();
            let email = match text(&map, "email", 254, &mut problems) {
                Some(raw) => match crate::auth::validate::email(&raw) {
                    Ok(email) => Some(email),
                    Err(code) => {
                        problems.push(field("email", code, "Must be an email address"));
                        None
                    }
                },
                None => {
                    if !problems.iter().any(|p| p.field == "email") {
                        problems.push(field("email", "required", "The email is required"));
                    }
                    None
                }
            };
            let name = text(&map, "name", 100, &mut problems).unwrap_or_default();
            let team = team_field(&map, &mut problems).flatten();
            let (Some(email), true) = (email, problems.is_empty()) else {
                return Err(ApiError::validation(problems));
            };
            let created = db_run!(state.db.writer(), |pool| {
                sqlx::query(
                    "INSERT INTO classroom_students (class_id, email, name, team, created_at) \
                     VALUES ($1, $2, $3, $4, $5) ON CONFLICT (class_id, email) DO NOTHING",
                )
                .bind(&class_id)
                .bind(&email)
                .bind(&name)
                .bind(&team)
                .bind(Utc::now())
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
            })
            .map_err(ApiError::internal)?;
            if created == 0 {
                return Err(ApiError::new(
                    StatusCode::CONFLICT,
                    "student_exists",
                    "The class already has a student with this email",
                ));
            }
            let student = student_state(&state.db, &class_id, &email).await?;
            state
                .live
                .publish(&class_id, vec![Update::Progress(student.clone())]);
            Ok((StatusCode::CREATED, axum::Json(student_json(&student))).into_response())
        }
        .await,
    )
}

/// The class and email of a student id, if the caller is that class's staff (404
/// otherwise, so ids of other classes reveal nothing).
async fn student_of_caller(
    db: &Db,
    user: &User,
    id: &str,
) -> Result<(i64, String, String), ApiError> {
    let not_found = || {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "student_not_found",
            "No such student",
        )
    };
    let id: i64 = id.parse().map_err(|_| not_found())?;
    let row: Option<(String, String)> = db_run!(db.reader(), |pool| {
        sqlx::query_as("SELECT class_id, email FROM classroom_students WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await
    })
    .map_err(ApiError::internal)?;
    let (class_id, email) = row.ok_or_else(not_found)?;
    crate::courses::access::require_staff(db, user, &class_id)
        .await
        .map_err(|_| not_found())?;
    Ok((id, class_id, email))
}

/// `PUT /api/v1/students/{id}`: name and team.
pub async fn update_student(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
    body: Bytes,
) -> Response {
    respond(
        async {
            let user = signed_in(caller)?;
            let (id, class_id, email) = student_of_caller(&state.db, &user, &id).await?;
            let map = object(&body)?;
            let mut problems = Vec::new();
            let name = text(&map, "name", 100, &mut problems);
            let team = team_field(&map, &mut problems);
            if !problems.is_empty() {
                return Err(ApiError::validation(problems));
            }
            // `team_name: null` or "" clears the team; an absent field keeps it.
            let clear_team = matches!(map.get("team_name"), Some(Value::Null))
                || matches!(team, Some(None));
            db_run!(state.db.writer(), |pool| {
                sqlx::query(
                    "UPDATE classroom_students SET name = COALESCE($1, name), \
                     team = CASE WHEN $2 THEN NULL ELSE COALESCE($3, team) END, version = version + 1 \
                     WHERE id = $4",
                )
                .bind(&name)
                .bind(clear_team)
                .bind(team.flatten())
                .bind(id)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
            })
            .map_err(ApiError::internal)?;
            let student = student_state(&state.db, &class_id, &email).await?;
            state
                .live
                .publish(&class_id, vec![Update::Progress(student.clone())]);
            Ok(axum::Json(student_json(&student)).into_response())
        }
        .await,
    )
}

/// `DELETE /api/v1/students/{id}`: the student and everything their notebook sent.
pub async fn delete_student(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Path(id): Path<String>,
) -> Response {
    respond(
        async {
            let user = signed_in(caller)?;
            let (id, class_id, email) = student_of_caller(&state.db, &user, &id).await?;
            // Their open help request goes with them (and the instructor's session ends).
            let open = crate::helpdesk::desk::open_of(&state.db, &class_id, &email)
                .await
                .map_err(ApiError::internal)?;
            if let Some(open) = open {
                crate::helpdesk::desk::change(
                    &state,
                    &user.id,
                    &open,
                    crate::helpdesk::desk::Change::Cancel,
                )
                .await
                .map_err(ApiError::internal)?;
            }
            db_run!(state.db.writer(), |pool| {
                sqlx::query("DELETE FROM classroom_students WHERE id = $1")
                    .bind(id)
                    .execute(pool)
                    .await
                    .map(|r| r.rows_affected())
            })
            .map_err(ApiError::internal)?;
            state
                .live
                .publish(&class_id, vec![Update::Removed { email }]);
            Ok(axum::Json(json!({"success": true, "message": "Student deleted"})).into_response())
        }
        .await,
    )
}
