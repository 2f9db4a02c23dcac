//! The one writer of cell events: group commit. Requests hand their checked events to a
//! single task, which stores whatever has queued up in one transaction, answers every
//! request once it has committed, and then tells the dashboards (in commit order).
//!
//! Per transaction the write is lean: events, newly completed cells, and counters per
//! student, per notebook and per minute (summed in memory first), so the dashboard never
//! has to scan events. On SQLite the writer owns a connection on its own thread and runs
//! a transaction as one blocking call ([`sqlite`]); on PostgreSQL it writes many rows per
//! statement through the pool ([`postgres`]). What a batch changes is worked out here,
//! the same for both.

mod postgres;
mod sqlite;
mod wal_vfs;

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tokio::sync::{mpsc, oneshot};

use super::event::{CellEvent, EventKind};
use super::live::{Hub, Update};
use super::model::{LiveStatus, StudentState};
use crate::db::Db;

/// Most events one transaction takes; more wait for the next one.
const MAX_BATCH_EVENTS: usize = 5_000;
/// Requests waiting for the writer; beyond this, requests wait to queue.
const QUEUE: usize = 4_096;

/// Why events were not stored.
#[derive(Debug, Clone, thiserror::Error)]
pub enum WriteError {
    #[error("database: {0}")]
    Database(Arc<str>),
    #[error("the event writer has stopped")]
    Stopped,
}

/// Why a transaction failed, from either database's driver.
#[derive(Debug, thiserror::Error)]
enum StoreError {
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    #[error("student {0} is no longer the remembered student")]
    StaleStudent(i64),
}

