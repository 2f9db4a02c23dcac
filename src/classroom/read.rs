//! `GET /api/v1/events` (SPEC §5.2): a class's stored events for its instructors, newest
//! first, with seed 002's filters and paging. Callers are signed in by session or by a
//! personal API token.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use http::StatusCode;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::auth::guard::ApiCaller;
use crate::auth::model::Role;
use crate::auth::service::User;
use crate::db::Db;
use crate::db_run;
use crate::error::{ApiError, FieldError};
use crate::server::AppState;

/// Events per page unless asked otherwise, and at most.
const DEFAULT_LIMIT: i64 = 100;
const MAX_LIMIT: i64 = 1_000;

#[derive(Deserialize)]
pub struct EventQuery {
    class_id: Option<String>,
    /// Seed 002's student id; Lectern knows students by email, so it is one.
    user_id: Option<String>,
    email: Option<String>,
    notebook_path: Option<String>,
    start_time: Option<String>,
    end_time: Option<String>,
    limit: Option<String>,
    offset: Option<String>,
}

/// One field's problem.
pub(super) fn field(name: &str, code: &str, message: &str) -> FieldError {
    FieldError {
        field: name.to_owned(),
        code: code.to_owned(),
        message: message.to_owned(),
    }
}

/// The class the caller asks about: `class_id`, or the only class an instructor teaches.
/// 403 unless the caller is its staff.
pub async fn class_for_caller(
    db: &Db,
    user: &User,
    class_id: Option<&str>,
) -> Result<String, ApiError> {
    let class_id = match class_id.filter(|c| !c.is_empty()) {
        Some(id) => id.to_owned(),
        None => {
            let mine: Vec<String> = db_run!(db.reader(), |pool| {
                sqlx::query_scalar("SELECT class_id FROM class_instructors WHERE user_id = $1")
                    .bind(&user.id)
                    .fetch_all(pool)
                    .await
            })
            .map_err(ApiError::internal)?;
            match mine.as_slice() {
                [only] if user.role() >= Role::Instructor => only.clone(),
                _ => {
                    return Err(ApiError::validation(vec![field(
                        "class_id",
                        "required",
                        "Name the class with class_id",
                    )]));
                }
            }
        }
    };
    match crate::courses::access::require_staff(db, user, &class_id).await {
        Ok(()) => Ok(class_id),
        Err(error) => Err(ApiError::from_status(
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::FORBIDDEN),
        )),
    }
}

fn parse_time(
    name: &str,
    raw: Option<&str>,
    problems: &mut Vec<FieldError>,
) -> Option<DateTime<Utc>> {
    let raw = raw.filter(|r| !r.is_empty())?;
    match DateTime::parse_from_rfc3339(raw) {
        Ok(at) => Some(at.with_timezone(&Utc)),
        Err(_) => {
            problems.push(field(
                name,
                "invalid_timestamp",
                "Must be an ISO 8601 time with its zone",
            ));
            None
        }
    }
}

/// A whole number from 0 to `max` in a query parameter, `default` when absent.
pub(super) fn parse_count(
    name: &str,
    raw: Option<&str>,
    default: i64,
    max: i64,
    problems: &mut Vec<FieldError>,
) -> i64 {
    match raw.filter(|r| !r.is_empty()) {
        None => default,
        Some(text) => match text.parse::<i64>() {
            Ok(n) if (0..=max).contains(&n) => n,
            _ => {
                problems.push(field(
                    name,
                    "invalid_number",
                    &format!("Must be a whole number from 0 to {max}"),
                ));
                default
            }
        },
    }
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: i64,
    event_key: Option<String>,
    kind: String,
    email: String,
    team: Option<String>,
    name: String,
    notebook_path: String,
    cell_id: String,
    cell_type: Option<String>,
    execution_count: Option<i64>,
    failed: Option<bool>,
    error_type: Option<String>,
    error_message: Option<String>,
    code: Option<String>,
    output: Option<String>,
    truncated: bool,
    execution_ms: Option<i64>,
    occurred_at: DateTime<Utc>,
}

pub async fn list_events(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Query(query): Query<EventQuery>,
) -> Response {
    match list(&state.db, caller, query).await {
        Ok(body) => axum::Json(body).into_response(),
        Err(error) => error.into_response(),
    }
}

