//! `/ws/help?class_id=…`: tells a student's help page that the help desk of their class
//! changed (a request raised, taken, handed over or closed; an instructor's status), so
//! that it reloads its own view. It carries no one's data, only that something changed:
//! what the student may see is decided where the page loads it.

use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use http::{HeaderMap, StatusCode};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;

use crate::auth::guard::ApiCaller;
use crate::classroom::live::message;
use crate::error::ApiError;
use crate::server::AppState;

const PING_EVERY: Duration = Duration::from_secs(20);

#[derive(Deserialize)]
pub struct HelpQuery {
    class_id: Option<String>,
}

/// Upgrades for a member of the class, from this site only.
pub async fn help_socket(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Query(query): Query<HelpQuery>,
    headers: HeaderMap,
    upgrade: WebSocketUpgrade,
) -> Response {
    if !crate::server::guard::is_same_site(&headers, &state.config.public_url()) {
        return ApiError::from_status(StatusCode::FORBIDDEN).into_response();
    }
    let Some(user) = caller else {
        return ApiError::from_status(StatusCode::UNAUTHORIZED).into_response();
    };
    let Some(class_id) = query.class_id.filter(|c| !c.is_empty()) else {
        return ApiError::from_status(StatusCode::BAD_REQUEST).into_response();
    };
    if let Err(error) = crate::courses::access::require_member(&state.db, &user, &class_id).await {
        return ApiError::from_status(
            StatusCode::from_u16(error.status()).unwrap_or(StatusCode::FORBIDDEN),
        )
        .into_response();
    }
    upgrade
        .read_buffer_size(crate::classroom::socket::READ_BUFFER)
        .on_upgrade(move |socket| run(socket, state, class_id))
}

async fn run(socket: WebSocket, state: AppState, class_id: String) {
    let (mut sink, mut stream) = socket.split();
    let mut receiver = state.live.subscribe(&class_id, None).receiver;
    let changed = |seq| message("help_desk_changed", &json!({}), seq);
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    loop {
        tokio::select! {
            received = receiver.recv() => {
                let seq = match received {
                    Ok(outgoing) if outgoing.desk => outgoing.seq,
                    Ok(_) => continue,
                    // Missed some: one of them may have been the desk's.
                    Err(RecvError::Lagged(_)) => state.live.seq(&class_id),
                    Err(RecvError::Closed) => break,
                };
                if sink.send(Message::Text(changed(seq).into())).await.is_err() {
                    break;
                }
            }
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                Some(Ok(_)) => {}
            },
            _ = ping.tick() => {
                if sink.send(Message::Ping(Vec::new().into())).await.is_err() {
                    break;
                }
            }
        }
    }
}
