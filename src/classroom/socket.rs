//! `/ws/dashboard?class_id=…[&since=<seq>]` (SPEC §5.4): a class's live messages for its
//! instructors. A browser comes with its session cookie and must come from this site's
//! own `Origin` (so another site cannot open a socket with the instructor's cookie);
//! tooling comes with a personal API token as `Authorization: Bearer`.
//!
//! The first message is a `snapshot` (the overview) unless `since` names a frame that is
//! still kept; then the frames missed, as one `delta_update` when there are several.
//! After that, the class feed's messages as they go out (several frames within a few
//! milliseconds already come as one delta); a dashboard that falls too far behind gets
//! a fresh snapshot.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::ws::{
    Message, Utf8Bytes, WebSocket, WebSocketUpgrade, rejection::WebSocketUpgradeRejection,
};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use futures::{SinkExt, StreamExt};
use http::{HeaderMap, StatusCode, header};
use serde::Deserialize;
use serde_json::json;
use tokio::sync::broadcast::error::RecvError;

use super::dashboard;
use super::live::{Outgoing, message, text_of};
use super::read::class_for_caller;
use crate::auth::guard::ApiCaller;
use crate::error::ApiError;
use crate::server::AppState;

/// A live socket's read buffer: browsers only send "ping" (the default of 128 KiB per
/// socket would be most of the server's memory with hundreds of dashboards open).
pub const READ_BUFFER: usize = 4 * 1024;

/// How often an idle socket is pinged, to keep NATs and proxies from closing it.
const PING_EVERY: Duration = Duration::from_secs(20);

#[derive(Deserialize)]
pub struct SocketQuery {
    class_id: Option<String>,
    since: Option<String>,
}

/// Upgrades to the dashboard socket after checking origin, caller and class.
pub async fn dashboard_socket(
    State(state): State<AppState>,
    ApiCaller(caller): ApiCaller,
    Query(query): Query<SocketQuery>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, WebSocketUpgradeRejection>,
) -> Response {
    let origin = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok());
    let bearer = headers.contains_key(header::AUTHORIZATION);
    let own_origin = origin.is_some_and(|o| {
        crate::server::guard::is_same_site(&headers, &state.config.public_url()) && !o.is_empty()
    });
    // A browser always sends its Origin; tooling with a token may send none.
    if !(own_origin || (bearer && origin.is_none())) {
        return ApiError::new(
            StatusCode::FORBIDDEN,
            "cross_site_request",
            "WebSocket connections are accepted from this site only",
        )
        .into_response();
    }
    let Some(user) = caller else {
        return ApiError::from_status(StatusCode::UNAUTHORIZED).into_response();
    };
    let class_id = match class_for_caller(&state.db, &user, query.class_id.as_deref()).await {
        Ok(class_id) => class_id,
        Err(error) => return error.into_response(),
    };
    let since = match query.since.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(raw) => match raw.parse::<u64>() {
            Ok(seq) => Some(seq),
            Err(_) => {
                return ApiError::validation(vec![crate::error::FieldError {
                    field: "since".to_owned(),
                    code: "invalid_number".to_owned(),
                    message: "Must be a sequence number from an earlier message".to_owned(),
                }])
                .into_response();
            }
        },
    };
    match upgrade {
        Ok(upgrade) => upgrade
            .read_buffer_size(READ_BUFFER)
            .on_upgrade(move |socket| async move {
                crate::helpdesk::presence::dashboard_opened(&state, &user).await;
                let _watching = crate::helpdesk::presence::Watching {
                    state: state.clone(),
                    user_id: user.id.clone(),
                };
                run(socket, state, class_id, since).await;
            })
            .into_response(),
        Err(_) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "websocket_required",
            "Connect with a WebSocket upgrade request",
        )
        .into_response(),
    }
}

async fn snapshot(state: &AppState, class_id: &str, seq: u64) -> Option<String> {
    match dashboard::overview(&state.db, class_id, seq).await {
        Ok(overview) => Some(message("snapshot", &overview, seq)),
        Err(error) => {
            tracing::error!(%error, "dashboard snapshot failed");
            None
        }
    }
}

async fn run(socket: WebSocket, state: AppState, class_id: String, since: Option<u64>) {
    let (mut sink, mut stream) = socket.split();
    let subscription = state.live.subscribe(&class_id, since);
    let mut receiver = subscription.receiver;
    let mut last_sent = subscription.seq;
    let subscription_needed_snapshot = subscription.missed.is_none();
    let first: Vec<Utf8Bytes> = match subscription.missed {
        Some(missed) => {
            last_sent = missed
                .last()
                .map_or(since.unwrap_or(0), |f| f.seq)
                .max(last_sent);
            text_of(&missed).into_iter().collect()
        }
        None => snapshot(&state, &class_id, subscription.seq)
            .await
            .map(Utf8Bytes::from)
            .into_iter()
            .collect(),
    };
    if first.is_empty() && subscription_needed_snapshot {
        // The snapshot failed: close, and the dashboard reconnects for another.
        let _ = sink.send(Message::Close(None)).await;
        return;
    }
    for text in first {
        if sink.send(Message::Text(text)).await.is_err() {
            return;
        }
    }
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.tick().await;
    loop {
        tokio::select! {
            received = receiver.recv() => {
                let mut messages: Vec<Arc<Outgoing>> = match received {
                    Ok(outgoing) => vec![outgoing],
                    Err(RecvError::Lagged(_)) => {
                        // Too far behind to catch up frame by frame: start over.
                        let seq = state.live.seq(&class_id);
                        let Some(text) = snapshot(&state, &class_id, seq).await else { break };
                        last_sent = seq;
                        if sink.send(Message::Text(text.into())).await.is_err() {
                            break;
                        }
                        continue;
                    }
                    Err(RecvError::Closed) => break,
                };
                while let Ok(outgoing) = receiver.try_recv() {
                    messages.push(outgoing);
                }
                // What a snapshot or the resumed frames already covered is not sent again.
                messages.retain(|m| m.seq > last_sent);
                if let Some(last) = messages.last() {
                    last_sent = last.seq;
                }
                // Queued together, written with one flush.
                for message in messages {
                    if sink.feed(Message::Text(message.text.clone())).await.is_err() {
                        return;
                    }
                }
                if sink.flush().await.is_err() {
                    return;
                }
            }
            incoming = stream.next() => match incoming {
                Some(Ok(Message::Close(_))) | Some(Err(_)) | None => break,
                // Browsers cannot send ping frames: a text "ping" gets a "pong".
                Some(Ok(Message::Text(text))) if text.as_str() == "ping" => {
                    let pong = message("pong", &json!({}), last_sent);
                    if sink.send(Message::Text(pong.into())).await.is_err() {
                        break;
                    }
                }
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
