//! Password hashing with argon2id at OWASP's parameters, off the async workers.
//!
//! Hashing is deliberately slow (tens of milliseconds of CPU), so it runs on the blocking
//! pool, at most one per core at a time: a burst of sign-ins queues instead of starving
//! every other request of CPU.

use std::sync::{Arc, LazyLock};

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

/// OWASP's argon2id recommendation: 19 MiB of memory, 2 iterations, 1 lane.
fn argon2() -> Argon2<'static> {
    let params = Params::new(19 * 1024, 2, 1, None).unwrap_or_default();
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Bounds concurrent hashing to the number of cores.
static HASHING: LazyLock<Arc<Semaphore>> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    Arc::new(Semaphore::new(cores))
});

/// A hash of a password nobody has, checked when the email is unknown so that an
/// unknown email costs the same time as a wrong password.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_now("not a real password, only for timing").unwrap_or_default());

/// Why hashing could not run.
#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("password hashing was interrupted")]
    Interrupted,
}

fn hash_now(password: &str) -> Result<String, HashError> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| HashError::Hash(e.to_string()))
}

fn verify_now(password: &str, stored: &str) -> bool {
    PasswordHash::new(stored)
        .map(|parsed| {
            argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

async fn on_blocking_pool<T: Send + 'static>(
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, HashError> {
    let _permit = HASHING
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| HashError::Interrupted)?;
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| HashError::Interrupted)
}

/// Hashes a new password.
pub async fn hash_password(password: String) -> Result<String, HashError> {
    on_blocking_pool(move || hash_now(&password)).await?
}

/// Checks `password` against a stored hash, or against a dummy hash when there is none,
/// so both paths take the same time. Only a real match answers true.
pub async fn verify_password(password: String, stored: Option<String>) -> Result<bool, HashError> {
    on_blocking_pool(move || match stored {
        Some(hash) => verify_now(&password, &hash),
        None => {
            verify_now(&password, &DUMMY_HASH);
            false
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_only_the_right_password() {
        let hash = hash_password("Correct1horse".into()).await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(
            verify_password("Correct1horse".into(), Some(hash.clone()))
                .await
                .unwrap()
        );
        assert!(
            !verify_password("Wrong1horse".into(), Some(hash))
                .await
                .unwrap()
        );
        assert!(!verify_password("Correct1horse".into(), None).await.unwrap());
        assert!(
            !verify_password("x".into(), Some("not a hash".into()))
                .await
                .unwrap()
        );
    }
}
