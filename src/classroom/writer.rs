//! The one writer of cell events: group commit. Requests hand their checked events to a
//! single task, which stores whatever has queued up in one transaction, answers every
//! request once it has committed, and then tells the dashboards (in commit order).
//!
//! Per transaction the write is lean: events, newly completed cells, and counters per
//! student, per notebook and per minute (summed in memory first) are each written many
//! rows per statement, so the dashboard never has to scan events.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot};

use super::event::{CellEvent, EventKind};
use super::live::{Hub, Update};
use super::model::{LiveStatus, StudentState};
use crate::db::Db;
use crate::db_run;

/// Most events one transaction takes; more wait for the next one.
const MAX_BATCH_EVENTS: usize = 5_000;
/// Requests waiting for the writer; beyond this, requests wait to queue.
const QUEUE: usize = 4_096;

/// Why events were not stored.
#[derive(Debug, Clone, thiserror::Error)]
pub enum WriteError {
    #[error("database: {0}")]
    Database(Arc<sqlx::Error>),
    #[error("the event writer has stopped")]
    Stopped,
}

#[derive(Debug)]
struct Job {
    class_id: String,
    events: Vec<CellEvent>,
    reply: oneshot::Sender<Result<Vec<String>, WriteError>>,
}

/// A handle to the writer task; cheap to clone.
#[derive(Clone, Debug)]
pub struct Writer {
    queue: mpsc::Sender<Job>,
}

impl Writer {
    /// Starts the writer task on `db`, announcing stored events on `hub`. It ends once
    /// every handle is dropped and the queue is empty, so nothing accepted is lost.
    pub fn start(db: Db, hub: Arc<Hub>) -> Writer {
        let (queue, receiver) = mpsc::channel(QUEUE);
        tokio::spawn(run(db, hub, receiver));
        Writer { queue }
    }

    /// Stores `events` of `class_id`: their ids (`evt_<n>`) in order, once committed.
    /// An event whose `event_id` its student already sent is not stored again; its first
    /// id is answered.
    pub async fn write(
        &self,
        class_id: &str,
        events: Vec<CellEvent>,
    ) -> Result<Vec<String>, WriteError> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            class_id: class_id.to_owned(),
            events,
            reply,
        };
        self.queue
            .send(job)
            .await
            .map_err(|_| WriteError::Stopped)?;
        answer.await.map_err(|_| WriteError::Stopped)?
    }
}

async fn run(db: Db, hub: Arc<Hub>, mut receiver: mpsc::Receiver<Job>) {
    let mut memory = Memory::default();
    while let Some(first) = receiver.recv().await {
        let mut size = first.events.len();
        let mut jobs = vec![first];
        while size < MAX_BATCH_EVENTS {
            match receiver.try_recv() {
                Ok(job) => {
                    size += job.events.len();
                    jobs.push(job);
                }
                Err(_) => break,
            }
        }
        let batch: Vec<(&str, &[CellEvent])> = jobs
            .iter()
            .map(|job| (job.class_id.as_str(), job.events.as_slice()))
            .collect();
        let mut result = store(&db, &mut memory, &batch).await;
        if result.is_err() {
            // What the writer remembers may be stale (a student deleted meanwhile, or
            // ids taken by another writer): forget it and try once more.
            memory = Memory::default();
            result = store(&db, &mut memory, &batch).await;
        }
        if result.is_err() && jobs.len() > 1 {
            // Still failing: one request's events may be the cause. Store each request
            // alone, so the others are not refused with it.
            for job in jobs {
                let one = [(job.class_id.as_str(), job.events.as_slice())];
                let answer = match store(&db, &mut memory, &one).await {
                    Ok(stored) => {
                        for (class_id, updates) in stored.updates {
                            hub.publish(&class_id, updates);
                        }
                        Ok(stored.ids.into_iter().next().unwrap_or_default())
                    }
                    Err(error) => {
                        tracing::error!(%error, "storing a request's cell events failed");
                        memory = Memory::default();
                        Err(WriteError::Database(Arc::new(error)))
                    }
                };
                let _ = job.reply.send(answer);
            }
            continue;
        }
        match result {
            Ok(stored) => {
                // Answered first: the notebooks wait on these, the dashboards get their
                // messages in the same order either way.
                for (job, ids) in jobs.into_iter().zip(stored.ids) {
                    let _ = job.reply.send(Ok(ids));
                }
                for (class_id, updates) in stored.updates {
                    hub.publish(&class_id, updates);
                }
            }
            Err(error) => {
                tracing::error!(%error, events = size, "storing cell events failed");
                let error = WriteError::Database(Arc::new(error));
                for job in jobs {
                    let _ = job.reply.send(Err(error.clone()));
                }
            }
        }
    }
}

