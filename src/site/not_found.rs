//! The page for addresses that match no route, answered with status 404.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::use_i18n;
use crate::t;

/// "Page not found", with status 404 on the server.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let i18n = use_i18n();
    view! {
        <Title text=i18n.t().not_found_title />
        <section class="mx-auto max-w-xl py-12 text-center">
            <p class="text-5xl font-bold text-slate-400" aria-hidden="true">"404"</p>
            <h1 class="mt-4 text-2xl font-bold">{t!(i18n, not_found_title)}</h1>
            <p class="mt-3 text-slate-700">{t!(i18n, not_found_body)}</p>
            <p class="mt-6">
                <a href="/" class="text-indigo-700 underline">{t!(i18n, back_home)}</a>
            </p>
        </section>
    }
}
