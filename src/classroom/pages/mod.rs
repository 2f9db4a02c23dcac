//! The live classroom's pages: the dashboard, a student's detail, and what is
//! collected about the signed-in student.

mod dashboard;
mod my_data;
#[cfg(feature = "hydrate")]
mod socket;
mod student;

pub use dashboard::LiveDashboardPage;
pub use my_data::MyDataPage;
pub use student::LiveStudentPage;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use super::model::LiveStatus;
use crate::i18n::I18n;

/// The state of the dashboard's live connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Connection {
    /// Rendered by the server (or no JavaScript): nothing to show.
    Static,
    Connecting,
    Live,
    /// Lost; trying again.
    Offline,
}

/// A parameter of the current route.
fn route_param(name: &'static str) -> impl Fn() -> String + Copy + Send + Sync + 'static {
    move || use_params_map().read().get(name).unwrap_or_default()
}

/// A student status in the reader's language.
fn status_label(i18n: I18n, status: LiveStatus) -> &'static str {
    let t = i18n.t();
    match status {
        LiveStatus::Help => t.live_status_help,
        LiveStatus::Error => t.live_status_error,
        LiveStatus::Active => t.live_status_active,
        LiveStatus::Inactive => t.live_status_inactive,
    }
}
