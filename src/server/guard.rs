//! Last-resort handling: a panic in a handler becomes a 500 (JSON under `/api/`, a page
//! for browsers) instead of a dropped connection, and the API always answers in its format.

use std::panic::AssertUnwindSafe;

use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use futures::FutureExt;

use crate::error::{ApiError, error_page_html};
use crate::i18n::locale_for_request;
use crate::server::MAX_BODY_BYTES;
use crate::server::request_id::current_request_id;

/// Turns a panic while handling a request into a logged, opaque 500.
pub async fn catch_panic(request: Request, next: Next) -> Response {
    let is_api = request.uri().path().starts_with("/api/");
    let locale = locale_for_request(request.headers());
    match AssertUnwindSafe(next.run(request)).catch_unwind().await {
        Ok(response) => response,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(panic = %what, "handler panicked");
            if is_api {
                ApiError::from_status(StatusCode::INTERNAL_SERVER_ERROR).into_response()
            } else {
                let id = current_request_id().unwrap_or_default();
                let page = error_page_html(locale, StatusCode::INTERNAL_SERVER_ERROR, &id);
                (StatusCode::INTERNAL_SERVER_ERROR, Html(page)).into_response()
            }
        }
    }
}

/// Refuses a body whose declared length is over [`MAX_BODY_BYTES`] before reading it.
/// (Bodies without a length are cut off at the same size by `DefaultBodyLimit`.)
pub async fn reject_oversized(request: Request, next: Next) -> Response {
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    match declared {
        Some(length) if length > MAX_BODY_BYTES as u64 => {
            if request.uri().path().starts_with("/api/") {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload_too_large",
                    format!("The request body is over the limit of {MAX_BODY_BYTES} bytes"),
                )
                .into_response()
            } else {
                StatusCode::PAYLOAD_TOO_LARGE.into_response()
            }
        }
        _ => next.run(request).await,
    }
}

/// Refuses state-changing requests that a browser made for another site (CSRF): a
/// `Sec-Fetch-Site: cross-site`, or an `Origin` that is neither this host nor the public
/// URL. Requests without either header (tools, the notebook client) pass; they carry no
/// browser's cookies by accident.
pub async fn refuse_cross_site(
    axum::extract::State(public_url): axum::extract::State<std::sync::Arc<str>>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method();
    let safe = method == axum::http::Method::GET
        || method == axum::http::Method::HEAD
        || method == axum::http::Method::OPTIONS;
    // Notebooks post events from their own origin with a class token, never a cookie.
    let token_only = crate::classroom::ingest::INGEST_PATHS.contains(&request.uri().path());
    if safe || token_only || is_same_site(request.headers(), &public_url) {
        return next.run(request).await;
    }
    tracing::warn!(origin = ?request.headers().get(header::ORIGIN), "cross-site request refused");
    if request.uri().path().starts_with("/api/") {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "cross_site_request",
            "Cross-site requests are not allowed",
        )
        .into_response()
    } else {
        let locale = locale_for_request(request.headers());
        let id = current_request_id().unwrap_or_default();
        (
            StatusCode::FORBIDDEN,
            Html(error_page_html(locale, StatusCode::FORBIDDEN, &id)),
        )
            .into_response()
    }
}

/// Whether a request's browser headers say it came from this site.
pub fn is_same_site(headers: &axum::http::HeaderMap, public_url: &str) -> bool {
    let fetch_site = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok());
    if fetch_site == Some("cross-site") {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return true;
    };
    let authority = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    origin == public_url.trim_end_matches('/') || (!authority.is_empty() && Some(authority) == host)
}

/// Under `/api/v1`, rewrites any error that a layer answered in plain text (unknown
/// route, wrong method, body too large, wrong content type) into the §5.1 JSON body.
pub async fn json_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let status = response.status();
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/json"));
    if !(status.is_client_error() || status.is_server_error()) || is_json {
        return response;
    }
    let allow = response.headers().get(header::ALLOW).cloned();
    let mut rewritten = ApiError::from_status(status).into_response();
    if let Some(allow) = allow {
        rewritten.headers_mut().insert(header::ALLOW, allow);
    }
    rewritten
}

/// Headers every response carries.
pub fn security_headers() -> [(header::HeaderName, HeaderValue); 4] {
    [
        (
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ),
        (header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY")),
        (
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ),
        (
            header::HeaderName::from_static("permissions-policy"),
            HeaderValue::from_static("camera=(), microphone=(), geolocation=()"),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use axum::Router;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    use super::*;

    async fn explode() -> &'static str {
        panic!("boom")
    }

    async fn call(path: &str) -> (StatusCode, String, String) {
        let app = Router::new()
            .route("/api/v1/boom", get(explode))
            .route("/boom", get(explode))
            .layer(axum::middleware::from_fn(catch_panic));
        let request = Request::get(path)
            .header(header::ACCEPT_LANGUAGE, "ko")
            .body(Body::empty())
            .unwrap();
        let response = app.oneshot(request).await.unwrap();
        let status = response.status();
        let content_type = response.headers()[header::CONTENT_TYPE]
            .to_str()
            .unwrap()
            .to_owned();
        let body = axum::body::to_bytes(response.into_body(), usize::MAX)
            .await
            .unwrap();
        (
            status,
            content_type,
            String::from_utf8_lossy(&body).into_owned(),
        )
    }

    #[test]
    fn same_site_is_told_by_origin_host_or_fetch_metadata() {
        let headers = |pairs: &[(&'static str, &'static str)]| {
            let mut map = axum::http::HeaderMap::new();
            for (name, value) in pairs {
                map.insert(*name, value.parse().unwrap());
            }
            map
        };
        let public = "https://lectern.example.edu";
        assert!(is_same_site(&headers(&[]), public));
        assert!(is_same_site(
            &headers(&[("origin", "https://lectern.example.edu")]),
            public
        ));
        assert!(is_same_site(
            &headers(&[
                ("origin", "http://localhost:3000"),
                ("host", "localhost:3000")
            ]),
            public
        ));
        assert!(!is_same_site(
            &headers(&[
                ("origin", "https://evil.example"),
                ("host", "localhost:3000")
            ]),
            public
        ));
        assert!(!is_same_site(
            &headers(&[("sec-fetch-site", "cross-site")]),
            public
        ));
        assert!(is_same_site(
            &headers(&[("sec-fetch-site", "same-origin")]),
            public
        ));
        assert!(!is_same_site(
            &headers(&[("origin", "null"), ("host", "x")]),
            public
        ));
    }

    #[tokio::test]
    async fn a_panic_becomes_an_opaque_500_in_the_callers_format() {
        let (status, content_type, body) = call("/api/v1/boom").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(content_type.starts_with("application/json"));
        assert!(body.contains(r#""error":"internal_error""#) && !body.contains("boom"));

        let (status, content_type, body) = call("/boom").await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        assert!(content_type.starts_with("text/html"));
        assert!(body.contains("문제가 발생했습니다") && !body.contains("boom"));
    }
}
