//! The database: SQLite (embedded default) or PostgreSQL, chosen by the URL.
//!
//! Queries are written once, with `$1` placeholders that both drivers accept, and run on
//! whichever pool is active through [`db_run!`](crate::db_run). sqlx's `Any` driver is not
//! used: it cannot carry timestamps, UUIDs or JSON. Where the dialects really differ, a
//! function matches on [`Db`] itself.
//!
//! SQLite gets one writer connection and a pool of readers: writes queue in the pool
//! instead of failing with "database is locked", and readers never wait for writers (WAL).

use std::path::Path;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgPool, SqlitePool};

/// Runs the same query body against whichever pool `$pool` ([`Pool`]) holds.
///
/// ```ignore
/// let n: i64 = db_run!(db.reader(), |pool| {
///     sqlx::query_scalar("SELECT COUNT(*) FROM users").fetch_one(pool).await
/// })?;
/// ```
#[macro_export]
macro_rules! db_run {
    ($pool:expr, |$p:ident| $body:expr) => {
        match $pool {
            $crate::db::Pool::Sqlite($p) => $body,
            $crate::db::Pool::Postgres($p) => $body,
        }
    };
}

/// Turns off SQLite's memory statistics, once, before its first connection. They are on by
/// default and take a process-wide mutex at every allocation and free SQLite makes, which
/// the event writer, the checkpointer and every reader then contend for; Lectern never
/// reads them. Too late once SQLite has started (a test opening a second database), when
/// SQLite refuses and keeps them: a cost, never an error.
fn no_memory_statistics() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // SAFETY: SQLITE_CONFIG_MEMSTATUS takes one int; sqlite3_config only changes
        // SQLite's global settings, and refuses (SQLITE_MISUSE) once SQLite is running.
        let code =
            unsafe { rusqlite::ffi::sqlite3_config(rusqlite::ffi::SQLITE_CONFIG_MEMSTATUS, 0) };
        if code != rusqlite::ffi::SQLITE_OK {
            tracing::debug!(code, "SQLite keeps its memory statistics (already started)");
        }
    });
}

/// The highest page number a list accepts (beyond it, offsets would overflow).
pub const MAX_PAGE: i64 = 100_000;

/// `text` for use inside a `LIKE … ESCAPE '\'` pattern: `%`, `_` and `\` match
/// themselves.
pub fn like_escape(text: &str) -> String {
    text.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// Which database engine a URL names.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The backend for a `DATABASE_URL`, or an error naming the accepted schemes.
    pub fn from_url(url: &str) -> Result<Backend, DbError> {
        if url.starts_with("sqlite:") {
            Ok(Backend::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Backend::Postgres)
        } else {
            Err(DbError::UnsupportedUrl)
        }
    }
}

/// How to open the pools.
#[derive(Clone, Debug)]
pub struct PoolSettings {
    /// Connections for PostgreSQL, and read connections for SQLite.
    pub max_connections: u32,
    /// How long a request waits for a free connection before it fails with 503.
    pub acquire_timeout: Duration,
}

/// The connected database.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite {
        reader: SqlitePool,
        writer: SqlitePool,
    },
    Postgres(PgPool),
}

