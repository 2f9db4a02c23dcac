//! The help desk's pages: the queue on the live dashboard, the student's help page,
//! the instructors' statuses and history, and the status control in the header.

mod instructors;
#[cfg(feature = "hydrate")]
mod live;
mod presence;
mod queue;
mod student;

pub use instructors::{InstructorPage, InstructorsPage};
pub use presence::PresenceControl;
#[cfg(feature = "hydrate")]
pub use presence::announce_presence_change;
pub use queue::{HelpQueue, InstructorStatuses, OpenHelpList};
pub use student::{HelpHistory, HelpPage};
