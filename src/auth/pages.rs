//! Sign-in, registration and profile pages, and the account menu in the header.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use super::api::{
    ChangePassword, CreateApiToken, Login, Logout, Register, RequestPasswordReset, ResetPassword,
    RevokeApiToken, RevokeOtherSessions, RevokeSession, Setup, UnlinkKakao,
};
use super::model::{ApiTokenSummary, CurrentUser, SignupPolicy};
use crate::app_error::AppError;
use crate::i18n::use_i18n;
use crate::t;
use crate::ui::{FormError, RelativeTime, TextField, last_error, last_saved};

/// The signed-in user for every component, and the account forms' actions (signing in
/// or out sends the browser to a freshly rendered page).
#[derive(Clone, Copy)]
pub struct Account {
    pub user: Resource<Result<Option<CurrentUser>, AppError>>,
    pub login: ServerAction<Login>,
    pub logout: ServerAction<Logout>,
    pub register: ServerAction<Register>,
    pub setup: ServerAction<Setup>,
}

/// Loads the current user and provides [`Account`] to the page.
pub fn provide_account() -> Account {
    let login = ServerAction::<Login>::new();
    let logout = ServerAction::<Logout>::new();
    let register = ServerAction::<Register>::new();
    let setup = ServerAction::<Setup>::new();
    let user = Resource::new(|| (), |_| super::api::who_am_i());
    let account = Account {
        user,
        login,
        logout,
        register,
        setup,
    };
    provide_context(account);
    account
}

/// The [`Account`] provided by the layout.
pub fn use_account() -> Account {
    expect_context::<Account>()
}

/// The account part of the header: sign-in links, or the user's name and "Sign out".
#[component]
pub fn AccountMenu() -> impl IntoView {
    let i18n = use_i18n();
    let account = use_account();
    view! {
        <Suspense fallback=|| ()>
            {move || {
                account
                    .user
                    .get()
                    .map(|user| match user.ok().flatten() {
                        Some(user) => {
                            let is_admin = user.role >= super::model::Role::Admin;
                            view! {
                                <div class="flex items-center gap-3 text-sm">
                                    {is_admin.then(|| view! {
                                        <a href="/admin/users" class="hover:underline">{t!(i18n, nav_admin)}</a>
                                    })}
                                    <a href="/profile" class="font-medium hover:underline" data-testid="account-name">
                                        {user.display_name()}
                                    </a>
                                    <ActionForm action=account.logout>
                                        <button type="submit" class="rounded border border-slate-300 bg-white px-2 py-1 hover:bg-slate-100">
                                            {t!(i18n, sign_out)}
                                        </button>
                                    </ActionForm>
                                </div>
                            }
                                .into_any()
                        }
                        None => {
                            view! {
                                <div class="flex items-center gap-3 text-sm">
                                    <a href="/login" class="hover:underline">{t!(i18n, sign_in)}</a>
                                    <a href="/register" class="rounded bg-indigo-700 px-2 py-1 font-medium text-white hover:bg-indigo-800">
                                        {t!(i18n, register)}
                                    </a>
                                </div>
                            }
                                .into_any()
                        }
                    })
            }}
        </Suspense>
    }
}

