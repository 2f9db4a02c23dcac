//! Instructor presence (seed 000, S0.2-S0.7): each instructor's status, a history row
//! per stretch of a status with its duration, breaks that end by themselves, the
//! statuses students see, workload, and going offline once the last live dashboard
//! has been closed for a grace period. Every change is pushed to the open dashboards
//! as `instructor_status_update`.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{DateTime, Duration, Utc};

use super::model::{InstructorStatus, Presence, StatusStretch, Workload};
use crate::app_error::AppError;
use crate::classroom::live::Update;
use crate::db::Db;
use crate::db_run;
use crate::server::AppState;

/// Longest break, in minutes.
pub const MAX_BREAK_MINUTES: i64 = 480;
/// A break's length unless one is chosen.
pub const DEFAULT_BREAK_MINUTES: i64 = 15;

/// What comes with a status: the session's request and student, a break's length.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options<'a> {
    pub session: Option<(&'a str, &'a str)>,
    pub break_minutes: Option<i64>,
}

/// The status of the instructors: those with the instructor role, and anyone else who
/// has set a status (an administrator who teaches).
const STATUS_SQL: &str = "SELECT u.id, u.first_name || ' ' || u.last_name AS name, u.email, \
     COALESCE(p.status, 'offline') AS status, COALESCE(p.status_updated_at, u.created_at) AS status_updated_at, \
     p.break_until, p.help_request_id, \
     (SELECT COUNT(*) FROM help_requests h WHERE h.instructor_id = u.id AND h.status = 'in_progress') AS active_students_count \
     FROM users u LEFT JOIN instructor_presence p ON p.user_id = u.id \
     WHERE u.deleted_at IS NULL AND u.status = 'active' \
     AND (u.role = 'instructor' OR (p.user_id IS NOT NULL AND u.role IN ('admin', 'super_admin')))";

#[derive(sqlx::FromRow)]
struct StatusRow {
    id: String,
    name: String,
    email: String,
    status: String,
    status_updated_at: DateTime<Utc>,
    break_until: Option<DateTime<Utc>>,
    help_request_id: Option<String>,
    active_students_count: i64,
}

impl From<StatusRow> for InstructorStatus {
    fn from(row: StatusRow) -> InstructorStatus {
        InstructorStatus {
            id: row.id,
            name: row.name,
            email: row.email,
            status: Presence::parse(&row.status).unwrap_or(Presence::Offline),
            status_updated_at: row.status_updated_at,
            break_until: row.break_until,
            current_session_id: row.help_request_id,
            active_students_count: row.active_students_count,
        }
    }
}

/// Every instructor's status, by name. (Breaks that are over end within seconds; call
/// [`expire_breaks`] first to be exact.)
pub async fn statuses(db: &Db) -> Result<Vec<InstructorStatus>, AppError> {
    let sql = format!("{STATUS_SQL} ORDER BY name, u.email");
    let rows: Vec<StatusRow> = db_run!(db.reader(), |pool| {
        sqlx::query_as(&sql).fetch_all(pool).await
    })?;
    Ok(rows.into_iter().map(InstructorStatus::from).collect())
}

/// One instructor's status; `None` for a user who is not an instructor.
pub async fn status_of(db: &Db, user_id: &str) -> Result<Option<InstructorStatus>, AppError> {
    if user_id.contains('\0') {
        return Ok(None);
    }
    let sql = format!("{STATUS_SQL} AND u.id = $1");
    let row: Option<StatusRow> = db_run!(db.reader(), |pool| {
        sqlx::query_as(&sql)
            .bind(user_id)
            .fetch_optional(pool)
            .await
    })?;
    Ok(row.map(InstructorStatus::from))
}

