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
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let Command::Serve = cli.command;
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
    match actix_web::rt::System::new().block_on(serve(config)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tarn: {e}");
            ExitCode::from(1)
        }
    }
}

async fn serve(config: tarn::config::Config) -> Result<(), Box<dyn std::error::Error>> {
    let server = tarn::start(config).await?;
    tracing::info!(address = %server.addr, public_url = server.state.config.public_url(), "Tarn is serving");
    server.serve_until_signal().await?;
    tracing::info!("Tarn stopped");
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
