//! Input rules for courses, classes, lectures and account requests. Each problem is a
//! field name and a code, reported all at once; `messages.rs` words the codes.

use chrono::{Datelike, NaiveDate, NaiveDateTime};

use crate::app_error::FieldProblem;

/// A trimmed text of at most `max` characters without control characters (newlines
/// are allowed when `multiline`); `required` refuses an empty one.
pub fn text(
    raw: &str,
    max: usize,
    required: bool,
    multiline: bool,
) -> Result<String, &'static str> {
    let value = raw.trim();
    if value.is_empty() && required {
        Err("required")
    } else if value.chars().count() > max {
        Err("too_long")
    } else if value
        .chars()
        .any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\r' || c == '\t')))
    {
        Err("invalid_characters")
    } else {
        Ok(value.to_owned())
    }
}

/// Collects problems field by field.
#[derive(Default)]
pub struct Problems(Vec<FieldProblem>);

impl Problems {
    /// The value, or a default while recording the field's problem.
    pub fn check<T: Default>(&mut self, field: &str, result: Result<T, &'static str>) -> T {
        result.unwrap_or_else(|code| {
            self.0.push(FieldProblem::new(field, code));
            T::default()
        })
    }

    /// `Ok` when nothing was recorded.
    pub fn finish<T>(self, value: T) -> Result<T, Vec<FieldProblem>> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self.0)
        }
    }
}

/// A course's fields.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CourseInput {
    pub title: String,
    pub description: String,
    pub keyword: String,
}

pub fn course(
    title: &str,
    description: &str,
    keyword: &str,
) -> Result<CourseInput, Vec<FieldProblem>> {
    let mut p = Problems::default();
    let input = CourseInput {
        title: p.check("title", text(title, 200, true, false)),
        description: p.check("description", text(description, 5_000, false, true)),
        keyword: p.check("keyword", text(keyword, 100, false, false)),
    };
    p.finish(input)
}

/// Years a date may have: anything else is a typing mistake, and four-digit years keep
/// stored times in order.
pub const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// An optional date from a date input (`YYYY-MM-DD`).
pub fn optional_date(raw: &str) -> Result<Option<NaiveDate>, &'static str> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .ok()
        .filter(|d| YEARS.contains(&d.year()))
        .map(Some)
        .ok_or("invalid_date")
}

/// A class's fields.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ClassInput {
    pub title: String,
    pub subject: String,
    pub lecturer_info: String,
    pub date_info: String,
    pub begins_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub join_approval: bool,
}

#[allow(clippy::too_many_arguments)]
pub fn class(
    title: &str,
    subject: &str,
    lecturer_info: &str,
    date_info: &str,
    begins_on: &str,
    ends_on: &str,
    join_approval: bool,
) -> Result<ClassInput, Vec<FieldProblem>> {
    let mut p = Problems::default();
    let input = ClassInput {
        title: p.check("title", text(title, 200, true, false)),
        subject: p.check("subject", text(subject, 100, true, false)),
        lecturer_info: p.check("lecturer_info", text(lecturer_info, 500, false, true)),
        date_info: p.check("date_info", text(date_info, 200, false, false)),
        begins_on: p.check("begins_on", optional_date(begins_on)),
        ends_on: p.check("ends_on", optional_date(ends_on)),
        join_approval,
    };
    if let (Some(begins), Some(ends)) = (input.begins_on, input.ends_on)
        && ends < begins
    {
        p.check::<()>("ends_on", Err("ends_before_start"));
    }
    p.finish(input)
}

/// A lecture's fields; the start is a local time in the site's time zone.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LectureInput {
    pub title: String,
    pub sequence: Option<i64>,
    pub starts_at: NaiveDateTime,
    pub duration_minutes: i64,
    pub attendance_type: String,
}

pub fn lecture(
    title: &str,
    sequence: &str,
    starts_at: &str,
    duration_minutes: &str,
    attendance_type: &str,
) -> Result<LectureInput, Vec<FieldProblem>> {
    let mut p = Problems::default();
    let sequence = sequence.trim();
    let input = LectureInput {
        title: p.check("title", text(title, 200, true, false)),
        sequence: p.check(
            "sequence",
            match sequence {
                "" => Ok(None),
                s => s
                    .parse::<i64>()
                    .ok()
                    .filter(|n| (1..=1_000).contains(n))
                    .map(Some)
                    .ok_or("invalid_number"),
            },
        ),
        starts_at: p.check("starts_at", datetime_local(starts_at)),
        duration_minutes: p.check(
            "duration_minutes",
            duration_minutes
                .trim()
                .parse::<i64>()
                .ok()
                .filter(|n| (5..=600).contains(n))
                .ok_or("invalid_number"),
        ),
        attendance_type: p.check(
            "attendance_type",
            super::model::AttendanceType::parse(attendance_type)
                .map(|t| t.as_str().to_owned())
                .ok_or("invalid_choice"),
        ),
    };
    p.finish(input)
}

