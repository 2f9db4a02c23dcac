//! The writer's transactions on SQLite. The writer owns a connection to the file on its
//! own thread, and a transaction is one blocking call of single-row statements, each
//! prepared once and kept: nothing crosses threads per statement, and SQLite's own cost
//! per row is a few microseconds.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use rusqlite::{Connection, OpenFlags, Row, TransactionBehavior, params};

use super::{
    Changes, Memory, STUDENT_UPSERT, StoreError, Stored, StoredStudent, StudentRow, check_student,
    known_student,
};
use crate::classroom::event::CellEvent;

/// Opens the writer's connection to the file the pools use (already in WAL mode), with
/// the pools' settings, through the VFS that gathers WAL writes ([`super::wal_vfs`]).
pub(super) fn open(path: &Path) -> Result<Connection, rusqlite::Error> {
    let flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let connection = if super::wal_vfs::register() {
        Connection::open_with_flags_and_vfs(path, flags, super::wal_vfs::NAME)?
    } else {
        Connection::open_with_flags(path, flags)?
    };
    connection.busy_handler(Some(retry_soon))?;
    connection.pragma_update(None, "synchronous", "NORMAL")?;
    connection.pragma_update(None, "foreign_keys", true)?;
    connection.pragma_update(None, "temp_store", "MEMORY")?;
    // The checkpointer moves pages into the file, so that commits never wait on it.
    connection.pragma_update(None, "wal_autocheckpoint", 0)?;
    // 16 MiB of pages (SQLite's default is 2 MiB): a busy class's students, counters and
    // index leaves stay cached between transactions instead of being read back each time.
    connection.pragma_update(None, "cache_size", -16_384)?;
    Ok(connection)
}

/// How long [`retry_soon`] waits between tries, and how many it makes (5 s in all).
const RETRY_EVERY: Duration = Duration::from_micros(200);
const RETRIES: i32 = 25_000;

/// The busy handler of the writer and the checkpointer, in place of SQLite's own, which
/// sleeps 1, 2, 5, 10, 15… ms between tries: a commit that met the checkpointer's lock
/// for 10 ms would wait 18, with every notebook in the room waiting on it.
fn retry_soon(tries: i32) -> bool {
    std::thread::sleep(RETRY_EVERY);
    tries < RETRIES
}

/// How often the checkpointer moves committed pages from the WAL into the file.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(1);
/// WAL pages (4 KiB each) beyond which the checkpointer makes the writer wait once, so
/// that the WAL starts over instead of growing under a writer that never pauses.
const WAL_RESTART_PAGES: i64 = 16_384;

/// Catching up before a restart stops once a copy found at most this many new pages,
/// or after this many copies.
const CATCH_UP_PAGES: i64 = 256;
const CATCH_UP_ROUNDS: usize = 4;

/// Keeps the checkpointer running; it stops when this is dropped (with the writer).
pub(super) struct Checkpointer {
    _stop: std::sync::mpsc::Sender<()>,
}

/// Starts the checkpointer: its own connection on its own thread, which copies the WAL
/// into the file every [`CHECKPOINT_EVERY`]. Done by the writer's own commits (SQLite's
/// default, every 1,000 pages), each such commit would wait for the copy and two fsyncs
/// while every notebook waits on the commit.
pub(super) fn start_checkpointer(path: &Path) -> Result<Checkpointer, super::StartError> {
    let connection = open(path)?;
    let (stop, stopped) = std::sync::mpsc::channel::<()>();
    std::thread::Builder::new()
        .name("lectern-checkpointer".to_owned())
        .spawn(move || {
            background_priority();
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) =
                stopped.recv_timeout(CHECKPOINT_EVERY)
            {
                if let Err(error) = checkpoint(&connection) {
                    tracing::warn!(%error, "WAL checkpoint");
                }
            }
        })?;
    Ok(Checkpointer { _stop: stop })
}

/// Gives the calling thread a lower CPU priority (nice 10; on Linux, nice is per thread):
/// a checkpoint's copying then waits for requests and dashboards instead of delaying
/// them when the cores are busy.
fn background_priority() {
    // SAFETY: setpriority changes a scheduling setting of this thread; no memory is passed.
    let refused = unsafe { libc::setpriority(libc::PRIO_PROCESS, 0, 10) } != 0;
    if refused {
        tracing::debug!("the checkpointer keeps its priority (setpriority refused)");
    }
}

