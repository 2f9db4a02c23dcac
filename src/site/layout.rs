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
        <header class="border-b border-slate-200 bg-white print:hidden">
            <div class="mx-auto flex w-full max-w-5xl flex-wrap items-center justify-between gap-3 px-4 py-3">
                <A href="/" attr:class="text-lg font-bold text-indigo-700">
                    {t!(i18n, app_name)}
                </A>
                <nav aria-label=t!(i18n, nav_main) class="flex-1">
                    <ul class="flex flex-wrap gap-x-4 gap-y-1 text-sm">
                        <li>
                            <A href="/" attr:class="rounded px-2 py-1 hover:bg-slate-100 aria-[current=page]:font-semibold">
                                {t!(i18n, nav_home)}
                            </A>
                        </li>
                        <RoleLinks />
                    </ul>
                </nav>
                <crate::helpdesk::pages::PresenceControl />
                <AccountMenu />
                <LanguageSwitcher />
            </div>
        </header>
    }
}

/// Links for what the signed-in user does: classes for everyone, progress for
/// students, teaching and courses for instructors (the account menu links to the
/// administration).
#[component]
fn RoleLinks() -> impl IntoView {
    use crate::auth::model::Role;
    let i18n = use_i18n();
    let account = crate::auth::use_account();
    let link = move |href: &'static str, label: fn(&crate::i18n::Messages) -> &'static str| {
        view! {
            <li>
                <A href=href attr:class="rounded px-2 py-1 hover:bg-slate-100 aria-[current=page]:font-semibold">
                    {move || label(i18n.t())}
                </A>
            </li>
        }
    };
    view! {
        <Suspense fallback=|| ()>
            {move || account.user.get().and_then(|user| user.ok().flatten()).map(|user| {
                let role = user.role;
                view! {
                    {link("/classes", |t| t.nav_classes)}
                    {(role == Role::Student).then(|| link("/progress", |t| t.nav_progress))}
                    {(role == Role::Student).then(|| link("/help", |t| t.nav_help))}
                    {(role == Role::Student).then(|| link("/my-data", |t| t.nav_my_data))}
                    {(role >= Role::Instructor).then(|| link("/teach", |t| t.nav_teach))}
                    {(role >= Role::Instructor).then(|| link("/courses", |t| t.nav_courses))}
                    {(role >= Role::Instructor).then(|| link("/instructors", |t| t.nav_instructors))}
                }
            })}
        </Suspense>
    }
}

/// The page footer.
#[component]
pub fn SiteFooter() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <footer class="mx-auto w-full max-w-5xl px-4 py-6 text-sm text-slate-600 print:hidden">
            <p>{t!(i18n, footer_source)}</p>
        </footer>
    }
}
