//! The status control in the header: an instructor's own status (available, in
//! session, on break, offline), and how long a break lasts.

use leptos::prelude::*;

use super::queue::{presence_classes, presence_label};
use crate::helpdesk::api::{SetMyPresence, my_presence};
use crate::helpdesk::model::{InstructorStatus, Presence};
use crate::i18n::{fill, use_i18n};
use crate::t;
use crate::ui::style::{BUTTON_QUIET, SELECT};
use crate::ui::{FormError, last_error};

/// The browser event the live dashboard sends when the instructor's own status moved
/// (taking a request, a break ending), so that the header's control follows it. The two
/// are separate islands, so they meet on the window rather than through context.
#[cfg(feature = "hydrate")]
const PRESENCE_CHANGED: &str = "lectern:presence-changed";

/// Tells the header's status control that the instructor's status changed.
#[cfg(feature = "hydrate")]
pub fn announce_presence_change() {
    if let Ok(event) = web_sys::CustomEvent::new(PRESENCE_CHANGED) {
        let _ = window().dispatch_event(&event);
    }
}

/// Break lengths offered, in minutes.
const BREAKS: [i64; 5] = [5, 10, 15, 30, 60];

/// Shown to instructors only (the server function answers `None` for others).
#[component]
pub fn PresenceControl() -> impl IntoView {
    let mine = Resource::new(|| (), |_| my_presence());
    view! {
        <Suspense fallback=|| ()>
            {move || mine.get().and_then(Result::ok).flatten().map(|status| view! { <PresenceForm status /> })}
        </Suspense>
    }
}

/// The control itself: an island, so that it follows the instructor's own changes and
/// the dashboard's news without a reload.
#[island]
fn PresenceForm(status: InstructorStatus) -> impl IntoView {
    let i18n = use_i18n();
    let set = ServerAction::<SetMyPresence>::new();
    let mine = RwSignal::new(Some(status));
    #[cfg(feature = "hydrate")]
    {
        let news = RwSignal::new(0u32);
        // Lives as long as the page: the header is never re-rendered in the browser.
        std::mem::forget(window_event_listener_untyped(PRESENCE_CHANGED, move |_| {
            news.update(|n| *n += 1)
        }));
        crate::ui::reload_on(
            move || {
                set.version().track();
                news.track();
            },
            my_presence,
            mine,
        );
    }
    let error = last_error(set);
    move || {
        let status = mine.get()?;
        let current = status.status;
        let until = status.break_until.map(|at| {
            fill(
                i18n.t().presence_break_until,
                &[("time", &at.format("%H:%M UTC").to_string())],
            )
        });
        Some(view! {
            <ActionForm action=set attr:class="flex flex-wrap items-center gap-1 text-sm" attr:aria-label=t!(i18n, presence_mine)>
                <span class=format!("rounded px-2 py-0.5 text-xs font-medium {}", presence_classes(current)) data-testid="my-presence" data-status=current.as_str()>
                    {presence_label(i18n, current)}
                </span>
                {until.map(|u| view! { <span class="text-xs text-slate-600">{u}</span> })}
                <label class="sr-only" for="presence-status">{t!(i18n, presence_mine)}</label>
                <select id="presence-status" name="status" class=format!("{SELECT} !mt-0 !w-auto !py-1 text-sm") data-testid="presence-select">
                    {Presence::ALL.into_iter().map(|p| view! {
                        <option value=p.as_str() selected=p == current>{presence_label(i18n, p)}</option>
                    }).collect_view()}
                </select>
                <label class="sr-only" for="presence-break">{t!(i18n, presence_break_length)}</label>
                <select id="presence-break" name="break_minutes" class=format!("{SELECT} !mt-0 !w-auto !py-1 text-sm") title=t!(i18n, presence_break_length)>
                    {BREAKS.into_iter().map(|m| {
                        let label = fill(i18n.t().presence_minutes, &[("n", &m.to_string())]);
                        view! { <option value=m.to_string() selected=m == 15>{label}</option> }
                    }).collect_view()}
                </select>
                <button type="submit" class=format!("{BUTTON_QUIET} !py-1") data-testid="presence-set">{t!(i18n, presence_set)}</button>
                <FormError error />
            </ActionForm>
        })
    }
}
