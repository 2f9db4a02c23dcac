//! Reading the live classroom: the overview of a class, one student's detail, and the
//! class's students. Everything here reads the counters the writer keeps (students,
//! notebooks, minutes), never all events, so its cost does not grow with them.

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};

use super::model::{
    CHART_MINUTES, ChartPoint, Execution, Metrics, NotebookProgress, Overview, Privacy,
    StudentDetail, StudentState, StudentTotals, error_groups,
};
use super::writer::StudentRow;
use crate::db::Db;
use crate::db_run;

/// Executions and errors listed on a student's page.
const RECENT_EXECUTIONS: i64 = 30;

/// The columns of [`StudentRow`], in order.
const STUDENT_COLUMNS: &str = "s.id, s.email, s.name, s.team, s.current_notebook, \
     s.last_activity_at, s.executions, s.errors, s.error_streak, s.last_error, s.version, s.help_open";

/// The most cells anyone in the class has completed, per notebook.
async fn class_best(db: &Db, class_id: &str) -> Result<HashMap<String, i64>, sqlx::Error> {
    let rows: Vec<(String, i64)> = db_run!(db.reader(), |pool| {
        sqlx::query_as(
            "SELECT notebook_path, MAX(cells_ok) FROM student_notebooks WHERE class_id = $1 \
             GROUP BY notebook_path",
        )
        .bind(class_id)
        .fetch_all(pool)
        .await
    })?;
    Ok(rows.into_iter().collect())
}

/// Every student of a class's live classroom, by name.
pub async fn students(db: &Db, class_id: &str) -> Result<Vec<StudentState>, sqlx::Error> {
    // The whole class as one JSON value: one row comes back instead of a thousand (with
    // SQLite each row is a message between threads and a copy of every column).
    const FROM: &str = "FROM classroom_students s LEFT JOIN student_notebooks n \
         ON n.student_id = s.id AND n.notebook_path = s.current_notebook WHERE s.class_id = $1";
    let sql = match db {
        Db::Sqlite { .. } => format!(
            "SELECT COALESCE(json_group_array(json_array(json_array({}), COALESCE(n.cells_ok, 0))), '[]') {FROM}",
            STUDENT_COLUMNS.replace(
                "s.help_open",
                "json(CASE WHEN s.help_open THEN 'true' ELSE 'false' END)"
            )
        ),
        Db::Postgres(_) => format!(
            "SELECT COALESCE(json_agg(json_build_array(json_build_array({STUDENT_COLUMNS}), COALESCE(n.cells_ok, 0))), '[]')::text {FROM}"
        ),
    };
    let students = async {
        db_run!(db.reader(), |pool| {
            sqlx::query_scalar::<_, String>(&sql)
                .bind(class_id)
                .fetch_one(pool)
                .await
        })
    };
    let (json, best) = tokio::try_join!(students, class_best(db, class_id))?;
    // Each student is `[[the row's columns], cells completed in the current notebook]`.
    let mut rows: Vec<(StudentRow, i64)> =
        serde_json::from_str(&json).map_err(|e| sqlx::Error::Decode(Box::new(e)))?;
    rows.sort_by(|(a, _), (b, _)| (&a.name, &a.email).cmp(&(&b.name, &b.email)));
    let now = Utc::now();
    Ok(rows
        .into_iter()
        .map(|(row, cells_ok)| {
            let best = row
                .current_notebook
                .as_ref()
                .and_then(|n| best.get(n))
                .copied()
                .unwrap_or(0);
            row.into_state(cells_ok, best, now)
        })
        .collect())
}

/// Executions and errors per minute over the last hour, oldest first, every minute
/// present.
async fn chart(
    db: &Db,
    class_id: &str,
    now: DateTime<Utc>,
) -> Result<Vec<ChartPoint>, sqlx::Error> {
    let last = now.timestamp().div_euclid(60);
    let first = last - CHART_MINUTES + 1;
    let rows: Vec<(i64, i64, i64)> = db_run!(db.reader(), |pool| {
        sqlx::query_as(
            "SELECT minute, executions, errors FROM class_activity WHERE class_id = $1 AND minute >= $2 \
             AND minute <= $3",
        )
        .bind(class_id)
        .bind(first)
        .bind(last)
        .fetch_all(pool)
        .await
    })?;
    let counts: HashMap<i64, (i64, i64)> = rows.into_iter().map(|(m, e, r)| (m, (e, r))).collect();
    Ok((first..=last)
        .map(|minute| {
            let (executions, errors) = counts.get(&minute).copied().unwrap_or((0, 0));
            let time = DateTime::from_timestamp(minute * 60, 0).unwrap_or(now);
            ChartPoint::new(time, executions, errors)
        })
        .collect())
}

