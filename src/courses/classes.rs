//! Courses and their classes in the database (S3.3, S3.4, S1.7): create, search, edit,
//! deactivate and archive, join codes and ingest tokens, instructors and rosters.

use chrono::Utc;

use super::codes;
use super::model::{
    Class, ClassSummary, Course, CourseListing, CourseQuery, JoinOutcome, MyClasses, Person,
};
use super::validate::{ClassInput, CourseInput};
use crate::app_error::AppError;
use crate::auth::model::Role;
use crate::auth::service::User;
use crate::db::Db;
use crate::db_run;

/// Courses per page of the list.
pub const PAGE_SIZE: i64 = 20;

const COURSE_COLUMNS: &str =
    "id, title, description, keyword, active, created_at, created_by, updated_at, updated_by";

pub async fn create_course(db: &Db, user: &User, input: &CourseInput) -> Result<String, AppError> {
    let id = uuid::Uuid::now_v7().to_string();
    let now = Utc::now();
    db_run!(db.writer(), |pool| {
        sqlx::query(
            "INSERT INTO courses (id, title, description, keyword, active, created_at, created_by, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, TRUE, $5, $6, $5, $6)",
        )
        .bind(&id)
        .bind(&input.title)
        .bind(&input.description)
        .bind(&input.keyword)
        .bind(now)
        .bind(&user.id)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(id)
}

/// One page of courses whose title or keyword contains the search text.
pub async fn search_courses(db: &Db, query: &CourseQuery) -> Result<CourseListing, AppError> {
    let pattern = format!(
        "%{}%",
        crate::db::like_escape(&query.search.trim().to_lowercase())
    );
    let filter = "(LOWER(title) LIKE $1 ESCAPE '\\' OR LOWER(keyword) LIKE $1 ESCAPE '\\') AND ($2 OR active)";
    let page = query.page.clamp(1, crate::db::MAX_PAGE);
    let count_sql = format!("SELECT COUNT(*) FROM courses WHERE {filter}");
    let list_sql = format!(
        "SELECT {COURSE_COLUMNS} FROM courses WHERE {filter} ORDER BY active DESC, title, id LIMIT $3 OFFSET $4"
    );
    let total: i64 = db_run!(db.reader(), |pool| {
        sqlx::query_scalar(&count_sql)
            .bind(&pattern)
            .bind(query.include_inactive)
            .fetch_one(pool)
            .await
    })?;
    let courses: Vec<Course> = db_run!(db.reader(), |pool| {
        sqlx::query_as(&list_sql)
            .bind(&pattern)
            .bind(query.include_inactive)
            .bind(PAGE_SIZE)
            .bind((page - 1) * PAGE_SIZE)
            .fetch_all(pool)
            .await
    })?;
    Ok(CourseListing {
        courses,
        total,
        page,
        page_size: PAGE_SIZE,
    })
}

/// A course, or 404.
pub async fn course(db: &Db, id: &str) -> Result<Course, AppError> {
    let sql = format!("SELECT {COURSE_COLUMNS} FROM courses WHERE id = $1");
    let course: Option<Course> = db_run!(db.reader(), |pool| {
        sqlx::query_as(&sql).bind(id).fetch_optional(pool).await
    })?;
    course.ok_or_else(|| AppError::NotFound.with_status())
}

/// Whether `user` may edit a course: administrators and its author.
pub fn may_edit_course(user: &User, course: &Course) -> bool {
    user.role() >= Role::Admin || course.audit.created_by.as_deref() == Some(user.id.as_str())
}

/// Changes a course's fields; 403 for anyone but its author and administrators.
pub async fn update_course(
    db: &Db,
    user: &User,
    id: &str,
    input: &CourseInput,
) -> Result<(), AppError> {
    let existing = course(db, id).await?;
    if !may_edit_course(user, &existing) {
        return Err(AppError::Forbidden.with_status());
    }
    let now = Utc::now();
    db_run!(db.writer(), |pool| {
        sqlx::query(
            "UPDATE courses SET title = $1, description = $2, keyword = $3, updated_at = $4, updated_by = $5 WHERE id = $6",
        )
        .bind(&input.title)
        .bind(&input.description)
        .bind(&input.keyword)
        .bind(now)
        .bind(&user.id)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// Deactivates or reactivates a course. A deactivated course takes no new classes.
pub async fn set_course_active(
    db: &Db,
    user: &User,
    id: &str,
    active: bool,
) -> Result<(), AppError> {
    let existing = course(db, id).await?;
    if !may_edit_course(user, &existing) {
        return Err(AppError::Forbidden.with_status());
    }
    let now = Utc::now();
    db_run!(db.writer(), |pool| {
        sqlx::query(
            "UPDATE courses SET active = $1, updated_at = $2, updated_by = $3 WHERE id = $4",
        )
        .bind(active)
        .bind(now)
        .bind(&user.id)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

const SUMMARY_SELECT: &str = "SELECT c.id, c.course_id, co.title AS course_title, c.title, c.subject, \
     c.begins_on, c.ends_on, c.archived, \
     (SELECT COUNT(*) FROM enrollments e WHERE e.class_id = c.id AND e.status = 'active') AS students, \
     (SELECT COUNT(*) FROM enrollments e WHERE e.class_id = c.id AND e.status = 'pending') AS pending \
     FROM classes c JOIN courses co ON co.id = c.course_id";

async fn summaries(db: &Db, condition: &str, bind: &str) -> Result<Vec<ClassSummary>, AppError> {
    let sql = format!(
        "{SUMMARY_SELECT} WHERE {condition} \
         ORDER BY c.archived, CASE WHEN c.begins_on IS NULL THEN 1 ELSE 0 END, c.begins_on DESC, c.title, c.id"
    );
    Ok(db_run!(db.reader(), |pool| {
        sqlx::query_as(&sql).bind(bind).fetch_all(pool).await
    })?)
}

/// The classes of a course.
pub async fn course_classes(db: &Db, course_id: &str) -> Result<Vec<ClassSummary>, AppError> {
    summaries(db, "c.course_id = $1", course_id).await
}

/// Active students of any of `class_ids`, each once.
pub async fn students_of(db: &Db, class_ids: &[String]) -> Result<Vec<Person>, AppError> {
    let mut students: Vec<Person> = Vec::new();
    for class_id in class_ids {
        for (person, _) in enrolled(db, class_id, "active").await? {
            if !students.iter().any(|p| p.id == person.id) {
                students.push(person);
            }
        }
    }
    students.sort_by(|a, b| (&a.last_name, &a.first_name).cmp(&(&b.last_name, &b.first_name)));
    Ok(students)
}

/// Classes `user` teaches.
pub async fn teaching(db: &Db, user_id: &str) -> Result<Vec<ClassSummary>, AppError> {
    summaries(
        db,
        "c.id IN (SELECT class_id FROM class_instructors WHERE user_id = $1)",
        user_id,
    )
    .await
}

/// Classes a student is an active member of.
pub async fn attending(db: &Db, user_id: &str) -> Result<Vec<ClassSummary>, AppError> {
    summaries(
        db,
        "c.id IN (SELECT class_id FROM enrollments WHERE user_id = $1 AND status = 'active')",
        user_id,
    )
    .await
}

/// A user's classes: teaching, attending and waiting for approval.
pub async fn my_classes(db: &Db, user: &User) -> Result<MyClasses, AppError> {
    Ok(MyClasses {
        teaching: teaching(db, &user.id).await?,
        attending: attending(db, &user.id).await?,
        waiting: summaries(
            db,
            "c.id IN (SELECT class_id FROM enrollments WHERE user_id = $1 AND status = 'pending')",
            &user.id,
        )
        .await?,
    })
}

/// Runs `insert` with fresh join codes until one is free (a clash is rare: 31^6 codes
/// per subject prefix).
async fn with_free_join_code<F, Fut>(subject: &str, mut insert: F) -> Result<String, AppError>
where
    F: FnMut(String) -> Fut,
    Fut: Future<Output = Result<(), sqlx::Error>>,
{
    for _ in 0..8 {
        let code = codes::join_code(subject);
        match insert(code.clone()).await {
            Ok(()) => return Ok(code),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => continue,
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::internal("no free join code after 8 tries"))
}

/// Creates a class under an active course; its author becomes its first instructor.
pub async fn create_class(
    db: &Db,
    user: &User,
    course_id: &str,
    input: &ClassInput,
) -> Result<String, AppError> {
    let parent = course(db, course_id).await?;
    if !parent.active {
        return Err(AppError::field("course", "course_inactive").with_status());
    }
    let id = uuid::Uuid::now_v7().to_string();
    insert_class(db, user, course_id, &id, input).await?;
    add_instructor_row(db, user, &id, &user.id).await?;
    Ok(id)
}

async fn insert_class(
    db: &Db,
    user: &User,
    course_id: &str,
    id: &str,
    input: &ClassInput,
) -> Result<(), AppError> {
    let now = Utc::now();
    let token = codes::ingest_token();
    with_free_join_code(&input.subject, |code| {
        let token = token.clone();
        async move {
            db_run!(db.writer(), |pool| {
                sqlx::query(
                    "INSERT INTO classes (id, course_id, title, subject, lecturer_info, date_info, begins_on, ends_on, \
                     join_code, join_approval, ingest_token, archived, created_at, created_by, updated_at, updated_by) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, FALSE, $12, $13, $12, $13)",
                )
                .bind(id)
                .bind(course_id)
                .bind(&input.title)
                .bind(&input.subject)
                .bind(&input.lecturer_info)
                .bind(&input.date_info)
                .bind(input.begins_on)
                .bind(input.ends_on)
                .bind(&code)
                .bind(input.join_approval)
                .bind(&token)
                .bind(now)
                .bind(&user.id)
                .execute(pool)
                .await
                .map(|_| ())
            })
        }
    })
    .await?;
    Ok(())
}

async fn add_instructor_row(
    db: &Db,
    by: &User,
    class_id: &str,
    user_id: &str,
) -> Result<(), AppError> {
    let now = Utc::now();
    db_run!(db.writer(), |pool| {
        sqlx::query(
            "INSERT INTO class_instructors (class_id, user_id, created_at, created_by) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (class_id, user_id) DO NOTHING",
        )
        .bind(class_id)
        .bind(user_id)
        .bind(now)
        .bind(&by.id)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// A class, or 404.
pub async fn class(db: &Db, id: &str) -> Result<Class, AppError> {
    let class: Option<Class> = db_run!(db.reader(), |pool| {
        sqlx::query_as(
            "SELECT c.id, c.course_id, co.title AS course_title, c.title, c.subject, c.lecturer_info, c.date_info, \
             c.begins_on, c.ends_on, c.join_code, c.join_approval, c.ingest_token, c.archived, \
             c.created_at, c.created_by, c.updated_at, c.updated_by \
             FROM classes c JOIN courses co ON co.id = c.course_id WHERE c.id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await
    })?;
    class.ok_or_else(|| AppError::NotFound.with_status())
}

/// Changes a class's fields (the caller has checked it is staff).
pub async fn update_class(
    db: &Db,
    user: &User,
    id: &str,
    input: &ClassInput,
) -> Result<(), AppError> {
    let now = Utc::now();
    db_run!(db.writer(), |pool| {
        sqlx::query(
            "UPDATE classes SET title = $1, subject = $2, lecturer_info = $3, date_info = $4, begins_on = $5, \
             ends_on = $6, join_approval = $7, updated_at = $8, updated_by = $9 WHERE id = $10",
        )
        .bind(&input.title)
        .bind(&input.subject)
        .bind(&input.lecturer_info)
        .bind(&input.date_info)
        .bind(input.begins_on)
        .bind(input.ends_on)
        .bind(input.join_approval)
        .bind(now)
        .bind(&user.id)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// Archives (or restores) a class: an archived class takes no one new by code.
pub async fn set_archived(db: &Db, user: &User, id: &str, archived: bool) -> Result<(), AppError> {
    let now = Utc::now();
    db_run!(db.writer(), |pool| {
        sqlx::query(
            "UPDATE classes SET archived = $1, updated_at = $2, updated_by = $3 WHERE id = $4",
        )
        .bind(archived)
        .bind(now)
        .bind(&user.id)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// Gives a class a new join code; the old one stops working.
pub async fn regenerate_join_code(db: &Db, user: &User, id: &str) -> Result<String, AppError> {
    let existing = class(db, id).await?;
    let now = Utc::now();
    with_free_join_code(&existing.subject, |code| async move {
        db_run!(db.writer(), |pool| {
            sqlx::query(
                "UPDATE classes SET join_code = $1, updated_at = $2, updated_by = $3 WHERE id = $4",
            )
            .bind(&code)
            .bind(now)
            .bind(&user.id)
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ())
        })
    })
    .await
}

/// Gives a class a new ingest token; notebook clients with the old one are refused.
pub async fn rotate_ingest_token(db: &Db, user: &User, id: &str) -> Result<(), AppError> {
    let now = Utc::now();
    let token = codes::ingest_token();
    db_run!(db.writer(), |pool| {
        sqlx::query(
            "UPDATE classes SET ingest_token = $1, updated_at = $2, updated_by = $3 WHERE id = $4",
        )
        .bind(&token)
        .bind(now)
        .bind(&user.id)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// An active, not deleted account by email.
async fn person_by_email(db: &Db, email: &str) -> Result<Option<(Person, String)>, AppError> {
    let email = crate::auth::validate::email(email)
        .map_err(|code| AppError::field("email", code).with_status())?;
    let row: Option<(String, String, String, String, String)> = db_run!(db.reader(), |pool| {
        sqlx::query_as(
            "SELECT id, email, first_name, last_name, role FROM users \
             WHERE email = $1 AND deleted_at IS NULL AND status = 'active'",
        )
        .bind(&email)
        .fetch_optional(pool)
        .await
    })?;
    Ok(row.map(|(id, email, first_name, last_name, role)| {
        (
            Person {
                id,
                email,
                first_name,
                last_name,
            },
            role,
        )
    }))
}

/// Adds an instructor (by email) to a class.
pub async fn add_instructor(
    db: &Db,
    by: &User,
    class_id: &str,
    email: &str,
) -> Result<(), AppError> {
    let (person, role) = person_by_email(db, email)
        .await?
        .ok_or_else(|| AppError::field("email", "no_such_user").with_status())?;
    if Role::parse(&role).unwrap_or(Role::Student) < Role::Instructor {
        return Err(AppError::field("email", "not_an_instructor").with_status());
    }
    add_instructor_row(db, by, class_id, &person.id).await
}

/// The class's instructors.
pub async fn instructors(db: &Db, class_id: &str) -> Result<Vec<Person>, AppError> {
    Ok(db_run!(db.reader(), |pool| {
        sqlx::query_as(
            "SELECT u.id, u.email, u.first_name, u.last_name FROM class_instructors i JOIN users u ON u.id = i.user_id \
             WHERE i.class_id = $1 ORDER BY u.last_name, u.first_name",
        )
        .bind(class_id)
        .fetch_all(pool)
        .await
    })?)
}

/// A student and when they became active in a class.
pub type Enrolled = (Person, Option<chrono::DateTime<Utc>>);

#[derive(sqlx::FromRow)]
struct EnrolledRow {
    #[sqlx(flatten)]
    person: Person,
    enrolled_at: Option<chrono::DateTime<Utc>>,
}

/// Students of a class with `status` (`active` or `pending`) and when they enrolled.
pub async fn enrolled(db: &Db, class_id: &str, status: &str) -> Result<Vec<Enrolled>, AppError> {
    let rows: Vec<EnrolledRow> = db_run!(db.reader(), |pool| {
        sqlx::query_as(
            "SELECT u.id, u.email, u.first_name, u.last_name, e.enrolled_at FROM enrollments e \
             JOIN users u ON u.id = e.user_id WHERE e.class_id = $1 AND e.status = $2 \
             ORDER BY u.last_name, u.first_name, u.id",
        )
        .bind(class_id)
        .bind(status)
        .fetch_all(pool)
        .await
    })?;
    Ok(rows
        .into_iter()
        .map(|r| (r.person, r.enrolled_at))
        .collect())
}

/// Enrolls a student (active at once, or pending approval).
async fn enroll(
    db: &Db,
    by: &str,
    class_id: &str,
    student_id: &str,
    active: bool,
) -> Result<(), AppError> {
    let now = Utc::now();
    let (status, enrolled_at) = if active {
        ("active", Some(now))
    } else {
        ("pending", None)
    };
    db_run!(db.writer(), |pool| {
        sqlx::query(
            "INSERT INTO enrollments (class_id, user_id, status, enrolled_at, created_at, created_by, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $5, $6) \
             ON CONFLICT (class_id, user_id) DO UPDATE SET status = excluded.status, \
             enrolled_at = COALESCE(enrollments.enrolled_at, excluded.enrolled_at), updated_at = excluded.updated_at, \
             updated_by = excluded.updated_by",
        )
        .bind(class_id)
        .bind(student_id)
        .bind(status)
        .bind(enrolled_at)
        .bind(now)
        .bind(by)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// Adds a student account (by email) to a class's roster.
pub async fn add_student(db: &Db, by: &User, class_id: &str, email: &str) -> Result<(), AppError> {
    let (person, role) = person_by_email(db, email)
        .await?
        .ok_or_else(|| AppError::field("email", "no_such_user").with_status())?;
    if role != Role::Student.as_str() {
        return Err(AppError::field("email", "not_a_student").with_status());
    }
    enroll(db, &by.id, class_id, &person.id, true).await
}

/// Enrolls an account made for this class (account requests).
pub async fn enroll_student(
    db: &Db,
    by: &User,
    class_id: &str,
    student_id: &str,
) -> Result<(), AppError> {
    enroll(db, &by.id, class_id, student_id, true).await
}

/// Accepts a waiting student.
pub async fn approve_join(
    db: &Db,
    by: &User,
    class_id: &str,
    student_id: &str,
) -> Result<(), AppError> {
    let now = Utc::now();
    let changed = db_run!(db.writer(), |pool| {
        sqlx::query(
            "UPDATE enrollments SET status = 'active', enrolled_at = $1, updated_at = $1, updated_by = $2 \
             WHERE class_id = $3 AND user_id = $4 AND status = 'pending'",
        )
        .bind(now)
        .bind(&by.id)
        .bind(class_id)
        .bind(student_id)
        .execute(pool)
        .await
        .map(|r| r.rows_affected())
    })?;
    if changed == 0 {
        return Err(AppError::NotFound.with_status());
    }
    Ok(())
}

/// Removes a student (active or waiting) from a class. Their attendance stays on record.
pub async fn remove_student(db: &Db, class_id: &str, student_id: &str) -> Result<(), AppError> {
    let removed = db_run!(db.writer(), |pool| {
        sqlx::query("DELETE FROM enrollments WHERE class_id = $1 AND user_id = $2")
            .bind(class_id)
            .bind(student_id)
            .execute(pool)
            .await
            .map(|r| r.rows_affected())
    })?;
    if removed == 0 {
        return Err(AppError::NotFound.with_status());
    }
    Ok(())
}

/// Unknown join codes a student may try in 15 minutes (codes are short enough to guess
/// otherwise).
pub const JOIN_FAILURES: crate::auth::limits::Limit = crate::auth::limits::Limit {
    kind: "join_user",
    max: 10,
    window: chrono::Duration::minutes(15),
};

/// A student joins by code: at once, or waiting for approval when the class asks for it.
pub async fn join_by_code(db: &Db, student: &User, typed: &str) -> Result<JoinOutcome, AppError> {
    let code = codes::normalize_join_code(typed);
    if code.is_empty() {
        return Err(AppError::field("code", "required").with_status());
    }
    crate::auth::limits::check(db, JOIN_FAILURES, &student.id).await?;
    let found: Option<(String, bool, bool)> = db_run!(db.reader(), |pool| {
        sqlx::query_as(
            "SELECT c.id, c.join_approval, c.archived OR NOT co.active FROM classes c JOIN courses co ON co.id = c.course_id \
             WHERE c.join_code = $1",
        )
        .bind(&code)
        .fetch_optional(pool)
        .await
    })?;
    let Some((class_id, approval, closed)) = found else {
        crate::auth::limits::record(db, JOIN_FAILURES, &student.id).await?;
        return Err(AppError::field("code", "unknown_join_code").with_status());
    };
    if closed {
        return Err(AppError::field("code", "class_closed").with_status());
    }
    let existing: Option<String> = db_run!(db.reader(), |pool| {
        sqlx::query_scalar("SELECT status FROM enrollments WHERE class_id = $1 AND user_id = $2")
            .bind(&class_id)
            .bind(&student.id)
            .fetch_optional(pool)
            .await
    })?;
    match existing.as_deref() {
        Some("active") => Ok(JoinOutcome::AlreadyMember),
        // Still waiting, unless the class has stopped asking for approval.
        Some(_) if approval => Ok(JoinOutcome::AwaitingApproval),
        Some(_) => {
            enroll(db, &student.id, &class_id, &student.id, true).await?;
            Ok(JoinOutcome::Joined)
        }
        None => {
            enroll(db, &student.id, &class_id, &student.id, !approval).await?;
            Ok(if approval {
                JoinOutcome::AwaitingApproval
            } else {
                JoinOutcome::Joined
            })
        }
    }
}

/// Copies a class with its instructors and active roster under a new title; the copy
/// gets its own join code and ingest token.
pub async fn copy_class(db: &Db, user: &User, id: &str, title: &str) -> Result<String, AppError> {
    let source = class(db, id).await?;
    if !course(db, &source.course_id).await?.active {
        return Err(AppError::field("title", "course_inactive").with_status());
    }
    let input = ClassInput {
        title: title.to_owned(),
        subject: source.subject.clone(),
        lecturer_info: source.lecturer_info.clone(),
        date_info: source.date_info.clone(),
        begins_on: source.begins_on,
        ends_on: source.ends_on,
        join_approval: source.join_approval,
    };
    let copy_id = uuid::Uuid::now_v7().to_string();
    insert_class(db, user, &source.course_id, &copy_id, &input).await?;
    let now = Utc::now();
    db_run!(db.writer(), |pool| {
        sqlx::query(
            "INSERT INTO class_instructors (class_id, user_id, created_at, created_by) \
             SELECT $1, user_id, $2, $3 FROM class_instructors WHERE class_id = $4",
        )
        .bind(&copy_id)
        .bind(now)
        .bind(&user.id)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    add_instructor_row(db, user, &copy_id, &user.id).await?;
    db_run!(db.writer(), |pool| {
        sqlx::query(
            "INSERT INTO enrollments (class_id, user_id, status, enrolled_at, created_at, created_by, updated_at, updated_by) \
             SELECT $1, user_id, 'active', $2, $2, $3, $2, $3 FROM enrollments WHERE class_id = $4 AND status = 'active'",
        )
        .bind(&copy_id)
        .bind(now)
        .bind(&user.id)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(copy_id)
}
