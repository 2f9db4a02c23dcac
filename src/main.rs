//! The `lectern` command: serve (the default), demo, migrate, backup, create-admin,
//! version.

use std::process::ExitCode;

use clap::Parser;
use lectern::config::{Cli, Command, Config};
use lectern::db::{BackupError, Db};
use lectern::server;

/// Many small allocations per request (JSON, rows, messages) are cheaper and return their
/// memory sooner than with glibc's per-thread arenas.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Transparent huge pages would have the allocator's memory resident in 2 MiB steps
/// (more than half the server's memory in the benchmark); small pages keep it to what is
/// used. Called before the runtime starts, so nearly nothing is mapped yet.
fn small_pages_only() {
    // SAFETY: PR_SET_THP_DISABLE sets a flag of this process; no memory is passed.
    let refused = unsafe { libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0) } != 0;
    if refused {
        eprintln!("note: transparent huge pages stay on (prctl refused)");
    }
}

/// mimalloc's `mi_option_purge_delay`, which the bindings do not name (a test checks the
/// number against the option's default).
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Freed memory goes back to the OS at once; mimalloc keeps it a second by default, and
/// then only once the freeing thread allocates again: with hundreds of dashboards
/// connecting (each sent a snapshot of the class), that kept tens of MiB resident.
fn return_memory_at_once() {
    // SAFETY: sets one of the allocator's options; no memory is passed.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, 0) };
}

fn main() -> ExitCode {
    small_pages_only();
    return_memory_at_once();
    match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime.block_on(run()),
        Err(error) => {
            eprintln!("cannot start the async runtime: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> ExitCode {
    // A `.env` file in the working directory is optional; real variables win over it.
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    server::init_tracing(&cli.config);
    match cli.command.unwrap_or(Command::Serve) {
        Command::Serve => {
            let demo = cli.config.demo;
            report(server::run(cli.config, demo).await)
        }
        Command::Demo => report(server::run(cli.config, true).await),
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
        Command::CreateAdmin { email, name } => create_admin(&cli.config, &email, &name).await,
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

/// `lectern create-admin`: exit 0 when created, 2 for bad input, 1 otherwise.
async fn create_admin(config: &Config, email: &str, name: &str) -> ExitCode {
    use lectern::auth::model::Role;
    use lectern::auth::service::{CreateError, create_user};

    let password = match std::env::var("LECTERN_ADMIN_PASSWORD") {
        Ok(password) => password,
        Err(_) => {
            let mut line = String::new();
            if std::io::stdin().read_line(&mut line).is_err() {
                eprintln!("error: could not read the password from standard input");
                return ExitCode::from(2);
            }
            line.trim_end_matches(['\r', '\n']).to_owned()
        }
    };
    let (first, last) = name.trim().split_once(' ').unwrap_or((name, ""));
    let account = match lectern::auth::validate::new_account(
        email, &password, first, last, None, false,
    ) {
        Ok(account) => account,
        Err(problems) => {
            for problem in problems {
                eprintln!("error: {}: {}", problem.field, problem.code);
            }
            eprintln!(
                "(the password needs 8-128 characters with upper case, lower case and a digit; --name needs a first and a last name)"
            );
            return ExitCode::from(2);
        }
    };
    let db = match Db::connect(config.database_url.expose(), &config.pool_settings()).await {
        Ok(db) => db,
        Err(error) => return report(Err::<(), _>(error)),
    };
    if let Err(error) = db.migrate().await {
        return report(Err::<(), _>(error));
    }
    let result = create_user(&db, &account, Some(password), Role::SuperAdmin, None).await;
    let code = match result {
        Ok(user) => {
            if let Err(error) = lectern::auth::setup::close_setup(&db).await {
                tracing::warn!(%error, "could not close first-run set-up");
            }
            println!(
                "created super administrator {} ({})",
                account.email, user.id
            );
            ExitCode::SUCCESS
        }
        Err(CreateError::EmailTaken) => {
            eprintln!("error: an account with {} already exists", account.email);
            ExitCode::from(2)
        }
        Err(error) => report(Err::<(), _>(error)),
    };
    db.close().await;
    code
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

#[cfg(test)]
mod tests {
    /// The option set is the purge delay: it starts at mimalloc v3's default of 1,000 ms
    /// (this test never calls `return_memory_at_once`).
    #[test]
    fn the_option_set_is_mimallocs_purge_delay() {
        // SAFETY: reads one of the allocator's options.
        let delay = unsafe { libmimalloc_sys::mi_option_get(super::PURGE_DELAY) };
        assert_eq!(delay, 1_000);
    }
}
