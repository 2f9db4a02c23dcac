//! Live messages per class (SPEC §5.4). Each class has a feed: numbered frames, the last
//! few thousand kept so that a dashboard reconnecting with `?since=` gets what it
//! missed, fanned out to every open dashboard. A message is serialised once, however
//! many dashboards receive it. When frames come faster than one per [`WINDOW`], those
//! of a window go out together as one `delta_update`, so that 200 dashboards of a busy
//! class get a few messages a second each instead of thousands.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use axum::extract::ws::Utf8Bytes;

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};

use serde::{Deserialize, Serialize};

use super::model::{LiveStatus, StudentState};
use crate::helpdesk::model::{HelpRequest, InstructorStatus};

/// Frames kept per class for resuming.
const RECENT: usize = 4_096;
/// Updates (about a kilobyte each) that may wait for the relay to the other instances;
/// beyond, they are not relayed.
const RELAY_BACKLOG: usize = 20_000;
/// Messages a slow dashboard may fall behind before it is sent a fresh snapshot.
const CHANNEL: usize = 1_024;
/// At most one message per class this often; a frame after a quiet window goes at once.
const WINDOW: std::time::Duration = std::time::Duration::from_millis(5);

/// A change to announce.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub enum Update {
    /// A stored execution and the student's state after it (`cell_execution`).
    Execution {
        student: StudentState,
        notebook_path: String,
        cell_id: String,
        failed: bool,
        error_type: Option<String>,
        execution_time: Option<f64>,
        at: DateTime<Utc>,
    },
    /// A student's state changed otherwise (`student_progress_update`).
    Progress(StudentState),
    /// A student left the class's live roster.
    Removed { email: String },
    /// A help request was raised or changed (`help_request`), or closed
    /// (`help_resolved`), with the student's state after it.
    Help {
        request: Box<HelpRequest>,
        student: Option<Box<StudentState>>,
    },
    /// An instructor's status changed (`instructor_status_update`).
    Instructor(Box<InstructorStatus>),
}

impl Update {
    fn kind(&self) -> &'static str {
        match self {
            Update::Execution { .. } => "cell_execution",
            Update::Progress(_) => "student_progress_update",
            Update::Removed { .. } => "student_removed",
            Update::Help { request, .. } if request.status.is_open() => "help_request",
            Update::Help { .. } => "help_resolved",
            Update::Instructor(_) => "instructor_status_update",
        }
    }

    /// Whether the help desk changed (what students' pages follow).
    fn is_desk(&self) -> bool {
        matches!(self, Update::Help { .. } | Update::Instructor(_))
    }

    /// The message's `data`, serialised straight from the update (a busy class makes
    /// thousands a second).
    fn write(&self, seq: u64) -> String {
        match self {
            Update::Execution {
                student,
                notebook_path,
                cell_id,
                failed,
                error_type,
                execution_time,
                at,
            } => message(
                self.kind(),
                &ExecutionData {
                    email_address: &student.email_address,
                    cell_executions: student.cell_executions,
                    last_activity: student.last_activity,
                    status: student.status,
                    cell_id,
                    notebook_path,
                    execution_status: if *failed { "error" } else { "success" },
                    error_type: error_type.as_deref(),
                    execution_time: *execution_time,
                    executed_at: *at,
                    student,
                },
                seq,
            ),
            Update::Progress(student) => message(self.kind(), student, seq),
            Update::Removed { email } => {
                message(self.kind(), &json!({ "emailAddress": email }), seq)
            }
            // Seed 002's fields, then the whole request and the student's tile.
            Update::Help { request, student } => message(
                self.kind(),
                &json!({
                    "emailAddress": request.user_id,
                    "userName": request.user_name,
                    "teamName": request.team_name,
                    "isRequestingHelp": request.status.is_open(),
                    "message": request.message,
                    "lastActivity": student.as_ref().and_then(|s| s.last_activity),
                    "status": student.as_ref().map(|s| s.status),
                    "request": request,
                    "student": student,
                }),
                seq,
            ),
            Update::Instructor(status) => message(self.kind(), status, seq),
        }
    }
}

