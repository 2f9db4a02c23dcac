//! Administrators' pages: the users list with search and filters, one user's page, and
//! site settings.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use super::admin_api::{CreateAccount, DeactivateUser, SetSignupPolicy, UpdateUser};
use super::model::{AccountStatus, Role, SignupPolicy, UserQuery};
use crate::i18n::{format_datetime, role_name, use_i18n};
use crate::t;
use crate::ui::{FormError, TextField, last_error, last_saved, refusal};

fn status_name(i18n: &crate::i18n::I18n, status: &str) -> &'static str {
    let t = i18n.t();
    match status {
        "active" => t.status_active,
        "suspended" => t.status_suspended,
        "pending" => t.status_pending,
        _ => t.status_archived,
    }
}

/// Links between the administration pages.
#[component]
pub fn AdminNav() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <nav aria-label=t!(i18n, admin_nav) class="mb-6 flex flex-wrap gap-4 text-sm">
            <a href="/admin/users" class="text-indigo-700 underline">{t!(i18n, users_title)}</a>
            <a href="/admin/outbox" class="text-indigo-700 underline">{t!(i18n, outbox_title)}</a>
            <a href="/admin/settings" class="text-indigo-700 underline">{t!(i18n, settings_title)}</a>
            <a href="/admin/interests" class="text-indigo-700 underline">{t!(i18n, interests_title)}</a>
            <a href="/admin/account-requests" class="text-indigo-700 underline">{t!(i18n, account_requests_title)}</a>
        </nav>
    }
}

const SELECT: &str = "mt-1 block w-full rounded border border-slate-300 bg-white px-2 py-2";
const BUTTON: &str = "rounded bg-indigo-700 px-3 py-2 font-medium text-white hover:bg-indigo-800 focus:outline-none focus:ring-2 focus:ring-indigo-500 focus:ring-offset-2";

