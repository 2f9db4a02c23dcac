//! Administering users (S1.5, S3.2, S3.8, S3.11): search, view, change role, status and
//! permissions, deactivate, create accounts, and the sign-up policy.

use chrono::Utc;

use super::model::{AccountStatus, Role, SignupPolicy, UserDetail, UserListing, UserQuery};
use super::service::User;
use crate::app_error::AppError;
use crate::db::Db;
use crate::db_run;

/// Rows per page of the users list.
pub const PAGE_SIZE: i64 = 25;

const DETAIL_COLUMNS: &str = "id, email, first_name, last_name, role, status, auth_type, \
     grade_level, authorizations, last_login_at, created_at, created_by, updated_at, updated_by, deleted_at";

/// One page of users matching `query`, and how many match in all.
pub async fn search(db: &Db, query: &UserQuery) -> Result<UserListing, sqlx::Error> {
    let pattern = format!("%{}%", query.search.trim().to_lowercase());
    let role = query.role.clone().unwrap_or_default();
    let status = query.status.clone().unwrap_or_default();
    let auth_type = query.auth_type.clone().unwrap_or_default();
    // Empty filters match everything; soft-deleted users only show when asked for.
    let filter = "(LOWER(email) LIKE $1 OR LOWER(first_name) LIKE $1 OR LOWER(last_name) LIKE $1 \
         OR LOWER(first_name || ' ' || last_name) LIKE $1) \
         AND ($2 = '' OR role = $2) AND ($3 = '' OR auth_type = $3) \
         AND (($4 = 'deleted' AND deleted_at IS NOT NULL) OR ($4 <> 'deleted' AND deleted_at IS NULL AND ($4 = '' OR status = $4)))";
    let page = query.page.clamp(1, crate::db::MAX_PAGE);
    let count_sql = format!("SELECT COUNT(*) FROM users WHERE {filter}");
    let list_sql = format!(
        "SELECT {DETAIL_COLUMNS} FROM users WHERE {filter} ORDER BY created_at DESC, id LIMIT $5 OFFSET $6"
    );
    let total: i64 = db_run!(db.reader(), |pool| {
        sqlx::query_scalar(&count_sql)
            .bind(&pattern)
            .bind(&role)
            .bind(&auth_type)
            .bind(&status)
            .fetch_one(pool)
            .await
    })?;
    let users: Vec<UserDetail> = db_run!(db.reader(), |pool| {
        sqlx::query_as(&list_sql)
            .bind(&pattern)
            .bind(&role)
            .bind(&auth_type)
            .bind(&status)
            .bind(PAGE_SIZE)
            .bind((page - 1) * PAGE_SIZE)
            .fetch_all(pool)
            .await
    })?;
    Ok(UserListing {
        users,
        total,
        page,
        page_size: PAGE_SIZE,
    })
}

/// One user, deleted or not.
pub async fn detail(db: &Db, id: &str) -> Result<Option<UserDetail>, sqlx::Error> {
    let sql = format!("SELECT {DETAIL_COLUMNS} FROM users WHERE id = $1");
    db_run!(db.reader(), |pool| {
        sqlx::query_as::<_, UserDetail>(&sql)
            .bind(id)
            .fetch_optional(pool)
            .await
    })
}

/// Whether `admin` may change `target` into `new_role`: only super admins touch admins
/// or grant admin rights, and nobody changes their own account here.
fn may_manage(admin: &User, target: &UserDetail, new_role: Role) -> Result<(), AppError> {
    if admin.id == target.id {
        return Err(AppError::field("role", "cannot_change_self").with_status());
    }
    let grants_admin = new_role >= Role::Admin || target.role() >= Role::Admin;
    if grants_admin && admin.role() < Role::SuperAdmin {
        return Err(AppError::Forbidden.with_status());
    }
    Ok(())
}

/// Changes a user's role, status and permissions. A status other than active, or any
/// change of role, ends the user's sessions at once.
pub async fn update(
    db: &Db,
    admin: &User,
    id: &str,
    role: Role,
    status: AccountStatus,
    authorizations: Vec<String>,
) -> Result<(), AppError> {
    let target = detail(db, id)
        .await?
        .ok_or_else(|| AppError::NotFound.with_status())?;
    may_manage(admin, &target, role)?;
    let now = Utc::now();
    let ends_sessions = status != AccountStatus::Active || role != target.role();
    let stamp = uuid::Uuid::new_v4().simple().to_string();
    let authorizations = serde_json::to_string(&authorizations).map_err(AppError::internal)?;
    db_run!(db.writer(), |pool| {
        sqlx::query(
            "UPDATE users SET role = $1, status = $2, authorizations = $3, updated_at = $4, updated_by = $5, \
             security_stamp = CASE WHEN $6 THEN $7 ELSE security_stamp END WHERE id = $8",
        )
        .bind(role.as_str())
        .bind(status.as_str())
        .bind(&authorizations)
        .bind(now)
        .bind(&admin.id)
        .bind(ends_sessions)
        .bind(&stamp)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    if ends_sessions {
        super::sessions::revoke_others(db, id, None).await?;
    }
    Ok(())
}

/// Soft-deletes a user: they can no longer sign in and their sessions end; their records
/// stay for history.
pub async fn deactivate(db: &Db, admin: &User, id: &str) -> Result<(), AppError> {
    let target = detail(db, id)
        .await?
        .ok_or_else(|| AppError::NotFound.with_status())?;
    may_manage(admin, &target, target.role())?;
    let now = Utc::now();
    db_run!(db.writer(), |pool| {
        sqlx::query(
            "UPDATE users SET deleted_at = $1, status = 'archived', updated_at = $1, updated_by = $2 \
             WHERE id = $3 AND deleted_at IS NULL",
        )
        .bind(now)
        .bind(&admin.id)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    super::sessions::revoke_others(db, id, None).await?;
    Ok(())
}

const SIGNUP_POLICY: &str = "signup_policy";

/// Who may create their own account; open to students until an admin says otherwise.
pub async fn signup_policy(db: &Db) -> Result<SignupPolicy, sqlx::Error> {
    let value: Option<String> = db_run!(db.reader(), |pool| {
        sqlx::query_scalar("SELECT value FROM site_settings WHERE name = $1")
            .bind(SIGNUP_POLICY)
            .fetch_optional(pool)
            .await
    })?;
    Ok(value
        .and_then(|v| SignupPolicy::parse(&v))
        .unwrap_or(SignupPolicy::Open))
}

/// Stores the sign-up policy.
pub async fn set_signup_policy(
    db: &Db,
    admin: &User,
    policy: SignupPolicy,
) -> Result<(), sqlx::Error> {
    let now = Utc::now();
    db_run!(db.writer(), |pool| {
        sqlx::query(
            "INSERT INTO site_settings (name, value, updated_at, updated_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) DO UPDATE SET value = $2, updated_at = $3, updated_by = $4",
        )
        .bind(SIGNUP_POLICY)
        .bind(policy.as_str())
        .bind(now)
        .bind(&admin.id)
        .execute(pool)
        .await
        .map(|_| ())
    })
}
