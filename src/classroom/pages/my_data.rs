//! `/my-data`: what the live classroom holds about the signed-in student, class by
//! class, with each class's privacy settings (S2.14).

use leptos::prelude::*;
use leptos_meta::Title;

use super::student::detail_view;
use crate::classroom::api::my_collected_data;
use crate::i18n::{fill, use_i18n};
use crate::t;
use crate::ui::refusal;

#[component]
pub fn MyDataPage() -> impl IntoView {
    let i18n = use_i18n();
    let data = Resource::new(|| (), |_| my_collected_data());
    view! {
        <Title text=t!(i18n, my_data_title) />
        <h1 class="text-2xl font-bold">{t!(i18n, my_data_title)}</h1>
        <p class="mt-2 max-w-prose text-slate-700">{t!(i18n, my_data_lead)}</p>
        <Suspense fallback=|| ()>
            {move || data.get().map(|result| match result {
                Err(error) => refusal(&error, "/my-data"),
                Ok(classes) if classes.is_empty() => view! {
                    <p class="mt-6 text-slate-600">{t!(i18n, my_data_none)}</p>
                }.into_any(),
                Ok(classes) => classes.into_iter().map(|(privacy, detail)| {
                    let kept = move || match (privacy.store_code, privacy.retention_days) {
                        (false, _) => i18n.t().my_data_metadata_only.to_owned(),
                        (true, None) => i18n.t().my_data_code_kept.to_owned(),
                        (true, Some(days)) => fill(i18n.t().my_data_code_kept_days, &[("days", &days.to_string())]),
                    };
                    let title = detail.class_title.clone();
                    let label = title.clone();
                    view! {
                        <section class="mt-8" aria-label=label>
                            <h2 class="text-xl font-semibold">{title}</h2>
                            <p class="mt-1 text-sm text-slate-700" data-testid="retention">{kept}</p>
                            {detail_view(i18n, detail)}
                        </section>
                    }
                }).collect_view().into_any(),
            })}
        </Suspense>
    }
}
