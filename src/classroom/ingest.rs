//! `POST /api/v1/events` and `POST /api/v1/events/batch` (SPEC §5.2): the notebook
//! clients' way in. A class's ingest token (`Authorization: Bearer`, or `?token=` for
//! clients that only take a URL) says which class; cookies are never looked at, so the
//! endpoints answer CORS preflights from any origin. An event is acknowledged only after
//! the [writer](super::writer) has committed it, with the student's counters.

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::{DateTime, Utc};
use http::{HeaderMap, HeaderValue, StatusCode, header};
use serde::Deserialize;
use serde_json::{Value, json};

use super::event::{self, CellEvent, EventKind, MAX_EVENTS};
use super::writer::WriteError;
use crate::db_run;
use crate::error::{ApiError, FieldError};
use crate::server::AppState;

/// The paths where notebooks post events (`POST`), by token only.
pub const EVENT_PATHS: [&str; 2] = ["/api/v1/events", "/api/v1/events/batch"];

/// Paths that take events from notebooks of any origin, by token only.
pub const INGEST_PATHS: [&str; 3] = [
    EVENT_PATHS[0],
    EVENT_PATHS[1],
    // With an ingest token; with a session it checks the origin itself.
    "/api/v1/help/request",
];

#[derive(Deserialize)]
pub struct TokenQuery {
    pub token: Option<String>,
}

/// The class an ingest token opens, and whether it keeps code and output.
struct TokenClass {
    id: String,
    store_code: bool,
}

/// What a token opened when last looked up: `(class, archived, keeps code)`, or nothing.
type TokenRow = Option<(String, bool, bool)>;

/// Ingest tokens looked up in the last [`TOKEN_TTL`]: a busy room's notebooks post
/// thousands of times a second, and a rotated token or an archived class takes effect
/// within that time (on every instance, with no message between them).
#[derive(Debug, Default)]
pub struct TokenCache {
    entries: std::sync::Mutex<std::collections::HashMap<String, (TokenRow, std::time::Instant)>>,
}

const TOKEN_TTL: std::time::Duration = std::time::Duration::from_secs(1);
/// Tokens remembered at most (unknown ones too, so guessing costs no database time).
const TOKEN_CACHE_SIZE: usize = 10_000;

impl TokenCache {
    fn get(&self, token: &str) -> Option<TokenRow> {
        let entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        entries
            .get(token)
            .filter(|(_, at)| at.elapsed() < TOKEN_TTL)
            .map(|(row, _)| row.clone())
    }

    /// Forgets every token: a class's token, archiving or privacy changed here.
    pub fn forget_all(&self) {
        self.entries
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    fn put(&self, token: &str, row: TokenRow) {
        let mut entries = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= TOKEN_CACHE_SIZE {
            entries.retain(|_, (_, at)| at.elapsed() < TOKEN_TTL);
            if entries.len() >= TOKEN_CACHE_SIZE {
                entries.clear();
            }
        }
        entries.insert(token.to_owned(), (row, std::time::Instant::now()));
    }
}

/// The token a notebook sends: `Authorization: Bearer`, else `?token=`.
pub fn sent_token<'a>(headers: &'a HeaderMap, query: &'a TokenQuery) -> Option<&'a str> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    bearer.or(query.token.as_deref()).filter(|t| !t.is_empty())
}

/// What `token` opens, from the cache or the database.
async fn token_row(state: &AppState, token: &str) -> Result<TokenRow, ApiError> {
    if let Some(row) = state.ingest_tokens.get(token) {
        return Ok(row);
    }
    let row: TokenRow = db_run!(state.db.reader(), |pool| {
        sqlx::query_as("SELECT id, archived, store_code FROM classes WHERE ingest_token = $1")
            .bind(token)
            .fetch_optional(pool)
            .await
    })
    .map_err(ApiError::internal)?;
    state.ingest_tokens.put(token, row.clone());
    Ok(row)
}

fn archived() -> ApiError {
    ApiError::new(
        StatusCode::FORBIDDEN,
        "class_archived",
        "This class is archived and takes no more events",
    )
}

/// The class whose ingest token the request carries; 401 without a known token, 403
/// for an archived class.
async fn class_for_token(
    state: &AppState,
    headers: &HeaderMap,
    query: &TokenQuery,
) -> Result<TokenClass, ApiError> {
    let Some(token) = sent_token(headers, query) else {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "missing_token",
            "Send the class's ingest token as Authorization: Bearer or ?token=",
        ));
    };
    match token_row(state, token).await? {
        None => Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "The ingest token is unknown or was replaced",
        )),
        Some((_, true, _)) => Err(archived()),
        Some((id, false, store_code)) => Ok(TokenClass { id, store_code }),
    }
}

