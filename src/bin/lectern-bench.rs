//! The live classroom's performance figures (SPEC §7), measured against the release
//! server on SQLite and on PostgreSQL:
//!
//! ```sh
//! scripts/bench.sh            # both databases, then the seeds' design
//! scripts/bench.sh sqlite     # one of them
//! scripts/bench.sh seed       # SQLite, then the seeds' design side by side
//! scripts/bench.sh wasm       # the WASM bundle as the server sends it
//! ```
//!
//! It starts `lectern` from its own folder (the release build beside it) on a fresh
//! database and a free port, with the load generator in this process on the same
//! machine, and prints: single-event ingest with 64 keep-alive connections; latency of
//! ingest and of event → dashboard message at 2,000 events/s (each connection posting
//! at random moments, as students do) from 1,000 students with 200 dashboards open; a
//! burst of 1,000 students posting at once; batch ingest; the overview of a
//! 1,000-student class with 1,000,000 stored events; server memory; and the size of the
//! WASM bundle as a browser downloads it (brotli, else gzip).
//! `LECTERN_BENCH_SECONDS` (default 10) sets each timed phase's length,
//! `LECTERN_BENCH_EVENTS` (default 1,000,000) the stored events for the overview, and
//! `LECTERN_BENCH_POSTGRES_URL` the PostgreSQL server (default
//! `postgres://postgres@127.0.0.1:5432/postgres`). The seeds' design (FastAPI +
//! SQLAlchemy, `bench/seed/`) runs under the Python in `LECTERN_BENCH_SEED_PYTHON`.

use std::process::{Child, Command};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures::StreamExt;
use lectern::auth::model::Role;
use lectern::db::{Db, PoolSettings};
use serde_json::Value;
use sqlx::Connection;
use tokio_tungstenite::tungstenite::{Message, client::IntoClientRequest};

const STUDENTS: usize = 1_000;
const CONNECTIONS: usize = 64;
const DASHBOARDS: usize = 200;
/// Dashboards that parse every message to measure latency (the rest only read).
const MEASURING: usize = 10;
const PACED_RATE: u64 = 2_000;
const BATCH: usize = 1_000;
/// Connections for the seeds' design: at 64 it stalls (its request threads wait on a
/// pool of 15 database sessions and time out), so it is measured where it works best.
const SEED_CONNECTIONS: usize = 8;

