//! The help queue and the instructors' statuses on the live dashboard. Both follow the
//! board, which the dashboard's socket keeps current; each action is a plain form, so
//! it works without JavaScript too (then the page reloads).

use chrono::{DateTime, Utc};
use leptos::prelude::*;

use crate::classroom::model::Board;
use crate::helpdesk::api::HelpAction;
use crate::helpdesk::model::{HelpRequest, HelpStatus, InstructorStatus, Presence, Priority};
use crate::i18n::{I18n, fill, relative_time, use_i18n};
use crate::t;
use crate::ui::style::{BUTTON, BUTTON_DANGER, BUTTON_QUIET, CARD, INPUT, SELECT};
use crate::ui::{FieldMessage, FormError, last_error};

/// A presence in the reader's language.
pub fn presence_label(i18n: I18n, status: Presence) -> &'static str {
    let t = i18n.t();
    match status {
        Presence::Available => t.presence_available,
        Presence::InSession => t.presence_in_session,
        Presence::Break => t.presence_break,
        Presence::Offline => t.presence_offline,
    }
}

/// Tailwind classes of a presence badge.
pub fn presence_classes(status: Presence) -> &'static str {
    match status {
        Presence::Available => "bg-emerald-100 text-emerald-900",
        Presence::InSession => "bg-indigo-100 text-indigo-900",
        Presence::Break => "bg-amber-100 text-amber-900",
        Presence::Offline => "bg-slate-100 text-slate-700",
    }
}

/// A priority in the reader's language.
pub fn priority_label(i18n: I18n, priority: Priority) -> &'static str {
    let t = i18n.t();
    match priority {
        Priority::Low => t.help_priority_low,
        Priority::Medium => t.help_priority_medium,
        Priority::High => t.help_priority_high,
    }
}

/// The open requests, next first, with what to do about each.
#[component]
pub fn HelpQueue(
    board: RwSignal<Board>,
    now: RwSignal<DateTime<Utc>>,
    /// The signed-in instructor.
    me: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let me = StoredValue::new(me);
    let count = move || board.read().help.len();
    // The dashboard hears of the instructor's own status first (taking a request,
    // a break ending): the header's control follows it.
    #[cfg(feature = "hydrate")]
    Effect::new(move |previous: Option<Option<(Presence, DateTime<Utc>)>>| {
        let mine = me.with_value(|me| {
            board
                .read()
                .instructors
                .iter()
                .find(|i| i.id == *me)
                .map(|i| (i.status, i.status_updated_at))
        });
        if previous.is_some_and(|p| p != mine) {
            super::announce_presence_change();
        }
        mine
    });
    view! {
        <section aria-labelledby="help-heading" class=format!("mt-6 {CARD}") data-testid="help-queue">
            <h2 id="help-heading" class="flex items-center gap-2 font-semibold">
                {t!(i18n, help_queue_title)}
                <span class=move || format!("rounded-full px-2 text-sm {}", if count() > 0 { "bg-amber-500 text-white" } else { "bg-slate-100 text-slate-700" })
                    data-testid="help-count" aria-live="polite">{move || count().to_string()}</span>
            </h2>
            {move || (count() == 0).then(|| view! { <p class="mt-2 text-sm text-slate-600">{t!(i18n, help_queue_empty)}</p> })}
            <ol class="mt-2 space-y-3">
                <For each=move || board.get().help key=|r| (r.id.clone(), r.status, r.instructor_id.clone()) let:request>
                    {request_card(i18n, request, board, now, me.get_value())}
                </For>
            </ol>
        </section>
    }
}

