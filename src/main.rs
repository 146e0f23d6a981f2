//! The `tarn` command line: parses arguments and configuration, then hands over to `tarn::start`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgGroup, Args, Parser, Subcommand};

/// Tarn, an OpenID Connect identity provider with Identity Pools.
#[derive(Parser)]
#[command(name = "tarn", version, about)]
struct Cli {
    /// Configuration file (TOML); defaults to ./tarn.toml when present.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run the server.
    Serve,
    /// Manage the private signing keys stored in the database.
    Keys {
        #[command(subcommand)]
        command: KeysCommand,
    },
    /// Manage the administrators who sign in to the admin portal.
    #[command(subcommand)]
    Admin(AdminCommand),
    /// Write one tenant as NDJSON (users with their password hashes and passkeys, clients with their ids).
    Export {
        /// The tenant's id.
        #[arg(long)]
        tenant: String,
        /// Where to write; standard output when not given.
        #[arg(long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Read a tenant from an NDJSON export into this database, which must not have that tenant yet.
    Import {
        /// The export to read.
        file: PathBuf,
        /// Check every line and write nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Re-encrypt every stored private signing key under the first key of TARN_KEY_ENCRYPTION_KEYS.
    Rewrap,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Make someone an administrator (a member of the Administrators pool's group `administrators`).
    Create(CreateAdmin),
}

#[derive(Args)]
#[command(group(ArgGroup::new("credential").required(true).args(["password_stdin", "invite"])))]
struct CreateAdmin {
    /// The administrator's email address.
    #[arg(long)]
    email: String,
    /// Read the password from standard input.
    #[arg(long)]
    password_stdin: bool,
    /// Print a single-use link, valid 24 hours, where they set a password or create a passkey.
    #[arg(long)]
    invite: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let (config, warnings) = match tarn::config::Config::load(cli.config.as_deref()) {
        Ok(loaded) => loaded,
        Err(e) => {
            eprintln!("tarn: {e}");
            return ExitCode::from(2);
        }
    };
    if let Err(e) = init_logging(&config.log, config.log_format) {
        eprintln!("tarn: invalid configuration: log (TARN_LOG): {e}");
        return ExitCode::from(2);
    }
    for warning in warnings {
        tracing::warn!("{warning}");
    }
    let system = actix_web::rt::System::new();
    let outcome = match cli.command {
        Command::Admin(AdminCommand::Create(args)) => return create_admin(config, args),
        Command::Serve => system.block_on(serve(config)),
        Command::Keys {
            command: KeysCommand::Rewrap,
        } => system.block_on(rewrap(config)),
        Command::Export { tenant, output } => {
            return transferred(
                system.block_on(tarn::portability_cli::export(config, &tenant, output)),
            );
        }
        Command::Import { file, dry_run } => {
            return transferred(
                system.block_on(tarn::portability_cli::import(config, file, dry_run)),
            );
        }
    };
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Start(e)) if e.is_configuration() => {
            eprintln!("tarn: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("tarn: {e}");
            ExitCode::from(1)
        }
    }
}

/// Why a command failed: at start (which may be the configuration's fault), or while serving.
#[derive(Debug, thiserror::Error)]
enum Failure {
    #[error("{0}")]
    Start(#[from] tarn::StartError),
    #[error("{0}")]
    Serve(#[from] std::io::Error),
}

fn create_admin(config: tarn::config::Config, args: CreateAdmin) -> ExitCode {
    let password = match args.password_stdin {
        true => match read_password() {
            Ok(p) => Some(p),
            Err(e) => {
                eprintln!("tarn: {e}");
                return ExitCode::from(2);
            }
        },
        false => None,
    };
    let created = actix_web::rt::System::new().block_on(tarn::admin_cli::create_administrator(
        config,
        &args.email,
        password,
    ));
    match created {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(e @ tarn::admin_cli::AdminCreateError::Invalid(_)) => {
            eprintln!("tarn: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("tarn: {e}");
            ExitCode::from(1)
        }
    }
}

/// The exit status of an export or import, its summary (or why it did nothing) on standard error.
fn transferred(done: Result<String, tarn::portability_cli::TransferError>) -> ExitCode {
    match done {
        Ok(summary) => {
            eprintln!("{summary}");
            ExitCode::SUCCESS
        }
        Err(e @ tarn::portability_cli::TransferError::Refused(_)) => {
            eprintln!("tarn: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("tarn: {e}");
            ExitCode::from(1)
        }
    }
}

/// The password on standard input, without the line ending that `echo` or a terminal adds.
fn read_password() -> Result<String, String> {
    let mut input = String::new();
    std::io::Read::read_to_string(&mut std::io::stdin(), &mut input)
        .map_err(|_| "the password on standard input is not UTF-8 text".to_owned())?;
    let password = input
        .strip_suffix("\r\n")
        .or_else(|| input.strip_suffix('\n'))
        .unwrap_or(&input);
    if password.is_empty() {
        return Err("no password on standard input".into());
    }
    Ok(password.to_owned())
}

async fn serve(config: tarn::config::Config) -> Result<(), Failure> {
    let server = tarn::start(config).await?;
    tracing::info!(address = %server.addr, public_url = server.state.config.public_url(), "Tarn is serving");
    server.serve_until_signal().await?;
    tracing::info!("Tarn stopped");
    Ok(())
}

async fn rewrap(config: tarn::config::Config) -> Result<(), Failure> {
    let changed = tarn::rewrap_keys(config).await?;
    println!("Re-encrypted {changed} private signing keys under the first key of the keyring");
    Ok(())
}

/// Logs to standard error as text or, with `TARN_LOG_FORMAT=json`, one JSON object per line (`timestamp`, `level`,
/// `target`, `fields` with `message`, and `span`/`spans` holding the request's `request_id`).
fn init_logging(
    filter: &str,
    format: tarn::config::LogFormat,
) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)?;
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        tarn::config::LogFormat::Text => builder.try_init()?,
        tarn::config::LogFormat::Json => builder.json().try_init()?,
    }
    Ok(())
}