/// The instructors available now: all of them, or for a student those who teach one
/// of their classes.
pub async fn available(
    state: &AppState,
    student_id: Option<&str>,
) -> Result<Vec<InstructorStatus>, AppError> {
    let teaching: Option<Vec<String>> = match student_id {
        None => None,
        Some(student) => Some(db_run!(state.db.reader(), |pool| {
            sqlx::query_scalar(
                "SELECT DISTINCT i.user_id FROM class_instructors i JOIN enrollments e \
                 ON e.class_id = i.class_id AND e.status = 'active' \
                 JOIN classes c ON c.id = i.class_id AND NOT c.archived WHERE e.user_id = $1",
            )
            .bind(student)
            .fetch_all(pool)
            .await
        })?),
    };
    expire_breaks(state).await?;
    Ok(statuses(&state.db)
        .await?
        .into_iter()
        .filter(|s| s.status == Presence::Available)
        .filter(|s| teaching.as_ref().is_none_or(|ids| ids.contains(&s.id)))
        .collect())
}

/// Sets an instructor's status now.
pub async fn set(
    state: &AppState,
    user_id: &str,
    status: Presence,
    options: Options<'_>,
) -> Result<(), AppError> {
    set_at(state, user_id, status, options, Utc::now(), false).await
}

/// Sets an instructor's status as of `at`: ends the current stretch of history there
/// and starts the next. Setting the same status (and session) again changes nothing,
/// except that a break gets its new length.
async fn set_at(
    state: &AppState,
    user_id: &str,
    status: Presence,
    options: Options<'_>,
    at: DateTime<Utc>,
    only_if_break_over: bool,
) -> Result<(), AppError> {
    let break_until = (status == Presence::Break).then(|| {
        let minutes = options
            .break_minutes
            .unwrap_or(DEFAULT_BREAK_MINUTES)
            .clamp(1, MAX_BREAK_MINUTES);
        at + Duration::minutes(minutes)
    });
    let (session, student) = match (status, options.session) {
        (Presence::InSession, Some((request, student))) => (Some(request), Some(student)),
        _ => (None, None),
    };
    // Two changes of one instructor at once (a break ending while they pick a status)
    // are applied one after the other: PostgreSQL locks the row, SQLite has one writer.
    let lock = match state.db.backend() {
        crate::db::Backend::Postgres => " FOR UPDATE",
        crate::db::Backend::Sqlite => "",
    };
    let current_sql = format!(
        "SELECT status, help_request_id, break_until FROM instructor_presence WHERE user_id = $1{lock}"
    );
    let now = Utc::now();
    let changed = db_run!(state.db.writer(), |pool| {
        async {
            let mut tx = pool.begin().await?;
            let current: Option<(String, Option<String>, Option<DateTime<Utc>>)> =
                sqlx::query_as(&current_sql)
                    .bind(user_id)
                    .fetch_optional(&mut *tx)
                    .await?;
            // A break's end applies only to a break that is still on and over.
            let break_over = current.as_ref().is_some_and(|(s, _, until)| {
                s == Presence::Break.as_str() && until.is_some_and(|until| until <= now)
            });
            if only_if_break_over && !break_over {
                return Ok::<bool, sqlx::Error>(false);
            }
            let same = current
                .as_ref()
                .is_some_and(|(s, r, _)| s == status.as_str() && r.as_deref() == session);
            if same && status != Presence::Break {
                return Ok(false);
            }
            if same {
                sqlx::query("UPDATE instructor_presence SET break_until = $2 WHERE user_id = $1")
                    .bind(user_id)
                    .bind(break_until)
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
                return Ok(true);
            }
            // Every open stretch ends here (there is one, unless an earlier race left two).
            let open: Vec<(i64, DateTime<Utc>)> = sqlx::query_as(
                "SELECT id, started_at FROM instructor_status_history \
                 WHERE user_id = $1 AND ended_at IS NULL",
            )
            .bind(user_id)
            .fetch_all(&mut *tx)
            .await?;
            for (id, started) in open {
                sqlx::query(
                    "UPDATE instructor_status_history SET ended_at = $2, duration_seconds = $3 \
                     WHERE id = $1",
                )
                .bind(id)
                .bind(at)
                .bind((at - started).num_seconds().max(0))
                .execute(&mut *tx)
                .await?;
            }
            sqlx::query(
                "INSERT INTO instructor_presence (user_id, status, status_updated_at, break_until, help_request_id) \
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT (user_id) DO UPDATE SET status = excluded.status, \
                 status_updated_at = excluded.status_updated_at, break_until = excluded.break_until, \
                 help_request_id = excluded.help_request_id",
            )
            .bind(user_id)
            .bind(status.as_str())
            .bind(at)
            .bind(break_until)
            .bind(session)
            .execute(&mut *tx)
            .await?;
            sqlx::query(
                "INSERT INTO instructor_status_history (user_id, status, help_request_id, student_email, started_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(user_id)
            .bind(status.as_str())
            .bind(session)
            .bind(student)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(true)
        }
        .await
    })?;
    if changed {
        announce(state, user_id).await?;
    }
    Ok(())
}

/// Pushes an instructor's status to every open dashboard.
async fn announce(state: &AppState, user_id: &str) -> Result<(), AppError> {
    if let Some(status) = status_of(&state.db, user_id).await? {
        state
            .live
            .publish_everywhere(Update::Instructor(Box::new(status)));
    }
    Ok(())
}

/// The session of `request_id` is over (resolved, cancelled or handed over): the
/// instructor goes on with their next taken request, or becomes available. An
/// instructor who meanwhile chose another status keeps it.
pub async fn session_ended(
    state: &AppState,
    user_id: &str,
    request_id: &str,
) -> Result<(), AppError> {
    let current: Option<(String, Option<String>)> = db_run!(state.db.reader(), |pool| {
        sqlx::query_as("SELECT status, help_request_id FROM instructor_presence WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(pool)
            .await
    })?;
    let in_this_session = current.is_some_and(|(status, request)| {
        status == Presence::InSession.as_str() && request.as_deref().is_none_or(|r| r == request_id)
    });
    if !in_this_session {
        return Ok(());
    }
    let next: Option<(String, String)> = db_run!(state.db.reader(), |pool| {
        sqlx::query_as(
            "SELECT id, student_email FROM help_requests WHERE instructor_id = $1 \
             AND status = 'in_progress' AND id <> $2 ORDER BY taken_at, id LIMIT 1",
        )
        .bind(user_id)
        .bind(request_id)
        .fetch_optional(pool)
        .await
    })?;
    match &next {
        Some((request, student)) => {
            let options = Options {
                session: Some((request, student)),
                break_minutes: None,
            };
            set(state, user_id, Presence::InSession, options).await
        }
        None => set(state, user_id, Presence::Available, Options::default()).await,
    }
}

/// Ends the breaks whose time is up, as of that time.
pub async fn expire_breaks(state: &AppState) -> Result<(), AppError> {
    let now = Utc::now();
    let over: Vec<(String, DateTime<Utc>)> = db_run!(state.db.reader(), |pool| {
        sqlx::query_as(
            "SELECT user_id, break_until FROM instructor_presence \
             WHERE status = 'break' AND break_until IS NOT NULL AND break_until <= $1",
        )
        .bind(now)
        .fetch_all(pool)
        .await
    })?;
    for (user_id, until) in over {
        set_at(
            state,
            &user_id,
            Presence::Available,
            Options::default(),
            until,
            true,
        )
        .await?;
    }
    Ok(())
}

/// Ends breaks on time, checking every few seconds, for the server's lifetime.
pub async fn end_breaks_on_time(state: AppState) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(5));
    loop {
        every.tick().await;
        if let Err(error) = expire_breaks(&state).await {
            tracing::warn!(%error, "ending breaks failed");
        }
    }
}

