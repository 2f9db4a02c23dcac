//! Server functions for administering users; every one requires an administrator.

use leptos::prelude::*;

use super::model::{SignupPolicy, UserDetail, UserListing, UserQuery};
use crate::app_error::AppError;

/// One page of users matching the search and filters.
#[server(prefix = "/api/fn", endpoint = "list_users")]
pub async fn list_users(query: UserQuery) -> Result<UserListing, AppError> {
    use super::model::Role;
    super::guard::require_role(Role::Admin).await?;
    let state = crate::server::app_state().map_err(AppError::internal)?;
    Ok(super::admin::search(&state.db, &query).await?)
}

/// One user with audit columns.
#[server(prefix = "/api/fn", endpoint = "user_detail")]
pub async fn get_user_detail(id: String) -> Result<UserDetail, AppError> {
    use super::model::Role;
    super::guard::require_role(Role::Admin).await?;
    let state = crate::server::app_state().map_err(AppError::internal)?;
    super::admin::detail(&state.db, &id)
        .await?
        .ok_or_else(|| AppError::NotFound.with_status())
}

/// Changes a user's role, status and extra permissions (one per line or comma).
#[server(prefix = "/api/fn", endpoint = "update_user")]
pub async fn update_user(
    id: String,
    role: String,
    status: String,
    authorizations: String,
) -> Result<(), AppError> {
    use super::model::{AccountStatus, Role};
    let admin = super::guard::require_role(Role::Admin).await?;
    let state = crate::server::app_state().map_err(AppError::internal)?;
    let role = Role::parse(&role)
        .ok_or_else(|| AppError::field("role", "invalid_choice").with_status())?;
    let status = AccountStatus::parse(&status)
        .ok_or_else(|| AppError::field("status", "invalid_choice").with_status())?;
    let permissions = parse_permissions(&authorizations)
        .map_err(|code| AppError::field("authorizations", code).with_status())?;
    super::admin::update(&state.db, &admin, &id, role, status, permissions).await
}

/// Deactivates (soft-deletes) a user.
#[server(prefix = "/api/fn", endpoint = "deactivate_user")]
pub async fn deactivate_user(id: String) -> Result<(), AppError> {
    use super::model::Role;
    let admin = super::guard::require_role(Role::Admin).await?;
    let state = crate::server::app_state().map_err(AppError::internal)?;
    super::admin::deactivate(&state.db, &admin, &id).await?;
    leptos_axum::redirect("/admin/users");
    Ok(())
}

/// Creates an account (an instructor, usually) and emails its owner a link to choose a
/// password, valid for seven days.
#[server(prefix = "/api/fn", endpoint = "create_account")]
pub async fn create_account(
    email: String,
    first_name: String,
    last_name: String,
    role: String,
) -> Result<(), AppError> {
    use super::model::Role;
    use super::service::{CreateError, create_user};
    let admin = super::guard::require_role(Role::Admin).await?;
    let state = crate::server::app_state().map_err(AppError::internal)?;
    let role = Role::parse(&role)
        .ok_or_else(|| AppError::field("role", "invalid_choice").with_status())?;
    if role >= Role::Admin && admin.role() < Role::SuperAdmin {
        return Err(AppError::Forbidden.with_status());
    }
    // No password yet and no grade: the owner sets the password; a student's grade is
    // asked when a class needs it.
    let account =
        super::validate::new_account(&email, "Placeholder1", &first_name, &last_name, None, false)
            .map_err(|problems| AppError::Invalid(problems).with_status())?;
    let user = match create_user(&state.db, &account, None, role, Some(&admin.id)).await {
        Ok(user) => user,
        Err(CreateError::EmailTaken) => return Err(AppError::field("email", "taken").with_status()),
        Err(error) => return Err(AppError::internal(error)),
    };
    let token = super::reset::create(&state.db, &user.id, super::reset::INVITE_LIFETIME).await?;
    let t = crate::i18n::Locale::default().messages();
    let link = format!("{}/reset-password?token={token}", state.config.public_url());
    let body = crate::i18n::fill(
        t.invite_mail_body,
        &[("name", &user.first_name), ("link", &link)],
    );
    crate::notify::mail::send(&state, &user.email, t.invite_mail_subject, &body).await?;
    Ok(())
}

/// The sign-up policy (public: the registration page shows it).
#[server(prefix = "/api/fn", endpoint = "signup_policy")]
pub async fn get_signup_policy() -> Result<SignupPolicy, AppError> {
    let state = crate::server::app_state().map_err(AppError::internal)?;
    Ok(super::admin::signup_policy(&state.db).await?)
}

/// Changes the sign-up policy.
#[server(prefix = "/api/fn", endpoint = "set_signup_policy")]
pub async fn set_signup_policy(policy: String) -> Result<(), AppError> {
    use super::model::Role;
    let admin = super::guard::require_role(Role::Admin).await?;
    let state = crate::server::app_state().map_err(AppError::internal)?;
    let policy = SignupPolicy::parse(&policy)
        .ok_or_else(|| AppError::field("policy", "invalid_choice").with_status())?;
    Ok(super::admin::set_signup_policy(&state.db, &admin, policy).await?)
}

/// Permission names from a textarea: one per line or comma-separated, each made of
/// lower-case letters, digits, `_`, `.` or `:`.
pub fn parse_permissions(text: &str) -> Result<Vec<String>, &'static str> {
    let mut permissions: Vec<String> = text
        .split([',', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect();
    let valid = |p: &String| {
        p.len() <= 64
            && p.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.:".contains(c))
    };
    if !permissions.iter().all(valid) {
        return Err("invalid_permission");
    }
    permissions.sort();
    permissions.dedup();
    Ok(permissions)
}

#[cfg(test)]
mod tests {
    use super::parse_permissions;

    #[test]
    fn permissions_are_trimmed_deduplicated_and_checked() {
        assert_eq!(
            parse_permissions("reports.view, courses:edit\nreports.view\n"),
            Ok(vec!["courses:edit".to_owned(), "reports.view".to_owned()])
        );
        assert_eq!(parse_permissions(""), Ok(vec![]));
        assert_eq!(parse_permissions("Drop Table"), Err("invalid_permission"));
    }
}
