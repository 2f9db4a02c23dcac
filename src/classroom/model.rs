//! The live classroom as the dashboard sees it, shared by the server (which builds it)
//! and the browser (which keeps it current from WebSocket messages). Field names are
//! seed 002's camelCase ones, so the JSON API and the WebSocket carry the same objects.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

use crate::helpdesk::model::{HelpRequest, InstructorStatus, queue_order};

/// Seen within this long, a student counts as active.
pub const ACTIVE_MINUTES: i64 = 5;
/// Failed executions in a row that mark a student as struggling (S2.12).
pub const ERROR_STREAK: i64 = 3;
/// Minutes of history in the activity chart.
pub const CHART_MINUTES: i64 = 60;

/// A student's state on the dashboard, most urgent first: an open help request, then
/// repeated errors, then recent activity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LiveStatus {
    Help,
    Error,
    Active,
    Inactive,
}

impl LiveStatus {
    pub const ALL: [LiveStatus; 4] = [
        LiveStatus::Help,
        LiveStatus::Error,
        LiveStatus::Active,
        LiveStatus::Inactive,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            LiveStatus::Help => "help",
            LiveStatus::Error => "error",
            LiveStatus::Active => "active",
            LiveStatus::Inactive => "inactive",
        }
    }

    pub fn parse(value: &str) -> Option<LiveStatus> {
        LiveStatus::ALL.into_iter().find(|s| s.as_str() == value)
    }
}

/// Sorts teams letters first, then numbers in numeric order.
pub fn team_order(team: &str) -> (bool, u8, String) {
    match team.parse::<u8>() {
        Ok(n) => (true, n, String::new()),
        Err(_) => (false, 0, team.to_owned()),
    }
}

/// One student of a class's live classroom.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StudentState {
    pub id: i64,
    pub email_address: String,
    pub user_name: String,
    pub team_name: Option<String>,
    pub current_notebook: Option<String>,
    /// When the student's notebook last reported (ISO 8601); `lastSeen` is the same.
    pub last_activity: Option<DateTime<Utc>>,
    pub last_seen: Option<DateTime<Utc>>,
    /// The status when the message was built; [`StudentState::status_at`] moves it on.
    pub status: LiveStatus,
    pub cell_executions: i64,
    pub error_count: i64,
    pub error_streak: i64,
    /// "NameError in lesson1.ipynb cell 12" while the last execution failed.
    pub last_error: Option<String>,
    pub is_requesting_help: bool,
    /// Completion of the current notebook, 0–100.
    pub progress_percentage: u8,
    /// Grows with every change: of two states of one student, the higher is newer.
    pub version: i64,
}

impl StudentState {
    /// The status at `now`: activity fades to inactive without any new event.
    pub fn status_at(&self, now: DateTime<Utc>) -> LiveStatus {
        if self.is_requesting_help {
            LiveStatus::Help
        } else if self.error_streak >= ERROR_STREAK {
            LiveStatus::Error
        } else if self
            .last_activity
            .is_some_and(|at| now - at <= Duration::minutes(ACTIVE_MINUTES))
        {
            LiveStatus::Active
        } else {
            LiveStatus::Inactive
        }
    }
}

/// The headline numbers of a class.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Metrics {
    pub total_students: i64,
    pub total_active: i64,
    /// Students in the `error` state.
    pub error_count: i64,
    pub total_executions: i64,
    pub help_count: i64,
}

impl Metrics {
    /// The metrics of `students` at `now`.
    pub fn of(students: &[StudentState], now: DateTime<Utc>) -> Metrics {
        let mut metrics = Metrics {
            total_students: students.len() as i64,
            ..Metrics::default()
        };
        for student in students {
            metrics.total_executions += student.cell_executions;
            match student.status_at(now) {
                LiveStatus::Help => metrics.help_count += 1,
                LiveStatus::Error => metrics.error_count += 1,
                LiveStatus::Active => metrics.total_active += 1,
                LiveStatus::Inactive => {}
            }
        }
        metrics
    }
}

/// One minute of the activity chart.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChartPoint {
    pub time: DateTime<Utc>,
    pub total_executions: i64,
    pub errors: i64,
    /// Errors over executions, 0–1.
    pub error_rate: f64,
}

impl ChartPoint {
    pub fn new(time: DateTime<Utc>, total_executions: i64, errors: i64) -> ChartPoint {
        let error_rate = if total_executions > 0 {
            errors as f64 / total_executions as f64
        } else {
            0.0
        };
        ChartPoint {
            time,
            total_executions,
            errors,
            error_rate,
        }
    }
}