/// What one transaction stored: ids per job, and the live updates per class.
struct Stored {
    ids: Vec<Vec<String>>,
    updates: Vec<(String, Vec<Update>)>,
}

/// The changes to one student within a transaction, in the order of their events.
#[derive(Default)]
struct StudentDelta {
    executions: i64,
    errors: i64,
    /// Whether an execution succeeded (then the streak restarts from `trailing_errors`).
    succeeded: bool,
    trailing_errors: i64,
    /// The last execution's error, `Some(None)` when it succeeded.
    last_error: Option<Option<String>>,
    notebook: String,
    last_at: Option<DateTime<Utc>>,
    /// New executions, in order, for `cell_execution` messages.
    executions_seen: Vec<usize>,
}

#[derive(Default)]
struct NotebookDelta {
    executions: i64,
    cells_ok: i64,
    last_at: Option<DateTime<Utc>>,
}

/// A student of a transaction: `(class, student id)`.
type StudentKey = (String, i64);

fn error_text(event: &CellEvent) -> String {
    format!(
        "{} in {} cell {}",
        event.error_type.as_deref().unwrap_or("Error"),
        event.notebook_path,
        event.cell_id
    )
}

fn unix_minute(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(60)
}

/// Most rows per multi-row statement (parameters stay far below both databases' limits).
const CHUNK: usize = 64;

/// `rows` cut into chunks whose lengths are powers of two (largest first), each with
/// its offset: a statement then has one of seven shapes per kind, prepared once and
/// kept in the connection's statement cache, instead of a new one for every length.
fn shaped<T>(rows: &[T]) -> Vec<(usize, &[T])> {
    let mut chunks = Vec::new();
    let mut start = 0;
    while start < rows.len() {
        let left = rows.len() - start;
        let size = if left >= CHUNK {
            CHUNK
        } else {
            1 << left.ilog2()
        };
        chunks.push((start, &rows[start..start + size]));
        start += size;
    }
    chunks
}

