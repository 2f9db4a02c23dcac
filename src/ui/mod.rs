//! Shared presentational components; they fetch no data.

mod form;
mod time;

pub use form::{FieldMessage, FormError, SAVED_PARAM, TextField, last_error, last_saved, refusal};
pub use time::RelativeTime;

/// Class lists shared by forms, so every page's controls look and focus alike.
pub mod style {
    pub const BUTTON: &str = "rounded bg-indigo-700 px-3 py-2 font-medium text-white hover:bg-indigo-800 focus:outline-none focus:ring-2 focus:ring-indigo-500 focus:ring-offset-2";
    pub const BUTTON_QUIET: &str = "rounded border border-slate-300 bg-white px-3 py-2 text-sm font-medium hover:bg-slate-50 focus:outline-none focus:ring-2 focus:ring-indigo-500";
    pub const BUTTON_DANGER: &str = "rounded border border-red-300 bg-white px-3 py-2 text-sm font-medium text-red-800 hover:bg-red-50 focus:outline-none focus:ring-2 focus:ring-red-500";
    pub const INPUT: &str = "mt-1 block w-full rounded border border-slate-300 px-3 py-2 focus:outline-none focus:ring-2 focus:ring-indigo-500";
    pub const SELECT: &str = "mt-1 block w-full rounded border border-slate-300 bg-white px-2 py-2";
    pub const LINK: &str = "text-indigo-700 underline";
    pub const CARD: &str = "rounded-lg border border-slate-200 bg-white p-4";
}

/// The WebSocket URL of `path_and_query` on this page's own host (`wss` under https).
#[cfg(feature = "hydrate")]
pub fn socket_url(path_and_query: &str) -> String {
    let location = leptos::prelude::window().location();
    let scheme = if location.protocol().as_deref() == Ok("https:") {
        "wss"
    } else {
        "ws"
    };
    let host = location.host().unwrap_or_default();
    format!("{scheme}://{host}{path_and_query}")
}

/// In the browser (an island): loads `into` again with `load` each time what `trigger`
/// reads changes, after the first run (the first value came from the server).
#[cfg(feature = "hydrate")]
pub fn reload_on<T, Fut>(
    trigger: impl Fn() + 'static,
    load: impl Fn() -> Fut + 'static,
    into: leptos::prelude::RwSignal<T>,
) where
    T: Send + Sync + 'static,
    Fut: std::future::Future<Output = Result<T, crate::app_error::AppError>> + 'static,
{
    use leptos::prelude::*;
    Effect::new(move |previous: Option<()>| {
        trigger();
        if previous.is_some() {
            let loading = load();
            leptos::task::spawn_local(async move {
                if let Ok(value) = loading.await {
                    into.set(value);
                }
            });
        }
    });
}

/// Percent-encodes a query value.
pub fn urlencode(value: &str) -> String {
    value
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