/// The class's title, or `None` for an unknown class.
async fn class_title(db: &Db, class_id: &str) -> Result<Option<String>, sqlx::Error> {
    db_run!(db.reader(), |pool| {
        sqlx::query_scalar("SELECT title FROM classes WHERE id = $1")
            .bind(class_id)
            .fetch_optional(pool)
            .await
    })
}

/// The dashboard of a class as of feed sequence number `seq`.
pub async fn overview(
    db: &Db,
    class_id: &str,
    seq: u64,
) -> Result<Overview, crate::app_error::AppError> {
    use crate::app_error::AppError;
    let now = Utc::now();
    // Independent reads, run side by side on the reader connections.
    let (students, activity_chart, help_requests, instructors, class_instructors, class_title) = tokio::try_join!(
        async { students(db, class_id).await.map_err(AppError::from) },
        async { chart(db, class_id, now).await.map_err(AppError::from) },
        crate::helpdesk::desk::queue(db, class_id),
        crate::helpdesk::presence::statuses(db),
        async {
            db_run!(db.reader(), |pool| {
                sqlx::query_scalar(
                    "SELECT i.user_id FROM class_instructors i JOIN users u ON u.id = i.user_id \
                         WHERE i.class_id = $1 AND u.role <> 'student' ORDER BY i.user_id",
                )
                .bind(class_id)
                .fetch_all(pool)
                .await
            })
            .map_err(AppError::from)
        },
        async { class_title(db, class_id).await.map_err(AppError::from) },
    )?;
    Ok(Overview {
        help_requests,
        instructors,
        class_instructors,
        class_id: class_id.to_owned(),
        class_title: class_title.unwrap_or_default(),
        metrics: Metrics::of(&students, now),
        error_groups: error_groups(&students),
        students,
        activity_chart,
        seq,
        generated_at: now,
    })
}

#[derive(sqlx::FromRow)]
struct ExecutionRow {
    occurred_at: DateTime<Utc>,
    notebook_path: String,
    cell_id: String,
    failed: Option<bool>,
    execution_ms: Option<i64>,
    error_type: Option<String>,
    error_message: Option<String>,
    code: Option<String>,
    output: Option<String>,
    truncated: bool,
}

impl From<ExecutionRow> for Execution {
    fn from(row: ExecutionRow) -> Execution {
        Execution {
            timestamp: row.occurred_at,
            notebook_path: row.notebook_path,
            cell_id: row.cell_id,
            status: if row.failed == Some(true) {
                "error"
            } else {
                "success"
            }
            .to_owned(),
            execution_time: row.execution_ms.map(|ms| ms as f64 / 1000.0),
            error_type: row.error_type,
            error_message: row.error_message,
            code: row.code,
            output: row.output,
            truncated: row.truncated,
        }
    }
}

/// A class's privacy settings; `None` for an unknown class.
pub async fn privacy(db: &Db, class_id: &str) -> Result<Option<Privacy>, sqlx::Error> {
    let row: Option<(bool, Option<i32>)> = db_run!(db.reader(), |pool| {
        sqlx::query_as("SELECT store_code, retention_days FROM classes WHERE id = $1")
            .bind(class_id)
            .fetch_optional(pool)
            .await
    })?;
    Ok(row.map(|(store_code, days)| Privacy {
        store_code,
        retention_days: days.map(i64::from),
    }))
}

#[derive(sqlx::FromRow)]
struct StudentRowWithCells {
    #[sqlx(flatten)]
    row: StudentRow,
    cells_ok: i64,
}

/// One student's tile; `None` when the class has no such student.
pub async fn student(
    db: &Db,
    class_id: &str,
    email: &str,
) -> Result<Option<StudentState>, sqlx::Error> {
    let sql = format!(
        "SELECT {STUDENT_COLUMNS}, COALESCE(n.cells_ok, 0) AS cells_ok \
         FROM classroom_students s \
         LEFT JOIN student_notebooks n ON n.student_id = s.id AND n.notebook_path = s.current_notebook \
         WHERE s.class_id = $1 AND s.email = $2"
    );
    let Some(found) = db_run!(db.reader(), |pool| {
        sqlx::query_as::<_, StudentRowWithCells>(&sql)
            .bind(class_id)
            .bind(email)
            .fetch_optional(pool)
            .await
    })?
    else {
        return Ok(None);
    };
    let best: Option<i64> = match &found.row.current_notebook {
        None => None,
        Some(notebook) => db_run!(db.reader(), |pool| {
            sqlx::query_scalar(
                "SELECT MAX(cells_ok) FROM student_notebooks WHERE class_id = $1 AND notebook_path = $2",
            )
            .bind(class_id)
            .bind(notebook)
            .fetch_one(pool)
            .await
        })?,
    };
    Ok(Some(found.row.into_state(
        found.cells_ok,
        best.unwrap_or(0),
        Utc::now(),
    )))
}