async fn list(db: &Db, caller: Option<User>, query: EventQuery) -> Result<Value, ApiError> {
    let user = caller.ok_or_else(|| ApiError::from_status(StatusCode::UNAUTHORIZED))?;
    let class_id = class_for_caller(db, &user, query.class_id.as_deref()).await?;
    let mut problems = Vec::new();
    let start = parse_time("start_time", query.start_time.as_deref(), &mut problems);
    let end = parse_time("end_time", query.end_time.as_deref(), &mut problems);
    let limit = parse_count(
        "limit",
        query.limit.as_deref(),
        DEFAULT_LIMIT,
        MAX_LIMIT,
        &mut problems,
    );
    let offset = parse_count(
        "offset",
        query.offset.as_deref(),
        0,
        i64::from(i32::MAX),
        &mut problems,
    );
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let email = query
        .email
        .or(query.user_id)
        .map(|e| e.trim().to_lowercase())
        .unwrap_or_default();
    let notebook = query.notebook_path.unwrap_or_default();
    // Open ends as far-off times both databases store and compare like any other (SQLite
    // compares the text, so the years keep four digits).
    let far_past = DateTime::<Utc>::from_timestamp(-2_208_988_800, 0).unwrap_or_default(); // 1900
    let far_future = DateTime::<Utc>::from_timestamp(7_258_118_400, 0).unwrap_or_default(); // 2200
    let filter = "s.class_id = $1 AND ($2 = '' OR s.email = $2) AND ($3 = '' OR e.notebook_path = $3) \
         AND e.occurred_at >= $4 AND e.occurred_at <= $5";
    let count_sql = format!(
        "SELECT COUNT(*) FROM cell_events e JOIN classroom_students s ON s.id = e.student_id WHERE {filter}"
    );
    let list_sql = format!(
        "SELECT e.id, e.event_key, e.kind, s.email, s.team, s.name, e.notebook_path, e.cell_id, e.cell_type, \
         e.execution_count, e.failed, e.error_type, e.error_message, e.code, e.output, e.truncated, e.execution_ms, \
         e.occurred_at FROM cell_events e JOIN classroom_students s ON s.id = e.student_id WHERE {filter} \
         ORDER BY e.occurred_at DESC, e.id DESC LIMIT $6 OFFSET $7"
    );
    let (start, end) = (start.unwrap_or(far_past), end.unwrap_or(far_future));
    let total: i64 = db_run!(db.reader(), |pool| {
        sqlx::query_scalar(&count_sql)
            .bind(&class_id)
            .bind(&email)
            .bind(&notebook)
            .bind(start)
            .bind(end)
            .fetch_one(pool)
            .await
    })
    .map_err(ApiError::internal)?;
    let rows: Vec<EventRow> = db_run!(db.reader(), |pool| {
        sqlx::query_as(&list_sql)
            .bind(&class_id)
            .bind(&email)
            .bind(&notebook)
            .bind(start)
            .bind(end)
            .bind(limit)
            .bind(offset)
            .fetch_all(pool)
            .await
    })
    .map_err(ApiError::internal)?;
    let events: Vec<Value> = rows
        .into_iter()
        .map(|e| {
            json!({
                "event_id": format!("evt_{}", e.id),
                "client_event_id": e.event_key,
                "event_type": e.kind,
                "email": e.email,
                "user_name": e.name,
                "team_name": e.team,
                "notebook_path": e.notebook_path,
                "cell_id": e.cell_id,
                "cell_type": e.cell_type,
                "execution_count": e.execution_count,
                "status": e.failed.map(|f| if f { "error" } else { "success" }),
                "error_type": e.error_type,
                "error_message": e.error_message,
                "code": e.code,
                "output": e.output,
                "truncated": e.truncated,
                "execution_time": e.execution_ms.map(|ms| ms as f64 / 1000.0),
                "timestamp": e.occurred_at.to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            })
        })
        .collect();
    Ok(json!({
        "events": events,
        "total": total,
        "limit": limit,
        "offset": offset,
        "has_more": offset + limit < total,
    }))
}
