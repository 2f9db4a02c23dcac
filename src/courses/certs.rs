//! Certificates (S3.7): issued for a course to a student with the classes they
//! completed, by hand or in bulk above an attendance rate; listed, printed, verified.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};

use super::lectures::ClassRecord;
use super::model::{BulkIssue, Certification, CertifiedClass};
use crate::app_error::AppError;
use crate::auth::service::User;
use crate::db::Db;
use crate::db_run;

/// Issues a student's certificate for a course, or adds classes to the one they hold
/// (its number and issue date stay, so printed copies remain valid). Every class must
/// belong to the course, be one `allowed` (see `access::certifiable_classes`), and have
/// had the student on its roster.
pub async fn issue(
    db: &Db,
    by: &User,
    course_id: &str,
    student_id: &str,
    class_ids: &[String],
    allowed: &[String],
) -> Result<String, AppError> {
    if class_ids.is_empty() {
        return Err(AppError::field("class_ids", "required").with_status());
    }
    let enrolled: Vec<String> = db_run!(db.reader(), |pool| {
        sqlx::query_scalar(
            "SELECT c.id FROM classes c JOIN enrollments e ON e.class_id = c.id \
             WHERE c.course_id = $1 AND e.user_id = $2 AND e.status = 'active'",
        )
        .bind(course_id)
        .bind(student_id)
        .fetch_all(pool)
        .await
    })?;
    if !enrolled.iter().any(|id| allowed.contains(id)) {
        return Err(AppError::field("student", "not_in_course").with_status());
    }
    if !class_ids.iter().all(|id| enrolled.contains(id)) {
        return Err(AppError::field("class_ids", "not_in_course").with_status());
    }
    if !class_ids.iter().all(|id| allowed.contains(id)) {
        return Err(AppError::Forbidden.with_status());
    }
    store(db, by, course_id, student_id, class_ids).await
}

/// Creates the certificate, or adds the classes missing from an existing one.
async fn store(
    db: &Db,
    by: &User,
    course_id: &str,
    student_id: &str,
    class_ids: &[String],
) -> Result<String, AppError> {
    let now = Utc::now();
    let existing: Option<(String, String)> = db_run!(db.reader(), |pool| {
        sqlx::query_as(
            "SELECT id, class_ids FROM certifications WHERE course_id = $1 AND user_id = $2",
        )
        .bind(course_id)
        .bind(student_id)
        .fetch_optional(pool)
        .await
    })?;
    let mut classes: Vec<String> = existing
        .as_ref()
        .and_then(|(_, ids)| serde_json::from_str(ids).ok())
        .unwrap_or_default();
    let before = classes.len();
    classes.extend(class_ids.iter().cloned());
    classes.sort();
    classes.dedup();
    let json = serde_json::to_string(&classes).map_err(AppError::internal)?;
    match existing {
        Some((id, _)) if classes.len() == before => Ok(id),
        Some((id, _)) => {
            db_run!(db.writer(), |pool| {
                sqlx::query("UPDATE certifications SET class_ids = $1, updated_at = $2, updated_by = $3 WHERE id = $4")
                    .bind(&json)
                    .bind(now)
                    .bind(&by.id)
                    .bind(&id)
                    .execute(pool)
                    .await
                    .map(|_| ())
            })?;
            Ok(id)
        }
        None => {
            let id = uuid::Uuid::now_v7().to_string();
            db_run!(db.writer(), |pool| {
                sqlx::query(
                    "INSERT INTO certifications (id, course_id, user_id, class_ids, issued_at, created_at, created_by, updated_at, updated_by) \
                     VALUES ($1, $2, $3, $4, $5, $5, $6, $5, $6) ON CONFLICT (course_id, user_id) DO NOTHING",
                )
                .bind(&id)
                .bind(course_id)
                .bind(student_id)
                .bind(&json)
                .bind(now)
                .bind(&by.id)
                .execute(pool)
                .await
                .map(|_| ())
            })?;
            // Two issues at once: the first insert wins, and both report its id.
            let stored: String = db_run!(db.reader(), |pool| {
                sqlx::query_scalar(
                    "SELECT id FROM certifications WHERE course_id = $1 AND user_id = $2",
                )
                .bind(course_id)
                .bind(student_id)
                .fetch_one(pool)
                .await
            })?;
            Ok(stored)
        }
    }
}

/// Issues a certificate to every student whose attendance reached `min_rate` percent
/// (and who attended at least once) in at least one of the `allowed` classes; each lists
/// the classes where they did. Returns how many students were certified.
pub async fn issue_above(
    db: &Db,
    by: &User,
    allowed: &[String],
    course_id: &str,
    min_rate: f64,
) -> Result<BulkIssue, AppError> {
    let now = Utc::now();
    let mut completed: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for class_id in allowed {
        let record = ClassRecord::load(db, class_id).await?;
        for student in record.students() {
            let (attended, counted) = record.student_totals(student, now);
            let passed = attended > 0
                && super::model::rate(attended, counted).is_some_and(|r| r + 1e-9 >= min_rate);
            if passed {
                completed
                    .entry(student.to_owned())
                    .or_default()
                    .push(class_id.clone());
            }
        }
    }
    for (student, class_ids) in &completed {
        store(db, by, course_id, student, class_ids).await?;
    }
    Ok(BulkIssue {
        issued: completed.len() as i64,
    })
}

type CertRow = (
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    DateTime<Utc>,
);

const CERT_SELECT: &str = "SELECT ce.id, ce.course_id, co.title, u.first_name || ' ' || u.last_name, u.id, ce.class_ids, \
     COALESCE(b.first_name || ' ' || b.last_name, ''), ce.issued_at \
     FROM certifications ce JOIN courses co ON co.id = ce.course_id JOIN users u ON u.id = ce.user_id \
     LEFT JOIN users b ON b.id = ce.updated_by";

async fn load(db: &Db, condition: &str, bind: &str) -> Result<Vec<Certification>, AppError> {
    let sql = format!("{CERT_SELECT} WHERE {condition} ORDER BY ce.issued_at DESC");
    let rows: Vec<CertRow> = db_run!(db.reader(), |pool| {
        sqlx::query_as(&sql).bind(bind).fetch_all(pool).await
    })?;
    let mut certifications = Vec::with_capacity(rows.len());
    for (id, course_id, course_title, student_name, student_id, class_ids, issued_by, issued_at) in
        rows
    {
        let ids: Vec<String> = serde_json::from_str(&class_ids).unwrap_or_default();
        let mut classes = Vec::with_capacity(ids.len());
        for class_id in ids {
            if let Ok(class) = super::classes::class(db, &class_id).await {
                classes.push(CertifiedClass {
                    id: class.id,
                    title: class.title,
                    begins_on: class.begins_on,
                    ends_on: class.ends_on,
                });
            }
        }
        certifications.push(Certification {
            id,
            course_id,
            course_title,
            student_name,
            student_id,
            classes,
            issued_at,
            issued_by,
        });
    }
    Ok(certifications)
}

/// One certificate, or 404.
pub async fn certification(db: &Db, id: &str) -> Result<Certification, AppError> {
    load(db, "ce.id = $1", id)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| AppError::NotFound.with_status())
}

/// A student's certificates.
pub async fn for_student(db: &Db, student_id: &str) -> Result<Vec<Certification>, AppError> {
    load(db, "ce.user_id = $1", student_id).await
}

/// A course's certificates.
pub async fn for_course(db: &Db, course_id: &str) -> Result<Vec<Certification>, AppError> {
    load(db, "ce.course_id = $1", course_id).await
}
