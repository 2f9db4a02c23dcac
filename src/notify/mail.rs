//! Sending mail: every message goes into the `outbox` table first, then, when
//! `LECTERN_SMTP_URL` is set, out over SMTP in the background (the caller never waits on
//! a mail server, so answers take the same time whether or not mail was sent).

use chrono::Utc;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::db::Db;
use crate::db_run;
use crate::server::AppState;

/// Records `subject`/`body` for `to` in the outbox and, with SMTP configured, sends it.
pub async fn send(
    state: &AppState,
    to: &str,
    subject: &str,
    body: &str,
) -> Result<(), sqlx::Error> {
    let id = uuid::Uuid::now_v7().to_string();
    let now = Utc::now();
    db_run!(state.db.writer(), |pool| {
        sqlx::query(
            "INSERT INTO outbox (id, to_address, subject, body, created_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&id)
        .bind(to)
        .bind(subject)
        .bind(body)
        .bind(now)
        .execute(pool)
        .await
        .map(|_| ())
    })?;
    if let Some(url) = state.config.smtp_url.clone() {
        let (db, from) = (state.db.clone(), state.config.mail_from.clone());
        let (to, subject, body) = (to.to_owned(), subject.to_owned(), body.to_owned());
        tokio::spawn(async move {
            let outcome = deliver(url.expose(), &from, &to, &subject, body).await;
            if let Err(error) = &outcome {
                tracing::warn!(%error, outbox_id = %id, "mail not delivered; it stays in the outbox");
            }
            if let Err(error) = mark(&db, &id, outcome.err()).await {
                tracing::warn!(%error, "could not record the delivery outcome");
            }
        });
    }
    Ok(())
}

async fn deliver(
    url: &str,
    from: &str,
    to: &str,
    subject: &str,
    body: String,
) -> Result<(), String> {
    let message = Message::builder()
        .from(
            from.parse::<Mailbox>()
                .map_err(|e| format!("LECTERN_MAIL_FROM: {e}"))?,
        )
        .to(to
            .parse::<Mailbox>()
            .map_err(|e| format!("recipient: {e}"))?)
        .subject(subject)
        .body(body)
        .map_err(|e| e.to_string())?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .map_err(|e| format!("LECTERN_SMTP_URL: {e}"))?
        .timeout(Some(std::time::Duration::from_secs(20)))
        .build();
    transport
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string())
}

async fn mark(db: &Db, id: &str, error: Option<String>) -> Result<(), sqlx::Error> {
    let now = Utc::now();
    let sent_at = error.is_none().then_some(now);
    db_run!(db.writer(), |pool| {
        sqlx::query("UPDATE outbox SET sent_at = $1, error = $2 WHERE id = $3")
            .bind(sent_at)
            .bind(&error)
            .bind(id)
            .execute(pool)
            .await
            .map(|_| ())
    })
}

/// The newest `limit` outbox messages.
pub async fn recent(db: &Db, limit: i64) -> Result<Vec<super::api::OutboxMessage>, sqlx::Error> {
    db_run!(db.reader(), |pool| {
        sqlx::query_as::<_, super::api::OutboxMessage>(
            "SELECT to_address, subject, body, created_at, sent_at, error FROM outbox \
             ORDER BY created_at DESC LIMIT $1",
        )
        .bind(limit)
        .fetch_all(pool)
        .await
    })
}
