//! The test harness: a real Lectern server on a free port, with a fresh database per
//! test: an SQLite file in a temporary folder, or a PostgreSQL database created for the
//! test and dropped after it.
//!
//! PostgreSQL runs when `LECTERN_TEST_POSTGRES_URL` names a server (any database on it,
//! used to create and drop the test databases). Without it the PostgreSQL variants are
//! skipped, except under `CI=true`, where they fail.

#![allow(
    dead_code,
    reason = "each test binary uses a different part of the harness"
)]

use std::future::Future;
use std::net::SocketAddr;

use clap::Parser;
use futures::StreamExt;
use lectern::config::Cli;
use lectern::server::{self, AppState};
use sqlx::Connection;
use tokio::sync::oneshot;
use tokio_tungstenite::tungstenite::{self, Message, client::IntoClientRequest};

/// Which database a test runs on.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A running server, as a test sees it.
#[derive(Clone)]
pub struct TestApp {
    pub backend: Backend,
    pub base_url: String,
    pub addr: SocketAddr,
    /// Keeps cookies, follows no redirects (tests look at them).
    pub client: reqwest::Client,
    pub state: AppState,
    pub database: TestDatabase,
}

/// Where the test's data lives.
#[derive(Clone, Debug)]
pub enum TestDatabase {
    Sqlite {
        url: String,
        dir: std::sync::Arc<tempfile::TempDir>,
    },
    Postgres {
        url: String,
        admin_url: String,
        name: String,
    },
}

impl TestDatabase {
    pub fn url(&self) -> &str {
        match self {
            TestDatabase::Sqlite { url, .. } | TestDatabase::Postgres { url, .. } => url,
        }
    }
}

impl TestApp {
    /// An absolute URL for `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("GET failed")
    }
}

/// The PostgreSQL server for tests, or `None` to skip them (never under CI).
pub fn postgres_admin_url() -> Option<String> {
    match std::env::var("LECTERN_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true: LECTERN_TEST_POSTGRES_URL must name a PostgreSQL server")
        }
        _ => None,
    }
}

/// `admin_url` with its database name replaced by `name`.
fn with_database(admin_url: &str, name: &str) -> String {
    let (base, query) = match admin_url.split_once('?') {
        Some((base, query)) => (base, format!("?{query}")),
        None => (admin_url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_part = match base[scheme_end..].find('/') {
        Some(slash) => &base[..scheme_end + slash],
        None => base,
    };
    format!("{host_part}/{name}{query}")
}

/// Creates the database for one test.
pub async fn create_database(backend: Backend) -> Option<TestDatabase> {
    match backend {
        Backend::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}", dir.path().join("lectern.db").display());
            Some(TestDatabase::Sqlite {
                url,
                dir: std::sync::Arc::new(dir),
            })
        }
        Backend::Postgres => {
            let admin_url = postgres_admin_url()?;
            let name = format!("lectern_test_{}", uuid::Uuid::new_v4().simple());
            let mut admin = sqlx::PgConnection::connect(&admin_url)
                .await
                .expect("connect to the PostgreSQL test server");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut admin)
                .await
                .expect("create test database");
            let url = with_database(&admin_url, &name);
            Some(TestDatabase::Postgres {
                url,
                admin_url,
                name,
            })
        }
    }
}

/// Drops a test's PostgreSQL database (SQLite folders go with their `TempDir`).
pub async fn drop_database(database: &TestDatabase) {
    if let TestDatabase::Postgres {
        admin_url, name, ..
    } = database
        && let Ok(mut admin) = sqlx::PgConnection::connect(admin_url).await
    {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut admin)
            .await;
    }
}

/// Starts a server on `database`; `extra` adds command-line settings.
pub async fn start_server(
    backend: Backend,
    database: TestDatabase,
    extra: &[&str],
) -> (TestApp, oneshot::Sender<()>, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let addr = listener.local_addr().expect("local addr");
    let public_url = format!("http://localhost:{}", addr.port());
    let mut args = vec![
        "lectern",
        "--database-url",
        database.url(),
        "--listen",
        "127.0.0.1:0",
        "--public-url",
        &public_url,
    ];
    args.extend_from_slice(extra);
    let config = Cli::parse_from(args).config;
    let state = server::prepare(config).await.expect("server starts");
    let (stop, stopped) = oneshot::channel::<()>();
    let serving = tokio::spawn({
        let state = state.clone();
        async move {
            server::serve(listener, state, async {
                let _ = stopped.await;
            })
            .await
            .expect("serve");
        }
    });
    let client = client();
    let app = TestApp {
        backend,
        // `localhost`, not the IP: cookie jars keep no cookies for bare IP hosts.
        base_url: format!("http://localhost:{}", addr.port()),
        addr,
        client,
        state,
        database,
    };
    (app, stop, serving)
}

