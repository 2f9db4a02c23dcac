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
            AppError::Invalid(problems) if problems.iter().any(|p| p.code == "taken") => 409,
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
