//! `/lectures/{id}` (and `/lectures/{id}/attendances`): the attendance sheet, self
//! check-in with its rotating code and the live list of who has checked in, and the
//! lecture's settings. `/checkin`: where a student types the code.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::classes::LectureFields;
use super::{lecture_counts, percent, route_id, status_label};
use crate::courses::api::{
    CheckIn, CloseCheckIn, DeleteLecture, OpenCheckIn, SaveAttendance, UpdateLecture,
};
use crate::courses::model::{AttendanceSheet, AttendanceStatus, CheckInState};
use crate::i18n::{fill, format_datetime, use_i18n};
use crate::t;
use crate::ui::style::{BUTTON, BUTTON_DANGER, BUTTON_QUIET, CARD, INPUT, LINK};
use crate::ui::{
    FieldMessage, FormError, RelativeTime, TextField, last_error, last_saved, refusal,
};

/// Seconds between refreshes of the open check-in (in the browser).
#[cfg(feature = "hydrate")]
const LIVE_REFRESH_SECS: u64 = 3;

#[component]
pub fn AttendancePage() -> impl IntoView {
    let i18n = use_i18n();
    let id = route_id();
    let save = ServerAction::<SaveAttendance>::new();
    let open = ServerAction::<OpenCheckIn>::new();
    let close = ServerAction::<CloseCheckIn>::new();
    let update = ServerAction::<UpdateLecture>::new();
    let delete = ServerAction::<DeleteLecture>::new();
    let sheet = Resource::new(id, crate::courses::api::get_attendance_sheet);
    view! {
        <Title text=i18n.t().attendance_title />
        <Suspense fallback=|| ()>
            {move || sheet.get().map(|result| match result {
                Err(error) => refusal(&error, &format!("/lectures/{}", id())),
                Ok(data) => sheet_view(data, save, open, close, update, delete).into_any(),
            })}
        </Suspense>
    }
}

