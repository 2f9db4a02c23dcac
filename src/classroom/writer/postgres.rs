//! The writer's transactions on PostgreSQL: many rows per statement, each statement a
//! round trip, so a transaction takes a handful of them whatever its size.

use std::collections::{HashMap, HashSet};

use chrono::Utc;
use sqlx::PgPool;

use super::{
    Changes, Memory, STUDENT_UPSERT, StoreError, Stored, StoredStudent, StudentRow, check_student,
    known_student,
};
use crate::classroom::event::CellEvent;

/// Most rows per multi-row statement (parameters stay far below PostgreSQL's limit).
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
pub(super) struct Statements {
    written: HashMap<(&'static str, usize), String>,
}

impl Statements {
    /// The statement `template` (its rows' place marked `{rows}`) for `rows` rows of
    /// `columns` values, each with its cast from `casts` when there is one.
    fn get(&mut self, template: &'static str, rows: usize, columns: usize, casts: &[&str]) -> &str {
        self.written
            .entry((template, rows))
            .or_insert_with(|| template.replace("{rows}", &placeholders(rows, columns, casts)))
    }
}

/// Placeholders for `rows` rows of `columns` values, with casts per column (`VALUES`
/// lists in an `UPDATE … FROM` need them).
fn placeholders(rows: usize, columns: usize, casts: &[&str]) -> String {
    (0..rows)
        .map(|row| {
            let values: Vec<String> = (0..columns)
                .map(|col| {
                    format!(
                        "${}{}",
                        row * columns + col + 1,
                        casts.get(col).copied().unwrap_or("")
                    )
                })
                .collect();
            format!("({})", values.join(", "))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// A student's row after the counters' update, with its class.
#[derive(sqlx::FromRow)]
struct UpdatedStudent {
    class_id: String,
    #[sqlx(flatten)]
    row: StudentRow,
}

/// Stores `batch` in one transaction.
pub(super) async fn store(
    pool: &PgPool,
    statements: &mut Statements,
    memory: &mut Memory,
    batch: &[(&str, &[CellEvent])],
) -> Result<Stored, StoreError> {
    let now = Utc::now();
    let total: usize = batch.iter().map(|(_, events)| events.len()).sum();
    // Ids from the sequence: other instances may be writing too.
    let ids: Vec<i64> = sqlx::query_scalar(
        "SELECT nextval(pg_get_serial_sequence('cell_events', 'id')) FROM generate_series(1, $1)",
    )
    .bind(total as i64)
    .fetch_all(pool)
    .await?;
    let mut tx = pool.begin().await?;

    // Each student's id: remembered, or inserted (or renamed) first.
    let mut learned: HashMap<(String, String), StoredStudent> = HashMap::new();
    // Whom each id must be, to catch a student deleted meanwhile.
    let mut expected: HashMap<i64, (String, String)> = HashMap::new();
    let mut student_of = Vec::with_capacity(total);
    for (class_id, events) in batch {
        for event in events.iter() {
            let key = ((*class_id).to_owned(), event.email.clone());
            let id = match known_student(memory, &learned, &key, event) {
                Some(id) => id,
                None => {
                    let (id, name, team): StoredStudent = sqlx::query_as(STUDENT_UPSERT)
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

    // The events, many per statement, under ids chosen above so that the stored ones
    // are known by id.
    let flat: Vec<&CellEvent> = batch.iter().flat_map(|(_, events)| events.iter()).collect();
    let mut inserted: HashSet<i64> = HashSet::new();
    for (start, chunk) in shaped(&flat) {
        let sql = statements.get(
            "INSERT INTO cell_events (id, student_id, event_key, kind, notebook_path, cell_id, cell_type, \
             execution_count, failed, error_type, error_message, code, output, truncated, execution_ms, \
             occurred_at, received_at) VALUES {rows} \
             ON CONFLICT (student_id, occurred_at, event_key) DO NOTHING RETURNING id",
            chunk.len(),
            17,
            &[],
        );
        let mut query = sqlx::query_scalar::<_, i64>(sql);
        for (offset, event) in chunk.iter().enumerate() {
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

    let mut changes = Changes::of(batch, &ids, &student_of, &inserted, now);
    for retry in &changes.retries {
        let first: i64 = sqlx::query_scalar(
            "SELECT id FROM cell_events WHERE student_id = $1 AND occurred_at = $2 AND event_key = $3",
        )
        .bind(retry.student)
        .bind(retry.occurred_at)
        .bind(retry.event_key)
        .fetch_one(&mut *tx)
        .await?;
        changes.ids[retry.job][retry.position] = format!("evt_{first}");
    }

    // Cells run successfully for the first time move their notebook's completion.
    for (_, chunk) in shaped(&changes.completed_cells) {
        let sql = statements.get(
            "INSERT INTO student_cells (student_id, notebook_path, cell_id) VALUES {rows} \
             ON CONFLICT DO NOTHING RETURNING student_id, notebook_path",
            chunk.len(),
            3,
            &[],
        );
        let mut query = sqlx::query_as::<_, (i64, String)>(sql);
        for (student, path, cell) in chunk {
            query = query.bind(student).bind(*path).bind(*cell);
        }
        for (student, path) in query.fetch_all(&mut *tx).await? {
            if let Some((_, notebook)) = changes.notebooks.get_mut(&(student, path)) {
                notebook.cells_ok += 1;
            }
        }
    }

    let minute_rows: Vec<_> = changes.minutes.iter().collect();
    for (_, chunk) in shaped(&minute_rows) {
        let sql = statements.get(
            "INSERT INTO class_activity (class_id, minute, executions, errors) VALUES {rows} \
             ON CONFLICT (class_id, minute) DO UPDATE SET \
             executions = class_activity.executions + excluded.executions, \
             errors = class_activity.errors + excluded.errors",
            chunk.len(),
            4,
            &[],
        );
        let mut query = sqlx::query(sql);
        for ((class_id, minute), (count, errors)) in chunk {
            query = query.bind(class_id).bind(minute).bind(count).bind(errors);
        }
        query.execute(&mut *tx).await?;
    }

    let notebook_rows: Vec<_> = changes.notebooks.iter().collect();
    let mut cells_ok: HashMap<(i64, String), i64> = HashMap::new();
    for (_, chunk) in shaped(&notebook_rows) {
        let sql = statements.get(
            "INSERT INTO student_notebooks (student_id, class_id, notebook_path, executions, cells_ok, last_at) \
             VALUES {rows} ON CONFLICT (student_id, notebook_path) DO UPDATE SET \
             executions = student_notebooks.executions + excluded.executions, \
             cells_ok = student_notebooks.cells_ok + excluded.cells_ok, \
             last_at = GREATEST(excluded.last_at, student_notebooks.last_at) \
             RETURNING student_id, notebook_path, cells_ok",
            chunk.len(),
            6,
            &[],
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
    let casts = [
        "::bigint",
        "::bigint",
        "::bigint",
        "::boolean",
        "::bigint",
        "::boolean",
        "::text",
        "::text",
        "::timestamptz",
    ];
    let mut rows: HashMap<i64, StudentRow> = HashMap::new();
    for (_, chunk) in shaped(&changes.order) {
        let sql = statements.get(
            "UPDATE classroom_students SET \
             executions = classroom_students.executions + v.column2, \
             errors = classroom_students.errors + v.column3, \
             error_streak = CASE WHEN v.column4 THEN v.column5 ELSE classroom_students.error_streak + v.column5 END, \
             last_error = CASE WHEN v.column6 THEN v.column7 ELSE classroom_students.last_error END, \
             current_notebook = v.column8, \
             last_activity_at = GREATEST(classroom_students.last_activity_at, v.column9), \
             version = classroom_students.version + 1 \
             FROM (VALUES {rows}) AS v WHERE classroom_students.id = v.column1 \
             RETURNING id, class_id, email, name, team, current_notebook, last_activity_at, executions, \
             errors, error_streak, last_error, version, help_open",
            chunk.len(),
            9,
            &casts,
        );
        let mut query = sqlx::query_as::<_, UpdatedStudent>(sql);
        for key in chunk {
            let delta = &changes.deltas[key];
            let (has_last, last_error) = delta.last_error();
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
            check_student(&expected, class_id, &row)?;
            rows.insert(row.id, row);
        }
    }

    // The most cells anyone has completed in each notebook now current.
    let mut best: HashMap<(String, String), i64> = HashMap::new();
    for notebook in changes.current_notebooks() {
        let value: Option<i64> = sqlx::query_scalar(
            "SELECT MAX(cells_ok) FROM student_notebooks WHERE class_id = $1 AND notebook_path = $2",
        )
        .bind(&notebook.0)
        .bind(&notebook.1)
        .fetch_one(&mut *tx)
        .await?;
        best.insert(notebook, value.unwrap_or(0));
    }
    tx.commit().await?;
    memory.students.extend(learned);
    Ok(Stored {
        updates: changes.updates(rows, &cells_ok, &best, now),
        ids: changes.ids,
    })
}
