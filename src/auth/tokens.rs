//! Personal API tokens (§5.5): created on the profile page (shown once), listed, revoked,
//! and accepted as `Authorization: Bearer` on the JSON API with the owner's rights.

use chrono::Utc;
use rand::RngCore;
use sha2::{Digest, Sha256};

use super::model::ApiTokenSummary;
use super::service::User;
use crate::db::Db;
use crate::db_run;

/// Every token starts with this, so leaked tokens are easy to recognise and scan for.
pub const PREFIX: &str = "lct_";

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Creates a token named `name` for `user_id` and returns it in clear (the only time).
pub async fn create(db: &Db, user_id: &str, name: &str) -> Result<String, sqlx::Error> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let token = format!("{PREFIX}{}", hex::encode(bytes));
    let id = uuid::Uuid::now_v7().to_string();
    let now = Utc::now();
    db_run!(db.writer(), |pool| {
        sqlx::query(
            "INSERT INTO api_tokens (id, user_id, name, token_hash, prefix, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(&id)
        .bind(user_id)
        .bind(name)
        .bind(hash(&token))
        .bind(&token[..PREFIX.len() + 6])
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(token)
}

/// The user's tokens that are not revoked, newest first.
pub async fn list(db: &Db, user_id: &str) -> Result<Vec<ApiTokenSummary>, sqlx::Error> {
    db_run!(db.reader(), |pool| {
        sqlx::query_as::<_, ApiTokenSummary>(
            "SELECT id, name, prefix, created_at, last_used_at FROM api_tokens \
             WHERE user_id = $1 AND revoked_at IS NULL ORDER BY created_at DESC",
        )
        .bind(user_id)
        .fetch_all(pool)
        .await
    })
}

/// Revokes the user's token `id`; false when they have no such token.
pub async fn revoke(db: &Db, user_id: &str, id: &str) -> Result<bool, sqlx::Error> {
    let now = Utc::now();
    db_run!(db.writer(), |pool| {
        sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(id)
        .bind(user_id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected() == 1)
    })
}

/// The active owner of a presented token, recording its use.
pub async fn authenticate(db: &Db, token: &str) -> Result<Option<User>, sqlx::Error> {
    if !token.starts_with(PREFIX) {
        return Ok(None);
    }
    let token_hash = hash(token);
    let user_id: Option<String> = db_run!(db.reader(), |pool| {
        sqlx::query_scalar(
            "SELECT user_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
        )
        .bind(&token_hash)
        .fetch_optional(pool)
        .await
    })?;
    let Some(user_id) = user_id else {
        return Ok(None);
    };
    let now = Utc::now();
    db_run!(db.writer(), |pool| {
        sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2")
            .bind(now)
            .bind(&token_hash)
            .execute(pool)
            .await
            .map(|_| ())
    })?;
    super::service::active_user(db, &user_id).await
}
