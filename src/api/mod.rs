//! The versioned JSON API under `/api/v1`: thin handlers over the features. Every answer
//! that is not a success has the §5.1 error body, whichever layer produced it.

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, options, post};

use crate::error::ApiError;
use crate::server::{AppState, guard};

/// The OpenAPI 3 description of this API, kept beside the code it describes.
const OPENAPI: &str = include_str!("openapi.json");

/// The `/api/v1` router.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(openapi))
        .route("/auth/status", get(crate::auth::service::auth_status))
        // Posted events never come this way: the server sends them down its ingest lane.
        .route(
            "/events",
            get(crate::classroom::read::list_events).options(crate::classroom::ingest::preflight),
        )
        .route(
            "/events/batch",
            options(crate::classroom::ingest::preflight),
        )
        .route("/dashboard/overview", get(crate::classroom::rest::overview))
        .route(
            "/dashboard/student/{email}",
            get(crate::classroom::rest::student),
        )
        .route(
            "/students",
            get(crate::classroom::rest::list_students).post(crate::classroom::rest::create_student),
        )
        .route(
            "/students/{id}",
            axum::routing::put(crate::classroom::rest::update_student)
                .delete(crate::classroom::rest::delete_student),
        )
        .route(
            "/help/request",
            post(crate::helpdesk::rest::raise).options(crate::classroom::ingest::preflight),
        )
        .route("/help/requests", get(crate::helpdesk::rest::list))
        .route(
            "/help/requests/{id}",
            axum::routing::put(crate::helpdesk::rest::update),
        )
        .route(
            "/instructors/status",
            get(crate::helpdesk::rest::statuses).put(crate::helpdesk::rest::set_status),
        )
        .route(
            "/instructors/available",
            get(crate::helpdesk::rest::available),
        )
        .route(
            "/instructors/workload/{id}",
            get(crate::helpdesk::rest::workload),
        )
        .fallback(|| async { ApiError::from_status(StatusCode::NOT_FOUND) })
        .layer(axum::middleware::from_fn(guard::json_errors))
}

async fn openapi() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], OPENAPI)
}

#[cfg(test)]
mod tests {
    #[test]
    fn openapi_document_is_valid_json_for_openapi_3() {
        let doc: serde_json::Value = serde_json::from_str(super::OPENAPI).unwrap();
        assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
        assert!(doc["paths"]["/health"].is_object());
        assert!(doc["paths"]["/api/v1/events"]["post"].is_object());
        for path in [
            "/api/v1/dashboard/overview",
            "/api/v1/dashboard/student/{email}",
            "/api/v1/students",
            "/api/v1/students/{id}",
            "/api/v1/help/request",
            "/api/v1/help/requests",
            "/api/v1/help/requests/{id}",
            "/api/v1/instructors/status",
            "/api/v1/instructors/available",
            "/api/v1/instructors/workload/{id}",
            "/ws/dashboard",
            "/ws/help",
        ] {
            assert!(doc["paths"][path].is_object(), "{path} is not described");
        }
        assert!(doc["components"]["schemas"]["Error"].is_object());
    }
}
