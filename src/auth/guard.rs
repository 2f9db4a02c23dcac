//! Who is asking, and may they? Every server function starts with one of these, so a
//! missing check is the unusual code.

use super::model::Role;
use super::service::{AuthSession, User};
use crate::app_error::AppError;

/// The request's auth session.
pub async fn auth_session() -> Result<AuthSession, AppError> {
    leptos_axum::extract::<AuthSession>()
        .await
        .map_err(AppError::internal)
}

/// The signed-in user, or 401.
pub async fn require_user() -> Result<User, AppError> {
    auth_session()
        .await?
        .user
        .ok_or_else(|| AppError::Unauthorized.with_status())
}

/// The signed-in user if their role is `min` or above; 401 when signed out, 403 when
/// the role is too low.
pub async fn require_role(min: Role) -> Result<User, AppError> {
    let user = require_user().await?;
    if user.role() >= min {
        Ok(user)
    } else {
        Err(AppError::Forbidden.with_status())
    }
}

/// The signed-in user if they hold `permission` (see [`User::has_permission`]); 401 when
/// signed out, 403 without it.
pub async fn require_permission(permission: &str) -> Result<User, AppError> {
    let user = require_user().await?;
    if user.has_permission(permission) {
        Ok(user)
    } else {
        Err(AppError::Forbidden.with_status())
    }
}

/// The address the request came from (the TCP peer), for per-address limits.
pub fn client_ip() -> String {
    leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| {
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|info| info.0.ip().to_string())
        })
        .unwrap_or_else(|| "unknown".to_owned())
}

/// A local path to go to after signing in: `next` when it is one, else `/`. Anything
/// that could leave the site (`//host`, `/\host`, `https://…`) is replaced by `/`.
pub fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(path)
            if path.starts_with('/')
                && !path.starts_with("//")
                && !path.starts_with("/\\")
                && !path.chars().any(|c| c.is_control()) =>
        {
            path.to_owned()
        }
        _ => "/".to_owned(),
    }
}

/// The caller of a JSON API route: a personal API token (`Authorization: Bearer`) or,
/// failing that, the browser session. `None` when neither identifies an active user.
pub struct ApiCaller(pub Option<User>);

impl axum::extract::FromRequestParts<crate::server::AppState> for ApiCaller {
    type Rejection = crate::error::ApiError;

    async fn from_request_parts(
        parts: &mut http::request::Parts,
        state: &crate::server::AppState,
    ) -> Result<Self, Self::Rejection> {
        let bearer = parts
            .headers
            .get(http::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        if let Some(token) = bearer {
            let user = super::tokens::authenticate(&state.db, token)
                .await
                .map_err(crate::error::ApiError::internal)?;
            if user.is_none() {
                return Err(crate::error::ApiError::new(
                    http::StatusCode::UNAUTHORIZED,
                    "invalid_token",
                    "The API token is unknown or revoked",
                ));
            }
            return Ok(ApiCaller(user));
        }
        let session = parts.extensions.get::<super::service::AuthSession>();
        Ok(ApiCaller(session.and_then(|auth| auth.user.clone())))
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(
            safe_next(Some("/profile?tab=sessions")),
            "/profile?tab=sessions"
        );
        for unsafe_next in [
            "//evil.example",
            "/\\evil.example",
            "https://evil.example",
            "profile",
            "/\n",
        ] {
            assert_eq!(safe_next(Some(unsafe_next)), "/", "{unsafe_next:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}
