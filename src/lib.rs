//! Lectern: a self-hosted live classroom for teaching with notebooks.
//!
//! The crate builds twice: with `ssr` into the server binary, with `hydrate` into the WASM
//! bundle that makes server-rendered pages interactive. Modules are split by feature; each
//! holds its shared types, server functions and components, and (server only) its SQL.

// Release builds keep each page's full view type (debug builds erase them); the deepest
// pages need more than the default 128 levels to compute their layout.
#![recursion_limit = "256"]

pub mod app;
pub mod app_error;
pub mod auth;
pub mod classroom;
pub mod courses;
pub mod health;
pub mod helpdesk;
pub mod i18n;
pub mod notify;
pub mod site;
pub mod ui;

#[cfg(feature = "ssr")]
pub mod api;
#[cfg(feature = "ssr")]
pub mod config;
#[cfg(feature = "ssr")]
pub mod db;
#[cfg(feature = "ssr")]
pub mod error;
#[cfg(feature = "ssr")]
pub mod server;

/// Entry point of the WASM bundle. Pages are server-rendered; only their islands (the
/// live parts, marked `#[island]`) hydrate, each from the props the server wrote beside it.
#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // Lets people and browser tests tell a page whose WASM runs from a server-rendered
    // one; the islands hydrate right after this returns.
    if let Some(body) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
    {
        let _ = body.set_attribute("data-hydrated", "");
    }
}
