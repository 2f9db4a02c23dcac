//! What the course pages and server functions exchange: courses, classes, rosters,
//! lectures, attendance, certificates, interests and account requests.

use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Audit columns (S3.11): who created and last changed a record, and when.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Audit {
    pub created_at: DateTime<Utc>,
    pub created_by: Option<String>,
    pub updated_at: DateTime<Utc>,
    pub updated_by: Option<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Course {
    pub id: String,
    pub title: String,
    pub description: String,
    pub keyword: String,
    pub active: bool,
    #[cfg_attr(feature = "ssr", sqlx(flatten))]
    pub audit: Audit,
}

/// Search and paging of the courses list.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CourseQuery {
    #[serde(default)]
    pub search: String,
    /// Also list deactivated courses.
    #[serde(default)]
    pub include_inactive: bool,
    #[serde(default = "first_page")]
    pub page: i64,
}

fn first_page() -> i64 {
    1
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CourseListing {
    pub courses: Vec<Course>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

/// A course with its classes, and what the asking user may do with it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CoursePage {
    pub course: Course,
    pub classes: Vec<ClassSummary>,
    pub may_edit: bool,
    /// The user teaches one of its classes (or administers): may issue certificates.
    pub may_certify: bool,
    pub certifications: Vec<Certification>,
    /// Students of its classes, for issuing one certificate by hand.
    pub students: Vec<Person>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ClassSummary {
    pub id: String,
    pub course_id: String,
    pub course_title: String,
    pub title: String,
    pub subject: String,
    pub begins_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub archived: bool,
    pub students: i64,
    pub pending: i64,
}

/// A class as its instructors see it (students see a [`ClassSummary`] and lectures).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Class {
    pub id: String,
    pub course_id: String,
    pub course_title: String,
    pub title: String,
    pub subject: String,
    pub lecturer_info: String,
    pub date_info: String,
    pub begins_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub join_code: String,
    pub join_approval: bool,
    pub ingest_token: String,
    pub archived: bool,
    #[cfg_attr(feature = "ssr", sqlx(flatten))]
    pub audit: Audit,
}

/// What the asking user is to a class.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClassRole {
    /// One of its instructors, or an administrator.
    Staff,
    /// An active student of the class.
    Student,
}

/// The class page: the class, and for staff the roster, instructors and join requests.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassPage {
    pub role: ClassRole,
    /// Join code and ingest token are blank for students.
    pub class: Class,
    pub instructors: Vec<Person>,
    pub roster: Vec<RosterEntry>,
    pub pending: Vec<RosterEntry>,
    pub lectures: Vec<LectureSummary>,
    /// Attended lectures / counted lectures over the whole class, in percent.
    pub attendance_rate: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Person {
    pub id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
}

impl Person {
    pub fn name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RosterEntry {
    pub student: Person,
    pub enrolled_at: Option<DateTime<Utc>>,
    pub attended: i64,
    pub counted: i64,
}

impl RosterEntry {
    /// Attendance in percent, when a lecture has counted for this student.
    pub fn rate(&self) -> Option<f64> {
        rate(self.attended, self.counted)
    }
}

/// `part` of `whole` in percent; `None` when there is nothing to count.
pub fn rate(part: i64, whole: i64) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

/// How attendance is taken for a lecture.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AttendanceType {
    /// The instructor marks the roster.
    Manual,
    /// Students also check themselves in with the code on the instructor's screen.
    SelfCheckIn,
}

impl AttendanceType {
    pub const ALL: [AttendanceType; 2] = [AttendanceType::Manual, AttendanceType::SelfCheckIn];

