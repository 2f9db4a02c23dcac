//! A user's own sessions (S1.4): list them, end one, end all but this one, and change
//! the password (which ends every other session).

use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};

use super::model::SessionSummary;
use super::service::User;
use crate::db::Db;
use crate::db_run;

/// A session's public handle: the session id is a bearer secret, so pages name sessions
/// by a hash of it instead.
pub fn handle(session_id: &str) -> String {
    hex::encode(&Sha256::digest(session_id.as_bytes())[..12])
}

/// The live sessions of `user_id`, newest activity first; `current` marks this one.
pub async fn list(
    db: &Db,
    user_id: &str,
    current: Option<&str>,
) -> Result<Vec<SessionSummary>, sqlx::Error> {
    let now = Utc::now();
    let rows: Vec<SessionRow> = db_run!(db.reader(), |pool| {
        sqlx::query_as(
            "SELECT id, ip, user_agent, created_at, last_seen_at FROM sessions \
             WHERE user_id = $1 AND expires_at > $2 ORDER BY last_seen_at DESC",
        )
        .bind(user_id)
        .bind(now)
        .fetch_all(pool)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|row| SessionSummary {
            handle: handle(&row.id),
            current: current == Some(row.id.as_str()),
            ip: row.ip,
            user_agent: row.user_agent,
            created_at: row.created_at,
            last_seen_at: row.last_seen_at,
        })
        .collect())
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    id: String,
    ip: Option<String>,
    user_agent: Option<String>,
    created_at: DateTime<Utc>,
    last_seen_at: DateTime<Utc>,
}

/// Ends the session of `user_id` whose handle is `wanted`; false if there is none.
pub async fn revoke(db: &Db, user_id: &str, wanted: &str) -> Result<bool, sqlx::Error> {
    let ids: Vec<String> = db_run!(db.reader(), |pool| {
        sqlx::query_scalar("SELECT id FROM sessions WHERE user_id = $1")
            .bind(user_id)
            .fetch_all(pool)
            .await
    })?;
    let Some(id) = ids.into_iter().find(|id| handle(id) == wanted) else {
        return Ok(false);
    };
    db_run!(db.writer(), |pool| {
        sqlx::query("DELETE FROM sessions WHERE id = $1 AND user_id = $2")
            .bind(&id)
            .bind(user_id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected() == 1)
    })
}

/// Ends every session of `user_id` except `keep`; answers how many ended.
pub async fn revoke_others(db: &Db, user_id: &str, keep: Option<&str>) -> Result<u64, sqlx::Error> {
    let keep = keep.unwrap_or("");
    db_run!(db.writer(), |pool| {
        sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id <> $2")
            .bind(user_id)
            .bind(keep)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })
}

/// Stores a new password hash and a new security stamp (so sessions signed in under the
/// old one stop being valid), and returns the updated user.
pub async fn set_password(db: &Db, user: &User, hash: String) -> Result<User, sqlx::Error> {
    let stamp = uuid::Uuid::new_v4().simple().to_string();
    let now = Utc::now();
    db_run!(db.writer(), |pool| {
        sqlx::query(
            "UPDATE users SET password_hash = $1, security_stamp = $2, updated_at = $3, \
             updated_by = $4 WHERE id = $4",
        )
        .bind(&hash)
        .bind(&stamp)
        .bind(now)
        .bind(&user.id)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(User {
        password_hash: Some(hash),
        security_stamp: stamp,
        ..user.clone()
    })
}
