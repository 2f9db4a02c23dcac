//! Input rules for accounts (S1.1), shared by the browser and the server. Each problem
//! is a field name and a code; `messages.rs` words the codes in each language.

use crate::app_error::FieldProblem;

/// The shortest and longest passwords accepted.
pub const PASSWORD_LEN: std::ops::RangeInclusive<usize> = 8..=128;

/// Normalises an email (trimmed, lower case) or names its problem.
pub fn email(raw: &str) -> Result<String, &'static str> {
    let email = raw.trim().to_lowercase();
    if email.is_empty() {
        return Err("required");
    }
    let valid = email.len() <= 254
        && !email.chars().any(|c| c.is_whitespace() || c.is_control())
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains("..")
        });
    if valid {
        Ok(email)
    } else {
        Err("invalid_email")
    }
}

/// Checks a new password: 8-128 characters with an upper-case letter, a lower-case
/// letter and a digit.
pub fn password(password: &str) -> Result<(), &'static str> {
    let length = password.chars().count();
    if length < *PASSWORD_LEN.start() {
        Err("password_too_short")
    } else if length > *PASSWORD_LEN.end() {
        Err("password_too_long")
    } else if !password.chars().any(char::is_uppercase)
        || !password.chars().any(char::is_lowercase)
        || !password.chars().any(|c| c.is_ascii_digit())
    {
        Err("password_too_weak")
    } else {
        Ok(())
    }
}

/// Trims a first or last name: 1-50 characters, no control characters.
pub fn name(raw: &str) -> Result<String, &'static str> {
    let name = raw.trim();
    if name.is_empty() {
        Err("required")
    } else if name.chars().count() > 50 {
        Err("too_long")
    } else if name.chars().any(char::is_control) {
        Err("invalid_characters")
    } else {
        Ok(name.to_owned())
    }
}

/// A student's grade level: 9 to 12.
pub fn grade_level(raw: Option<&str>) -> Result<i32, &'static str> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Err("required"),
        Some(text) => match text.parse::<i32>() {
            Ok(grade @ 9..=12) => Ok(grade),
            _ => Err("invalid_grade"),
        },
    }
}

/// A new account's fields, checked all at once so every problem is reported together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub grade_level: Option<i32>,
}

/// Validates a registration; `needs_grade` for students.
pub fn new_account(
    email_raw: &str,
    password_raw: &str,
    first_name: &str,
    last_name: &str,
    grade: Option<&str>,
    needs_grade: bool,
) -> Result<NewAccount, Vec<FieldProblem>> {
    let mut problems = Vec::new();
    let mut check = |field: &str, result: Result<(), &'static str>| {
        if let Err(code) = result {
            problems.push(FieldProblem::new(field, code));
        }
    };
    let email = email(email_raw);
    check("email", email.as_ref().map(|_| ()).map_err(|e| *e));
    check("password", password(password_raw));
    let first = name(first_name);
    check("first_name", first.as_ref().map(|_| ()).map_err(|e| *e));
    let last = name(last_name);
    check("last_name", last.as_ref().map(|_| ()).map_err(|e| *e));
    let grade = if needs_grade {
        Some(grade_level(grade))
    } else {
        None
    };
    if let Some(result) = &grade {
        check("grade_level", result.as_ref().map(|_| ()).map_err(|e| *e));
    }
    match (email, first, last, grade.transpose()) {
        (Ok(email), Ok(first_name), Ok(last_name), Ok(grade_level)) if problems.is_empty() => {
            Ok(NewAccount {
                email,
                first_name,
                last_name,
                grade_level,
            })
        }
        _ => Err(problems),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised_and_checked() {
        assert_eq!(email("  Ana@Example.EDU "), Ok("ana@example.edu".into()));
        for bad in [
            "",
            "ana",
            "ana@",
            "@example.com",
            "ana@example",
            "a b@x.io",
            "a@b@c.io",
            "a@.io",
            "a@x..io",
        ] {
            assert!(email(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn passwords_need_length_and_three_kinds_of_character() {
        assert_eq!(password("Abcdefg1"), Ok(()));
        assert_eq!(password("Abcde1"), Err("password_too_short"));
        assert_eq!(
            password(&format!("Ab1{}", "x".repeat(126))),
            Err("password_too_long")
        );
        assert_eq!(password("abcdefg1"), Err("password_too_weak"));
        assert_eq!(password("ABCDEFG1"), Err("password_too_weak"));
        assert_eq!(password("Abcdefgh"), Err("password_too_weak"));
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let problems = new_account("x", "short", " ", "Lee", Some("8"), true).unwrap_err();
        let fields: Vec<_> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(fields, ["email", "password", "first_name", "grade_level"]);
        let ok = new_account("a@b.io", "Abcdefg1", "Ana", "Lee", Some("10"), true).unwrap();
        assert_eq!(ok.grade_level, Some(10));
        assert_eq!(grade_level(None), Err("required"));
    }
}
