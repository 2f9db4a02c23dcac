//! The live classroom: cell events from the students' notebooks (SPEC §5.2).

#[cfg(feature = "ssr")]
pub mod event;
#[cfg(feature = "ssr")]
pub mod ingest;
#[cfg(feature = "ssr")]
pub mod read;
