//! Lectures and attendance (S3.5, S3.6, S3.9): the lecture list with per-lecture rates,
//! the attendance sheet, self check-in with a rotating code, and the counting rule that
//! a student enrolled after a lecture started is never counted absent for it.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Duration, NaiveDateTime, TimeZone, Utc};
use chrono_tz::Tz;

use super::codes;
use super::model::{
    AttendanceRow, AttendanceSheet, AttendanceStatus, AttendanceType, CheckInState, LectureSummary,
};
use super::validate::LectureInput;
use crate::app_error::AppError;
use crate::auth::service::User;
use crate::db::Db;
use crate::db_run;

/// A self check-in this long after the start is marked late.
pub const LATE_AFTER: Duration = Duration::minutes(10);

/// The instant a local time names in `tz` (the earlier one when clocks go back; the
/// next valid minute when it falls in a gap).
pub fn local_to_utc(tz: Tz, local: NaiveDateTime) -> DateTime<Utc> {
    tz.from_local_datetime(&local)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(local + Duration::hours(1)))
                .earliest()
        })
        .map(|at| at.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&local))
}

fn in_zone(tz: Tz, at: DateTime<Utc>) -> DateTime<chrono::FixedOffset> {
    at.with_timezone(&tz).fixed_offset()
}

/// A stored lecture.
#[derive(sqlx::FromRow)]
struct LectureRow {
    id: String,
    class_id: String,
    title: String,
    sequence: i64,
    starts_at: DateTime<Utc>,
    duration_minutes: i64,
    attendance_type: String,
    checkin_secret: Option<String>,
    checkin_open_until: Option<DateTime<Utc>>,
}

const LECTURE_COLUMNS: &str = "id, class_id, title, sequence, starts_at, duration_minutes, attendance_type, \
     checkin_secret, checkin_open_until";

/// Creates a lecture; without a sequence number it goes after the last one.
pub async fn create(
    db: &Db,
    tz: Tz,
    user: &User,
    class_id: &str,
    input: &LectureInput,
) -> Result<String, AppError> {
    let id = uuid::Uuid::now_v7().to_string();
    let now = Utc::now();
    let starts_at = local_to_utc(tz, input.starts_at);
    // Without a number the lecture goes last; two added at once may pick the same
    // number, and the later one then takes the next.
    for _ in 0..3 {
        let sequence = match input.sequence {
            Some(n) => n,
            None => {
                let last: Option<i64> = db_run!(db.writer(), |pool| {
                    sqlx::query_scalar("SELECT MAX(sequence) FROM lectures WHERE class_id = $1")
                        .bind(class_id)
                        .fetch_one(pool)
                        .await
                })?;
                last.unwrap_or(0) + 1
            }
        };
        let inserted = db_run!(db.writer(), |pool| {
            sqlx::query(
                "INSERT INTO lectures (id, class_id, title, sequence, starts_at, duration_minutes, attendance_type, \
                 created_at, created_by, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $8, $9)",
            )
            .bind(&id)
            .bind(class_id)
            .bind(&input.title)
            .bind(sequence)
            .bind(starts_at)
            .bind(input.duration_minutes)
            .bind(&input.attendance_type)
            .bind(now)
            .bind(&user.id)
            .execute(pool)
            .await
            .map(|_| ())
        });
        match inserted {
            Ok(()) => return Ok(id),
            Err(sqlx::Error::Database(e))
                if e.is_unique_violation() && input.sequence.is_none() =>
            {
                continue;
            }
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Err(AppError::field("sequence", "taken").with_status());
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(AppError::field("sequence", "taken").with_status())
}

/// Changes a lecture's fields.
pub async fn update(
    db: &Db,
    tz: Tz,
    user: &User,
    id: &str,
    input: &LectureInput,
) -> Result<(), AppError> {
    let now = Utc::now();
    let starts_at = local_to_utc(tz, input.starts_at);
    let current = row(db, id).await?;
    let sequence = input.sequence.unwrap_or(current.sequence);
    let updated = db_run!(db.writer(), |pool| {
        sqlx::query(
            "UPDATE lectures SET title = $1, sequence = $2, starts_at = $3, duration_minutes = $4, attendance_type = $5, \
             checkin_secret = CASE WHEN $5 = 'manual' THEN NULL ELSE checkin_secret END, \
             checkin_open_until = CASE WHEN $5 = 'manual' THEN NULL ELSE checkin_open_until END, \
             updated_at = $6, updated_by = $7 WHERE id = $8",
        )
        .bind(&input.title)
        .bind(sequence)
        .bind(starts_at)
        .bind(input.duration_minutes)
        .bind(&input.attendance_type)
        .bind(now)
        .bind(&user.id)
        .bind(id)
        .execute(pool)
        .await
        .map(|_| ())
    });
    match updated {
        Ok(_) => Ok(()),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            Err(AppError::field("sequence", "taken").with_status())
        }
        Err(e) => Err(e.into()),
    }
}

/// Deletes a lecture and its attendance.
pub async fn delete(db: &Db, id: &str) -> Result<(), AppError> {
    db_run!(db.writer(), |pool| {
        sqlx::query("DELETE FROM lectures WHERE id = $1")
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ())
    })?;
    Ok(())
}