/// A `cell_execution` message's data: seed 002's fields, then the student's tile.
#[derive(Serialize)]
struct ExecutionData<'a> {
    #[serde(rename = "emailAddress")]
    email_address: &'a str,
    #[serde(rename = "cellExecutions")]
    cell_executions: i64,
    #[serde(rename = "lastActivity")]
    last_activity: Option<DateTime<Utc>>,
    status: LiveStatus,
    cell_id: &'a str,
    notebook_path: &'a str,
    execution_status: &'static str,
    error_type: Option<&'a str>,
    execution_time: Option<f64>,
    executed_at: DateTime<Utc>,
    student: &'a StudentState,
}

/// One numbered message of a class's feed.
#[derive(Debug)]
pub struct Frame {
    pub seq: u64,
    pub update: Update,
    /// The message as sent alone, written when first needed: a busy class's frames go
    /// out together in a delta, and writing each one too would double the work of
    /// publishing, which the event writer does between its transactions.
    text: OnceLock<Utf8Bytes>,
}

impl Frame {
    fn new(seq: u64, update: Update) -> Frame {
        Frame {
            seq,
            update,
            text: OnceLock::new(),
        }
    }

    /// The message as sent alone: `{"type", "data", "timestamp", "seq"}`.
    pub fn text(&self) -> Utf8Bytes {
        self.text
            .get_or_init(|| self.update.write(self.seq).into())
            .clone()
    }
}

/// A message of the WebSocket protocol, as text.
pub fn message<T: Serialize + ?Sized>(kind: &str, data: &T, seq: u64) -> String {
    #[derive(Serialize)]
    struct Envelope<'a, T: ?Sized> {
        #[serde(rename = "type")]
        kind: &'a str,
        data: &'a T,
        timestamp: String,
        seq: u64,
    }
    let envelope = Envelope {
        kind,
        data,
        timestamp: Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
        seq,
    };
    // Serialising plain data into a string cannot fail.
    serde_json::to_string(&envelope).unwrap_or_default()
}

/// A message for the dashboards: one frame, or a delta of several.
#[derive(Debug)]
pub struct Outgoing {
    /// The last frame it covers.
    pub seq: u64,
    /// Shared by every dashboard it goes to.
    pub text: Utf8Bytes,
    /// It carries a help desk change.
    pub desk: bool,
}

#[derive(Debug)]
struct FeedState {
    seq: u64,
    recent: VecDeque<Arc<Frame>>,
    /// Frames not sent yet, and whether a flush is already on its way.
    pending: Vec<Arc<Frame>>,
    flush_scheduled: bool,
    last_flush: Option<std::time::Instant>,
}

#[derive(Debug)]
struct Feed {
    state: Mutex<FeedState>,
    sender: broadcast::Sender<Arc<Outgoing>>,
}

impl Feed {
    fn lock(&self) -> MutexGuard<'_, FeedState> {
        // A panic elsewhere while holding the lock leaves consistent data (each step
        // below is complete before the next), so a poisoned lock is still usable.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Sends what is pending as one message.
    fn flush(&self, state: &mut FeedState) {
        state.flush_scheduled = false;
        state.last_flush = Some(std::time::Instant::now());
        let pending = std::mem::take(&mut state.pending);
        if self.sender.receiver_count() == 0 {
            // No dashboard open: the frames are kept for resuming, and a message would
            // go nowhere. (A dashboard subscribes under this lock, after a flush.)
            return;
        }
        let (Some(last), Some(text)) = (pending.last(), text_of(&pending)) else {
            return;
        };
        let outgoing = Outgoing {
            seq: last.seq,
            text,
            desk: pending.iter().any(|f| f.update.is_desk()),
        };
        // Every dashboard may have closed since the check: then it goes nowhere.
        let _ = self.sender.send(Arc::new(outgoing));
    }
}

/// What a dashboard connecting to a class starts from.
pub struct Subscription {
    pub receiver: broadcast::Receiver<Arc<Outgoing>>,
    /// The feed's last sequence number when subscribing.
    pub seq: u64,
    /// With `since`: the frames after it, or `None` when they are no longer all kept
    /// (then the dashboard needs a snapshot).
    pub missed: Option<Vec<Arc<Frame>>>,
}

