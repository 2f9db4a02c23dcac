//! The course pages: courses, classes, lectures and attendance, certificates, and the
//! student and teacher pages. Forms post to the server functions, which send the browser
//! back to the page with the outcome; only the open check-in follows live (an island).

mod attendance;
mod certificates;
mod classes;
mod courses;
mod people;

pub use attendance::{AttendancePage, CheckInPage};
pub use certificates::{CertificatePage, UserCertificationsPage, VerifyPage};
pub use classes::{ClassPage, MyClassesPage};
pub use courses::{CoursePage, CoursesPage};
pub use people::{
    AccountRequestsPage, AdminInterestsPage, ProfileDetails, ProgressPage, TeacherDashboardPage,
};

use chrono::NaiveDate;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::i18n::I18n;

/// The `:id` of the current route.
fn route_id() -> impl Fn() -> String + Copy + Send + Sync + 'static {
    move || use_params_map().read().get("id").unwrap_or_default()
}

/// A percentage with no decimals, or a dash when nothing has counted yet.
fn percent(rate: Option<f64>) -> String {
    rate.map_or_else(|| "–".to_owned(), |r| format!("{r:.0}%"))
}

/// `begins – ends` for a class's dates, whichever are set.
fn date_range(begins: Option<NaiveDate>, ends: Option<NaiveDate>) -> String {
    match (begins, ends) {
        (Some(b), Some(e)) => format!("{b} – {e}"),
        (Some(b), None) => format!("{b} –"),
        (None, Some(e)) => format!("– {e}"),
        (None, None) => String::new(),
    }
}

/// The name of an attendance status in the reader's language.
fn status_label(i18n: I18n, status: super::model::AttendanceStatus) -> &'static str {
    status.label(i18n.t())
}

/// "n present, n late, n absent of n" for a lecture, following the page's language.
fn lecture_counts(
    i18n: I18n,
    lecture: &super::model::LectureSummary,
) -> impl Fn() -> String + use<> {
    let counts = [
        lecture.present,
        lecture.late,
        lecture.absent,
        lecture.expected,
    ]
    .map(|n| n.to_string());
    move || {
        crate::i18n::fill(
            i18n.t().lecture_counts,
            &[
                ("present", &counts[0]),
                ("late", &counts[1]),
                ("absent", &counts[2]),
                ("expected", &counts[3]),
            ],
        )
    }
}
