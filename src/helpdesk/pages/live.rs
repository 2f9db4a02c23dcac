//! The student's end of `/ws/help`: calls back whenever the class's help desk changed,
//! reconnecting after a pause when the connection drops, until the page is left.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use web_sys::WebSocket;

use crate::ui::{socket_url, urlencode};

/// Pause before reconnecting.
const RETRY_MS: u64 = 3_000;

struct Link {
    socket: Option<WebSocket>,
    handlers: Vec<Closure<dyn FnMut(web_sys::Event)>>,
    stopped: bool,
}

/// Calls `changed` on each change of `class_id`'s help desk (and after reconnecting,
/// since changes may have been missed meanwhile).
pub fn follow(class_id: String, changed: Callback<()>) {
    let link = StoredValue::new_local(Link {
        socket: None,
        handlers: Vec::new(),
        stopped: false,
    });
    let class_id = StoredValue::new(class_id);
    open(link, class_id, changed, false);
    on_cleanup(move || {
        link.update_value(|link| {
            link.stopped = true;
            if let Some(socket) = link.socket.take() {
                socket.set_onmessage(None);
                socket.set_onclose(None);
                let _ = socket.close();
            }
        });
    });
}

fn open(
    link: StoredValue<Link, LocalStorage>,
    class_id: StoredValue<String>,
    changed: Callback<()>,
    again: bool,
) {
    if link.try_with_value(|l| l.stopped).unwrap_or(true) {
        return;
    }
    let url = socket_url(&format!(
        "/ws/help?class_id={}",
        urlencode(&class_id.get_value())
    ));
    let Ok(socket) = WebSocket::new(&url) else {
        return;
    };
    if again {
        changed.run(());
    }
    let on_message = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| changed.run(()));
    let on_close = Closure::<dyn FnMut(web_sys::Event)>::new(move |_| {
        set_timeout(
            move || open(link, class_id, changed, true),
            std::time::Duration::from_millis(RETRY_MS),
        );
    });
    socket.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    socket.set_onclose(Some(on_close.as_ref().unchecked_ref()));
    link.update_value(|l| {
        l.socket = Some(socket);
        l.handlers = vec![on_message, on_close];
    });
}
