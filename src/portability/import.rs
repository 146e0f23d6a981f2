//! Import: a tenant read from NDJSON into a database that does not have it yet, in two passes over the file.
//! The first checks every line and writes nothing; the second reads the file again and writes each line as it
//! goes, all in one transaction. Memory stays bounded (see `check`), whatever the file's size.
//!
//! One transaction because the contract says all or nothing: a failure anywhere (a row the database refuses, a
//! full disk, a killed process) leaves the database as it was, with no half-imported tenant to clean up. On SQLite
//! that transaction holds the write lock for the whole second pass (BENCHMARKS.md has the time per 100,000 users).

use std::io::{BufReader, Read, Seek, SeekFrom};
use std::time::Instant;

use serde::Serialize;

use super::Counts;
use super::check::{Checker, Refusal, Rows};
use super::reader::{Lines, ReadError};
use crate::audit;
use crate::store::{Db, DbConn, StoreError};
use crate::store::{
    clients, groups, passkeys, pools, schemas, tenants, transfer, users, workspaces,
};

/// What an import did (or, with `dry_run`, would do).
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
#[schema(as = ImportSummary)]
pub struct Summary {
    pub tenant: String,
    pub dry_run: bool,
    /// Lines per kind (`user`, `group`, …).
    #[schema(value_type = std::collections::BTreeMap<String, u64>)]
    pub counts: Counts,
    pub seconds: f64,
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let verb = match self.dry_run {
            true => "Checked (dry run, nothing written)",
            false => "Imported",
        };
        write!(
            f,
            "{verb} tenant {}: {} in {:.1} s",
            self.tenant, self.counts, self.seconds
        )
    }
}

/// Why nothing was imported.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    /// A line is wrong; nothing was written.
    #[error("{0}")]
    Refused(Refusal),
    #[error("tenant {0} already exists in this database")]
    TenantExists(String),
    #[error("cannot read the file: {0}")]
    Io(std::io::Error),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<Refusal> for ImportError {
    fn from(r: Refusal) -> Self {
        ImportError::Refused(r)
    }
}

impl From<ReadError> for ImportError {
    fn from(e: ReadError) -> Self {
        match e {
            ReadError::Line { line, message } => ImportError::Refused(Refusal { line, message }),
            ReadError::Io(e) => ImportError::Io(e),
        }
    }
}

/// Which pass a progress report is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    Checking,
    Writing,
}

/// Reports the bytes of the file read so far in a pass.
pub type Progress<'a> = &'a mut dyn FnMut(Pass, u64);

/// Imports the file behind `input` (from its start); with `dry_run`, only checks it.
pub fn run<R: Read + Seek>(
    conn: &mut DbConn,
    ctx: &audit::Context,
    input: &mut R,
    dry_run: bool,
    now: i64,
    progress: Progress,
) -> Result<Summary, ImportError> {
    let started = Instant::now();
    input.seek(SeekFrom::Start(0)).map_err(ImportError::Io)?;
    let (tenant, counts) = check_all(conn, input, now, progress)?;
    if !dry_run {
        input.seek(SeekFrom::Start(0)).map_err(ImportError::Io)?;
        crate::store::transaction(conn, |c| write_all(c, ctx, input, now, progress))?;
    }
    Ok(Summary {
        tenant,
        dry_run,
        counts,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// Like [`run`] on a pooled connection, for a file the caller spooled (the admin API's request body).
pub async fn from_file(
    db: &Db,
    ctx: audit::Context,
    mut file: std::fs::File,
    dry_run: bool,
    now: i64,
) -> Result<Summary, ImportError> {
    db.run(move |c| run(c, &ctx, &mut file, dry_run, now, &mut |_: Pass, _: u64| {}))
        .await
}

/// The first pass: every line checked, the tenant looked up; nothing written.
fn check_all<R: Read>(
    conn: &mut DbConn,
    input: &mut R,
    now: i64,
    progress: Progress,
) -> Result<(String, Counts), ImportError> {
    let mut lines = Lines::new(BufReader::with_capacity(64 * 1024, input));
    let mut checker = Checker::new(now);
    let mut counts = Counts::default();
    while let Some((number, line)) = lines.next_line()? {
        let kind = line.kind();
        let rows = checker.check(number, line)?;
        if let Rows::Tenant(t) = &rows
            && tenants::find(conn, &t.id)?.is_some()
        {
            return Err(ImportError::TenantExists(t.id.clone()));
        }
        counts.add(kind);
        progress(Pass::Checking, lines.bytes());
    }
    checker.finish()?;
    let tenant = checker.tenant().unwrap_or_default().to_owned();
    Ok((tenant, counts))
}

/// The second pass, inside the import's transaction: each line's rows inserted as it is read again.
fn write_all<R: Read>(
    conn: &mut DbConn,
    ctx: &audit::Context,
    input: &mut R,
    now: i64,
    progress: Progress,
) -> Result<(), ImportError> {
    let mut lines = Lines::new(BufReader::with_capacity(64 * 1024, input));
    let mut checker = Checker::new(now);
    let mut counts = Counts::default();
    while let Some((number, line)) = lines.next_line()? {
        let kind = line.kind();
        let rows = checker.check(number, line)?;
        insert(conn, rows, number, kind.as_str())?;
        counts.add(kind);
        progress(Pass::Writing, lines.bytes());
    }
    for (group, parent) in checker.finish()? {
        transfer::set_group_parent(conn, &group, &parent)?;
    }
    // The event is the import's last row, in its transaction: it lands exactly when the import does.
    let tenant = checker.tenant().unwrap_or_default();
    audit::record_import(conn, tenant, ctx, now, &counts.per_kind())?;
    Ok(())
}

/// A constraint the checks could not see (an id or passkey already used by another tenant of this database)
/// names the line; other failures stay what they are.
fn refused_by_database(e: StoreError, line: u64, kind: &str) -> ImportError {
    match e {
        StoreError::Unique(_) | StoreError::ForeignKey(_) => ImportError::Refused(Refusal {
            line,
            message: format!(
                "{kind}: conflicts with data already in this database (an id, identifier or passkey \
                 another tenant uses)"
            ),
        }),
        other => ImportError::Store(other),
    }
}

fn insert(c: &mut DbConn, rows: Rows, line: u64, kind: &str) -> Result<(), ImportError> {
    let db = |e: StoreError| refused_by_database(e, line, kind);
    match rows {
        Rows::Tenant(t) => match tenants::insert(c, &t) {
            Err(StoreError::Unique(_)) => return Err(ImportError::TenantExists(t.id)),
            written => written.map_err(db)?,
        },
        Rows::Schema(s) => schemas::insert(c, &s).map_err(db)?,
        Rows::Pool(p) => pools::insert(c, &p).map_err(db)?,
        Rows::Group(g) => groups::insert(c, &g).map_err(db)?,
        Rows::User(u, keys) => {
            users::insert(c, &u).map_err(db)?;
            for k in &keys {
                passkeys::insert(c, k).map_err(db)?;
            }
        }
        Rows::Membership {
            group,
            user,
            created_at,
        } => transfer::insert_membership(c, &group, &user, created_at).map_err(db)?,
        Rows::Workspace(w) => workspaces::insert(c, &w).map_err(db)?,
        Rows::Idp(i) => transfer::insert_connection(c, &i).map_err(db)?,
        Rows::Client(cl) => clients::insert(c, &cl).map_err(db)?,
    }
    Ok(())
}
