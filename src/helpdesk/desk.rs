//! Help requests (S2.7, S2.13): raising one (at most one open per student and class),
//! the queue, and its transitions: take, hand over, resolve, cancel. Every change is
//! announced on the class's live feed, and taking or ending a request moves the
//! instructor's presence (seed 000's sessions).

use chrono::{DateTime, Utc};

use super::model::{HelpRequest, HelpStatus, Presence, Priority, queue_order};
use super::presence;
use crate::app_error::AppError;
use crate::classroom::live::Update;
use crate::db::Db;
use crate::db_run;
use crate::server::AppState;

/// Longest message, in characters.
pub const MAX_MESSAGE: usize = 2_000;
/// Longest response, in characters.
pub const MAX_RESPONSE: usize = 4_000;
/// Code and error text kept with a request, in characters.
const MAX_CONTEXT: usize = 16_384;
/// A notebook path and a cell id, in characters (as for events).
const MAX_PATH: usize = 1_024;
const MAX_CELL_ID: usize = 256;
/// A student's name, in characters.
const MAX_NAME: usize = 200;

/// `text` without NUL characters, which PostgreSQL cannot store.
pub fn clean(text: String) -> String {
    if text.contains('\0') {
        text.replace('\0', "")
    } else {
        text
    }
}

/// A request as raised; missing context is filled from the student's last run.
#[derive(Clone, Debug, Default)]
pub struct NewRequest {
    pub class_id: String,
    pub email: String,
    pub name: String,
    pub team: Option<String>,
    pub message: String,
    pub priority: Option<Priority>,
    pub notebook_path: Option<String>,
    pub cell_id: Option<String>,
    pub code: Option<String>,
    pub last_error: Option<String>,
    /// `client`, `extension` or `page`.
    pub source: &'static str,
}

/// A change an instructor (or the student, for cancel) asks for.
#[derive(Clone, Debug)]
pub enum Change {
    /// The caller takes the request and goes in session with the student.
    Take,
    /// Another of the class's instructors takes it over.
    HandOver {
        to: String,
    },
    Resolve {
        response: String,
    },
    Cancel,
}

const COLUMNS: &str = "h.id, h.class_id, h.student_email, h.student_name, h.team, h.message, \
     h.status, h.priority, h.notebook_path, h.cell_id, h.code, h.last_error, h.source, \
     h.instructor_id, CASE WHEN u.id IS NULL THEN NULL ELSE u.first_name || ' ' || u.last_name END AS instructor_name, \
     h.response, h.created_at, h.taken_at, h.closed_at";
const FROM: &str = "FROM help_requests h LEFT JOIN users u ON u.id = h.instructor_id";

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    class_id: String,
    student_email: String,
    student_name: String,
    team: Option<String>,
    message: String,
    status: String,
    priority: String,
    notebook_path: Option<String>,
    cell_id: Option<String>,
    code: Option<String>,
    last_error: Option<String>,
    source: String,
    instructor_id: Option<String>,
    instructor_name: Option<String>,
    response: Option<String>,
    created_at: DateTime<Utc>,
    taken_at: Option<DateTime<Utc>>,
    closed_at: Option<DateTime<Utc>>,
}

impl From<Row> for HelpRequest {
    fn from(row: Row) -> HelpRequest {
        HelpRequest {
            id: row.id,
            class_id: row.class_id,
            user_id: row.student_email,
            user_name: row.student_name,
            team_name: row.team,
            message: row.message,
            status: HelpStatus::parse(&row.status).unwrap_or(HelpStatus::Pending),
            priority: Priority::parse(&row.priority).unwrap_or(Priority::Medium),
            notebook_path: row.notebook_path,
            cell_id: row.cell_id,
            code: row.code,
            last_error: row.last_error,
            source: row.source,
            instructor_id: row.instructor_id,
            instructor_name: row.instructor_name,
            response: row.response,
            created_at: row.created_at,
            taken_at: row.taken_at,
            closed_at: row.closed_at,
        }
    }
}

/// Cuts `text` to at most `max` characters (and drops NUL characters).
fn cut(text: String, max: usize) -> String {
    let text = clean(text);
    match text.char_indices().nth(max) {
        Some((at, _)) => text[..at].to_owned(),
        None => text,
    }
}

