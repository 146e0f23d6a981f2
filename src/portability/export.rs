//! Export: one tenant written as NDJSON while it is read, a page of rows at a time (keyset paging by id), inside
//! one read transaction so the file is a consistent snapshot. Memory stays that of one page whatever the size.
//!
//! Private signing keys are not exported (OPERATIONS: "private signing keys never leave"): an imported workspace
//! makes new keys at its first token, so tokens issued before the move do not verify after it.

use std::collections::HashMap;
use std::io::Write;

use serde_json::Value;

use super::Counts;
use super::line::{
    ClientLine, GroupLine, Header, IdpLine, Line, MembershipLine, PasskeyLine, PoolLine,
    SchemaLine, TenantLine, UserLine, VERSION, WorkspaceLine,
};
use crate::identity::workspace::{Lifetimes, RegistrationMode};
use crate::store::passkeys::PasskeyRow;
use crate::store::users::UserRow;
use crate::store::{Db, DbConn, StoreError, tenants, transfer};

/// Rows read per query.
const PAGE: i64 = 500;

/// Why an export stopped.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("no tenant {0}")]
    NoTenant(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Writing failed (a full disk, or the HTTP client went away).
    #[error("cannot write the export: {0}")]
    Io(#[from] std::io::Error),
    /// A stored row could not be read back (JSON text that does not parse).
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
}

/// Writes tenant `tenant` to `out`, calling `on_line` after each line; returns what it wrote.
pub fn write_tenant(
    conn: &mut DbConn,
    tenant: &str,
    out: &mut dyn Write,
    on_line: &mut dyn FnMut(),
) -> Result<Counts, ExportError> {
    transfer::in_snapshot(conn, |c| {
        let mut w = Writer {
            out,
            on_line,
            counts: Counts::default(),
        };
        let row = tenants::find(c, tenant)?.ok_or_else(|| ExportError::NoTenant(tenant.into()))?;
        w.line(&Line::Header(Header {
            version: VERSION,
            tenant: TenantLine {
                id: row.id,
                name: row.name,
                created_at: Some(row.created_at),
            },
        }))?;
        schemas(c, tenant, &mut w)?;
        let pools = pools(c, tenant, &mut w)?;
        for pool in &pools {
            groups(c, pool, &mut w)?;
            users(c, pool, &mut w)?;
            memberships(c, pool, &mut w)?;
        }
        workspaces(c, tenant, &mut w)?;
        clients(c, tenant, &mut w)?;
        w.out.flush()?;
        Ok(w.counts)
    })
}

/// Streams tenant `tenant` as chunks of NDJSON for an HTTP body, the export running on a pooled connection
/// while the body is sent; an error ends the stream with `Err` (the response is cut, not completed).
pub fn stream(db: &Db, tenant: &str) -> tokio::sync::mpsc::Receiver<std::io::Result<Vec<u8>>> {
    let (tx, rx) = tokio::sync::mpsc::channel(8);
    let (db, tenant) = (db.clone(), tenant.to_owned());
    tokio::spawn(async move {
        let failed = tx.clone();
        let outcome = db
            .run(move |c| {
                let mut out = ChunkSender {
                    tx,
                    buf: Vec::with_capacity(CHUNK),
                };
                write_tenant(c, &tenant, &mut out, &mut || {})
            })
            .await;
        if let Err(e) = outcome {
            tracing::warn!(error = %e, "export stopped before its end");
            let _ = failed
                .send(Err(std::io::Error::other("export failed")))
                .await;
        }
    });
    rx
}

const CHUNK: usize = 64 * 1024;

/// A `Write` that hands full chunks to the HTTP body, waiting while the client is slower than the database.
struct ChunkSender {
    tx: tokio::sync::mpsc::Sender<std::io::Result<Vec<u8>>>,
    buf: Vec<u8>,
}

impl Write for ChunkSender {
    fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
        self.buf.extend_from_slice(data);
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(data.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let chunk = std::mem::replace(&mut self.buf, Vec::with_capacity(CHUNK));
        self.tx
            .blocking_send(Ok(chunk))
            .map_err(|_| std::io::Error::new(std::io::ErrorKind::BrokenPipe, "client went away"))
    }
}

struct Writer<'a> {
    out: &'a mut dyn Write,
    on_line: &'a mut dyn FnMut(),
    counts: Counts,
}

impl Writer<'_> {
    fn line(&mut self, line: &Line) -> Result<(), ExportError> {
        serde_json::to_writer(&mut *self.out, line).map_err(std::io::Error::from)?;
        self.out.write_all(b"\n")?;
        self.counts.add(line.kind());
        (self.on_line)();
        Ok(())
    }
}

fn json(what: &str, id: &str, text: &str) -> Result<Value, ExportError> {
    serde_json::from_str(text).map_err(|e| ExportError::Corrupt(format!("{what} {id}: {e}")))
}

fn schemas(c: &mut DbConn, tenant: &str, w: &mut Writer) -> Result<(), ExportError> {
    let mut after = String::new();
    loop {
        let rows = transfer::schemas_after(c, tenant, &after, PAGE)?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.id.clone();
        for r in rows {
            let schema = json("schema", &r.id, &r.document)?;
            w.line(&Line::Schema(SchemaLine {
                id: r.id,
                name: r.name,
                schema,
                created_at: Some(r.created_at),
            }))?;
        }
    }
}

