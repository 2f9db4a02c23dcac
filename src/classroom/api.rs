//! Server functions of the live classroom's pages. The dashboard and a student's detail
//! are for the class's staff ([`class_staff`]); what is collected about a student is
//! for that student ([`signed_in`], by their own email).

use leptos::prelude::*;

use super::model::{LiveSettings, Overview, Privacy, StudentDetail};
use crate::app_error::AppError;

#[cfg(feature = "ssr")]
use crate::courses::api::checks::{class_staff, signed_in};

/// Longest retention period a class may set, in days (ten years).
pub const MAX_RETENTION_DAYS: i64 = 3_650;

/// The live dashboard of a class, as of the feed's current sequence number.
#[server(prefix = "/api/fn", endpoint = "live_overview")]
pub async fn live_overview(class_id: String) -> Result<Overview, AppError> {
    let (_, state) = class_staff(&class_id).await?;
    let seq = state.live.seq(&class_id);
    super::dashboard::overview(&state.db, &class_id, seq).await
}

/// One student of a class's live classroom, by their id there.
#[server(prefix = "/api/fn", endpoint = "live_student")]
pub async fn live_student(class_id: String, student_id: i64) -> Result<StudentDetail, AppError> {
    use crate::db_run;
    let (_, state) = class_staff(&class_id).await?;
    let email: Option<String> = db_run!(state.db.reader(), |pool| {
        sqlx::query_scalar("SELECT email FROM classroom_students WHERE id = $1 AND class_id = $2")
            .bind(student_id)
            .bind(&class_id)
            .fetch_optional(pool)
            .await
    })?;
    let email = email.ok_or_else(|| AppError::NotFound.with_status())?;
    super::dashboard::student_detail(&state.db, &class_id, &email)
        .await?
        .ok_or_else(|| AppError::NotFound.with_status())
}

/// How to connect a class's notebooks, and its privacy settings.
#[server(prefix = "/api/fn", endpoint = "get_live_settings")]
pub async fn get_live_settings(class_id: String) -> Result<LiveSettings, AppError> {
    use crate::db_run;
    let (_, state) = class_staff(&class_id).await?;
    let privacy = super::dashboard::privacy(&state.db, &class_id)
        .await?
        .ok_or_else(|| AppError::NotFound.with_status())?;
    let ingest_token: String = db_run!(state.db.reader(), |pool| {
        sqlx::query_scalar("SELECT ingest_token FROM classes WHERE id = $1")
            .bind(&class_id)
            .fetch_one(pool)
            .await
    })?;
    Ok(LiveSettings {
        server_url: state.config.public_url(),
        ingest_token,
        privacy,
    })
}

/// Sets whether the class keeps code and output, and for how many days (blank: while
/// the class exists). Turning storing off, or shortening the period, purges at once
/// what is no longer covered.
#[server(prefix = "/api/fn", endpoint = "set_class_privacy")]
pub async fn set_class_privacy(
    class_id: String,
    store_code: Option<String>,
    retention_days: String,
) -> Result<(), AppError> {
    use crate::db_run;
    let (_, state) = class_staff(&class_id).await?;
    let days = match retention_days.trim() {
        "" => None,
        raw => match raw.parse::<i64>() {
            Ok(days) if (1..=MAX_RETENTION_DAYS).contains(&days) => Some(days as i32),
            _ => return Err(AppError::field("retention_days", "invalid_retention").with_status()),
        },
    };
    let store_code = store_code.is_some();
    db_run!(state.db.writer(), |pool| {
        sqlx::query("UPDATE classes SET store_code = $1, retention_days = $2 WHERE id = $3")
            .bind(store_code)
            .bind(days)
            .bind(&class_id)
            .execute(pool)
            .await
            .map(|_| ())
    })?;
    state.ingest_tokens.forget_all();
    if !store_code {
        // "Metadata only" holds for what was kept before, too.
        db_run!(state.db.writer(), |pool| {
            sqlx::query(
                "UPDATE cell_events SET code = NULL, output = NULL, truncated = FALSE \
                 WHERE (code IS NOT NULL OR output IS NOT NULL) \
                 AND student_id IN (SELECT id FROM classroom_students WHERE class_id = $1)",
            )
            .bind(&class_id)
            .execute(pool)
            .await
            .map(|_| ())
        })?;
        db_run!(state.db.writer(), |pool| {
            sqlx::query("UPDATE help_requests SET code = NULL WHERE class_id = $1")
                .bind(&class_id)
                .execute(pool)
                .await
                .map(|_| ())
        })?;
    }
    super::dashboard::purge_expired(&state.db).await?;
    Ok(())
}

/// What the live classroom holds about the signed-in user, per class (S2.14): in the
/// classes they are enrolled in, under their account's email (emails in events are not
/// proven, so enrolment is what ties the notebook's data to the account).
#[server(prefix = "/api/fn", endpoint = "my_collected_data")]
pub async fn my_collected_data() -> Result<Vec<(Privacy, StudentDetail)>, AppError> {
    use crate::db_run;
    let (user, state) = signed_in().await?;
    let classes: Vec<String> = db_run!(state.db.reader(), |pool| {
        sqlx::query_scalar(
            "SELECT s.class_id FROM classroom_students s \
             JOIN enrollments e ON e.class_id = s.class_id AND e.user_id = $2 AND e.status = 'active' \
             WHERE s.email = $1 ORDER BY s.created_at",
        )
        .bind(&user.email)
        .bind(&user.id)
        .fetch_all(pool)
        .await
    })?;
    let mut found = Vec::with_capacity(classes.len());
    for class_id in classes {
        let privacy = super::dashboard::privacy(&state.db, &class_id).await?;
        let detail = super::dashboard::student_detail(&state.db, &class_id, &user.email).await?;
        if let (Some(privacy), Some(detail)) = (privacy, detail) {
            found.push((privacy, detail));
        }
    }
    Ok(found)
}
