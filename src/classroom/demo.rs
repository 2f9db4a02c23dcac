//! `lectern demo`: a class of 30 simulated students whose notebooks keep reporting, so
//! that a newcomer sees the live dashboard move within a minute. The demo instructor's
//! password is new at every start and printed in the log; the class gets the last half
//! hour of history once, so the activity chart is not empty.

use std::time::Duration;

use chrono::{DateTime, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::event::{CellEvent, EventKind};
use crate::app_error::AppError;
use crate::auth::model::Role;
use crate::auth::service::User;
use crate::db::Db;
use crate::db_run;
use crate::server::AppState;

/// The demo instructor's sign-in.
pub const DEMO_EMAIL: &str = "demo.instructor@example.com";
const DEMO_CLASS: &str = "Demo class: Python basics";

/// Students' names and teams.
const STUDENTS: [(&str, &str); 30] = [
    ("Mina Park", "A"),
    ("Jun Lee", "A"),
    ("Haruto Sato", "A"),
    ("Yui Tanaka", "A"),
    ("Ada Byron", "A"),
    ("Seo-yeon Kim", "A"),
    ("Kenji Watanabe", "B"),
    ("Ji-ho Choi", "B"),
    ("Grace Murray", "B"),
    ("Sakura Ito", "B"),
    ("Min-jun Jung", "B"),
    ("Alan Turing", "B"),
    ("Aoi Yamamoto", "C"),
    ("Do-yun Kang", "C"),
    ("Katherine Johnson", "C"),
    ("Ren Nakamura", "C"),
    ("Ha-eun Yoon", "C"),
    ("Edsger Dijkstra", "C"),
    ("Hina Kobayashi", "D"),
    ("Si-woo Jang", "D"),
    ("Barbara Liskov", "D"),
    ("Sota Kato", "D"),
    ("Ye-jin Lim", "D"),
    ("Donald Knuth", "D"),
    ("Riko Yoshida", "E"),
    ("Eun-woo Han", "E"),
    ("Margaret Hamilton", "E"),
    ("Yuto Yamada", "E"),
    ("Su-ah Oh", "E"),
    ("Linus Pauling", "E"),
];

/// Cells of each lesson, and the mistakes students make in some of them (so that
/// several students share an error, as in a real room).
const CELLS: usize = 20;
const MISTAKES: [(usize, &str, &str, &str); 4] = [
    (
        3,
        "NameError",
        "name 'total' is not defined",
        "print(total / len(scores))",
    ),
    (
        6,
        "TypeError",
        "can only concatenate str (not \"int\") to str",
        "print('Average: ' + avg)",
    ),
    (9, "KeyError", "'price'", "row['price'] * row['qty']"),
    (
        12,
        "IndexError",
        "list index out of range",
        "for i in range(len(xs) + 1):\n    print(xs[i])",
    ),
];

/// How often a failed run of a student who keeps failing turns into a help request.
const HELP_CHANCE: f64 = 0.15;

/// What a stuck student asks (their last run is the context).
fn help_request(class_id: &str, event: &CellEvent) -> crate::helpdesk::desk::NewRequest {
    crate::helpdesk::desk::NewRequest {
        class_id: class_id.to_owned(),
        email: event.email.clone(),
        name: event.user_name.clone(),
        team: event.team.clone(),
        message: format!(
            "I keep getting {} here and cannot see why",
            event.error_type.as_deref().unwrap_or("an error")
        ),
        source: "client",
        ..crate::helpdesk::desk::NewRequest::default()
    }
}

/// One simulated student.
struct Student {
    email: String,
    name: &'static str,
    team: &'static str,
    lesson: usize,
    cell: usize,
    /// Failed runs still to come before the fix.
    stuck: u32,
    /// Mean seconds between runs; `None` for a student who never starts.
    pace: Option<f64>,
    next_at: DateTime<Utc>,
}

impl Student {
    /// The student's next run at `at`, moving them on.
    fn run(&mut self, rng: &mut StdRng, at: DateTime<Utc>) -> CellEvent {
        let mistake = MISTAKES.iter().find(|m| m.0 == self.cell);
        if self.stuck == 0 && mistake.is_some() && rng.random_bool(0.35) {
            self.stuck = rng.random_range(1..=5);
        }
        let notebook = format!("lesson{}.ipynb", self.lesson);
        let cell_id = format!("cell-{}", self.cell);
        let mut event = CellEvent {
            event_key: Some(uuid::Uuid::new_v4().to_string()),
            kind: EventKind::CellExecuted,
            email: self.email.clone(),
            user_name: self.name.to_owned(),
            team: Some(self.team.to_owned()),
            notebook_path: notebook,
            cell_id,
            cell_type: Some("code".to_owned()),
            execution_count: Some(self.cell as i64 + 1),
            failed: Some(false),
            error_type: None,
            error_message: None,
            code: Some(format!(
                "# step {}\nresult = step_{}(data)",
                self.cell, self.cell
            )),
            output: Some(format!("step {} done", self.cell)),
            truncated: false,
            execution_ms: Some(rng.random_range(5..2_500)),
            occurred_at: at,
        };
        match mistake {
            Some((_, kind, message, code)) if self.stuck > 0 => {
                self.stuck -= 1;
                event.failed = Some(true);
                event.error_type = Some((*kind).to_owned());
                event.error_message = Some((*message).to_owned());
                event.code = Some((*code).to_owned());
                event.output = Some(format!("{kind}: {message}"));
            }
            _ => {
                self.cell += 1;
                if self.cell >= CELLS {
                    self.cell = 0;
                    self.lesson += 1;
                }
            }
        }
        event
    }

    fn schedule(&mut self, rng: &mut StdRng, after: DateTime<Utc>) {
        if let Some(pace) = self.pace {
            let seconds = pace * rng.random_range(0.5..1.5);
            self.next_at = after + chrono::Duration::milliseconds((seconds * 1000.0) as i64);
        }
    }
}

fn students(rng: &mut StdRng, now: DateTime<Utc>) -> Vec<Student> {
    STUDENTS
        .iter()
        .enumerate()
        .map(|(n, (name, team))| {
            let handle: String = name
                .to_lowercase()
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '.' })
                .collect();
            Student {
                email: format!("{handle}@demo.example.com"),
                name,
                team,
                lesson: 1,
                cell: 0,
                stuck: 0,
                // Three students never get going; the rest work at their own pace.
                pace: (n % 10 != 9).then(|| rng.random_range(30.0..100.0)),
                next_at: now,
            }
        })
        .collect()
}

