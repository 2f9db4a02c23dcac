//! `/instructors`: every instructor's status and workload (S0.4, S0.6);
//! `/instructors/{id}`: one instructor's status history with durations (S0.3).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use super::queue::{presence_classes, presence_label};
use crate::helpdesk::api::{instructor_history, instructors_board};
use crate::helpdesk::model::{Presence, Workload};
use crate::i18n::{I18n, fill, use_i18n};
use crate::t;
use crate::ui::refusal;
use crate::ui::style::{CARD, LINK};

/// Seconds as "1 h 5 min", "3 min 20 s" or "12 s".
fn duration(i18n: I18n, seconds: i64) -> String {
    let (h, m, s) = (seconds / 3600, (seconds % 3600) / 60, seconds % 60);
    let n = |v: i64| v.to_string();
    if h > 0 {
        fill(i18n.t().duration_hours, &[("h", &n(h)), ("m", &n(m))])
    } else if m > 0 {
        fill(i18n.t().duration_minutes, &[("m", &n(m)), ("s", &n(s))])
    } else {
        fill(i18n.t().duration_seconds, &[("s", &n(s))])
    }
}

fn average(i18n: I18n, seconds: Option<f64>) -> String {
    seconds.map_or_else(|| "–".to_owned(), |s| duration(i18n, s.round() as i64))
}

fn badge(i18n: I18n, status: Presence) -> impl IntoView {
    view! {
        <span class=format!("rounded px-2 py-0.5 text-xs font-medium {}", presence_classes(status)) data-status=status.as_str()>
            {presence_label(i18n, status)}
        </span>
    }
}

#[component]
pub fn InstructorsPage() -> impl IntoView {
    let i18n = use_i18n();
    let board = Resource::new(|| (), |_| instructors_board());
    view! {
        <Title text=t!(i18n, presence_title) />
        <h1 class="text-2xl font-bold">{t!(i18n, presence_title)}</h1>
        <p class="mt-1 text-slate-700">{t!(i18n, presence_lead)}</p>
        <Suspense fallback=|| ()>
            {move || board.get().map(|result| match result {
                Err(error) => refusal(&error, "/instructors"),
                Ok(rows) => view! {
                    <div class="mt-4 overflow-x-auto">
                        <table class="w-full text-left text-sm" data-testid="instructors">
                            <thead class="border-b border-slate-300">
                                <tr>
                                    <th scope="col" class="py-2 pr-3">{t!(i18n, presence_name)}</th>
                                    <th scope="col" class="py-2 pr-3">{t!(i18n, presence_status)}</th>
                                    <th scope="col" class="py-2 pr-3">{t!(i18n, presence_sessions)}</th>
                                    <th scope="col" class="py-2 pr-3">{t!(i18n, presence_helped)}</th>
                                    <th scope="col" class="py-2 pr-3">{t!(i18n, presence_time_to_take)}</th>
                                    <th scope="col" class="py-2 pr-3">{t!(i18n, presence_time_to_resolve)}</th>
                                </tr>
                            </thead>
                            <tbody>
                                {rows.into_iter().map(|(status, work)| view! {
                                    <tr class="border-b border-slate-100">
                                        <th scope="row" class="py-2 pr-3 font-medium"><a href=format!("/instructors/{}", status.id) class=LINK>{status.name.clone()}</a></th>
                                        <td class="py-2 pr-3">{badge(i18n, status.status)}</td>
                                        <td class="py-2 pr-3">{work.active_sessions.to_string()}</td>
                                        <td class="py-2 pr-3">{work.students_helped.to_string()}</td>
                                        <td class="py-2 pr-3">{average(i18n, work.average_seconds_to_take)}</td>
                                        <td class="py-2 pr-3">{average(i18n, work.average_seconds_to_resolve)}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any(),
            })}
        </Suspense>
    }
}

fn workload_view(i18n: I18n, work: &Workload) -> impl IntoView {
    let item = |label: &'static str, value: String| {
        view! {
            <div class="rounded border border-slate-200 p-2">
                <dt class="text-xs text-slate-600">{label}</dt>
                <dd class="text-lg font-semibold">{value}</dd>
            </div>
        }
    };
    let t = i18n.t();
    view! {
        <dl class="mt-3 grid grid-cols-2 gap-2 sm:grid-cols-4" data-testid="workload">
            {item(t.presence_sessions, work.active_sessions.to_string())}
            {item(t.presence_helped, work.students_helped.to_string())}
            {item(t.presence_time_to_take, average(i18n, work.average_seconds_to_take))}
            {item(t.presence_time_to_resolve, average(i18n, work.average_seconds_to_resolve))}
        </dl>
    }
}

#[component]
pub fn InstructorPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = move || use_params_map().read().get("id").unwrap_or_default();
    let data = Resource::new(id, instructor_history);
    view! {
        <Title text=t!(i18n, presence_history) />
        <nav class="text-sm"><a href="/instructors" class=LINK>{t!(i18n, presence_title)}</a></nav>
        <Suspense fallback=|| ()>
            {move || data.get().map(|result| match result {
                Err(error) => refusal(&error, &format!("/instructors/{}", id())),
                Ok((status, work, history)) => view! {
                    <h1 class="mt-2 flex items-center gap-2 text-2xl font-bold">{status.name.clone()} {badge(i18n, status.status)}</h1>
                    {workload_view(i18n, &work)}
                    <section aria-labelledby="history-heading" class=format!("mt-6 {CARD}")>
                        <h2 id="history-heading" class="font-semibold">{t!(i18n, presence_history)}</h2>
                        <div class="overflow-x-auto">
                            <table class="mt-2 w-full text-left text-sm" data-testid="status-history">
                                <thead class="border-b border-slate-300">
                                    <tr>
                                        <th scope="col" class="py-1 pr-3">{t!(i18n, presence_status)}</th>
                                        <th scope="col" class="py-1 pr-3">{t!(i18n, presence_started)}</th>
                                        <th scope="col" class="py-1 pr-3">{t!(i18n, presence_duration)}</th>
                                        <th scope="col" class="py-1 pr-3">{t!(i18n, presence_student)}</th>
                                    </tr>
                                </thead>
                                <tbody>
                                    {history.into_iter().map(|row| view! {
                                        <tr class="border-b border-slate-100">
                                            <td class="py-1 pr-3">{badge(i18n, row.status)}</td>
                                            <td class="py-1 pr-3">{row.started_at.format("%Y-%m-%d %H:%M:%S UTC").to_string()}</td>
                                            <td class="py-1 pr-3">
                                                {duration(i18n, row.duration_seconds)}
                                                {row.ended_at.is_none().then(|| format!(" ({})", i18n.t().presence_ongoing))}
                                            </td>
                                            <td class="py-1 pr-3">{row.student_email.clone().unwrap_or_default()}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    </section>
                }.into_any(),
            })}
        </Suspense>
    }
}