type Failure = Box<dyn std::error::Error + Send + Sync>;

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main]
async fn main() -> Result<(), Failure> {
    let wanted: Vec<String> = std::env::args().skip(1).collect();
    let all = wanted.is_empty();
    println!("Lectern {} benchmark (SPEC §7)", env!("CARGO_PKG_VERSION"));
    println!(
        "machine: {} cores; load generator in this process",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    let seed_design = all || wanted.iter().any(|w| w == "seed");
    let mut lectern_rate = None;
    if seed_design || wanted.iter().any(|w| w == "sqlite") {
        let dir = tempfile_dir("sqlite")?;
        let url = format!("sqlite://{}/bench.db", dir.display());
        let result = run("SQLite", &url).await;
        let _ = std::fs::remove_dir_all(&dir);
        lectern_rate = Some(result?);
    }
    if all || wanted.iter().any(|w| w == "postgres") {
        let admin = std::env::var("LECTERN_BENCH_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned());
        let name = format!("lectern_bench_{}", std::process::id());
        let mut connection = sqlx::PgConnection::connect(&admin).await?;
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut connection)
            .await?;
        let url = match admin.rsplit_once('/') {
            Some((server, _)) => format!("{server}/{name}"),
            None => return Err("LECTERN_BENCH_POSTGRES_URL needs a database name".into()),
        };
        let result = run("PostgreSQL", &url).await;
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(&mut connection)
            .await?;
        result?;
    }
    if all || wanted.iter().any(|w| w == "wasm") {
        wasm_bundle().await?;
    }
    if let Some(lectern) = lectern_rate.filter(|_| seed_design) {
        if all && std::env::var_os("LECTERN_BENCH_SEED_PYTHON").is_none() {
            println!("\nThe seeds' design: not measured, LECTERN_BENCH_SEED_PYTHON is not set");
        } else {
            compare_with_seed_design(lectern).await?;
        }
    }
    Ok(())
}

/// Measures the seeds' design with the same load generator and events as Lectern's
/// single-event ingest, and prints how many times faster Lectern is.
async fn compare_with_seed_design(lectern: f64) -> Result<(), Failure> {
    let seconds = env_number("LECTERN_BENCH_SECONDS", 10);
    println!("\n== The seeds' design: FastAPI + SQLAlchemy on SQLite, uvicorn ==");
    let dir = tempfile_dir("seed")?;
    // The server stops at the end of the block, before its folder is removed.
    let result = async {
        let server = start_seed_design(&dir).await?;
        single_ingest(&server, "", SEED_CONNECTIONS, seconds).await
    }
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    let (ok, failed) = result?;
    if ok == 0 {
        return Err(format!("the seeds' design acknowledged no event ({failed} failed)").into());
    }
    let rate = ok as f64 / seconds as f64;
    println!(
        "single-event ingest, {SEED_CONNECTIONS} keep-alive connections: {rate:.0} events/s ({ok} acknowledged, {failed} failed)"
    );
    println!(
        "Lectern on SQLite ({CONNECTIONS} connections): {lectern:.0} events/s, {:.1}× the seeds' design",
        lectern / rate
    );
    Ok(())
}

/// The WASM bundle's size as the release server sends it, for each compression a
/// browser may accept. The site must be built (`cargo leptos build --release
/// --precompress`, which `scripts/bench.sh` runs).
async fn wasm_bundle() -> Result<(), Failure> {
    println!("\n== WASM bundle ==");
    let dir = tempfile_dir("wasm")?;
    let url = format!("sqlite://{}/bench.db", dir.display());
    let result = async {
        let server = start_server(&url).await?;
        // No decompression in this client: the lengths are the bytes on the wire.
        let client = reqwest::Client::new();
        let mut sizes = Vec::new();
        for encoding in ["br", "gzip", "identity"] {
            let response = client
                .get(format!("{}/pkg/lectern.wasm", server.base))
                .header(reqwest::header::ACCEPT_ENCODING, encoding)
                .send()
                .await?;
            if !response.status().is_success() {
                return Err(format!(
                    "GET /pkg/lectern.wasm answered {}: build the site first (cargo leptos build --release --precompress)",
                    response.status()
                )
                .into());
            }
            let sent = response
                .headers()
                .get(reqwest::header::CONTENT_ENCODING)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("identity")
                .to_owned();
            let bytes = response.bytes().await?.len();
            sizes.push(format!("{bytes} B ({sent})"));
        }
        Ok::<_, Failure>(sizes)
    }
    .await;
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "/pkg/lectern.wasm as sent for Accept-Encoding br, gzip, none: {}",
        result?.join(", ")
    );
    Ok(())
}

fn tempfile_dir(name: &str) -> Result<std::path::PathBuf, Failure> {
    let dir = std::env::temp_dir().join(format!("lectern-bench-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// The server under test, stopped when dropped.
struct Server {
    child: Child,
    base: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        // SIGTERM first: a graceful stop closes the database cleanly.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
    }
}

impl Server {
    /// `(VmRSS, VmHWM)` in MiB.
    fn memory(&self) -> (f64, f64) {
        let status = std::fs::read_to_string(format!("/proc/{}/status", self.child.id()))
            .unwrap_or_default();
        let field = |name: &str| {
            status
                .lines()
                .find(|l| l.starts_with(name))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|kb| kb.parse::<f64>().ok())
                .map_or(0.0, |kb| kb / 1024.0)
        };
        (field("VmRSS:"), field("VmHWM:"))
    }
}

fn free_port() -> Result<u16, Failure> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

async fn start_server(url: &str) -> Result<Server, Failure> {
    let exe = std::env::current_exe()?;
    let binary = exe
        .parent()
        .ok_or("no folder for the benchmark binary")?
        .join("lectern");
    let port = free_port()?;
    let child = Command::new(&binary)
        .arg("serve")
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", url)
        .env("LECTERN_LISTEN", format!("127.0.0.1:{port}"))
        .env("LECTERN_LOG", "warn")
        // The §7 load is 2 events/s per student, above the default limit of 100/min.
        .env("LECTERN_EVENTS_PER_STUDENT_MINUTE", "0")
        .env("LECTERN_DB_MAX_CONNECTIONS", "16")
        .spawn()
        .map_err(|e| format!("cannot start {}: {e}", binary.display()))?;
    ready(
        Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        },
        "/health",
    )
    .await
}