/// An instructor's history, newest first.
pub async fn history(db: &Db, user_id: &str, limit: i64) -> Result<Vec<StatusStretch>, AppError> {
    type Row = (
        String,
        Option<String>,
        Option<String>,
        DateTime<Utc>,
        Option<DateTime<Utc>>,
        Option<i64>,
    );
    let rows: Vec<Row> = db_run!(db.reader(), |pool| {
        sqlx::query_as(
                "SELECT status, help_request_id, student_email, started_at, ended_at, duration_seconds \
                 FROM instructor_status_history WHERE user_id = $1 ORDER BY started_at DESC, id DESC LIMIT $2",
            )
            .bind(user_id)
            .bind(limit)
            .fetch_all(pool)
            .await
    })?;
    let now = Utc::now();
    Ok(rows
        .into_iter()
        .map(
            |(status, request, student, started, ended, duration)| StatusStretch {
                status: Presence::parse(&status).unwrap_or(Presence::Offline),
                help_request_id: request,
                student_email: student,
                started_at: started,
                ended_at: ended,
                duration_seconds: duration.unwrap_or_else(|| (now - started).num_seconds().max(0)),
            },
        )
        .collect())
}

/// What an instructor has done (S0.6); `None` for a user who is not an instructor.
pub async fn workload(state: &AppState, user_id: &str) -> Result<Option<Workload>, AppError> {
    expire_breaks(state).await?;
    match status_of(&state.db, user_id).await? {
        Some(status) => Ok(Some(workload_of(&state.db, status).await?)),
        None => Ok(None),
    }
}

