//! `POST /api/v1/events` and `POST /api/v1/events/batch` (SPEC §5.2): the notebook
//! clients' way in. A class's ingest token (`Authorization: Bearer`, or `?token=` for
//! clients that only take a URL) says which class; cookies are never looked at, so the
//! endpoints answer CORS preflights from any origin. An event is acknowledged only after
//! its transaction has committed, and the student's counters move in the same one.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::Utc;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde::Deserialize;
use serde_json::{Value, json};

use super::event::{self, CellEvent, EventKind, MAX_EVENTS};
use crate::db::Db;
use crate::db_run;
use crate::error::{ApiError, FieldError};
use crate::server::AppState;

/// Paths that take events from notebooks of any origin, by token only.
pub const INGEST_PATHS: [&str; 2] = ["/api/v1/events", "/api/v1/events/batch"];

#[derive(Deserialize)]
pub struct TokenQuery {
    token: Option<String>,
}

/// The class whose ingest token the request carries; 401 without a known token, 403
/// for an archived class.
async fn class_for_token(
    db: &Db,
    headers: &HeaderMap,
    query: &TokenQuery,
) -> Result<String, ApiError> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    let Some(token) = bearer.or(query.token.as_deref()).filter(|t| !t.is_empty()) else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "missing_token",
            "Send the class's ingest token as Authorization: Bearer or ?token=",
        ));
    };
    let class: Option<(String, bool)> = db_run!(db.reader(), |pool| {
        sqlx::query_as("SELECT id, archived FROM classes WHERE ingest_token = $1")
            .bind(token)
            .fetch_optional(pool)
            .await
    })
    .map_err(ApiError::internal)?;
    match class {
        None => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "The ingest token is unknown or was replaced",
        )),
        Some((_, true)) => Err(ApiError::new(
            StatusCode::FORBIDDEN,
            "class_archived",
            "This class is archived and takes no more events",
        )),
        Some((id, false)) => Ok(id),
    }
}

/// The request body as JSON; 400 `invalid_json` otherwise.
fn body_json(body: &Bytes) -> Result<Value, ApiError> {
    serde_json::from_slice(body).map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!("The body is not valid JSON: {e}"),
        )
    })
}

/// Field problems of the `index`-th event, named `"<index>.<field>"`.
fn prefixed(index: usize, problems: Vec<FieldError>) -> impl Iterator<Item = FieldError> {
    problems.into_iter().map(move |p| FieldError {
        field: if p.field.is_empty() {
            index.to_string()
        } else {
            format!("{index}.{}", p.field)
        },
        ..p
    })
}

fn too_many_or_none(count: usize) -> Option<ApiError> {
    let code = match count {
        0 => "empty",
        n if n > MAX_EVENTS => "too_many_events",
        _ => return None,
    };
    Some(ApiError::validation(vec![FieldError {
        field: "events".to_owned(),
        code: code.to_owned(),
        message: format!("Send between 1 and {MAX_EVENTS} events"),
    }]))
}

fn with_cors(mut response: Response) -> Response {
    response.headers_mut().insert(
        header::ACCESS_CONTROL_ALLOW_ORIGIN,
        HeaderValue::from_static("*"),
    );
    response
}

/// `OPTIONS` on the ingest paths: any origin may post with these headers.
pub async fn preflight() -> Response {
    (
        StatusCode::NO_CONTENT,
        [
            (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            (header::ACCESS_CONTROL_ALLOW_METHODS, "POST, OPTIONS"),
            (
                header::ACCESS_CONTROL_ALLOW_HEADERS,
                "content-type, authorization",
            ),
            (header::ACCESS_CONTROL_MAX_AGE, "86400"),
        ],
    )
        .into_response()
}

/// `POST /api/v1/events`: one event object, or an array of them (the JupyterLab
/// extension's format). All are stored, or none.
pub async fn post_events(
    State(state): State<AppState>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    with_cors(match ingest(&state, &headers, &query, &body).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    })
}

async fn ingest(
    state: &AppState,
    headers: &HeaderMap,
    query: &TokenQuery,
    body: &Bytes,
) -> Result<Response, ApiError> {
    let class_id = class_for_token(&state.db, headers, query).await?;
    let body = body_json(body)?;
    let (items, single) = match event::items(&body, false) {
        Some(items) => (items.as_slice(), false),
        None => (std::slice::from_ref(&body), true),
    };
    if let Some(error) = too_many_or_none(items.len()) {
        return Err(error);
    }
    let mut events = Vec::with_capacity(items.len());
    let mut problems = Vec::new();
    for (index, item) in items.iter().enumerate() {
        match event::parse(item) {
            Ok(event) => events.push(event),
            Err(found) if single => problems.extend(found),
            Err(found) => problems.extend(prefixed(index, found)),
        }
    }
    if !problems.is_empty() {
        return Err(ApiError::validation(problems));
    }
    let ids = record(&state.db, &class_id, &events)
        .await
        .map_err(ApiError::internal)?;
    let body = if single {
        json!({"success": true, "message": "Event recorded successfully", "event_id": ids[0]})
    } else {
        json!({"success": true, "message": "Events recorded successfully", "event_ids": ids, "count": ids.len()})
    };
    Ok((StatusCode::CREATED, axum::Json(body)).into_response())
}

/// `POST /api/v1/events/batch`: `{"events": [...]}`, answered per event; the valid ones
/// are stored even when others are not (201 when all were, 207 when some were).
pub async fn post_batch(
    State(state): State<AppState>,
    Query(query): Query<TokenQuery>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    with_cors(match batch(&state, &headers, &query, &body).await {
        Ok(response) => response,
        Err(error) => error.into_response(),
    })
}

