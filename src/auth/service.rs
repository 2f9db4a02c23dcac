//! Accounts in the database, and axum-login's view of them.

use axum_login::{AuthUser, AuthnBackend, UserId};
use chrono::Utc;

use super::model::{CurrentUser, Role};
use super::password::{self, HashError};
use super::validate::NewAccount;
use crate::db::Db;
use crate::db_run;

/// A user row, as the server uses it.
#[derive(Clone, sqlx::FromRow)]
pub struct User {
    pub id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub password_hash: Option<String>,
    pub role: String,
    pub status: String,
    pub security_stamp: String,
    /// JSON list of extra permission names.
    pub authorizations: String,
}

// Written by hand so that password hashes and stamps never reach a log.
impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("User")
            .field("id", &self.id)
            .field("role", &self.role)
            .field("status", &self.status)
            .finish_non_exhaustive()
    }
}

impl User {
    /// The user's role (an unknown stored value counts as the least privileged).
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Student)
    }

    /// Whether the user holds `permission`: administrators hold every permission, others
    /// those granted in their `authorizations`.
    pub fn has_permission(&self, permission: &str) -> bool {
        self.role() >= Role::Admin
            || serde_json::from_str::<Vec<String>>(&self.authorizations)
                .is_ok_and(|granted| granted.iter().any(|p| p == permission))
    }

    /// What pages see of this user.
    pub fn current(&self) -> CurrentUser {
        CurrentUser {
            id: self.id.clone(),
            email: self.email.clone(),
            first_name: self.first_name.clone(),
            last_name: self.last_name.clone(),
            role: self.role(),
        }
    }
}

impl AuthUser for User {
    type Id = String;

    fn id(&self) -> String {
        self.id.clone()
    }

    fn session_auth_hash(&self) -> &[u8] {
        self.security_stamp.as_bytes()
    }
}

const USER_COLUMNS: &str =
    "id, email, first_name, last_name, password_hash, role, status, security_stamp, authorizations";

/// An active, not deleted user by id.
pub async fn active_user(db: &Db, id: &str) -> Result<Option<User>, sqlx::Error> {
    let sql = format!(
        "SELECT {USER_COLUMNS} FROM users WHERE id = $1 AND status = 'active' AND deleted_at IS NULL"
    );
    db_run!(db.reader(), |pool| {
        sqlx::query_as::<_, User>(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await
    })
}

/// A not deleted user by (normalised) email, whatever their status.
pub async fn user_by_email(db: &Db, email: &str) -> Result<Option<User>, sqlx::Error> {
    let sql = format!("SELECT {USER_COLUMNS} FROM users WHERE email = $1 AND deleted_at IS NULL");
    db_run!(db.reader(), |pool| {
        sqlx::query_as::<_, User>(&sql)
            .bind(email)
            .fetch_optional(pool)
            .await
    })
}

/// Whether any active administrator exists (first-run set-up is open until one does).
pub async fn admin_exists(db: &Db) -> Result<bool, sqlx::Error> {
    let count: i64 = db_run!(db.reader(), |pool| {
        sqlx::query_scalar(
            "SELECT COUNT(*) FROM users WHERE role IN ('admin', 'super_admin') \
             AND status = 'active' AND deleted_at IS NULL",
        )
        .fetch_one(pool)
        .await
    })?;
    Ok(count > 0)
}

/// Why an account could not be created.
#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("an account with this email already exists")]
    EmailTaken,
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error(transparent)]
    Db(sqlx::Error),
}

/// Creates an active account; `password` is `None` for an account whose owner sets it
/// through an emailed link. `created_by` is the admin who made it.
pub async fn create_user(
    db: &Db,
    account: &NewAccount,
    password: Option<String>,
    role: Role,
    created_by: Option<&str>,
) -> Result<User, CreateError> {
    let hash = match password {
        Some(password) => Some(password::hash_password(password).await?),
        None => None,
    };
    let id = uuid::Uuid::now_v7().to_string();
    let stamp = uuid::Uuid::new_v4().simple().to_string();
    let now = Utc::now();
    let inserted = db_run!(db.writer(), |pool| {
        sqlx::query(
            "INSERT INTO users (id, email, first_name, last_name, password_hash, auth_type, role, \
             status, grade_level, security_stamp, created_at, created_by, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5, 'manual', $6, 'active', $7, $8, $9, $10, $9, $10)",
        )
        .bind(&id)
        .bind(&account.email)
        .bind(&account.first_name)
        .bind(&account.last_name)
        .bind(&hash)
        .bind(role.as_str())
        .bind(account.grade_level)
        .bind(&stamp)
        .bind(now)
        .bind(created_by)
        .execute(pool)
        .await
        .map(|_| ())
    });
    match inserted {
        Ok(_) => Ok(User {
            id,
            email: account.email.clone(),
            first_name: account.first_name.clone(),
            last_name: account.last_name.clone(),
            password_hash: hash,
            role: role.as_str().to_owned(),
            status: "active".to_owned(),
            security_stamp: stamp,
            authorizations: "[]".to_owned(),
        }),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(CreateError::EmailTaken),
        Err(e) => Err(CreateError::Db(e)),
    }
}