/// The workload of the instructor whose status is `status`.
pub async fn workload_of(db: &Db, status: InstructorStatus) -> Result<Workload, AppError> {
    let user_id = status.id.as_str();
    type Taken = (
        String,
        String,
        DateTime<Utc>,
        DateTime<Utc>,
        Option<DateTime<Utc>>,
    );
    let rows: Vec<Taken> = db_run!(db.reader(), |pool| {
        sqlx::query_as(
            "SELECT status, student_email, created_at, taken_at, closed_at FROM help_requests \
             WHERE instructor_id = $1 AND taken_at IS NOT NULL",
        )
        .bind(user_id)
        .fetch_all(pool)
        .await
    })?;
    let average = |values: Vec<f64>| {
        (!values.is_empty()).then(|| values.iter().sum::<f64>() / values.len() as f64)
    };
    let seconds =
        |from: DateTime<Utc>, to: DateTime<Utc>| (to - from).num_milliseconds() as f64 / 1000.0;
    let resolved: Vec<&Taken> = rows.iter().filter(|r| r.0 == "resolved").collect();
    let mut helped: Vec<&str> = resolved.iter().map(|r| r.1.as_str()).collect();
    helped.sort_unstable();
    helped.dedup();
    Ok(Workload {
        instructor_id: status.id,
        name: status.name,
        status: status.status,
        active_sessions: rows.iter().filter(|r| r.0 == "in_progress").count() as i64,
        students_helped: helped.len() as i64,
        requests_resolved: resolved.len() as i64,
        average_seconds_to_take: average(rows.iter().map(|r| seconds(r.2, r.3)).collect()),
        average_seconds_to_resolve: average(
            resolved
                .iter()
                .filter_map(|r| r.4.map(|closed| seconds(r.3, closed)))
                .collect(),
        ),
    })
}

/// Signed in: an instructor becomes available (unless in a session).
pub async fn signed_in(state: &AppState, user: &crate::auth::service::User) {
    if user.role() < crate::auth::model::Role::Instructor {
        return;
    }
    let in_session = matches!(
        status_of(&state.db, &user.id).await,
        Ok(Some(InstructorStatus {
            status: Presence::InSession,
            ..
        }))
    );
    if !in_session
        && let Err(error) = set(state, &user.id, Presence::Available, Options::default()).await
    {
        tracing::warn!(?error, "presence at sign-in");
    }
}