/// One request by id.
pub async fn get(db: &Db, id: &str) -> Result<Option<HelpRequest>, AppError> {
    if id.contains('\0') {
        return Ok(None);
    }
    let sql = format!("SELECT {COLUMNS} {FROM} WHERE h.id = $1");
    let row: Option<Row> = db_run!(db.reader(), |pool| {
        sqlx::query_as(&sql).bind(id).fetch_optional(pool).await
    })?;
    Ok(row.map(HelpRequest::from))
}

/// What to list.
#[derive(Clone, Debug, Default)]
pub struct Filter<'a> {
    /// Only these statuses; empty: all.
    pub statuses: &'a [HelpStatus],
    /// Only this student's.
    pub email: Option<&'a str>,
    pub limit: i64,
}

/// A class's requests: open ones in queue order, then closed ones newest first.
pub async fn list(
    db: &Db,
    class_id: &str,
    filter: Filter<'_>,
) -> Result<Vec<HelpRequest>, AppError> {
    let statuses: Vec<&str> = filter.statuses.iter().map(|s| s.as_str()).collect();
    let all = statuses.is_empty();
    let sql = format!(
        "SELECT {COLUMNS} {FROM} WHERE h.class_id = $1 AND ($2 = '' OR h.student_email = $2) \
         AND ($3 OR h.status IN ($4, $5, $6, $7)) ORDER BY h.created_at DESC, h.id DESC LIMIT $8"
    );
    let pick = |n: usize| statuses.get(n).copied().unwrap_or("");
    let rows: Vec<Row> = db_run!(db.reader(), |pool| {
        sqlx::query_as(&sql)
            .bind(class_id)
            .bind(filter.email.unwrap_or(""))
            .bind(all)
            .bind(pick(0))
            .bind(pick(1))
            .bind(pick(2))
            .bind(pick(3))
            .bind(filter.limit)
            .fetch_all(pool)
            .await
    })?;
    let mut requests: Vec<HelpRequest> = rows.into_iter().map(HelpRequest::from).collect();
    requests.sort_by(|a, b| match (a.status.is_open(), b.status.is_open()) {
        (true, true) => queue_order(a, b),
        (true, false) => std::cmp::Ordering::Less,
        (false, true) => std::cmp::Ordering::Greater,
        (false, false) => b.created_at.cmp(&a.created_at),
    });
    Ok(requests)
}

/// The open requests of a class in queue order.
pub async fn queue(db: &Db, class_id: &str) -> Result<Vec<HelpRequest>, AppError> {
    list(
        db,
        class_id,
        Filter {
            statuses: &[HelpStatus::Pending, HelpStatus::InProgress],
            email: None,
            limit: 1_000,
        },
    )
    .await
}

/// The student's open request in a class, if any.
pub async fn open_of(
    db: &Db,
    class_id: &str,
    email: &str,
) -> Result<Option<HelpRequest>, AppError> {
    let sql = format!(
        "SELECT {COLUMNS} {FROM} WHERE h.class_id = $1 AND h.student_email = $2 \
         AND h.status IN ('pending', 'in_progress')"
    );
    let row: Option<Row> = db_run!(db.reader(), |pool| {
        sqlx::query_as(&sql)
            .bind(class_id)
            .bind(email)
            .fetch_optional(pool)
            .await
    })?;
    Ok(row.map(HelpRequest::from))
}

/// The context of the student's last run in the class: notebook, cell, code, error.
type LastRun = (String, String, Option<String>, Option<String>);

async fn last_run(db: &Db, class_id: &str, email: &str) -> Result<Option<LastRun>, AppError> {
    Ok(db_run!(db.reader(), |pool| {
        sqlx::query_as(
            "SELECT e.notebook_path, e.cell_id, e.code, \
             CASE WHEN e.failed THEN COALESCE(e.error_type || ': ' || e.error_message, e.error_type, e.error_message) ELSE NULL END \
             FROM cell_events e JOIN classroom_students s ON s.id = e.student_id \
             WHERE s.class_id = $1 AND s.email = $2 AND e.kind = 'cell_executed' \
             ORDER BY e.occurred_at DESC, e.id DESC LIMIT 1",
        )
        .bind(class_id)
        .bind(email)
        .fetch_optional(pool)
        .await
    })?)
}