/// A `datetime-local` input value (`2026-11-22T09:30`, seconds optional).
pub fn datetime_local(raw: &str) -> Result<NaiveDateTime, &'static str> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err("required");
    }
    NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
        .ok()
        .filter(|d| YEARS.contains(&d.year()))
        .ok_or("invalid_date")
}

/// One student of an account request.
#[derive(Clone, Debug, PartialEq)]
pub struct RequestedAccount {
    pub email: String,
    pub first_name: String,
    pub last_name: String,
}

/// Most students one request may list.
pub const MAX_REQUESTED_ACCOUNTS: usize = 200;

/// Parses a pasted list, one student per line: `First Last, email` or, from a
/// spreadsheet, `First<TAB>Last<TAB>email`. Blank lines are skipped; the code of the first
/// bad line is reported with its number.
pub fn requested_accounts(raw: &str) -> Result<Vec<RequestedAccount>, (usize, &'static str)> {
    let mut accounts: Vec<RequestedAccount> = Vec::new();
    for (index, line) in raw.lines().enumerate() {
        let number = index + 1;
        let fields: Vec<&str> = line
            .split([',', '\t', ';'])
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .collect();
        if fields.is_empty() {
            continue;
        }
        let Some(at) = fields.iter().position(|f| f.contains('@')) else {
            return Err((number, "invalid_line"));
        };
        let email = crate::auth::validate::email(fields[at]).map_err(|code| (number, code))?;
        let names: Vec<&str> = fields
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != at)
            .map(|(_, f)| *f)
            .collect();
        let (first, last) = match names.as_slice() {
            [first, last] => ((*first).to_owned(), (*last).to_owned()),
            [full] => match full.rsplit_once(char::is_whitespace) {
                Some((first, last)) => (first.trim().to_owned(), last.trim().to_owned()),
                None => return Err((number, "invalid_line")),
            },
            _ => return Err((number, "invalid_line")),
        };
        let first_name = crate::auth::validate::name(&first).map_err(|code| (number, code))?;
        let last_name = crate::auth::validate::name(&last).map_err(|code| (number, code))?;
        if accounts.iter().any(|a| a.email == email) {
            return Err((number, "duplicate_email"));
        }
        accounts.push(RequestedAccount {
            email,
            first_name,
            last_name,
        });
    }
    if accounts.is_empty() {
        return Err((1, "required"));
    }
    if accounts.len() > MAX_REQUESTED_ACCOUNTS {
        return Err((MAX_REQUESTED_ACCOUNTS + 1, "too_many"));
    }
    Ok(accounts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn course_fields_are_checked_together() {
        let problems = course("  ", "ok", &"k".repeat(101)).unwrap_err();
        let fields: Vec<_> = problems
            .iter()
            .map(|p| (p.field.as_str(), p.code.as_str()))
            .collect();
        assert_eq!(fields, [("title", "required"), ("keyword", "too_long")]);
        assert_eq!(course(" Python ", "", "py").unwrap().title, "Python");
    }

    #[test]
    fn class_dates_must_be_in_order() {
        let problems = class("A", "Math", "", "", "2026-12-01", "2026-11-01", false).unwrap_err();
        assert_eq!(problems[0].field, "ends_on");
        assert_eq!(problems[0].code, "ends_before_start");
        assert_eq!(
            class("A", "Math", "", "", "nope", "", false).unwrap_err()[0].code,
            "invalid_date"
        );
    }

    #[test]
    fn lecture_fields_are_checked() {
        let ok = lecture("Intro", "", "2026-11-22T09:30", "90", "manual").unwrap();
        assert_eq!(ok.sequence, None);
        let problems = lecture("", "0", "tomorrow", "2", "magic").unwrap_err();
        let fields: Vec<_> = problems.iter().map(|p| p.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "title",
                "sequence",
                "starts_at",
                "duration_minutes",
                "attendance_type"
            ]
        );
    }

    #[test]
    fn pasted_student_lists_are_parsed() {
        let list = "Mina Park, MINA@example.edu\n\nJoon\tKim\tjoon@example.edu\n";
        let accounts = requested_accounts(list).unwrap();
        assert_eq!(accounts.len(), 2);
        assert_eq!(accounts[0].email, "mina@example.edu");
        assert_eq!(
            (
                accounts[1].first_name.as_str(),
                accounts[1].last_name.as_str()
            ),
            ("Joon", "Kim")
        );
        assert_eq!(requested_accounts("Mina Park\n"), Err((1, "invalid_line")));
        assert_eq!(
            requested_accounts("a b, x@y.z\nc d, x@y.z"),
            Err((2, "duplicate_email"))
        );
        assert_eq!(
            requested_accounts("a b, not-an-email@"),
            Err((1, "invalid_email"))
        );
        assert_eq!(requested_accounts(" \n"), Err((1, "required")));
    }
}
