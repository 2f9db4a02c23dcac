//! Kakao sign-in (S3.1) with the oauth2 crate: authorization code flow with `state` and
//! PKCE (S256), both kept in the browser's session. Users are keyed by their Kakao id,
//! not email (Kakao may give none). A new Kakao user is registered as a student (when the
//! sign-up policy allows), an existing one signed in; a signed-in user can link Kakao to
//! their account.

use axum::extract::{ConnectInfo, Query, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::Utc;
use oauth2::basic::BasicClient;
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Serialize};

use super::service::{AuthSession, User};
use super::store::ClientInfo;
use crate::db_run;
use crate::server::AppState;

/// Where the pending sign-in (state, PKCE verifier, purpose) waits in the session.
const PENDING_KEY: &str = "lectern.kakao";

/// Kakao's endpoints and this server's client registration.
#[derive(Clone, Debug)]
pub struct KakaoSettings {
    pub client_id: String,
    pub client_secret: Option<String>,
    pub auth_url: String,
    pub token_url: String,
    pub userinfo_url: String,
}

type KakaoClient =
    BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

fn oauth_client(settings: &KakaoSettings, public_url: &str) -> Result<KakaoClient, String> {
    let mut client = BasicClient::new(ClientId::new(settings.client_id.clone()))
        .set_auth_uri(AuthUrl::new(settings.auth_url.clone()).map_err(|e| e.to_string())?)
        .set_token_uri(TokenUrl::new(settings.token_url.clone()).map_err(|e| e.to_string())?)
        .set_redirect_uri(
            RedirectUrl::new(format!("{public_url}/auth/kakao/callback"))
                .map_err(|e| e.to_string())?,
        )
        // Kakao reads the client credentials from the form body, not a Basic header.
        .set_auth_type(AuthType::RequestBody);
    if let Some(secret) = &settings.client_secret {
        client = client.set_client_secret(ClientSecret::new(secret.clone()));
    }
    Ok(client)
}

#[derive(Serialize, Deserialize)]
struct Pending {
    state: String,
    verifier: String,
    link: bool,
}

/// Where a failed attempt sends the browser, with a code the sign-in page explains.
fn back_to_login(code: &str) -> Response {
    Redirect::to(&format!("/login?kakao={code}")).into_response()
}

/// `GET /auth/kakao`: start signing in with Kakao.
pub async fn start_login(State(state): State<AppState>, auth: AuthSession) -> Response {
    start(&state, auth, false).await
}

/// `POST /auth/kakao/link`: start linking Kakao to the signed-in account.
pub async fn start_link(State(state): State<AppState>, auth: AuthSession) -> Response {
    if auth.user.is_none() {
        return Redirect::to("/login?next=/profile").into_response();
    }
    start(&state, auth, true).await
}

async fn start(state: &AppState, auth: AuthSession, link: bool) -> Response {
    let Some(settings) = state.config.kakao() else {
        return back_to_login("not_configured");
    };
    let client = match oauth_client(&settings, &state.config.public_url()) {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(%error, "Kakao settings are invalid");
            return back_to_login("failed");
        }
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf) = client
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge)
        .url();
    let pending = Pending {
        state: csrf.secret().clone(),
        verifier: verifier.secret().clone(),
        link,
    };
    if let Err(error) = auth.session.insert(PENDING_KEY, pending).await {
        tracing::error!(%error, "could not store the Kakao sign-in state");
        return back_to_login("failed");
    }
    Redirect::to(url.as_str()).into_response()
}

/// The query Kakao redirects back with.
#[derive(Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// Kakao's answer about the user (`/v2/user/me`).
#[derive(Deserialize)]
struct KakaoUser {
    id: i64,
    #[serde(default)]
    kakao_account: Option<KakaoAccount>,
    #[serde(default)]
    properties: Option<KakaoProperties>,
}

#[derive(Deserialize, Default)]
struct KakaoAccount {
    email: Option<String>,
    profile: Option<KakaoProperties>,
}

#[derive(Deserialize, Default)]
struct KakaoProperties {
    nickname: Option<String>,
}

/// `GET /auth/kakao/callback`: finish signing in (or linking).
pub async fn callback(
    State(state): State<AppState>,
    mut auth: AuthSession,
    ConnectInfo(peer): ConnectInfo<std::net::SocketAddr>,
    headers: HeaderMap,
    Query(query): Query<Callback>,
) -> Response {
    // The pending state is used up by the first callback, so a replayed one fails.
    let pending: Option<Pending> = auth.session.remove(PENDING_KEY).await.ok().flatten();
    let Some(pending) = pending else {
        return back_to_login("state_mismatch");
    };
    if query.state.as_deref() != Some(pending.state.as_str()) {
        tracing::warn!("Kakao callback with a wrong state");
        return back_to_login("state_mismatch");
    }
    if query.error.is_some() {
        return back_to_login("denied");
    }
    let Some(code) = query.code else {
        return back_to_login("failed");
    };
    let kakao_user = match fetch_user(&state, code, pending.verifier).await {
        Ok(user) => user,
        Err(error) => {
            tracing::warn!(%error, "Kakao sign-in failed");
            return back_to_login("failed");
        }
    };
    let kakao_id = kakao_user.id.to_string();
    let outcome = if pending.link {
        link(&state, &auth, &kakao_id).await
    } else {
        find_or_register(&state, &kakao_id, &kakao_user).await
    };
    let user = match outcome {
        Ok(user) => user,
        Err(code) => return back_to_login(code),
    };
    let mut client = ClientInfo::from_parts(&headers, &http::Extensions::new());
    client.ip = Some(peer.ip().to_string());
    if super::service::start_session(&mut auth, &user, client)
        .await
        .is_err()
    {
        return back_to_login("failed");
    }
    if let Err(error) = super::service::record_login(&state.db, &user.id).await {
        tracing::warn!(%error, "could not record the sign-in time");
    }
    crate::helpdesk::presence::signed_in(&state, &user).await;
    Redirect::to(if pending.link { "/profile" } else { "/" }).into_response()
}

