//! The help desk and instructor presence: students ask for help (from the notebook,
//! the JupyterLab extension or a page) and see where they stand; instructors take,
//! hand over and resolve requests from the live dashboard, and show whether they are
//! available (SPEC S0.2-S0.7, S2.7, S2.13).

pub mod api;
pub mod model;
pub mod pages;

#[cfg(feature = "ssr")]
pub mod desk;
#[cfg(feature = "ssr")]
pub mod presence;
#[cfg(feature = "ssr")]
pub mod rest;
#[cfg(feature = "ssr")]
pub mod socket;
