//! Students and teachers (S1.6, S1.7): the interest catalogue and a student's choices,
//! a student's progress, the teacher dashboard, and instructors' requests for student
//! accounts that an administrator approves.

use chrono::{Duration, Utc};
use chrono_tz::Tz;

use super::lectures::ClassRecord;
use super::model::{
    AccountRequest, ClassProgress, Interest, InterestChoice, Person, Progress, TeacherDashboard,
};
use super::validate::RequestedAccount;
use crate::app_error::AppError;
use crate::auth::model::Role;
use crate::auth::service::User;
use crate::db::Db;
use crate::db_run;

/// Fewest and most interests a student chooses.
pub const INTERESTS: std::ops::RangeInclusive<usize> = 1..=5;

/// The catalogue; `all` includes retired interests (for administrators).
pub async fn interests(db: &Db, all: bool) -> Result<Vec<Interest>, AppError> {
    Ok(db_run!(db.reader(), |pool| {
        sqlx::query_as("SELECT id, name, active FROM interests WHERE $1 OR active ORDER BY name")
            .bind(all)
            .fetch_all(pool)
            .await
    })?)
}

/// Adds an interest to the catalogue; 409-style field error when the name exists.
pub async fn add_interest(db: &Db, admin: &User, name: &str) -> Result<(), AppError> {
    let name = super::validate::text(name, 60, true, false)
        .map_err(|code| AppError::field("name", code).with_status())?;
    let now = Utc::now();
    let id = uuid::Uuid::now_v7().to_string();
    let inserted = db_run!(db.writer(), |pool| {
        sqlx::query(
            "INSERT INTO interests (id, name, active, created_at, created_by, updated_at, updated_by) \
             VALUES ($1, $2, TRUE, $3, $4, $3, $4)",
        )
        .bind(&id)
        .bind(&name)
        .bind(now)
        .bind(&admin.id)
        .execute(pool)
        .await
        .map(|_| ())
    });
    match inserted {
        Ok(_) => Ok(()),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            Err(AppError::field("name", "taken").with_status())
        }
        Err(e) => Err(e.into()),
    }
}

