//! Accounts: registration, sign-in and sign-out, sessions, roles, and the checks every
//! server function uses to know who is asking.

pub mod admin_api;
mod admin_pages;
pub mod api;
pub mod model;
mod pages;
pub mod validate;

#[cfg(feature = "ssr")]
pub mod admin;
#[cfg(feature = "ssr")]
pub mod guard;
#[cfg(feature = "ssr")]
pub mod kakao;
#[cfg(feature = "ssr")]
pub mod limits;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod reset;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
pub mod sessions;
#[cfg(feature = "ssr")]
pub mod setup;
#[cfg(feature = "ssr")]
pub mod store;
#[cfg(feature = "ssr")]
pub mod tokens;

pub use admin_pages::{AdminNav, AdminSettingsPage, AdminUserPage, AdminUsersPage};
pub use pages::{
    AccountMenu, ForgotPasswordPage, LoginPage, ProfilePage, RegisterPage, ResetPasswordPage,
    SetupPage, provide_account, use_account,
};
