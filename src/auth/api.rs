//! The account server functions: who am I, register, sign in, sign out.

use leptos::prelude::*;

use super::model::CurrentUser;
use crate::app_error::AppError;

/// The signed-in user, if any.
#[server(prefix = "/api/fn", endpoint = "who_am_i")]
pub async fn who_am_i() -> Result<Option<CurrentUser>, AppError> {
    let auth = super::guard::auth_session().await?;
    Ok(auth.user.map(|user| user.current()))
}

/// Signs in with email and password, then goes to `next` (a local path) or home.
/// A wrong password and an unknown email get the same answer, in the same time.
#[server(prefix = "/api/fn", endpoint = "login")]
pub async fn login(email: String, password: String, next: Option<String>) -> Result<(), AppError> {
    use super::limits::{self, LOGIN_FAILURES_PER_ACCOUNT, LOGIN_FAILURES_PER_IP};
    use super::service::{Credentials, record_login};

    let state = crate::server::app_state().map_err(AppError::internal)?;
    let db = &state.db;
    let account_key = email.trim().to_lowercase();
    let ip = super::guard::client_ip();
    limits::check(db, LOGIN_FAILURES_PER_ACCOUNT, &account_key).await?;
    limits::check(db, LOGIN_FAILURES_PER_IP, &ip).await?;
    let mut auth = super::guard::auth_session().await?;
    let authenticated = auth
        .authenticate(Credentials { email, password })
        .await
        .map_err(AppError::internal)?;
    let Some(user) = authenticated else {
        limits::record(db, LOGIN_FAILURES_PER_ACCOUNT, &account_key).await?;
        limits::record(db, LOGIN_FAILURES_PER_IP, &ip).await?;
        let failures = limits::recent(db, LOGIN_FAILURES_PER_ACCOUNT, &account_key)
            .await?
            .max(limits::recent(db, LOGIN_FAILURES_PER_IP, &ip).await?);
        tokio::time::sleep(limits::failure_delay(failures)).await;
        return Err(AppError::field("password", "wrong_credentials").with_status());
    };
    limits::clear(db, LOGIN_FAILURES_PER_ACCOUNT, &account_key).await?;
    start_session(&mut auth, &user).await?;
    record_login(&state.db, &user.id).await?;
    crate::helpdesk::presence::signed_in(&state, &user).await;
    leptos_axum::redirect(&super::guard::safe_next(next.as_deref()));
    Ok(())
}

/// Creates a student account (open sign-up) and signs it in.
#[server(prefix = "/api/fn", endpoint = "register")]
pub async fn register(
    email: String,
    password: String,
    first_name: String,
    last_name: String,
    grade_level: Option<String>,
) -> Result<(), AppError> {
    use super::limits::{self, REGISTER_PER_IP};
    use super::model::Role;
    use super::service::{CreateError, create_user};

    let state = crate::server::app_state().map_err(AppError::internal)?;
    match super::admin::signup_policy(&state.db).await? {
        super::model::SignupPolicy::Open => {}
        super::model::SignupPolicy::Invite => {
            return Err(AppError::field("email", "signup_invite_only").with_status());
        }
        super::model::SignupPolicy::Closed => {
            return Err(AppError::field("email", "signup_closed").with_status());
        }
    }
    let ip = super::guard::client_ip();
    let per_ip = limits::Limit {
        max: state.config.registrations_per_ip_hour,
        ..REGISTER_PER_IP
    };
    limits::check(&state.db, per_ip, &ip).await?;
    let account = super::validate::new_account(
        &email,
        &password,
        &first_name,
        &last_name,
        grade_level.as_deref(),
        true,
    )
    .map_err(|problems| AppError::Invalid(problems).with_status())?;
    let user = match create_user(&state.db, &account, Some(password), Role::Student, None).await {
        Ok(user) => user,
        Err(CreateError::EmailTaken) => return Err(AppError::field("email", "taken").with_status()),
        Err(error) => return Err(AppError::internal(error)),
    };
    limits::record(&state.db, per_ip, &ip).await?;
    let mut auth = super::guard::auth_session().await?;
    start_session(&mut auth, &user).await?;
    leptos_axum::redirect("/");
    Ok(())
}