/// Students whose last execution failed with the same error (S2.12).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorGroup {
    pub error: String,
    pub students: Vec<String>,
}

/// Groups `students` by their current error, largest group first.
pub fn error_groups(students: &[StudentState]) -> Vec<ErrorGroup> {
    let mut groups: Vec<ErrorGroup> = Vec::new();
    for student in students {
        let Some(error) = &student.last_error else {
            continue;
        };
        match groups.iter_mut().find(|g| &g.error == error) {
            Some(group) => group.students.push(student.email_address.clone()),
            None => groups.push(ErrorGroup {
                error: error.clone(),
                students: vec![student.email_address.clone()],
            }),
        }
    }
    groups.sort_by(|a, b| {
        b.students
            .len()
            .cmp(&a.students.len())
            .then(a.error.cmp(&b.error))
    });
    groups
}

/// Everything the dashboard shows of one class (seed 002's overview, plus error groups
/// and the sequence number of the last live message it includes).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Overview {
    pub class_id: String,
    pub class_title: String,
    pub students: Vec<StudentState>,
    pub metrics: Metrics,
    pub activity_chart: Vec<ChartPoint>,
    pub error_groups: Vec<ErrorGroup>,
    /// The open help requests, in queue order.
    #[serde(default)]
    pub help_requests: Vec<HelpRequest>,
    /// Every instructor's status.
    #[serde(default)]
    pub instructors: Vec<InstructorStatus>,
    /// The ids of the class's own instructors (a request is handed over to one of them).
    #[serde(default)]
    pub class_instructors: Vec<String>,
    pub seq: u64,
    pub generated_at: DateTime<Utc>,
}

/// One execution in a student's detail page.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Execution {
    pub timestamp: DateTime<Utc>,
    pub notebook_path: String,
    pub cell_id: String,
    pub status: String,
    pub execution_time: Option<f64>,
    pub error_type: Option<String>,
    pub error_message: Option<String>,
    pub code: Option<String>,
    pub output: Option<String>,
    pub truncated: bool,
}

/// A notebook a student has worked in.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NotebookProgress {
    pub path: String,
    pub last_accessed: DateTime<Utc>,
    pub execution_count: i64,
    /// Cells run successfully over the most any classmate has, 0–1.
    pub completion_rate: f64,
}

/// Totals of a student's detail page (seed 002's `student`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StudentTotals {
    #[serde(flatten)]
    pub state: StudentState,
    pub total_executions: i64,
    pub successful_executions: i64,
    /// Seconds, over the executions that reported a time.
    pub average_execution_time: Option<f64>,
}

/// A student's detail page (S2.5).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StudentDetail {
    pub class_id: String,
    pub class_title: String,
    /// Whether the class keeps code and output (S2.14).
    pub stores_code: bool,
    pub student: StudentTotals,
    pub recent_activity: Vec<Execution>,
    pub errors: Vec<Execution>,
    pub notebooks: Vec<NotebookProgress>,
}

/// A class's privacy settings (S2.14).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Privacy {
    pub store_code: bool,
    /// Days after which code and output are purged; `None` keeps them.
    pub retention_days: Option<i64>,
}

/// How a class's notebooks connect, and what the class keeps (for its staff).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct LiveSettings {
    /// Lectern's public URL, for the notebook client's `LECTERN_URL`.
    pub server_url: String,
    pub ingest_token: String,
    pub privacy: Privacy,
}

/// The dashboard's copy of a class, kept current by the live messages of §5.4.
#[derive(Clone, Debug, PartialEq)]
pub struct Board {
    pub students: Vec<StudentState>,
    pub chart: Vec<ChartPoint>,
    /// Open help requests, in queue order.
    pub help: Vec<HelpRequest>,
    pub instructors: Vec<InstructorStatus>,
    pub class_instructors: Vec<String>,
    /// The last message applied.
    pub seq: u64,
}

/// A live message as received: `{"type", "data", "timestamp", "seq"}`. `data` stays text
/// until its kind says what it holds, and is then read straight into that type: the
/// browser's bundle carries one reader per type and no generic JSON tree.
#[derive(Clone, Debug, Deserialize)]
pub struct LiveMessage {
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub data: Option<Box<serde_json::value::RawValue>>,
    #[serde(default)]
    pub seq: u64,
}

/// `cell_execution`'s data.
#[derive(Deserialize)]
struct CellExecution {
    #[serde(default)]
    execution_status: String,
    executed_at: Option<DateTime<Utc>>,
    student: StudentState,
}

