//! The language switcher in the header.

use leptos::prelude::*;

use super::{Locale, SetLocale, use_i18n};
use crate::t;

/// A small form choosing the interface language: it posts, the server remembers the choice
/// and sends the browser back to the page, now in that language.
#[component]
pub fn LanguageSwitcher() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<SetLocale>::new();
    view! {
        <ActionForm action attr:class="flex items-center gap-2 text-sm">
            <label for="language-select" class="text-slate-600">
                {t!(i18n, language)}
            </label>
            <select
                id="language-select"
                name="locale"
                class="rounded border border-slate-300 bg-white px-2 py-1"
            >
                {Locale::ALL
                    .into_iter()
                    .map(|locale| {
                        view! {
                            <option
                                value=locale.code()
                                lang=locale.code()
                                selected=move || i18n.locale() == locale
                            >
                                {locale.native_name()}
                            </option>
                        }
                    })
                    .collect_view()}
            </select>
            <button
                type="submit"
                class="rounded border border-slate-300 bg-white px-2 py-1 hover:bg-slate-100 focus:outline-none focus:ring-2 focus:ring-indigo-500"
            >
                {t!(i18n, apply)}
            </button>
        </ActionForm>
    }
}
