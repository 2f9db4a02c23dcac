//! Shared presentational components; they fetch no data.

mod time;

pub use time::RelativeTime;