/// Retires or restores an interest; students who chose it keep it.
pub async fn set_interest_active(
    db: &Db,
    admin: &User,
    id: &str,
    active: bool,
) -> Result<(), AppError> {
    let now = Utc::now();
    let changed = db_run!(db.writer(), |pool| {
        sqlx::query(
            "UPDATE interests SET active = $1, updated_at = $2, updated_by = $3 WHERE id = $4",
        )
        .bind(active)
        .bind(now)
        .bind(&admin.id)
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    if changed == 0 {
        return Err(AppError::NotFound.with_status());
    }
    Ok(())
}

/// The active catalogue with `user`'s choices marked.
pub async fn interest_choices(db: &Db, user_id: &str) -> Result<Vec<InterestChoice>, AppError> {
    let chosen: Vec<String> = db_run!(db.reader(), |pool| {
        sqlx::query_scalar("SELECT interest_id FROM user_interests WHERE user_id = $1")
            .bind(user_id)
            .fetch_all(pool)
            .await
    })?;
    Ok(interests(db, false)
        .await?
        .into_iter()
        .map(|interest| InterestChoice {
            chosen: chosen.contains(&interest.id),
            interest,
        })
        .collect())
}

/// Replaces a student's interests: 1 to 5 distinct, active interests.
pub async fn set_interests(db: &Db, user: &User, ids: &[String]) -> Result<(), AppError> {
    let mut unique = ids.to_vec();
    unique.sort();
    unique.dedup();
    if unique.len() != ids.len() {
        return Err(AppError::field("interests", "duplicate_interest").with_status());
    }
    if !INTERESTS.contains(&unique.len()) {
        return Err(AppError::field("interests", "choose_one_to_five").with_status());
    }
    let active: Vec<String> = interests(db, false)
        .await?
        .into_iter()
        .map(|i| i.id)
        .collect();
    if !unique.iter().all(|id| active.contains(id)) {
        return Err(AppError::field("interests", "invalid_choice").with_status());
    }
    let now = Utc::now();
    db_run!(db.writer(), |pool| {
        let mut tx = pool.begin().await?;
        sqlx::query("DELETE FROM user_interests WHERE user_id = $1")
            .bind(&user.id)
            .execute(&mut *tx)
            .await?;
        for id in &unique {
            sqlx::query(
                "INSERT INTO user_interests (user_id, interest_id, created_at) VALUES ($1, $2, $3)",
            )
            .bind(&user.id)
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    })?;
    Ok(())
}

async fn person(db: &Db, id: &str) -> Result<Person, AppError> {
    let person: Option<Person> = db_run!(db.reader(), |pool| {
        sqlx::query_as("SELECT id, email, first_name, last_name FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(pool)
            .await
    })?;
    person.ok_or_else(|| AppError::NotFound.with_status())
}

/// A student's attendance in each of their classes, and their certificates.
/// `only` limits the classes to those a teacher may see.
pub async fn progress(
    db: &Db,
    tz: Tz,
    student_id: &str,
    only: Option<&[String]>,
) -> Result<Progress, AppError> {
    let student = person(db, student_id).await?;
    let classes = super::classes::attending(db, student_id)
        .await?
        .into_iter()
        .filter(|c| only.is_none_or(|ids| ids.contains(&c.id)));
    let now = Utc::now();
    let mut rows = Vec::new();
    for class in classes {
        let record = ClassRecord::load(db, &class.id).await?;
        let (attended, counted) = record.student_totals(student_id, now);
        rows.push(ClassProgress {
            lectures: record.lectures(tz, Some(student_id)),
            class,
            attended,
            counted,
        });
    }
    Ok(Progress {
        student,
        classes: rows,
        certifications: super::certs::for_student(db, student_id).await?,
    })
}

/// The teacher dashboard: own classes (all classes for administrators who teach none),
/// their students, today's lectures with attendance, and the next week's lectures.
pub async fn teacher_dashboard(db: &Db, tz: Tz, user: &User) -> Result<TeacherDashboard, AppError> {
    let classes = super::classes::teaching(db, &user.id).await?;
    let open: Vec<String> = classes
        .iter()
        .filter(|c| !c.archived)
        .map(|c| c.id.clone())
        .collect();
    let now = Utc::now();
    let local_today = now.with_timezone(&tz).date_naive();
    let midnight = |days: i64| {
        let day = local_today + Duration::days(days);
        super::lectures::local_to_utc(tz, day.and_hms_opt(0, 0, 0).unwrap_or_default())
    };
    let today = super::lectures::between(db, tz, &open, midnight(0), midnight(1)).await?;
    let upcoming = super::lectures::between(db, tz, &open, midnight(1), midnight(8)).await?;
    let students: i64 = db_run!(db.reader(), |pool| {
        sqlx::query_scalar(
            "SELECT COUNT(DISTINCT e.user_id) FROM enrollments e JOIN class_instructors i ON i.class_id = e.class_id \
             JOIN classes c ON c.id = e.class_id WHERE i.user_id = $1 AND e.status = 'active' AND NOT c.archived",
        )
        .bind(&user.id)
        .fetch_one(pool)
        .await
    })?;
    Ok(TeacherDashboard {
        pending_joins: classes
            .iter()
            .filter(|c| !c.archived)
            .map(|c| c.pending)
            .sum(),
        classes,
        students,
        today,
        upcoming,
    })
}

/// Records an instructor's request for student accounts in their class.
pub async fn request_accounts(
    db: &Db,
    by: &User,
    class_id: &str,
    accounts: &[RequestedAccount],
) -> Result<(), AppError> {
    let now = Utc::now();
    db_run!(db.writer(), |pool| {
        let mut tx = pool.begin().await?;
        for account in accounts {
            sqlx::query(
                "INSERT INTO account_requests (id, class_id, email, first_name, last_name, status, created_at, created_by, updated_at, updated_by) \
                 VALUES ($1, $2, $3, $4, $5, 'pending', $6, $7, $6, $7)",
            )
            .bind(uuid::Uuid::now_v7().to_string())
            .bind(class_id)
            .bind(&account.email)
            .bind(&account.first_name)
            .bind(&account.last_name)
            .bind(now)
            .bind(&by.id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await
    })?;
    Ok(())
}

/// Requests with `status`, oldest first; `class_id` narrows to one class.
pub async fn account_requests(
    db: &Db,
    status: &str,
    class_id: Option<&str>,
) -> Result<Vec<AccountRequest>, AppError> {
    Ok(db_run!(db.reader(), |pool| {
        sqlx::query_as(
            "SELECT r.id, r.class_id, c.title AS class_title, r.email, r.first_name, r.last_name, r.status, \
             COALESCE(u.first_name || ' ' || u.last_name, '') AS requested_by, r.created_at \
             FROM account_requests r JOIN classes c ON c.id = r.class_id LEFT JOIN users u ON u.id = r.created_by \
             WHERE r.status = $1 AND ($2 = '' OR r.class_id = $2) ORDER BY r.created_at, r.id",
        )
        .bind(status)
        .bind(class_id.unwrap_or(""))
        .fetch_all(pool)
        .await
    })?)
}

/// Approves a request: the student account is created (or the existing student found),
/// enrolled in the class, and sent a link to choose a password. Returns the account id.
pub async fn approve_request(
    state: &crate::server::AppState,
    admin: &User,
    id: &str,
) -> Result<String, AppError> {
    use crate::auth::service::{CreateError, create_user};
    let db = &state.db;
    let request = account_requests(db, "pending", None)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or_else(|| AppError::NotFound.with_status())?;
    let existing: Option<(String, String)> = db_run!(db.reader(), |pool| {
        sqlx::query_as("SELECT id, role FROM users WHERE email = $1 AND deleted_at IS NULL")
            .bind(&request.email)
            .fetch_optional(pool)
            .await
    })?;
    let user_id = match existing {
        Some((id, role)) if role == Role::Student.as_str() => id,
        Some(_) => return Err(AppError::field("email", "not_a_student").with_status()),
        None => {
            let account = crate::auth::validate::NewAccount {
                email: request.email.clone(),
                first_name: request.first_name.clone(),
                last_name: request.last_name.clone(),
                grade_level: None,
            };
            let user = match create_user(db, &account, None, Role::Student, Some(&admin.id)).await {
                Ok(user) => user,
                Err(CreateError::EmailTaken) => {
                    return Err(AppError::field("email", "taken").with_status());
                }
                Err(error) => return Err(AppError::internal(error)),
            };
            let token =
                crate::auth::reset::create(db, &user.id, crate::auth::reset::INVITE_LIFETIME)
                    .await?;
            let t = crate::i18n::Locale::default().messages();
            let link = format!("{}/reset-password?token={token}", state.config.public_url());
            let body = crate::i18n::fill(
                t.invite_mail_body,
                &[("name", &user.first_name), ("link", &link)],
            );
            crate::notify::mail::send(state, &user.email, t.invite_mail_subject, &body).await?;
            user.id
        }
    };
    super::classes::enroll_student(db, admin, &request.class_id, &user_id).await?;
    decide(db, admin, id, "approved", Some(&user_id)).await?;
    Ok(user_id)
}

/// Marks a pending request approved or rejected.
pub async fn decide(
    db: &Db,
    admin: &User,
    id: &str,
    status: &str,
    user_id: Option<&str>,
) -> Result<(), AppError> {
    let now = Utc::now();
    let changed = db_run!(db.writer(), |pool| {
        sqlx::query(
            "UPDATE account_requests SET status = $1, user_id = $2, updated_at = $3, updated_by = $4 \
             WHERE id = $5 AND status = 'pending'",
        )
        .bind(status)
        .bind(user_id)
        .bind(now)
        .bind(&admin.id)
        .bind(id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    if changed == 0 {
        return Err(AppError::NotFound.with_status());
    }
    Ok(())
}

/// Changes a user's own name, and a student's grade level when given.
pub async fn update_profile(
    db: &Db,
    user: &User,
    first_name: &str,
    last_name: &str,
    grade_level: Option<i32>,
) -> Result<(), AppError> {
    let now = Utc::now();
    db_run!(db.writer(), |pool| {
        sqlx::query(
            "UPDATE users SET first_name = $1, last_name = $2, grade_level = COALESCE($3, grade_level), \
             updated_at = $4, updated_by = $5 WHERE id = $5",
        )
        .bind(first_name)
        .bind(last_name)
        .bind(grade_level)
        .bind(now)
        .bind(&user.id)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// A user's grade level, if set.
pub async fn grade_level(db: &Db, user_id: &str) -> Result<Option<i32>, AppError> {
    let grade: Option<Option<i32>> = db_run!(db.reader(), |pool| {
        sqlx::query_scalar("SELECT grade_level FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(pool)
            .await
    })?;
    Ok(grade.flatten())
}