fn sheet_view(
    data: AttendanceSheet,
    save: ServerAction<SaveAttendance>,
    open: ServerAction<OpenCheckIn>,
    close: ServerAction<CloseCheckIn>,
    update: ServerAction<UpdateLecture>,
    delete: ServerAction<DeleteLecture>,
) -> impl IntoView {
    let i18n = use_i18n();
    let lecture = data.lecture.clone();
    let id = StoredValue::new(lecture.id.clone());
    let save_error = last_error(save);
    let update_error = last_error(update);
    let starts = lecture.starts_at;
    let checked_in: Vec<String> = data
        .rows
        .iter()
        .filter(|r| r.checked_in_at.is_some())
        .map(|r| r.student.name())
        .collect();
    let summary = lecture_counts(i18n, &lecture);
    view! {
        <nav class="text-sm"><a href=format!("/classes/{}", lecture.class_id) class=LINK>{data.class_title.clone()}</a></nav>
        <h1 class="mt-2 text-2xl font-bold" data-testid="lecture-title">{format!("{}. {}", lecture.sequence, lecture.title)}</h1>
        <p class="text-sm text-slate-600">{move || format_datetime(i18n.locale(), &starts)} " · " {percent(lecture.rate())} " · " {summary}</p>

        <section aria-labelledby="check-in-heading" class="mt-6">
            <h2 id="check-in-heading" class="text-lg font-semibold">{t!(i18n, check_in_title)}</h2>
            {match data.check_in.clone() {
                Some(state) => view! {
                    // Without JavaScript the page reloads itself to show the next code. As
                    // inner HTML, it stays inert text when scripts run.
                    <noscript inner_html=r#"<meta http-equiv="refresh" content="10">"# />
                    <CheckInLive lecture_id=id.get_value() state checked_in=checked_in.clone()>
                        <ActionForm action=close attr:class="mt-3">
                            <input type="hidden" name="id" value=id.get_value() />
                            <button type="submit" class=BUTTON_QUIET>{t!(i18n, check_in_close)}</button>
                        </ActionForm>
                    </CheckInLive>
                }.into_any(),
                None => view! {
                    <ActionForm action=open attr:class="mt-2 flex flex-wrap items-end gap-3">
                        <input type="hidden" name="id" value=id.get_value() />
                        <div>
                            <label for="minutes" class="block text-sm font-medium">{t!(i18n, check_in_minutes)}</label>
                            <input id="minutes" name="minutes" type="number" min="1" max="240" value="15" class=INPUT />
                        </div>
                        <button type="submit" class=BUTTON>{t!(i18n, check_in_open)}</button>
                    </ActionForm>
                }.into_any(),
            }}
        </section>

        <section aria-labelledby="sheet-heading" class="mt-8">
            <h2 id="sheet-heading" class="text-lg font-semibold">{t!(i18n, attendance_sheet)}</h2>
            <p class="mt-1 text-sm text-slate-600">{t!(i18n, attendance_sheet_lead)}</p>
            {data.rows.is_empty().then(|| view! { <p class="mt-2 text-slate-600">{t!(i18n, roster_empty)}</p> })}
            <ActionForm action=save attr:class="mt-3">
                <input type="hidden" name="id" value=id.get_value() />
                <div class="overflow-x-auto">
                    <table class="min-w-full divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white text-sm">
                        <thead class="bg-slate-50 text-left">
                            <tr>
                                <th scope="col" class="px-3 py-2">{t!(i18n, field_name)}</th>
                                <th scope="col" class="px-3 py-2">{t!(i18n, attendance_status)}</th>
                                <th scope="col" class="px-3 py-2">{t!(i18n, attendance_detail)}</th>
                                <th scope="col" class="px-3 py-2">{t!(i18n, attendance_note)}</th>
                            </tr>
                        </thead>
                        <tbody class="divide-y divide-slate-100" data-testid="sheet">
                            {data.rows.into_iter().map(|row| {
                                let sid = crate::courses::model::form_key(&row.student.id);
                                // Unmarked students start as present: the teacher only
                                // changes the exceptions.
                                let current = row.status.unwrap_or(AttendanceStatus::Present);
                                let checked_at = row.checked_in_at;
                                let name = row.student.name();
                                let group = format!("status[{sid}]");
                                view! {
                                    <tr data-student=row.student.email.clone()>
                                        <th scope="row" class="px-3 py-2 text-left font-normal">
                                            {name.clone()}
                                            {row.enrolled_later.then(|| view! { <span class="ml-1 text-xs text-slate-500">{t!(i18n, attendance_enrolled_later)}</span> })}
                                            {row.status.is_none().then(|| view! { <span class="ml-1 text-xs text-amber-700">{t!(i18n, attendance_unmarked)}</span> })}
                                            {checked_at.map(|at| view! { <span class="ml-1 text-xs text-green-800">{t!(i18n, checked_in)} " " <RelativeTime at=at /></span> })}
                                        </th>
                                        <td class="px-3 py-2">
                                            <fieldset class="flex gap-3">
                                                <legend class="sr-only">{name.clone()}</legend>
                                                {AttendanceStatus::ALL.map(|status| {
                                                    let group = group.clone();
                                                    view! {
                                                        <label class="flex items-center gap-1">
                                                            <input type="radio" name=group value=status.as_str() checked=status == current />
                                                            {move || status_label(i18n, status)}
                                                        </label>
                                                    }
                                                }).collect_view()}
                                            </fieldset>
                                        </td>
                                        <td class="px-3 py-2">
                                            <input name=format!("detail[{sid}]") value=row.detail_type.clone() aria-label=format!("{} {name}", i18n.t().attendance_detail) class="w-32 rounded border border-slate-300 px-2 py-1" />
                                        </td>
                                        <td class="px-3 py-2">
                                            <input name=format!("note[{sid}]") value=row.description.clone() aria-label=format!("{} {name}", i18n.t().attendance_note) class="w-48 rounded border border-slate-300 px-2 py-1" />
                                        </td>
                                    </tr>
                                }
                            }).collect_view()}
                        </tbody>
                    </table>
                </div>
                <FieldMessage field="status" error=save_error />
                <FieldMessage field="detail" error=save_error />
                <FieldMessage field="note" error=save_error />
                <FormError error=save_error />
                <p role="status" class="mt-2 text-sm text-green-800" data-testid="sheet-saved">{move || last_saved(save).get().then(|| i18n.t().saved)}</p>
                <button type="submit" class=format!("mt-3 {BUTTON}")>{t!(i18n, attendance_save)}</button>
            </ActionForm>
        </section>

        <section aria-labelledby="lecture-settings" class="mt-10 max-w-xl">
            <details>
                <summary id="lecture-settings" class="cursor-pointer font-medium text-indigo-700">{t!(i18n, lecture_edit)}</summary>
                <ActionForm action=update attr:class="mt-3 space-y-3" attr:novalidate=true>
                    <input type="hidden" name="id" value=id.get_value() />
                    <LectureFields error=update_error lecture=lecture.clone() />
                    <FormError error=update_error />
                    <button type="submit" class=BUTTON>{t!(i18n, save)}</button>
                </ActionForm>
                <ActionForm action=delete attr:class="mt-6">
                    <input type="hidden" name="id" value=id.get_value() />
                    <button type="submit" class=BUTTON_DANGER>{t!(i18n, lecture_delete)}</button>
                </ActionForm>
            </details>
        </section>
    }
}

