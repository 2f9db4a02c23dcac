//! The help desk's and presence's data as the pages, the API and the live messages
//! carry it (seed 002's help requests, seed 000's instructor status).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// How urgent a help request is; the queue takes higher first, then older.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Priority {
    Low,
    Medium,
    High,
}

impl Priority {
    pub fn as_str(self) -> &'static str {
        match self {
            Priority::Low => "low",
            Priority::Medium => "medium",
            Priority::High => "high",
        }
    }

    pub fn parse(value: &str) -> Option<Priority> {
        [Priority::Low, Priority::Medium, Priority::High]
            .into_iter()
            .find(|p| p.as_str() == value)
    }
}

/// Where a help request is: waiting, taken by an instructor, or closed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HelpStatus {
    Pending,
    InProgress,
    Resolved,
    Cancelled,
}

impl HelpStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            HelpStatus::Pending => "pending",
            HelpStatus::InProgress => "in_progress",
            HelpStatus::Resolved => "resolved",
            HelpStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(value: &str) -> Option<HelpStatus> {
        [
            HelpStatus::Pending,
            HelpStatus::InProgress,
            HelpStatus::Resolved,
            HelpStatus::Cancelled,
        ]
        .into_iter()
        .find(|s| s.as_str() == value)
    }

    /// Pending or in progress.
    pub fn is_open(self) -> bool {
        matches!(self, HelpStatus::Pending | HelpStatus::InProgress)
    }
}

/// One help request, with seed 002's field names and the context of S2.13.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HelpRequest {
    pub id: String,
    pub class_id: String,
    /// Seed 002's student id: Lectern knows the notebook's students by email.
    pub user_id: String,
    pub user_name: String,
    pub team_name: Option<String>,
    pub message: String,
    pub status: HelpStatus,
    pub priority: Priority,
    pub notebook_path: Option<String>,
    pub cell_id: Option<String>,
    pub code: Option<String>,
    pub last_error: Option<String>,
    /// `client`, `extension` or `page`.
    pub source: String,
    pub instructor_id: Option<String>,
    pub instructor_name: Option<String>,
    pub response: Option<String>,
    pub created_at: DateTime<Utc>,
    pub taken_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// Orders open requests as the queue takes them: higher priority first, then older.
pub fn queue_order(a: &HelpRequest, b: &HelpRequest) -> std::cmp::Ordering {
    b.priority
        .cmp(&a.priority)
        .then(a.created_at.cmp(&b.created_at))
        .then(a.id.cmp(&b.id))
}

/// An instructor's presence (seed 000).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Presence {
    Available,
    InSession,
    Break,
    Offline,
}

impl Presence {
    pub const ALL: [Presence; 4] = [
        Presence::Available,
        Presence::InSession,
        Presence::Break,
        Presence::Offline,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Presence::Available => "available",
            Presence::InSession => "in_session",
            Presence::Break => "break",
            Presence::Offline => "offline",
        }
    }

    pub fn parse(value: &str) -> Option<Presence> {
        Presence::ALL.into_iter().find(|p| p.as_str() == value)
    }
}

/// An instructor's current status, as `GET /instructors/status` lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct InstructorStatus {
    pub id: String,
    pub name: String,
    pub email: String,
    pub status: Presence,
    pub status_updated_at: DateTime<Utc>,
    /// When a break ends by itself.
    pub break_until: Option<DateTime<Utc>>,
    /// The help request of the current session.
    pub current_session_id: Option<String>,
    /// Students in an open session with this instructor.
    pub active_students_count: i64,
}

/// A stretch of one status in an instructor's history.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StatusStretch {
    pub status: Presence,
    pub help_request_id: Option<String>,
    pub student_email: Option<String>,
    pub started_at: DateTime<Utc>,
    pub ended_at: Option<DateTime<Utc>>,
    /// Seconds; for the open stretch, so far.
    pub duration_seconds: i64,
}

/// How much an instructor is doing, and how quickly (S0.6).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Workload {
    pub instructor_id: String,
    pub name: String,
    pub status: Presence,
    /// Help requests this instructor has in progress.
    pub active_sessions: i64,
    /// Distinct students whose requests this instructor resolved.
    pub students_helped: i64,
    pub requests_resolved: i64,
    /// Seconds from a request being raised to this instructor taking it.
    pub average_seconds_to_take: Option<f64>,
    /// Seconds from taking a request to resolving it.
    pub average_seconds_to_resolve: Option<f64>,
}

/// A student's help desk in one class: their open request and where it stands, what
/// was answered before, and who can help now.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct StudentDesk {
    pub class_id: String,
    pub class_title: String,
    pub open: Option<HelpRequest>,
    /// 1 for the next to be taken; `None` once taken.
    pub position: Option<usize>,
    pub history: Vec<HelpRequest>,
    pub available: Vec<InstructorStatus>,
}
