//! Courses, classes (cohorts with join codes and rosters), lectures, attendance and
//! certificates (seed 003), with the student and teacher pages of seed 001.

pub mod api;
pub mod model;
mod pages;
pub mod validate;

#[cfg(feature = "ssr")]
pub mod access;
#[cfg(feature = "ssr")]
pub mod certs;
#[cfg(feature = "ssr")]
pub mod classes;
#[cfg(feature = "ssr")]
pub mod codes;
#[cfg(feature = "ssr")]
pub mod export;
#[cfg(feature = "ssr")]
pub mod lectures;
#[cfg(feature = "ssr")]
pub mod students;

pub use pages::*;