async fn row(db: &Db, id: &str) -> Result<LectureRow, AppError> {
    let sql = format!("SELECT {LECTURE_COLUMNS} FROM lectures WHERE id = $1");
    let row: Option<LectureRow> = db_run!(db.reader(), |pool| {
        sqlx::query_as(&sql).bind(id).fetch_optional(pool).await
    })?;
    row.ok_or_else(|| AppError::NotFound.with_status())
}

/// Everything needed to count a class's attendance.
pub struct ClassRecord {
    lectures: Vec<LectureRow>,
    /// Active students and when they enrolled.
    enrolled: HashMap<String, DateTime<Utc>>,
    /// (lecture, student) → mark.
    marks: HashMap<(String, String), AttendanceStatus>,
}

impl ClassRecord {
    pub async fn load(db: &Db, class_id: &str) -> Result<ClassRecord, AppError> {
        let sql = format!(
            "SELECT {LECTURE_COLUMNS} FROM lectures WHERE class_id = $1 ORDER BY sequence, starts_at"
        );
        let lectures: Vec<LectureRow> = db_run!(db.reader(), |pool| {
            sqlx::query_as(&sql).bind(class_id).fetch_all(pool).await
        })?;
        let enrolled: Vec<(String, Option<DateTime<Utc>>)> = db_run!(db.reader(), |pool| {
            sqlx::query_as("SELECT user_id, enrolled_at FROM enrollments WHERE class_id = $1 AND status = 'active'")
                .bind(class_id)
                .fetch_all(pool)
                .await
        })?;
        let marks: Vec<(String, String, String)> = db_run!(db.reader(), |pool| {
            sqlx::query_as(
                "SELECT a.lecture_id, a.user_id, a.status FROM attendances a JOIN lectures l ON l.id = a.lecture_id \
                 WHERE l.class_id = $1",
            )
            .bind(class_id)
            .fetch_all(pool)
            .await
        })?;
        Ok(ClassRecord {
            lectures,
            enrolled: enrolled
                .into_iter()
                .map(|(user, at)| (user, at.unwrap_or(DateTime::<Utc>::MIN_UTC)))
                .collect(),
            marks: marks
                .into_iter()
                .filter_map(|(lecture, user, status)| {
                    AttendanceStatus::parse(&status).map(|s| ((lecture, user), s))
                })
                .collect(),
        })
    }

    /// Students expected at a lecture: enrolled before it started, or marked anyway.
    fn expected(&self, lecture: &LectureRow) -> HashSet<&str> {
        let mut expected: HashSet<&str> = self
            .enrolled
            .iter()
            .filter(|(_, at)| **at <= lecture.starts_at)
            .map(|(user, _)| user.as_str())
            .collect();
        expected.extend(
            self.marks
                .keys()
                .filter(|(l, _)| *l == lecture.id)
                .map(|(_, user)| user.as_str()),
        );
        expected
    }