/// The class of an ingest token: `None` when `token` is no class's (it may be a
/// personal API token), 403 for an archived class.
pub async fn class_of_token(state: &AppState, token: &str) -> Result<Option<String>, ApiError> {
    match token_row(state, token).await? {
        None => Ok(None),
        Some((_, true, _)) => Err(archived()),
        Some((id, false, _)) => Ok(Some(id)),
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

/// Lets a page on any origin read the answer (notebooks post from JupyterLab's).
pub fn with_cors(mut response: Response) -> Response {
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
    let class = class_for_token(state, headers, query).await?;
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
    let ids = store(state, &class, events).await?;
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
    let class = class_for_token(state, headers, query).await?;
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
    // Valid events go to the writer as they are; each refused one keeps its place.
    let mut valid = Vec::with_capacity(items.len());
    let mut refused: Vec<(usize, Vec<FieldError>)> = Vec::new();
    for (index, item) in items.iter().enumerate() {
        match event::parse(item) {
            Ok(event) => valid.push(event),
            Err(problems) => refused.push((index, problems)),
        }
    }
    if valid.is_empty() {
        let details = refused
            .into_iter()
            .flat_map(|(index, problems)| prefixed(index, problems))
            .collect();
        return Err(ApiError::validation(details));
    }
    let accepted = valid.len();
    let mut ids = store(state, &class, valid).await?.into_iter();
    let mut refused = refused.into_iter().peekable();
    let results: Vec<BatchResult> = (0..items.len())
        .map(|index| match refused.next_if(|(at, _)| *at == index) {
            Some((_, details)) => BatchResult {
                index,
                success: false,
                event_id: None,
                details: Some(details),
            },
            None => BatchResult {
                index,
                success: true,
                event_id: ids.next(),
                details: None,
            },
        })
        .collect();
    let status = if results.len() == accepted {
        StatusCode::CREATED
    } else {
        StatusCode::MULTI_STATUS
    };
    let body = BatchAnswer {
        success: true,
        accepted,
        rejected: results.len() - accepted,
        results,
    };
    Ok((status, axum::Json(body)).into_response())
}

/// The answer to a batch: how many were stored, and each event's outcome in order.
#[derive(serde::Serialize)]
struct BatchAnswer {
    success: bool,
    accepted: usize,
    rejected: usize,
    results: Vec<BatchResult>,
}

/// One event's outcome: its id when stored, its problems when not.
#[derive(serde::Serialize)]
struct BatchResult {
    index: usize,
    success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    event_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    details: Option<Vec<FieldError>>,
}

/// Hands checked events to the writer, without code and output for a class that keeps
/// metadata only; 429 when a student is over their limit, 503 when the database cannot
/// take them.
async fn store(
    state: &AppState,
    class: &TokenClass,
    mut events: Vec<CellEvent>,
) -> Result<Vec<String>, ApiError> {
    let mut per_student: std::collections::HashMap<&str, u32> = std::collections::HashMap::new();
    for event in &events {
        *per_student.entry(event.email.as_str()).or_default() += 1;
    }
    let counts: Vec<(&str, u32)> = per_student.into_iter().collect();
    if let Err(wait) = state.event_limit.take(&class.id, &counts) {
        return Err(ApiError::rate_limited(
            u64::from(state.event_limit.per_minute()),
            wait,
        ));
    }
    // The extension's help toggle opens and closes one help request, however often it
    // repeats itself.
    let toggles: Vec<CellEvent> = events
        .iter()
        .filter(|e| matches!(e.kind, EventKind::Help | EventKind::HelpStop))
        .cloned()
        .collect();
    if !class.store_code {
        for event in &mut events {
            event.code = None;
            event.output = None;
            event.truncated = false;
        }
    }
    let stored = state
        .writer
        .write(&class.id, events)
        .await
        .map_err(|error: WriteError| {
            tracing::error!(%error, "events not stored");
            ApiError {
                retry_after: Some(5),
                ..ApiError::new(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "database_unavailable",
                    "The events could not be stored; send them again later",
                )
            }
        })?;
    for toggle in toggles {
        // The events are stored; a toggle that fails here comes again in 10 s.
        if let Err(error) = help_toggle(state, &class.id, toggle).await {
            tracing::warn!(?error, "help toggle from the extension");
        }
    }
    Ok(stored)
}

/// Opens (`help`) or cancels (`help_stop`) the student's help request.
async fn help_toggle(
    state: &AppState,
    class_id: &str,
    event: CellEvent,
) -> Result<(), crate::app_error::AppError> {
    use crate::helpdesk::desk;
    if event.kind == EventKind::HelpStop {
        if let Some(open) = desk::open_of(&state.db, class_id, &event.email).await? {
            desk::change(state, "", &open, desk::Change::Cancel).await?;
        }
        return Ok(());
    }
    // The toggle is still on after an instructor closed the request: the repeats mean
    // nothing new until the student switches it off (help_stop) and on again.
    let last: Option<(String, Option<String>, Option<DateTime<Utc>>)> =
        db_run!(state.db.reader(), |pool| {
            sqlx::query_as(
                "SELECT status, closed_by, closed_at FROM help_requests \
                 WHERE class_id = $1 AND student_email = $2 AND source = 'extension' \
                 ORDER BY created_at DESC LIMIT 1",
            )
            .bind(class_id)
            .bind(&event.email)
            .fetch_optional(pool)
            .await
        })?;
    if let Some((status, Some(_), Some(closed_at))) = last
        && status != "pending"
        && status != "in_progress"
    {
        let stopped_since: bool = db_run!(state.db.reader(), |pool| {
            sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM cell_events e JOIN classroom_students s ON s.id = e.student_id \
                 WHERE s.class_id = $1 AND s.email = $2 AND e.kind = 'help_stop' AND e.received_at > $3)",
            )
            .bind(class_id)
            .bind(&event.email)
            .bind(closed_at)
            .fetch_one(pool)
            .await
        })?;
        if !stopped_since {
            return Ok(());
        }
    }
    let request = desk::NewRequest {
        class_id: class_id.to_owned(),
        email: event.email,
        name: event.user_name,
        team: event.team,
        notebook_path: Some(event.notebook_path).filter(|p| !p.is_empty()),
        cell_id: Some(event.cell_id).filter(|c| !c.is_empty()),
        source: "extension",
        ..desk::NewRequest::default()
    };
    desk::raise(state, request).await.map(|_| ())
}
