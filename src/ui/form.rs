//! Form fields that show their own error, linked for screen readers.

use leptos::prelude::*;

use crate::app_error::AppError;
use crate::i18n::{field_error_message, use_i18n};

/// A labelled input; when `error` names this field, the message appears under it and
/// the input is marked invalid.
#[component]
pub fn TextField(
    name: &'static str,
    kind: &'static str,
    #[prop(into)] label: Signal<&'static str>,
    autocomplete: &'static str,
    #[prop(optional, into)] hint: Option<Signal<&'static str>>,
    error: Signal<Option<AppError>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let id = format!("field-{name}");
    let message_id = format!("{id}-error");
    let hint_id = format!("{id}-hint");
    let code = move || {
        error
            .get()
            .and_then(|e| e.code_for(name).map(str::to_owned))
    };
    let described_by = {
        let (message_id, hint_id) = (message_id.clone(), hint_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if code().is_some() {
                ids.push(message_id.clone());
            }
            ids.join(" ")
        }
    };
    view! {
        <div>
            <label for=id.clone() class="block text-sm font-medium">{label}</label>
            <input
                id=id
                name=name
                type=kind
                autocomplete=autocomplete
                aria-invalid=move || code().is_some().then_some("true")
                aria-describedby=described_by
                class="mt-1 block w-full rounded border border-slate-300 px-3 py-2 aria-[invalid=true]:border-red-600 focus:outline-none focus:ring-2 focus:ring-indigo-500"
            />
            {hint.map(|hint| view! { <p id=hint_id class="mt-1 text-xs text-slate-600">{hint}</p> })}
            <p id=message_id class="mt-1 text-sm text-red-700" role="alert">
                {move || code().map(|code| field_error_message(i18n.t(), &code))}
            </p>
        </div>
    }
}

/// A problem with the whole form (not one field), such as "try again later".
#[component]
pub fn FormError(error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let message = move || match error.get()? {
        AppError::Invalid(_) => None,
        AppError::RateLimited { .. } => Some(i18n.t().error_rate_limited),
        _ => Some(i18n.t().error_try_again),
    };
    view! {
        <p class="text-sm text-red-700" role="alert">{message}</p>
    }
}