    fn summary(&self, tz: Tz, lecture: &LectureRow, student: Option<&str>) -> LectureSummary {
        let expected = self.expected(lecture);
        let count = |wanted: AttendanceStatus| {
            expected
                .iter()
                .filter(|user| {
                    self.marks.get(&(lecture.id.clone(), (**user).to_owned())) == Some(&wanted)
                })
                .count() as i64
        };
        let (present, late) = (
            count(AttendanceStatus::Present),
            count(AttendanceStatus::Late),
        );
        // Once a lecture has started, an expected student without a mark is absent, so
        // the counts add up to the rate.
        let absent = if lecture.starts_at <= Utc::now() {
            expected.len() as i64 - present - late
        } else {
            count(AttendanceStatus::Absent)
        };
        LectureSummary {
            id: lecture.id.clone(),
            class_id: lecture.class_id.clone(),
            title: lecture.title.clone(),
            sequence: lecture.sequence,
            starts_at: in_zone(tz, lecture.starts_at),
            duration_minutes: lecture.duration_minutes,
            attendance_type: AttendanceType::parse(&lecture.attendance_type)
                .unwrap_or(AttendanceType::Manual),
            present,
            late,
            absent,
            expected: expected.len() as i64,
            my_status: student
                .and_then(|s| self.marks.get(&(lecture.id.clone(), s.to_owned())).copied()),
        }
    }

    /// Every lecture, in order; `student` adds that student's own marks.
    pub fn lectures(&self, tz: Tz, student: Option<&str>) -> Vec<LectureSummary> {
        self.lectures
            .iter()
            .map(|l| self.summary(tz, l, student))
            .collect()
    }

    /// Lectures a student attended and lectures that counted for them (started, and
    /// enrolled by then or marked).
    pub fn student_totals(&self, student: &str, now: DateTime<Utc>) -> (i64, i64) {
        let mut attended = 0;
        let mut counted = 0;
        for lecture in self.lectures.iter().filter(|l| l.starts_at <= now) {
            let mark = self.marks.get(&(lecture.id.clone(), student.to_owned()));
            let enrolled_by_then = self
                .enrolled
                .get(student)
                .is_some_and(|at| *at <= lecture.starts_at);
            if mark.is_some() || enrolled_by_then {
                counted += 1;
                if mark.is_some_and(|m| m.attended()) {
                    attended += 1;
                }
            }
        }
        (attended, counted)
    }

    /// Attended over expected, summed over started lectures.
    pub fn class_totals(&self, now: DateTime<Utc>) -> (i64, i64) {
        self.lectures
            .iter()
            .filter(|l| l.starts_at <= now)
            .map(|l| {
                let expected = self.expected(l);
                let attended = expected
                    .iter()
                    .filter(|user| {
                        self.marks
                            .get(&(l.id.clone(), (**user).to_owned()))
                            .is_some_and(|m| m.attended())
                    })
                    .count() as i64;
                (attended, expected.len() as i64)
            })
            .fold((0, 0), |(a, e), (attended, expected)| {
                (a + attended, e + expected)
            })
    }

    /// A student's mark for a lecture, if any.
    pub fn mark(&self, lecture_id: &str, student: &str) -> Option<AttendanceStatus> {
        self.marks
            .get(&(lecture_id.to_owned(), student.to_owned()))
            .copied()
    }

    /// Whether a lecture counts for a student by `now`: it has started and the student
    /// was enrolled by then (or is marked anyway).
    pub fn counts_for(&self, lecture_id: &str, student: &str, now: DateTime<Utc>) -> bool {
        self.lectures.iter().any(|l| {
            l.id == lecture_id
                && l.starts_at <= now
                && (self.mark(lecture_id, student).is_some()
                    || self
                        .enrolled
                        .get(student)
                        .is_some_and(|at| *at <= l.starts_at))
        })
    }

    /// Active students of the class.
    pub fn students(&self) -> impl Iterator<Item = &str> {
        self.enrolled.keys().map(String::as_str)
    }
}

/// One lecture's summary.
pub async fn summary(
    db: &Db,
    tz: Tz,
    id: &str,
    student: Option<&str>,
) -> Result<LectureSummary, AppError> {
    let lecture = row(db, id).await?;
    let record = ClassRecord::load(db, &lecture.class_id).await?;
    Ok(record.summary(tz, &lecture, student))
}