/// Puts the student on the class's live roster when their notebook has not reported
/// yet, so that their tile can show the request.
async fn ensure_on_roster(
    state: &AppState,
    class_id: &str,
    email: &str,
    name: &str,
    team: Option<&str>,
) -> Result<(), AppError> {
    db_run!(state.db.writer(), |pool| {
        sqlx::query(
            "INSERT INTO classroom_students (class_id, email, name, team, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (class_id, email) DO NOTHING",
        )
        .bind(class_id)
        .bind(email)
        .bind(name)
        .bind(team)
        .bind(Utc::now())
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// Sets the tile's help flag from the requests themselves (so two changes at once
/// cannot leave it wrong), bumping the row's version for the dashboards.
async fn refresh_help_flag(state: &AppState, class_id: &str, email: &str) -> Result<(), AppError> {
    db_run!(state.db.writer(), |pool| {
        sqlx::query(
            "UPDATE classroom_students SET help_open = EXISTS (SELECT 1 FROM help_requests h \
             WHERE h.class_id = classroom_students.class_id AND h.student_email = classroom_students.email \
             AND h.status IN ('pending', 'in_progress')), version = version + 1 \
             WHERE class_id = $1 AND email = $2",
        )
        .bind(class_id)
        .bind(email)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// Announces a request's new state, with the student's tile, to the class's dashboards.
async fn announce(state: &AppState, request: &HelpRequest) {
    let student =
        match crate::classroom::dashboard::student(&state.db, &request.class_id, &request.user_id)
            .await
        {
            Ok(student) => student,
            Err(error) => {
                tracing::warn!(%error, "student state for a help message");
                None
            }
        };
    state.live.publish(
        &request.class_id,
        vec![Update::Help {
            request: Box::new(request.clone()),
            student: student.map(Box::new),
        }],
    );
}

/// Raises a request, or returns the one already open (then `false`): a student has at
/// most one open request per class, however often the notebook asks.
pub async fn raise(state: &AppState, mut new: NewRequest) -> Result<(HelpRequest, bool), AppError> {
    if let Some(open) = open_of(&state.db, &new.class_id, &new.email).await? {
        return Ok((open, false));
    }
    new.name = cut(std::mem::take(&mut new.name), MAX_NAME);
    // A notebook's request may leave out who the student is beyond the email: the
    // class's live roster knows their name and team from their events.
    if new.name.is_empty() || new.team.is_none() {
        let known: Option<(String, Option<String>)> = db_run!(state.db.reader(), |pool| {
            sqlx::query_as(
                "SELECT name, team FROM classroom_students WHERE class_id = $1 AND email = $2",
            )
            .bind(&new.class_id)
            .bind(&new.email)
            .fetch_optional(pool)
            .await
        })?;
        if let Some((name, team)) = known {
            if new.name.is_empty() {
                new.name = name;
            }
            new.team = new.team.or(team);
        }
    }
    let last = last_run(&state.db, &new.class_id, &new.email).await?;
    let (last_notebook, last_cell, last_code, last_error) = match last {
        Some((notebook, cell, code, error)) => (Some(notebook), Some(cell), code, error),
        None => (None, None, None, None),
    };
    // A class that keeps metadata only (S2.14) keeps no code with its requests either;
    // an archived class takes no requests.
    let class: Option<(bool, bool)> = db_run!(state.db.reader(), |pool| {
        sqlx::query_as("SELECT store_code, archived FROM classes WHERE id = $1")
            .bind(&new.class_id)
            .fetch_optional(pool)
            .await
    })?;
    let store_code = match class {
        None => return Err(AppError::NotFound),
        Some((_, true)) => return Err(AppError::field("class_id", "class_closed")),
        Some((store_code, false)) => store_code,
    };
    let same_cell = new.cell_id.is_none() || new.cell_id == last_cell;
    let notebook_path = new
        .notebook_path
        .or(last_notebook)
        .map(|p| cut(p, MAX_PATH));
    let cell_id = new.cell_id.or(last_cell).map(|c| cut(c, MAX_CELL_ID));
    let code = new
        .code
        .or(if same_cell { last_code } else { None })
        .filter(|_| store_code)
        .map(|c| cut(c, MAX_CONTEXT));
    let last_error = new
        .last_error
        .or(if same_cell { last_error } else { None })
        .map(|e| cut(e, MAX_CONTEXT));
    let id = uuid::Uuid::now_v7().to_string();
    let now = Utc::now();
    let priority = new.priority.unwrap_or(Priority::Medium);
    let inserted = db_run!(state.db.writer(), |pool| {
        sqlx::query(
            "INSERT INTO help_requests (id, class_id, student_email, student_name, team, message, \
             notebook_path, cell_id, code, last_error, priority, status, source, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'pending', $12, $13)",
        )
        .bind(&id)
        .bind(&new.class_id)
        .bind(&new.email)
        .bind(&new.name)
        .bind(&new.team)
        .bind(cut(new.message, MAX_MESSAGE))
        .bind(&notebook_path)
        .bind(&cell_id)
        .bind(&code)
        .bind(&last_error)
        .bind(priority.as_str())
        .bind(new.source)
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ())
    });
    match inserted {
        Ok(_) => {}
        // Raised twice at once: the other one won.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            if let Some(open) = open_of(&state.db, &new.class_id, &new.email).await? {
                return Ok((open, false));
            }
            return Err(AppError::internal(e));
        }
        Err(e) => return Err(AppError::internal(e)),
    }
    ensure_on_roster(
        state,
        &new.class_id,
        &new.email,
        &new.name,
        new.team.as_deref(),
    )
    .await?;
    refresh_help_flag(state, &new.class_id, &new.email).await?;
    let request = get(&state.db, &id)
        .await?
        .ok_or_else(|| AppError::internal("help request vanished"))?;
    announce(state, &request).await;
    Ok((request, true))
}

/// A conflict with the request's current state (409).
fn conflict(code: &str) -> AppError {
    AppError::field("status", code)
}

/// Applies `change` by `actor` (an instructor of the class, or for `Cancel` the
/// student, whose rights the caller has checked). 409 when the request is closed or
/// already someone else's.
pub async fn change(
    state: &AppState,
    actor_id: &str,
    request: &HelpRequest,
    change: Change,
) -> Result<HelpRequest, AppError> {
    if !request.status.is_open() {
        return Err(conflict("help_closed"));
    }
    let now = Utc::now();
    let previous = request.instructor_id.clone();
    if matches!(change, Change::Take) && previous.as_deref().is_some_and(|p| p != actor_id) {
        return Err(conflict("help_taken"));
    }
    // Each statement changes the request only while it is still open, so of two
    // instructors acting at once, the second gets a conflict.
    let open = "status IN ('pending', 'in_progress')";
    let (instructor, response) = match &change {
        Change::Take => (Some(actor_id), None),
        Change::HandOver { to } => (Some(to.as_str()), None),
        Change::Resolve { response } => (
            Some(actor_id),
            Some(cut(response.trim().to_owned(), MAX_RESPONSE)),
        ),
        Change::Cancel => (None, None),
    };
    let updated = match &change {
        Change::Take | Change::HandOver { .. } => {
            // Taking: nobody else has it. Handing over: it is still where the caller saw it.
            let guard = if matches!(change, Change::Take) {
                " AND (instructor_id IS NULL OR instructor_id = $2)"
            } else {
                " AND COALESCE(instructor_id, '') = $4"
            };
            let sql = format!(
                "UPDATE help_requests SET status = 'in_progress', instructor_id = $2, \
                 taken_at = COALESCE(taken_at, $3) WHERE id = $1 AND {open}{guard}"
            );
            let held_by = previous.clone().unwrap_or_default();
            db_run!(state.db.writer(), |pool| {
                let query = sqlx::query(&sql)
                    .bind(&request.id)
                    .bind(instructor)
                    .bind(now);
                let query = if matches!(change, Change::Take) {
                    query
                } else {
                    query.bind(&held_by)
                };
                query.execute(pool).await.map(|r| r.rows_affected())
            })?
        }
        Change::Resolve { .. } => {
            let sql = format!(
                "UPDATE help_requests SET status = 'resolved', instructor_id = COALESCE(instructor_id, $2), \
                 response = $3, taken_at = COALESCE(taken_at, $4), closed_at = $4, closed_by = $2 \
                 WHERE id = $1 AND {open}"
            );
            db_run!(state.db.writer(), |pool| {
                sqlx::query(&sql)
                    .bind(&request.id)
                    .bind(actor_id)
                    .bind(&response)
                    .bind(now)
                    .execute(pool)
                    .await
                    .map(|r| r.rows_affected())
            })?
        }
        Change::Cancel => {
            let sql = format!(
                "UPDATE help_requests SET status = 'cancelled', closed_at = $2, closed_by = $3 \
                 WHERE id = $1 AND {open}"
            );
            db_run!(state.db.writer(), |pool| {
                sqlx::query(&sql)
                    .bind(&request.id)
                    .bind(now)
                    // The JupyterLab extension's help_stop has no account behind it.
                    .bind(Some(actor_id).filter(|a| !a.is_empty()))
                    .execute(pool)
                    .await
                    .map(|r| r.rows_affected())
            })?
        }
    };
    if updated == 0 {
        // Someone else changed it first.
        return Err(conflict("help_taken"));
    }
    let after = get(&state.db, &request.id)
        .await?
        .ok_or_else(|| AppError::internal("help request vanished"))?;
    if !after.status.is_open() {
        refresh_help_flag(state, &after.class_id, &after.user_id).await?;
    }
    // The instructors' sessions follow the request.
    match &change {
        Change::Take | Change::HandOver { .. } => {
            if let Some(old) = previous.as_deref().filter(|old| Some(*old) != instructor) {
                presence::session_ended(state, old, &request.id).await?;
            }
            if let Some(new) = instructor {
                presence::set(
                    state,
                    new,
                    Presence::InSession,
                    presence::Options {
                        session: Some((&after.id, &after.user_id)),
                        break_minutes: None,
                    },
                )
                .await?;
            }
        }
        Change::Resolve { .. } | Change::Cancel => {
            if let Some(old) = after.instructor_id.as_deref() {
                presence::session_ended(state, old, &request.id).await?;
            }
        }
    }
    announce(state, &after).await;
    Ok(after)
}

/// The position of an open, untaken request in its class's queue (1 is next).
pub async fn position(db: &Db, request: &HelpRequest) -> Result<Option<usize>, AppError> {
    if request.status != HelpStatus::Pending {
        return Ok(None);
    }
    let queue = queue(db, &request.class_id).await?;
    Ok(queue
        .iter()
        .filter(|r| r.status == HelpStatus::Pending)
        .position(|r| r.id == request.id)
        .map(|p| p + 1))
}

/// Requests raised by the student in any class, newest first (their help history).
pub async fn history_of(db: &Db, email: &str, limit: i64) -> Result<Vec<HelpRequest>, AppError> {
    let sql = format!(
        "SELECT {COLUMNS} {FROM} WHERE h.student_email = $1 AND h.class_id IN \
         (SELECT e.class_id FROM enrollments e JOIN users su ON su.id = e.user_id WHERE su.email = $1) \
         ORDER BY h.created_at DESC, h.id DESC LIMIT $2"
    );
    let rows: Vec<Row> = db_run!(db.reader(), |pool| {
        sqlx::query_as(&sql)
            .bind(email)
            .bind(limit)
            .fetch_all(pool)
            .await
    })?;
    Ok(rows.into_iter().map(HelpRequest::from).collect())
}

/// Open requests in the classes `user_id` teaches, in queue order.
pub async fn open_for_instructor(db: &Db, user_id: &str) -> Result<Vec<HelpRequest>, AppError> {
    let sql = format!(
        "SELECT {COLUMNS} {FROM} WHERE h.status IN ('pending', 'in_progress') AND h.class_id IN \
         (SELECT class_id FROM class_instructors WHERE user_id = $1) LIMIT 1000"
    );
    let rows: Vec<Row> = db_run!(db.reader(), |pool| {
        sqlx::query_as(&sql).bind(user_id).fetch_all(pool).await
    })?;
    let mut requests: Vec<HelpRequest> = rows.into_iter().map(HelpRequest::from).collect();
    requests.sort_by(queue_order);
    Ok(requests)
}