/// One student's page (S2.5); `None` when the class has no such student.
pub async fn student_detail(
    db: &Db,
    class_id: &str,
    email: &str,
) -> Result<Option<StudentDetail>, sqlx::Error> {
    let Some(state) = student(db, class_id, email).await? else {
        return Ok(None);
    };
    let student_id = state.id;
    let best = class_best(db, class_id).await?;
    let average_ms: Option<f64> = db_run!(db.reader(), |pool| {
        sqlx::query_scalar(
            "SELECT CAST(AVG(execution_ms) AS DOUBLE PRECISION) FROM cell_events \
             WHERE student_id = $1 AND kind = 'cell_executed'",
        )
        .bind(student_id)
        .fetch_one(pool)
        .await
    })?;
    let executions_sql = "SELECT occurred_at, notebook_path, cell_id, failed, execution_ms, error_type, \
         error_message, code, output, truncated FROM cell_events \
         WHERE student_id = $1 AND kind = 'cell_executed' AND ($2 = FALSE OR failed = TRUE) \
         ORDER BY occurred_at DESC, id DESC LIMIT $3";
    let mut lists = Vec::with_capacity(2);
    for errors_only in [false, true] {
        let rows: Vec<ExecutionRow> = db_run!(db.reader(), |pool| {
            sqlx::query_as(executions_sql)
                .bind(student_id)
                .bind(errors_only)
                .bind(RECENT_EXECUTIONS)
                .fetch_all(pool)
                .await
        })?;
        lists.push(rows.into_iter().map(Execution::from).collect::<Vec<_>>());
    }
    let errors = lists.pop().unwrap_or_default();
    let recent_activity = lists.pop().unwrap_or_default();
    let notebook_rows: Vec<(String, DateTime<Utc>, i64, i64)> = db_run!(db.reader(), |pool| {
        sqlx::query_as(
            "SELECT notebook_path, last_at, executions, cells_ok FROM student_notebooks \
             WHERE student_id = $1 ORDER BY last_at DESC",
        )
        .bind(student_id)
        .fetch_all(pool)
        .await
    })?;
    let notebooks = notebook_rows
        .into_iter()
        .map(|(path, last_accessed, execution_count, cells_ok)| {
            let best = best.get(&path).copied().unwrap_or(0);
            NotebookProgress {
                completion_rate: if best > 0 {
                    cells_ok.min(best) as f64 / best as f64
                } else {
                    0.0
                },
                path,
                last_accessed,
                execution_count,
            }
        })
        .collect();
    let privacy = privacy(db, class_id).await?;
    Ok(Some(StudentDetail {
        class_id: class_id.to_owned(),
        class_title: class_title(db, class_id).await?.unwrap_or_default(),
        stores_code: privacy.is_none_or(|p| p.store_code),
        student: StudentTotals {
            total_executions: state.cell_executions,
            successful_executions: state.cell_executions - state.error_count,
            average_execution_time: average_ms.map(|ms| ms / 1000.0),
            state,
        },
        recent_activity,
        errors,
        notebooks,
    }))
}

/// Purges code and output older than each class's retention period (S2.14); the
/// number of events purged.
pub async fn purge_expired(db: &Db) -> Result<u64, sqlx::Error> {
    let classes: Vec<(String, i32)> = db_run!(db.reader(), |pool| {
        sqlx::query_as("SELECT id, retention_days FROM classes WHERE retention_days IS NOT NULL")
            .fetch_all(pool)
            .await
    })?;
    let mut purged = 0;
    for (class_id, days) in classes {
        let cutoff = Utc::now() - Duration::days(i64::from(days));
        purged += db_run!(db.writer(), |pool| {
            sqlx::query(
                "UPDATE cell_events SET code = NULL, output = NULL \
                 WHERE (code IS NOT NULL OR output IS NOT NULL) AND occurred_at < $2 \
                 AND student_id IN (SELECT id FROM classroom_students WHERE class_id = $1)",
            )
            .bind(&class_id)
            .bind(cutoff)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
        // Help requests carry a copy of the code they were about.
        purged += db_run!(db.writer(), |pool| {
            sqlx::query(
                "UPDATE help_requests SET code = NULL \
                 WHERE class_id = $1 AND code IS NOT NULL AND created_at < $2",
            )
            .bind(&class_id)
            .bind(cutoff)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
        })?;
    }
    Ok(purged)
}

/// Purges expired code and output at start and then every hour, for as long as the
/// server runs.
pub async fn purge_hourly(db: Db) {
    let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3600));
    loop {
        every_hour.tick().await;
        match purge_expired(&db).await {
            Ok(0) => {}
            Ok(purged) => tracing::info!(purged, "code and output past their retention purged"),
            Err(error) => tracing::warn!(%error, "purging expired code and output failed"),
        }
    }
}
