//! Assembles the server: state, routes, layers, and serving until a shutdown signal.

pub mod guard;
pub mod request_id;
pub mod secrets;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::{DefaultBodyLimit, FromRef, Request};
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use leptos::config::LeptosOptions;
use leptos::prelude::*;
use leptos_axum::{LeptosRoutes, generate_route_list};
use tokio::net::TcpListener;
use tower_http::compression::CompressionLayer;

use crate::app::{App, shell};
use crate::config::{Config, LogFormat, Secret};
use crate::db::{Db, DbError};

/// The largest request body accepted anywhere (SPEC §5.2).
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

/// What every handler and server function can reach: one shared allocation, because
/// the state is cloned for every request (a clone per field showed in the ingest
/// profile).
#[derive(Clone, Debug)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The parts of [`AppState`].
#[derive(Debug)]
pub struct Shared {
    pub db: Db,
    pub config: Arc<Config>,
    pub secret_key: Secret,
    pub leptos_options: LeptosOptions,
    /// Live messages to the classes' dashboards.
    pub live: Arc<crate::classroom::live::Hub>,
    /// The one writer of cell events.
    pub writer: crate::classroom::writer::Writer,
    /// The per-student limit on posted events.
    pub event_limit: Arc<crate::classroom::limit::StudentLimiter>,
    /// Recently looked-up ingest tokens.
    pub ingest_tokens: Arc<crate::classroom::ingest::TokenCache>,
    /// Instructors' open live dashboards, for going offline when they are all closed.
    pub watchers: Arc<crate::helpdesk::presence::Watchers>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> LeptosOptions {
        state.leptos_options.clone()
    }
}

/// The state inside a server function.
pub fn app_state() -> Result<AppState, ServerFnError> {
    use_context::<AppState>().ok_or_else(|| ServerFnError::new("server state missing"))
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("database: {0}")]
    Db(#[from] DbError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
    #[error("Leptos site configuration: {0}")]
    Leptos(String),
    #[error("cannot prepare the demo class: {0}")]
    Demo(String),
    #[error(transparent)]
    Writer(#[from] crate::classroom::writer::StartError),
}

/// Connects and migrates the database and prepares the state for serving.
pub async fn prepare(config: Config) -> Result<AppState, StartError> {
    let db = Db::connect(config.database_url.expose(), &config.pool_settings()).await?;
    db.migrate().await?;
    let secret_key = match &config.secret_key {
        Some(secret) => secret.clone(),
        None => secrets::generated_secret_key(&db).await?,
    };
    let leptos_options = leptos_options(&config)?;
    let live = Arc::new(crate::classroom::live::Hub::starting_now());
    if let Db::Postgres(pool) = &db {
        // Other instances may share the database: their live messages reach ours.
        crate::classroom::relay::start(pool.clone(), live.clone());
    }
    let writer = crate::classroom::writer::Writer::start(db.clone(), live.clone())?;
    let event_limit = Arc::new(crate::classroom::limit::StudentLimiter::new(
        config.events_per_student_minute,
    ));
    Ok(AppState(Arc::new(Shared {
        db,
        event_limit,
        ingest_tokens: Arc::default(),
        watchers: Arc::default(),
        config: Arc::new(config),
        secret_key,
        leptos_options,
        live,
        writer,
    })))
}

/// Leptos's runtime options: `Leptos.toml`, overridden by `LEPTOS_*` variables
/// (cargo-leptos sets them), with our own listen address.
fn leptos_options(config: &Config) -> Result<LeptosOptions, StartError> {
    let mut options = leptos::config::get_config_from_str(include_str!("../../Leptos.toml"))
        .map_err(|e| StartError::Leptos(e.to_string()))?;
    options.site_addr = config.listen;
    Ok(options)
}

/// The whole application: notebooks' events down [`ingest_lane`], everything else
/// through [`full_router`].
fn app(state: AppState) -> Lanes {
    Lanes {
        ingest: with_outer_layers(ingest_lane(state.clone())),
        full: with_outer_layers(full_router(state)),
    }
}

/// Requests sorted before any layer sees them: notebooks' events (`POST
/// /api/v1/events[/batch]`) take a short stack, because a busy room posts thousands a
/// second, and the full stack's work (sessions, cookies, compression, the pages' error
/// handling, and each middleware cloning every layer inside it per request) was a good
/// part of each event's cost.
#[derive(Clone)]
struct Lanes {
    ingest: Router,
    full: Router,
}

impl tower::Service<Request> for Lanes {
    type Response = Response;
    type Error = std::convert::Infallible;
    type Future = axum::routing::future::RouteFuture<std::convert::Infallible>;

    fn poll_ready(
        &mut self,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Self::Error>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let is_event = request.method() == axum::http::Method::POST
            && crate::classroom::ingest::EVENT_PATHS.contains(&request.uri().path());
        if is_event {
            self.ingest.call(request)
        } else {
            self.full.call(request)
        }
    }
}

/// The layers every request passes, in either lane: its id and log line, a panic
/// answered as a 500, and the security headers.
fn with_outer_layers(router: Router) -> Router {
    router
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn(guard::catch_panic))
        .layer(middleware::from_fn(request_id::request_context))
}