/// `help_request`'s and `help_resolved`'s data (`student` is absent for someone the
/// class has no tile for yet).
#[derive(Deserialize)]
struct HelpChange {
    #[serde(default)]
    student: Option<StudentState>,
    request: HelpRequest,
}

/// `student_removed`'s data.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Removed {
    email_address: String,
}

/// `delta_update`'s data: the changes since the last message, and the executions they
/// counted.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Delta {
    #[serde(default)]
    changes: Vec<Change>,
    #[serde(default)]
    executions: i64,
    #[serde(default)]
    errors: i64,
    last_execution_at: Option<DateTime<Utc>>,
}

/// One change of a [`Delta`]; `value` is read by its `target`.
#[derive(Deserialize)]
struct Change {
    #[serde(default)]
    operation: String,
    #[serde(default)]
    target: String,
    #[serde(default)]
    identifier: String,
    value: Option<Box<serde_json::value::RawValue>>,
}

/// `raw` read as a `T`, if it is one.
fn read<T: serde::de::DeserializeOwned>(raw: Option<&serde_json::value::RawValue>) -> Option<T> {
    serde_json::from_str(raw?.get()).ok()
}

impl Board {
    pub fn new(overview: &Overview) -> Board {
        Board {
            students: overview.students.clone(),
            chart: overview.activity_chart.clone(),
            help: overview.help_requests.clone(),
            instructors: overview.instructors.clone(),
            class_instructors: overview.class_instructors.clone(),
            seq: overview.seq,
        }
    }

    /// Takes a help request's new state: kept in queue order while open, dropped once
    /// closed.
    fn help_changed(&mut self, request: HelpRequest) {
        self.help.retain(|r| r.id != request.id);
        if request.status.is_open() {
            self.help.push(request);
            self.help.sort_by(queue_order);
        }
    }

    /// Takes an instructor's new status.
    fn instructor_changed(&mut self, status: InstructorStatus) {
        match self.instructors.iter_mut().find(|i| i.id == status.id) {
            Some(known) => *known = status,
            None => {
                self.instructors.push(status);
                self.instructors
                    .sort_by(|a, b| (&a.name, &a.email).cmp(&(&b.name, &b.email)));
            }
        }
    }

    /// Takes `student` unless a newer state of them is already here.
    fn upsert(&mut self, student: StudentState) {
        match self
            .students
            .iter_mut()
            .find(|s| s.email_address == student.email_address)
        {
            // A student deleted and back again has a new id and counts from scratch.
            Some(known) if known.version <= student.version || known.id != student.id => {
                *known = student
            }
            Some(_) => {}
            None => {
                let at = self.students.partition_point(|s| {
                    (&s.user_name, &s.email_address) < (&student.user_name, &student.email_address)
                });
                self.students.insert(at, student);
            }
        }
    }

    /// Counts executions into the chart's minute of `at`, moving the hour on as needed.
    fn count(&mut self, at: DateTime<Utc>, executions: i64, errors: i64) {
        let minute = at.timestamp().div_euclid(60) * 60;
        let Some(last) = self.chart.last().map(|p| p.time.timestamp()) else {
            return;
        };
        let mut last = last;
        while minute > last && !self.chart.is_empty() {
            last += 60;
            self.chart.remove(0);
            self.chart.push(ChartPoint::new(
                DateTime::from_timestamp(last, 0).unwrap_or(at),
                0,
                0,
            ));
        }
        if let Some(point) = self.chart.iter_mut().find(|p| p.time.timestamp() == minute) {
            *point = ChartPoint::new(
                point.time,
                point.total_executions + executions,
                point.errors + errors,
            );
        }
    }

