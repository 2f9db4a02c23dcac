//! Password reset (S1.3): a single-use link that expires in an hour. Only a hash of the
//! token is stored, so a copy of the database cannot be used to take over accounts.

use chrono::{Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::service::User;
use crate::db::Db;
use crate::db_run;

/// How long a reset link works.
pub const LIFETIME: Duration = Duration::hours(1);
/// How long the set-password link of an account made by an administrator works.
pub const INVITE_LIFETIME: Duration = Duration::days(7);

fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates a token for `user_id`, working for `lifetime`, and returns it (the only time
/// it exists in clear).
pub async fn create(db: &Db, user_id: &str, lifetime: Duration) -> Result<String, sqlx::Error> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = hex::encode(bytes);
    let now = Utc::now();
    db_run!(db.writer(), |pool| {
        sqlx::query(
            "INSERT INTO password_resets (token_hash, user_id, expires_at, created_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash(&token))
        .bind(user_id)
        .bind(now + lifetime)
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(token)
}

/// Uses up `token`: answers its active user when it is valid, unused and unexpired, and
/// marks it used in the same statement so it can never work twice.
pub async fn redeem(db: &Db, token: &str) -> Result<Option<User>, sqlx::Error> {
    let now = Utc::now();
    let user_id: Option<String> = db_run!(db.writer(), |pool| {
        sqlx::query_scalar(
            "UPDATE password_resets SET used_at = $1 \
             WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1 RETURNING user_id",
        )
        .bind(now)
        .bind(token_hash(token))
        .fetch_optional(pool)
        .await
    })?;
    match user_id {
        Some(id) => super::service::active_user(db, &id).await,
        None => Ok(None),
    }
}

/// Whether `token` would still work (for showing the form or an explanation).
pub async fn is_usable(db: &Db, token: &str) -> Result<bool, sqlx::Error> {
    let now = Utc::now();
    let count: i64 = db_run!(db.reader(), |pool| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM password_resets WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(token_hash(token))
        .bind(now)
        .fetch_one(pool)
        .await
    })?;
    Ok(count > 0)
}