/// `/login`: email and password.
#[component]
pub fn LoginPage() -> impl IntoView {
    let i18n = use_i18n();
    let account = use_account();
    let next = move || use_query_map().read().get("next").unwrap_or_default();
    let error = last_error(account.login);
    view! {
        <Title text=i18n.t().sign_in />
        <section class="mx-auto max-w-md">
            <h1 class="text-2xl font-bold">{t!(i18n, sign_in)}</h1>
            <p class="mt-2 text-sm text-red-700" role="alert" data-testid="kakao-error">
                {move || {
                    let t = i18n.t();
                    use_query_map().read().get("kakao").map(|code| match code.as_str() {
                        "denied" => t.kakao_denied,
                        "state_mismatch" => t.kakao_state_mismatch,
                        "linked_elsewhere" => t.kakao_linked_elsewhere,
                        "signup_closed" => t.err_signup_closed,
                        _ => t.kakao_failed,
                    })
                }}
            </p>
            <p class="mt-2 text-sm text-green-800" role="status">
                {move || {
                    (use_query_map().read().get("reset").as_deref() == Some("done"))
                        .then(|| i18n.t().reset_done)
                }}
            </p>
            <ActionForm action=account.login attr:class="mt-6 space-y-4" attr:novalidate=true>
                <input type="hidden" name="next" value=next />
                <TextField name="email" kind="email" label=t!(i18n, field_email) autocomplete="username" error />
                <TextField name="password" kind="password" label=t!(i18n, field_password) autocomplete="current-password" error />
                <FormError error />
                <button type="submit" class="w-full rounded bg-indigo-700 px-3 py-2 font-medium text-white hover:bg-indigo-800 focus:outline-none focus:ring-2 focus:ring-indigo-500 focus:ring-offset-2">
                    {t!(i18n, sign_in)}
                </button>
            </ActionForm>
            <KakaoButton />
            <p class="mt-4 text-sm">
                <a href="/forgot-password" class="text-indigo-700 underline">{t!(i18n, forgot_link)}</a>
            </p>
            <p class="mt-2 text-sm">
                {t!(i18n, no_account_yet)} " "
                <a href="/register" class="text-indigo-700 underline">{t!(i18n, register)}</a>
            </p>
        </section>
    }
}

/// `/register`: a student account (instructors are made by administrators), while the
/// sign-up policy allows it.
#[component]
pub fn RegisterPage() -> impl IntoView {
    let i18n = use_i18n();
    let account = use_account();
    let error = last_error(account.register);
    let policy = Resource::new(|| (), |_| super::admin_api::get_signup_policy());
    view! {
        <Title text=i18n.t().register />
        <section class="mx-auto max-w-md">
            <h1 class="text-2xl font-bold">{t!(i18n, register_title)}</h1>
            <Suspense fallback=|| ()>
                {move || policy.get().map(|policy| match policy.unwrap_or(SignupPolicy::Open) {
                    SignupPolicy::Open => view! {
                        <p class="mt-2 text-sm text-slate-700">{t!(i18n, register_lead)}</p>
                        <ActionForm action=account.register attr:class="mt-6 space-y-4" attr:novalidate=true>
                            <div class="grid gap-4 sm:grid-cols-2">
                                <TextField name="first_name" kind="text" label=t!(i18n, field_first_name) autocomplete="given-name" error />
                                <TextField name="last_name" kind="text" label=t!(i18n, field_last_name) autocomplete="family-name" error />
                            </div>
                            <TextField name="email" kind="email" label=t!(i18n, field_email) autocomplete="email" error />
                            <TextField name="password" kind="password" label=t!(i18n, field_password) autocomplete="new-password" hint=t!(i18n, password_hint) error />
                            <TextField name="grade_level" kind="number" label=t!(i18n, field_grade_level) autocomplete="off" hint=t!(i18n, grade_hint) error />
                            <FormError error />
                            <button type="submit" class="w-full rounded bg-indigo-700 px-3 py-2 font-medium text-white hover:bg-indigo-800 focus:outline-none focus:ring-2 focus:ring-indigo-500 focus:ring-offset-2">
                                {t!(i18n, register)}
                            </button>
                        </ActionForm>
                    }.into_any(),
                    SignupPolicy::Invite => view! { <p class="mt-4" data-testid="signup-unavailable">{t!(i18n, err_signup_invite_only)}</p> }.into_any(),
                    SignupPolicy::Closed => view! { <p class="mt-4" data-testid="signup-unavailable">{t!(i18n, err_signup_closed)}</p> }.into_any(),
                })}
            </Suspense>
        </section>
    }
}