/// A borrowed pool to run one query on; see [`db_run!`](crate::db_run).
#[derive(Copy, Clone, Debug)]
pub enum Pool<'a> {
    Sqlite(&'a SqlitePool),
    Postgres(&'a PgPool),
}

/// Failures of the database layer that callers treat differently.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("DATABASE_URL must start with sqlite: or postgres://")]
    UnsupportedUrl,
    #[error("cannot create the database directory {path}: {source}")]
    CreateDir {
        path: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Sqlx(#[from] sqlx::Error),
    #[error(transparent)]
    Migrate(#[from] sqlx::migrate::MigrateError),
}

impl Db {
    /// Opens the database at `url`, creating an SQLite file (and its folder) when missing.
    /// Does not run migrations; see [`Db::migrate`].
    pub async fn connect(url: &str, settings: &PoolSettings) -> Result<Db, DbError> {
        match Backend::from_url(url)? {
            Backend::Sqlite => {
                no_memory_statistics();
                let options = SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(5))
                    // Sorting and statement journals in memory, not in temporary files.
                    .pragma("temp_store", "memory");
                create_parent_dir(options.get_filename())?;
                // The writer connects first so the file and WAL mode exist before readers open.
                let writer = SqlitePoolOptions::new()
                    .max_connections(1)
                    // A local file's connection does not go stale; the event writer
                    // takes this connection for every transaction (a turn, not a ping).
                    .test_before_acquire(false)
                    .acquire_timeout(settings.acquire_timeout)
                    .connect_with(options.clone())
                    .await?;
                let reader = SqlitePoolOptions::new()
                    .max_connections(settings.max_connections.max(1))
                    .acquire_timeout(settings.acquire_timeout)
                    .connect_with(options.read_only(true))
                    .await?;
                Ok(Db::Sqlite { reader, writer })
            }
            Backend::Postgres => {
                let options = PgConnectOptions::from_str(url)?;
                let pool = PgPoolOptions::new()
                    .max_connections(settings.max_connections.max(1))
                    .acquire_timeout(settings.acquire_timeout)
                    .connect_with(options)
                    .await?;
                Ok(Db::Postgres(pool))
            }
        }
    }

    /// The engine behind this connection.
    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite { .. } => Backend::Sqlite,
            Db::Postgres(_) => Backend::Postgres,
        }
    }

    /// The pool for queries that only read.
    pub fn reader(&self) -> Pool<'_> {
        match self {
            Db::Sqlite { reader, .. } => Pool::Sqlite(reader),
            Db::Postgres(pool) => Pool::Postgres(pool),
        }
    }

    /// The pool for queries and transactions that write.
    pub fn writer(&self) -> Pool<'_> {
        match self {
            Db::Sqlite { writer, .. } => Pool::Sqlite(writer),
            Db::Postgres(pool) => Pool::Postgres(pool),
        }
    }

    /// Applies the migrations of this backend that have not run yet.
    pub async fn migrate(&self) -> Result<(), DbError> {
        match self {
            Db::Sqlite { writer, .. } => sqlx::migrate!("migrations/sqlite").run(writer).await?,
            Db::Postgres(pool) => sqlx::migrate!("migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// Answers whether the database takes queries right now.
    pub async fn ping(&self) -> Result<(), DbError> {
        db_run!(self.reader(), |pool| {
            sqlx::query("SELECT 1").execute(pool).await.map(|_| ())
        })?;
        Ok(())
    }

    /// Writes a consistent copy of a live SQLite database to `target` (`VACUUM INTO`);
    /// on PostgreSQL answers [`BackupError::UsePgDump`].
    pub async fn backup_sqlite(&self, target: &Path) -> Result<(), BackupError> {
        let Db::Sqlite { reader, .. } = self else {
            return Err(BackupError::UsePgDump);
        };
        if target.exists() {
            return Err(BackupError::TargetExists(target.display().to_string()));
        }
        create_parent_dir(target)?;
        let target = target.to_str().ok_or(BackupError::NonUtf8Path)?;
        sqlx::query("VACUUM INTO $1")
            .bind(target)
            .execute(reader)
            .await
            .map_err(DbError::from)?;
        Ok(())
    }

    /// Closes every connection, waiting for queries in flight.
    pub async fn close(&self) {
        match self {
            Db::Sqlite { reader, writer } => {
                reader.close().await;
                writer.close().await;
            }
            Db::Postgres(pool) => pool.close().await,
        }
    }
}

/// Why `lectern backup` could not write a copy.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error(
        "lectern backup copies SQLite databases; for PostgreSQL use pg_dump, e.g. \
         `pg_dump --format=custom --file=lectern.dump \"$DATABASE_URL\"`"
    )]
    UsePgDump,
    #[error("{0} already exists; choose a new file name so no backup is overwritten")]
    TargetExists(String),
    #[error("the backup path must be valid UTF-8")]
    NonUtf8Path,
    #[error(transparent)]
    Db(#[from] DbError),
}

fn create_parent_dir(file: &Path) -> Result<(), DbError> {
    match file.parent() {
        Some(dir) if !dir.as_os_str().is_empty() && !dir.exists() => std::fs::create_dir_all(dir)
            .map_err(|source| DbError::CreateDir {
                path: dir.display().to_string(),
                source,
            }),
        _ => Ok(()),
    }
}