fn request_card(
    i18n: I18n,
    request: HelpRequest,
    board: RwSignal<Board>,
    now: RwSignal<DateTime<Utc>>,
    me: String,
) -> impl IntoView {
    let created = request.created_at;
    let waited = move || relative_time(i18n.locale(), &now.get(), &created);
    let name = if request.user_name.trim().is_empty() {
        request.user_id.clone()
    } else {
        request.user_name.clone()
    };
    let priority = request.priority;
    let state = match (&request.status, &request.instructor_name) {
        (HelpStatus::InProgress, Some(who)) => fill(i18n.t().help_with, &[("name", who)]),
        _ => i18n.t().help_waiting.to_owned(),
    };
    let mine = request.instructor_id.as_deref() == Some(me.as_str());
    let pending = request.status == HelpStatus::Pending;
    // Those who may take it over: the class's other instructors.
    let others = move || -> Vec<InstructorStatus> {
        let board = board.read();
        board
            .instructors
            .iter()
            .filter(|i| i.id != me && board.class_instructors.contains(&i.id))
            .cloned()
            .collect()
    };
    let id = request.id.clone();
    let hand_over_id = request.id.clone();
    let context = request
        .notebook_path
        .clone()
        .map(|notebook| match &request.cell_id {
            Some(cell) => format!("{notebook} · {cell}"),
            None => notebook,
        });
    view! {
        <li class="rounded border border-amber-300 bg-amber-50 p-3" data-testid="help-request" data-email=request.user_id.clone() data-status=request.status.as_str()>
            <div class="flex flex-wrap items-baseline justify-between gap-2">
                <h3 class="font-semibold">{name} <span class="text-xs font-normal text-slate-600">{request.user_id.clone()}</span></h3>
                <span class="text-xs">
                    <span class="rounded bg-white px-1 font-medium">{move || priority_label(i18n, priority)}</span>
                    " · " {waited} " · " <span data-testid="help-state">{state}</span>
                </span>
            </div>
            {(!request.message.is_empty()).then(|| view! { <p class="mt-1" data-testid="help-message">{request.message.clone()}</p> })}
            {context.map(|c| view! { <p class="mt-1 font-mono text-xs text-slate-700">{c}</p> })}
            {request.last_error.clone().map(|e| view! { <p class="mt-1 font-mono text-xs text-red-800">{e}</p> })}
            {request.code.clone().map(|code| view! {
                <details class="mt-1 text-xs">
                    <summary class="cursor-pointer">{t!(i18n, live_code)}</summary>
                    <pre class="mt-1 overflow-x-auto rounded bg-white p-2">{code}</pre>
                </details>
            })}
            <div class="mt-2 flex flex-wrap items-end gap-2">
                {(pending || !mine).then(|| action_form(id.clone(), "take", move || view! {
                    <button type="submit" class=BUTTON data-testid="help-take">{t!(i18n, help_take)}</button>
                }))}
                {action_form(id.clone(), "resolve", move || view! {
                    <label class="block text-xs">
                        {t!(i18n, help_response)}
                        <textarea name="response" rows="1" class=INPUT maxlength="4000" data-testid="help-response"></textarea>
                    </label>
                    <button type="submit" class=BUTTON_QUIET data-testid="help-resolve">{t!(i18n, help_resolve)}</button>
                })}
                {move || {
                    let others = others();
                    (!others.is_empty()).then(|| {
                        action_form(hand_over_id.clone(), "hand_over", move || view! {
                            <label class="block text-xs">
                                {t!(i18n, help_hand_over_to)}
                                <select name="to" class=SELECT>
                                    {others.clone().into_iter().map(|o| {
                                        let label = format!("{} ({})", o.name, presence_label(i18n, o.status));
                                        view! { <option value=o.id.clone()>{label}</option> }
                                    }).collect_view()}
                                </select>
                            </label>
                            <button type="submit" class=BUTTON_QUIET>{t!(i18n, help_hand_over)}</button>
                        })
                    })
                }}
                {action_form(id.clone(), "cancel", move || view! {
                    <button type="submit" class=BUTTON_DANGER>{t!(i18n, help_cancel_request)}</button>
                })}
            </div>
        </li>
    }
}

/// One action on a request, as a form of its own.
fn action_form<V: IntoView + 'static>(
    request_id: String,
    action: &'static str,
    fields: impl Fn() -> V + Send + Sync + 'static,
) -> impl IntoView {
    let submit = ServerAction::<HelpAction>::new();
    let error = last_error(submit);
    view! {
        <ActionForm action=submit attr:class="flex flex-wrap items-end gap-2">
            <input type="hidden" name="request_id" value=request_id />
            <input type="hidden" name="action" value=action />
            {fields()}
            <FieldMessage field="status" error />
            <FieldMessage field="instructor_id" error />
            <FormError error />
        </ActionForm>
    }
}

/// Every instructor's status, with their open sessions.
#[component]
pub fn InstructorStatuses(board: RwSignal<Board>) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <section aria-labelledby="instructors-heading" class=CARD data-testid="instructor-statuses">
            <h2 id="instructors-heading" class="font-semibold">
                <a href="/instructors" class="underline-offset-2 hover:underline">{t!(i18n, presence_title)}</a>
            </h2>
            <ul class="mt-2 space-y-1 text-sm">
                <For each=move || board.get().instructors key=|i| (i.id.clone(), i.status, i.active_students_count) let:instructor>
                    <li class="flex items-center justify-between gap-2" data-testid="instructor-status" data-status=instructor.status.as_str()>
                        <span>{instructor.name.clone()}</span>
                        <span class=format!("rounded px-2 text-xs font-medium {}", presence_classes(instructor.status))>
                            {move || presence_label(i18n, instructor.status)}
                            {(instructor.active_students_count > 0).then(|| format!(" · {}", instructor.active_students_count))}
                        </span>
                    </li>
                </For>
            </ul>
        </section>
    }
}

/// The open requests of every class the instructor teaches, for the teacher dashboard.
#[component]
pub fn OpenHelpList() -> impl IntoView {
    let i18n = use_i18n();
    let open = Resource::new(|| (), |_| crate::helpdesk::api::my_open_help());
    view! {
        <section class="mt-8" aria-labelledby="open-help-heading" data-testid="open-help">
            <h2 id="open-help-heading" class="text-lg font-semibold">{t!(i18n, help_queue_title)}</h2>
            <Suspense fallback=|| ()>
                {move || open.get().and_then(Result::ok).map(|requests| {
                    if requests.is_empty() {
                        return view! { <p class="mt-2 text-slate-600">{t!(i18n, help_queue_empty)}</p> }.into_any();
                    }
                    view! {
                        <ul class="mt-2 divide-y divide-slate-100 rounded-lg border border-slate-200 bg-white">
                            {requests.into_iter().map(|r| {
                                let who = if r.user_name.trim().is_empty() { r.user_id.clone() } else { r.user_name.clone() };
                                let state = match (&r.status, &r.instructor_name) {
                                    (HelpStatus::InProgress, Some(name)) => fill(i18n.t().help_with, &[("name", name)]),
                                    _ => i18n.t().help_waiting.to_owned(),
                                };
                                view! {
                                    <li class="flex flex-wrap justify-between gap-2 px-3 py-2">
                                        <a href=format!("/classes/{}/live", r.class_id) class="text-indigo-700 underline">{who}</a>
                                        <span class="text-sm text-slate-600">{priority_label(i18n, r.priority)} " · " {state}</span>
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    }.into_any()
                })}
            </Suspense>
        </section>
    }
}
