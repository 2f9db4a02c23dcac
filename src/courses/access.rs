//! Who may do what with a class: its instructors (and administrators) are its staff,
//! its active students are its members. Every class, lecture and certificate server
//! function goes through one of these, so reading another class's data by changing an
//! id is refused in one place.

use super::model::ClassRole;
use crate::app_error::AppError;
use crate::auth::model::Role;
use crate::auth::service::User;
use crate::db::Db;
use crate::db_run;

/// What `user` is to the class: staff, an active student, or nothing (`None`). 404 when
/// the class does not exist.
pub async fn class_role(
    db: &Db,
    user: &User,
    class_id: &str,
) -> Result<Option<ClassRole>, AppError> {
    let row: Option<(bool, bool)> = db_run!(db.reader(), |pool| {
        sqlx::query_as(
            "SELECT EXISTS (SELECT 1 FROM class_instructors WHERE class_id = c.id AND user_id = $2), \
                    EXISTS (SELECT 1 FROM enrollments WHERE class_id = c.id AND user_id = $2 AND status = 'active') \
             FROM classes c WHERE c.id = $1",
        )
        .bind(class_id)
        .bind(&user.id)
        .fetch_optional(pool)
        .await
    })?;
    let (teaches, attends) = row.ok_or_else(|| AppError::NotFound.with_status())?;
    // A former instructor (now a student) keeps the row but not the rights.
    let teaches = teaches && user.role() >= Role::Instructor;
    Ok(if teaches || user.role() >= Role::Admin {
        Some(ClassRole::Staff)
    } else if attends {
        Some(ClassRole::Student)
    } else {
        None
    })
}

/// Refuses (403) anyone but the class's staff; 404 for an unknown class.
pub async fn require_staff(db: &Db, user: &User, class_id: &str) -> Result<(), AppError> {
    match class_role(db, user, class_id).await? {
        Some(ClassRole::Staff) => Ok(()),
        _ => Err(AppError::Forbidden.with_status()),
    }
}

/// Refuses (403) anyone who is neither staff nor an active student of the class.
pub async fn require_member(db: &Db, user: &User, class_id: &str) -> Result<ClassRole, AppError> {
    class_role(db, user, class_id)
        .await?
        .ok_or_else(|| AppError::Forbidden.with_status())
}

/// The class a lecture belongs to; 404 for an unknown lecture.
pub async fn lecture_class(db: &Db, lecture_id: &str) -> Result<String, AppError> {
    let class_id: Option<String> = db_run!(db.reader(), |pool| {
        sqlx::query_scalar("SELECT class_id FROM lectures WHERE id = $1")
            .bind(lecture_id)
            .fetch_optional(pool)
            .await
    })?;
    class_id.ok_or_else(|| AppError::NotFound.with_status())
}

/// The classes of a course whose students `user` may certify: all of them for
/// administrators and the course's author, else those `user` teaches. Empty: no rights.
pub async fn certifiable_classes(
    db: &Db,
    user: &User,
    course_id: &str,
) -> Result<Vec<String>, AppError> {
    if user.role() < Role::Instructor {
        return Ok(Vec::new());
    }
    let all = user.role() >= Role::Admin;
    let ids: Vec<String> = db_run!(db.reader(), |pool| {
        sqlx::query_scalar(
            "SELECT c.id FROM classes c JOIN courses co ON co.id = c.course_id WHERE c.course_id = $1 \
             AND ($2 OR co.created_by = $3 \
                  OR EXISTS (SELECT 1 FROM class_instructors i WHERE i.class_id = c.id AND i.user_id = $3)) \
             ORDER BY c.id",
        )
        .bind(course_id)
        .bind(all)
        .bind(&user.id)
        .fetch_all(pool)
        .await
    })?;
    Ok(ids)
}

/// The classes of a student that `viewer` may see, or `None` for all of them (the
/// student, administrators); an empty list means none.
pub async fn visible_classes_of(
    db: &Db,
    viewer: &User,
    student_id: &str,
) -> Result<Option<Vec<String>>, AppError> {
    if viewer.id == student_id || viewer.role() >= Role::Admin {
        return Ok(None);
    }
    if viewer.role() < Role::Instructor {
        return Ok(Some(Vec::new()));
    }
    let ids: Vec<String> = db_run!(db.reader(), |pool| {
        sqlx::query_scalar(
            "SELECT e.class_id FROM enrollments e JOIN class_instructors i ON i.class_id = e.class_id \
             WHERE e.user_id = $1 AND e.status = 'active' AND i.user_id = $2",
        )
        .bind(student_id)
        .bind(&viewer.id)
        .fetch_all(pool)
        .await
    })?;
    Ok(Some(ids))
}

/// Whether `viewer` may see `student_id`'s records at all: the student, administrators,
/// and instructors of a class the student is active in.
pub async fn may_view_student(db: &Db, viewer: &User, student_id: &str) -> Result<bool, AppError> {
    Ok(visible_classes_of(db, viewer, student_id)
        .await?
        .is_none_or(|classes| !classes.is_empty()))
}