/// Signed out: offline.
pub async fn signed_out(state: &AppState, user_id: &str) {
    let known = matches!(status_of(&state.db, user_id).await, Ok(Some(_)));
    if known && let Err(error) = set(state, user_id, Presence::Offline, Options::default()).await {
        tracing::warn!(?error, "presence at sign-out");
    }
}

/// Open live dashboards per instructor, so that the last one closing starts the grace
/// period after which the instructor is shown offline.
#[derive(Debug, Default)]
pub struct Watchers {
    /// Open dashboards, and a number that changes whenever one opens (so a grace
    /// period that saw a dashboard come and go does not apply).
    open: Mutex<HashMap<String, (usize, u64)>>,
}

impl Watchers {
    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, (usize, u64)>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// A dashboard of `user_id` opened.
    pub fn opened(&self, user_id: &str) {
        let mut open = self.lock();
        let entry = open.entry(user_id.to_owned()).or_default();
        entry.0 += 1;
        entry.1 += 1;
    }

    /// A dashboard closed; the generation to check after the grace period when it was
    /// the last.
    fn closed(&self, user_id: &str) -> Option<u64> {
        let mut open = self.lock();
        let entry = open.get_mut(user_id)?;
        entry.0 = entry.0.saturating_sub(1);
        (entry.0 == 0).then_some(entry.1)
    }

    /// Starts counting `user_id` with no dashboard open; the generation to check.
    fn expect(&self, user_id: &str) -> u64 {
        self.lock().entry(user_id.to_owned()).or_default().1
    }

    fn still_gone(&self, user_id: &str, generation: u64) -> bool {
        self.lock()
            .get(user_id)
            .is_some_and(|(count, g)| *count == 0 && *g == generation)
    }
}

/// An instructor opened a live dashboard: counted, and back from offline.
pub async fn dashboard_opened(state: &AppState, user: &crate::auth::service::User) {
    if user.role() < crate::auth::model::Role::Instructor {
        return;
    }
    state.watchers.opened(&user.id);
    if let Ok(Some(InstructorStatus {
        status: Presence::Offline,
        ..
    })) = status_of(&state.db, &user.id).await
        && let Err(error) = set(state, &user.id, Presence::Available, Options::default()).await
    {
        tracing::warn!(?error, "presence on opening the dashboard");
    }
}

/// An instructor's dashboard closed: after the grace period with none open again,
/// they are offline.
pub fn dashboard_closed(state: &AppState, user_id: &str) {
    if let Some(generation) = state.watchers.closed(user_id) {
        offline_after_grace(state, user_id, generation);
    }
}

/// Keeps an instructor's dashboard counted while it is open: dropped when the socket's
/// task ends, however it ends.
pub struct Watching {
    pub state: AppState,
    pub user_id: String,
}

impl Drop for Watching {
    fn drop(&mut self) {
        dashboard_closed(&self.state, &self.user_id);
    }
}

/// At start: nobody's dashboards are open yet. Instructors shown as present get the
/// grace period to reconnect (open dashboards do so by themselves within seconds).
pub async fn after_restart(state: &AppState) -> Result<(), AppError> {
    let present: Vec<String> = db_run!(state.db.reader(), |pool| {
        sqlx::query_scalar("SELECT user_id FROM instructor_presence WHERE status <> 'offline'")
            .fetch_all(pool)
            .await
    })?;
    for user_id in present {
        let generation = state.watchers.expect(&user_id);
        offline_after_grace(state, &user_id, generation);
    }
    Ok(())
}

fn offline_after_grace(state: &AppState, user_id: &str, generation: u64) {
    let state = state.clone();
    let user_id = user_id.to_owned();
    tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_secs(
            state.config.presence_grace_seconds,
        ))
        .await;
        if state.watchers.still_gone(&user_id, generation)
            && let Err(error) = set(&state, &user_id, Presence::Offline, Options::default()).await
        {
            tracing::warn!(?error, "presence after the grace period");
        }
    });
}
