//! Errors and their two renderings: the JSON body of SPEC §5.1 for the API, and a
//! friendly page for browsers. Internal details are logged, never sent.

use axum::Json;
use axum::extract::rejection::JsonRejection;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::i18n::Locale;
use crate::server::request_id::current_request_id;

/// One field's problem, in `details`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
    pub code: String,
}

/// An error answered by the JSON API (SPEC §5.1).
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    /// Stable machine-readable code, e.g. `validation_error`.
    pub code: &'static str,
    pub message: String,
    pub details: Vec<FieldError>,
    /// Seconds to wait, for 429 and 503.
    pub retry_after: Option<u64>,
    /// For 429: the limit that was reached (requests or events per window).
    pub limit: Option<u64>,
}

impl ApiError {
    /// An error with no field details.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            details: Vec::new(),
            retry_after: None,
            limit: None,
        }
    }

    /// 429: `limit` reached; try again after `retry_after` seconds.
    pub fn rate_limited(limit: u64, retry_after: u64) -> ApiError {
        ApiError {
            retry_after: Some(retry_after),
            limit: Some(limit),
            ..ApiError::new(
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limited",
                "Too many requests; try again later",
            )
        }
    }

    /// The standard error for a status code, used when a layer (routing, body limit)
    /// answered before any handler ran.
    pub fn from_status(status: StatusCode) -> ApiError {
        let (code, message) = match status {
            StatusCode::BAD_REQUEST => ("bad_request", "The request is malformed"),
            StatusCode::UNAUTHORIZED => ("unauthorized", "Authentication is required"),
            StatusCode::FORBIDDEN => ("forbidden", "You are not allowed to do this"),
            StatusCode::NOT_FOUND => ("not_found", "No such resource"),
            StatusCode::METHOD_NOT_ALLOWED => (
                "method_not_allowed",
                "This method is not allowed on this resource",
            ),
            StatusCode::CONFLICT => ("conflict", "The request conflicts with existing data"),
            StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "The request body is too large"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => (
                "unsupported_media_type",
                "Send the body as JSON with Content-Type: application/json",
            ),
            StatusCode::TOO_MANY_REQUESTS => ("rate_limited", "Too many requests; slow down"),
            StatusCode::SERVICE_UNAVAILABLE => (
                "service_unavailable",
                "The service is temporarily unavailable",
            ),
            s if s.is_client_error() => ("bad_request", "The request could not be processed"),
            _ => ("internal_error", "An internal error occurred"),
        };
        ApiError::new(status, code, message)
    }

    /// 400 with per-field problems.
    pub fn validation(details: Vec<FieldError>) -> ApiError {
        ApiError {
            details,
            ..ApiError::new(
                StatusCode::BAD_REQUEST,
                "validation_error",
                "Input validation failed",
            )
        }
    }

    /// An opaque 500; the cause is logged with the request id, not sent.
    pub fn internal(cause: impl std::fmt::Display) -> ApiError {
        tracing::error!(error = %cause, "internal error");
        ApiError::from_status(StatusCode::INTERNAL_SERVER_ERROR)
    }
}

/// The body of every API error.
#[derive(Debug, Serialize)]
pub struct ErrorBody<'a> {
    pub success: bool,
    pub error: &'a str,
    pub message: &'a str,
    #[serde(skip_serializing_if = "<[FieldError]>::is_empty")]
    pub details: &'a [FieldError],
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    /// Left in the window: always 0 on a 429.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u64>,
    /// When the window allows again (Unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reset: Option<i64>,
    pub timestamp: String,
    pub request_id: String,
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            success: false,
            error: self.code,
            message: &self.message,
            details: &self.details,
            retry_after: self.retry_after,
            limit: self.limit,
            remaining: self.limit.map(|_| 0),
            reset: self
                .limit
                .zip(self.retry_after)
                .map(|(_, after)| chrono::Utc::now().timestamp() + after as i64),
            timestamp: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            request_id: current_request_id().unwrap_or_default(),
        };
        let mut response = (self.status, Json(body)).into_response();
        if let Some(seconds) = self.retry_after {
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, seconds.into());
        }
        response
    }
}

impl From<crate::db::DbError> for ApiError {
    fn from(error: crate::db::DbError) -> ApiError {
        match &error {
            crate::db::DbError::Sqlx(sqlx::Error::PoolTimedOut | sqlx::Error::Io(_)) => {
                tracing::warn!(error = %error, "database unavailable");
                ApiError {
                    retry_after: Some(5),
                    ..ApiError::from_status(StatusCode::SERVICE_UNAVAILABLE)
                }
            }
            _ => ApiError::internal(error),
        }
    }
}

