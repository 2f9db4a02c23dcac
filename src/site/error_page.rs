//! What a page shows when loading its data failed.

use leptos::prelude::*;

use crate::i18n::use_i18n;
use crate::t;

/// A friendly explanation in place of a page (or part of one) that failed to load.
#[component]
pub fn ErrorPage(errors: ArcRwSignal<Errors>) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::INTERNAL_SERVER_ERROR);
    }
    for (_, error) in errors.get_untracked().iter() {
        leptos::logging::error!("page error: {error}");
    }
    let i18n = use_i18n();
    view! {
        <section role="alert" class="rounded-lg border border-red-200 bg-red-50 p-6">
            <h2 class="text-lg font-semibold text-red-800">{t!(i18n, error_title)}</h2>
            <p class="mt-2 text-red-900">{t!(i18n, error_body)}</p>
        </section>
    }
}