/// The attendance sheet: every active student plus anyone already marked.
pub async fn sheet(db: &Db, tz: Tz, id: &str) -> Result<AttendanceSheet, AppError> {
    let lecture = row(db, id).await?;
    let record = ClassRecord::load(db, &lecture.class_id).await?;
    let class = super::classes::class(db, &lecture.class_id).await?;
    type MarkRow = (
        String,
        String,
        String,
        String,
        String,
        String,
        String,
        Option<DateTime<Utc>>,
    );
    let marked: Vec<MarkRow> = db_run!(db.reader(), |pool| {
        sqlx::query_as(
            "SELECT u.id, u.email, u.first_name, u.last_name, a.status, a.detail_type, a.description, a.checked_in_at \
             FROM attendances a JOIN users u ON u.id = a.user_id WHERE a.lecture_id = $1",
        )
        .bind(id)
        .fetch_all(pool)
        .await
    })?;
    let mut rows: Vec<AttendanceRow> = super::classes::enrolled(db, &lecture.class_id, "active")
        .await?
        .into_iter()
        .map(|(student, enrolled_at)| AttendanceRow {
            enrolled_later: enrolled_at.is_some_and(|at| at > lecture.starts_at),
            student,
            status: None,
            detail_type: String::new(),
            description: String::new(),
            checked_in_at: None,
        })
        .collect();
    for (user_id, email, first_name, last_name, status, detail_type, description, checked_in_at) in
        marked
    {
        let position = rows.iter().position(|r| r.student.id == user_id);
        let row = match position {
            Some(i) => &mut rows[i],
            None => {
                rows.push(AttendanceRow {
                    student: super::model::Person {
                        id: user_id,
                        email,
                        first_name,
                        last_name,
                    },
                    status: None,
                    detail_type: String::new(),
                    description: String::new(),
                    checked_in_at: None,
                    enrolled_later: false,
                });
                let last = rows.len() - 1;
                &mut rows[last]
            }
        };
        row.status = AttendanceStatus::parse(&status);
        row.detail_type = detail_type;
        row.description = description;
        row.checked_in_at = checked_in_at;
        row.enrolled_later = false;
    }
    let now = Utc::now();
    let check_in = match (&lecture.checkin_secret, lecture.checkin_open_until) {
        (Some(secret), Some(until)) if until > now => Some(CheckInState {
            code: codes::check_in_code(secret, now),
            open_until: until,
        }),
        _ => None,
    };
    Ok(AttendanceSheet {
        lecture: record.summary(tz, &lecture, None),
        class_title: class.title,
        rows,
        check_in,
    })
}

/// One student's mark on the sheet.
#[derive(Clone, Debug)]
pub struct Mark {
    pub student_id: String,
    pub status: AttendanceStatus,
    pub detail_type: String,
    pub description: String,
}

