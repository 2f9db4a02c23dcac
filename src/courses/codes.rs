//! Codes people type or paste: class join codes (`MATH-7KQ-P3X`), ingest tokens, and the
//! short self check-in code that rotates on the instructor's screen.

use chrono::{DateTime, Utc};
use rand::Rng;
use sha2::{Digest, Sha256};

/// Letters and digits nobody confuses when reading them off a projector: no 0/O, 1/I/L.
const ALPHABET: &[u8] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// Seconds one check-in code stays on screen; the previous one is still accepted.
pub const CHECK_IN_WINDOW_SECS: i64 = 30;

fn random_chars(n: usize) -> String {
    let mut rng = rand::rng();
    (0..n)
        .map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char)
        .collect()
}

/// A join code `SUBJ-XXX-XXX`: up to four ASCII letters of the subject (`CLS` when it
/// has none), then six random characters.
pub fn join_code(subject: &str) -> String {
    let mut prefix: String = subject
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(4)
        .collect::<String>()
        .to_ascii_uppercase();
    if prefix.is_empty() {
        prefix = "CLS".to_owned();
    }
    format!("{prefix}-{}-{}", random_chars(3), random_chars(3))
}

/// A typed join code in its stored form: upper case, spaces dropped, and the dashes put
/// back when someone typed `math7kqp3x`.
pub fn normalize_join_code(typed: &str) -> String {
    let compact: String = typed
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_uppercase();
    if compact.len() <= 6 {
        return compact;
    }
    let (prefix, rest) = compact.split_at(compact.len() - 6);
    format!("{prefix}-{}-{}", &rest[..3], &rest[3..])
}

/// A new ingest token for a class's notebook client.
pub fn ingest_token() -> String {
    let mut bytes = [0u8; 24];
    rand::rng().fill(&mut bytes);
    format!("lci_{}", hex::encode(bytes))
}

/// A new secret from which a lecture's check-in codes are derived.
pub fn check_in_secret() -> String {
    let mut bytes = [0u8; 16];
    rand::rng().fill(&mut bytes);
    hex::encode(bytes)
}

fn window(at: DateTime<Utc>) -> i64 {
    at.timestamp().div_euclid(CHECK_IN_WINDOW_SECS)
}

fn code_for_window(secret: &str, window: i64) -> String {
    let digest = Sha256::digest(format!("{secret}:{window}").as_bytes());
    let n = u32::from_be_bytes([digest[0], digest[1], digest[2], digest[3]]) % 1_000_000;
    format!("{n:06}")
}

/// The six-digit code shown at `at`.
pub fn check_in_code(secret: &str, at: DateTime<Utc>) -> String {
    code_for_window(secret, window(at))
}

/// Whether `typed` is the code shown now or the one just before (a student who read it
/// as it changed still gets in).
pub fn check_in_code_matches(secret: &str, typed: &str, at: DateTime<Utc>) -> bool {
    let typed = typed.trim();
    let now = window(at);
    [now, now - 1]
        .into_iter()
        .any(|w| code_for_window(secret, w) == typed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;

    #[test]
    fn join_codes_have_the_subject_and_no_ambiguous_letters() {
        let code = join_code("Mathematics");
        assert!(code.starts_with("MATH-"), "{code}");
        assert_eq!(code.len(), 12);
        assert!(
            code[5..]
                .chars()
                .all(|c| c == '-' || ALPHABET.contains(&(c as u8)))
        );
        assert!(join_code("수학").starts_with("CLS-"));
        assert!(join_code("AI").starts_with("AI-"));
    }

    #[test]
    fn typed_join_codes_are_normalized() {
        assert_eq!(normalize_join_code(" math-7kq-p3x "), "MATH-7KQ-P3X");
        assert_eq!(normalize_join_code("math7kqp3x"), "MATH-7KQ-P3X");
        assert_eq!(normalize_join_code("ai 7kq p3x"), "AI-7KQ-P3X");
    }

    #[test]
    fn check_in_codes_rotate_and_the_previous_one_is_accepted() {
        let secret = check_in_secret();
        let at = Utc::now();
        let code = check_in_code(&secret, at);
        assert_eq!(code.len(), 6);
        assert!(check_in_code_matches(&secret, &code, at));
        let next = at + Duration::seconds(CHECK_IN_WINDOW_SECS);
        assert!(check_in_code_matches(&secret, &code, next));
        let later = at + Duration::seconds(3 * CHECK_IN_WINDOW_SECS);
        assert!(!check_in_code_matches(&secret, &code, later));
        let fixed = chrono::TimeZone::timestamp_opt(&Utc, 1_800_000_000, 0).unwrap();
        assert_ne!(check_in_code("one", fixed), check_in_code("two", fixed));
    }
}
