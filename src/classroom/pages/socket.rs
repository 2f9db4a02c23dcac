//! The dashboard's end of `/ws/dashboard`: connects, applies each message to the
//! board, and on a lost connection shows it and reconnects with growing pauses,
//! resuming from the last message seen (`?since=`).

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::{CloseEvent, MessageEvent, WebSocket};

use super::Connection;
use crate::classroom::model::{Board, LiveMessage};
use crate::ui::{socket_url, urlencode};

/// Longest pause between two attempts to reconnect, in milliseconds.
const MAX_PAUSE_MS: u32 = 15_000;

/// The open socket and its handlers (kept so they live as long as the socket).
struct Socket {
    socket: Option<WebSocket>,
    handlers: Vec<Closure<dyn FnMut(web_sys::Event)>>,
    attempts: u32,
    stopped: bool,
    /// The board missed something it could not apply: ask for a fresh snapshot.
    fresh: bool,
}

#[derive(Clone, Copy)]
struct Link {
    class_id: StoredValue<String>,
    board: RwSignal<Board>,
    connection: RwSignal<Connection>,
    socket: StoredValue<Socket, LocalStorage>,
}

/// Keeps `board` current from the class's live messages until the page is left.
pub fn connect(class_id: String, board: RwSignal<Board>, connection: RwSignal<Connection>) {
    let link = Link {
        class_id: StoredValue::new(class_id),
        board,
        connection,
        socket: StoredValue::new_local(Socket {
            socket: None,
            handlers: Vec::new(),
            attempts: 0,
            stopped: false,
            fresh: false,
        }),
    };
    open(link);
    on_cleanup(move || {
        link.socket.update_value(|s| {
            s.stopped = true;
            if let Some(socket) = s.socket.take() {
                // Detached first: the handlers are dropped with the page's state.
                socket.set_onopen(None);
                socket.set_onmessage(None);
                socket.set_onclose(None);
                let _ = socket.close();
            }
        });
    });
}

fn open(link: Link) {
    // Left the page (the state is gone) or stopped: no more attempts.
    if link.socket.try_with_value(|s| s.stopped).unwrap_or(true) {
        return;
    }
    link.connection.set(Connection::Connecting);
    let fresh = link.socket.with_value(|s| s.fresh);
    let seq = link.board.with_untracked(|b| b.seq);
    let since = if fresh || seq == 0 {
        String::new()
    } else {
        format!("&since={seq}")
    };
    let url = socket_url(&format!(
        "/ws/dashboard?class_id={}{since}",
        urlencode(&link.class_id.get_value())
    ));
    let Ok(socket) = WebSocket::new(&url) else {
        retry(link);
        return;
    };
    let on_open = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        link.connection.set(Connection::Live);
        link.socket.update_value(|s| {
            s.attempts = 0;
            s.fresh = false;
        });
    });
    let on_message = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
        let Some(text) = event
            .dyn_ref::<MessageEvent>()
            .and_then(|m| m.data().as_string())
        else {
            return;
        };
        let Ok(message) = serde_json::from_str::<LiveMessage>(&text) else {
            return;
        };
        let mut understood = true;
        link.board.update(|board| understood = board.apply(message));
        if !understood {
            // Start over from a snapshot rather than show a wrong board.
            link.socket.update_value(|s| {
                s.fresh = true;
                if let Some(socket) = &s.socket {
                    let _ = socket.close();
                }
            });
        }
    });
    let on_close = Closure::<dyn FnMut(web_sys::Event)>::new(move |event: web_sys::Event| {
        let _ = event.dyn_ref::<CloseEvent>();
        if link.socket.with_value(|s| s.stopped) {
            return;
        }
        link.connection.set(Connection::Offline);
        retry(link);
    });
    socket.set_onopen(Some(on_open.as_ref().unchecked_ref()));
    socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    link.socket.update_value(|s| {
        if let Some(old) = s.socket.replace(socket) {
            old.set_onclose(None);
            let _ = old.close();
        }
        s.handlers = vec![on_open, on_message, on_close];
    });
}

/// Tries again after a pause that doubles with each failure (up to 15 s).
fn retry(link: Link) {
    let Some(attempts) = link.socket.try_with_value(|s| s.attempts) else {
        return;
    };
    link.socket.update_value(|s| s.attempts += 1);
    let pause = 500u32
        .saturating_mul(1 << attempts.min(5))
        .min(MAX_PAUSE_MS);
    set_timeout(
        move || open(link),
        std::time::Duration::from_millis(u64::from(pause)),
    );
}
