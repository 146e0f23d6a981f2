//! What `tarn export` and `tarn import` do below the argument parsing: open (and migrate) the database, run the
//! export or the import with a progress bar on standard error when it is a terminal, and say what was done.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};

use crate::config::Config;
use crate::portability::export::{self, ExportError};
use crate::portability::import::{self, ImportError, Pass};
use crate::store::Db;

/// Why a command did nothing (or, for an export, stopped).
#[derive(Debug, thiserror::Error)]
pub enum TransferError {
    /// The input was refused (exit status 2): a bad line, a tenant that exists or does not.
    #[error("{0}")]
    Refused(String),
    /// The database or a file failed (exit status 1).
    #[error("{0}")]
    Failed(String),
}

async fn open(config: &Config) -> Result<Db, TransferError> {
    let backend = config.database.clone();
    tokio::task::spawn_blocking(move || Db::open_for_command(backend))
        .await
        .map_err(|e| TransferError::Failed(e.to_string()))?
        .map_err(|e| TransferError::Failed(format!("cannot open the database: {e}")))
}

/// Writes tenant `tenant` to `output` (standard output when `None`); returns the summary line.
pub async fn export(
    config: Config,
    tenant: &str,
    output: Option<PathBuf>,
) -> Result<String, TransferError> {
    let db = open(&config).await?;
    let started = Instant::now();
    let mut out: Box<dyn Write + Send> = match &output {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path).map_err(|e| {
                TransferError::Failed(format!("cannot create {}: {e}", path.display()))
            })?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    };
    let bar = bar(ProgressBar::new_spinner(), "{spinner} {pos} lines written");
    let tick = bar.clone();
    let t = tenant.to_owned();
    let written = db
        .run(move |c| export::write_tenant(c, &t, &mut out, &mut || tick.inc(1)))
        .await;
    bar.finish_and_clear();
    let counts = written.map_err(|e| {
        // A half-written file is no export.
        if let Some(path) = &output {
            let _ = std::fs::remove_file(path);
        }
        match e {
            ExportError::NoTenant(_) => TransferError::Refused(e.to_string()),
            e => TransferError::Failed(e.to_string()),
        }
    })?;
    Ok(format!(
        "Exported tenant {tenant}: {counts} in {:.1} s",
        started.elapsed().as_secs_f64()
    ))
}

/// Imports `file` (or, with `dry_run`, only checks it); returns the summary line.
pub async fn import(config: Config, file: PathBuf, dry_run: bool) -> Result<String, TransferError> {
    let mut input = std::fs::File::open(&file)
        .map_err(|e| TransferError::Refused(format!("cannot open {}: {e}", file.display())))?;
    let size = input.metadata().map(|m| m.len()).unwrap_or(0);
    let db = open(&config).await?;
    let passes = if dry_run { 1 } else { 2 };
    let bar = bar(
        ProgressBar::new(size * passes),
        "{msg} [{bar:30}] {bytes}/{total_bytes} ({eta})",
    );
    let tick = bar.clone();
    let now = crate::clock::Clock::default().now();
    let done = db
        .run(move |c| {
            import::run(
                c,
                &crate::audit::Context::system(),
                &mut input,
                dry_run,
                now,
                &mut |pass: Pass, bytes: u64| match pass {
                    Pass::Checking => {
                        tick.set_message("checking");
                        tick.set_position(bytes);
                    }
                    Pass::Writing => {
                        tick.set_message("writing");
                        tick.set_position(size + bytes);
                    }
                },
            )
        })
        .await;
    bar.finish_and_clear();
    match done {
        Ok(summary) => Ok(summary.to_string()),
        Err(e @ (ImportError::Refused(_) | ImportError::TenantExists(_))) => {
            Err(TransferError::Refused(format!("{e}; nothing was written")))
        }
        Err(e) => Err(TransferError::Failed(format!("{e}; nothing was written"))),
    }
}

/// `bar` drawn on standard error when that is a terminal, hidden otherwise (a log or a pipe gets the summary
/// line only).
fn bar(bar: ProgressBar, template: &str) -> ProgressBar {
    if !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(std::time::Duration::from_millis(200));
    bar
}