/// `server` once `GET path` succeeds, waiting up to 20 s.
async fn ready(server: Server, path: &str) -> Result<Server, Failure> {
    let client = reqwest::Client::new();
    for _ in 0..400 {
        if let Ok(response) = client.get(format!("{}{path}", server.base)).send().await
            && response.status().is_success()
        {
            return Ok(server);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    Err("the server did not become ready within 20 s".into())
}

/// The seeds' own design (`bench/seed/app.py`: FastAPI, SQLAlchemy, SQLite, uvicorn as
/// seed 001 runs it), started with the Python in `LECTERN_BENCH_SEED_PYTHON`, which
/// has `bench/seed/requirements.txt` installed (`scripts/bench.sh` sets it up).
async fn start_seed_design(dir: &std::path::Path) -> Result<Server, Failure> {
    let python = std::env::var("LECTERN_BENCH_SEED_PYTHON").map_err(|_| {
        "LECTERN_BENCH_SEED_PYTHON is not set: run scripts/bench.sh, which installs the seeds' stack"
    })?;
    let app_dir = concat!(env!("CARGO_MANIFEST_DIR"), "/bench/seed");
    let port = free_port()?;
    let child = Command::new(&python)
        .args([
            "-m",
            "uvicorn",
            "--app-dir",
            app_dir,
            "app:app",
            "--host",
            "127.0.0.1",
        ])
        .args(["--port", &port.to_string(), "--log-level", "warning"])
        .env("SEED_DATABASE", dir.join("seed.db"))
        .spawn()
        .map_err(|e| format!("cannot start {python}: {e}"))?;
    ready(
        Server {
            child,
            base: format!("http://127.0.0.1:{port}"),
        },
        "/openapi.json",
    )
    .await
}

/// A class, its ingest token, and its instructor's API token.
async fn seed(url: &str) -> Result<(String, String, String), Failure> {
    let db = Db::connect(
        url,
        &PoolSettings {
            max_connections: 2,
            acquire_timeout: Duration::from_secs(5),
        },
    )
    .await?;
    db.migrate().await?;
    let account = lectern::auth::validate::NewAccount {
        email: "bench@example.edu".to_owned(),
        first_name: "Bench".to_owned(),
        last_name: "Mark".to_owned(),
        grade_level: None,
    };
    let teacher = lectern::auth::service::create_user(
        &db,
        &account,
        Some("Bench1mark-pass".to_owned()),
        Role::Instructor,
        None,
    )
    .await?;
    let input =
        lectern::courses::validate::course("Bench", "", "").map_err(|_| "course input refused")?;
    let course = lectern::courses::classes::create_course(&db, &teacher, &input).await?;
    let input = lectern::courses::validate::class("Bench class", "Python", "", "", "", "", false)
        .map_err(|_| "class input refused")?;
    let class_id = lectern::courses::classes::create_class(&db, &teacher, &course, &input).await?;
    let ingest = lectern::courses::classes::class(&db, &class_id)
        .await?
        .ingest_token;
    let api = lectern::auth::tokens::create(&db, &teacher.id, "bench").await?;
    db.close().await;
    Ok((class_id, ingest, api))
}

static NEXT_EVENT: AtomicU64 = AtomicU64::new(0);

/// One cell event of student `n` (of [`STUDENTS`]), timestamped now, with a random
/// `event_id` (a UUID v4), as the notebook clients send.
fn event(n: usize) -> String {
    let id = NEXT_EVENT.fetch_add(1, Ordering::Relaxed);
    let failed = id.is_multiple_of(7);
    format!(
        r#"{{"event_id":"{key}","email":"s{student}@bench.example","user_name":"Student {student}","notebook_path":"lesson1.ipynb","cell_id":"c{cell}","cell_type":"code","code":"x = {id}","output":"","status":"{status}","execution_time":0.01,"timestamp":"{at}"}}"#,
        key = uuid::Uuid::new_v4(),
        student = n % STUDENTS,
        cell = id % 20,
        status = if failed { "error" } else { "success" },
        at = Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Micros, true),
    )
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let index = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[index]
}

fn summary(mut values: Vec<f64>) -> String {
    values.sort_by(f64::total_cmp);
    format!(
        "p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({} samples)",
        percentile(&values, 0.5),
        percentile(&values, 0.99),
        values.last().copied().unwrap_or(f64::NAN),
        values.len()
    )
}

/// One keep-alive HTTP/1.1 connection with one request in flight, as lean as `wrk`'s:
/// the load generator shares the two cores with the server, so each microsecond it
/// spends on a request is taken from the server being measured.
struct Http {
    stream: tokio::net::TcpStream,
    host: String,
    buffer: Vec<u8>,
}

impl Http {
    async fn open(server: &Server) -> Result<Http, Failure> {
        let host = server.base.trim_start_matches("http://").to_owned();
        let stream = tokio::net::TcpStream::connect(&host).await?;
        stream.set_nodelay(true)?;
        Ok(Http {
            stream,
            host,
            buffer: Vec::with_capacity(16 * 1024),
        })
    }

    /// Sends a request and reads the whole answer: `(status, body)`.
    async fn send(
        &mut self,
        method: &str,
        path: &str,
        token: &str,
        body: &str,
    ) -> Result<(u16, Vec<u8>), Failure> {
        use tokio::io::{AsyncReadExt, AsyncWriteExt};
        let request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nAuthorization: Bearer {token}\r\n\
             Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
            self.host,
            body.len()
        );
        self.stream.write_all(request.as_bytes()).await?;
        self.buffer.clear();
        let mut chunk = [0u8; 16 * 1024];
        let (head_end, status, length) = loop {
            let read = self.stream.read(&mut chunk).await?;
            if read == 0 {
                return Err("the server closed the connection".into());
            }
            self.buffer.extend_from_slice(&chunk[..read]);
            if let Some(end) = self.buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                let head = std::str::from_utf8(&self.buffer[..end])?;
                let status: u16 = head
                    .split(' ')
                    .nth(1)
                    .and_then(|s| s.parse().ok())
                    .ok_or("no status line")?;
                let length: usize = head
                    .lines()
                    .find_map(|line| {
                        let (name, value) = line.split_once(':')?;
                        name.eq_ignore_ascii_case("content-length")
                            .then(|| value.trim().parse().ok())?
                    })
                    .ok_or("an answer without Content-Length")?;
                break (end + 4, status, length);
            }
        };
        while self.buffer.len() < head_end + length {
            let read = self.stream.read(&mut chunk).await?;
            if read == 0 {
                return Err("the server closed the connection".into());
            }
            self.buffer.extend_from_slice(&chunk[..read]);
        }
        Ok((status, self.buffer[head_end..head_end + length].to_vec()))
    }

    async fn post(&mut self, path: &str, token: &str, body: &str) -> Result<u16, Failure> {
        Ok(self.send("POST", path, token, body).await?.0)
    }
}

