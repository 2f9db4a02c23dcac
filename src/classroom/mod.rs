//! The live classroom: cell events from the students' notebooks (SPEC §5.2), the
//! instructors' live dashboard (§5.3, §5.4) and its pages.

pub mod api;
pub mod model;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod dashboard;
#[cfg(feature = "ssr")]
pub mod demo;
#[cfg(feature = "ssr")]
pub mod event;
#[cfg(feature = "ssr")]
pub mod ingest;
#[cfg(feature = "ssr")]
pub mod limit;
#[cfg(feature = "ssr")]
pub mod live;
#[cfg(feature = "ssr")]
pub mod read;
#[cfg(feature = "ssr")]
pub mod relay;
#[cfg(feature = "ssr")]
pub mod rest;
#[cfg(feature = "ssr")]
pub mod socket;
#[cfg(feature = "ssr")]
pub mod writer;