/// The open check-in: the code to type and who has checked in. An island: in the
/// browser it asks again every few seconds, as the code rotates and students arrive,
/// and reloads the page once check-in has closed. `children` is the form that closes it.
#[island]
fn CheckInLive(
    lecture_id: String,
    state: CheckInState,
    checked_in: Vec<String>,
    children: Children,
) -> impl IntoView {
    let i18n = use_i18n();
    let live = RwSignal::new((Some(state), checked_in));
    // Only the browser asks again.
    #[cfg(not(feature = "hydrate"))]
    let _ = lecture_id;
    #[cfg(feature = "hydrate")]
    {
        let tick = RwSignal::new(0u32);
        let handle = set_interval_with_handle(
            move || tick.update(|t| *t += 1),
            std::time::Duration::from_secs(LIVE_REFRESH_SECS),
        );
        on_cleanup(move || {
            if let Ok(handle) = handle {
                handle.clear();
            }
        });
        crate::ui::reload_on(
            move || tick.track(),
            move || {
                let id = lecture_id.clone();
                async move {
                    let sheet = crate::courses::api::get_attendance_sheet(id).await?;
                    let names = sheet
                        .rows
                        .iter()
                        .filter(|r| r.checked_in_at.is_some())
                        .map(|r| r.student.name())
                        .collect();
                    Ok((sheet.check_in, names))
                }
            },
            live,
        );
        Effect::new(move |_| {
            if live.read().0.is_none() {
                let _ = window().location().reload();
            }
        });
    }
    let code = move || live.read().0.as_ref().map(|s| s.code.clone());
    let until = move || {
        live.read().0.as_ref().map(|s| {
            fill(
                i18n.t().check_in_open_until,
                &[("time", &format_datetime(i18n.locale(), &s.open_until))],
            )
        })
    };
    let count = move || {
        fill(
            i18n.t().checked_in_count,
            &[("n", &live.read().1.len().to_string())],
        )
    };
    view! {
        <div class=CARD>
            <p class="text-sm text-slate-600">{t!(i18n, check_in_code_lead)}</p>
            <p class="font-mono text-6xl font-bold tracking-[0.3em]" data-testid="check-in-code" aria-live="polite">{code}</p>
            <p class="mt-2 text-sm text-slate-600">{until}</p>
            {children()}
        </div>
        <h3 class="mt-4 font-medium">{count}</h3>
        <ul class="mt-1 flex flex-wrap gap-2" data-testid="checked-in" aria-live="polite">
            {move || live.read().1.iter().map(|name| view! {
                <li class="rounded bg-green-100 px-2 py-1 text-sm">{name.clone()}</li>
            }).collect_view()}
        </ul>
    }
}

/// `/checkin`: a student types the code shown in the room.
#[component]
pub fn CheckInPage() -> impl IntoView {
    let i18n = use_i18n();
    let check_in = ServerAction::<CheckIn>::new();
    let error = last_error(check_in);
    let query = use_query_map();
    let done = move || {
        query
            .read()
            .get("done")
            .map(|title| fill(i18n.t().check_in_done, &[("lecture", &title)]))
    };
    view! {
        <Title text=i18n.t().check_in_title />
        <section class="mx-auto max-w-sm">
            <h1 class="text-2xl font-bold">{t!(i18n, check_in_title)}</h1>
            <p class="mt-2 text-slate-700">{t!(i18n, check_in_lead)}</p>
            <ActionForm action=check_in attr:class="mt-4 space-y-3" attr:novalidate=true>
                <TextField name="code" kind="text" label=t!(i18n, check_in_code) autocomplete="off" error=error />
                <FormError error=error />
                <p role="status" class="text-green-800" data-testid="check-in-done">{done}</p>
                <button type="submit" class=BUTTON>{t!(i18n, check_in_button)}</button>
            </ActionForm>
        </section>
    }
}
