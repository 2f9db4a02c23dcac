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
    /// The value shown when the page loads (edit forms).
    #[prop(optional, into)]
    value: Option<String>,
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
                value=value
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

/// The error of an action's last run, if it failed. Before it has run on this page, the
/// error a form post without JavaScript came back with (the server puts it in the URL).
pub fn last_error<A>(action: ServerAction<A>) -> Signal<Option<AppError>>
where
    A: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    A::Output: Clone + Send + Sync + 'static,
{
    let from_url = (query_value("__path").as_deref() == Some(A::PATH))
        .then(|| query_value("__err"))
        .flatten()
        .map(|err| leptos::server_fn::error::ServerFnUrlError::<AppError>::decode_err(&err));
    Signal::derive(move || match action.value().get() {
        Some(result) => result.err(),
        None => from_url.clone(),
    })
}

/// Whether an action's last run succeeded: on this page, or in the form post that
/// brought the browser back here (the server marks that in the URL, see
/// `server::mark_form_success`).
pub fn last_saved<A>(action: ServerAction<A>) -> Signal<bool>
where
    A: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    A::Output: Clone + Send + Sync + 'static,
{
    let from_url = query_value(SAVED_PARAM).as_deref() == Some(A::PATH);
    Signal::derive(move || match action.value().get() {
        Some(result) => result.is_ok(),
        None => from_url,
    })
}

/// The query parameter naming the server function a plain form post just ran with success.
pub const SAVED_PARAM: &str = "__saved";

/// A value of the page's query string. Islands have no router in the browser, so there
/// it is read from the address itself; the server reads the request's.
fn query_value(key: &str) -> Option<String> {
    #[cfg(feature = "hydrate")]
    {
        let search = leptos::prelude::window().location().search().ok()?;
        web_sys::UrlSearchParams::new_with_str(&search)
            .ok()?
            .get(key)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        leptos_router::hooks::use_query_map()
            .read_untracked()
            .get(key)
    }
}

/// The message for one field's problem, for controls that are not a [`TextField`]
/// (text areas, check box groups, whole tables).
#[component]
pub fn FieldMessage(field: &'static str, error: Signal<Option<AppError>>) -> impl IntoView {
    let i18n = use_i18n();
    let message = move || {
        error
            .get()
            .and_then(|e| e.code_for(field).map(str::to_owned))
            .map(|code| field_error_message(i18n.t(), &code))
    };
    view! { <p id=format!("field-{field}-error") class="mt-1 text-sm text-red-700" role="alert">{message}</p> }
}

/// What a page shows when its data could not be loaded for this user: a sign-in link,
/// "not allowed", "not found", or "try again".
pub fn refusal(error: &AppError, next: &str) -> AnyView {
    let i18n = use_i18n();
    match error {
        AppError::Unauthorized => view! {
            <p class="mt-6"><a href=format!("/login?next={next}") class="text-indigo-700 underline">{move || i18n.t().sign_in_to_continue}</a></p>
        }
        .into_any(),
        AppError::Forbidden => view! { <p class="mt-6" role="alert">{move || i18n.t().not_allowed}</p> }.into_any(),
        AppError::NotFound => view! { <p class="mt-6" role="alert">{move || i18n.t().not_found_title}</p> }.into_any(),
        _ => view! { <p class="mt-6" role="alert">{move || i18n.t().error_try_again}</p> }.into_any(),
    }
}
