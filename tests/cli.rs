//! The `lectern` binary as an operator uses it: first start, migrate, backup, version,
//! help, bad settings, and a graceful stop on SIGTERM.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// `lectern` with a clean environment: no inherited DATABASE_URL or LECTERN_* settings.
fn lectern(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_lectern"));
    command
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default());
    command
}

#[test]
fn version_prints_the_package_version() {
    let dir = tempfile::tempdir().unwrap();
    let output = lectern(dir.path()).arg("version").output().unwrap();
    assert!(output.status.success());
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        format!("lectern {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn help_documents_every_setting_with_its_variable() {
    let dir = tempfile::tempdir().unwrap();
    let output = lectern(dir.path()).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&output.stdout);
    for variable in [
        "LECTERN_LISTEN",
        "LECTERN_PUBLIC_URL",
        "DATABASE_URL",
        "LECTERN_DB_MAX_CONNECTIONS",
        "LECTERN_DB_ACQUIRE_TIMEOUT",
        "LECTERN_SECRET_KEY",
        "LECTERN_LOG",
        "LECTERN_LOG_FORMAT",
        "LECTERN_SHUTDOWN_TIMEOUT",
        "LECTERN_REGISTRATIONS_PER_IP_HOUR",
        "LECTERN_EVENTS_PER_STUDENT_MINUTE",
        "LECTERN_PRESENCE_GRACE_SECONDS",
        "LECTERN_DEMO",
        "LECTERN_SMTP_URL",
        "LECTERN_MAIL_FROM",
        "LECTERN_KAKAO_CLIENT_ID",
        "LECTERN_KAKAO_CLIENT_SECRET",
        "LECTERN_KAKAO_AUTH_URL",
        "LECTERN_KAKAO_TOKEN_URL",
        "LECTERN_KAKAO_USERINFO_URL",
    ] {
        assert!(
            help.contains(variable),
            "--help does not mention {variable}"
        );
        let example = include_str!("../.env.example");
        assert!(
            example.contains(variable),
            ".env.example does not list {variable}"
        );
    }
    for command in ["serve", "demo", "migrate", "backup", "version"] {
        assert!(help.contains(command), "--help does not list {command}");
    }
}

#[test]
fn bad_settings_are_refused_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let output = lectern(dir.path())
        .args(["migrate", "--database-url", "mysql://localhost/x"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("sqlite: or postgres://"));

    let output = lectern(dir.path())
        .args(["migrate", "--secret-key", "short"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("at least 32 characters"));
}

#[test]
fn first_migrate_creates_the_default_sqlite_file_and_backup_copies_it() {
    let dir = tempfile::tempdir().unwrap();
    let output = lectern(dir.path()).arg("migrate").output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(dir.path().join("data/lectern.db").exists());

    let output = lectern(dir.path())
        .args(["backup", "backups/copy.db"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let copy = dir.path().join("backups/copy.db");
    assert!(copy.metadata().unwrap().len() > 0);

    // The copy is a complete database: its migrations table is there.
    let rows = tokio::runtime::Runtime::new().unwrap().block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&format!("sqlite://{}", copy.display()))
            .await
            .unwrap();
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM _sqlx_migrations")
            .fetch_one(&mut conn)
            .await
            .unwrap()
    });
    assert!(rows >= 1);

    // An existing file is never overwritten.
    let output = lectern(dir.path())
        .args(["backup", "backups/copy.db"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("already exists"));
}

#[test]
fn backup_on_postgres_points_to_pg_dump() {
    let Some(url) = common::postgres_admin_url() else {
        eprintln!("skipped: set LECTERN_TEST_POSTGRES_URL to run the PostgreSQL tests");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let output = lectern(dir.path())
        .args(["backup", "copy.dump", "--database-url", &url])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("pg_dump"));
    assert!(!dir.path().join("copy.dump").exists());
}

#[test]
fn serve_stops_gracefully_on_sigterm_and_never_logs_the_secret() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = lectern(dir.path())
        .args(["serve", "--listen", "127.0.0.1:0", "--log-format", "json"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (lines_tx, lines_rx) = std::sync::mpsc::channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = lines_tx.send(line);
        }
    });
    let mut log = Vec::new();
    let addr = loop {
        let line = lines_rx
            .recv_timeout(Duration::from_secs(30))
            .expect("server started");
        log.push(line.clone());
        let entry: serde_json::Value = serde_json::from_str(&line).unwrap_or_default();
        if entry["message"] == "Lectern is serving" {
            break entry["addr"].as_str().unwrap().to_owned();
        }
    };
    let health = http_status(&format!("http://{addr}/health"));
    assert_eq!(health, 200);

    let pid = child.id().to_string();
    assert!(
        Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success()
    );
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "still running after SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(status.success(), "exit status {status:?}");
    log.extend(lines_rx.try_iter());
    assert!(log.iter().any(|l| l.contains("stopped")), "{log:?}");

    // The generated secret is in the database, and in no log line.
    let secret = tokio::runtime::Runtime::new().unwrap().block_on(async {
        use sqlx::Connection;
        let url = format!("sqlite://{}", dir.path().join("data/lectern.db").display());
        let mut conn = sqlx::SqliteConnection::connect(&url).await.unwrap();
        sqlx::query_scalar::<_, String>(
            "SELECT value FROM server_secrets WHERE name = 'secret_key'",
        )
        .fetch_one(&mut conn)
        .await
        .unwrap()
    });
    assert!(log.iter().all(|line| !line.contains(&secret)));
}

/// The status of a GET, from a fresh runtime (these tests are synchronous).
fn http_status(url: &str) -> u16 {
    let url = url.to_owned();
    tokio::runtime::Runtime::new()
        .unwrap()
        .block_on(async move {
            reqwest::get(url)
                .await
                .map(|r| r.status().as_u16())
                .unwrap_or(0)
        })
}

#[test]
fn create_admin_takes_the_password_from_the_environment_or_standard_input() {
    use std::io::Write;
    let dir = tempfile::tempdir().unwrap();
    let output = lectern(dir.path())
        .args([
            "create-admin",
            "--email",
            "ada@example.edu",
            "--name",
            "Ada Lovelace",
        ])
        .env("LECTERN_ADMIN_PASSWORD", "Correct1horse")
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(
        String::from_utf8_lossy(&output.stdout)
            .contains("created super administrator ada@example.edu")
    );

    let again = lectern(dir.path())
        .args([
            "create-admin",
            "--email",
            "ADA@example.edu",
            "--name",
            "Ada Lovelace",
        ])
        .env("LECTERN_ADMIN_PASSWORD", "Correct1horse")
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));

    let mut child = lectern(dir.path())
        .args([
            "create-admin",
            "--email",
            "grace@example.edu",
            "--name",
            "Grace Hopper",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"Another1pass\n")
        .unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    let weak = lectern(dir.path())
        .args([
            "create-admin",
            "--email",
            "weak@example.edu",
            "--name",
            "Weak Password",
        ])
        .env("LECTERN_ADMIN_PASSWORD", "short")
        .output()
        .unwrap();
    assert_eq!(weak.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&weak.stderr).contains("password"));
}
