//! Browser sessions kept in the database (`sessions`), so they survive restarts, are
//! shared by every instance, and can be listed and revoked per user.
//!
//! The store also copies two things out of the session data into columns: the signed-in
//! user (to list and end a user's sessions) and the client's address and user agent.

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use tower_sessions::session::{Id, Record};
use tower_sessions::session_store::{self, SessionStore};

use crate::db::Db;
use crate::db_run;

/// Where axum-login keeps the signed-in user in the session data.
const AUTH_DATA_KEY: &str = "axum-login.data";
/// Where Lectern keeps the client's address and user agent in the session data.
pub const CLIENT_KEY: &str = "lectern.client";

/// Sessions older than this end, however active they are.
pub const ABSOLUTE_LIFETIME: chrono::Duration = chrono::Duration::days(14);

/// The database-backed session store.
#[derive(Clone, Debug)]
pub struct DbSessionStore {
    db: Db,
}

impl DbSessionStore {
    pub fn new(db: Db) -> DbSessionStore {
        DbSessionStore { db }
    }

    /// Deletes expired sessions and old sign-in attempts every hour, for as long as the
    /// server runs.
    pub async fn delete_expired_hourly(self) {
        let mut every_hour = tokio::time::interval(std::time::Duration::from_secs(3_600));
        loop {
            every_hour.tick().await;
            match self.delete_expired().await {
                Ok(0) => {}
                Ok(count) => tracing::info!(count, "deleted expired sessions"),
                Err(error) => tracing::warn!(%error, "could not delete expired sessions"),
            }
            if let Err(error) = super::limits::delete_old(&self.db).await {
                tracing::warn!(%error, "could not delete old sign-in attempts");
            }
        }
    }

    /// Deletes sessions past their expiry.
    pub async fn delete_expired(&self) -> Result<u64, sqlx::Error> {
        let now = Utc::now();
        db_run!(self.db.writer(), |pool| {
            sqlx::query("DELETE FROM sessions WHERE expires_at < $1")
                .bind(now)
                .execute(pool)
                .await
                .map(|r| r.rows_affected())
        })
    }
}

/// The client details stored with a session.
#[derive(Clone, Debug, Default, serde::Serialize, serde::Deserialize)]
pub struct ClientInfo {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
}

impl ClientInfo {
    /// The peer address and user agent of a request.
    pub fn from_parts(headers: &http::HeaderMap, extensions: &http::Extensions) -> ClientInfo {
        ClientInfo {
            ip: extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|info| info.0.ip().to_string()),
            user_agent: headers
                .get(http::header::USER_AGENT)
                .and_then(|v| v.to_str().ok())
                .map(|ua| ua.chars().take(512).collect()),
        }
    }
}

fn backend_error(error: impl std::fmt::Display) -> session_store::Error {
    session_store::Error::Backend(error.to_string())
}

fn to_chrono(at: time::OffsetDateTime) -> DateTime<Utc> {
    DateTime::from_timestamp(at.unix_timestamp(), at.nanosecond()).unwrap_or_default()
}

#[async_trait]
impl SessionStore for DbSessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // Ids are 128 random bits; on the rare collision, draw another.
        loop {
            if self.insert(record).await? {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        self.write(
            record,
            "ON CONFLICT (id) DO UPDATE SET user_id = $2, data = $3, expires_at = $4, \
             last_seen_at = $5, ip = COALESCE($6, sessions.ip), \
             user_agent = COALESCE($7, sessions.user_agent)",
        )
        .await
        .map(|_| ())
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let id_text = id.to_string();
        let now = Utc::now();
        let oldest = now - ABSOLUTE_LIFETIME;
        let row: Option<(String, DateTime<Utc>)> = db_run!(self.db.reader(), |pool| {
            sqlx::query_as(
                "SELECT data, expires_at FROM sessions \
                 WHERE id = $1 AND expires_at > $2 AND created_at > $3",
            )
            .bind(&id_text)
            .bind(now)
            .bind(oldest)
            .fetch_optional(pool)
            .await
        })
        .map_err(backend_error)?;
        let Some((data, expires)) = row else {
            return Ok(None);
        };
        let data =
            serde_json::from_str(&data).map_err(|e| session_store::Error::Decode(e.to_string()))?;
        let expiry_date = time::OffsetDateTime::from_unix_timestamp(expires.timestamp())
            .map_err(|e| session_store::Error::Decode(e.to_string()))?;
        Ok(Some(Record {
            id: *id,
            data,
            expiry_date,
        }))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let id = id.to_string();
        db_run!(self.db.writer(), |pool| {
            sqlx::query("DELETE FROM sessions WHERE id = $1")
                .bind(&id)
                .execute(pool)
                .await
                .map(|_| ())
        })
        .map_err(backend_error)
    }
}

impl DbSessionStore {
    /// Inserts a new session; false when the id is taken.
    async fn insert(&self, record: &Record) -> session_store::Result<bool> {
        self.write(record, "ON CONFLICT (id) DO NOTHING").await
    }

    /// Writes `record`, resolving an existing id as `on_conflict` says; true when a row
    /// was inserted or updated.
    async fn write(&self, record: &Record, on_conflict: &str) -> session_store::Result<bool> {
        let (user_id, client, data) = columns(record)?;
        let now = Utc::now();
        let expires = to_chrono(record.expiry_date);
        let id = record.id.to_string();
        let sql = format!(
            "INSERT INTO sessions (id, user_id, data, expires_at, created_at, last_seen_at, ip, user_agent) \
             VALUES ($1, $2, $3, $4, $5, $5, $6, $7) {on_conflict}"
        );
        db_run!(self.db.writer(), |pool| {
            sqlx::query(&sql)
                .bind(&id)
                .bind(&user_id)
                .bind(&data)
                .bind(expires)
                .bind(now)
                .bind(&client.ip)
                .bind(&client.user_agent)
                .execute(pool)
                .await
                .map(|r| r.rows_affected() == 1)
        })
        .map_err(backend_error)
    }
}

/// The signed-in user id, client details and serialised data of a record.
fn columns(record: &Record) -> session_store::Result<(Option<String>, ClientInfo, String)> {
    let user_id = record
        .data
        .get(AUTH_DATA_KEY)
        .and_then(|auth| auth.get("user_id"))
        .and_then(|id| id.as_str())
        .map(str::to_owned);
    let client = record
        .data
        .get(CLIENT_KEY)
        .and_then(|v| serde_json::from_value(v.clone()).ok())
        .unwrap_or_default();
    let data = serde_json::to_string(&record.data)
        .map_err(|e| session_store::Error::Encode(e.to_string()))?;
    Ok((user_id, client, data))
}