/// The multi-row statements, written once per kind and number of rows.
#[derive(Default)]
struct Statements {
    written: HashMap<(&'static str, usize), String>,
}

impl Statements {
    /// The statement `template` (its rows' place marked `{rows}`) for `rows` rows of
    /// `columns` values, with PostgreSQL's casts per column when given.
    fn get(
        &mut self,
        template: &'static str,
        rows: usize,
        columns: usize,
        casts: Option<&[&str]>,
    ) -> &str {
        self.written
            .entry((template, rows))
            .or_insert_with(|| template.replace("{rows}", &placeholders(rows, columns, casts)))
    }
}

/// A student as stored: id, name and team.
type StoredStudent = (i64, String, Option<String>);

/// What the writer remembers between transactions.
#[derive(Default)]
struct Memory {
    /// `(class, email)` → the student as stored.
    students: HashMap<(String, String), StoredStudent>,
    /// SQLite: the next event id (this process is the file's only writer).
    next_id: Option<i64>,
    statements: Statements,
}

/// Placeholders for `rows` rows of `columns` values: `$n` with PostgreSQL's casts per
/// column (`VALUES` lists in an `UPDATE … FROM` need them), or `?` for SQLite, which
/// looks up each named parameter by a linear search (quadratic for a long statement).
fn placeholders(rows: usize, columns: usize, casts: Option<&[&str]>) -> String {
    (0..rows)
        .map(|row| {
            let values: Vec<String> = (0..columns)
                .map(|col| match casts {
                    Some(casts) => format!(
                        "${}{}",
                        row * columns + col + 1,
                        casts.get(col).copied().unwrap_or("")
                    ),
                    None => "?".to_owned(),
                })
                .collect();
            format!("({})", values.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Ids for `count` new events: PostgreSQL's sequence (other instances may be writing),
/// or SQLite's next numbers.
async fn event_ids(db: &Db, memory: &mut Memory, count: usize) -> Result<Vec<i64>, sqlx::Error> {
    match db {
        Db::Postgres(pool) => {
            sqlx::query_scalar(
                "SELECT nextval(pg_get_serial_sequence('cell_events', 'id')) FROM generate_series(1, $1)",
            )
            .bind(count as i64)
            .fetch_all(pool)
            .await
        }
        Db::Sqlite { writer, .. } => {
            let next = match memory.next_id {
                Some(next) => next,
                None => {
                    let max: Option<i64> = sqlx::query_scalar("SELECT MAX(id) FROM cell_events")
                        .fetch_one(writer)
                        .await?;
                    max.unwrap_or(0) + 1
                }
            };
            memory.next_id = Some(next + count as i64);
            Ok((next..next + count as i64).collect())
        }
    }
}

async fn store(
    db: &Db,
    memory: &mut Memory,
    batch: &[(&str, &[CellEvent])],
) -> Result<Stored, sqlx::Error> {
    let now = Utc::now();
    let postgres = matches!(db, Db::Postgres(_));
    let no_casts: Option<&[&str]> = postgres.then_some(&[]);
    let total: usize = batch.iter().map(|(_, events)| events.len()).sum();
    let ids = event_ids(db, memory, total).await?;
    db_run!(db.writer(), |pool| {
        let mut tx = pool.begin().await?;

        // Each student's id: remembered, or inserted (or renamed) first.
        let mut learned: HashMap<(String, String), StoredStudent> = HashMap::new();
        // Whom each id must be, to catch an id SQLite gave again after a deletion.
        let mut expected: HashMap<i64, (String, String)> = HashMap::new();
        let mut student_of = Vec::with_capacity(total);
        for (class_id, events) in batch {
            for event in events.iter() {
                let key = ((*class_id).to_owned(), event.email.clone());
                let known = learned.get(&key).or_else(|| memory.students.get(&key));
                let current = known.filter(|(_, name, team)| {
                    (event.user_name.is_empty() || event.user_name == *name)
                        && (event.team.is_none() || event.team == *team)
                });
                let id = match current {
                    Some((id, ..)) => *id,
                    None => {
                        let (id, name, team): StoredStudent = sqlx::query_as(
                            "INSERT INTO classroom_students (class_id, email, name, team, created_at) \
                             VALUES ($1, $2, $3, $4, $5) \
                             ON CONFLICT (class_id, email) DO UPDATE SET \
                             name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE classroom_students.name END, \
                             team = COALESCE(excluded.team, classroom_students.team) \
                             RETURNING id, name, team",
                        )
                        .bind(*class_id)
                        .bind(&event.email)
                        .bind(&event.user_name)
                        .bind(&event.team)
                        .bind(now)
                        .fetch_one(&mut *tx)
                        .await?;
                        learned.insert(key.clone(), (id, name, team));
                        id
                    }
                };
                expected.insert(id, key);
                student_of.push(id);
            }
        }

        // The events, many per statement, under ids chosen here so that the stored ones
        // are known by id.
        let flat: Vec<(&str, &CellEvent)> = batch
            .iter()
            .flat_map(|(class_id, events)| events.iter().map(move |e| (*class_id, e)))
            .collect();
        let mut inserted: std::collections::HashSet<i64> = std::collections::HashSet::new();
        for (start, chunk) in shaped(&flat) {
            let sql = memory.statements.get(
                "INSERT INTO cell_events (id, student_id, event_key, kind, notebook_path, cell_id, cell_type, \
                 execution_count, failed, error_type, error_message, code, output, truncated, execution_ms, \
                 occurred_at, received_at) VALUES {rows} \
                 ON CONFLICT (student_id, event_key) DO NOTHING RETURNING id",
                chunk.len(),
                17,
                no_casts,
            );
            let mut query = sqlx::query_scalar::<_, i64>(sql);
            for (offset, (_, event)) in chunk.iter().enumerate() {
                query = query
                    .bind(ids[start + offset])
                    .bind(student_of[start + offset])
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
                    .bind(now);
            }
            inserted.extend(query.fetch_all(&mut *tx).await?);
        }

        let mut all_ids = Vec::with_capacity(batch.len());
        let mut order: Vec<StudentKey> = Vec::new();
        let mut deltas: HashMap<StudentKey, StudentDelta> = HashMap::new();
        let mut notebooks: HashMap<(i64, String), (String, NotebookDelta)> = HashMap::new();
        let mut minutes: HashMap<(String, i64), (i64, i64)> = HashMap::new();
        let mut completed_cells: Vec<(i64, &str, &str)> = Vec::new();
        let mut completed_seen: std::collections::HashSet<(i64, &str, &str)> =
            std::collections::HashSet::new();
        let mut executions: Vec<(StudentKey, &CellEvent)> = Vec::new();
        let mut index = 0;
        for (class_id, events) in batch {
            let mut job_ids = Vec::with_capacity(events.len());
            for event in events.iter() {
                let (id, student) = (ids[index], student_of[index]);
                index += 1;
                if !inserted.contains(&id) {
                    // A retry: answer the id the event was first stored under.
                    let first: i64 = sqlx::query_scalar(
                        "SELECT id FROM cell_events WHERE student_id = $1 AND event_key = $2",
                    )
                    .bind(student)
                    .bind(&event.event_key)
                    .fetch_one(&mut *tx)
                    .await?;
                    job_ids.push(format!("evt_{first}"));
                    continue;
                }
                job_ids.push(format!("evt_{id}"));
                // A student's clock may run ahead: activity is never later than arrival.
                let at = event.occurred_at.min(now);
                let key = ((*class_id).to_owned(), student);
                let delta = deltas.entry(key.clone()).or_insert_with(|| {
                    order.push(key.clone());
                    StudentDelta::default()
                });
                delta.notebook = event.notebook_path.clone();
                delta.last_at = delta.last_at.max(Some(at));
                let notebook = &mut notebooks
                    .entry((student, event.notebook_path.clone()))
                    .or_insert_with(|| ((*class_id).to_owned(), NotebookDelta::default()))
                    .1;
                notebook.last_at = notebook.last_at.max(Some(at));
                if event.kind != EventKind::CellExecuted {
                    continue;
                }
                delta.executions += 1;
                notebook.executions += 1;
                let minute = minutes
                    .entry(((*class_id).to_owned(), unix_minute(at)))
                    .or_default();
                minute.0 += 1;
                if event.failed == Some(true) {
                    delta.errors += 1;
                    delta.trailing_errors += 1;
                    delta.last_error = Some(Some(error_text(event)));
                    minute.1 += 1;
                } else {
                    delta.succeeded = true;
                    delta.trailing_errors = 0;
                    delta.last_error = Some(None);
                    let cell = (
                        student,
                        event.notebook_path.as_str(),
                        event.cell_id.as_str(),
                    );
                    if completed_seen.insert(cell) {
                        completed_cells.push(cell);
                    }
                }
                delta.executions_seen.push(executions.len());
                executions.push((key, event));
            }
            all_ids.push(job_ids);
        }

        // Cells run successfully for the first time move their notebook's completion.
        for (_, chunk) in shaped(&completed_cells) {
            let sql = memory.statements.get(
                "INSERT INTO student_cells (student_id, notebook_path, cell_id) VALUES {rows} \
                 ON CONFLICT DO NOTHING RETURNING student_id, notebook_path",
                chunk.len(),
                3,
                no_casts,
            );
            let mut query = sqlx::query_as::<_, (i64, String)>(sql);
            for (student, path, cell) in chunk {
                query = query.bind(student).bind(*path).bind(*cell);
            }
            for (student, path) in query.fetch_all(&mut *tx).await? {
                if let Some((_, notebook)) = notebooks.get_mut(&(student, path)) {
                    notebook.cells_ok += 1;
                }
            }
        }

        let minute_rows: Vec<_> = minutes.iter().collect();
        for (_, chunk) in shaped(&minute_rows) {
            let sql = memory.statements.get(
                "INSERT INTO class_activity (class_id, minute, executions, errors) VALUES {rows} \
                 ON CONFLICT (class_id, minute) DO UPDATE SET \
                 executions = class_activity.executions + excluded.executions, \
                 errors = class_activity.errors + excluded.errors",
                chunk.len(),
                4,
                no_casts,
            );
            let mut query = sqlx::query(sql);
            for ((class_id, minute), (count, errors)) in chunk {
                query = query.bind(class_id).bind(minute).bind(count).bind(errors);
            }
            query.execute(&mut *tx).await?;
        }

        let notebook_rows: Vec<_> = notebooks.iter().collect();
        let mut cells_ok: HashMap<(i64, String), i64> = HashMap::new();
        for (_, chunk) in shaped(&notebook_rows) {
            let sql = memory.statements.get(
                "INSERT INTO student_notebooks (student_id, class_id, notebook_path, executions, cells_ok, last_at) \
                 VALUES {rows} ON CONFLICT (student_id, notebook_path) DO UPDATE SET \
                 executions = student_notebooks.executions + excluded.executions, \
                 cells_ok = student_notebooks.cells_ok + excluded.cells_ok, \
                 last_at = CASE WHEN excluded.last_at > student_notebooks.last_at \
                 THEN excluded.last_at ELSE student_notebooks.last_at END \
                 RETURNING student_id, notebook_path, cells_ok",
                chunk.len(),
                6,
                no_casts,
            );
            let mut query = sqlx::query_as::<_, (i64, String, i64)>(sql);
            for ((student, path), (class_id, delta)) in chunk {
                query = query
                    .bind(student)
                    .bind(class_id)
                    .bind(path)
                    .bind(delta.executions)
                    .bind(delta.cells_ok)
                    .bind(delta.last_at.unwrap_or(now));
            }
            for (student, path, ok) in query.fetch_all(&mut *tx).await? {
                cells_ok.insert((student, path), ok);
            }
        }

        // Every touched student's counters in few statements, their new rows returned.
        let casts: Option<&[&str]> = postgres.then_some(&[
            "::bigint",
            "::bigint",
            "::bigint",
            "::boolean",
            "::bigint",
            "::boolean",
            "::text",
            "::text",
            "::timestamptz",
        ]);
        let mut rows: HashMap<i64, StudentRow> = HashMap::new();
        for (_, chunk) in shaped(&order) {
            let sql = memory.statements.get(
                "UPDATE classroom_students SET \
                 executions = classroom_students.executions + v.column2, \
                 errors = classroom_students.errors + v.column3, \
                 error_streak = CASE WHEN v.column4 THEN v.column5 ELSE classroom_students.error_streak + v.column5 END, \
                 last_error = CASE WHEN v.column6 THEN v.column7 ELSE classroom_students.last_error END, \
                 current_notebook = v.column8, \
                 last_activity_at = CASE WHEN classroom_students.last_activity_at IS NULL \
                 OR classroom_students.last_activity_at < v.column9 THEN v.column9 \
                 ELSE classroom_students.last_activity_at END, \
                 version = classroom_students.version + 1 \
                 FROM (VALUES {rows}) AS v WHERE classroom_students.id = v.column1 \
                 RETURNING id, class_id, email, name, team, current_notebook, last_activity_at, executions, \
                 errors, error_streak, last_error, version, help_open",
                chunk.len(),
                9,
                casts,
            );
            let mut query = sqlx::query_as::<_, UpdatedStudent>(sql);
            for key in chunk {
                let delta = &deltas[key];
                let (has_last, last_error) = match &delta.last_error {
                    Some(error) => (true, error.clone()),
                    None => (false, None),
                };
                query = query
                    .bind(key.1)
                    .bind(delta.executions)
                    .bind(delta.errors)
                    .bind(delta.succeeded)
                    .bind(delta.trailing_errors)
                    .bind(has_last)
                    .bind(last_error)
                    .bind(&delta.notebook)
                    .bind(delta.last_at.unwrap_or(now));
            }
            for UpdatedStudent { class_id, row } in query.fetch_all(&mut *tx).await? {
                if expected.get(&row.id) != Some(&(class_id, row.email.clone())) {
                    return Err(sqlx::Error::Protocol(format!(
                        "student {} is no longer the remembered student",
                        row.id
                    )));
                }
                rows.insert(row.id, row);
            }
        }

        // The most cells anyone has completed in each notebook now current.
        let mut best: HashMap<(String, String), i64> = HashMap::new();
        for key in &order {
            let notebook_key = (key.0.clone(), deltas[key].notebook.clone());
            if best.contains_key(&notebook_key) {
                continue;
            }
            let value: Option<i64> = sqlx::query_scalar(
                "SELECT MAX(cells_ok) FROM student_notebooks WHERE class_id = $1 AND notebook_path = $2",
            )
            .bind(&notebook_key.0)
            .bind(&notebook_key.1)
            .fetch_one(&mut *tx)
            .await?;
            best.insert(notebook_key, value.unwrap_or(0));
        }
        tx.commit().await?;
        memory.students.extend(learned);

        let mut updates: Vec<(String, Vec<Update>)> = Vec::new();
        for key in &order {
            let (Some(delta), Some(row)) = (deltas.get(key), rows.remove(&key.1)) else {
                continue;
            };
            let own = cells_ok
                .get(&(key.1, delta.notebook.clone()))
                .copied()
                .unwrap_or(0);
            let class_best = best
                .get(&(key.0.clone(), delta.notebook.clone()))
                .copied()
                .unwrap_or(0);
            let state = row.into_state(own, class_best, now);
            let slot = match updates.iter().position(|(class, _)| class == &key.0) {
                Some(slot) => slot,
                None => {
                    updates.push((key.0.clone(), Vec::new()));
                    updates.len() - 1
                }
            };
            let list = &mut updates[slot].1;
            if delta.executions_seen.is_empty() {
                list.push(Update::Progress(state.clone()));
            }
            for index in &delta.executions_seen {
                let event = executions[*index].1;
                list.push(Update::Execution {
                    student: state.clone(),
                    notebook_path: event.notebook_path.clone(),
                    cell_id: event.cell_id.clone(),
                    failed: event.failed == Some(true),
                    error_type: event.error_type.clone(),
                    execution_time: event.execution_ms.map(|ms| ms as f64 / 1000.0),
                    at: event.occurred_at.min(now),
                });
            }
        }
        Ok(Stored {
            ids: all_ids,
            updates,
        })
    })
}

/// A student's row after the counters' update, with its class.
#[derive(sqlx::FromRow)]
struct UpdatedStudent {
    class_id: String,
    #[sqlx(flatten)]
    row: StudentRow,
}

/// A `classroom_students` row as the dashboard reads it (also from a JSON array of its
/// columns in this order).
#[derive(sqlx::FromRow, serde::Deserialize)]
pub struct StudentRow {
    pub id: i64,
    pub email: String,
    pub name: String,
    pub team: Option<String>,
    pub current_notebook: Option<String>,
    pub last_activity_at: Option<DateTime<Utc>>,
    pub executions: i64,
    pub errors: i64,
    pub error_streak: i64,
    pub last_error: Option<String>,
    pub version: i64,
    /// A help request is open.
    pub help_open: bool,
}

impl StudentRow {
    /// The dashboard's view of the row, with `cells_ok` of the current notebook out of
    /// the class's best.
    pub fn into_state(self, cells_ok: i64, class_best: i64, now: DateTime<Utc>) -> StudentState {
        let progress = if class_best > 0 {
            ((cells_ok.min(class_best) * 100) / class_best) as u8
        } else {
            0
        };
        let mut state = StudentState {
            id: self.id,
            email_address: self.email,
            user_name: self.name,
            team_name: self.team,
            current_notebook: self.current_notebook,
            last_activity: self.last_activity_at,
            last_seen: self.last_activity_at,
            status: LiveStatus::Inactive,
            cell_executions: self.executions,
            error_count: self.errors,
            error_streak: self.error_streak,
            last_error: self.last_error,
            is_requesting_help: self.help_open,
            progress_percentage: progress,
            version: self.version,
        };
        state.status = state.status_at(now);
        state
    }
}
