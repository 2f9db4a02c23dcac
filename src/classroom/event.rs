//! Cell events as the notebook clients post them (SPEC §5.2), checked field by field
//! into one model: seed 002's snake_case objects, and the camelCase array of the
//! `cell-monitor-extension` for JupyterLab.

use chrono::{DateTime, Utc};
use serde_json::{Map, Value};

use crate::error::FieldError;

/// Code and output longer than this are cut (and flagged), never refused.
pub const MAX_TEXT_BYTES: usize = 64 * 1024;
/// Most events one request may carry.
pub const MAX_EVENTS: usize = 1_000;

/// What happened in the notebook.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EventKind {
    CellExecuted,
    NotebookOpened,
    /// The extension's help toggle: re-sent every 10 s while on.
    Help,
    HelpStop,
}

impl EventKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::CellExecuted => "cell_executed",
            EventKind::NotebookOpened => "notebook_opened",
            EventKind::Help => "help",
            EventKind::HelpStop => "help_stop",
        }
    }

    fn parse(value: &str) -> Option<EventKind> {
        [
            EventKind::CellExecuted,
            EventKind::NotebookOpened,
            EventKind::Help,
            EventKind::HelpStop,
        ]
        .into_iter()
        .find(|k| k.as_str() == value)
    }
}

/// One checked event.
#[derive(Clone, Debug, PartialEq)]
pub struct CellEvent {
    /// The client's `event_id`: sent again with the same `occurred_at` (a retry), the event
    /// is stored once.
    pub event_key: Option<String>,
    pub kind: EventKind,
    pub email: String,
    pub user_name: String,
    /// `A`–`Z` or `1`–`99`.
    pub team: Option<String>,
    pub notebook_path: String,
    pub cell_id: String,
    pub cell_type: Option<String>,
    pub execution_count: Option<i64>,
    /// `Some(true)` for a failed execution.
    pub failed: Option<bool>,
    pub error_type: Option<String>,
    pub error_message: Option<String>,
    pub code: Option<String>,
    pub output: Option<String>,
    /// Code or output was cut at [`MAX_TEXT_BYTES`].
    pub truncated: bool,
    pub execution_ms: Option<i64>,
    pub occurred_at: DateTime<Utc>,
}

/// The events of a request body: one object, an array of them, or (for the batch
/// endpoint) `{"events": [...]}`. `None` for any other shape.
pub fn items(body: &Value, batch: bool) -> Option<&Vec<Value>> {
    match body {
        Value::Array(items) if !batch => Some(items),
        Value::Object(map) if batch => map.get("events").and_then(Value::as_array),
        _ => None,
    }
}

/// A team name: `A`–`Z` or `1`–`99`, optionally written `チームA` or `Team A`; `None`
/// for a blank one. The error is the field problem's code.
pub fn team(raw: &str) -> Result<Option<String>, &'static str> {
    let name = raw
        .trim()
        .trim_start_matches("チーム")
        .trim_start_matches("Team")
        .trim_start_matches("team")
        .trim();
    if name.is_empty() {
        return Ok(None);
    }
    let letter = name.len() == 1 && name.chars().all(|c| c.is_ascii_uppercase());
    let number = !name.starts_with('0') && name.parse::<u8>().is_ok_and(|n| (1..=99).contains(&n));
    if letter || number {
        Ok(Some(name.to_owned()))
    } else {
        Err("invalid_team_format")
    }
}

/// Checks one posted object, in whichever of the two formats it is.
pub fn parse(value: &Value) -> Result<CellEvent, Vec<FieldError>> {
    let Some(map) = value.as_object() else {
        return Err(vec![problem(
            "",
            "invalid_type",
            "Each event must be a JSON object",
        )]);
    };
    let camel = ["eventType", "emailAddress", "notebookPath", "eventTime"]
        .iter()
        .any(|key| map.contains_key(*key));
    let mut fields = Fields {
        map,
        problems: Vec::new(),
    };
    let event = if camel {
        fields.camel_case()
    } else {
        fields.snake_case()
    };
    if fields.problems.is_empty() {
        Ok(event)
    } else {
        Err(fields.problems)
    }
}

