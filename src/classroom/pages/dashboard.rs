//! `/classes/{id}/live`: the instructor's live dashboard. The server renders the whole
//! class (filters from the query string, so it works without JavaScript: reload to
//! refresh). The board is an island: in the browser it opens the class's WebSocket and
//! every tile, metric and the chart follow the messages, with the connection state shown.

use chrono::{DateTime, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::{Connection, route_param, status_label};
use crate::classroom::api::{SetClassPrivacy, get_live_settings, live_overview};
use crate::classroom::model::{
    Board, ChartPoint, LiveSettings, LiveStatus, Metrics, Overview, StudentState, error_groups,
    team_order,
};
use crate::helpdesk::pages::{HelpQueue, InstructorStatuses};
use crate::i18n::{I18n, fill, relative_time, use_i18n};
use crate::t;
use crate::ui::style::{BUTTON, BUTTON_QUIET, CARD, INPUT, LINK, SELECT};
use crate::ui::{FieldMessage, FormError, last_error, last_saved, refusal, urlencode};

#[component]
pub fn LiveDashboardPage() -> impl IntoView {
    let id = route_param("id");
    let overview = Resource::new(id, live_overview);
    let account = crate::auth::use_account();
    let i18n = use_i18n();
    let query = use_query_map();
    let filter = move |key: &str| query.read_untracked().get(key).unwrap_or_default();
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let me = account.user.get()?.ok().flatten().map(|u| u.id).unwrap_or_default();
                overview.get().map(|result| match result {
                    Err(error) => refusal(&error, &format!("/classes/{}/live", id())),
                    Ok(data) => view! {
                        <Title text=tab_title(i18n, data.help_requests.len()) />
                        <LiveBoard data me search=filter("q") team=filter("team") status=filter("status") />
                    }
                    .into_any(),
                })
            }}
        </Suspense>
        <LiveSettingsSection />
    }
}

/// The students matching the filters, in the board's (name) order.
fn filter(
    students: &[StudentState],
    now: DateTime<Utc>,
    search: &str,
    team: &str,
    status: &str,
) -> Vec<StudentState> {
    let search = search.trim().to_lowercase();
    let status = LiveStatus::parse(status);
    students
        .iter()
        .filter(|s| team.is_empty() || s.team_name.as_deref() == Some(team))
        .filter(|s| status.is_none_or(|status| s.status_at(now) == status))
        .filter(|s| {
            search.is_empty()
                || s.email_address.contains(&search)
                || s.user_name.to_lowercase().contains(&search)
        })
        .cloned()
        .collect()
}

/// The tab's title counts the waiting requests, so a new one shows from another tab.
fn tab_title(i18n: I18n, waiting: usize) -> String {
    let base = i18n.t().live_title;
    if waiting > 0 {
        format!("({waiting}) {base}")
    } else {
        base.to_owned()
    }
}

