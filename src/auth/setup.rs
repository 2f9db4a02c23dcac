//! First run: while no administrator exists, `/setup` creates the first super admin. It
//! asks for a one-time code printed in the server log, so whoever reaches the page first
//! cannot take the server.

use rand::Rng;

use super::service::admin_exists;
use crate::db::Db;
use crate::db_run;

const SETUP_CODE: &str = "setup_code";

/// The setup code while set-up is open (generated and stored on first call), or `None`
/// once an administrator exists. Kept in the database so every instance shows the same.
pub async fn open_setup_code(db: &Db) -> Result<Option<String>, sqlx::Error> {
    if admin_exists(db).await? {
        return Ok(None);
    }
    let stored = crate::server::secrets::stored_or_insert(db, SETUP_CODE, &new_code()).await?;
    Ok(Some(stored))
}

/// A fresh code of unambiguous characters, grouped for reading aloud: e.g. `K7QM-2XWP`.
fn new_code() -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKMNPQRSTUVWXYZ23456789";
    let mut rng = rand::rng();
    let mut code: String = (0..8)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect();
    code.insert(4, '-');
    code
}

/// Whether `given` is the setup code (compared in constant time, ignoring case and
/// spaces).
pub fn code_matches(expected: &str, given: &str) -> bool {
    let normalise = |s: &str| -> Vec<u8> {
        s.chars()
            .filter(|c| !c.is_whitespace())
            .flat_map(char::to_uppercase)
            .collect::<String>()
            .into_bytes()
    };
    let (a, b) = (normalise(expected), normalise(given));
    a.len() == b.len() && a.iter().zip(&b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Forgets the setup code once set-up is done.
pub async fn close_setup(db: &Db) -> Result<(), sqlx::Error> {
    db_run!(db.writer(), |pool| {
        sqlx::query("DELETE FROM server_secrets WHERE name = $1")
            .bind(SETUP_CODE)
            .execute(pool)
            .await
            .map(|_| ())
    })
}

#[cfg(test)]
mod tests {
    use super::code_matches;

    #[test]
    fn codes_match_ignoring_case_and_spaces_only() {
        assert!(code_matches("K7QM-2XWP", " k7qm-2xwp "));
        assert!(!code_matches("K7QM-2XWP", "K7QM-2XWQ"));
        assert!(!code_matches("K7QM-2XWP", "K7QM"));
    }
}
