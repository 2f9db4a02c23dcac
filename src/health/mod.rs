//! Is Lectern up? `GET /health` for load balancers and monitors (seed 002's shape), and
//! the same check for the status panel on the home page.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The outcome of one health check.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HealthReport {
    pub database_ok: bool,
    pub version: String,
    pub checked_at: DateTime<Utc>,
}

/// Checks the server and its database now.
#[server(prefix = "/api/fn", endpoint = "system_status")]
pub async fn system_status() -> Result<HealthReport, ServerFnError> {
    let state = crate::server::app_state()?;
    Ok(check(&state.db).await)
}

/// Runs the checks, giving the database two seconds to answer.
#[cfg(feature = "ssr")]
pub async fn check(db: &crate::db::Db) -> HealthReport {
    let ping = tokio::time::timeout(std::time::Duration::from_secs(2), db.ping()).await;
    let database_ok = match ping {
        Ok(Ok(())) => true,
        Ok(Err(error)) => {
            tracing::warn!(%error, "health check: database unavailable");
            false
        }
        Err(_) => {
            tracing::warn!("health check: database did not answer within 2 s");
            false
        }
    };
    HealthReport {
        database_ok,
        version: env!("CARGO_PKG_VERSION").to_owned(),
        checked_at: Utc::now(),
    }
}

/// `GET /health`: 200 `healthy`, or 503 `unhealthy` with the same shape.
#[cfg(feature = "ssr")]
pub async fn health_handler(
    axum::extract::State(state): axum::extract::State<crate::server::AppState>,
) -> axum::response::Response {
    use axum::http::{StatusCode, header};
    use axum::response::IntoResponse;

    let status = check(&state.db).await;
    let word = |ok: bool| if ok { "healthy" } else { "unhealthy" };
    let body = serde_json::json!({
        "status": word(status.database_ok),
        "timestamp": status.checked_at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        "version": status.version,
        "services": { "database": word(status.database_ok) },
    });
    let code = if status.database_ok {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (
        code,
        [(header::CACHE_CONTROL, "no-store")],
        axum::Json(body),
    )
        .into_response()
}
