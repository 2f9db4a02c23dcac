//! The help desk's pages: the queue on the live dashboard, the student's help page,
//! the instructors' statuses and history, and the status control in the header.

mod instructors;
#[cfg(feature = "hydrate")]
mod live;
mod presence;
mod queue;
mod student;

pub use instructors::{InstructorPage, InstructorsPage};
pub use presence::{PresenceChanged, PresenceControl, provide_presence_changes};
pub use queue::{HelpQueue, InstructorStatuses, OpenHelpList};
pub use student::{HelpHistory, HelpPage};
