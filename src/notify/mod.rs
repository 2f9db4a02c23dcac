//! Notifications. For now: email, sent over SMTP when configured and always recorded in
//! the outbox, which administrators can read when no SMTP server is set up.

pub mod api;
#[cfg(feature = "ssr")]
pub mod mail;
mod pages;

pub use pages::OutboxPage;