async fn batch(
    state: &AppState,
    headers: &HeaderMap,
    query: &TokenQuery,
    body: &Bytes,
) -> Result<Response, ApiError> {
    let class_id = class_for_token(&state.db, headers, query).await?;
    let body = body_json(body)?;
    let Some(items) = event::items(&body, true) else {
        return Err(ApiError::validation(vec![FieldError {
            field: "events".to_owned(),
            code: "required".to_owned(),
            message: "Send {\"events\": [...]}".to_owned(),
        }]));
    };
    if let Some(error) = too_many_or_none(items.len()) {
        return Err(error);
    }
    let parsed: Vec<Result<CellEvent, Vec<FieldError>>> = items.iter().map(event::parse).collect();
    let valid: Vec<CellEvent> = parsed
        .iter()
        .filter_map(|r| r.as_ref().ok().cloned())
        .collect();
    if valid.is_empty() {
        let details = parsed
            .into_iter()
            .enumerate()
            .flat_map(|(index, result)| prefixed(index, result.err().unwrap_or_default()))
            .collect();
        return Err(ApiError::validation(details));
    }
    let mut ids = record(&state.db, &class_id, &valid)
        .await
        .map_err(ApiError::internal)?
        .into_iter();
    let results: Vec<Value> = parsed
        .into_iter()
        .enumerate()
        .map(|(index, result)| match result {
            Ok(_) => json!({"index": index, "success": true, "event_id": ids.next()}),
            Err(problems) => json!({
                "index": index,
                "success": false,
                "details": problems
                    .iter()
                    .map(|p| json!({"field": p.field, "code": p.code, "message": p.message}))
                    .collect::<Vec<_>>(),
            }),
        })
        .collect();
    let status = if results.len() == valid.len() {
        StatusCode::CREATED
    } else {
        StatusCode::MULTI_STATUS
    };
    let body = json!({
        "success": true,
        "accepted": valid.len(),
        "rejected": results.len() - valid.len(),
        "results": results,
    });
    Ok((status, axum::Json(body)).into_response())
}

/// Stores events of one class in one transaction and moves each student's counters:
/// the ids (`evt_<n>`) in order. An event whose `event_id` the student already sent is
/// not stored or counted again; its first id is answered.
pub async fn record(
    db: &Db,
    class_id: &str,
    events: &[CellEvent],
) -> Result<Vec<String>, sqlx::Error> {
    if events.is_empty() {
        return Ok(Vec::new());
    }
    let now = Utc::now();
    db_run!(db.writer(), |pool| {
        let mut tx = pool.begin().await?;
        let mut ids = Vec::with_capacity(events.len());
        for event in events {
            let student: i64 = sqlx::query_scalar(
                "INSERT INTO classroom_students (class_id, email, name, team, created_at) VALUES ($1, $2, $3, $4, $5) \
                 ON CONFLICT (class_id, email) DO UPDATE SET \
                 name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE classroom_students.name END, \
                 team = COALESCE(excluded.team, classroom_students.team) \
                 RETURNING id",
            )
            .bind(class_id)
            .bind(&event.email)
            .bind(&event.user_name)
            .bind(&event.team)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            let inserted: Option<i64> = sqlx::query_scalar(
                "INSERT INTO cell_events (student_id, event_key, kind, notebook_path, cell_id, cell_type, execution_count, \
                 failed, error_type, error_message, code, output, truncated, execution_ms, occurred_at, received_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16) \
                 ON CONFLICT (student_id, event_key) DO NOTHING RETURNING id",
            )
            .bind(student)
            .bind(&event.event_key)
            .bind(event.kind.as_str())
            .bind(&event.notebook_path)
            .bind(&event.cell_id)
            .bind(&event.cell_type)
            .bind(event.execution_count)
            .bind(event.failed)
            .bind(&event.error_type)
            .bind(&event.error_message)
            .bind(&event.code)
            .bind(&event.output)
            .bind(event.truncated)
            .bind(event.execution_ms)
            .bind(event.occurred_at)
            .bind(now)
            .fetch_optional(&mut *tx)
            .await?;
            let id = match inserted {
                Some(id) => {
                    let failed =
                        event.kind == EventKind::CellExecuted && event.failed == Some(true);
                    let executed = event.kind == EventKind::CellExecuted;
                    let last_error = failed.then(|| {
                        format!(
                            "{} in {} cell {}",
                            event.error_type.as_deref().unwrap_or("Error"),
                            event.notebook_path,
                            event.cell_id
                        )
                    });
                    sqlx::query(
                        "UPDATE classroom_students SET \
                         executions = executions + CASE WHEN $1 THEN 1 ELSE 0 END, \
                         errors = errors + CASE WHEN $2 THEN 1 ELSE 0 END, \
                         error_streak = CASE WHEN $2 THEN error_streak + 1 WHEN $1 THEN 0 ELSE error_streak END, \
                         last_error = CASE WHEN $2 THEN $3 WHEN $1 THEN NULL ELSE last_error END, \
                         current_notebook = $4, \
                         last_activity_at = CASE WHEN last_activity_at IS NULL OR last_activity_at < $5 THEN $5 ELSE last_activity_at END \
                         WHERE id = $6",
                    )
                    .bind(executed)
                    .bind(failed)
                    .bind(&last_error)
                    .bind(&event.notebook_path)
                    .bind(event.occurred_at)
                    .bind(student)
                    .execute(&mut *tx)
                    .await?;
                    id
                }
                None => {
                    sqlx::query_scalar(
                        "SELECT id FROM cell_events WHERE student_id = $1 AND event_key = $2",
                    )
                    .bind(student)
                    .bind(&event.event_key)
                    .fetch_one(&mut *tx)
                    .await?
                }
            };
            ids.push(format!("evt_{id}"));
        }
        tx.commit().await?;
        Ok(ids)
    })
}
