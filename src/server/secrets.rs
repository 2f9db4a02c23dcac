//! Secrets the operator did not configure: generated once, on first start, and kept in
//! the database so every instance on a shared PostgreSQL uses the same value.

use rand::RngCore;

use crate::config::Secret;
use crate::db::{Db, DbError};
use crate::db_run;

const SECRET_KEY: &str = "secret_key";

/// The stored secret key, generated and stored now if this is the first start.
pub async fn generated_secret_key(db: &Db) -> Result<Secret, DbError> {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    let candidate = hex::encode(bytes);
    let stored = stored_or_insert(db, SECRET_KEY, &candidate).await?;
    if stored == candidate {
        tracing::info!("generated a secret key and stored it in the database");
    }
    // A stored value is always 64 hex characters, so parsing cannot fail; map defensively.
    stored
        .parse()
        .map_err(|_| DbError::Sqlx(sqlx::Error::Protocol("stored secret key too short".into())))
}

/// The value stored under `name`, storing `candidate` first when there is none. Two
/// instances starting together may both try; the first insert wins and both read it.
pub async fn stored_or_insert(db: &Db, name: &str, candidate: &str) -> Result<String, sqlx::Error> {
    let now = chrono::Utc::now();
    db_run!(db.writer(), |pool| {
        sqlx::query(
            "INSERT INTO server_secrets (name, value, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(name)
        .bind(candidate)
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    db_run!(db.writer(), |pool| {
        sqlx::query_scalar("SELECT value FROM server_secrets WHERE name = $1")
            .bind(name)
            .fetch_one(pool)
            .await
    })
}