/// Everything on the dashboard that follows the class live; `search`, `team` and
/// `status` are the filters the page was asked for.
#[island]
fn LiveBoard(
    data: Overview,
    me: String,
    search: String,
    team: String,
    status: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let class_id = StoredValue::new(data.class_id.clone());
    let board = RwSignal::new(Board::new(&data));
    let now = RwSignal::new(data.generated_at);
    let connection = RwSignal::new(Connection::Static);
    let search = RwSignal::new(search);
    let team = RwSignal::new(team);
    let status = RwSignal::new(status);

    // Effects run only in the browser: the clock for "2 minutes ago" and statuses, and
    // the live connection.
    Effect::new(move |_| {
        now.set(Utc::now());
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
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| super::socket::connect(class_id.get_value(), board, connection));

    let metrics = Memo::new(move |_| Metrics::of(&board.read().students, now.get()));
    let groups = Memo::new(move |_| error_groups(&board.read().students));
    let teams = Memo::new(move |_| {
        let mut teams: Vec<String> = board
            .read()
            .students
            .iter()
            .filter_map(|s| s.team_name.clone())
            .collect();
        teams.sort_by_key(|t| team_order(t));
        teams.dedup();
        teams
    });
    let shown = Memo::new(move |_| {
        filter(
            &board.read().students,
            now.get(),
            &search.read(),
            &team.read(),
            &status.read(),
        )
    });
    let heading = move || {
        fill(
            i18n.t().live_students_heading,
            &[
                ("shown", &shown.read().len().to_string()),
                ("total", &board.read().students.len().to_string()),
            ],
        )
    };
    let empty = move || {
        if board.read().students.is_empty() {
            Some(
                view! { <p class="mt-4 text-slate-600">{t!(i18n, live_no_students)}</p> }
                    .into_any(),
            )
        } else if shown.read().is_empty() {
            Some(view! { <p class="mt-4 text-slate-600">{t!(i18n, live_no_match)}</p> }.into_any())
        } else {
            None
        }
    };
    let title = data.class_title.clone();
    // The page's <Title> is outside the island, so the browser's tab follows from here.
    #[cfg(feature = "hydrate")]
    Effect::new(move |_| {
        let text = tab_title(i18n, board.read().help.len());
        document().set_title(&crate::app::full_title(&text));
    });
    view! {
        <nav class="text-sm"><a href=format!("/classes/{}", data.class_id) class=LINK>{title.clone()}</a></nav>
        <div class="mt-2 flex flex-wrap items-center justify-between gap-2">
            <h1 class="text-2xl font-bold">{t!(i18n, live_title)} " · " {title}</h1>
            <ConnectionBadge connection />
        </div>
        <noscript><p class="mt-1 text-sm text-slate-600">{t!(i18n, live_noscript)}</p></noscript>

        <section aria-label=t!(i18n, live_title) class="mt-4 grid grid-cols-2 gap-3 sm:grid-cols-5" data-testid="metrics">
            {metric(i18n, |t| t.live_metric_students, move || metrics.read().total_students, "students")}
            {metric(i18n, |t| t.live_metric_active, move || metrics.read().total_active, "active")}
            {metric(i18n, |t| t.live_metric_errors, move || metrics.read().error_count, "errors")}
            {metric(i18n, |t| t.live_metric_help, move || metrics.read().help_count, "help")}
            {metric(i18n, |t| t.live_metric_executions, move || metrics.read().total_executions, "executions")}
        </section>

        <HelpQueue board now me />

        <div class="mt-6 grid gap-4 lg:grid-cols-3">
            <InstructorStatuses board />
            <section aria-labelledby="chart-heading" class=CARD>
                <h2 id="chart-heading" class="font-semibold">{t!(i18n, live_chart_title)}</h2>
                {move || chart_svg(i18n, board.read().chart.clone())}
                <p class="mt-1 text-xs text-slate-600">{t!(i18n, live_chart_legend)}</p>
            </section>
            <section aria-labelledby="errors-heading" class=CARD data-testid="error-groups">
                <h2 id="errors-heading" class="font-semibold">{t!(i18n, live_error_groups)}</h2>
                {move || {
                    let groups = groups.get();
                    if groups.is_empty() {
                        view! { <p class="mt-2 text-sm text-slate-600">{t!(i18n, live_no_errors)}</p> }.into_any()
                    } else {
                        view! {
                            <ul class="mt-2 space-y-2 text-sm">
                                {groups.into_iter().take(8).map(|group| {
                                    let count = fill(i18n.t().live_error_group_count, &[("n", &group.students.len().to_string())]);
                                    view! {
                                        <li>
                                            <span class="font-mono text-red-800">{group.error}</span>
                                            " · " <strong>{count}</strong>
                                            <span class="block truncate text-slate-600">{group.students.join(", ")}</span>
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        }.into_any()
                    }
                }}
            </section>
        </div>

        <section aria-labelledby="students-heading" class="mt-6">
            <h2 id="students-heading" class="text-lg font-semibold" data-testid="students-heading">{heading}</h2>
            <form method="get" class="mt-2 flex flex-wrap items-end gap-3" aria-label=t!(i18n, live_filters)>
                <label class="block text-sm">
                    {t!(i18n, live_filter_search)}
                    <input type="search" name="q" class=INPUT value=search.get_untracked() prop:value=move || search.get()
                        on:input=move |ev| search.set(event_target_value(&ev)) />
                </label>
                <label class="block text-sm">
                    {t!(i18n, live_filter_team)}
                    <select name="team" class=SELECT on:change=move |ev| team.set(event_target_value(&ev))>
                        <option value="">{t!(i18n, live_filter_all)}</option>
                        {move || teams.get().into_iter().map(|name| {
                            let selected = team.get_untracked() == name;
                            view! { <option value=name.clone() selected=selected>{name.clone()}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label class="block text-sm">
                    {t!(i18n, live_filter_status)}
                    <select name="status" class=SELECT on:change=move |ev| status.set(event_target_value(&ev))>
                        <option value="">{t!(i18n, live_filter_all)}</option>
                        {LiveStatus::ALL.into_iter().map(|s| view! {
                            <option value=s.as_str() selected=status.get_untracked() == s.as_str()>{move || status_label(i18n, s)}</option>
                        }).collect_view()}
                    </select>
                </label>
                <button type="submit" class=BUTTON_QUIET>{t!(i18n, apply)}</button>
            </form>
            {empty}
            <ul class="mt-4 grid gap-3 sm:grid-cols-2 lg:grid-cols-3 xl:grid-cols-4" data-testid="student-tiles">
                <For each=move || shown.get() key=|s| (s.email_address.clone(), s.version) let:student>
                    {tile(i18n, class_id.get_value(), student, now)}
                </For>
            </ul>
        </section>
    }
}

fn metric(
    i18n: I18n,
    label: fn(&crate::i18n::Messages) -> &'static str,
    value: impl Fn() -> i64 + Send + Sync + 'static,
    name: &'static str,
) -> impl IntoView {
    view! {
        <div class="rounded-lg border border-slate-200 bg-white p-3">
            <p class="text-sm text-slate-600">{move || label(i18n.t())}</p>
            <p class="text-2xl font-bold" data-testid=format!("metric-{name}")>{move || value().to_string()}</p>
        </div>
    }
}

/// Tailwind classes of a status badge and of a tile's border.
fn status_classes(status: LiveStatus) -> (&'static str, &'static str) {
    match status {
        LiveStatus::Help => ("bg-amber-100 text-amber-900", "border-amber-500 border-2"),
        LiveStatus::Error => ("bg-red-100 text-red-900", "border-red-500 border-2"),
        LiveStatus::Active => ("bg-emerald-100 text-emerald-900", "border-emerald-300"),
        LiveStatus::Inactive => ("bg-slate-100 text-slate-700", "border-slate-200"),
    }
}

fn tile(
    i18n: I18n,
    class_id: String,
    student: StudentState,
    now: RwSignal<DateTime<Utc>>,
) -> impl IntoView {
    let state = StoredValue::new(student.clone());
    let status = move || state.with_value(|s| s.status_at(now.get()));
    let name = if student.user_name.is_empty() {
        student.email_address.clone()
    } else {
        student.user_name.clone()
    };
    let last = move || {
        state.with_value(|s| match s.last_activity {
            Some(at) => relative_time(i18n.locale(), &now.get(), &at),
            None => i18n.t().live_tile_never.to_owned(),
        })
    };
    let team = student
        .team_name
        .clone()
        .map(|team| move || fill(i18n.t().live_team, &[("team", &team)]));
    let progress = student.progress_percentage;
    view! {
        <li class=move || format!("rounded-lg border bg-white p-3 {}", status_classes(status()).1)
            data-testid="student-tile" data-email=student.email_address.clone() data-status=move || status().as_str()>
            <div class="flex items-start justify-between gap-2">
                <h3 class="min-w-0 font-semibold">
                    <a href=format!("/classes/{class_id}/live/{}", student.id) class="block truncate underline-offset-2 hover:underline">{name}</a>
                    <span class="block truncate text-xs font-normal text-slate-600">{student.email_address.clone()}</span>
                </h3>
                <span class=move || format!("shrink-0 rounded px-2 py-0.5 text-xs font-medium {}", status_classes(status()).0)>
                    {move || status_label(i18n, status())}
                </span>
            </div>
            <dl class="mt-2 grid grid-cols-2 gap-x-2 text-xs">
                <dt class="text-slate-600">{t!(i18n, live_tile_notebook)}</dt>
                <dd class="truncate" title=student.current_notebook.clone().unwrap_or_default()>{student.current_notebook.clone().unwrap_or_else(|| "–".to_owned())}</dd>
                <dt class="text-slate-600">{t!(i18n, live_tile_executions)}</dt>
                <dd data-testid="tile-executions">{student.cell_executions.to_string()}</dd>
                <dt class="text-slate-600">{t!(i18n, live_tile_errors)}</dt>
                <dd data-testid="tile-errors">{student.error_count.to_string()}</dd>
            </dl>
            {student.last_error.clone().map(|error| view! { <p class="mt-1 truncate font-mono text-xs text-red-800" title=error.clone()>{error.clone()}</p> })}
            <div class="mt-2 flex items-center gap-2 text-xs">
                <span class="text-slate-600">{t!(i18n, live_tile_progress)}</span>
                <progress class="h-2 flex-1" max="100" value=progress.to_string()>{format!("{progress}%")}</progress>
                <span>{format!("{progress}%")}</span>
            </div>
            <p class="mt-1 flex justify-between text-xs text-slate-600">
                <span>{team}</span>
                <span>{last}</span>
            </p>
        </li>
    }
}

/// The activity chart: bars for runs per minute, a line for the error rate.
fn chart_svg(i18n: I18n, chart: Vec<ChartPoint>) -> impl IntoView {
    const WIDTH: f64 = 600.0;
    const HEIGHT: f64 = 120.0;
    let max = chart
        .iter()
        .map(|p| p.total_executions)
        .max()
        .unwrap_or(0)
        .max(1) as f64;
    let step = WIDTH / chart.len().max(1) as f64;
    let bars = chart
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let height = p.total_executions as f64 / max * (HEIGHT - 10.0);
            view! {
                <rect x=format!("{:.1}", i as f64 * step + 1.0) y=format!("{:.1}", HEIGHT - height)
                    width=format!("{:.1}", (step - 2.0).max(1.0)) height=format!("{height:.1}") class="fill-indigo-300" />
            }
        })
        .collect_view();
    let line = chart
        .iter()
        .enumerate()
        .map(|(i, p)| {
            format!(
                "{:.1},{:.1}",
                i as f64 * step + step / 2.0,
                HEIGHT - p.error_rate * (HEIGHT - 10.0)
            )
        })
        .collect::<Vec<_>>()
        .join(" ");
    let executions: i64 = chart.iter().map(|p| p.total_executions).sum();
    let errors: i64 = chart.iter().map(|p| p.errors).sum();
    let label = fill(
        i18n.t().live_chart_label,
        &[
            ("executions", &executions.to_string()),
            ("errors", &errors.to_string()),
        ],
    );
    view! {
        <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") class="mt-2 h-32 w-full" role="img" aria-label=label.clone() data-testid="activity-chart" data-executions=executions.to_string()>
            <title>{label.clone()}</title>
            {bars}
            <polyline points=line fill="none" class="stroke-red-600" stroke-width="2" />
        </svg>
    }
}

#[component]
fn ConnectionBadge(connection: RwSignal<Connection>) -> impl IntoView {
    let i18n = use_i18n();
    move || {
        let (text, class) = match connection.get() {
            Connection::Static => return None,
            Connection::Connecting => (
                i18n.t().live_connection_connecting,
                "bg-slate-100 text-slate-700",
            ),
            Connection::Live => (
                i18n.t().live_connection_live,
                "bg-emerald-100 text-emerald-900",
            ),
            Connection::Offline => (i18n.t().live_connection_offline, "bg-red-100 text-red-900"),
        };
        Some(view! {
            <p role="status" class=format!("rounded px-2 py-1 text-sm font-medium {class}") data-testid="connection">{text}</p>
        })
    }
}

/// How to connect notebooks, and the privacy settings.
#[component]
fn LiveSettingsSection() -> impl IntoView {
    let i18n = use_i18n();
    let id = route_param("id");
    let save = ServerAction::<SetClassPrivacy>::new();
    let settings = Resource::new(id, get_live_settings);
    let error = last_error(save);
    let saved = last_saved(save);
    view! {
        <Suspense fallback=|| ()>
            {move || settings.get().and_then(Result::ok).map(|s: LiveSettings| {
                let ingest_url = format!("{}/api/v1/events?token={}", s.server_url, urlencode(&s.ingest_token));
                let env = format!(
                    "pip install ./clients/python\nLECTERN_URL={}\nLECTERN_TOKEN={}\nLECTERN_EMAIL=<student email>\nLECTERN_NAME=<student name>",
                    s.server_url, s.ingest_token
                );
                view! {
                    <details class="mt-8 rounded-lg border border-slate-200 bg-white p-4">
                        <summary class="cursor-pointer font-semibold">{t!(i18n, live_connect_title)}</summary>
                        <p class="mt-2 text-sm">{t!(i18n, live_connect_lead)}</p>
                        <pre class="mt-2 overflow-x-auto rounded bg-slate-100 p-2 text-xs">{env}</pre>
                        <p class="mt-2 text-sm">{t!(i18n, live_connect_extension)}</p>
                        <pre class="mt-2 overflow-x-auto rounded bg-slate-100 p-2 text-xs">{ingest_url}</pre>
                    </details>
                    <section aria-labelledby="privacy-heading" class=format!("mt-4 {CARD}")>
                        <h2 id="privacy-heading" class="font-semibold">{t!(i18n, live_privacy_title)}</h2>
                        <ActionForm action=save attr:class="mt-2 space-y-3">
                            <input type="hidden" name="class_id" value=id() />
                            <label class="flex items-start gap-2 text-sm">
                                <input type="checkbox" name="store_code" value="on" checked=s.privacy.store_code class="mt-1" />
                                <span>{t!(i18n, live_privacy_store_code)}</span>
                            </label>
                            <label class="block text-sm">
                                {t!(i18n, live_privacy_retention)}
                                <input type="number" name="retention_days" min="1" max="3650" class=INPUT
                                    value=s.privacy.retention_days.map(|d| d.to_string()).unwrap_or_default() />
                            </label>
                            <FieldMessage field="retention_days" error />
                            <FormError error />
                            <button type="submit" class=BUTTON>{t!(i18n, live_privacy_save)}</button>
                            {move || saved.get().then(|| view! { <p role="status" class="text-sm text-emerald-800">{t!(i18n, live_privacy_saved)}</p> })}
                        </ActionForm>
                    </section>
                }
            })}
        </Suspense>
    }
}