fn problem(field: &str, code: &str, message: &str) -> FieldError {
    FieldError {
        field: field.to_owned(),
        code: code.to_owned(),
        message: message.to_owned(),
    }
}

/// Reads fields of one object, collecting every problem.
struct Fields<'a> {
    map: &'a Map<String, Value>,
    problems: Vec<FieldError>,
}

impl Fields<'_> {
    fn fail(&mut self, field: &str, code: &str, message: &str) {
        self.problems.push(problem(field, code, message));
    }

    /// A string field: `None` when absent or null; a problem when another type or
    /// longer than `max` characters. NUL characters are dropped (PostgreSQL's text
    /// cannot hold them, and one such event would fail everyone's transaction).
    fn text(&mut self, field: &str, max: usize) -> Option<String> {
        match self.map.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::String(s)) if s.chars().count() <= max => Some(s.replace('\0', "")),
            Some(Value::String(_)) => {
                self.fail(field, "too_long", &format!("At most {max} characters"));
                None
            }
            Some(_) => {
                self.fail(field, "invalid_type", "Must be a string");
                None
            }
        }
    }

    /// An error message: any length accepted, cut at `max` characters (a long traceback
    /// must not cost the whole event).
    fn message(&mut self, field: &str, max: usize) -> Option<String> {
        match self.map.get(field) {
            Some(Value::String(s)) if s.chars().count() > max => {
                Some(s.chars().filter(|c| *c != '\0').take(max).collect())
            }
            _ => self.text(field, max),
        }
    }

    fn required(&mut self, field: &str, max: usize) -> String {
        let before = self.problems.len();
        match self.text(field, max) {
            Some(s) if !s.trim().is_empty() => s,
            _ => {
                // A wrong type is already reported; only a missing value is "required".
                if self.problems.len() == before {
                    self.fail(field, "required", "This field is required");
                }
                String::new()
            }
        }
    }

    /// Code or output: any length accepted, cut at [`MAX_TEXT_BYTES`].
    fn long_text(&mut self, field: &str, truncated: &mut bool) -> Option<String> {
        let mut text = self.text(field, usize::MAX)?;
        if text.len() > MAX_TEXT_BYTES {
            let mut end = MAX_TEXT_BYTES;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            text.truncate(end);
            *truncated = true;
        }
        Some(text)
    }

    fn integer(&mut self, field: &str) -> Option<i64> {
        match self.map.get(field) {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) if n.as_i64().is_some_and(|n| n >= 0) => n.as_i64(),
            Some(_) => {
                self.fail(
                    field,
                    "invalid_type",
                    "Must be a whole number, zero or more",
                );
                None
            }
        }
    }

    fn email(&mut self, field: &str) -> String {
        let raw = self.required(field, 254);
        if raw.is_empty() {
            return raw;
        }
        crate::auth::validate::email(&raw).unwrap_or_else(|code| {
            self.fail(field, code, "Must be an email address");
            String::new()
        })
    }

    fn timestamp(&mut self, field: &str) -> DateTime<Utc> {
        let raw = self.required(field, 64);
        if raw.is_empty() {
            return Utc::now();
        }
        DateTime::parse_from_rfc3339(&raw)
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|_| {
                self.fail(
                    field,
                    "invalid_timestamp",
                    "Must be an ISO 8601 time with its zone",
                );
                Utc::now()
            })
    }

    fn team(&mut self, field: &str) -> Option<String> {
        let raw = self.text(field, 40)?;
        team(&raw).unwrap_or_else(|_| {
            self.fail(field, "invalid_team_format", "Must be A-Z or 1-99");
            None
        })
    }

    fn cell_type(&mut self, field: &str) -> Option<String> {
        let value = self.text(field, 20)?;
        if ["code", "markdown", "raw"].contains(&value.as_str()) {
            Some(value)
        } else {
            self.fail(field, "invalid_choice", "Must be code, markdown or raw");
            None
        }
    }

    /// Seed 002's format.
    fn snake_case(&mut self) -> CellEvent {
        let mut truncated = false;
        let failed = match self.required("status", 20).as_str() {
            "success" => Some(false),
            "error" => Some(true),
            "" => None,
            _ => {
                self.fail("status", "invalid_choice", "Must be success or error");
                None
            }
        };
        let execution_ms = match self.map.get("execution_time") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) if n.as_f64().is_some_and(|s| (0.0..1e6).contains(&s)) => {
                n.as_f64().map(|s| (s * 1000.0).round() as i64)
            }
            Some(_) => {
                self.fail(
                    "execution_time",
                    "invalid_type",
                    "Must be seconds, zero or more",
                );
                None
            }
        };
        CellEvent {
            event_key: self.text("event_id", 100),
            kind: EventKind::CellExecuted,
            email: self.email("email"),
            user_name: self.text("user_name", 200).unwrap_or_default(),
            team: self.team("team_name"),
            notebook_path: self.required("notebook_path", 1024),
            cell_id: self.required("cell_id", 256),
            cell_type: self.cell_type("cell_type"),
            execution_count: self.integer("execution_count"),
            failed,
            error_type: self.text("error_type", 200),
            error_message: self.message("error_message", 4096),
            code: self.long_text("code", &mut truncated),
            output: self.long_text("output", &mut truncated),
            truncated,
            execution_ms,
            occurred_at: self.timestamp("timestamp"),
        }
    }

    /// The JupyterLab extension's format. Its `executionDurationMs` is the extension's
    /// own processing time, not the cell's, so it is not kept.
    fn camel_case(&mut self) -> CellEvent {
        let mut truncated = false;
        let kind = match self.required("eventType", 40) {
            k if k.is_empty() => EventKind::CellExecuted,
            k => EventKind::parse(&k).unwrap_or_else(|| {
                self.fail(
                    "eventType",
                    "invalid_choice",
                    "Must be cell_executed, notebook_opened, help or help_stop",
                );
                EventKind::CellExecuted
            }),
        };
        let failed = match self.map.get("hasError") {
            None | Some(Value::Null) => (kind == EventKind::CellExecuted).then_some(false),
            Some(Value::Bool(b)) => Some(*b),
            Some(_) => {
                self.fail("hasError", "invalid_type", "Must be true or false");
                None
            }
        };
        // `errorMessage` is "<type>: <message>".
        let (error_type, error_message) = match self.message("errorMessage", 4096) {
            Some(text) => match text.split_once(": ") {
                Some((kind, message)) if !kind.contains(char::is_whitespace) => {
                    (Some(kind.to_owned()), Some(message.to_owned()))
                }
                _ => (None, Some(text)),
            },
            None => (None, None),
        };
        let cell_id = if kind == EventKind::CellExecuted {
            self.required("cellId", 256)
        } else {
            self.text("cellId", 256).unwrap_or_default()
        };
        CellEvent {
            event_key: self.text("eventId", 100),
            kind,
            email: self.email("emailAddress"),
            user_name: self.text("userName", 200).unwrap_or_default(),
            team: self.team("teamName"),
            notebook_path: self.required("notebookPath", 1024),
            cell_id,
            cell_type: self.cell_type("cellType"),
            execution_count: self.integer("executionCount"),
            failed,
            error_type,
            error_message,
            code: self.long_text("code", &mut truncated),
            output: self.long_text("result", &mut truncated),
            truncated,
            execution_ms: None,
            occurred_at: self.timestamp("eventTime"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn seed_event() -> Value {
        json!({
            "event_id": "evt-1", "user_id": "s1", "user_name": "Mina", "email": "Mina@Example.edu",
            "notebook_path": "lesson1/intro.ipynb", "cell_id": "c12", "cell_type": "code",
            "execution_count": 5, "code": "print(1)", "output": "1", "status": "success",
            "execution_time": 0.25, "timestamp": "2026-11-22T09:30:00Z", "team_name": "A"
        })
    }

    #[test]
    fn seed_events_are_read() {
        let event = parse(&seed_event()).unwrap();
        assert_eq!(event.email, "mina@example.edu");
        assert_eq!(event.failed, Some(false));
        assert_eq!(event.execution_ms, Some(250));
        assert_eq!(event.team.as_deref(), Some("A"));
        assert_eq!(event.kind, EventKind::CellExecuted);
    }

    #[test]
    fn every_bad_field_is_reported() {
        let mut bad = seed_event();
        bad["email"] = json!("not-an-email");
        bad["status"] = json!("maybe");
        bad["execution_count"] = json!("five");
        bad["timestamp"] = json!("yesterday");
        bad["team_name"] = json!("100");
        bad["cell_type"] = json!("python");
        bad.as_object_mut().unwrap().remove("cell_id");
        let codes: Vec<(String, String)> = parse(&bad)
            .unwrap_err()
            .into_iter()
            .map(|p| (p.field, p.code))
            .collect();
        for expected in [
            ("status", "invalid_choice"),
            ("email", "invalid_email"),
            ("team_name", "invalid_team_format"),
            ("cell_id", "required"),
            ("cell_type", "invalid_choice"),
            ("execution_count", "invalid_type"),
            ("timestamp", "invalid_timestamp"),
        ] {
            assert!(
                codes.contains(&(expected.0.to_owned(), expected.1.to_owned())),
                "{expected:?} in {codes:?}"
            );
        }
        assert!(matches!(parse(&json!(42)), Err(p) if p[0].code == "invalid_type"));
    }

    #[test]
    fn long_code_is_cut_at_a_character_boundary() {
        let mut event = seed_event();
        event["code"] = json!("가".repeat(MAX_TEXT_BYTES));
        let parsed = parse(&event).unwrap();
        assert!(parsed.truncated);
        let code = parsed.code.unwrap();
        assert!(code.len() <= MAX_TEXT_BYTES && code.len() > MAX_TEXT_BYTES - 3);
    }

    #[test]
    fn the_jupyterlab_extension_format_is_read() {
        let posted = json!([{
            "eventId": "0b6c", "eventType": "cell_executed", "eventTime": "2025-08-29T02:20:23.123Z",
            "emailAddress": "student001@example.com", "teamName": "チームA", "userName": "テスト学生001",
            "sessionId": "s", "notebookPath": "lesson1/intro.ipynb", "cellId": "abc", "cellIndex": 3,
            "cellType": "code", "code": "print(1/0)", "executionCount": 5, "hasError": true,
            "errorMessage": "ZeroDivisionError: division by zero",
            "result": "ZeroDivisionError: division by zero", "executionDurationMs": 2
        }]);
        let items = items(&posted, false).unwrap();
        let event = parse(&items[0]).unwrap();
        assert_eq!(event.team.as_deref(), Some("A"));
        assert_eq!(event.failed, Some(true));
        assert_eq!(event.error_type.as_deref(), Some("ZeroDivisionError"));
        assert_eq!(event.error_message.as_deref(), Some("division by zero"));
        assert_eq!(
            event.execution_ms, None,
            "the extension's own time is not the cell's"
        );

        let help = json!({
            "eventId": "h1", "eventType": "help", "eventTime": "2025-08-29T02:20:23Z",
            "emailAddress": "student001@example.com", "teamName": "チーム12", "userName": "x",
            "sessionId": "s", "notebookPath": "lesson1/intro.ipynb"
        });
        let event = parse(&help).unwrap();
        assert_eq!(
            (event.kind, event.team.as_deref(), event.cell_id.as_str()),
            (EventKind::Help, Some("12"), "")
        );
    }

    #[test]
    fn bodies_of_each_shape() {
        assert!(items(&json!([]), false).is_some());
        assert!(items(&json!({"events": []}), true).is_some());
        assert!(items(&json!({"events": []}), false).is_none());
        assert!(items(&json!("text"), true).is_none());
    }
}