/// First run: creates the first super administrator, given the setup code from the
/// server log, and signs them in. Refused (403) once an administrator exists.
#[server(prefix = "/api/fn", endpoint = "setup")]
pub async fn setup(
    setup_code: String,
    email: String,
    password: String,
    first_name: String,
    last_name: String,
) -> Result<(), AppError> {
    use super::model::Role;
    use super::service::{CreateError, create_user};
    use super::setup::{close_setup, code_matches, open_setup_code};

    let state = crate::server::app_state().map_err(AppError::internal)?;
    let Some(expected) = open_setup_code(&state.db).await? else {
        return Err(AppError::Forbidden.with_status());
    };
    if !code_matches(&expected, &setup_code) {
        return Err(AppError::field("setup_code", "wrong_setup_code").with_status());
    }
    let account =
        super::validate::new_account(&email, &password, &first_name, &last_name, None, false)
            .map_err(|problems| AppError::Invalid(problems).with_status())?;
    let user = match create_user(&state.db, &account, Some(password), Role::SuperAdmin, None).await
    {
        Ok(user) => user,
        Err(CreateError::EmailTaken) => return Err(AppError::field("email", "taken").with_status()),
        Err(error) => return Err(AppError::internal(error)),
    };
    close_setup(&state.db).await?;
    tracing::info!(user_id = %user.id, "first administrator created; set-up is closed");
    let mut auth = super::guard::auth_session().await?;
    start_session(&mut auth, &user).await?;
    leptos_axum::redirect("/");
    Ok(())
}

/// Whether first-run set-up is still open (no administrator yet).
#[server(prefix = "/api/fn", endpoint = "setup_open")]
pub async fn setup_open() -> Result<bool, AppError> {
    let state = crate::server::app_state().map_err(AppError::internal)?;
    Ok(!super::service::admin_exists(&state.db).await?)
}

/// The signed-in user's sessions.
#[server(prefix = "/api/fn", endpoint = "my_sessions")]
pub async fn my_sessions() -> Result<Vec<super::model::SessionSummary>, AppError> {
    let state = crate::server::app_state().map_err(AppError::internal)?;
    let user = super::guard::require_user().await?;
    let auth = super::guard::auth_session().await?;
    let current = auth.session.id().map(|id| id.to_string());
    Ok(super::sessions::list(&state.db, &user.id, current.as_deref()).await?)
}

/// Ends one of the signed-in user's sessions (this one signs out).
#[server(prefix = "/api/fn", endpoint = "revoke_session")]
pub async fn revoke_session(handle: String) -> Result<(), AppError> {
    let state = crate::server::app_state().map_err(AppError::internal)?;
    let user = super::guard::require_user().await?;
    let mut auth = super::guard::auth_session().await?;
    let current = auth
        .session
        .id()
        .map(|id| super::sessions::handle(&id.to_string()));
    if current.as_deref() == Some(handle.as_str()) {
        auth.logout().await.map_err(AppError::internal)?;
        crate::helpdesk::presence::signed_out(&state, &user.id).await;
        leptos_axum::redirect("/");
        return Ok(());
    }
    if !super::sessions::revoke(&state.db, &user.id, &handle).await? {
        return Err(AppError::NotFound.with_status());
    }
    Ok(())
}

/// Ends every session of the signed-in user but this one ("sign out other devices").
#[server(prefix = "/api/fn", endpoint = "revoke_other_sessions")]
pub async fn revoke_other_sessions() -> Result<u64, AppError> {
    let state = crate::server::app_state().map_err(AppError::internal)?;
    let user = super::guard::require_user().await?;
    let auth = super::guard::auth_session().await?;
    let current = auth.session.id().map(|id| id.to_string());
    Ok(super::sessions::revoke_others(&state.db, &user.id, current.as_deref()).await?)
}