/// Everything but the notebooks' events, with sessions, cookies and compression.
fn full_router(state: AppState) -> Router {
    // Generated once per process: generating renders the app in a special mode that
    // would disturb pages being rendered at the same time by another server instance.
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    let routes = ROUTES.get_or_init(|| generate_route_list(App)).clone();
    let context = {
        let state = state.clone();
        move || provide_context(state.clone())
    };
    let leptos_options = state.leptos_options.clone();
    let db = state.db.clone();
    let public_url = state.config.public_url();
    let secret_key = state.secret_key.clone();

    Router::new()
        .route("/health", get(crate::health::health_handler))
        .route("/auth/kakao", get(crate::auth::kakao::start_login))
        .route("/auth/kakao/link", post(crate::auth::kakao::start_link))
        .route("/auth/kakao/callback", get(crate::auth::kakao::callback))
        .route(
            "/classes/{id}/attendance.csv",
            get(crate::courses::export::attendance_csv),
        )
        .route(
            "/ws/dashboard",
            get(crate::classroom::socket::dashboard_socket),
        )
        .route("/ws/help", get(crate::helpdesk::socket::help_socket))
        .nest("/api/v1", crate::api::router())
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = leptos_options.clone();
            move || shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .with_state(state)
        .layer(middleware::from_fn(bad_arguments_are_400))
        .layer(middleware::from_fn(mark_form_success))
        .layer(CompressionLayer::new())
        .layer(crate::auth::service::auth_layer(
            &db,
            &public_url,
            &secret_key,
        ))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(guard::reject_oversized))
        .layer(middleware::from_fn_with_state(
            std::sync::Arc::<str>::from(public_url.as_str()),
            guard::refuse_cross_site,
        ))
}

/// Notebooks' events (`POST /api/v1/events[/batch]`) with only the layers they need.
/// Token only, so the cross-site check has nothing to refuse.
fn ingest_lane(state: AppState) -> Router {
    use crate::classroom::ingest::{EVENT_PATHS, post_batch, post_events};
    Router::new()
        .route(EVENT_PATHS[0], post(post_events))
        .route(EVENT_PATHS[1], post(post_batch))
        .with_state(state)
        .layer(middleware::from_fn(guard::json_errors))
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .layer(middleware::from_fn(guard::reject_oversized))
}

/// Adds the headers of [`guard::security_headers`] unless a handler set its own.
async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    for (name, value) in guard::security_headers() {
        headers.entry(name).or_insert(value);
    }
    if !headers.contains_key(header::CACHE_CONTROL) {
        headers.insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("no-cache"),
        );
    }
    response
}

/// Serves `state` on `listener` until `shutdown` completes, then lets requests in flight
/// finish for up to the configured timeout and closes the database.
pub async fn serve(
    listener: TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let timeout = state.config.shutdown_timeout();
    let db = state.db.clone();
    let session_cleanup =
        tokio::spawn(crate::auth::store::DbSessionStore::new(db.clone()).delete_expired_hourly());
    let retention = tokio::spawn(crate::classroom::dashboard::purge_hourly(db.clone()));
    let breaks = tokio::spawn(crate::helpdesk::presence::end_breaks_on_time(state.clone()));
    if let Err(error) = crate::helpdesk::presence::after_restart(&state).await {
        tracing::warn!(?error, "instructors' presence after a restart");
    }
    let app =
        axum::ServiceExt::<Request>::into_make_service_with_connect_info::<SocketAddr>(app(state));
    let (stopping_tx, mut stopping_rx) = tokio::sync::watch::channel(false);
    // Without TCP_NODELAY, a live message written while the previous one is still
    // unacknowledged waits for the dashboard's delayed ACK (up to 40 ms on Linux).
    let listener = listener.tap_io(|stream| {
        if let Err(error) = stream.set_nodelay(true) {
            tracing::debug!(%error, "TCP_NODELAY refused");
        }
    });
    let server = axum::serve(listener, app).with_graceful_shutdown(async move {
        shutdown.await;
        tracing::info!("shutting down: finishing requests in flight");
        let _ = stopping_tx.send(true);
    });
    let deadline = async move {
        if stopping_rx.wait_for(|stopping| *stopping).await.is_err() {
            std::future::pending::<()>().await;
        }
        tokio::time::sleep(timeout).await;
    };
    let result = tokio::select! {
        result = server => result,
        () = deadline => {
            tracing::warn!(?timeout, "shutdown timed out; closing remaining connections");
            Ok(())
        }
    };
    session_cleanup.abort();
    retention.abort();
    breaks.abort();
    // Bounded: a connection stuck in a dead request must not keep the process alive.
    if tokio::time::timeout(std::time::Duration::from_secs(5), db.close())
        .await
        .is_err()
    {
        tracing::warn!("database connections did not close within 5 s");
    }
    tracing::info!("stopped");
    result
}

