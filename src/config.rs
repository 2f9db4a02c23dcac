//! Every setting of the server, in one struct: command-line flags, each with an
//! environment variable and a default (`lectern --help`, `.env.example`).

use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::db::PoolSettings;

/// Lectern: the live classroom for teaching with notebooks.
#[derive(Debug, Parser)]
#[command(name = "lectern", version, about, long_about = None)]
pub struct Cli {
    #[command(flatten)]
    pub config: Config,
    /// What to do; `serve` when omitted.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// The sub-commands of `lectern`.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Serve the web application (the default).
    Serve,
    /// Serve with a demo class of 30 simulated students whose notebooks keep reporting;
    /// the demo instructor's sign-in is printed in the log.
    Demo,
    /// Apply pending database migrations, then exit.
    Migrate,
    /// Write a consistent copy of the live SQLite database to FILE.
    Backup {
        /// Where to write the copy; must not exist yet.
        file: PathBuf,
    },
    /// Create a super administrator (the password comes from LECTERN_ADMIN_PASSWORD or,
    /// when that is unset, the first line of standard input), then exit.
    CreateAdmin {
        /// The administrator's email address.
        #[arg(long)]
        email: String,
        /// First and last name, e.g. "Ada Lovelace".
        #[arg(long)]
        name: String,
    },
    /// Print the version, then exit.
    Version,
}

/// The server's settings.
#[derive(Debug, Clone, Args)]
pub struct Config {
    /// Address and port to listen on.
    #[arg(
        long,
        env = "LECTERN_LISTEN",
        default_value = "127.0.0.1:3000",
        global = true
    )]
    pub listen: SocketAddr,

    /// The URL people use to reach Lectern, e.g. https://lectern.example.edu
    /// (defaults to http://<listen>). Decides secure cookies and the allowed Origin.
    #[arg(long, env = "LECTERN_PUBLIC_URL", global = true)]
    pub public_url: Option<String>,

    /// sqlite:<file> (created on first start) or postgres://user@host/db.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/lectern.db",
        hide_env_values = true,
        global = true
    )]
    pub database_url: DatabaseUrl,

    /// Maximum database connections (PostgreSQL), or read connections (SQLite).
    #[arg(
        long,
        env = "LECTERN_DB_MAX_CONNECTIONS",
        default_value_t = 8,
        global = true
    )]
    pub db_max_connections: u32,

    /// Seconds a request waits for a database connection before answering 503.
    #[arg(
        long,
        env = "LECTERN_DB_ACQUIRE_TIMEOUT",
        default_value_t = 5,
        global = true
    )]
    pub db_acquire_timeout_secs: u64,

    /// Key that signs session cookies, at least 32 characters. Generated and kept in
    /// the database on first start when not given.
    #[arg(
        long,
        env = "LECTERN_SECRET_KEY",
        hide_env_values = true,
        global = true
    )]
    pub secret_key: Option<Secret>,

    /// Log filter, in tracing's EnvFilter syntax (e.g. `info,lectern=debug`).
    #[arg(long, env = "LECTERN_LOG", default_value = "info", global = true)]
    pub log: String,

    /// Log line format.
    #[arg(long, env = "LECTERN_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    /// SMTP server for outgoing mail, e.g. smtps://user:pass@mail.example.edu or
    /// smtp://localhost:25. Unset: mail is kept in the outbox for administrators to read.
    #[arg(long, env = "LECTERN_SMTP_URL", hide_env_values = true, global = true)]
    pub smtp_url: Option<SmtpUrl>,

    /// The sender of Lectern's mail.
    #[arg(
        long,
        env = "LECTERN_MAIL_FROM",
        default_value = "Lectern <lectern@localhost>",
        global = true
    )]
    pub mail_from: String,

    /// Kakao REST API key; Kakao sign-in is offered only when this is set.
    #[arg(long, env = "LECTERN_KAKAO_CLIENT_ID", global = true)]
    pub kakao_client_id: Option<String>,

    /// Kakao client secret, if the app has one enabled.
    #[arg(
        long,
        env = "LECTERN_KAKAO_CLIENT_SECRET",
        hide_env_values = true,
        global = true
    )]
    pub kakao_client_secret: Option<String>,

    /// Kakao's authorization endpoint.
    #[arg(
        long,
        env = "LECTERN_KAKAO_AUTH_URL",
        default_value = "https://kauth.kakao.com/oauth/authorize",
        global = true
    )]
    pub kakao_auth_url: String,

    /// Kakao's token endpoint.
    #[arg(
        long,
        env = "LECTERN_KAKAO_TOKEN_URL",
        default_value = "https://kauth.kakao.com/oauth/token",
        global = true
    )]
    pub kakao_token_url: String,

    /// Kakao's user-information endpoint.
    #[arg(
        long,
        env = "LECTERN_KAKAO_USERINFO_URL",
        default_value = "https://kapi.kakao.com/v2/user/me",
        global = true
    )]
    pub kakao_userinfo_url: String,

    /// Student accounts one address may create per hour (S1.8). A classroom behind one
    /// NAT address registering together needs more, or accounts made by its teacher.
    #[arg(
        long,
        env = "LECTERN_REGISTRATIONS_PER_IP_HOUR",
        default_value_t = 3,
        global = true
    )]
    pub registrations_per_ip_hour: i64,

    /// Serve with a demo class of simulated students, as `lectern demo` does.
    #[arg(long, env = "LECTERN_DEMO", global = true)]
    pub demo: bool,

    /// Cell events one student may post per minute (S2.11), counted per student, never
    /// per address; 0 turns the limit off.
    #[arg(
        long,
        env = "LECTERN_EVENTS_PER_STUDENT_MINUTE",
        default_value_t = 100,
        global = true
    )]
    pub events_per_student_minute: u32,

    /// Seconds after an instructor's last live dashboard closes before they are shown
    /// offline (S0.2).
    #[arg(
        long,
        env = "LECTERN_PRESENCE_GRACE_SECONDS",
        default_value_t = 180,
        global = true
    )]
    pub presence_grace_seconds: u64,

    /// The school's time zone (IANA name, e.g. Asia/Seoul): lecture times are entered and
    /// shown in it, and "today" on the teacher dashboard follows it.
    #[arg(long, env = "LECTERN_TIMEZONE", default_value = "UTC", global = true)]
    pub timezone: chrono_tz::Tz,

    /// Seconds to let requests in flight finish after SIGTERM or SIGINT.
    #[arg(
        long,
        env = "LECTERN_SHUTDOWN_TIMEOUT",
        default_value_t = 30,
        global = true
    )]
    pub shutdown_timeout_secs: u64,
}