/// Changes the signed-in user's password after checking the current one. Every other
/// session ends; this one continues on a fresh id.
#[server(prefix = "/api/fn", endpoint = "change_password")]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    let state = crate::server::app_state().map_err(AppError::internal)?;
    let user = super::guard::require_user().await?;
    let matches = super::password::verify_password(current_password, user.password_hash.clone())
        .await
        .map_err(AppError::internal)?;
    if !matches {
        return Err(AppError::field("current_password", "wrong_password").with_status());
    }
    super::validate::password(&new_password)
        .map_err(|code| AppError::field("new_password", code).with_status())?;
    let hash = super::password::hash_password(new_password)
        .await
        .map_err(AppError::internal)?;
    let updated = super::sessions::set_password(&state.db, &user, hash).await?;
    let mut auth = super::guard::auth_session().await?;
    start_session(&mut auth, &updated).await?;
    // The new id is assigned when this response is written, so keep no session of the
    // user but the ones created from now on: the old id is deleted by the cycle.
    super::sessions::revoke_others(&state.db, &user.id, None).await?;
    Ok(())
}

/// Sends a password-reset link if an account has this email. The answer is the same
/// whether or not one does.
#[server(prefix = "/api/fn", endpoint = "request_password_reset")]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    use super::limits::{self, RESET_PER_ACCOUNT, RESET_PER_IP};

    let state = crate::server::app_state().map_err(AppError::internal)?;
    let db = &state.db;
    let email = super::validate::email(&email)
        .map_err(|code| AppError::field("email", code).with_status())?;
    let ip = super::guard::client_ip();
    limits::check(db, RESET_PER_ACCOUNT, &email).await?;
    limits::check(db, RESET_PER_IP, &ip).await?;
    limits::record(db, RESET_PER_ACCOUNT, &email).await?;
    limits::record(db, RESET_PER_IP, &ip).await?;
    let user = super::service::user_by_email(db, &email).await?;
    if let Some(user) = user.filter(|u| u.status == "active") {
        let token = super::reset::create(db, &user.id, super::reset::LIFETIME).await?;
        let locale = use_context::<http::request::Parts>()
            .map(|parts| crate::i18n::locale_for_request(&parts.headers))
            .unwrap_or_default();
        let t = locale.messages();
        let link = format!("{}/reset-password?token={token}", state.config.public_url());
        let body = crate::i18n::fill(
            t.reset_mail_body,
            &[("name", &user.first_name), ("link", &link)],
        );
        crate::notify::mail::send(&state, &user.email, t.reset_mail_subject, &body).await?;
    }
    leptos_axum::redirect("/forgot-password?sent=1");
    Ok(())
}

/// Sets a new password with a reset link's token; every session of the account ends.
#[server(prefix = "/api/fn", endpoint = "reset_password")]
pub async fn reset_password(token: String, new_password: String) -> Result<(), AppError> {
    let state = crate::server::app_state().map_err(AppError::internal)?;
    super::validate::password(&new_password)
        .map_err(|code| AppError::field("new_password", code).with_status())?;
    let Some(user) = super::reset::redeem(&state.db, &token).await? else {
        return Err(AppError::field("token", "invalid_reset_link").with_status());
    };
    let hash = super::password::hash_password(new_password)
        .await
        .map_err(AppError::internal)?;
    super::sessions::set_password(&state.db, &user, hash).await?;
    super::sessions::revoke_others(&state.db, &user.id, None).await?;
    leptos_axum::redirect("/login?reset=done");
    Ok(())
}

/// Whether a reset token still works, for the reset page.
#[server(prefix = "/api/fn", endpoint = "reset_token_usable")]
pub async fn reset_token_usable(token: String) -> Result<bool, AppError> {
    let state = crate::server::app_state().map_err(AppError::internal)?;
    Ok(super::reset::is_usable(&state.db, &token).await?)
}

