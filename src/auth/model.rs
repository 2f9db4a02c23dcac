//! Account types shared by the server and the browser.

use serde::{Deserialize, Serialize};

/// What a user may do, from least to most.
#[derive(Copy, Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Student,
    Instructor,
    Admin,
    SuperAdmin,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Student,
        Role::Instructor,
        Role::Admin,
        Role::SuperAdmin,
    ];

    /// The stored and serialised name.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Student => "student",
            Role::Instructor => "instructor",
            Role::Admin => "admin",
            Role::SuperAdmin => "super_admin",
        }
    }

    /// Parses a stored name.
    pub fn parse(value: &str) -> Option<Role> {
        [
            Role::Student,
            Role::Instructor,
            Role::Admin,
            Role::SuperAdmin,
        ]
        .into_iter()
        .find(|r| r.as_str() == value)
    }
}

/// Whether an account may sign in.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AccountStatus {
    Active,
    Suspended,
    Pending,
    Archived,
}

impl AccountStatus {
    pub const ALL: [AccountStatus; 4] = [
        AccountStatus::Active,
        AccountStatus::Suspended,
        AccountStatus::Pending,
        AccountStatus::Archived,
    ];

    /// Parses a stored name.
    pub fn parse(value: &str) -> Option<AccountStatus> {
        AccountStatus::ALL.into_iter().find(|s| s.as_str() == value)
    }

    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            AccountStatus::Active => "active",
            AccountStatus::Suspended => "suspended",
            AccountStatus::Pending => "pending",
            AccountStatus::Archived => "archived",
        }
    }
}

/// The signed-in user, as pages see them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: Role,
}

impl CurrentUser {
    /// "First Last".
    pub fn display_name(&self) -> String {
        format!("{} {}", self.first_name, self.last_name)
    }
}

/// One of a user's sessions, as the profile page lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSummary {
    /// Names the session without revealing its id.
    pub handle: String,
    /// The session this page was loaded with.
    pub current: bool,
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_seen_at: chrono::DateTime<chrono::Utc>,
}

/// A personal API token as its owner sees it (never the token itself).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ApiTokenSummary {
    pub id: String,
    pub name: String,
    /// The first characters, to recognise it.
    pub prefix: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
}

/// Kakao sign-in as a page needs to know it.
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KakaoStatus {
    /// Kakao sign-in is configured on this server.
    pub enabled: bool,
    /// The signed-in user has Kakao linked.
    pub linked: bool,
}

/// Who may create their own account.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignupPolicy {
    /// Anyone may register as a student.
    Open,
    /// Accounts are made by administrators (who send set-password links).
    Invite,
    /// No new accounts.
    Closed,
}

impl SignupPolicy {
    pub const ALL: [SignupPolicy; 3] = [
        SignupPolicy::Open,
        SignupPolicy::Invite,
        SignupPolicy::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SignupPolicy::Open => "open",
            SignupPolicy::Invite => "invite",
            SignupPolicy::Closed => "closed",
        }
    }

    pub fn parse(value: &str) -> Option<SignupPolicy> {
        SignupPolicy::ALL.into_iter().find(|p| p.as_str() == value)
    }
}

/// A user as administrators see them, with audit columns.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct UserDetail {
    pub id: String,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub role: String,
    pub status: String,
    pub auth_type: String,
    pub grade_level: Option<i32>,
    /// JSON list of extra permission names.
    pub authorizations: String,
    pub last_login_at: Option<chrono::DateTime<chrono::Utc>>,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub created_by: Option<String>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub updated_by: Option<String>,
    pub deleted_at: Option<chrono::DateTime<chrono::Utc>>,
}

impl UserDetail {
    /// The role (an unknown stored value counts as the least privileged).
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Student)
    }

    /// The extra permissions.
    pub fn permissions(&self) -> Vec<String> {
        serde_json::from_str(&self.authorizations).unwrap_or_default()
    }
}

/// A search of the users list.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserQuery {
    pub search: String,
    pub role: Option<String>,
    pub status: Option<String>,
    pub auth_type: Option<String>,
    pub page: i64,
}

/// One page of users.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserListing {
    pub users: Vec<UserDetail>,
    pub total: i64,
    pub page: i64,
    pub page_size: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roles_order_from_student_to_super_admin() {
        assert!(Role::Student < Role::Instructor);
        assert!(Role::Admin < Role::SuperAdmin);
        for role in [
            Role::Student,
            Role::Instructor,
            Role::Admin,
            Role::SuperAdmin,
        ] {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
    }
}