/// Copies what it can without waiting; when the WAL has grown large, also waits for
/// the writer so that the WAL starts over. That wait holds every commit back while it
/// copies and syncs what is left, so first it catches up without waiting, until the
/// writer added little during the last copy.
fn checkpoint(connection: &Connection) -> rusqlite::Result<()> {
    let mut pages = passive(connection)?;
    if pages > WAL_RESTART_PAGES {
        for _ in 0..CATCH_UP_ROUNDS {
            let now = passive(connection)?;
            let added = now - pages;
            pages = now;
            if added <= CATCH_UP_PAGES {
                break;
            }
        }
        connection.query_row("PRAGMA wal_checkpoint(RESTART)", [], |_| Ok(()))?;
    }
    Ok(())
}

/// A checkpoint that copies what the readers allow without waiting for anyone: the
/// frames in the WAL.
fn passive(connection: &Connection) -> rusqlite::Result<i64> {
    connection.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |row| row.get(1))
}

/// A time as sqlx writes it to SQLite, so that both compare and read back alike.
fn text(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::AutoSi, false)
}

/// A time read back: RFC 3339, or SQLite's own `YYYY-MM-DD HH:MM:SS` form.
fn time(row: &Row, column: usize) -> rusqlite::Result<Option<DateTime<Utc>>> {
    let Some(value) = row.get::<_, Option<String>>(column)? else {
        return Ok(None);
    };
    DateTime::parse_from_rfc3339(&value)
        .map(|at| at.with_timezone(&Utc))
        .or_else(|_| NaiveDateTime::parse_from_str(&value, "%F %T%.f").map(|at| at.and_utc()))
        .map(Some)
        .map_err(|error| {
            rusqlite::Error::FromSqlConversionFailure(
                column,
                rusqlite::types::Type::Text,
                error.into(),
            )
        })
}

/// A student's class and row, from the columns of the writer's read after its update.
fn student_row(row: &Row) -> rusqlite::Result<(String, StudentRow)> {
    Ok((
        row.get(1)?,
        StudentRow {
            id: row.get(0)?,
            email: row.get(2)?,
            name: row.get(3)?,
            team: row.get(4)?,
            current_notebook: row.get(5)?,
            last_activity_at: time(row, 6)?,
            executions: row.get(7)?,
            errors: row.get(8)?,
            error_streak: row.get(9)?,
            last_error: row.get(10)?,
            version: row.get(11)?,
            help_open: row.get(12)?,
        },
    ))
}

/// The event a student sent before with the same client id and time (a retry): found
/// by the id's hash in the index of the student's events by time, then compared as text.
const SENT_BEFORE: &str = "SELECT id FROM cell_events \
     WHERE student_id = ?1 AND occurred_at = ?2 AND key_hash = ?3 AND event_key = ?4";

/// The hash of a client's event id that the index of events holds: 31 bits, so that the
/// index entry is small. Stored on disk, so it must never change. Equal ids always have
/// equal hashes; different ids rarely do, and [`SENT_BEFORE`] compares the text.
pub(super) fn key_hash(key: &str) -> i64 {
    key.chars().fold(0, |hash, c| {
        (hash * 131 + i64::from(u32::from(c))) % 2_147_483_647
    })
}

/// How many events [`hash_earlier_keys`] fills in per transaction.
const HASHES_PER_TRANSACTION: usize = 10_000;

/// Fills in the key hash of the events stored before migration 0011 (listed in
/// `cell_event_key_hashes`), ten thousand per transaction; a no-op once done.
pub(super) fn hash_earlier_keys(connection: &mut Connection) -> rusqlite::Result<()> {
    loop {
        let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let earlier: Vec<(i64, String)> = tx
            .prepare(
                "SELECT e.id, e.event_key FROM cell_event_key_hashes h \
                 JOIN cell_events e ON e.id = h.event_id LIMIT ?1",
            )?
            .query_map([HASHES_PER_TRANSACTION], |row| {
                Ok((row.get(0)?, row.get(1)?))
            })?
            .collect::<rusqlite::Result<_>>()?;
        let mut set = tx.prepare("UPDATE cell_events SET key_hash = ?2 WHERE id = ?1")?;
        let mut done = tx.prepare("DELETE FROM cell_event_key_hashes WHERE event_id = ?1")?;
        for (id, key) in &earlier {
            set.execute(params![id, key_hash(key)])?;
            done.execute([id])?;
        }
        drop((set, done));
        // Events deleted since (their class or student was) leave ids that join nothing.
        if earlier.len() < HASHES_PER_TRANSACTION {
            tx.execute("DELETE FROM cell_event_key_hashes", [])?;
            return tx.commit();
        }
        tx.commit()?;
    }
}