/// A browser-like client: keeps cookies, follows no redirects (tests look at them).
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .expect("client")
}

/// What `GET /api/v1/auth/status` says about `client`.
pub async fn auth_status(app: &TestApp, client: &reqwest::Client) -> serde_json::Value {
    client
        .get(app.url("/api/v1/auth/status"))
        .send()
        .await
        .expect("auth status")
        .json()
        .await
        .expect("auth status JSON")
}

/// Whether `client` holds a signed-in session.
pub async fn is_signed_in(app: &TestApp, client: &reqwest::Client) -> bool {
    auth_status(app, client).await["authenticated"] == true
}

/// Runs `test` against a fresh server on `backend`, then stops the server and drops the
/// database, whether the test passed or not.
pub async fn run<F, Fut>(backend: Backend, test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    run_with(backend, &[], test).await
}

/// [`run`] with extra command-line settings for the server.
pub async fn run_with<F, Fut>(backend: Backend, extra: &[&str], test: F)
where
    F: FnOnce(TestApp) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let Some(database) = create_database(backend).await else {
        eprintln!("skipped: set LECTERN_TEST_POSTGRES_URL to run the PostgreSQL tests");
        return;
    };
    let (app, stop, serving) = start_server(backend, database.clone(), extra).await;
    let outcome = tokio::spawn(test(app)).await;
    let _ = stop.send(());
    let stopped = tokio::time::timeout(std::time::Duration::from_secs(40), serving).await;
    assert!(
        stopped.is_ok(),
        "the server did not stop within 40 s of the shutdown signal"
    );
    drop_database(&database).await;
    if let Err(error) = outcome {
        // Re-raised as a fresh panic so the message is reported on the test's thread.
        let payload = error.into_panic();
        let message = payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_else(|| "the test panicked".to_owned());
        panic!("{message}");
    }
}

/// The one runtime every test of a test binary runs on, as a server process has one.
/// `Runtime::block_on` may be called from many test threads at once.
pub fn block_on<F: Future>(future: F) -> F::Output {
    static RUNTIME: std::sync::LazyLock<tokio::runtime::Runtime> = std::sync::LazyLock::new(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("test runtime")
    });
    RUNTIME.block_on(future)
}

/// Declares each listed `async fn(TestApp)` as two tests, `sqlite::name` and
/// `postgres::name`.
#[macro_export]
macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    $crate::common::block_on($crate::common::run(
                        $crate::common::Backend::Sqlite,
                        super::$name,
                    ));
                }
            )*
        }
        mod postgres {
            $(
                #[test]
                fn $name() {
                    $crate::common::block_on($crate::common::run(
                        $crate::common::Backend::Postgres,
                        super::$name,
                    ));
                }
            )*
        }
    };
}

