//! Server functions of notifications.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::app_error::AppError;

/// A message in the outbox.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct OutboxMessage {
    #[cfg_attr(feature = "ssr", sqlx(rename = "to_address"))]
    pub to: String,
    pub subject: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub error: Option<String>,
}

/// The permission to read the outbox: administrators have it; it can be granted to
/// others (a teacher who passes reset links on to students).
pub const READ_OUTBOX: &str = "outbox.read";

/// The newest 200 outbox messages.
#[server(prefix = "/api/fn", endpoint = "outbox")]
pub async fn outbox() -> Result<Vec<OutboxMessage>, AppError> {
    crate::auth::guard::require_permission(READ_OUTBOX).await?;
    let state = crate::server::app_state().map_err(AppError::internal)?;
    Ok(super::mail::recent(&state.db, 200).await?)
}
