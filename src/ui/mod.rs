//! Shared presentational components; they fetch no data.

mod form;
mod time;

pub use form::{FormError, TextField};
pub use time::RelativeTime;