async fn fetch_user(state: &AppState, code: String, verifier: String) -> Result<KakaoUser, String> {
    let settings = state.config.kakao().ok_or("Kakao is not configured")?;
    let client = oauth_client(&settings, &state.config.public_url())?;
    // Never follow redirects from the token endpoint (SSRF).
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(|e| e.to_string())?;
    let token = client
        .exchange_code(AuthorizationCode::new(code))
        .set_pkce_verifier(PkceCodeVerifier::new(verifier))
        .request_async(&http)
        .await
        .map_err(|e| format!("token exchange: {e}"))?;
    let response = http
        .get(&settings.userinfo_url)
        .bearer_auth(token.access_token().secret())
        .send()
        .await
        .map_err(|e| format!("user info: {e}"))?;
    if !response.status().is_success() {
        return Err(format!("user info answered {}", response.status()));
    }
    response
        .json::<KakaoUser>()
        .await
        .map_err(|e| format!("user info: {e}"))
}

/// Links `kakao_id` to the signed-in user, unless another account already has it.
async fn link(state: &AppState, auth: &AuthSession, kakao_id: &str) -> Result<User, &'static str> {
    let Some(user) = auth.user.clone() else {
        return Err("failed");
    };
    if let Some(other) = user_by_kakao_id(state, kakao_id)
        .await
        .map_err(|_| "failed")?
    {
        return if other.id == user.id {
            Ok(user)
        } else {
            Err("linked_elsewhere")
        };
    }
    let now = Utc::now();
    db_run!(state.db.writer(), |pool| {
        sqlx::query(
            "UPDATE users SET kakao_id = $1, updated_at = $2, updated_by = $3 WHERE id = $3",
        )
        .bind(kakao_id)
        .bind(now)
        .bind(&user.id)
        .execute(pool)
        .await
        .map(|_| ())
    })
    .map_err(|_| "failed")?;
    Ok(user)
}

async fn user_by_kakao_id(state: &AppState, kakao_id: &str) -> Result<Option<User>, sqlx::Error> {
    let id: Option<String> = db_run!(state.db.reader(), |pool| {
        sqlx::query_scalar("SELECT id FROM users WHERE kakao_id = $1 AND deleted_at IS NULL")
            .bind(kakao_id)
            .fetch_optional(pool)
            .await
    })?;
    match id {
        Some(id) => super::service::active_user(&state.db, &id).await,
        None => Ok(None),
    }
}

/// The user with this Kakao id, or a new student registered from Kakao's profile.
async fn find_or_register(
    state: &AppState,
    kakao_id: &str,
    kakao: &KakaoUser,
) -> Result<User, &'static str> {
    if let Some(user) = user_by_kakao_id(state, kakao_id)
        .await
        .map_err(|_| "failed")?
    {
        return Ok(user);
    }
    let policy = super::admin::signup_policy(&state.db)
        .await
        .map_err(|_| "failed")?;
    if policy != super::model::SignupPolicy::Open {
        return Err("signup_closed");
    }
    let account = kakao.kakao_account.as_ref();
    let nickname = account
        .and_then(|a| a.profile.as_ref())
        .or(kakao.properties.as_ref())
        .and_then(|p| p.nickname.clone())
        .unwrap_or_else(|| "Kakao".to_owned());
    // An email Kakao vouches for is used when free; otherwise a placeholder that cannot
    // receive mail (the account signs in with Kakao only).
    let given = account
        .and_then(|a| a.email.as_deref())
        .and_then(|e| super::validate::email(e).ok());
    let email = match given {
        Some(email)
            if super::service::user_by_email(&state.db, &email)
                .await
                .map_err(|_| "failed")?
                .is_none() =>
        {
            email
        }
        _ => format!("kakao-{kakao_id}@users.kakao.invalid"),
    };
    let id = uuid::Uuid::now_v7().to_string();
    let stamp = uuid::Uuid::new_v4().simple().to_string();
    let now = Utc::now();
    let first_name: String = nickname.chars().take(50).collect();
    db_run!(state.db.writer(), |pool| {
        sqlx::query(
            "INSERT INTO users (id, email, first_name, last_name, auth_type, kakao_id, role, status, \
             security_stamp, created_at, updated_at) \
             VALUES ($1, $2, $3, '', 'kakao', $4, 'student', 'active', $5, $6, $6)",
        )
        .bind(&id)
        .bind(&email)
        .bind(&first_name)
        .bind(kakao_id)
        .bind(&stamp)
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ())
    })
    .map_err(|_| "failed")?;
    super::service::active_user(&state.db, &id)
        .await
        .map_err(|_| "failed")?
        .ok_or("failed")
}

/// Removes the Kakao link of `user`; refused when Kakao is their only way to sign in.
pub async fn unlink(state: &AppState, user: &User) -> Result<bool, sqlx::Error> {
    if user.password_hash.is_none() {
        return Ok(false);
    }
    let now = Utc::now();
    db_run!(state.db.writer(), |pool| {
        sqlx::query(
            "UPDATE users SET kakao_id = NULL, updated_at = $1, updated_by = $2 WHERE id = $2",
        )
        .bind(now)
        .bind(&user.id)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(true)
}
