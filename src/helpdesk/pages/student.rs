//! `/help`: a student's help desk in each of their classes: ask for help, see where the
//! request stands (place in the queue, who is coming, the answer), cancel it, and who
//! can help now. In the browser it follows the class's help desk live; without
//! JavaScript, reload to refresh.

use leptos::prelude::*;
use leptos_meta::Title;

use super::queue::{presence_classes, presence_label, priority_label};
use crate::helpdesk::api::{CancelMyHelp, RaiseHelp, help_history, my_help_desks};
use crate::helpdesk::model::{HelpRequest, HelpStatus, Priority, StudentDesk};
use crate::i18n::{I18n, fill, use_i18n};
use crate::t;
use crate::ui::style::{BUTTON, BUTTON_DANGER, CARD, INPUT, SELECT};
use crate::ui::{FieldMessage, FormError, last_error, refusal};

#[component]
pub fn HelpPage() -> impl IntoView {
    let i18n = use_i18n();
    let desks = Resource::new(|| (), |_| my_help_desks());
    view! {
        <Title text=t!(i18n, help_title) />
        <h1 class="text-2xl font-bold">{t!(i18n, help_title)}</h1>
        <p class="mt-1 text-slate-700">{t!(i18n, help_lead)}</p>
        <Suspense fallback=|| ()>
            {move || desks.get().map(|result| match result {
                Err(error) => refusal(&error, "/help"),
                Ok(desks) if desks.is_empty() => view! {
                    <p class="mt-4">{t!(i18n, help_no_classes)} " " <a href="/classes" class="text-indigo-700 underline">{t!(i18n, nav_classes)}</a></p>
                }.into_any(),
                Ok(desks) => view! { <HelpDesksLive desks /> }.into_any(),
            })}
        </Suspense>
    }
}

/// The student's desks: an island that, in the browser, follows each class's help desk
/// and loads the desks again on every change (and after the student's own actions).
#[island]
fn HelpDesksLive(desks: Vec<StudentDesk>) -> impl IntoView {
    let i18n = use_i18n();
    let raise = ServerAction::<RaiseHelp>::new();
    let cancel = ServerAction::<CancelMyHelp>::new();
    let desks = RwSignal::new(desks);
    #[cfg(feature = "hydrate")]
    {
        let changes = RwSignal::new(0u32);
        crate::ui::reload_on(
            move || {
                raise.version().track();
                cancel.version().track();
                changes.track();
            },
            my_help_desks,
            desks,
        );
        // The sockets stay open across reloads: only a change in the set of classes
        // reconnects them.
        let classes = Memo::new(move |_| {
            desks
                .read()
                .iter()
                .map(|d| d.class_id.clone())
                .collect::<Vec<_>>()
        });
        Effect::new(move |_| {
            for class_id in classes.get() {
                super::live::follow(
                    class_id,
                    Callback::new(move |_| changes.update(|n| *n += 1)),
                );
            }
        });
    }
    move || {
        desks
            .get()
            .into_iter()
            .map(|desk| desk_view(i18n, desk, raise, cancel))
            .collect_view()
    }
}