/// Posts single events from `connections` workers for `seconds`: (acknowledged, failed).
async fn single_ingest(
    server: &Server,
    token: &str,
    connections: usize,
    seconds: u64,
) -> Result<(u64, u64), Failure> {
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let ok = Arc::new(AtomicU64::new(0));
    let failed = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::new();
    for worker in 0..connections {
        let mut http = Http::open(server).await?;
        let token = token.to_owned();
        let (ok, failed) = (ok.clone(), failed.clone());
        workers.push(tokio::spawn(async move {
            let mut n = worker;
            while Instant::now() < deadline {
                match http.post("/api/v1/events", &token, &event(n)).await {
                    Ok(201) => ok.fetch_add(1, Ordering::Relaxed),
                    Ok(_) => failed.fetch_add(1, Ordering::Relaxed),
                    Err(_) => {
                        failed.fetch_add(1, Ordering::Relaxed);
                        break;
                    }
                };
                n += connections;
            }
        }));
    }
    for worker in workers {
        worker.await?;
    }
    Ok((ok.load(Ordering::Relaxed), failed.load(Ordering::Relaxed)))
}

async fn open_dashboard(
    server: &Server,
    class_id: &str,
    api: &str,
) -> Result<
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>,
    Failure,
> {
    let url = format!(
        "{}/ws/dashboard?class_id={class_id}",
        server.base.replacen("http", "ws", 1)
    );
    let mut request = url.into_client_request()?;
    request
        .headers_mut()
        .insert("authorization", format!("Bearer {api}").parse()?);
    // tungstenite zero-fills its read buffer up to this size before every read: at the
    // default 128 KiB, the 200 dashboards' small messages made `memset` 15% of the
    // machine's time, taken from the server being measured.
    let config =
        tokio_tungstenite::tungstenite::protocol::WebSocketConfig::default().read_buffer_size(4096);
    let (socket, _) =
        tokio_tungstenite::connect_async_with_config(request, Some(config), false).await?;
    Ok(socket)
}

