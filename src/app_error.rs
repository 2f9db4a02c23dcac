//! The error server functions answer with, shared with the browser so pages can show
//! "this field is wrong" next to the field instead of a generic failure.

use leptos::server_fn::codec::JsonEncoding;
use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

/// One field's problem: the field's name and a stable code the UI translates.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldProblem {
    pub field: String,
    pub code: String,
}

impl FieldProblem {
    pub fn new(field: &str, code: &str) -> FieldProblem {
        FieldProblem {
            field: field.to_owned(),
            code: code.to_owned(),
        }
    }
}

/// What went wrong in a server function.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(into = "WireError", from = "WireError")]
pub enum AppError {
    /// Some fields are invalid (400, or 409 for a taken email).
    #[error("input validation failed")]
    Invalid(Vec<FieldProblem>),
    /// Not signed in, or wrong credentials (401).
    #[error("authentication required")]
    Unauthorized,
    /// Signed in, but not allowed (403).
    #[error("not allowed")]
    Forbidden,
    /// Nothing there (404).
    #[error("not found")]
    NotFound,
    /// Too many attempts; try again after this many seconds (429).
    #[error("too many attempts")]
    RateLimited { retry_after: u64 },
    /// Something on the server failed; details are in the log (500).
    #[error("internal error")]
    Internal,
    /// The server function machinery failed (bad arguments, network).
    #[error("{0}")]
    ServerFn(String),
}

impl AppError {
    /// A single field problem.
    pub fn field(field: &str, code: &str) -> AppError {
        AppError::Invalid(vec![FieldProblem::new(field, code)])
    }

    /// The code of `field`'s problem, if it has one.
    pub fn code_for(&self, field: &str) -> Option<&str> {
        match self {
            AppError::Invalid(problems) => problems
                .iter()
                .find(|p| p.field == field)
                .map(|p| p.code.as_str()),
            _ => None,
        }
    }

    /// The HTTP status this error is answered with.
    pub fn status(&self) -> u16 {
        match self {
            AppError::Invalid(problems)
                if problems
                    .iter()
                    .any(|p| matches!(p.code.as_str(), "taken" | "help_closed" | "help_taken")) =>
            {
                409
            }
            AppError::Invalid(problems)
                if problems.iter().any(|p| {
                    matches!(
                        p.code.as_str(),
                        "signup_closed" | "signup_invite_only" | "cannot_change_self"
                    )
                }) =>
            {
                403
            }
            AppError::Invalid(problems)
                if problems.iter().any(|p| p.code == "wrong_credentials") =>
            {
                401
            }
            AppError::Invalid(_) | AppError::ServerFn(_) => 400,
            AppError::Unauthorized => 401,
            AppError::Forbidden => 403,
            AppError::NotFound => 404,
            AppError::RateLimited { .. } => 429,
            AppError::Internal => 500,
        }
    }
}

/// [`AppError`] on the wire: the error body of SPEC §5.1, the same as the JSON API's.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct WireError {
    success: bool,
    error: String,
    message: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    details: Vec<WireDetail>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    retry_after: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    timestamp: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    request_id: Option<String>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct WireDetail {
    field: String,
    message: String,
    code: String,
}

impl From<AppError> for WireError {
    fn from(error: AppError) -> WireError {
        let (code, message): (&str, String) = match &error {
            AppError::Invalid(_) if error.status() == 409 => (
                "conflict",
                "The request conflicts with existing data".into(),
            ),
            AppError::Invalid(_) if error.status() == 401 => {
                ("unauthorized", "Wrong credentials".into())
            }
            AppError::Invalid(_) if error.status() == 403 => ("forbidden", "Not allowed".into()),
            AppError::Invalid(_) => ("validation_error", "Input validation failed".into()),
            AppError::Unauthorized => ("unauthorized", "Authentication is required".into()),
            AppError::Forbidden => ("forbidden", "You are not allowed to do this".into()),
            AppError::NotFound => ("not_found", "No such resource".into()),
            AppError::RateLimited { .. } => {
                ("rate_limited", "Too many attempts; try again later".into())
            }
            AppError::Internal => ("internal_error", "An internal error occurred".into()),
            AppError::ServerFn(message) => ("bad_request", message.clone()),
        };
        let details = match &error {
            AppError::Invalid(problems) => problems
                .iter()
                .map(|p| WireDetail {
                    field: p.field.clone(),
                    message: crate::i18n::field_error_message(
                        crate::i18n::Locale::En.messages(),
                        &p.code,
                    )
                    .to_owned(),
                    code: p.code.clone(),
                })
                .collect(),
            _ => Vec::new(),
        };
        let retry_after = match error {
            AppError::RateLimited { retry_after } => Some(retry_after),
            _ => None,
        };
        let (timestamp, request_id) = stamp();
        WireError {
            success: false,
            error: code.to_owned(),
            message,
            details,
            retry_after,
            timestamp,
            request_id,
        }
    }
}