    /// Applies one message; `false` when it was not understood (then a fresh snapshot
    /// is the safe way on).
    pub fn apply(&mut self, message: LiveMessage) -> bool {
        // Already in the board (a resumed or snapshot-covered message).
        if message.kind != "snapshot" && message.seq != 0 && message.seq <= self.seq {
            return true;
        }
        let data = message.data.as_deref();
        let understood = match message.kind.as_str() {
            "snapshot" => match read::<Overview>(data) {
                Some(overview) => {
                    *self = Board::new(&overview);
                    return true;
                }
                None => false,
            },
            "cell_execution" => match read::<CellExecution>(data) {
                Some(execution) => {
                    let failed = execution.execution_status == "error";
                    let at = execution.executed_at.unwrap_or_else(Utc::now);
                    self.count(at, 1, i64::from(failed));
                    self.upsert(execution.student);
                    true
                }
                None => false,
            },
            "student_progress_update" => match read::<StudentState>(data) {
                Some(student) => {
                    self.upsert(student);
                    true
                }
                None => false,
            },
            "help_request" | "help_resolved" => match read::<HelpChange>(data) {
                Some(change) => {
                    if let Some(student) = change.student {
                        self.upsert(student);
                    }
                    self.help_changed(change.request);
                    true
                }
                None => false,
            },
            "instructor_status_update" => match read::<InstructorStatus>(data) {
                Some(status) => {
                    self.instructor_changed(status);
                    true
                }
                None => false,
            },
            "student_removed" => match read::<Removed>(data) {
                Some(removed) => {
                    self.students
                        .retain(|s| s.email_address != removed.email_address);
                    true
                }
                None => false,
            },
            "delta_update" => match read::<Delta>(data) {
                Some(delta) => {
                    self.apply_delta(delta);
                    true
                }
                None => false,
            },
            // Messages of other features, and the answer to a keep-alive.
            _ => true,
        };
        if understood && message.seq > self.seq {
            self.seq = message.seq;
        }
        understood
    }