/// How long after its event an update reached a dashboard: for a coalesced delta,
/// its oldest execution (the worst case).
fn message_latency(text: &str, now: DateTime<Utc>) -> Option<f64> {
    let message: Value = serde_json::from_str(text).ok()?;
    let at = match message["type"].as_str()? {
        "cell_execution" => &message["data"]["executed_at"],
        "delta_update" => &message["data"]["firstExecutionAt"],
        _ => return None,
    };
    let at: DateTime<Utc> = serde_json::from_value(at.clone()).ok()?;
    Some((now - at).num_microseconds()? as f64 / 1000.0)
}

/// Paced load at [`PACED_RATE`] with [`DASHBOARDS`] open: ingest latencies and
/// event → dashboard latencies, in ms.
async fn paced(
    server: &Server,
    class_id: &str,
    token: &str,
    api: &str,
    seconds: u64,
) -> Result<(Vec<f64>, Vec<f64>, u64), Failure> {
    let delivered = Arc::new(std::sync::Mutex::new(Vec::new()));
    let mut readers = Vec::new();
    for n in 0..DASHBOARDS {
        let mut socket = open_dashboard(server, class_id, api).await?;
        let delivered = delivered.clone();
        readers.push(tokio::spawn(async move {
            while let Some(Ok(message)) = socket.next().await {
                if n < MEASURING
                    && let Message::Text(text) = message
                    && let Some(ms) = message_latency(&text, Utc::now())
                    && let Ok(mut delivered) = delivered.lock()
                {
                    delivered.push(ms);
                }
            }
        }));
    }
    // Let the snapshots go out before the load starts.
    tokio::time::sleep(Duration::from_secs(1)).await;
    // Each connection is a student posting at random moments (a Poisson process), so
    // that together they post PACED_RATE a second as a room does: independently, not
    // all 64 at the same instant (the burst is measured on its own).
    let mean_gap = CONNECTIONS as f64 / PACED_RATE as f64;
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let failed = Arc::new(AtomicU64::new(0));
    let mut workers = Vec::new();
    for worker in 0..CONNECTIONS {
        let mut http = Http::open(server).await?;
        let (token, failed) = (token.to_owned(), failed.clone());
        workers.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let gap = || Duration::from_secs_f64(-(1.0 - rand::random::<f64>()).ln() * mean_gap);
            let mut next = Instant::now() + gap();
            let mut n = worker;
            while next < deadline {
                tokio::time::sleep_until(next.into()).await;
                next += gap();
                let started = Instant::now();
                match http.post("/api/v1/events", &token, &event(n)).await {
                    Ok(201) => latencies.push(started.elapsed().as_secs_f64() * 1000.0),
                    Ok(_) => {
                        failed.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(_) => {
                        failed.fetch_add(1, Ordering::Relaxed);
                        break;
                    }
                }
                n += CONNECTIONS;
            }
            latencies
        }));
    }
    let mut ingest = Vec::new();
    for worker in workers {
        ingest.extend(worker.await?);
    }
    // Let the last messages arrive, then close the dashboards.
    tokio::time::sleep(Duration::from_secs(1)).await;
    for reader in &readers {
        reader.abort();
    }
    for reader in readers {
        let _ = reader.await;
    }
    let delivered = delivered
        .lock()
        .map(|mut d| std::mem::take(&mut *d))
        .unwrap_or_default();
    Ok((ingest, delivered, failed.load(Ordering::Relaxed)))
}

/// 1,000 students post one event each at the same moment: (seconds until all were
/// answered, acknowledged, failures with their statuses).
async fn burst(server: &Server, token: &str) -> Result<(f64, usize, Vec<String>), Failure> {
    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(STUDENTS)
        .timeout(Duration::from_secs(30))
        .build()?;
    let url = format!("{}/api/v1/events", server.base);
    let bodies: Vec<String> = (0..STUDENTS).map(event).collect();
    let started = Instant::now();
    let posts = bodies.into_iter().map(|body| {
        client
            .post(&url)
            .bearer_auth(token)
            .header("content-type", "application/json")
            .body(body)
            .send()
    });
    let answers = futures::future::join_all(posts).await;
    let seconds = started.elapsed().as_secs_f64();
    let mut failures = Vec::new();
    let mut ok = 0;
    for answer in answers {
        match answer {
            Ok(r) if r.status() == reqwest::StatusCode::CREATED => ok += 1,
            Ok(r) => failures.push(format!(
                "{} {}",
                r.status(),
                r.text().await.unwrap_or_default()
            )),
            Err(e) => failures.push(e.to_string()),
        }
    }
    Ok((seconds, ok, failures))
}