/// What this instance published, for the other instances ([`super::relay`]): the
/// class, or `None` for every class.
pub type Relayed = (Option<String>, Vec<Update>);

/// Every class's feed.
#[derive(Default, Debug)]
pub struct Hub {
    feeds: Mutex<HashMap<String, Arc<Feed>>>,
    /// Where sequence numbers start: the start time in microseconds for a server, so
    /// that a `since` from before a restart (or from another instance) never matches.
    base: u64,
    /// Where what is published here also goes, when other instances share the database.
    relay: OnceLock<mpsc::UnboundedSender<Relayed>>,
    /// Updates handed to the relay and not sent yet.
    relay_backlog: std::sync::atomic::AtomicUsize,
    /// Publications the relay had no room for (it fell behind the database).
    unrelayed: std::sync::atomic::AtomicU64,
}

impl Hub {
    /// A hub whose sequence numbers start at this moment (in microseconds).
    pub fn starting_now() -> Hub {
        let micros = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_micros() as u64);
        Hub {
            feeds: Mutex::default(),
            base: micros,
            relay: OnceLock::new(),
            relay_backlog: std::sync::atomic::AtomicUsize::new(0),
            unrelayed: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// Sends what is published here to `relay` as well (once; later calls are ignored).
    pub fn relay_to(&self, relay: mpsc::UnboundedSender<Relayed>) {
        let _ = self.relay.set(relay);
    }

    /// Hands a publication to the relay, if there is one. When the relay has fallen
    /// behind, the other instances miss it (their dashboards catch up at a reload or
    /// reconnect) rather than this one queueing without bound.
    fn relay(&self, class_id: Option<&str>, updates: &[Update]) {
        let Some(relay) = self.relay.get() else {
            return;
        };
        use std::sync::atomic::Ordering::Relaxed;
        let backlog = self.relay_backlog.fetch_add(updates.len(), Relaxed);
        let sent = backlog + updates.len() <= RELAY_BACKLOG
            && relay
                .send((class_id.map(str::to_owned), updates.to_vec()))
                .is_ok();
        if !sent {
            self.relay_backlog.fetch_sub(updates.len(), Relaxed);
            let missed = self.unrelayed.fetch_add(1, Relaxed) + 1;
            // The 1st, 2nd, 4th, 8th… so that an overload is told without flooding the log.
            if missed.is_power_of_two() {
                tracing::warn!(
                    missed,
                    "live messages not sent to the other instances (they fell behind)"
                );
            }
        }
    }

    /// The relay sent `updates` updates: room for as many more.
    pub fn relayed(&self, updates: usize) {
        self.relay_backlog
            .fetch_sub(updates, std::sync::atomic::Ordering::Relaxed);
    }

    /// Publishes `updates` here and, through the relay, on the other instances.
    pub fn publish(&self, class_id: &str, updates: Vec<Update>) {
        self.relay(Some(class_id), &updates);
        self.publish_here(class_id, updates);
    }

    /// Publishes `update` to every class, here and on the other instances.
    pub fn publish_everywhere(&self, update: Update) {
        self.relay(None, std::slice::from_ref(&update));
        self.publish_everywhere_here(update);
    }

    fn feed(&self, class_id: &str) -> Arc<Feed> {
        let mut feeds = self.feeds.lock().unwrap_or_else(|e| e.into_inner());
        feeds
            .entry(class_id.to_owned())
            .or_insert_with(|| {
                Arc::new(Feed {
                    state: Mutex::new(FeedState {
                        seq: self.base,
                        recent: VecDeque::new(),
                        pending: Vec::new(),
                        flush_scheduled: false,
                        last_flush: None,
                    }),
                    sender: broadcast::channel(CHANNEL).0,
                })
            })
            .clone()
    }

    /// Numbers `updates`, keeps them for resuming, and sends them to the class's
    /// dashboards on this instance, in order: at once after a quiet window, else with the
    /// rest of the window.
    pub fn publish_here(&self, class_id: &str, updates: Vec<Update>) {
        let feed = self.feed(class_id);
        let mut state = feed.lock();
        for update in updates {
            state.seq += 1;
            let seq = state.seq;
            let frame = Arc::new(Frame::new(seq, update));
            if state.recent.len() == RECENT {
                state.recent.pop_front();
            }
            state.recent.push_back(frame.clone());
            state.pending.push(frame);
        }
        if state.flush_scheduled {
            return;
        }
        let since_last = state.last_flush.map(|at| at.elapsed());
        match since_last {
            Some(elapsed) if elapsed < WINDOW => {
                state.flush_scheduled = true;
                let feed = feed.clone();
                tokio::spawn(async move {
                    tokio::time::sleep(WINDOW - elapsed).await;
                    let mut state = feed.lock();
                    feed.flush(&mut state);
                });
            }
            _ => feed.flush(&mut state),
        }
    }

    /// Sends `update` to every class's dashboards on this instance (an instructor's
    /// status is shown on all of them).
    pub fn publish_everywhere_here(&self, update: Update) {
        let classes: Vec<String> = self
            .feeds
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .cloned()
            .collect();
        for class_id in classes {
            self.publish_here(&class_id, vec![update.clone()]);
        }
    }

    /// Subscribes to a class's feed; with `since`, also the frames after it.
    pub fn subscribe(&self, class_id: &str, since: Option<u64>) -> Subscription {
        let feed = self.feed(class_id);
        let mut state = feed.lock();
        // Frames still in their window go to the others now: the new dashboard's
        // snapshot or resumed frames include them, so it must not get them again.
        if !state.pending.is_empty() {
            feed.flush(&mut state);
        }
        let receiver = feed.sender.subscribe();
        let missed = since.and_then(|since| {
            let oldest = state.recent.front().map_or(state.seq + 1, |f| f.seq);
            // After a restart the numbers begin again: a `since` from the future is stale.
            (since <= state.seq && since + 1 >= oldest).then(|| {
                state
                    .recent
                    .iter()
                    .filter(|f| f.seq > since)
                    .cloned()
                    .collect()
            })
        });
        Subscription {
            receiver,
            seq: state.seq,
            missed,
        }
    }

    /// The sequence number of a class's last frame.
    pub fn seq(&self, class_id: &str) -> u64 {
        self.feed(class_id).lock().seq
    }
}

/// The message for `frames`: the frame itself when there is one, else their
/// `delta_update`.
pub fn text_of(frames: &[Arc<Frame>]) -> Option<Utf8Bytes> {
    match frames {
        [] => None,
        [one] => Some(one.text()),
        many => coalesce(many).map(Utf8Bytes::from),
    }
}

/// Several frames as one `delta_update`: each student's newest state, and how many
/// executions and errors the frames carried (for the activity chart).
fn coalesce(frames: &[Arc<Frame>]) -> Option<String> {
    let last = frames.last()?;
    // Each student's newest state, in order of first change (a removal empties its
    // slot), found by email: a batch may bring thousands of frames for 1,000 students.
    let mut students: Vec<Option<&StudentState>> = Vec::new();
    let mut slots: HashMap<&str, usize> = HashMap::new();
    let mut removed: Vec<&str> = Vec::new();
    // The newest state of each help request and instructor, in order of first change.
    let mut desk: Vec<(&str, String, Value)> = Vec::new();
    let (mut executions, mut errors) = (0, 0);
    for frame in frames {
        let student = match &frame.update {
            Update::Execution {
                student, failed, ..
            } => {
                executions += 1;
                errors += i64::from(*failed);
                student
            }
            Update::Progress(student) => student,
            Update::Help { request, student } => {
                let value = json!(request);
                match desk
                    .iter_mut()
                    .find(|(t, id, _)| *t == "help_request" && *id == request.id)
                {
                    Some(known) => known.2 = value,
                    None => desk.push(("help_request", request.id.clone(), value)),
                }
                match student {
                    Some(student) => &**student,
                    None => continue,
                }
            }
            Update::Instructor(status) => {
                let value = json!(status);
                match desk
                    .iter_mut()
                    .find(|(t, id, _)| *t == "instructor" && *id == status.id)
                {
                    Some(known) => known.2 = value,
                    None => desk.push(("instructor", status.id.clone(), value)),
                }
                continue;
            }
            Update::Removed { email } => {
                if let Some(slot) = slots.remove(email.as_str()) {
                    students[slot] = None;
                }
                removed.push(email);
                continue;
            }
        };
        removed.retain(|email| *email != student.email_address);
        match slots.get(student.email_address.as_str()) {
            Some(&slot) => {
                if let Some(known) = &mut students[slot]
                    && known.version < student.version
                {
                    *known = student;
                }
            }
            None => {
                slots.insert(&student.email_address, students.len());
                students.push(Some(student));
            }
        }
    }
    /// One change of a `delta_update`.
    #[derive(Serialize)]
    struct Change<'a, T: Serialize> {
        operation: &'static str,
        target: &'a str,
        identifier: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        value: Option<T>,
    }
    /// A student's, a help request's or an instructor's new state.
    #[derive(Serialize)]
    #[serde(untagged)]
    enum Changed<'a> {
        Student(&'a StudentState),
        Desk(Value),
    }
    let mut changes: Vec<Change<'_, Changed<'_>>> = students
        .iter()
        .flatten()
        .map(|s| Change {
            operation: "update",
            target: "student",
            identifier: &s.email_address,
            value: Some(Changed::Student(s)),
        })
        .collect();
    changes.extend(removed.iter().map(|email| Change {
        operation: "remove",
        target: "student",
        identifier: email,
        value: None,
    }));
    changes.extend(desk.iter().map(|(target, id, value)| Change {
        operation: "update",
        target,
        identifier: id,
        value: Some(Changed::Desk(value.clone())),
    }));
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Delta<'a> {
        update_id: String,
        metadata: Value,
        changes: Vec<Change<'a, Changed<'a>>>,
        executions: i64,
        errors: i64,
        first_execution_at: Option<DateTime<Utc>>,
        last_execution_at: Option<DateTime<Utc>>,
    }
    let execution_at = |f: &&Arc<Frame>| match &f.update {
        Update::Execution { at, .. } => Some(*at),
        _ => None,
    };
    let data = Delta {
        update_id: format!("delta_{}", last.seq),
        metadata: json!({"totalChanges": changes.len(), "coalesced": frames.len(), "priority": "normal"}),
        changes,
        executions,
        errors,
        first_execution_at: frames.iter().find_map(|f| execution_at(&f)),
        last_execution_at: frames.iter().rev().find_map(|f| execution_at(&f)),
    };
    Some(message("delta_update", &data, last.seq))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classroom::model::LiveStatus;

    fn student(email: &str, version: i64) -> StudentState {
        StudentState {
            id: 1,
            email_address: email.to_owned(),
            user_name: String::new(),
            team_name: None,
            current_notebook: None,
            last_activity: None,
            last_seen: None,
            status: LiveStatus::Active,
            cell_executions: version,
            error_count: 0,
            error_streak: 0,
            last_error: None,
            is_requesting_help: false,
            progress_percentage: 0,
            version,
        }
    }

    #[test]
    fn frames_are_numbered_kept_and_resumed() {
        let hub = Hub::default();
        let first = hub.subscribe("c1", None);
        assert_eq!(first.seq, 0);
        hub.publish(
            "c1",
            vec![
                Update::Progress(student("a@x.org", 1)),
                Update::Progress(student("b@x.org", 1)),
            ],
        );
        assert_eq!(hub.seq("c1"), 2);
        assert_eq!(hub.seq("c2"), 0);
        let resumed = hub.subscribe("c1", Some(1));
        let missed = resumed.missed.unwrap();
        assert_eq!(missed.len(), 1);
        assert_eq!(missed[0].seq, 2);
        // From the future (the server restarted): a snapshot is needed.
        assert!(hub.subscribe("c1", Some(9)).missed.is_none());
        // Two frames at once went out as one delta.
        let mut receiver = first.receiver;
        let sent = receiver.try_recv().unwrap();
        assert_eq!(sent.seq, 2);
        assert!(sent.text.contains("delta_update"));
    }

    #[tokio::test]
    async fn frames_within_a_window_go_out_together() {
        let hub = Hub::default();
        let mut receiver = hub.subscribe("c", None).receiver;
        hub.publish("c", vec![Update::Progress(student("a@x.org", 1))]);
        // The first after a quiet spell goes at once, as itself.
        let first = receiver.try_recv().unwrap();
        assert_eq!(first.seq, 1);
        assert!(first.text.contains("student_progress_update"));
        hub.publish("c", vec![Update::Progress(student("a@x.org", 2))]);
        hub.publish("c", vec![Update::Progress(student("b@x.org", 1))]);
        assert!(receiver.try_recv().is_err(), "held for the window");
        let held = tokio::time::timeout(std::time::Duration::from_secs(1), receiver.recv())
            .await
            .unwrap()
            .unwrap();
        assert_eq!(held.seq, 3);
        assert!(held.text.contains("delta_update"));
    }

    #[tokio::test]
    async fn old_frames_are_forgotten() {
        let hub = Hub::default();
        for n in 0..(RECENT as i64 + 10) {
            hub.publish("c", vec![Update::Progress(student("a@x.org", n))]);
        }
        assert!(hub.subscribe("c", Some(1)).missed.is_none());
        assert_eq!(
            hub.subscribe("c", Some(20)).missed.unwrap().len(),
            RECENT - 10
        );
    }

    #[test]
    fn frames_that_go_out_in_a_delta_are_never_written_alone() {
        let hub = Hub::default();
        let mut receiver = hub.subscribe("c", None).receiver;
        let updates = (0..3)
            .map(|n| Update::Progress(student(&format!("{n}@x.org"), 1)))
            .collect();
        hub.publish("c", updates);
        assert!(receiver.try_recv().unwrap().text.contains("delta_update"));
        let frames = hub.subscribe("c", Some(0)).missed.unwrap();
        assert!(frames.iter().all(|f| f.text.get().is_none()));
        // Resuming after the second needs the third alone.
        assert!(frames[2].text().contains("student_progress_update"));
    }

    #[test]
    fn with_no_dashboard_open_nothing_is_written() {
        let hub = Hub::default();
        hub.publish("c", vec![Update::Progress(student("a@x.org", 1))]);
        let frames = hub.subscribe("c", Some(0)).missed.unwrap();
        assert_eq!(frames.len(), 1);
        assert!(frames[0].text.get().is_none());
    }

    /// The `delta_update` of `updates`, published together and resumed from the start.
    fn delta_of(updates: Vec<Update>) -> Value {
        let hub = Hub::default();
        hub.publish("c", updates);
        let frames = hub.subscribe("c", Some(0)).missed.unwrap();
        serde_json::from_str(&coalesce(&frames).unwrap()).unwrap()
    }

    #[test]
    fn a_removed_student_leaves_the_delta_until_changed_again() {
        let delta = delta_of(vec![
            Update::Progress(student("a@x.org", 1)),
            Update::Progress(student("b@x.org", 1)),
            Update::Removed {
                email: "a@x.org".to_owned(),
            },
            Update::Removed {
                email: "b@x.org".to_owned(),
            },
            Update::Progress(student("a@x.org", 2)),
        ]);
        let changes: Vec<(&str, &str)> = delta["data"]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| {
                (
                    c["operation"].as_str().unwrap(),
                    c["identifier"].as_str().unwrap(),
                )
            })
            .collect();
        assert_eq!(changes, [("update", "a@x.org"), ("remove", "b@x.org")]);
    }

    #[test]
    fn a_delta_keeps_each_students_newest_state() {
        let delta = delta_of(vec![
            Update::Progress(student("a@x.org", 2)),
            Update::Progress(student("a@x.org", 1)),
            Update::Progress(student("b@x.org", 5)),
        ]);
        assert_eq!(delta["type"], "delta_update");
        assert_eq!(delta["seq"], 3);
        let changes = delta["data"]["changes"].as_array().unwrap();
        assert_eq!(changes.len(), 2);
        assert_eq!(changes[0]["value"]["version"], 2);
    }
}