/// A JSON body extractor whose rejections are [`ApiError`]s: 400 `invalid_json` for bad
/// syntax, 400 `validation_error` for wrong types or missing fields, 415 for another
/// content type, 413 over the body limit.
#[derive(Debug, Clone, Copy, Default)]
pub struct ApiJson<T>(pub T);

impl<S, T> FromRequest<S> for ApiJson<T>
where
    Json<T>: FromRequest<S, Rejection = JsonRejection>,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match Json::<T>::from_request(req, state).await {
            Ok(Json(value)) => Ok(ApiJson(value)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::JsonSyntaxError(e) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "invalid_json",
            format!("The body is not valid JSON: {}", source_text(&e)),
        ),
        JsonRejection::JsonDataError(e) => {
            let text = source_text(&e);
            // serde names the path before ": "; use it as the field.
            let (field, message) = match text.split_once(": ") {
                Some((path, msg)) if !path.contains(' ') => (path.to_owned(), msg.to_owned()),
                _ => (String::new(), text.clone()),
            };
            ApiError::validation(vec![FieldError {
                field,
                message,
                code: "invalid_value".to_owned(),
            }])
        }
        JsonRejection::MissingJsonContentType(_) => {
            ApiError::from_status(StatusCode::UNSUPPORTED_MEDIA_TYPE)
        }
        other => ApiError::from_status(other.status()),
    }
}

/// The innermost message of an error chain (serde's own words, without axum's prefix).
fn source_text(error: &(dyn std::error::Error + 'static)) -> String {
    let mut current = error;
    while let Some(next) = current.source() {
        current = next;
    }
    current.to_string()
}

/// A server function's refusal, answered with `status` (server functions otherwise
/// answer every error with 500).
pub fn reject(status: StatusCode, message: impl Into<String>) -> leptos::prelude::ServerFnError {
    if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(status);
    }
    leptos::prelude::ServerFnError::new(message.into())
}

/// A complete, self-contained error page for browsers, for the few errors that happen
/// outside the Leptos app (a panic, an unreachable database while rendering).
pub fn error_page_html(locale: Locale, status: StatusCode, request_id: &str) -> String {
    let t = locale.messages();
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    };
    format!(
        r#"<!DOCTYPE html>
<html lang="{lang}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} · {app}</title><link rel="stylesheet" href="/pkg/lectern.css"></head>
<body class="min-h-screen bg-slate-50 text-slate-900"><main class="mx-auto max-w-xl p-8">
<h1 class="text-2xl font-bold">{title}</h1><p class="mt-4">{body}</p>
<p class="mt-4 text-sm text-slate-600">{status} · <code>{request_id}</code></p>
<p class="mt-6"><a class="text-indigo-700 underline" href="/">{home}</a></p></main></body></html>"#,
        lang = locale.code(),
        title = escape(t.error_title),
        app = escape(t.app_name),
        body = escape(t.error_body),
        status = status.as_u16(),
        request_id = escape(request_id),
        home = escape(t.back_home),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::Router;
    use axum::body::Body;
    use axum::routing::post;
    use tower::ServiceExt;

    #[derive(Debug, serde::Deserialize)]
    struct Team {
        #[allow(dead_code, reason = "only deserialised")]
        team_name: String,
    }

    async fn post_json(content_type: &str, body: &'static str) -> (StatusCode, serde_json::Value) {
        let app = Router::new().route("/", post(|ApiJson(_t): ApiJson<Team>| async { "ok" }));
        let response = app
            .oneshot(
                Request::post("/")
                    .header(header::CONTENT_TYPE, content_type)
                    .body(Body::from(body))
                    .unwrap(),
            )
            .await
            .unwrap();
        let status = response.status();
        let bytes = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (status, serde_json::from_slice(&bytes).unwrap_or_default())
    }

    #[tokio::test]
    async fn json_rejections_use_the_api_error_format() {
        let (status, body) = post_json("application/json", "{not json").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"], "invalid_json");
        assert_eq!(body["success"], false);

        let (status, body) = post_json("application/json", r#"{"team_name": 5}"#).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(body["error"], "validation_error");
        assert_eq!(body["details"][0]["field"], "team_name");

        let (status, body) = post_json("text/plain", r#"{"team_name": "A"}"#).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
        assert_eq!(body["error"], "unsupported_media_type");

        let (status, _) = post_json("application/json", r#"{"team_name": "A"}"#).await;
        assert_eq!(status, StatusCode::OK);
    }

    #[test]
    fn error_page_escapes_and_localises() {
        let html = error_page_html(Locale::Ja, StatusCode::INTERNAL_SERVER_ERROR, "<req>");
        assert!(html.contains("問題が発生しました"));
        assert!(html.contains("&lt;req&gt;"));
        assert!(html.contains(r#"lang="ja""#));
    }
}
