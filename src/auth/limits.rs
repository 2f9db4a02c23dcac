//! Abuse limits (S1.8), counted in the database so that every instance sees the same
//! numbers: registrations per address, sign-in failures per account and per address.

use chrono::{Duration, Utc};

use crate::app_error::AppError;
use crate::db::Db;
use crate::db_run;

/// One kind of limited action.
#[derive(Copy, Clone, Debug)]
pub struct Limit {
    /// Stored name.
    pub kind: &'static str,
    /// Attempts allowed within `window`.
    pub max: i64,
    pub window: Duration,
}

/// Three registrations an hour from one address.
pub const REGISTER_PER_IP: Limit = Limit {
    kind: "register_ip",
    max: 3,
    window: Duration::hours(1),
};
/// Five failed sign-ins in 15 minutes for one account.
pub const LOGIN_FAILURES_PER_ACCOUNT: Limit = Limit {
    kind: "login_account",
    max: 5,
    window: Duration::minutes(15),
};
/// Five failed sign-ins in 15 minutes from one address.
pub const LOGIN_FAILURES_PER_IP: Limit = Limit {
    kind: "login_ip",
    max: 5,
    window: Duration::minutes(15),
};

/// Three password-reset requests an hour for one email address.
pub const RESET_PER_ACCOUNT: Limit = Limit {
    kind: "reset_account",
    max: 3,
    window: Duration::hours(1),
};
/// Three password-reset requests an hour from one address... per classroom NAT that is
/// tight, so addresses get ten.
pub const RESET_PER_IP: Limit = Limit {
    kind: "reset_ip",
    max: 10,
    window: Duration::hours(1),
};

/// Attempts of `limit` for `key` within its window.
pub async fn recent(db: &Db, limit: Limit, key: &str) -> Result<i64, sqlx::Error> {
    let since = Utc::now() - limit.window;
    db_run!(db.reader(), |pool| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM auth_attempts WHERE kind = $1 AND key = $2 AND at > $3",
        )
        .bind(limit.kind)
        .bind(key)
        .bind(since)
        .fetch_one(pool)
        .await
    })
}

/// Refuses with 429 when `key` has used up `limit`; the wait is the whole window,
/// the longest it can take for the oldest attempt to expire.
pub async fn check(db: &Db, limit: Limit, key: &str) -> Result<(), AppError> {
    if recent(db, limit, key).await? >= limit.max {
        let retry_after = u64::try_from(limit.window.num_seconds()).unwrap_or(60);
        return Err(AppError::RateLimited { retry_after }.with_status());
    }
    Ok(())
}

/// Counts one attempt of `limit` for `key`.
pub async fn record(db: &Db, limit: Limit, key: &str) -> Result<(), sqlx::Error> {
    let now = Utc::now();
    db_run!(db.writer(), |pool| {
        sqlx::query("INSERT INTO auth_attempts (kind, key, at) VALUES ($1, $2, $3)")
            .bind(limit.kind)
            .bind(key)
            .bind(now)
            .execute(pool)
            .await
            .map(|_| ())
    })
}

/// Forgets the attempts of `limit` for `key` (a successful sign-in resets its account).
pub async fn clear(db: &Db, limit: Limit, key: &str) -> Result<(), sqlx::Error> {
    db_run!(db.writer(), |pool| {
        sqlx::query("DELETE FROM auth_attempts WHERE kind = $1 AND key = $2")
            .bind(limit.kind)
            .bind(key)
            .execute(pool)
            .await
            .map(|_| ())
    })
}

/// Deletes attempts older than a day (every window is shorter).
pub async fn delete_old(db: &Db) -> Result<u64, sqlx::Error> {
    let before = Utc::now() - Duration::days(1);
    db_run!(db.writer(), |pool| {
        sqlx::query("DELETE FROM auth_attempts WHERE at < $1")
            .bind(before)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })
}

/// How long to wait before answering the `failures`-th failed sign-in: nothing for the
/// first two, then doubling from half a second up to eight seconds.
pub fn failure_delay(failures: i64) -> std::time::Duration {
    match failures {
        ..=2 => std::time::Duration::ZERO,
        n => std::time::Duration::from_millis(500 << (n - 3).min(4)),
    }
}

#[cfg(test)]
mod tests {
    use super::failure_delay;
    use std::time::Duration;

    #[test]
    fn delays_grow_and_are_capped() {
        assert_eq!(failure_delay(1), Duration::ZERO);
        assert_eq!(failure_delay(3), Duration::from_millis(500));
        assert_eq!(failure_delay(4), Duration::from_secs(1));
        assert_eq!(failure_delay(7), Duration::from_secs(8));
        assert_eq!(failure_delay(50), Duration::from_secs(8));
    }
}