/// `/profile`: who am I.
#[component]
pub fn ProfilePage() -> impl IntoView {
    let i18n = use_i18n();
    let account = use_account();
    view! {
        <Title text=i18n.t().profile />
        <h1 class="text-2xl font-bold">{t!(i18n, profile)}</h1>
        <Suspense fallback=|| ()>
            {move || {
                account
                    .user
                    .get()
                    .map(|user| match user.ok().flatten() {
                        Some(user) => {
                            let role = user.role;
                            view! {
                                <dl class="mt-4 grid grid-cols-[auto_1fr] gap-x-6 gap-y-2">
                                    <dt class="text-slate-600">{t!(i18n, field_name)}</dt>
                                    <dd>{user.display_name()}</dd>
                                    <dt class="text-slate-600">{t!(i18n, field_email)}</dt>
                                    <dd data-testid="profile-email">{user.email.clone()}</dd>
                                    <dt class="text-slate-600">{t!(i18n, field_role)}</dt>
                                    <dd>{move || crate::i18n::role_name(i18n.locale(), role)}</dd>
                                </dl>
                                <crate::courses::ProfileDetails
                                    first_name=user.first_name.clone()
                                    last_name=user.last_name.clone()
                                    student=role == super::model::Role::Student
                                />
                                <KakaoLink />
                                <ChangePasswordForm />
                                <SessionList />
                                <ApiTokens />
                            }
                                .into_any()
                        }
                        None => {
                            view! {
                                <p class="mt-4">
                                    <a href="/login?next=/profile" class="text-indigo-700 underline">{t!(i18n, sign_in_to_continue)}</a>
                                </p>
                            }
                                .into_any()
                        }
                    })
            }}
        </Suspense>
    }
}