    pub fn as_str(self) -> &'static str {
        match self {
            AttendanceType::Manual => "manual",
            AttendanceType::SelfCheckIn => "self_check_in",
        }
    }

    pub fn parse(value: &str) -> Option<AttendanceType> {
        Self::ALL.into_iter().find(|t| t.as_str() == value)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LectureSummary {
    pub id: String,
    pub class_id: String,
    pub title: String,
    pub sequence: i64,
    /// In the site's time zone.
    pub starts_at: DateTime<FixedOffset>,
    pub duration_minutes: i64,
    pub attendance_type: AttendanceType,
    pub present: i64,
    pub late: i64,
    pub absent: i64,
    /// Students expected: enrolled before it started, or marked anyway.
    pub expected: i64,
    /// The asking student's own mark, on a student's view.
    pub my_status: Option<AttendanceStatus>,
}

impl LectureSummary {
    /// Present and late over expected, in percent.
    pub fn rate(&self) -> Option<f64> {
        rate(self.present + self.late, self.expected)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AttendanceStatus {
    Present,
    Absent,
    Late,
}

impl AttendanceStatus {
    pub const ALL: [AttendanceStatus; 3] = [
        AttendanceStatus::Present,
        AttendanceStatus::Absent,
        AttendanceStatus::Late,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            AttendanceStatus::Present => "present",
            AttendanceStatus::Absent => "absent",
            AttendanceStatus::Late => "late",
        }
    }

    pub fn parse(value: &str) -> Option<AttendanceStatus> {
        Self::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// The status in the reader's language.
    pub fn label(self, t: &crate::i18n::Messages) -> &'static str {
        match self {
            AttendanceStatus::Present => t.attendance_present,
            AttendanceStatus::Absent => t.attendance_absent,
            AttendanceStatus::Late => t.attendance_late,
        }
    }

    /// Present and late both count as attended.
    pub fn attended(self) -> bool {
        self != AttendanceStatus::Absent
    }
}

/// The attendance sheet of one lecture.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttendanceSheet {
    pub lecture: LectureSummary,
    pub class_title: String,
    pub rows: Vec<AttendanceRow>,
    /// Self check-in: the current code and until when check-in stays open.
    pub check_in: Option<CheckInState>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CheckInState {
    pub code: String,
    pub open_until: DateTime<Utc>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AttendanceRow {
    pub student: Person,
    pub status: Option<AttendanceStatus>,
    pub detail_type: String,
    pub description: String,
    pub checked_in_at: Option<DateTime<Utc>>,
    /// Enrolled after the lecture started: not expected, never counted absent.
    pub enrolled_later: bool,
}

/// A certificate and what it certifies, for the printable and verification pages.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Certification {
    pub id: String,
    pub course_id: String,
    pub course_title: String,
    pub student_name: String,
    pub student_id: String,
    pub classes: Vec<CertifiedClass>,
    pub issued_at: DateTime<Utc>,
    pub issued_by: String,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CertifiedClass {
    pub id: String,
    pub title: String,
    pub begins_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
}

/// How many certificates a bulk issue made or updated.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BulkIssue {
    pub issued: i64,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct Interest {
    pub id: String,
    pub name: String,
    pub active: bool,
}

/// The catalogue with the asking user's choices marked.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InterestChoice {
    pub interest: Interest,
    pub chosen: bool,
}

/// A student's progress (S1.6): per class attendance, and certificates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub student: Person,
    pub classes: Vec<ClassProgress>,
    pub certifications: Vec<Certification>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassProgress {
    pub class: ClassSummary,
    pub attended: i64,
    pub counted: i64,
    pub lectures: Vec<LectureSummary>,
}

impl ClassProgress {
    pub fn rate(&self) -> Option<f64> {
        rate(self.attended, self.counted)
    }
}

/// "My classes": those taught and those attended.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MyClasses {
    pub teaching: Vec<ClassSummary>,
    pub attending: Vec<ClassSummary>,
    pub waiting: Vec<ClassSummary>,
}

/// The teacher dashboard: classes, students, upcoming lectures, today's attendance.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeacherDashboard {
    pub classes: Vec<ClassSummary>,
    pub students: i64,
    pub pending_joins: i64,
    pub today: Vec<LectureSummary>,
    pub upcoming: Vec<LectureSummary>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct AccountRequest {
    pub id: String,
    pub class_id: String,
    pub class_title: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub status: String,
    pub requested_by: String,
    pub created_at: DateTime<Utc>,
}

/// What joining by code did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum JoinOutcome {
    Joined,
    AwaitingApproval,
    AlreadyMember,
}

impl JoinOutcome {
    pub const ALL: [JoinOutcome; 3] = [
        JoinOutcome::Joined,
        JoinOutcome::AwaitingApproval,
        JoinOutcome::AlreadyMember,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            JoinOutcome::Joined => "joined",
            JoinOutcome::AwaitingApproval => "waiting",
            JoinOutcome::AlreadyMember => "already",
        }
    }

    pub fn parse(value: &str) -> Option<JoinOutcome> {
        Self::ALL.into_iter().find(|o| o.as_str() == value)
    }
}

/// The form key for a record id inside `name[...]` fields (the attendance sheet, check
/// box groups). The letter in front keeps the form decoder from reading an id that
/// starts with digits as a list index.
pub fn form_key(id: &str) -> String {
    format!("k{id}")
}

/// The record id in a key made by [`form_key`].
pub fn from_form_key(key: &str) -> Option<&str> {
    key.strip_prefix('k')
}
