//! `/classes/{id}/live/{student}`: one student of the live classroom (S2.5): totals,
//! notebooks with completion, recent runs with code and output, and errors. The same
//! view shows students what is collected about them ([`super::MyDataPage`]).

use leptos::prelude::*;
use leptos_meta::Title;

use super::route_param;
use crate::classroom::api::live_student;
use crate::classroom::model::{Execution, StudentDetail};
use crate::i18n::{I18n, fill, format_datetime, use_i18n};
use crate::t;
use crate::ui::style::{CARD, LINK};
use crate::ui::{RelativeTime, refusal};

#[component]
pub fn LiveStudentPage() -> impl IntoView {
    let i18n = use_i18n();
    let class_id = route_param("id");
    let student = route_param("student");
    let detail = Resource::new(
        move || (class_id(), student()),
        |(class_id, student)| async move {
            match student.parse::<i64>() {
                Ok(student) => live_student(class_id, student).await,
                Err(_) => Err(crate::app_error::AppError::NotFound),
            }
        },
    );
    view! {
        <Suspense fallback=|| ()>
            {move || detail.get().map(|result| match result {
                Err(error) => refusal(&error, &format!("/classes/{}/live/{}", class_id(), student())),
                Ok(detail) => view! {
                    <Title text=detail.student.state.user_name.clone() />
                    <nav class="text-sm">
                        <a href=format!("/classes/{}/live", detail.class_id) class=LINK>{t!(i18n, live_student_back)}</a>
                    </nav>
                    <h1 class="mt-2 text-2xl font-bold">{detail.student.state.user_name.clone()}</h1>
                    <p class="text-sm text-slate-600">{detail.student.state.email_address.clone()} " · " {detail.class_title.clone()}</p>
                    {detail_view(i18n, detail)}
                }.into_any(),
            })}
        </Suspense>
    }
}

/// Totals, notebooks, recent runs and errors of one student in one class.
pub fn detail_view(i18n: I18n, detail: StudentDetail) -> impl IntoView {
    let totals = detail.student.clone();
    let average = totals
        .average_execution_time
        .map(|s| format!("{s:.2}"))
        .unwrap_or_else(|| "–".to_owned());
    let stores_code = detail.stores_code;
    view! {
        <dl class="mt-4 grid grid-cols-2 gap-3 sm:grid-cols-4">
            <div class=CARD><dt class="text-sm text-slate-600">{t!(i18n, live_tile_executions)}</dt><dd class="text-xl font-bold" data-testid="detail-executions">{totals.total_executions.to_string()}</dd></div>
            <div class=CARD><dt class="text-sm text-slate-600">{t!(i18n, live_successful)}</dt><dd class="text-xl font-bold">{totals.successful_executions.to_string()}</dd></div>
            <div class=CARD><dt class="text-sm text-slate-600">{t!(i18n, live_tile_errors)}</dt><dd class="text-xl font-bold">{totals.state.error_count.to_string()}</dd></div>
            <div class=CARD><dt class="text-sm text-slate-600">{t!(i18n, live_average_time)}</dt><dd class="text-xl font-bold">{move || fill(i18n.t().live_seconds, &[("n", &average)])}</dd></div>
        </dl>

        <section aria-label=t!(i18n, live_notebooks) class="mt-6">
            <h2 class="text-lg font-semibold">{t!(i18n, live_notebooks)}</h2>
            {if detail.notebooks.is_empty() {
                view! { <p class="mt-2 text-sm text-slate-600">{t!(i18n, live_none_yet)}</p> }.into_any()
            } else {
                view! {
                    <div class="mt-2 overflow-x-auto">
                        <table class="w-full text-left text-sm">
                            <thead><tr>
                                <th scope="col" class="py-1 pr-3">{t!(i18n, live_tile_notebook)}</th>
                                <th scope="col" class="py-1 pr-3">{t!(i18n, live_tile_executions)}</th>
                                <th scope="col" class="py-1 pr-3">{t!(i18n, live_completion)}</th>
                                <th scope="col" class="py-1">{t!(i18n, live_last_used)}</th>
                            </tr></thead>
                            <tbody>
                                {detail.notebooks.into_iter().map(|n| view! {
                                    <tr class="border-t border-slate-200">
                                        <td class="py-1 pr-3 font-mono">{n.path}</td>
                                        <td class="py-1 pr-3">{n.execution_count.to_string()}</td>
                                        <td class="py-1 pr-3">{format!("{:.0}%", n.completion_rate * 100.0)}</td>
                                        <td class="py-1"><RelativeTime at=n.last_accessed /></td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>

        <section aria-label=t!(i18n, live_errors_title) class="mt-6">
            <h2 class="text-lg font-semibold">{t!(i18n, live_errors_title)}</h2>
            {executions(i18n, detail.errors, stores_code)}
        </section>
        <section aria-label=t!(i18n, live_recent) class="mt-6">
            <h2 class="text-lg font-semibold">{t!(i18n, live_recent)}</h2>
            {executions(i18n, detail.recent_activity, stores_code)}
        </section>
    }
}

fn executions(i18n: I18n, list: Vec<Execution>, stores_code: bool) -> impl IntoView {
    if list.is_empty() {
        return view! { <p class="mt-2 text-sm text-slate-600">{t!(i18n, live_none_yet)}</p> }
            .into_any();
    }
    view! {
        {(!stores_code).then(|| view! { <p class="mt-2 text-sm text-slate-600">{t!(i18n, live_not_stored)}</p> })}
        <ol class="mt-2 space-y-3" data-testid="executions">
            {list.into_iter().map(|e| {
                let failed = e.status == "error";
                let at = e.timestamp;
                let seconds = e.execution_time.map(|s| format!("{s:.2}")).unwrap_or_else(|| "–".to_owned());
                let error = e.error_type.clone().map(|t| match &e.error_message {
                    Some(message) if !message.is_empty() => format!("{t}: {message}"),
                    _ => t,
                });
                view! {
                    <li class=if failed { "rounded-lg border-2 border-red-300 bg-white p-3" } else { "rounded-lg border border-slate-200 bg-white p-3" }>
                        <p class="text-xs text-slate-600">
                            <time datetime=at.to_rfc3339()>{move || format_datetime(i18n.locale(), &at)}</time>
                            " · " <span class="font-mono">{e.notebook_path.clone()}</span>
                            " · " {t!(i18n, live_cell)} " " <span class="font-mono">{e.cell_id.clone()}</span>
                            " · " {move || fill(i18n.t().live_seconds, &[("n", &seconds)])}
                        </p>
                        {error.map(|error| view! { <p class="mt-1 font-mono text-sm text-red-800">{error}</p> })}
                        {e.code.map(|code| view! {
                            <details class="mt-1"><summary class="cursor-pointer text-sm">{t!(i18n, live_code)}</summary>
                                <pre class="mt-1 max-h-64 overflow-auto rounded bg-slate-100 p-2 text-xs">{code}</pre></details>
                        })}
                        {e.output.filter(|o| !o.is_empty()).map(|output| view! {
                            <details class="mt-1"><summary class="cursor-pointer text-sm">{t!(i18n, live_output)}</summary>
                                <pre class="mt-1 max-h-64 overflow-auto rounded bg-slate-100 p-2 text-xs">{output}</pre></details>
                        })}
                        {e.truncated.then(|| view! { <p class="mt-1 text-xs text-slate-600">{t!(i18n, live_truncated)}</p> })}
                    </li>
                }
            }).collect_view()}
        </ol>
    }
    .into_any()
}