/// `/setup`: the first administrator, while none exists.
#[component]
pub fn SetupPage() -> impl IntoView {
    let i18n = use_i18n();
    let account = use_account();
    let open = Resource::new(|| (), |_| super::api::setup_open());
    let error = last_error(account.setup);
    view! {
        <Title text=i18n.t().setup_title />
        <section class="mx-auto max-w-md">
            <h1 class="text-2xl font-bold">{t!(i18n, setup_title)}</h1>
            <Suspense fallback=|| ()>
                {move || {
                    open.get()
                        .map(|open| {
                            if open.unwrap_or(false) {
                                view! {
                                    <p class="mt-2 text-sm text-slate-700">{t!(i18n, setup_lead)}</p>
                                    <ActionForm action=account.setup attr:class="mt-6 space-y-4" attr:novalidate=true>
                                        <TextField name="setup_code" kind="text" label=t!(i18n, field_setup_code) autocomplete="off" error />
                                        <div class="grid gap-4 sm:grid-cols-2">
                                            <TextField name="first_name" kind="text" label=t!(i18n, field_first_name) autocomplete="given-name" error />
                                            <TextField name="last_name" kind="text" label=t!(i18n, field_last_name) autocomplete="family-name" error />
                                        </div>
                                        <TextField name="email" kind="email" label=t!(i18n, field_email) autocomplete="email" error />
                                        <TextField name="password" kind="password" label=t!(i18n, field_password) autocomplete="new-password" hint=t!(i18n, password_hint) error />
                                        <FormError error />
                                        <button type="submit" class="w-full rounded bg-indigo-700 px-3 py-2 font-medium text-white hover:bg-indigo-800 focus:outline-none focus:ring-2 focus:ring-indigo-500 focus:ring-offset-2">
                                            {t!(i18n, setup_submit)}
                                        </button>
                                    </ActionForm>
                                }
                                    .into_any()
                            } else {
                                view! {
                                    <p class="mt-4" data-testid="setup-closed">{t!(i18n, setup_closed)}</p>
                                    <p class="mt-4">
                                        <a href="/login" class="text-indigo-700 underline">{t!(i18n, sign_in)}</a>
                                    </p>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
        </section>
    }
}

/// Changing one's password, on the profile page.
#[component]
fn ChangePasswordForm() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<ChangePassword>::new();
    let error = last_error(action);
    let done = move || last_saved(action).get();
    view! {
        <section aria-labelledby="password-heading" class="mt-10 max-w-md">
            <h2 id="password-heading" class="text-lg font-semibold">{t!(i18n, change_password)}</h2>
            <ActionForm action attr:class="mt-4 space-y-4" attr:novalidate=true>
                <TextField name="current_password" kind="password" label=t!(i18n, field_current_password) autocomplete="current-password" error />
                <TextField name="new_password" kind="password" label=t!(i18n, field_new_password) autocomplete="new-password" hint=t!(i18n, password_hint) error />
                <FormError error />
                <p class="text-sm text-green-800" role="status">{move || done().then(|| i18n.t().password_changed)}</p>
                <button type="submit" class="rounded bg-indigo-700 px-3 py-2 font-medium text-white hover:bg-indigo-800 focus:outline-none focus:ring-2 focus:ring-indigo-500 focus:ring-offset-2">
                    {t!(i18n, change_password)}
                </button>
            </ActionForm>
        </section>
    }
}

/// The user's sessions with a way to end each, or all but this one.
#[component]
fn SessionList() -> impl IntoView {
    let i18n = use_i18n();
    let revoke = ServerAction::<RevokeSession>::new();
    let revoke_others = ServerAction::<RevokeOtherSessions>::new();
    let sessions = Resource::new(|| (), |_| super::api::my_sessions());
    view! {
        <section aria-labelledby="sessions-heading" class="mt-10">
            <h2 id="sessions-heading" class="text-lg font-semibold">{t!(i18n, sessions_title)}</h2>
            <Suspense fallback=|| ()>
                <ul class="mt-4 divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white" data-testid="sessions">
                    {move || {
                        sessions
                            .get()
                            .map(|list| {
                                list.unwrap_or_default()
                                    .into_iter()
                                    .map(|session| {
                                        let device = session.user_agent.clone();
                                        view! {
                                            <li class="flex flex-wrap items-center justify-between gap-3 p-4">
                                                <div class="text-sm">
                                                    <p class="font-medium">
                                                        {move || device.clone().unwrap_or_else(|| i18n.t().unknown_device.to_owned())}
                                                    </p>
                                                    <p class="text-slate-600">
                                                        {session.ip.clone().unwrap_or_default()} " · "
                                                        {t!(i18n, session_last_seen)} " " <RelativeTime at=session.last_seen_at />
                                                        " · " {t!(i18n, session_started)} " " <RelativeTime at=session.created_at />
                                                    </p>
                                                </div>
                                                {if session.current {
                                                    view! { <span class="rounded bg-green-100 px-2 py-0.5 text-sm text-green-800">{t!(i18n, session_current)}</span> }.into_any()
                                                } else {
                                                    view! {
                                                        <ActionForm action=revoke>
                                                            <input type="hidden" name="handle" value=session.handle.clone() />
                                                            <button type="submit" class="rounded border border-slate-300 px-2 py-1 text-sm hover:bg-slate-100">
                                                                {t!(i18n, session_revoke)}
                                                            </button>
                                                        </ActionForm>
                                                    }.into_any()
                                                }}
                                            </li>
                                        }
                                    })
                                    .collect_view()
                            })
                    }}
                </ul>
            </Suspense>
            <ActionForm action=revoke_others attr:class="mt-4">
                <button type="submit" class="rounded border border-slate-300 bg-white px-3 py-2 text-sm hover:bg-slate-100">
                    {t!(i18n, sessions_revoke_others)}
                </button>
            </ActionForm>
        </section>
    }
}

/// `/forgot-password`: ask for a reset link.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<RequestPasswordReset>::new();
    let error = last_error(action);
    let sent = move || {
        last_saved(action).get() || use_query_map().read().get("sent").as_deref() == Some("1")
    };
    view! {
        <Title text=i18n.t().forgot_title />
        <section class="mx-auto max-w-md">
            <h1 class="text-2xl font-bold">{t!(i18n, forgot_title)}</h1>
            <p class="mt-2 text-sm text-slate-700">{t!(i18n, forgot_lead)}</p>
            <ActionForm action attr:class="mt-6 space-y-4" attr:novalidate=true>
                <TextField name="email" kind="email" label=t!(i18n, field_email) autocomplete="email" error />
                <FormError error />
                <p class="text-sm text-green-800" role="status" data-testid="reset-sent">
                    {move || sent().then(|| i18n.t().forgot_sent)}
                </p>
                <button type="submit" class="w-full rounded bg-indigo-700 px-3 py-2 font-medium text-white hover:bg-indigo-800 focus:outline-none focus:ring-2 focus:ring-indigo-500 focus:ring-offset-2">
                    {t!(i18n, forgot_submit)}
                </button>
            </ActionForm>
        </section>
    }
}

/// `/reset-password?token=…`: choose a new password with a reset link.
#[component]
pub fn ResetPasswordPage() -> impl IntoView {
    let i18n = use_i18n();
    let action = ServerAction::<ResetPassword>::new();
    let error = last_error(action);
    let token = move || use_query_map().read().get("token").unwrap_or_default();
    let usable = Resource::new(token, super::api::reset_token_usable);
    view! {
        <Title text=i18n.t().reset_title />
        <section class="mx-auto max-w-md">
            <h1 class="text-2xl font-bold">{t!(i18n, reset_title)}</h1>
            <Suspense fallback=|| ()>
                {move || {
                    usable
                        .get()
                        .map(|usable| {
                            if usable.unwrap_or(false) {
                                view! {
                                    <ActionForm action attr:class="mt-6 space-y-4" attr:novalidate=true>
                                        <input type="hidden" name="token" value=token />
                                        <TextField name="new_password" kind="password" label=t!(i18n, field_new_password) autocomplete="new-password" hint=t!(i18n, password_hint) error />
                                        <p class="text-sm text-red-700" role="alert">
                                            {move || error.get().and_then(|e| e.code_for("token").map(|_| i18n.t().err_invalid_reset_link))}
                                        </p>
                                        <FormError error />
                                        <button type="submit" class="w-full rounded bg-indigo-700 px-3 py-2 font-medium text-white hover:bg-indigo-800 focus:outline-none focus:ring-2 focus:ring-indigo-500 focus:ring-offset-2">
                                            {t!(i18n, reset_submit)}
                                        </button>
                                    </ActionForm>
                                }
                                    .into_any()
                            } else {
                                view! {
                                    <p class="mt-4" role="alert" data-testid="reset-invalid">{t!(i18n, reset_link_invalid)}</p>
                                    <p class="mt-4">
                                        <a href="/forgot-password" class="text-indigo-700 underline">{t!(i18n, reset_request_again)}</a>
                                    </p>
                                }
                                    .into_any()
                            }
                        })
                }}
            </Suspense>
        </section>
    }
}

/// The user's personal API tokens: create (shown once), list, revoke.
#[component]
fn ApiTokens() -> impl IntoView {
    let tokens = Resource::new(|| (), |_| super::api::my_api_tokens());
    view! {
        <Suspense fallback=|| ()>
            {move || tokens.get().map(|list| view! { <ApiTokensLive tokens=list.unwrap_or_default() /> })}
        </Suspense>
    }
}

/// An island: a new token is shown once, right after it is made, which a page reload
/// could not do.
#[island]
fn ApiTokensLive(tokens: Vec<ApiTokenSummary>) -> impl IntoView {
    let i18n = use_i18n();
    let create = ServerAction::<CreateApiToken>::new();
    let revoke = ServerAction::<RevokeApiToken>::new();
    let tokens = RwSignal::new(tokens);
    #[cfg(feature = "hydrate")]
    crate::ui::reload_on(
        move || {
            create.version().track();
            revoke.version().track();
        },
        super::api::my_api_tokens,
        tokens,
    );
    let error = last_error(create);
    let created = move || create.value().get().and_then(Result::ok);
    view! {
        <section aria-labelledby="tokens-heading" class="mt-10">
            <h2 id="tokens-heading" class="text-lg font-semibold">{t!(i18n, tokens_title)}</h2>
            <p class="mt-1 text-sm text-slate-700">{t!(i18n, tokens_lead)}</p>
            {move || {
                created()
                    .map(|token| {
                        view! {
                            <div class="mt-4 rounded border border-amber-300 bg-amber-50 p-3 text-sm" role="status">
                                <p>{t!(i18n, token_created)}</p>
                                <code class="mt-1 block break-all font-mono" data-testid="new-token">{token}</code>
                            </div>
                        }
                    })
            }}
            <ActionForm action=create attr:class="mt-4 flex flex-wrap items-end gap-3" attr:novalidate=true>
                <div class="min-w-60 flex-1">
                    <TextField name="name" kind="text" label=t!(i18n, token_name) autocomplete="off" error />
                </div>
                <button type="submit" class="rounded bg-indigo-700 px-3 py-2 font-medium text-white hover:bg-indigo-800 focus:outline-none focus:ring-2 focus:ring-indigo-500 focus:ring-offset-2">
                    {t!(i18n, token_create)}
                </button>
            </ActionForm>
            {move || {
                    Some(tokens.get())
                        .map(|list| {
                            if list.is_empty() {
                                return view! { <p class="mt-4 text-sm text-slate-600">{t!(i18n, tokens_none)}</p> }.into_any();
                            }
                            view! {
                                <ul class="mt-4 divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white">
                                    {list
                                        .into_iter()
                                        .map(|token| {
                                            let last_used = token.last_used_at;
                                            view! {
                                                <li class="flex flex-wrap items-center justify-between gap-3 p-4 text-sm">
                                                    <div>
                                                        <p class="font-medium">{token.name.clone()}</p>
                                                        <p class="text-slate-600">
                                                            <code>{format!("{}…", token.prefix)}</code> " · "
                                                            {match last_used {
                                                                Some(at) => view! { <RelativeTime at /> }.into_any(),
                                                                None => view! { <span>{t!(i18n, token_never_used)}</span> }.into_any(),
                                                            }}
                                                        </p>
                                                    </div>
                                                    <ActionForm action=revoke>
                                                        <input type="hidden" name="id" value=token.id.clone() />
                                                        <button type="submit" class="rounded border border-slate-300 px-2 py-1 hover:bg-slate-100">
                                                            {t!(i18n, token_revoke)}
                                                        </button>
                                                    </ActionForm>
                                                </li>
                                            }
                                        })
                                        .collect_view()}
                                </ul>
                            }
                                .into_any()
                        })
                }}
        </section>
    }
}

/// "Sign in with Kakao", shown only when Kakao is configured. A plain link (external to
/// the client-side router): the server redirects to Kakao.
#[component]
fn KakaoButton() -> impl IntoView {
    let i18n = use_i18n();
    let status = Resource::new(|| (), |_| super::api::kakao_status());
    view! {
        <Suspense fallback=|| ()>
            {move || {
                status.get().and_then(|s| s.ok()).filter(|s| s.enabled).map(|_| view! {
                    <p class="mt-4">
                        <a href="/auth/kakao" rel="external" class="block w-full rounded bg-yellow-300 px-3 py-2 text-center font-medium text-slate-900 hover:bg-yellow-400 focus:outline-none focus:ring-2 focus:ring-yellow-500">
                            {t!(i18n, kakao_sign_in)}
                        </a>
                    </p>
                })
            }}
        </Suspense>
    }
}

/// Link or unlink Kakao, on the profile page (only when Kakao is configured).
#[component]
fn KakaoLink() -> impl IntoView {
    let i18n = use_i18n();
    let unlink = ServerAction::<UnlinkKakao>::new();
    let status = Resource::new(|| (), |_| super::api::kakao_status());
    let error = last_error(unlink);
    view! {
        <Suspense fallback=|| ()>
            {move || {
                status.get().and_then(|s| s.ok()).filter(|s| s.enabled).map(|status| view! {
                    <section aria-labelledby="kakao-heading" class="mt-10">
                        <h2 id="kakao-heading" class="text-lg font-semibold">{t!(i18n, kakao_title)}</h2>
                        {if status.linked {
                            view! {
                                <p class="mt-2 text-sm" data-testid="kakao-linked">{t!(i18n, kakao_linked)}</p>
                                <ActionForm action=unlink attr:class="mt-3">
                                    <button type="submit" class="rounded border border-slate-300 bg-white px-3 py-2 text-sm hover:bg-slate-100">{t!(i18n, kakao_unlink)}</button>
                                </ActionForm>
                                <p class="mt-2 text-sm text-red-700" role="alert">
                                    {move || error.get().and_then(|e| e.code_for("kakao").map(|c| crate::i18n::field_error_message(i18n.t(), c)))}
                                </p>
                            }.into_any()
                        } else {
                            view! {
                                <form method="post" action="/auth/kakao/link" class="mt-3">
                                    <button type="submit" class="rounded bg-yellow-300 px-3 py-2 text-sm font-medium text-slate-900 hover:bg-yellow-400">{t!(i18n, kakao_link)}</button>
                                </form>
                            }.into_any()
                        }}
                    </section>
                })
            }}
        </Suspense>
    }
}
