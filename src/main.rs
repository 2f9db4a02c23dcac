//! The `lectern` command: serve (the default), migrate, backup, version.

use std::process::ExitCode;

use clap::Parser;
use lectern::config::{Cli, Command, Config};
use lectern::db::{BackupError, Db};
use lectern::server;

#[tokio::main]
async fn main() -> ExitCode {
    // A `.env` file in the working directory is optional; real variables win over it.
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    server::init_tracing(&cli.config);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => report(server::run(cli.config).await),
        Command::Migrate => report(migrate(&cli.config).await),
        Command::Backup { file } => match backup(&cli.config, &file).await {
            Ok(()) => {
                println!("backup written to {}", file.display());
                ExitCode::SUCCESS
            }
            Err(error @ BackupError::UsePgDump) => {
                eprintln!("{error}");
                ExitCode::from(2)
            }
            Err(error) => report(Err::<(), _>(error)),
        },
        Command::Version => {
            println!("lectern {}", env!("CARGO_PKG_VERSION"));
            ExitCode::SUCCESS
        }
    }
}

async fn migrate(config: &Config) -> Result<(), lectern::db::DbError> {
    let db = Db::connect(config.database_url.expose(), &config.pool_settings()).await?;
    db.migrate().await?;
    db.close().await;
    tracing::info!(database = %config.database_url, "migrations applied");
    Ok(())
}

async fn backup(config: &Config, file: &std::path::Path) -> Result<(), BackupError> {
    let db = Db::connect(config.database_url.expose(), &config.pool_settings())
        .await
        .map_err(BackupError::Db)?;
    let result = db.backup_sqlite(file).await;
    db.close().await;
    result
}

fn report<E: std::fmt::Display>(result: Result<(), E>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            tracing::error!(%error, "lectern stopped with an error");
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