/// The signed-in user's API tokens.
#[server(prefix = "/api/fn", endpoint = "my_api_tokens")]
pub async fn my_api_tokens() -> Result<Vec<super::model::ApiTokenSummary>, AppError> {
    let state = crate::server::app_state().map_err(AppError::internal)?;
    let user = super::guard::require_user().await?;
    Ok(super::tokens::list(&state.db, &user.id).await?)
}

/// Creates an API token and answers it in clear: it is shown once and never again.
#[server(prefix = "/api/fn", endpoint = "create_api_token")]
pub async fn create_api_token(name: String) -> Result<String, AppError> {
    let state = crate::server::app_state().map_err(AppError::internal)?;
    let user = super::guard::require_user().await?;
    let name =
        super::validate::name(&name).map_err(|code| AppError::field("name", code).with_status())?;
    Ok(super::tokens::create(&state.db, &user.id, &name).await?)
}

/// Revokes one of the signed-in user's API tokens.
#[server(prefix = "/api/fn", endpoint = "revoke_api_token")]
pub async fn revoke_api_token(id: String) -> Result<(), AppError> {
    let state = crate::server::app_state().map_err(AppError::internal)?;
    let user = super::guard::require_user().await?;
    if super::tokens::revoke(&state.db, &user.id, &id).await? {
        Ok(())
    } else {
        Err(AppError::NotFound.with_status())
    }
}

/// Whether Kakao sign-in is configured (the button shows only then), and whether the
/// signed-in user has Kakao linked.
#[server(prefix = "/api/fn", endpoint = "kakao_status")]
pub async fn kakao_status() -> Result<super::model::KakaoStatus, AppError> {
    let state = crate::server::app_state().map_err(AppError::internal)?;
    let auth = super::guard::auth_session().await?;
    let linked = match &auth.user {
        Some(user) => {
            let id = user.id.clone();
            let kakao_id: Option<String> = crate::db_run!(state.db.reader(), |pool| {
                sqlx::query_scalar("SELECT kakao_id FROM users WHERE id = $1")
                    .bind(&id)
                    .fetch_one(pool)
                    .await
            })?;
            kakao_id.is_some()
        }
        None => false,
    };
    Ok(super::model::KakaoStatus {
        enabled: state.config.kakao().is_some(),
        linked,
    })
}

/// Unlinks Kakao from the signed-in account (only when it also has a password).
#[server(prefix = "/api/fn", endpoint = "unlink_kakao")]
pub async fn unlink_kakao() -> Result<(), AppError> {
    let state = crate::server::app_state().map_err(AppError::internal)?;
    let user = super::guard::require_user().await?;
    if super::kakao::unlink(&state, &user).await? {
        Ok(())
    } else {
        Err(AppError::field("kakao", "kakao_only_sign_in").with_status())
    }
}

/// Signs out: the session is deleted from the store, not just emptied.
#[server(prefix = "/api/fn", endpoint = "logout")]
pub async fn logout() -> Result<(), AppError> {
    let mut auth = super::guard::auth_session().await?;
    let user = auth.logout().await.map_err(AppError::internal)?;
    if let (Some(user), Ok(state)) = (user, crate::server::app_state()) {
        crate::helpdesk::presence::signed_out(&state, &user.id).await;
    }
    leptos_axum::redirect("/");
    Ok(())
}

/// Signs `user` in on a fresh session id, with this request's client details.
#[cfg(feature = "ssr")]
async fn start_session(
    auth: &mut super::service::AuthSession,
    user: &super::service::User,
) -> Result<(), AppError> {
    let client = use_context::<http::request::Parts>()
        .map(|parts| super::store::ClientInfo::from_parts(&parts.headers, &parts.extensions))
        .unwrap_or_default();
    super::service::start_session(auth, user, client).await
}
