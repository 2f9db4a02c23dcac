//! Live messages across instances (SPEC §2): several Lectern instances behind a load
//! balancer on one PostgreSQL database. Each sends what it publishes to the others with
//! `NOTIFY`, and publishes what the others sent to its own dashboards, so a dashboard
//! sees every event of its class whichever instance took it. Each instance numbers its
//! own feeds: a dashboard resuming on another instance gets a snapshot, as after a
//! restart.

use std::sync::{Arc, Weak};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use tokio::sync::mpsc;

use super::live::{Hub, Relayed, Update};

/// The channel every instance listens on.
const CHANNEL: &str = "lectern_live";
/// The largest notice sent inline: PostgreSQL refuses payloads of 8,000 bytes or more.
const MAX_PAYLOAD: usize = 7_900;
/// Larger notices go through a row of `live_relay`, deleted after this long.
const KEEP_ROWS: &str = "1 minute";
/// Most publications sent in one round trip.
const MAX_SENT: usize = 256;
/// How long a listener waits before connecting again after losing the database.
const RETRY: Duration = Duration::from_secs(1);

/// One publication: its class (`None`: every class) and updates, or the row holding it.
#[derive(Serialize, Deserialize)]
struct Notice {
    from: String,
    #[serde(default)]
    class: Option<String>,
    #[serde(default)]
    updates: Vec<Update>,
    #[serde(default)]
    row: Option<i64>,
}

/// Starts relaying `hub`'s publications to the other instances on `pool`'s database, and
/// theirs to `hub`.
pub fn start(pool: PgPool, hub: Arc<Hub>) {
    let instance = uuid::Uuid::new_v4().simple().to_string();
    // Unbounded: the hub bounds what waits, by updates (`live::RELAY_BACKLOG`).
    let (sender, receiver) = mpsc::unbounded_channel();
    hub.relay_to(sender);
    tokio::spawn(send(
        pool.clone(),
        instance.clone(),
        Arc::downgrade(&hub),
        receiver,
    ));
    tokio::spawn(listen(pool, instance, hub));
}

/// A notice to send: inline, or through a row when too large for `NOTIFY`.
enum Outgoing {
    Inline(String),
    Large(String),
}

/// Sends the publications as they come, those that queued up meanwhile together.
/// Holds the hub weakly: it ends when the hub (and with it the queue's sender) is gone.
async fn send(
    pool: PgPool,
    instance: String,
    hub: Weak<Hub>,
    mut receiver: mpsc::UnboundedReceiver<Relayed>,
) {
    while let Some(first) = receiver.recv().await {
        let mut notices = Vec::new();
        let mut next = Some(first);
        let (mut taken, mut sent) = (0, 0);
        while let Some((class, updates)) = next {
            sent += updates.len();
            encode(&instance, class, updates, &mut notices);
            taken += 1;
            next = if taken < MAX_SENT {
                receiver.try_recv().ok()
            } else {
                None
            };
        }
        if let Some(hub) = hub.upgrade() {
            hub.relayed(sent);
        }
        match notify(&pool, &instance, notices).await {
            Ok(()) => {}
            Err(sqlx::Error::PoolClosed) => return,
            Err(error) => tracing::warn!(%error, "sending live messages to the other instances"),
        }
    }
}