/// Polls `check` every 50 ms until it returns true or `seconds` pass.
pub async fn eventually<F, Fut>(seconds: u64, mut check: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(seconds);
    while tokio::time::Instant::now() < deadline {
        if check().await {
            return true;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    false
}

pub const PASSWORD: &str = "Correct1horse";

/// The first administrator (a super admin), signed in.
pub async fn super_admin(app: &TestApp) -> reqwest::Client {
    let code = lectern::auth::setup::open_setup_code(&app.state.db)
        .await
        .unwrap()
        .unwrap();
    let client = client();
    let response = client
        .post(app.url("/api/fn/setup"))
        .form(&[
            ("setup_code", code.as_str()),
            ("email", "root@example.edu"),
            ("password", PASSWORD),
            ("first_name", "Ada"),
            ("last_name", "Lovelace"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), reqwest::StatusCode::OK);
    client
}

/// Creates a user directly (the returned id); with a password when they need to sign in.
pub async fn user(
    app: &TestApp,
    email: &str,
    first: &str,
    role: lectern::auth::model::Role,
    password: Option<&str>,
) -> String {
    let account = lectern::auth::validate::NewAccount {
        email: email.to_owned(),
        first_name: first.to_owned(),
        last_name: "Tester".to_owned(),
        grade_level: (role == lectern::auth::model::Role::Student).then_some(10),
    };
    lectern::auth::service::create_user(
        &app.state.db,
        &account,
        password.map(str::to_owned),
        role,
        None,
    )
    .await
    .unwrap()
    .id
}

pub async fn sign_in(app: &TestApp, email: &str, password: &str) -> reqwest::Client {
    let client = client();
    let response = client
        .post(app.url("/api/fn/login"))
        .form(&[("email", email), ("password", password)])
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status(),
        reqwest::StatusCode::OK,
        "sign-in of {email}"
    );
    client
}

pub async fn call(
    app: &TestApp,
    client: &reqwest::Client,
    endpoint: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    client
        .post(app.url(&format!("/api/fn/{endpoint}")))
        .form(form)
        .send()
        .await
        .unwrap()
}

/// A class taught by `<title>@example.edu` (password [`PASSWORD`]), and its ingest token.
pub async fn class(app: &TestApp, title: &str) -> (String, String) {
    let id = user(
        app,
        &format!("{title}@example.edu"),
        title,
        lectern::auth::model::Role::Instructor,
        Some(PASSWORD),
    )
    .await;
    let teacher = lectern::auth::service::active_user(&app.state.db, &id)
        .await
        .unwrap()
        .unwrap();
    let input = lectern::courses::validate::course("Python", "", "").unwrap();
    let course = lectern::courses::classes::create_course(&app.state.db, &teacher, &input)
        .await
        .unwrap();
    let input = lectern::courses::validate::class(title, "Python", "", "", "", "", false).unwrap();
    let class_id =
        lectern::courses::classes::create_class(&app.state.db, &teacher, &course, &input)
            .await
            .unwrap();
    let token = lectern::courses::classes::class(&app.state.db, &class_id)
        .await
        .unwrap()
        .ingest_token;
    (class_id, token)
}

/// The class's teacher, signed in with a personal API token.
pub async fn teacher_token(app: &TestApp, title: &str) -> String {
    let id: String = lectern::db_run!(app.state.db.reader(), |pool| {
        sqlx::query_scalar("SELECT id FROM users WHERE email = $1")
            .bind(format!("{title}@example.edu"))
            .fetch_one(pool)
            .await
    })
    .unwrap();
    lectern::auth::tokens::create(&app.state.db, &id, "tests")
        .await
        .unwrap()
}

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Opens the dashboard socket with extra headers; the HTTP status when refused.
pub async fn open_socket(
    app: &TestApp,
    query: &str,
    headers: &[(&str, &str)],
) -> Result<Socket, u16> {
    socket_at(app, "/ws/dashboard", query, headers).await
}

/// Opens the WebSocket at `path`; the HTTP status when refused.
pub async fn socket_at(
    app: &TestApp,
    path: &str,
    query: &str,
    headers: &[(&str, &str)],
) -> Result<Socket, u16> {
    let url = format!("{}{path}?{query}", app.url("").replacen("http", "ws", 1));
    let mut request = url.into_client_request().unwrap();
    for (name, value) in headers {
        request.headers_mut().insert(
            tungstenite::http::HeaderName::from_bytes(name.as_bytes()).unwrap(),
            value.parse().unwrap(),
        );
    }
    match tokio_tungstenite::connect_async(request).await {
        Ok((socket, _)) => Ok(socket),
        Err(tungstenite::Error::Http(response)) => Err(response.status().as_u16()),
        Err(other) => panic!("websocket failed: {other}"),
    }
}

/// The next JSON message (skipping pings), within five seconds.
pub async fn next(socket: &mut Socket) -> serde_json::Value {
    loop {
        let message = tokio::time::timeout(std::time::Duration::from_secs(5), socket.next())
            .await
            .expect("no message within 5 s")
            .expect("socket closed")
            .unwrap();
        if let Message::Text(text) = message {
            return serde_json::from_str(&text).unwrap();
        }
    }
}
