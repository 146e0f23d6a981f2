//! The `tarn` command line: parses arguments and configuration, then hands over to `tarn::start`.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
}

#[derive(Subcommand)]
enum KeysCommand {
    /// Re-encrypt every stored private signing key under the first key of TARN_KEY_ENCRYPTION_KEYS.
    Rewrap,
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
    if let Err(e) = init_logging(&config.log) {
        eprintln!("tarn: invalid configuration: log (TARN_LOG): {e}");
        return ExitCode::from(2);
    }
    for warning in warnings {
        tracing::warn!("{warning}");
    }
    let system = actix_web::rt::System::new();
    let outcome = match cli.command {
        Command::Serve => system.block_on(serve(config)),
        Command::Keys {
            command: KeysCommand::Rewrap,
        } => system.block_on(rewrap(config)),
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

fn init_logging(filter: &str) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let filter = tracing_subscriber::EnvFilter::try_new(filter)?;
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init()?;
    Ok(())
}