/// Posts batches of [`BATCH`] events from 4 workers until `total` are stored: events/s.
async fn batch_ingest(server: &Server, token: &str, total: u64) -> Result<f64, Failure> {
    let remaining = Arc::new(AtomicU64::new(total.div_ceil(BATCH as u64)));
    let started = Instant::now();
    let mut workers = Vec::new();
    for worker in 0..4 {
        let mut http = Http::open(server).await?;
        let (token, remaining) = (token.to_owned(), remaining.clone());
        workers.push(tokio::spawn(async move {
            let mut n = worker * BATCH;
            let mut stored = 0u64;
            while remaining
                .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |r| r.checked_sub(1))
                .is_ok()
            {
                let events: Vec<String> = (n..n + BATCH).map(event).collect();
                n += 4 * BATCH;
                let body = format!(r#"{{"events":[{}]}}"#, events.join(","));
                match http.post("/api/v1/events/batch", &token, &body).await {
                    Ok(201) => stored += BATCH as u64,
                    Ok(_) => {}
                    Err(_) => break,
                }
            }
            stored
        }));
    }
    let mut stored = 0;
    for worker in workers {
        stored += worker.await?;
    }
    Ok(stored as f64 / started.elapsed().as_secs_f64())
}

/// Prints the §7 figures for one database; returns the single-event ingest rate.
async fn run(name: &str, url: &str) -> Result<f64, Failure> {
    let seconds = env_number("LECTERN_BENCH_SECONDS", 10);
    let stored_target = env_number("LECTERN_BENCH_EVENTS", 1_000_000);
    println!("\n== {name} ==");
    let first_event = NEXT_EVENT.load(Ordering::Relaxed);
    let (class_id, token, api) = seed(url).await?;
    let server = start_server(url).await?;

    let (ok, failed) = single_ingest(&server, &token, CONNECTIONS, seconds).await?;
    let single_rate = ok as f64 / seconds as f64;
    println!(
        "single-event ingest, {CONNECTIONS} keep-alive connections: {single_rate:.0} events/s ({ok} acknowledged, {failed} failed)"
    );

    let (seconds_taken, ok, failures) = burst(&server, &token).await?;
    println!(
        "burst of {STUDENTS} students at once: all answered in {seconds_taken:.3} s, {ok} acknowledged, {} failed{}",
        failures.len(),
        failures
            .first()
            .map(|f| format!(" (first: {f})"))
            .unwrap_or_default()
    );

    let (ingest, delivered, failed) = paced(&server, &class_id, &token, &api, seconds).await?;
    println!(
        "at {PACED_RATE} events/s from {STUDENTS} students with {DASHBOARDS} dashboards ({failed} failed):"
    );
    println!("  ingest latency: {}", summary(ingest));
    println!("  event → dashboard latency: {}", summary(delivered));

    let stored_now = NEXT_EVENT.load(Ordering::Relaxed) - first_event;
    let to_store = stored_target
        .saturating_sub(stored_now)
        .max(BATCH as u64 * 20);
    let rate = batch_ingest(&server, &token, to_store).await?;
    println!("batch ingest ({BATCH} per request, 4 connections): {rate:.0} events/s");

    let mut http = Http::open(&server).await?;
    let (_, stored) = http
        .send(
            "GET",
            &format!("/api/v1/events?class_id={class_id}&limit=1"),
            &api,
            "",
        )
        .await?;
    let stored: Value = serde_json::from_slice(&stored)?;
    let overview_path = format!("/api/v1/dashboard/overview?class_id={class_id}");
    let mut times = Vec::new();
    let mut body = Vec::new();
    for _ in 0..100 {
        let started = Instant::now();
        body = http.send("GET", &overview_path, &api, "").await?.1;
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    let body: Value = serde_json::from_slice(&body)?;
    let students = body["students"].as_array().map_or(0, Vec::len);
    println!(
        "overview of {students} students with {} stored events (HTTP round trip): {}",
        stored["total"],
        summary(times)
    );

    let mut dashboards = Vec::new();
    for _ in 0..100 {
        dashboards.push(open_dashboard(&server, &class_id, &api).await?);
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (rss, peak) = server.memory();
    println!(
        "server memory with {STUDENTS} students and 100 dashboards: RSS {rss:.1} MiB (peak during the run {peak:.1} MiB)"
    );
    drop(dashboards);
    Ok(single_rate)
}