/// The demo instructor (with a new password) and the demo class, created on first use:
/// `(class id, password)`.
pub async fn prepare(db: &Db) -> Result<(String, String), AppError> {
    let password = format!("Demo-{}", uuid::Uuid::new_v4().simple());
    let hash = crate::auth::password::hash_password(password.clone())
        .await
        .map_err(AppError::internal)?;
    let user: User = match crate::auth::service::user_by_email(db, DEMO_EMAIL).await? {
        Some(user) => crate::auth::sessions::set_password(db, &user, hash).await?,
        None => {
            let account = crate::auth::validate::NewAccount {
                email: DEMO_EMAIL.to_owned(),
                first_name: "Demo".to_owned(),
                last_name: "Instructor".to_owned(),
                grade_level: None,
            };
            crate::auth::service::create_user(
                db,
                &account,
                Some(password.clone()),
                Role::Instructor,
                None,
            )
            .await
            .map_err(AppError::internal)?
        }
    };
    let existing: Option<String> = db_run!(db.reader(), |pool| {
        sqlx::query_scalar(
            "SELECT c.id FROM classes c JOIN class_instructors i ON i.class_id = c.id \
             WHERE i.user_id = $1 AND c.title = $2 AND NOT c.archived",
        )
        .bind(&user.id)
        .bind(DEMO_CLASS)
        .fetch_optional(pool)
        .await
    })?;
    let class_id = match existing {
        Some(id) => id,
        None => {
            let input =
                crate::courses::validate::course("Demo course", "Simulated students", "demo")
                    .map_err(|_| AppError::Internal)?;
            let course = crate::courses::classes::create_course(db, &user, &input).await?;
            let input =
                crate::courses::validate::class(DEMO_CLASS, "Python", "", "", "", "", false)
                    .map_err(|_| AppError::Internal)?;
            crate::courses::classes::create_class(db, &user, &course, &input).await?
        }
    };
    Ok((class_id, password))
}

/// Keeps the demo class's students running cells until the task is dropped. A class
/// with no events yet first gets the last 30 minutes of history. Now and then a student
/// stuck on an error asks for help.
pub async fn simulate(state: AppState, class_id: String) {
    let (db, writer) = (state.db.clone(), state.writer.clone());
    let mut rng = StdRng::from_os_rng();
    let now = Utc::now();
    let mut students = students(&mut rng, now);
    let has_history: Result<Option<i64>, sqlx::Error> = db_run!(db.reader(), |pool| {
        sqlx::query_scalar("SELECT id FROM classroom_students WHERE class_id = $1 LIMIT 1")
            .bind(&class_id)
            .fetch_optional(pool)
            .await
    });
    if matches!(has_history, Ok(None)) {
        let mut history = Vec::new();
        let start = now - chrono::Duration::minutes(30);
        for student in &mut students {
            student.next_at = start;
            student.schedule(&mut rng, start);
            if student.pace.is_none() {
                // Opened the notebook, then nothing: shown as inactive.
                let mut opened = student.run(&mut rng, start);
                opened.kind = EventKind::NotebookOpened;
                history.push(opened);
            }
            while student.pace.is_some() && student.next_at < now {
                let at = student.next_at;
                history.push(student.run(&mut rng, at));
                student.schedule(&mut rng, at);
            }
        }
        if let Err(error) = writer.write(&class_id, history).await {
            tracing::warn!(%error, "demo history not stored");
        }
    }
    let mut tick = tokio::time::interval(Duration::from_millis(500));
    loop {
        tick.tick().await;
        let now = Utc::now();
        let mut due = Vec::new();
        let mut asking = Vec::new();
        for student in &mut students {
            if student.pace.is_some() && student.next_at <= now {
                let event = student.run(&mut rng, now);
                if event.failed == Some(true) && student.stuck >= 2 && rng.random_bool(HELP_CHANCE)
                {
                    asking.push(help_request(&class_id, &event));
                }
                due.push(event);
                student.schedule(&mut rng, now);
            }
        }
        if !due.is_empty()
            && let Err(error) = writer.write(&class_id, due).await
        {
            tracing::warn!(%error, "demo events not stored");
        }
        for request in asking {
            if let Err(error) = crate::helpdesk::desk::raise(&state, request).await {
                tracing::warn!(?error, "demo help request not raised");
            }
        }
    }
}