    fn apply_delta(&mut self, delta: Delta) {
        for change in delta.changes {
            let value = change.value.as_deref();
            match (change.operation.as_str(), change.target.as_str()) {
                ("remove", _) => self
                    .students
                    .retain(|s| s.email_address != change.identifier),
                (_, "help_request") => {
                    if let Some(request) = read::<HelpRequest>(value) {
                        self.help_changed(request);
                    }
                }
                (_, "instructor") => {
                    if let Some(status) = read::<InstructorStatus>(value) {
                        self.instructor_changed(status);
                    }
                }
                _ => {
                    if let Some(student) = read::<StudentState>(value) {
                        self.upsert(student);
                    }
                }
            }
        }
        if delta.executions > 0 {
            let at = delta.last_execution_at.unwrap_or_else(Utc::now);
            self.count(at, delta.executions, delta.errors);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn student(email: &str) -> StudentState {
        StudentState {
            id: 1,
            email_address: email.to_owned(),
            user_name: String::new(),
            team_name: None,
            current_notebook: None,
            last_activity: None,
            last_seen: None,
            status: LiveStatus::Inactive,
            cell_executions: 0,
            error_count: 0,
            error_streak: 0,
            last_error: None,
            is_requesting_help: false,
            progress_percentage: 0,
            version: 0,
        }
    }

    #[test]
    fn status_follows_help_then_errors_then_activity() {
        let now = Utc::now();
        let mut s = student("a@x.org");
        assert_eq!(s.status_at(now), LiveStatus::Inactive);
        s.last_activity = Some(now - Duration::minutes(1));
        assert_eq!(s.status_at(now), LiveStatus::Active);
        assert_eq!(
            s.status_at(now + Duration::minutes(ACTIVE_MINUTES)),
            LiveStatus::Inactive
        );
        s.error_streak = ERROR_STREAK;
        assert_eq!(s.status_at(now), LiveStatus::Error);
        s.is_requesting_help = true;
        assert_eq!(s.status_at(now), LiveStatus::Help);
    }

    fn message(kind: &str, data: serde_json::Value, seq: u64) -> LiveMessage {
        let text = serde_json::json!({"type": kind, "data": data, "seq": seq}).to_string();
        serde_json::from_str(&text).unwrap()
    }

    #[test]
    fn the_board_follows_live_messages() {
        let now = Utc::now();
        let minute = DateTime::from_timestamp(now.timestamp().div_euclid(60) * 60, 0).unwrap();
        let mut board = Board {
            students: vec![student("b@x.org")],
            chart: vec![ChartPoint::new(minute, 0, 0)],
            help: Vec::new(),
            instructors: Vec::new(),
            class_instructors: Vec::new(),
            seq: 4,
        };
        let mut a = student("a@x.org");
        a.version = 3;
        a.cell_executions = 7;
        let execution = serde_json::json!({
            "student": a, "execution_status": "error", "executed_at": now,
        });
        assert!(board.apply(message("cell_execution", execution, 5)));
        assert_eq!(board.seq, 5);
        assert_eq!(
            board.students[0].email_address, "a@x.org",
            "kept in name order"
        );
        assert_eq!(board.chart[0].total_executions, 1);
        assert_eq!(board.chart[0].errors, 1);
        // An older state arriving late changes nothing.
        let mut old = a.clone();
        old.version = 2;
        old.cell_executions = 5;
        assert!(board.apply(message(
            "student_progress_update",
            serde_json::json!(old),
            6
        )));
        assert_eq!(board.students[0].cell_executions, 7);
        let delta = serde_json::json!({
            "changes": [{"operation": "remove", "target": "student", "identifier": "b@x.org"}],
            "executions": 3, "errors": 0, "lastExecutionAt": now,
        });
        assert!(board.apply(message("delta_update", delta, 9)));
        assert_eq!(board.students.len(), 1);
        assert_eq!(board.chart[0].total_executions, 4);
        assert!(!board.apply(message("snapshot", serde_json::json!({"nonsense": 1}), 10)));
        assert!(!board.apply(message(
            "delta_update",
            serde_json::json!({"changes": 1}),
            10
        )));
        assert_eq!(board.seq, 9);
        let removed = serde_json::json!({"emailAddress": "a@x.org"});
        assert!(board.apply(message("student_removed", removed, 10)));
        assert!(board.students.is_empty());
        assert_eq!(board.seq, 10);
    }

    #[test]
    fn students_are_grouped_by_their_current_error() {
        let mut students: Vec<StudentState> = ["a", "b", "c", "d"]
            .iter()
            .map(|n| student(&format!("{n}@x.org")))
            .collect();
        students[0].last_error = Some("NameError in l1 cell 2".into());
        students[1].last_error = Some("TypeError in l1 cell 5".into());
        students[2].last_error = Some("TypeError in l1 cell 5".into());
        let groups = error_groups(&students);
        assert_eq!(groups.len(), 2);
        assert_eq!(groups[0].error, "TypeError in l1 cell 5");
        assert_eq!(groups[0].students, ["b@x.org", "c@x.org"]);
        assert_eq!(groups[1].students, ["a@x.org"]);
    }

    #[test]
    fn the_board_keeps_the_help_queue_and_the_instructors() {
        use crate::helpdesk::model::{HelpStatus, Presence, Priority};
        let request = |id: &str, priority: Priority, status: HelpStatus| HelpRequest {
            id: id.to_owned(),
            class_id: "c".to_owned(),
            user_id: format!("{id}@x.org"),
            user_name: String::new(),
            team_name: None,
            message: String::new(),
            status,
            priority,
            notebook_path: None,
            cell_id: None,
            code: None,
            last_error: None,
            source: "client".to_owned(),
            instructor_id: None,
            instructor_name: None,
            response: None,
            created_at: Utc::now(),
            taken_at: None,
            closed_at: None,
        };
        let mut board = Board {
            students: Vec::new(),
            chart: Vec::new(),
            help: Vec::new(),
            instructors: Vec::new(),
            class_instructors: Vec::new(),
            seq: 0,
        };
        let mut helped = student("a@x.org");
        helped.is_requesting_help = true;
        let raised = serde_json::json!({"request": request("a", Priority::Low, HelpStatus::Pending), "student": helped});
        assert!(board.apply(message("help_request", raised, 1)));
        assert_eq!(board.students[0].status_at(Utc::now()), LiveStatus::Help);
        // A more urgent one goes first.
        let urgent = serde_json::json!({"request": request("b", Priority::High, HelpStatus::Pending), "student": null});
        assert!(board.apply(message("help_request", urgent, 2)));
        let order: Vec<&str> = board.help.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(order, ["b", "a"]);
        // Closed in a delta; an instructor's status in another.
        let closed = request("b", Priority::High, HelpStatus::Resolved);
        let delta = serde_json::json!({"changes": [
            {"operation": "update", "target": "help_request", "identifier": "b", "value": closed},
        ]});
        assert!(board.apply(message("delta_update", delta, 3)));
        assert_eq!(board.help.len(), 1);
        let status = InstructorStatus {
            id: "t".to_owned(),
            name: "Tea".to_owned(),
            email: "t@x.org".to_owned(),
            status: Presence::Break,
            status_updated_at: Utc::now(),
            break_until: None,
            current_session_id: None,
            active_students_count: 0,
        };
        assert!(board.apply(message(
            "instructor_status_update",
            serde_json::json!(status),
            4
        )));
        assert_eq!(board.instructors[0].status, Presence::Break);
        // A malformed request is not understood: the dashboard asks for a snapshot.
        let bad = serde_json::json!({"request": {"id": 5}, "student": null});
        assert!(!board.apply(message("help_resolved", bad, 5)));
    }
}
