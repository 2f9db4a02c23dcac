//! The site's frame and general pages: header, footer, home, not found, error.

mod error_page;
mod home;
mod layout;
mod not_found;

pub use error_page::ErrorPage;
pub use home::HomePage;
pub use layout::{SiteFooter, SiteHeader};
pub use not_found::NotFound;