/// Stores `batch` in one transaction.
pub(super) fn store(
    connection: &mut Connection,
    memory: &mut Memory,
    batch: &[(&str, &[CellEvent])],
) -> Result<Stored, StoreError> {
    let now = Utc::now();
    let now_text = text(now);
    let total: usize = batch.iter().map(|(_, events)| events.len()).sum();
    // Immediate: the write lock is taken (or waited for) before anything is read.
    let tx = connection.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Ids chosen here, so that the stored events are known by id; this writer is the
    // only one to add events.
    let next = match memory.next_id {
        Some(next) => next,
        None => tx.query_row(
            "SELECT COALESCE(MAX(id), 0) + 1 FROM cell_events",
            [],
            |row| row.get(0),
        )?,
    };
    let ids: Vec<i64> = (next..next + total as i64).collect();

    // Each student's id: remembered, or inserted (or renamed) first.
    let mut learned: HashMap<(String, String), StoredStudent> = HashMap::new();
    // Whom each id must be, to catch an id SQLite gave again after a deletion.
    let mut expected: HashMap<i64, (String, String)> = HashMap::new();
    let mut student_of = Vec::with_capacity(total);
    let mut upsert = tx.prepare_cached(STUDENT_UPSERT)?;
    for (class_id, events) in batch {
        for event in events.iter() {
            let key = ((*class_id).to_owned(), event.email.clone());
            let id = match known_student(memory, &learned, &key, event) {
                Some(id) => id,
                None => {
                    let stored: StoredStudent = upsert.query_row(
                        params![class_id, event.email, event.user_name, event.team, now_text],
                        |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
                    )?;
                    let id = stored.0;
                    learned.insert(key.clone(), stored);
                    id
                }
            };
            expected.insert(id, key);
            student_of.push(id);
        }
    }
    drop(upsert);

    let mut inserted: HashSet<i64> = HashSet::with_capacity(total);
    let mut sent_before = tx.prepare_cached(SENT_BEFORE)?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO cell_events (id, student_id, event_key, key_hash, kind, notebook_path, cell_id, \
         cell_type, execution_count, failed, error_type, error_message, code, output, truncated, \
         execution_ms, occurred_at, received_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
    )?;
    let events = batch.iter().flat_map(|(_, events)| events.iter());
    for (index, event) in events.enumerate() {
        let hash = event.event_key.as_deref().map(key_hash);
        let occurred_at = text(event.occurred_at);
        if let (Some(key), Some(hash)) = (&event.event_key, hash)
            && sent_before.exists(params![student_of[index], occurred_at, hash, key])?
        {
            continue;
        }
        insert.execute(params![
            ids[index],
            student_of[index],
            event.event_key,
            hash,
            event.kind.as_str(),
            event.notebook_path,
            event.cell_id,
            event.cell_type,
            event.execution_count,
            event.failed,
            event.error_type,
            event.error_message,
            event.code,
            event.output,
            event.truncated,
            event.execution_ms,
            occurred_at,
            now_text,
        ])?;
        inserted.insert(ids[index]);
    }
    drop(insert);

    let mut changes = Changes::of(batch, &ids, &student_of, &inserted, now);
    for retry in &changes.retries {
        let hash = retry.event_key.map(key_hash);
        let id: i64 = sent_before.query_row(
            params![
                retry.student,
                text(retry.occurred_at),
                hash,
                retry.event_key
            ],
            |row| row.get(0),
        )?;
        changes.ids[retry.job][retry.position] = format!("evt_{id}");
    }
    drop(sent_before);

    // Cells run successfully for the first time move their notebook's completion.
    let mut cell = tx.prepare_cached(
        "INSERT INTO student_cells (student_id, notebook_path, cell_id) VALUES (?1, ?2, ?3) \
         ON CONFLICT DO NOTHING",
    )?;
    for (student, path, cell_id) in &changes.completed_cells {
        if cell.execute(params![student, path, cell_id])? == 1
            && let Some((_, notebook)) = changes.notebooks.get_mut(&(*student, (*path).to_owned()))
        {
            notebook.cells_ok += 1;
        }
    }
    drop(cell);

    let mut minute = tx.prepare_cached(
        "INSERT INTO class_activity (class_id, minute, executions, errors) VALUES (?1, ?2, ?3, ?4) \
         ON CONFLICT (class_id, minute) DO UPDATE SET \
         executions = class_activity.executions + excluded.executions, \
         errors = class_activity.errors + excluded.errors",
    )?;
    for ((class_id, at), (count, errors)) in &changes.minutes {
        minute.execute(params![class_id, at, count, errors])?;
    }
    drop(minute);

    // Written, then read back: with `RETURNING`, SQLite runs a statement as one that may
    // have to undo part of itself, copying each page it changes into a journal first.
    let mut cells_ok: HashMap<(i64, String), i64> = HashMap::new();
    let mut notebook = tx.prepare_cached(
        "INSERT INTO student_notebooks (student_id, class_id, notebook_path, executions, cells_ok, last_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (student_id, notebook_path) DO UPDATE SET \
         executions = student_notebooks.executions + excluded.executions, \
         cells_ok = student_notebooks.cells_ok + excluded.cells_ok, \
         last_at = CASE WHEN excluded.last_at > student_notebooks.last_at \
         THEN excluded.last_at ELSE student_notebooks.last_at END",
    )?;
    let mut notebook_cells = tx.prepare_cached(
        "SELECT cells_ok FROM student_notebooks WHERE student_id = ?1 AND notebook_path = ?2",
    )?;
    for ((student, path), (class_id, delta)) in &changes.notebooks {
        notebook.execute(params![
            student,
            class_id,
            path,
            delta.executions,
            delta.cells_ok,
            text(delta.last_at.unwrap_or(now)),
        ])?;
        let ok: i64 = notebook_cells.query_row(params![student, path], |row| row.get(0))?;
        cells_ok.insert((*student, path.clone()), ok);
    }
    drop(notebook);
    drop(notebook_cells);

    // Every touched student's counters, and their new rows for the dashboards.
    let mut rows: HashMap<i64, StudentRow> = HashMap::with_capacity(changes.order.len());
    let mut update = tx.prepare_cached(
        "UPDATE classroom_students SET \
         executions = executions + ?2, \
         errors = errors + ?3, \
         error_streak = CASE WHEN ?4 THEN ?5 ELSE error_streak + ?5 END, \
         last_error = CASE WHEN ?6 THEN ?7 ELSE last_error END, \
         current_notebook = ?8, \
         last_activity_at = CASE WHEN last_activity_at IS NULL OR last_activity_at < ?9 \
         THEN ?9 ELSE last_activity_at END, \
         version = version + 1 \
         WHERE id = ?1",
    )?;
    let mut read = tx.prepare_cached(
        "SELECT id, class_id, email, name, team, current_notebook, last_activity_at, executions, \
         errors, error_streak, last_error, version, help_open FROM classroom_students WHERE id = ?1",
    )?;
    for key in &changes.order {
        let delta = &changes.deltas[key];
        let (has_last, last_error) = delta.last_error();
        let changed = update.execute(params![
            key.1,
            delta.executions,
            delta.errors,
            delta.succeeded,
            delta.trailing_errors,
            has_last,
            last_error,
            delta.notebook,
            text(delta.last_at.unwrap_or(now)),
        ])?;
        if changed != 1 {
            // Deleted since the writer learned its id.
            return Err(StoreError::StaleStudent(key.1));
        }
        let (class_id, row) = read.query_row(params![key.1], student_row)?;
        check_student(&expected, class_id, &row)?;
        rows.insert(row.id, row);
    }
    drop(update);
    drop(read);

    // The most cells anyone has completed in each notebook now current.
    let mut best: HashMap<(String, String), i64> = HashMap::new();
    let mut most = tx.prepare_cached(
        "SELECT MAX(cells_ok) FROM student_notebooks WHERE class_id = ?1 AND notebook_path = ?2",
    )?;
    for current in changes.current_notebooks() {
        let value: Option<i64> = most.query_row(params![current.0, current.1], |row| row.get(0))?;
        best.insert(current, value.unwrap_or(0));
    }
    drop(most);
    tx.commit()?;
    memory.students.extend(learned);
    memory.next_id = Some(next + total as i64);
    Ok(Stored {
        updates: changes.updates(rows, &cells_ok, &best, now),
        ids: changes.ids,
    })
}

#[cfg(test)]
mod tests {
    use super::key_hash;

    /// The hashes are on disk: these values must never change.
    #[test]
    fn key_hashes_stay_what_they_were() {
        assert_eq!(key_hash(""), 0);
        assert_eq!(key_hash("a"), 97);
        assert_eq!(
            key_hash("0b7c5f5e-4a53-4f59-9f1d-3c2f7e1f2b6a"),
            337_402_076
        );
        assert_eq!(key_hash("héllo✓😀"), 1_248_884_094);
        // Different ids may share a hash; the writer tells them apart by their text.
        assert_eq!(key_hash("aÈ"), key_hash("bE"));
    }
}