/// Writes the pools and returns their ids (a tenant has a handful).
fn pools(c: &mut DbConn, tenant: &str, w: &mut Writer) -> Result<Vec<String>, ExportError> {
    let (mut after, mut ids) = (String::new(), Vec::new());
    loop {
        let rows = transfer::pools_after(c, tenant, &after, PAGE)?;
        let Some(last) = rows.last() else {
            return Ok(ids);
        };
        after = last.id.clone();
        for r in rows {
            let id = r.id.clone();
            let p = crate::identity::pool::from_row(r)
                .map_err(|e| ExportError::Corrupt(format!("pool {id}: {e}")))?;
            ids.push(id);
            w.line(&Line::Pool(PoolLine {
                id: p.id,
                name: p.name,
                description: p.description,
                tag_color: p.tag_color,
                authentication_mechanisms: p.authentication_mechanisms,
                preferred_authentication_mechanism: Some(p.preferred_authentication_mechanism),
                public_registration_allowed: p.public_registration_allowed,
                payload_schema_id: p.payload_schema_id,
                metadata_schema_id: p.metadata_schema_id,
                password_policy: p.password_policy,
                otp_settings: p.otp_settings,
                created_at: Some(p.created_at),
                updated_at: Some(p.updated_at),
            }))?;
        }
    }
}

fn groups(c: &mut DbConn, pool: &str, w: &mut Writer) -> Result<(), ExportError> {
    let mut after = String::new();
    loop {
        let rows = transfer::groups_after(c, pool, &after, PAGE)?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.id.clone();
        for r in rows {
            w.line(&Line::Group(GroupLine {
                id: r.id,
                pool_id: r.pool_id,
                name: r.name,
                description: r.description,
                parent_id: r.parent_id,
                created_at: Some(r.created_at),
                updated_at: Some(r.updated_at),
            }))?;
        }
    }
}

fn users(c: &mut DbConn, pool: &str, w: &mut Writer) -> Result<(), ExportError> {
    let mut after = String::new();
    loop {
        let rows = transfer::users_after(c, pool, &after, PAGE)?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.id.clone();
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        // Grouped by user here, not matched by order: the database's collation need not be Rust's.
        let mut keys: HashMap<String, Vec<PasskeyLine>> = HashMap::new();
        for k in transfer::passkeys_of(c, &ids)? {
            keys.entry(k.user_id.clone())
                .or_default()
                .push(passkey_line(k)?);
        }
        for r in rows {
            let own = keys.remove(&r.id).unwrap_or_default();
            w.line(&Line::User(user_line(r, own)?))?;
        }
    }
}

fn user_line(r: UserRow, passkeys: Vec<PasskeyLine>) -> Result<UserLine, ExportError> {
    Ok(UserLine {
        payload: json("user", &r.id, &r.payload)?,
        metadata: json("user", &r.id, &r.metadata)?,
        password_set: r.password_hash.is_some(),
        id: r.id,
        pool_id: r.pool_id,
        email: r.email,
        mobile: r.mobile,
        email_verified: r.email_verified,
        mobile_verified: r.mobile_verified,
        status: r.status,
        created_at: Some(r.created_at),
        updated_at: Some(r.updated_at),
        password_hash: r.password_hash,
        passkeys,
    })
}

fn passkey_line(k: PasskeyRow) -> Result<PasskeyLine, ExportError> {
    Ok(PasskeyLine {
        credential: json("passkey", &k.id, &k.passkey)?,
        id: k.id,
        name: k.name,
        sign_count: k.sign_count,
        backup_eligible: k.backup_eligible,
        backup_state: k.backup_state,
        created_at: Some(k.created_at),
        last_used_at: k.last_used_at,
    })
}

fn memberships(c: &mut DbConn, pool: &str, w: &mut Writer) -> Result<(), ExportError> {
    let mut after = (String::new(), String::new());
    loop {
        let rows = transfer::memberships_after(c, pool, &after, PAGE)?;
        let Some((g, u, _)) = rows.last() else {
            return Ok(());
        };
        after = (g.clone(), u.clone());
        for (group_id, user_id, created_at) in rows {
            w.line(&Line::Membership(MembershipLine {
                group_id,
                user_id,
                created_at: Some(created_at),
            }))?;
        }
    }
}

/// Writes the workspaces, each followed by its pool connections.
fn workspaces(c: &mut DbConn, tenant: &str, w: &mut Writer) -> Result<(), ExportError> {
    let mut after = String::new();
    loop {
        let rows = transfer::workspaces_after(c, tenant, &after, PAGE)?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.id.clone();
        for r in rows {
            let id = r.id.clone();
            w.line(&Line::Workspace(WorkspaceLine {
                lifetimes: Lifetimes {
                    access_token: r.access_token_ttl,
                    id_token: r.id_token_ttl,
                    refresh_token: r.refresh_token_ttl,
                    session: r.session_ttl,
                },
                id: r.id,
                name: r.name,
                dpop_nonce_required: r.dpop_nonce_required,
                require_pushed_authorization_requests: r.require_pushed_authorization_requests,
                dynamic_registration: RegistrationMode::parse(&r.dynamic_registration),
                created_at: Some(r.created_at),
            }))?;
            for idp in transfer::connections_of(c, tenant, &id)? {
                w.line(&Line::Idp(IdpLine {
                    workspace_id: idp.workspace_id,
                    pool_id: idp.pool_id,
                    position: Some(idp.position),
                    created_at: Some(idp.created_at),
                }))?;
            }
        }
    }
}

fn clients(c: &mut DbConn, tenant: &str, w: &mut Writer) -> Result<(), ExportError> {
    let mut after = String::new();
    loop {
        let rows = transfer::clients_after(c, tenant, &after, PAGE)?;
        let Some(last) = rows.last() else {
            return Ok(());
        };
        after = last.id.clone();
        for r in rows {
            w.line(&Line::Client(ClientLine {
                metadata: json("client", &r.id, &r.metadata)?,
                id: r.id,
                workspace_id: r.workspace_id,
                secret_hash: r.secret_hash,
                created_at: Some(r.created_at),
            }))?;
        }
    }
}