/// Binds the configured address and serves until SIGTERM or SIGINT.
pub async fn run(config: Config, demo: bool) -> Result<(), StartError> {
    let state = prepare(config).await?;
    let addr = state.config.listen;
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| StartError::Bind { addr, source })?;
    let bound = listener.local_addr().unwrap_or(addr);
    tracing::info!(
        addr = %bound,
        public_url = %state.config.public_url(),
        database = %state.config.database_url,
        "Lectern is serving"
    );
    match crate::auth::setup::open_setup_code(&state.db).await {
        Ok(Some(code)) => tracing::warn!(
            "no administrator yet: open {}/setup and enter the setup code {code} \
             (or run `lectern create-admin`)",
            state.config.public_url()
        ),
        Ok(None) => {}
        Err(error) => tracing::warn!(%error, "could not check for an administrator"),
    }
    let simulation = if demo {
        let (class_id, password) = crate::classroom::demo::prepare(&state.db)
            .await
            .map_err(|e| StartError::Demo(e.to_string()))?;
        tracing::warn!(
            "demo: sign in at {url}/login as {email} with the password {password}, then open \
             {url}/classes/{class_id}/live",
            url = state.config.public_url(),
            email = crate::classroom::demo::DEMO_EMAIL,
        );
        Some(tokio::spawn(crate::classroom::demo::simulate(
            state.clone(),
            class_id,
        )))
    } else {
        None
    };
    let served = serve(listener, state, async move {
        shutdown_signal().await;
        if let Some(simulation) = simulation {
            simulation.abort();
        }
    })
    .await;
    served.map_err(|source| StartError::Bind { addr, source })
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM.
pub async fn shutdown_signal() {
    let interrupt = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
}

/// Sets up structured logging as configured; falls back to `info` on a bad filter.
pub fn init_tracing(config: &Config) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_new(&config.log).unwrap_or_else(|error| {
        eprintln!(
            "LECTERN_LOG {:?} is not a valid filter ({error}); using info",
            config.log
        );
        EnvFilter::new("info")
    });
    let builder = tracing_subscriber::fmt().with_env_filter(filter);
    let _ = match config.log_format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
}

/// Leptos answers server-function arguments it cannot decode (a missing field, a wrong
/// type) with 500; they are the caller's mistake, so the status becomes 400. The body
/// already says `bad_request` in the §5.1 format. (`leptos_routes_with_context` mounts
/// every server function under `/api/fn/`, so this runs as a layer.)
async fn bad_arguments_are_400(request: Request, next: Next) -> Response {
    let server_fn = request.uri().path().starts_with("/api/fn/");
    let response = next.run(request).await;
    if !server_fn || response.status() != http::StatusCode::INTERNAL_SERVER_ERROR {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let bad_request = serde_json::from_slice::<serde_json::Value>(&bytes)
        .is_ok_and(|v| v["error"] == "bad_request");
    if bad_request {
        parts.status = http::StatusCode::BAD_REQUEST;
    }
    axum::response::Response::from_parts(parts, axum::body::Body::from(bytes))
}

/// A plain form post to a server function (a page's form: outside the islands, forms
/// work without JavaScript) returns to the page it came from. When it succeeded, the
/// address says so (`?__saved=<function path>`, read by `ui::last_saved`), so the page
/// can confirm it; any earlier mark is removed.
async fn mark_form_success(request: Request, next: Next) -> Response {
    let path = request.uri().path().to_owned();
    let referer = request
        .headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| url::Url::parse(v).ok());
    let mut response = next.run(request).await;
    let Some(referer) = referer.filter(|_| path.starts_with("/api/fn/")) else {
        return response;
    };
    let Some(mut location) = response
        .headers()
        .get(header::LOCATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| referer.join(v).ok())
    else {
        return response;
    };
    if !response.status().is_redirection() || location.path() != referer.path() {
        return response;
    }
    let mut failed = false;
    let kept: Vec<(String, String)> = location
        .query_pairs()
        .filter(|(key, _)| key != crate::ui::SAVED_PARAM)
        .inspect(|(key, _)| failed |= key == "__err")
        .map(|(key, value)| (key.into_owned(), value.into_owned()))
        .collect();
    {
        let mut query = location.query_pairs_mut();
        query.clear().extend_pairs(kept);
        if !failed {
            query.append_pair(crate::ui::SAVED_PARAM, &path);
        }
    }
    if location.query() == Some("") {
        location.set_query(None);
    }
    if let Ok(value) = header::HeaderValue::from_str(location.as_str()) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
}

#[cfg(test)]
mod tests {
    /// cargo-leptos reads Cargo.toml and the server reads Leptos.toml: the paths that
    /// connect the two must agree.
    #[test]
    fn leptos_toml_agrees_with_cargo_metadata() {
        let runtime =
            leptos::config::get_config_from_str(include_str!("../../Leptos.toml")).unwrap();
        let build = leptos::config::get_config_from_str(include_str!("../../Cargo.toml")).unwrap();
        assert_eq!(runtime.output_name, build.output_name);
        assert_eq!(runtime.site_root, build.site_root);
        assert_eq!(runtime.site_pkg_dir, build.site_pkg_dir);
    }
}