/// Adds the notices of `updates` to `notices`: each update written once, as many in a
/// notice as fit under `NOTIFY`'s limit, and a single update too large for it alone
/// through a row (a help request carries up to 64 KiB of code).
fn encode(
    instance: &str,
    class: Option<String>,
    updates: Vec<Update>,
    notices: &mut Vec<Outgoing>,
) {
    // A `Notice` as serde writes it, `from` first ([`receive`] relies on it).
    let (Ok(from), Ok(class)) = (
        serde_json::to_string(instance),
        serde_json::to_string(&class),
    ) else {
        return;
    };
    let head = format!(r#"{{"from":{from},"class":{class},"updates":["#);
    const TAIL: &str = "]}";
    let mut notice = head.clone();
    for update in &updates {
        let Ok(text) = serde_json::to_string(update) else {
            continue;
        };
        let empty = notice.len() == head.len();
        if !empty && notice.len() + 1 + text.len() + TAIL.len() > MAX_PAYLOAD {
            notice.push_str(TAIL);
            notices.push(Outgoing::Inline(std::mem::replace(
                &mut notice,
                head.clone(),
            )));
        }
        if notice.len() > head.len() {
            notice.push(',');
        }
        notice.push_str(&text);
        if notice.len() + TAIL.len() > MAX_PAYLOAD {
            // Alone and still too large.
            notice.push_str(TAIL);
            notices.push(Outgoing::Large(std::mem::replace(
                &mut notice,
                head.clone(),
            )));
        }
    }
    if notice.len() > head.len() {
        notice.push_str(TAIL);
        notices.push(Outgoing::Inline(notice));
    }
}

/// Sends the notices in order, in one transaction (delivered when it commits).
async fn notify(pool: &PgPool, instance: &str, notices: Vec<Outgoing>) -> Result<(), sqlx::Error> {
    let mut tx = pool.begin().await?;
    let mut payloads = Vec::with_capacity(notices.len());
    let mut cleaned = false;
    for notice in notices {
        match notice {
            Outgoing::Inline(text) => payloads.push(text),
            Outgoing::Large(text) => {
                if !cleaned {
                    sqlx::query(&format!(
                        "DELETE FROM live_relay WHERE created_at < now() - interval '{KEEP_ROWS}'"
                    ))
                    .execute(&mut *tx)
                    .await?;
                    cleaned = true;
                }
                let row: i64 =
                    sqlx::query_scalar("INSERT INTO live_relay (payload) VALUES ($1) RETURNING id")
                        .bind(text)
                        .fetch_one(&mut *tx)
                        .await?;
                let pointer = Notice {
                    from: instance.to_owned(),
                    class: None,
                    updates: Vec::new(),
                    row: Some(row),
                };
                payloads.push(serde_json::to_string(&pointer).unwrap_or_default());
            }
        }
    }
    sqlx::query(
        "SELECT pg_notify($1, payload) FROM (SELECT payload FROM unnest($2::text[]) \
         WITH ORDINALITY AS n (payload, at) ORDER BY at) AS ordered",
    )
    .bind(CHANNEL)
    .bind(&payloads)
    .execute(&mut *tx)
    .await?;
    tx.commit().await
}

/// Listens for the other instances' notices and publishes them here, until the pool
/// closes (the server stops).
async fn listen(pool: PgPool, instance: String, hub: Arc<Hub>) {
    // How this instance's own notices begin.
    let own = format!(r#"{{"from":"{instance}""#);
    loop {
        let mut listener = match PgListener::connect_with(&pool).await {
            Ok(listener) => listener,
            Err(sqlx::Error::PoolClosed) => return,
            Err(error) => {
                tracing::warn!(%error, "listening for the other instances' live messages");
                tokio::time::sleep(RETRY).await;
                continue;
            }
        };
        if let Err(error) = listener.listen(CHANNEL).await {
            tracing::warn!(%error, "listening for the other instances' live messages");
            tokio::time::sleep(RETRY).await;
            continue;
        }
        loop {
            match listener.recv().await {
                Ok(notification) => receive(&pool, &own, &hub, notification.payload()).await,
                Err(sqlx::Error::PoolClosed) => return,
                // The listener connects again at the next call; what was sent meanwhile
                // is lost (a dashboard catches up at its next snapshot).
                Err(error) => {
                    tracing::warn!(%error, "lost the other instances' live messages");
                    tokio::time::sleep(RETRY).await;
                }
            }
        }
    }
}

/// Publishes another instance's notice here. Every instance hears its own too: those are
/// told by their start, `own` (`from` is written first), without being read whole.
async fn receive(pool: &PgPool, own: &str, hub: &Hub, payload: &str) {
    if payload.starts_with(own) {
        return;
    }
    let Ok(mut notice) = serde_json::from_str::<Notice>(payload) else {
        tracing::warn!("an unreadable live message from another instance");
        return;
    };
    if let Some(row) = notice.row {
        let stored: Result<Option<String>, _> =
            sqlx::query_scalar("SELECT payload FROM live_relay WHERE id = $1")
                .bind(row)
                .fetch_optional(pool)
                .await;
        match stored.map(|text| text.and_then(|text| serde_json::from_str(&text).ok())) {
            Ok(Some(stored)) => notice = stored,
            Ok(None) => return,
            Err(error) => {
                tracing::warn!(%error, "reading another instance's live message");
                return;
            }
        }
    }
    match notice.class {
        Some(class_id) => hub.publish_here(&class_id, notice.updates),
        None => {
            for update in notice.updates {
                hub.publish_everywhere_here(update);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{MAX_PAYLOAD, Notice, Outgoing, encode};
    use crate::classroom::live::Update;

    fn removed(email: String) -> Update {
        Update::Removed { email }
    }

    /// Notices stay under PostgreSQL's limit: many updates are split, and a single update
    /// too large for it goes through a row; every update arrives once, in order.
    #[test]
    fn notices_are_split_under_the_payload_limit() {
        let updates: Vec<Update> = (0..400).map(|n| removed(format!("s{n}@x.org"))).collect();
        let mut notices = Vec::new();
        encode("me", Some("c".to_owned()), updates, &mut notices);
        assert!(notices.len() > 1);
        let mut emails = Vec::new();
        for notice in &notices {
            let Outgoing::Inline(text) = notice else {
                panic!("a row for a small update");
            };
            assert!(text.len() <= MAX_PAYLOAD);
            // How `receive` tells its own notices without reading them.
            assert!(text.starts_with(r#"{"from":"me""#));
            let notice: Notice = serde_json::from_str(text).unwrap();
            assert_eq!(
                (notice.from.as_str(), notice.class.as_deref()),
                ("me", Some("c"))
            );
            for update in notice.updates {
                let Update::Removed { email } = update else {
                    panic!("another update");
                };
                emails.push(email);
            }
        }
        let expected: Vec<String> = (0..400).map(|n| format!("s{n}@x.org")).collect();
        assert_eq!(emails, expected);

        let mut notices = Vec::new();
        encode("me", None, vec![removed("x".repeat(10_000))], &mut notices);
        assert!(matches!(notices.as_slice(), [Outgoing::Large(_)]));
    }
}