/// Why the writer could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot open the database for the event writer: {0}")]
    Open(#[from] rusqlite::Error),
    #[error("cannot fill in the key hashes of earlier events: {0}")]
    Hash(rusqlite::Error),
    #[error("cannot start the event writer's thread: {0}")]
    Thread(#[from] std::io::Error),
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
    /// Starts the writer on `db`, announcing stored events on `hub`: on SQLite a thread
    /// with its own connection to the file, on PostgreSQL a task on the pool. It ends
    /// once every handle is dropped and the queue is empty, so nothing accepted is lost.
    pub fn start(db: Db, hub: Arc<Hub>) -> Result<Writer, StartError> {
        let (queue, receiver) = mpsc::channel(QUEUE);
        match db {
            Db::Sqlite { writer, .. } => {
                let options = writer.connect_options();
                let path = options.get_filename();
                let mut connection = sqlite::open(path)?;
                sqlite::hash_earlier_keys(&mut connection).map_err(StartError::Hash)?;
                let checkpointer = sqlite::start_checkpointer(path)?;
                let storage = Storage::Sqlite {
                    connection: Box::new(connection),
                    turns: writer,
                    turn: None,
                    _checkpointer: checkpointer,
                };
                // Blocking calls on a thread of its own: the runtime's workers stay free
                // for requests. The loop waits without the runtime; the hub's delayed
                // flushes are spawned on it.
                let runtime = tokio::runtime::Handle::current();
                std::thread::Builder::new()
                    .name("lectern-event-writer".to_owned())
                    .spawn(move || {
                        let _runtime = runtime.enter();
                        futures::executor::block_on(run(storage, hub, receiver))
                    })?;
            }
            Db::Postgres(pool) => {
                let storage = Storage::Postgres(pool, postgres::Statements::default());
                tokio::spawn(run(storage, hub, receiver));
            }
        }
        Ok(Writer { queue })
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

/// Longest the writer keeps its turn on SQLite while batches keep coming: taking it for
/// every transaction costs a hand-over through the runtime each time, and the file's
/// other writes wait at most this long.
const TURN: std::time::Duration = std::time::Duration::from_millis(20);

/// Where transactions go.
enum Storage {
    /// The writer's own connection, and the pool of the file's other writes: its one
    /// connection is held while the writer writes (`turn`, since when), so that those
    /// writes take turns with the events' (first come, first served) instead of failing
    /// with "database is locked" while the writer is busy.
    Sqlite {
        connection: Box<rusqlite::Connection>,
        turns: sqlx::SqlitePool,
        turn: Option<(sqlx::pool::PoolConnection<sqlx::Sqlite>, std::time::Instant)>,
        _checkpointer: sqlite::Checkpointer,
    },
    /// The pool, and the multi-row statements written so far (once per shape; they
    /// never go stale, so they outlive a reset of the writer's memory).
    Postgres(sqlx::PgPool, postgres::Statements),
}

impl Storage {
    /// Nothing more to write for now: the file's other writes may go.
    fn pause(&mut self) {
        if let Storage::Sqlite { turn, .. } = self {
            *turn = None;
        }
    }

    async fn store(
        &mut self,
        memory: &mut Memory,
        batch: &[(&str, &[CellEvent])],
    ) -> Result<Stored, StoreError> {
        match self {
            Storage::Sqlite {
                connection,
                turns,
                turn,
                ..
            } => {
                if turn
                    .as_ref()
                    .is_none_or(|(_, since)| since.elapsed() >= TURN)
                {
                    // Handed back first: a write waiting for its turn goes next.
                    *turn = None;
                    *turn = Some((turns.acquire().await?, std::time::Instant::now()));
                }
                sqlite::store(connection, memory, batch)
            }
            Storage::Postgres(pool, statements) => {
                postgres::store(pool, statements, memory, batch).await
            }
        }
    }
}

async fn run(mut storage: Storage, hub: Arc<Hub>, mut receiver: mpsc::Receiver<Job>) {
    let mut memory = Memory::default();
    loop {
        let first = match receiver.try_recv() {
            Ok(job) => job,
            Err(_) => {
                storage.pause();
                match receiver.recv().await {
                    Some(job) => job,
                    None => break,
                }
            }
        };
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
        let mut result = storage.store(&mut memory, &batch).await;
        if result.is_err() {
            // What the writer remembers may be stale (a student deleted meanwhile, or
            // ids taken by another writer): forget it and try once more.
            memory = Memory::default();
            result = storage.store(&mut memory, &batch).await;
        }
        if result.is_err() && jobs.len() > 1 {
            // Still failing: one request's events may be the cause. Store each request
            // alone, so the others are not refused with it.
            for job in jobs {
                let one = [(job.class_id.as_str(), job.events.as_slice())];
                let answer = match storage.store(&mut memory, &one).await {
                    Ok(stored) => {
                        for (class_id, updates) in stored.updates {
                            hub.publish(&class_id, updates);
                        }
                        Ok(stored.ids.into_iter().next().unwrap_or_default())
                    }
                    Err(error) => {
                        tracing::error!(%error, "storing a request's cell events failed");
                        memory = Memory::default();
                        Err(WriteError::Database(error.to_string().into()))
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
                let error = WriteError::Database(error.to_string().into());
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
    /// New executions, in order, for `cell_execution` messages (indexes into
    /// [`Changes::executions`]).
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

/// Adds a class's student, or renames it: `$1` class, `$2` email, `$3` name (empty
/// keeps the stored one), `$4` team (none keeps it), `$5` now. Its id, name and team.
/// (SQLite numbers `$n` parameters by first appearance, so they bind in this order.)
const STUDENT_UPSERT: &str = "INSERT INTO classroom_students (class_id, email, name, team, created_at) \
     VALUES ($1, $2, $3, $4, $5) \
     ON CONFLICT (class_id, email) DO UPDATE SET \
     name = CASE WHEN excluded.name <> '' THEN excluded.name ELSE classroom_students.name END, \
     team = COALESCE(excluded.team, classroom_students.team) \
     RETURNING id, name, team";

/// A student as stored: id, name and team.
type StoredStudent = (i64, String, Option<String>);

/// What the writer remembers between transactions.
#[derive(Default)]
struct Memory {
    /// `(class, email)` → the student as stored.
    students: HashMap<(String, String), StoredStudent>,
    /// SQLite: the next event id (this writer is the only one to add events).
    next_id: Option<i64>,
}

/// The id of the student `event` names, when it is known (from `memory`, or `learned`
/// earlier in this transaction) with the name and team the event gives; `None` means it
/// must be inserted or updated first.
fn known_student(
    memory: &Memory,
    learned: &HashMap<(String, String), StoredStudent>,
    key: &(String, String),
    event: &CellEvent,
) -> Option<i64> {
    learned
        .get(key)
        .or_else(|| memory.students.get(key))
        .filter(|(_, name, team)| {
            (event.user_name.is_empty() || event.user_name == *name)
                && (event.team.is_none() || event.team == *team)
        })
        .map(|(id, ..)| *id)
}

/// An event sent before: its job and place there, and how to find its first id (a retry
/// is the same `event_id` at the same time, as a client resends it).
struct Retry<'a> {
    job: usize,
    position: usize,
    student: i64,
    occurred_at: DateTime<Utc>,
    event_key: Option<&'a str>,
}

/// What a transaction's new events change, summed per student, notebook and minute.
#[derive(Default)]
struct Changes<'a> {
    /// Per job, each event's answer (`evt_<id>`); a retry's is filled in from `retries`.
    ids: Vec<Vec<String>>,
    retries: Vec<Retry<'a>>,
    /// The students in the order of their first event.
    order: Vec<StudentKey>,
    deltas: HashMap<StudentKey, StudentDelta>,
    /// `(student, notebook)` → `(class, delta)`.
    notebooks: HashMap<(i64, String), (String, NotebookDelta)>,
    /// `(class, unix minute)` → `(executions, errors)`.
    minutes: HashMap<(String, i64), (i64, i64)>,
    /// Cells run successfully in this transaction: `(student, notebook, cell)`, once each.
    completed_cells: Vec<(i64, &'a str, &'a str)>,
    /// The new executions, in order.
    executions: Vec<&'a CellEvent>,
}

impl<'a> Changes<'a> {
    /// Sums up `batch`, whose events got `ids` and belong to `student_of`; only those in
    /// `inserted` are new.
    fn of(
        batch: &[(&str, &'a [CellEvent])],
        ids: &[i64],
        student_of: &[i64],
        inserted: &HashSet<i64>,
        now: DateTime<Utc>,
    ) -> Changes<'a> {
        let mut changes = Changes::default();
        let mut completed_seen: HashSet<(i64, &str, &str)> = HashSet::new();
        let mut index = 0;
        for (job, (class_id, events)) in batch.iter().enumerate() {
            let mut job_ids = Vec::with_capacity(events.len());
            for (position, event) in events.iter().enumerate() {
                let (id, student) = (ids[index], student_of[index]);
                index += 1;
                if !inserted.contains(&id) {
                    changes.retries.push(Retry {
                        job,
                        position,
                        student,
                        occurred_at: event.occurred_at,
                        event_key: event.event_key.as_deref(),
                    });
                    job_ids.push(String::new());
                    continue;
                }
                job_ids.push(format!("evt_{id}"));
                // A student's clock may run ahead: activity is never later than arrival.
                let at = event.occurred_at.min(now);
                let key = ((*class_id).to_owned(), student);
                let delta = changes.deltas.entry(key.clone()).or_insert_with(|| {
                    changes.order.push(key.clone());
                    StudentDelta::default()
                });
                delta.notebook = event.notebook_path.clone();
                delta.last_at = delta.last_at.max(Some(at));
                let notebook = &mut changes
                    .notebooks
                    .entry((student, event.notebook_path.clone()))
                    .or_insert_with(|| ((*class_id).to_owned(), NotebookDelta::default()))
                    .1;
                notebook.last_at = notebook.last_at.max(Some(at));
                if event.kind != EventKind::CellExecuted {
                    continue;
                }
                delta.executions += 1;
                notebook.executions += 1;
                let minute = changes
                    .minutes
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
                        changes.completed_cells.push(cell);
                    }
                }
                delta.executions_seen.push(changes.executions.len());
                changes.executions.push(event);
            }
            changes.ids.push(job_ids);
        }
        changes
    }

    /// Each `(class, notebook)` now current for one of the students, once.
    fn current_notebooks(&self) -> Vec<(String, String)> {
        let mut seen = HashSet::new();
        self.order
            .iter()
            .map(|key| (key.0.clone(), self.deltas[key].notebook.clone()))
            .filter(|notebook| seen.insert(notebook.clone()))
            .collect()
    }

    /// The live messages per class, from the students' rows after the update, each one's
    /// completed cells in its current notebook, and the class's best there.
    fn updates(
        &self,
        mut rows: HashMap<i64, StudentRow>,
        cells_ok: &HashMap<(i64, String), i64>,
        best: &HashMap<(String, String), i64>,
        now: DateTime<Utc>,
    ) -> Vec<(String, Vec<Update>)> {
        let mut updates: Vec<(String, Vec<Update>)> = Vec::new();
        for key in &self.order {
            let (Some(delta), Some(row)) = (self.deltas.get(key), rows.remove(&key.1)) else {
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
                let event = self.executions[*index];
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
        updates
    }
}

impl StudentDelta {
    /// The last error to store: `(whether to replace it, the new one)`.
    fn last_error(&self) -> (bool, Option<String>) {
        match &self.last_error {
            Some(error) => (true, error.clone()),
            None => (false, None),
        }
    }
}

/// Checks that an updated row is the student the writer took it for: SQLite may give a
/// deleted student's id again.
fn check_student(
    expected: &HashMap<i64, (String, String)>,
    class_id: String,
    row: &StudentRow,
) -> Result<(), StoreError> {
    if expected.get(&row.id) == Some(&(class_id, row.email.clone())) {
        Ok(())
    } else {
        Err(StoreError::StaleStudent(row.id))
    }
}

/// A `classroom_students` row as the dashboard reads it (also from a JSON array of its
/// columns in this order, and by the SQLite writer in this order).
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