/// `/admin/users`: search, filter, page through users; create accounts.
#[component]
pub fn AdminUsersPage() -> impl IntoView {
    let i18n = use_i18n();
    let query = move || {
        let q = use_query_map().read();
        let non_empty = |key: &str| q.get(key).filter(|v| !v.is_empty());
        UserQuery {
            search: q.get("q").unwrap_or_default(),
            role: non_empty("role"),
            status: non_empty("status"),
            auth_type: non_empty("auth"),
            page: q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1),
        }
    };
    let create = ServerAction::<CreateAccount>::new();
    let listing = Resource::new(query, super::admin_api::list_users);
    let create_error = last_error(create);
    let page_link = move |page: i64| {
        let q = query();
        format!(
            "/admin/users?q={}&role={}&status={}&auth={}&page={page}",
            crate::ui::urlencode(&q.search),
            q.role.unwrap_or_default(),
            q.status.unwrap_or_default(),
            q.auth_type.unwrap_or_default()
        )
    };
    view! {
        <Title text=i18n.t().users_title />
        <AdminNav />
        <h1 class="text-2xl font-bold">{t!(i18n, users_title)}</h1>
        <form method="get" action="/admin/users" class="mt-6 grid gap-3 sm:grid-cols-5 sm:items-end" role="search">
            <div class="sm:col-span-2">
                <label for="q" class="block text-sm font-medium">{t!(i18n, users_search)}</label>
                <input id="q" name="q" type="search" value=move || query().search class="mt-1 block w-full rounded border border-slate-300 px-3 py-2" />
            </div>
            <div>
                <label for="role" class="block text-sm font-medium">{t!(i18n, field_role)}</label>
                <select id="role" name="role" class=SELECT>
                    <option value="">{t!(i18n, filter_any)}</option>
                    {Role::ALL.map(|role| view! {
                        <option value=role.as_str() selected=move || query().role.as_deref() == Some(role.as_str())>
                            {move || role_name(i18n.locale(), role)}
                        </option>
                    }).collect_view()}
                </select>
            </div>
            <div>
                <label for="status" class="block text-sm font-medium">{t!(i18n, field_status)}</label>
                <select id="status" name="status" class=SELECT>
                    <option value="">{t!(i18n, filter_any)}</option>
                    {AccountStatus::ALL.map(|status| view! {
                        <option value=status.as_str() selected=move || query().status.as_deref() == Some(status.as_str())>
                            {move || status_name(&i18n, status.as_str())}
                        </option>
                    }).collect_view()}
                    <option value="deleted" selected=move || query().status.as_deref() == Some("deleted")>{t!(i18n, status_deleted)}</option>
                </select>
            </div>
            <div>
                <label for="auth" class="block text-sm font-medium">{t!(i18n, field_auth_type)}</label>
                <select id="auth" name="auth" class=SELECT>
                    <option value="">{t!(i18n, filter_any)}</option>
                    {["manual", "temp", "kakao"].map(|kind| view! {
                        <option value=kind selected=move || query().auth_type.as_deref() == Some(kind)>{kind}</option>
                    }).collect_view()}
                </select>
            </div>
            <button type="submit" class=BUTTON>{t!(i18n, users_search)}</button>
        </form>
        <Suspense fallback=|| ()>
            {move || listing.get().map(|result| match result {
                Err(error) => refusal(&error, "/admin/users"),
                Ok(listing) => {
                    let pages = (listing.total + listing.page_size - 1) / listing.page_size;
                    let page = listing.page;
                    view! {
                        <p class="mt-6 text-sm text-slate-600" data-testid="users-total">
                            {move || crate::i18n::fill(i18n.t().users_count, &[("n", &listing.total.to_string())])}
                        </p>
                        <div class="mt-2 overflow-x-auto">
                            <table class="min-w-full divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white text-sm">
                                <thead class="bg-slate-50 text-left">
                                    <tr>
                                        <th scope="col" class="px-3 py-2">{t!(i18n, field_name)}</th>
                                        <th scope="col" class="px-3 py-2">{t!(i18n, field_email)}</th>
                                        <th scope="col" class="px-3 py-2">{t!(i18n, field_role)}</th>
                                        <th scope="col" class="px-3 py-2">{t!(i18n, field_status)}</th>
                                        <th scope="col" class="px-3 py-2">{t!(i18n, field_auth_type)}</th>
                                    </tr>
                                </thead>
                                <tbody class="divide-y divide-slate-100">
                                    {listing.users.into_iter().map(|user| {
                                        let role = user.role();
                                        let status = if user.deleted_at.is_some() { "deleted".to_owned() } else { user.status.clone() };
                                        view! {
                                            <tr>
                                                <td class="px-3 py-2"><a href=format!("/admin/users/{}", user.id) class="text-indigo-700 underline">{format!("{} {}", user.first_name, user.last_name)}</a></td>
                                                <td class="px-3 py-2">{user.email.clone()}</td>
                                                <td class="px-3 py-2">{move || role_name(i18n.locale(), role)}</td>
                                                <td class="px-3 py-2">{move || if status == "deleted" { i18n.t().status_deleted } else { status_name(&i18n, &status) }}</td>
                                                <td class="px-3 py-2">{user.auth_type.clone()}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <nav aria-label=t!(i18n, pagination) class="mt-4 flex gap-4 text-sm">
                            {(page > 1).then(|| view! { <a href=page_link(page - 1) class="text-indigo-700 underline">{t!(i18n, page_previous)}</a> })}
                            <span>{format!("{page} / {}", pages.max(1))}</span>
                            {(page < pages).then(|| view! { <a href=page_link(page + 1) class="text-indigo-700 underline">{t!(i18n, page_next)}</a> })}
                        </nav>
                    }
                    .into_any()
                }
            })}
        </Suspense>
        <section aria-labelledby="create-heading" class="mt-10 max-w-xl">
            <h2 id="create-heading" class="text-lg font-semibold">{t!(i18n, create_account)}</h2>
            <p class="mt-1 text-sm text-slate-700">{t!(i18n, create_account_lead)}</p>
            <ActionForm action=create attr:class="mt-4 space-y-4" attr:novalidate=true>
                <div class="grid gap-4 sm:grid-cols-2">
                    <TextField name="first_name" kind="text" label=t!(i18n, field_first_name) autocomplete="off" error=create_error />
                    <TextField name="last_name" kind="text" label=t!(i18n, field_last_name) autocomplete="off" error=create_error />
                </div>
                <TextField name="email" kind="email" label=t!(i18n, field_email) autocomplete="off" error=create_error />
                <div>
                    <label for="new-role" class="block text-sm font-medium">{t!(i18n, field_role)}</label>
                    <select id="new-role" name="role" class=SELECT>
                        {Role::ALL.map(|role| view! {
                            <option value=role.as_str() selected=role == Role::Instructor>{move || role_name(i18n.locale(), role)}</option>
                        }).collect_view()}
                    </select>
                </div>
                <FormError error=create_error />
                <p class="text-sm text-green-800" role="status">
                    {move || last_saved(create).get().then(|| i18n.t().account_created)}
                </p>
                <button type="submit" class=BUTTON>{t!(i18n, create_account)}</button>
            </ActionForm>
        </section>
    }
}

/// `/admin/users/{id}`: one user, with their audit columns; change role, status and
/// permissions, or deactivate.
#[component]
pub fn AdminUserPage() -> impl IntoView {
    let i18n = use_i18n();
    let id = move || use_params_map().read().get("id").unwrap_or_default();
    let update = ServerAction::<UpdateUser>::new();
    let deactivate = ServerAction::<DeactivateUser>::new();
    let user = Resource::new(id, super::admin_api::get_user_detail);
    let error = last_error(update);
    view! {
        <Title text=i18n.t().users_title />
        <p><a href="/admin/users" class="text-sm text-indigo-700 underline">{t!(i18n, users_title)}</a></p>
        <Suspense fallback=|| ()>
            {move || user.get().map(|result| match result {
                Err(error) => refusal(&error, "/admin/users"),
                Ok(user) => {
                    let role = user.role();
                    let permissions = user.permissions().join("\n");
                    let user_id = user.id.clone();
                    let current_status = user.status.clone();
                    let active = user.deleted_at.is_none();
                    let when = move |at: Option<chrono::DateTime<chrono::Utc>>| at.map(|at| format_datetime(i18n.locale(), &at)).unwrap_or_else(|| "—".to_owned());
                    let (created, updated, login, deleted) = (Some(user.created_at), Some(user.updated_at), user.last_login_at, user.deleted_at);
                    view! {
                        <h1 class="mt-2 text-2xl font-bold">{format!("{} {}", user.first_name, user.last_name)}</h1>
                        <dl class="mt-4 grid grid-cols-[auto_1fr] gap-x-6 gap-y-2 text-sm">
                            <dt class="text-slate-600">{t!(i18n, field_email)}</dt><dd>{user.email.clone()}</dd>
                            <dt class="text-slate-600">{t!(i18n, field_auth_type)}</dt><dd>{user.auth_type.clone()}</dd>
                            <dt class="text-slate-600">{t!(i18n, audit_created)}</dt><dd>{move || when(created)} " " {user.created_by.clone().unwrap_or_default()}</dd>
                            <dt class="text-slate-600">{t!(i18n, audit_updated)}</dt><dd>{move || when(updated)} " " {user.updated_by.clone().unwrap_or_default()}</dd>
                            <dt class="text-slate-600">{t!(i18n, audit_last_login)}</dt><dd>{move || when(login)}</dd>
                            <dt class="text-slate-600">{t!(i18n, status_deleted)}</dt><dd data-testid="deleted-at">{move || when(deleted)}</dd>
                        </dl>
                        <ActionForm action=update attr:class="mt-8 max-w-xl space-y-4" attr:novalidate=true>
                            <input type="hidden" name="id" value=user.id.clone() />
                            <div>
                                <label for="edit-role" class="block text-sm font-medium">{t!(i18n, field_role)}</label>
                                <select id="edit-role" name="role" class=SELECT>
                                    {Role::ALL.map(|r| view! { <option value=r.as_str() selected=r == role>{move || role_name(i18n.locale(), r)}</option> }).collect_view()}
                                </select>
                            </div>
                            <div>
                                <label for="edit-status" class="block text-sm font-medium">{t!(i18n, field_status)}</label>
                                <select id="edit-status" name="status" class=SELECT>
                                    {AccountStatus::ALL.map(|s| {
                                        let selected = s.as_str() == current_status;
                                        view! { <option value=s.as_str() selected=selected>{move || status_name(&i18n, s.as_str())}</option> }
                                    }).collect_view()}
                                </select>
                            </div>
                            <div>
                                <label for="edit-authorizations" class="block text-sm font-medium">{t!(i18n, field_authorizations)}</label>
                                <textarea id="edit-authorizations" name="authorizations" rows="3" class="mt-1 block w-full rounded border border-slate-300 px-3 py-2 font-mono text-sm" aria-describedby="authorizations-hint">
                                    {permissions}
                                </textarea>
                                <p id="authorizations-hint" class="mt-1 text-xs text-slate-600">{t!(i18n, authorizations_hint)}</p>
                                <p class="mt-1 text-sm text-red-700" role="alert">
                                    {move || error.get().and_then(|e| e.code_for("authorizations").map(|c| crate::i18n::field_error_message(i18n.t(), c)))}
                                </p>
                            </div>
                            <p class="text-sm text-red-700" role="alert">
                                {move || error.get().and_then(|e| e.code_for("role").map(|c| crate::i18n::field_error_message(i18n.t(), c)))}
                            </p>
                            <FormError error />
                            <p class="text-sm text-green-800" role="status">{move || last_saved(update).get().then(|| i18n.t().saved)}</p>
                            <button type="submit" class=BUTTON>{t!(i18n, save)}</button>
                        </ActionForm>
                        {active.then(|| view! {
                            <ActionForm action=deactivate attr:class="mt-8">
                                <input type="hidden" name="id" value=user_id.clone() />
                                <button type="submit" class="rounded border border-red-300 bg-white px-3 py-2 text-sm text-red-800 hover:bg-red-50">{t!(i18n, deactivate_user)}</button>
                            </ActionForm>
                        })}
                    }
                    .into_any()
                }
            })}
        </Suspense>
    }
}

/// `/admin/settings`: the sign-up policy.
#[component]
pub fn AdminSettingsPage() -> impl IntoView {
    let i18n = use_i18n();
    let set = ServerAction::<SetSignupPolicy>::new();
    let policy = Resource::new(|| (), |_| super::admin_api::get_signup_policy());
    let error = last_error(set);
    view! {
        <Title text=i18n.t().settings_title />
        <AdminNav />
        <h1 class="text-2xl font-bold">{t!(i18n, settings_title)}</h1>
        <Suspense fallback=|| ()>
            {move || policy.get().map(|current| {
                let current = current.unwrap_or(SignupPolicy::Open);
                view! {
                    <ActionForm action=set attr:class="mt-6 max-w-xl">
                        <fieldset class="space-y-2">
                            <legend class="font-semibold">{t!(i18n, signup_policy)}</legend>
                            {SignupPolicy::ALL.map(|p| {
                                let label = move || match p {
                                    SignupPolicy::Open => i18n.t().signup_open,
                                    SignupPolicy::Invite => i18n.t().signup_invite,
                                    SignupPolicy::Closed => i18n.t().signup_closed,
                                };
                                view! {
                                    <label class="flex items-start gap-2">
                                        <input type="radio" name="policy" value=p.as_str() checked=p == current class="mt-1" />
                                        <span>{label}</span>
                                    </label>
                                }
                            }).collect_view()}
                        </fieldset>
                        <FormError error />
                        <p class="text-sm text-green-800" role="status">{move || last_saved(set).get().then(|| i18n.t().saved)}</p>
                        <button type="submit" class=format!("mt-4 {BUTTON}")>{t!(i18n, save)}</button>
                    </ActionForm>
                }
            })}
        </Suspense>
    }
}
