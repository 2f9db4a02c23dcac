//! Times shown as "3 minutes ago" that keep counting while the page is open.

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use crate::i18n::{format_datetime, relative_time, use_i18n};

/// `at` as a relative time in the reader's language, with the full date (UTC) as a
/// tooltip. An island: in the browser it re-renders every few seconds.
#[island]
pub fn RelativeTime(at: DateTime<Utc>) -> impl IntoView {
    let i18n = use_i18n();
    let now = RwSignal::new(Utc::now());
    // Effects run only in the browser, so the server renders one fixed text.
    Effect::new(move |_| {
        let handle = set_interval_with_handle(
            move || now.set(Utc::now()),
            std::time::Duration::from_secs(5),
        );
        on_cleanup(move || {
            if let Ok(handle) = handle {
                handle.clear();
            }
        });
    });
    let iso = at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    view! {
        <time
            datetime=iso
            title=move || format!("{} UTC", format_datetime(i18n.locale(), &at))
        >
            {move || relative_time(i18n.locale(), &now.get(), &at)}
        </time>
    }
}