impl Config {
    /// The configuration from defaults alone, as a fresh install starts.
    pub fn from_defaults() -> Config {
        Cli::parse_from(["lectern"]).config
    }

    /// The public URL without a trailing slash.
    pub fn public_url(&self) -> String {
        match &self.public_url {
            Some(url) => url.trim_end_matches('/').to_owned(),
            None => format!("http://{}", self.listen),
        }
    }

    /// The Kakao settings, when Kakao sign-in is configured.
    pub fn kakao(&self) -> Option<crate::auth::kakao::KakaoSettings> {
        let client_id = self.kakao_client_id.clone().filter(|id| !id.is_empty())?;
        Some(crate::auth::kakao::KakaoSettings {
            client_id,
            client_secret: self.kakao_client_secret.clone().filter(|s| !s.is_empty()),
            auth_url: self.kakao_auth_url.clone(),
            token_url: self.kakao_token_url.clone(),
            userinfo_url: self.kakao_userinfo_url.clone(),
        })
    }

    /// How the database pools are sized.
    pub fn pool_settings(&self) -> PoolSettings {
        PoolSettings {
            max_connections: self.db_max_connections,
            acquire_timeout: Duration::from_secs(self.db_acquire_timeout_secs),
        }
    }

    /// How long graceful shutdown waits.
    pub fn shutdown_timeout(&self) -> Duration {
        Duration::from_secs(self.shutdown_timeout_secs)
    }
}

/// Log output style.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// A database URL; its password never appears in logs or `Debug` output.
#[derive(Clone)]
pub struct DatabaseUrl(String);

impl DatabaseUrl {
    /// The URL itself, for connecting.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl FromStr for DatabaseUrl {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        crate::db::Backend::from_url(s).map_err(|e| e.to_string())?;
        Ok(DatabaseUrl(s.to_owned()))
    }
}

impl fmt::Display for DatabaseUrl {
    /// Shows the URL with any password replaced by `***`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let url = &self.0;
        let redacted = url.split_once("://").and_then(|(scheme, rest)| {
            let (userinfo, host) = rest.split_once('@')?;
            let (user, _password) = userinfo.split_once(':')?;
            Some(format!("{scheme}://{user}:***@{host}"))
        });
        f.write_str(redacted.as_deref().unwrap_or(url))
    }
}

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// An SMTP URL; its password never appears in logs or `Debug` output.
#[derive(Clone)]
pub struct SmtpUrl(DatabaseUrl);

impl SmtpUrl {
    /// The URL itself, for connecting.
    pub fn expose(&self) -> &str {
        self.0.expose()
    }
}

impl FromStr for SmtpUrl {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.starts_with("smtp://") || s.starts_with("smtps://") {
            Ok(SmtpUrl(DatabaseUrl(s.to_owned())))
        } else {
            Err("must start with smtp:// or smtps://".to_owned())
        }
    }
}

impl fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SmtpUrl({})", self.0)
    }
}

/// A secret value that never appears in logs or `Debug` output.
#[derive(Clone)]
pub struct Secret(String);

impl Secret {
    /// The shortest secret accepted.
    pub const MIN_LEN: usize = 32;

    /// The secret itself, for the code that signs or hashes with it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl FromStr for Secret {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s.len() < Secret::MIN_LEN {
            return Err(format!(
                "must be at least {} characters (generate one with `openssl rand -hex 32`)",
                Secret::MIN_LEN
            ));
        }
        Ok(Secret(s.to_owned()))
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_serve_sqlite_on_localhost() {
        let config = Config::from_defaults();
        assert_eq!(config.listen.to_string(), "127.0.0.1:3000");
        assert_eq!(config.database_url.expose(), "sqlite://data/lectern.db");
        assert_eq!(config.public_url(), "http://127.0.0.1:3000");
        assert!(config.secret_key.is_none());
    }

    #[test]
    fn secrets_and_passwords_are_redacted() {
        let url: DatabaseUrl = "postgres://lectern:hunter2@db:5432/lectern"
            .parse()
            .unwrap();
        assert_eq!(url.to_string(), "postgres://lectern:***@db:5432/lectern");
        assert!(!format!("{url:?}").contains("hunter2"));
        let secret: Secret = "s".repeat(40).parse().unwrap();
        assert!(!format!("{secret:?}").contains("sss"));
        assert!("short".parse::<Secret>().is_err());
        assert!("mysql://x".parse::<DatabaseUrl>().is_err());
    }
}
