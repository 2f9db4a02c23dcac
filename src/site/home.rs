//! The home page: what Lectern is, and whether this server is healthy.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::health::{HealthReport, system_status};
use crate::i18n::use_i18n;
use crate::site::ErrorPage;
use crate::t;
use crate::ui::RelativeTime;

/// `/`: the product in a sentence, its three parts, and the system status.
#[component]
pub fn HomePage() -> impl IntoView {
    let i18n = use_i18n();
    let features = move || {
        let t = i18n.t();
        [
            (t.feature_live_title, t.feature_live_body),
            (t.feature_help_title, t.feature_help_body),
            (t.feature_courses_title, t.feature_courses_body),
        ]
    };
    view! {
        <Title text="" />
        <section class="py-6">
            <h1 class="text-3xl font-bold tracking-tight sm:text-4xl">{t!(i18n, home_title)}</h1>
            <p class="mt-4 max-w-2xl text-lg text-slate-700">{t!(i18n, home_lead)}</p>
        </section>
        <ul class="grid gap-4 sm:grid-cols-3">
            {move || {
                features()
                    .into_iter()
                    .map(|(title, body)| {
                        view! {
                            <li class="rounded-lg border border-slate-200 bg-white p-5">
                                <h2 class="font-semibold">{title}</h2>
                                <p class="mt-2 text-sm text-slate-700">{body}</p>
                            </li>
                        }
                    })
                    .collect_view()
            }}
        </ul>
        <StatusPanel />
    }
}

/// The server's health, re-checked on demand.
#[component]
fn StatusPanel() -> impl IntoView {
    let i18n = use_i18n();
    let status = Resource::new(|| (), |_| system_status());
    view! {
        <section aria-labelledby="status-heading" class="mt-10 rounded-lg border border-slate-200 bg-white p-5">
            <h2 id="status-heading" class="font-semibold">{t!(i18n, nav_status)}</h2>
            <Suspense fallback=|| ()>
                <ErrorBoundary fallback=|errors| view! { <ErrorPage errors /> }>
                    {move || status.get().map(|result| result.map(|s| view! { <StatusFacts status=s /> }))}
                </ErrorBoundary>
            </Suspense>
            // A plain GET form: the page loads again with a fresh check.
            <form method="get" action="/" class="mt-4">
                <button
                    type="submit"
                    class="rounded bg-indigo-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-indigo-800 focus:outline-none focus:ring-2 focus:ring-indigo-500 focus:ring-offset-2"
                >
                    {t!(i18n, status_refresh)}
                </button>
            </form>
        </section>
    }
}

#[component]
fn StatusFacts(status: HealthReport) -> impl IntoView {
    let i18n = use_i18n();
    let healthy = status.database_ok;
    let database = move || {
        let t = i18n.t();
        if healthy {
            t.status_healthy
        } else {
            t.status_unavailable
        }
    };
    let badge = if healthy {
        "rounded bg-green-100 px-2 py-0.5 text-green-800"
    } else {
        "rounded bg-red-100 px-2 py-0.5 text-red-800"
    };
    view! {
        <dl class="mt-3 grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
            <dt class="text-slate-600">{t!(i18n, status_database)}</dt>
            <dd>
                <span class=badge data-testid="database-status">{database}</span>
            </dd>
            <dt class="text-slate-600">{t!(i18n, status_version)}</dt>
            <dd>{status.version}</dd>
            <dt class="text-slate-600">{t!(i18n, status_checked)}</dt>
            <dd>
                <RelativeTime at=status.checked_at />
            </dd>
        </dl>
    }
}
