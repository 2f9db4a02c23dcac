//! The status control in the header: an instructor's own status (available, in
//! session, on break, offline), and how long a break lasts.

use leptos::prelude::*;

use super::queue::{presence_classes, presence_label};
use crate::helpdesk::api::{SetMyPresence, my_presence};
use crate::helpdesk::model::Presence;
use crate::i18n::{fill, use_i18n};
use crate::t;
use crate::ui::style::{BUTTON_QUIET, SELECT};
use crate::ui::{FormError, last_error};

/// Counts the help desk actions taken on this page: taking or closing a request moves
/// the instructor's own status, so the header's control reloads with them.
#[derive(Clone, Copy)]
pub struct PresenceChanged(pub RwSignal<u32>);

/// Provides [`PresenceChanged`] for the whole app.
pub fn provide_presence_changes() {
    provide_context(PresenceChanged(RwSignal::new(0)));
}

/// Break lengths offered, in minutes.
const BREAKS: [i64; 5] = [5, 10, 15, 30, 60];

/// Shown to instructors only (the server function answers `None` for others).
#[component]
pub fn PresenceControl() -> impl IntoView {
    let i18n = use_i18n();
    let set = ServerAction::<SetMyPresence>::new();
    let changed = use_context::<PresenceChanged>().map(|c| c.0);
    let mine = Resource::new(
        move || (set.version().get(), changed.map(|c| c.get())),
        |_| my_presence(),
    );
    let error = last_error(set);
    view! {
        <Suspense fallback=|| ()>
            {move || mine.get().and_then(Result::ok).flatten().map(|status| {
                let current = status.status;
                let until = status.break_until.map(|at| {
                    fill(i18n.t().presence_break_until, &[("time", &at.format("%H:%M UTC").to_string())])
                });
                view! {
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
                }
            })}
        </Suspense>
    }
}
