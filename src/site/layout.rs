//! The header (brand, navigation, language) and footer shown on every page.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::auth::AccountMenu;
use crate::i18n::{LanguageSwitcher, use_i18n};
use crate::t;

/// The top bar: brand, main navigation and the language switcher.
#[component]
pub fn SiteHeader() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <header class="border-b border-slate-200 bg-white">
            <div class="mx-auto flex w-full max-w-5xl flex-wrap items-center justify-between gap-3 px-4 py-3">
                <A href="/" attr:class="text-lg font-bold text-indigo-700">
                    {t!(i18n, app_name)}
                </A>
                <nav aria-label=t!(i18n, nav_main) class="flex-1">
                    <ul class="flex gap-4 text-sm">
                        <li>
                            <A href="/" attr:class="rounded px-2 py-1 hover:bg-slate-100 aria-[current=page]:font-semibold">
                                {t!(i18n, nav_home)}
                            </A>
                        </li>
                    </ul>
                </nav>
                <AccountMenu />
                <LanguageSwitcher />
            </div>
        </header>
    }
}

/// The page footer.
#[component]
pub fn SiteFooter() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <footer class="mx-auto w-full max-w-5xl px-4 py-6 text-sm text-slate-600">
            <p>{t!(i18n, footer_source)}</p>
        </footer>
    }
}