fn desk_view(
    i18n: I18n,
    desk: StudentDesk,
    raise: ServerAction<RaiseHelp>,
    cancel: ServerAction<CancelMyHelp>,
) -> impl IntoView {
    let heading_id = format!("desk-{}", desk.class_id);
    let labelled_by = heading_id.clone();
    view! {
        <section aria-labelledby=labelled_by class=format!("mt-6 {CARD}") data-testid="help-desk">
            <h2 id=heading_id class="text-lg font-semibold">{desk.class_title.clone()}</h2>
            {match desk.open.clone() {
                Some(request) => open_view(i18n, request, desk.position, cancel).into_any(),
                None => raise_form(i18n, desk.class_id.clone(), raise).into_any(),
            }}
            <h3 class="mt-4 font-semibold">{t!(i18n, help_available_now)}</h3>
            {if desk.available.is_empty() {
                view! { <p class="text-sm text-slate-600" data-testid="available-none">{t!(i18n, help_nobody_available)}</p> }.into_any()
            } else {
                view! {
                    <ul class="mt-1 flex flex-wrap gap-2 text-sm" data-testid="available">
                        {desk.available.iter().map(|i| view! {
                            <li class=format!("rounded px-2 py-0.5 {}", presence_classes(i.status))>
                                {i.name.clone()} " · " {presence_label(i18n, i.status)}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
            {(!desk.history.is_empty()).then(|| view! {
                <h3 class="mt-4 font-semibold">{t!(i18n, help_earlier)}</h3>
                <ul class="mt-1 space-y-2 text-sm">
                    {desk.history.iter().cloned().map(|r| history_item(i18n, r)).collect_view()}
                </ul>
            })}
        </section>
    }
}

fn open_view(
    i18n: I18n,
    request: HelpRequest,
    position: Option<usize>,
    cancel: ServerAction<CancelMyHelp>,
) -> impl IntoView {
    let where_ = match (request.status, &request.instructor_name, position) {
        (HelpStatus::InProgress, Some(name), _) => fill(i18n.t().help_coming, &[("name", name)]),
        (_, _, Some(place)) => fill(i18n.t().help_position, &[("n", &place.to_string())]),
        _ => i18n.t().help_waiting.to_owned(),
    };
    let error = last_error(cancel);
    view! {
        <div class="mt-2 rounded border border-amber-300 bg-amber-50 p-3" data-testid="my-request" data-status=request.status.as_str()>
            <p class="font-semibold" role="status" aria-live="polite" data-testid="my-request-state">{where_}</p>
            {(!request.message.is_empty()).then(|| view! { <p class="mt-1">{request.message.clone()}</p> })}
            {request.last_error.clone().map(|e| view! { <p class="mt-1 font-mono text-xs text-red-800">{e}</p> })}
            <ActionForm action=cancel attr:class="mt-2">
                <input type="hidden" name="request_id" value=request.id.clone() />
                <FormError error />
                <button type="submit" class=BUTTON_DANGER data-testid="help-cancel">{t!(i18n, help_cancel_mine)}</button>
            </ActionForm>
        </div>
    }
}

fn raise_form(i18n: I18n, class_id: String, raise: ServerAction<RaiseHelp>) -> impl IntoView {
    let error = last_error(raise);
    view! {
        <ActionForm action=raise attr:class="mt-2 space-y-3" attr:novalidate=true>
            <input type="hidden" name="class_id" value=class_id />
            <label class="block text-sm">
                {t!(i18n, help_message)}
                <textarea name="message" rows="3" maxlength="2000" class=INPUT data-testid="help-message-input"></textarea>
            </label>
            <FieldMessage field="message" error />
            <div class="grid gap-3 sm:grid-cols-3">
                <label class="block text-sm">
                    {t!(i18n, help_priority)}
                    <select name="priority" class=SELECT>
                        {[Priority::Low, Priority::Medium, Priority::High].into_iter().map(|p| view! {
                            <option value=p.as_str() selected=p == Priority::Medium>{move || priority_label(i18n, p)}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="block text-sm">
                    {t!(i18n, help_notebook)}
                    <input type="text" name="notebook_path" class=INPUT />
                </label>
                <label class="block text-sm">
                    {t!(i18n, live_cell)}
                    <input type="text" name="cell_id" class=INPUT />
                </label>
            </div>
            <p class="text-xs text-slate-600">{t!(i18n, help_context_note)}</p>
            <FormError error />
            <button type="submit" class=BUTTON data-testid="help-raise">{t!(i18n, help_raise)}</button>
        </ActionForm>
    }
}

fn history_item(i18n: I18n, request: HelpRequest) -> impl IntoView {
    let outcome = match (request.status, &request.instructor_name) {
        (HelpStatus::Resolved, Some(name)) => fill(i18n.t().help_resolved_by, &[("name", name)]),
        (HelpStatus::Resolved, None) => i18n.t().help_resolved.to_owned(),
        (HelpStatus::Cancelled, _) => i18n.t().help_cancelled.to_owned(),
        _ => i18n.t().help_waiting.to_owned(),
    };
    let at = request.closed_at.unwrap_or(request.created_at);
    view! {
        <li class="rounded border border-slate-200 p-2" data-testid="help-history-item" data-status=request.status.as_str()>
            <p class="text-xs text-slate-600">{at.format("%Y-%m-%d %H:%M").to_string()} " · " {outcome}</p>
            {(!request.message.is_empty()).then(|| view! { <p>{request.message.clone()}</p> })}
            {request.response.clone().filter(|r| !r.is_empty()).map(|r| view! {
                <p class="mt-1 rounded bg-emerald-50 p-2" data-testid="help-response-text">{r}</p>
            })}
        </li>
    }
}

/// A student's help history, for their progress page.
#[component]
pub fn HelpHistory(
    /// The student; the signed-in user when `None`.
    student_id: Option<String>,
) -> impl IntoView {
    let i18n = use_i18n();
    let history = Resource::new(move || student_id.clone(), help_history);
    view! {
        <section aria-labelledby="help-history-heading" class=format!("mt-6 {CARD}") data-testid="help-history">
            <h2 id="help-history-heading" class="text-lg font-semibold">{t!(i18n, help_history_title)}</h2>
            <Suspense fallback=|| ()>
                {move || history.get().and_then(Result::ok).map(|items| {
                    if items.is_empty() {
                        view! { <p class="mt-2 text-sm text-slate-600">{t!(i18n, live_none_yet)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="mt-2 space-y-2 text-sm">
                                {items.into_iter().map(|r| history_item(i18n, r)).collect_view()}
                            </ul>
                        }.into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}
