//! The page shell, the `<App/>` component and the route table.

use leptos::prelude::*;
use leptos_meta::{Html, Stylesheet, Title, provide_meta_context};
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{SsrMode, path};

use crate::auth::{
    AdminSettingsPage, AdminUserPage, AdminUsersPage, ForgotPasswordPage, LoginPage, ProfilePage,
    RegisterPage, ResetPasswordPage, SetupPage, provide_account,
};
use crate::classroom::pages::{LiveDashboardPage, LiveStudentPage, MyDataPage};
use crate::courses::{
    AccountRequestsPage, AdminInterestsPage, AttendancePage, CertificatePage, CheckInPage,
    ClassPage, CoursePage, CoursesPage, MyClassesPage, ProgressPage, TeacherDashboardPage,
    UserCertificationsPage, VerifyPage,
};
use crate::helpdesk::pages::{HelpPage, InstructorPage, InstructorsPage};
use crate::i18n::provide_i18n;
use crate::notify::OutboxPage;
use crate::site::{HomePage, NotFound, SiteFooter, SiteHeader};
use crate::t;

/// The HTML document around the app, rendered on the server only. It also sets the
/// Content-Security-Policy, whose script nonce must match the inline hydration script.
#[cfg(feature = "ssr")]
pub fn shell(options: leptos::config::LeptosOptions) -> impl IntoView {
    use leptos::hydration::{AutoReload, HydrationScripts};
    use leptos_meta::MetaTags;

    leptos::nonce::provide_nonce();
    set_content_security_policy(&options);
    view! {
        <!DOCTYPE html>
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" href="/favicon.ico" />
                <AutoReload options=options.clone() />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body class="min-h-screen bg-slate-50 text-slate-900 antialiased">
                <App />
            </body>
        </html>
    }
}

/// Allows our own scripts (the hydration script by nonce), the WASM bundle and nothing
/// foreign. In development the live-reload socket is allowed too.
#[cfg(feature = "ssr")]
fn set_content_security_policy(options: &leptos::config::LeptosOptions) {
    let Some(nonce) = leptos::nonce::use_nonce() else {
        return;
    };
    let reload = match options.env {
        leptos::config::Env::DEV => {
            format!(" ws://{}:{}", options.site_addr.ip(), options.reload_port)
        }
        leptos::config::Env::PROD => String::new(),
    };
    let policy = format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'{reload}; \
         object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    );
    if let (Some(response), Ok(value)) = (
        use_context::<leptos_axum::ResponseOptions>(),
        http::HeaderValue::from_str(&policy),
    ) {
        response.insert_header(http::header::CONTENT_SECURITY_POLICY, value);
    }
}

/// A page's title as the browser's tab shows it.
pub fn full_title(text: &str) -> String {
    if text.is_empty() {
        "Lectern".to_owned()
    } else {
        format!("{text} · Lectern")
    }
}

/// The application: shared layout and the routes of every feature.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let i18n = provide_i18n();

    view! {
        <Html attr:lang=move || i18n.locale().code() />
        <Stylesheet id="leptos" href="/pkg/lectern.css" />
        // Titles are read by leptos_meta after the page's reactive arena is gone, so they
        // are plain text taken when the page renders, never reactive closures.
        <Title formatter=|text: String| full_title(&text) />
        <Router>
            <Layout />
        </Router>
    }
}

/// Everything inside the router: the header, the routes and the footer.
#[component]
fn Layout() -> impl IntoView {
    let i18n = crate::i18n::use_i18n();
    provide_account();
    view! {
        <a
            href="#main"
            class="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:px-3 focus:py-2 focus:shadow"
        >
            {t!(i18n, skip_to_content)}
        </a>
        <SiteHeader />
        <main id="main" class="mx-auto w-full max-w-5xl px-4 py-8">
            <Routes fallback=NotFound>
                <Route path=path!("") view=HomePage ssr=SsrMode::Async />
                <Route path=path!("login") view=LoginPage ssr=SsrMode::Async />
                <Route path=path!("register") view=RegisterPage ssr=SsrMode::Async />
                <Route path=path!("profile") view=ProfilePage ssr=SsrMode::Async />
                <Route path=path!("setup") view=SetupPage ssr=SsrMode::Async />
                <Route path=path!("forgot-password") view=ForgotPasswordPage ssr=SsrMode::Async />
                <Route path=path!("reset-password") view=ResetPasswordPage ssr=SsrMode::Async />
                <Route path=path!("admin/outbox") view=OutboxPage ssr=SsrMode::Async />
                <Route path=path!("admin/users") view=AdminUsersPage ssr=SsrMode::Async />
                <Route path=path!("admin/users/:id") view=AdminUserPage ssr=SsrMode::Async />
                <Route path=path!("admin/settings") view=AdminSettingsPage ssr=SsrMode::Async />
                <Route path=path!("admin/interests") view=AdminInterestsPage ssr=SsrMode::Async />
                <Route path=path!("admin/account-requests") view=AccountRequestsPage ssr=SsrMode::Async />
                <Route path=path!("courses") view=CoursesPage ssr=SsrMode::Async />
                <Route path=path!("courses/:id") view=CoursePage ssr=SsrMode::Async />
                <Route path=path!("courses/:id/classes") view=CoursePage ssr=SsrMode::Async />
                <Route path=path!("classes") view=MyClassesPage ssr=SsrMode::Async />
                <Route path=path!("classes/:id") view=ClassPage ssr=SsrMode::Async />
                <Route path=path!("classes/:id/lectures") view=ClassPage ssr=SsrMode::Async />
                <Route path=path!("classes/:id/live") view=LiveDashboardPage ssr=SsrMode::Async />
                <Route path=path!("classes/:id/live/:student") view=LiveStudentPage ssr=SsrMode::Async />
                <Route path=path!("my-data") view=MyDataPage ssr=SsrMode::Async />
                <Route path=path!("help") view=HelpPage ssr=SsrMode::Async />
                <Route path=path!("instructors") view=InstructorsPage ssr=SsrMode::Async />
                <Route path=path!("instructors/:id") view=InstructorPage ssr=SsrMode::Async />
                <Route path=path!("lectures/:id") view=AttendancePage ssr=SsrMode::Async />
                <Route path=path!("lectures/:id/attendances") view=AttendancePage ssr=SsrMode::Async />
                <Route path=path!("checkin") view=CheckInPage ssr=SsrMode::Async />
                <Route path=path!("teach") view=TeacherDashboardPage ssr=SsrMode::Async />
                <Route path=path!("progress") view=ProgressPage ssr=SsrMode::Async />
                <Route path=path!("users/:id/progress") view=ProgressPage ssr=SsrMode::Async />
                <Route path=path!("users/:id/certifications") view=UserCertificationsPage ssr=SsrMode::Async />
                <Route path=path!("certificates/:id") view=CertificatePage ssr=SsrMode::Async />
                <Route path=path!("verify/:id") view=VerifyPage ssr=SsrMode::Async />
            </Routes>
        </main>
        <SiteFooter />
    }
}
