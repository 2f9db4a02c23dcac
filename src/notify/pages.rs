//! The outbox page for administrators.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::app_error::AppError;
use crate::i18n::use_i18n;
use crate::t;
use crate::ui::RelativeTime;

/// `/admin/outbox`: mail Lectern has sent or would send, newest first.
#[component]
pub fn OutboxPage() -> impl IntoView {
    let i18n = use_i18n();
    let messages = Resource::new(|| (), |_| super::api::outbox());
    view! {
        <Title text=i18n.t().outbox_title />
        <crate::auth::AdminNav />
        <h1 class="text-2xl font-bold">{t!(i18n, outbox_title)}</h1>
        <p class="mt-2 text-sm text-slate-700">{t!(i18n, outbox_lead)}</p>
        <Suspense fallback=|| ()>
            {move || {
                messages
                    .get()
                    .map(|result| match result {
                        Err(AppError::Unauthorized) => {
                            view! { <p class="mt-6"><a href="/login?next=/admin/outbox" class="text-indigo-700 underline">{t!(i18n, sign_in_to_continue)}</a></p> }.into_any()
                        }
                        Err(_) => view! { <p class="mt-6" role="alert">{t!(i18n, not_allowed)}</p> }.into_any(),
                        Ok(list) if list.is_empty() => view! { <p class="mt-6">{t!(i18n, outbox_empty)}</p> }.into_any(),
                        Ok(list) => {
                            view! {
                                <ul class="mt-6 space-y-4" data-testid="outbox">
                                    {list
                                        .into_iter()
                                        .map(|message| {
                                            let delivered = message.sent_at.is_some();
                                            view! {
                                                <li class="rounded-lg border border-slate-200 bg-white p-4">
                                                    <p class="text-sm text-slate-600">
                                                        {message.to.clone()} " · " <RelativeTime at=message.created_at /> " · "
                                                        {move || if delivered { i18n.t().outbox_sent } else { i18n.t().outbox_not_sent }}
                                                    </p>
                                                    <h2 class="mt-1 font-semibold">{message.subject.clone()}</h2>
                                                    <pre class="mt-2 whitespace-pre-wrap break-words text-sm">{message.body.clone()}</pre>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        }
                    })
            }}
        </Suspense>
    }
}