/// Records marks for a lecture in one transaction. Every student must be on the class's
/// roster (or already marked): marking strangers is refused.
pub async fn save(db: &Db, user: &User, lecture_id: &str, marks: &[Mark]) -> Result<(), AppError> {
    let lecture = row(db, lecture_id).await?;
    let allowed: Vec<String> = db_run!(db.reader(), |pool| {
        sqlx::query_scalar(
            "SELECT user_id FROM enrollments WHERE class_id = $1 AND status = 'active' \
             UNION SELECT user_id FROM attendances WHERE lecture_id = $2",
        )
        .bind(&lecture.class_id)
        .bind(lecture_id)
        .fetch_all(pool)
        .await
    })?;
    if let Some(stranger) = marks.iter().find(|m| !allowed.contains(&m.student_id)) {
        tracing::info!(student = %stranger.student_id, "attendance for a student not on the roster refused");
        return Err(AppError::field("status", "not_on_roster").with_status());
    }
    let now = Utc::now();
    let sql = "INSERT INTO attendances (lecture_id, user_id, status, detail_type, description, created_at, created_by, updated_at, updated_by) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $6, $7) \
         ON CONFLICT (lecture_id, user_id) DO UPDATE SET status = excluded.status, detail_type = excluded.detail_type, \
         description = excluded.description, updated_at = excluded.updated_at, updated_by = excluded.updated_by";
    db_run!(db.writer(), |pool| {
        let mut tx = pool.begin().await?;
        for mark in marks {
            sqlx::query(sql)
                .bind(lecture_id)
                .bind(&mark.student_id)
                .bind(mark.status.as_str())
                .bind(&mark.detail_type)
                .bind(&mark.description)
                .bind(now)
                .bind(&user.id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await
    })?;
    Ok(())
}

/// Opens self check-in for `minutes`, with a fresh code secret.
pub async fn open_check_in(
    db: &Db,
    user: &User,
    lecture_id: &str,
    minutes: i64,
) -> Result<(), AppError> {
    let now = Utc::now();
    let until = now + Duration::minutes(minutes);
    let secret = codes::check_in_secret();
    db_run!(db.writer(), |pool| {
        sqlx::query(
            "UPDATE lectures SET checkin_secret = $1, checkin_open_until = $2, attendance_type = 'self_check_in', \
             updated_at = $3, updated_by = $4 WHERE id = $5",
        )
        .bind(&secret)
        .bind(until)
        .bind(now)
        .bind(&user.id)
        .bind(lecture_id)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// Closes self check-in now.
pub async fn close_check_in(db: &Db, user: &User, lecture_id: &str) -> Result<(), AppError> {
    let now = Utc::now();
    db_run!(db.writer(), |pool| {
        sqlx::query(
            "UPDATE lectures SET checkin_secret = NULL, checkin_open_until = NULL, updated_at = $1, updated_by = $2 \
             WHERE id = $3",
        )
        .bind(now)
        .bind(&user.id)
        .bind(lecture_id)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(())
}

/// Failed check-in codes a student may type in 15 minutes.
pub const CHECK_IN_FAILURES: crate::auth::limits::Limit = crate::auth::limits::Limit {
    kind: "check_in_user",
    max: 10,
    window: Duration::minutes(15),
};

/// A student checks in with the code on screen: the lecture is found among the open
/// check-ins of their classes. Present, or late after [`LATE_AFTER`]. Returns the
/// lecture's id.
pub async fn check_in(db: &Db, student: &User, code: &str) -> Result<String, AppError> {
    use crate::auth::limits;
    let code = code.trim();
    if code.is_empty() {
        return Err(AppError::field("code", "required").with_status());
    }
    limits::check(db, CHECK_IN_FAILURES, &student.id).await?;
    let now = Utc::now();
    let open: Vec<(String, String, DateTime<Utc>)> = db_run!(db.reader(), |pool| {
        sqlx::query_as(
            "SELECT l.id, l.checkin_secret, l.starts_at FROM lectures l \
             JOIN enrollments e ON e.class_id = l.class_id AND e.user_id = $1 AND e.status = 'active' \
             WHERE l.checkin_secret IS NOT NULL AND l.checkin_open_until > $2",
        )
        .bind(&student.id)
        .bind(now)
        .fetch_all(pool)
        .await
    })?;
    let Some((lecture_id, _, starts_at)) = open
        .into_iter()
        .find(|(_, secret, _)| codes::check_in_code_matches(secret, code, now))
    else {
        limits::record(db, CHECK_IN_FAILURES, &student.id).await?;
        return Err(AppError::field("code", "wrong_check_in_code").with_status());
    };
    let status = if now > starts_at + LATE_AFTER {
        AttendanceStatus::Late
    } else {
        AttendanceStatus::Present
    };
    // A mark the instructor already made stays; checking in twice changes nothing.
    db_run!(db.writer(), |pool| {
        sqlx::query(
            "INSERT INTO attendances (lecture_id, user_id, status, detail_type, description, checked_in_at, \
             created_at, created_by, updated_at, updated_by) VALUES ($1, $2, $3, 'self_check_in', '', $4, $4, $2, $4, $2) \
             ON CONFLICT (lecture_id, user_id) DO NOTHING",
        )
        .bind(&lecture_id)
        .bind(&student.id)
        .bind(status.as_str())
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    Ok(lecture_id)
}

/// Lectures of `class_ids` starting between `from` and `to`, with their counts.
pub async fn between(
    db: &Db,
    tz: Tz,
    class_ids: &[String],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<LectureSummary>, AppError> {
    let mut found = Vec::new();
    for class_id in class_ids {
        let record = ClassRecord::load(db, class_id).await?;
        found.extend(
            record
                .lectures
                .iter()
                .filter(|l| l.starts_at >= from && l.starts_at < to)
                .map(|l| record.summary(tz, l, None)),
        );
    }
    found.sort_by_key(|l| l.starts_at);
    Ok(found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn local_times_follow_the_site_zone() {
        let local = NaiveDateTime::parse_from_str("2026-11-22T09:30", "%Y-%m-%dT%H:%M").unwrap();
        let seoul = local_to_utc(chrono_tz::Asia::Seoul, local);
        assert_eq!(seoul.to_rfc3339(), "2026-11-22T00:30:00+00:00");
        // 02:30 does not exist in New York on 2026-03-08: the next valid time is used.
        let gap = NaiveDateTime::parse_from_str("2026-03-08T02:30", "%Y-%m-%dT%H:%M").unwrap();
        let ny = local_to_utc(chrono_tz::America::New_York, gap);
        assert_eq!(ny.to_rfc3339(), "2026-03-08T07:30:00+00:00");
    }
}