impl From<WireError> for AppError {
    fn from(wire: WireError) -> AppError {
        if !wire.details.is_empty() {
            return AppError::Invalid(
                wire.details
                    .into_iter()
                    .map(|d| FieldProblem {
                        field: d.field,
                        code: d.code,
                    })
                    .collect(),
            );
        }
        match wire.error.as_str() {
            "unauthorized" => AppError::Unauthorized,
            "forbidden" => AppError::Forbidden,
            "not_found" => AppError::NotFound,
            "rate_limited" => AppError::RateLimited {
                retry_after: wire.retry_after.unwrap_or(60),
            },
            "internal_error" => AppError::Internal,
            _ => AppError::ServerFn(wire.message),
        }
    }
}

/// When and in which request the error happened (server only; the browser never
/// serialises errors).
#[cfg(feature = "ssr")]
fn stamp() -> (Option<String>, Option<String>) {
    (
        Some(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)),
        crate::server::request_id::current_request_id(),
    )
}

#[cfg(not(feature = "ssr"))]
fn stamp() -> (Option<String>, Option<String>) {
    (None, None)
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        AppError::ServerFn(value.to_string())
    }
}

/// Server-side conversions: log the cause, answer with the right status.
#[cfg(feature = "ssr")]
mod server {
    use super::AppError;

    impl AppError {
        /// Sets this error's status on the response being built; server functions
        /// otherwise answer every error with 500. A browser's plain form post (it accepts
        /// HTML) keeps its redirect back to the form, which carries the error in the URL.
        pub fn with_status(self) -> AppError {
            let form_post =
                leptos::prelude::use_context::<http::request::Parts>().is_some_and(|parts| {
                    parts
                        .headers
                        .get(http::header::ACCEPT)
                        .and_then(|v| v.to_str().ok())
                        .is_some_and(|accept| accept.contains("text/html"))
                });
            if form_post {
                return self;
            }
            if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                response.set_status(
                    http::StatusCode::from_u16(self.status())
                        .unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR),
                );
                if let AppError::RateLimited { retry_after } = &self {
                    response.insert_header(http::header::RETRY_AFTER, (*retry_after).into());
                }
            }
            self
        }

        /// An internal failure: logged here with its cause, opaque to the caller.
        pub fn internal(cause: impl std::fmt::Display) -> AppError {
            tracing::error!(error = %cause, "internal error");
            AppError::Internal
        }
    }

    impl From<crate::db::DbError> for AppError {
        fn from(error: crate::db::DbError) -> AppError {
            AppError::internal(error)
        }
    }

    impl From<sqlx::Error> for AppError {
        fn from(error: sqlx::Error) -> AppError {
            AppError::internal(error)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_travel_in_the_api_error_format_and_back() {
        let cases = [
            AppError::field("email", "invalid_email"),
            AppError::field("email", "taken"),
            AppError::field("password", "wrong_credentials"),
            AppError::Unauthorized,
            AppError::Forbidden,
            AppError::NotFound,
            AppError::RateLimited { retry_after: 900 },
            AppError::Internal,
            AppError::ServerFn("bad input".to_owned()),
        ];
        for error in cases {
            let json = serde_json::to_value(&error).unwrap();
            assert_eq!(json["success"], false);
            assert!(
                json["error"].is_string() && json["message"].is_string(),
                "{json}"
            );
            let back: AppError = serde_json::from_value(json).unwrap();
            assert_eq!(back, error);
        }
        let json = serde_json::to_value(AppError::field("email", "taken")).unwrap();
        assert_eq!(json["error"], "conflict");
        assert_eq!(
            json["details"][0]["message"],
            "An account with this email already exists. Sign in instead?"
        );
        let json = serde_json::to_value(AppError::RateLimited { retry_after: 900 }).unwrap();
        assert_eq!(json["retry_after"], 900);
    }
}