/// Records a successful sign-in.
pub async fn record_login(db: &Db, user_id: &str) -> Result<(), sqlx::Error> {
    let now = Utc::now();
    db_run!(db.writer(), |pool| {
        sqlx::query("UPDATE users SET last_login_at = $1 WHERE id = $2")
            .bind(now)
            .bind(user_id)
            .execute(pool)
            .await
            .map(|_| ())
    })
}

/// Email and password, as typed.
#[derive(Clone)]
pub struct Credentials {
    pub email: String,
    pub password: String,
}

/// axum-login's backend over the users table.
#[derive(Clone, Debug)]
pub struct Backend {
    pub db: Db,
}

/// Why checking credentials failed (not "they were wrong": that is `Ok(None)`).
#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Hash(#[from] HashError),
}

impl AuthnBackend for Backend {
    type User = User;
    type Credentials = Credentials;
    type Error = BackendError;

    /// The active user whose password matches. Unknown emails and accounts without a
    /// password are checked against a dummy hash, so every failure takes the same time.
    async fn authenticate(&self, credentials: Credentials) -> Result<Option<User>, BackendError> {
        let email = credentials.email.trim().to_lowercase();
        let user = user_by_email(&self.db, &email).await?;
        let stored = user.as_ref().and_then(|u| u.password_hash.clone());
        let matches = password::verify_password(credentials.password, stored).await?;
        Ok(user.filter(|u| matches && u.status == "active"))
    }

    async fn get_user(&self, id: &UserId<Self>) -> Result<Option<User>, BackendError> {
        Ok(active_user(&self.db, id).await?)
    }
}

/// The session type of every request.
pub type AuthSession = axum_login::AuthSession<Backend>;

/// Signs `user` in on a fresh session id (also when already signed in: no fixation),
/// remembering the client's address and user agent for the sessions list.
pub async fn start_session(
    auth: &mut AuthSession,
    user: &User,
    client: super::store::ClientInfo,
) -> Result<(), crate::app_error::AppError> {
    use crate::app_error::AppError;
    auth.session.cycle_id().await.map_err(AppError::internal)?;
    auth.login(user).await.map_err(AppError::internal)?;
    auth.session
        .insert(super::store::CLIENT_KEY, client)
        .await
        .map_err(AppError::internal)
}

/// How long a session may sit unused before it ends.
pub const IDLE_TIMEOUT: time::Duration = time::Duration::hours(12);

/// The cookie-session and sign-in layers. Cookies are signed with a key derived from the
/// server's secret, `HttpOnly` and `SameSite=Lax`; when the public URL is https they are
/// also `Secure` and `__Host-` prefixed.
pub fn auth_layer(
    db: &Db,
    public_url: &str,
    secret: &crate::config::Secret,
) -> axum_login::AuthManagerLayer<
    Backend,
    super::store::DbSessionStore,
    tower_sessions::service::SignedCookie,
> {
    use tower_sessions::cookie::SameSite;
    use tower_sessions::{Expiry, SessionManagerLayer};

    let secure = public_url.starts_with("https://");
    let sessions = SessionManagerLayer::new(super::store::DbSessionStore::new(db.clone()))
        .with_name(if secure {
            "__Host-lectern_session"
        } else {
            "lectern_session"
        })
        .with_secure(secure)
        .with_http_only(true)
        .with_same_site(SameSite::Lax)
        .with_path("/")
        .with_expiry(Expiry::OnInactivity(IDLE_TIMEOUT))
        .with_signed(cookie::Key::derive_from(secret.expose().as_bytes()));
    axum_login::AuthManagerLayerBuilder::new(Backend { db: db.clone() }, sessions).build()
}

/// `GET /api/v1/auth/status`: who the caller is (seed 002's shape), by API token or
/// session.
pub async fn auth_status(
    super::guard::ApiCaller(user): super::guard::ApiCaller,
    auth: AuthSession,
) -> axum::Json<serde_json::Value> {
    let body = match &user {
        Some(user) => {
            // A token does not expire; a session does.
            let expires_at = auth.user.is_some().then(|| {
                chrono::DateTime::from_timestamp(auth.session.expiry_date().unix_timestamp(), 0)
                    .map(|at| at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            });
            serde_json::json!({
                "authenticated": true,
                "user": { "id": user.id, "email": user.email, "role": user.role },
                "expires_at": expires_at.flatten(),
            })
        }
        None => serde_json::json!({ "authenticated": false, "user": null, "expires_at": null }),
    };
    axum::Json(body)
}
