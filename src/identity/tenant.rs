//! Tenants, and the `default` tenant with its `default` workspace that a fresh database starts with.

use serde::Serialize;

use super::error::{Error, Result, unique_as_conflict};
use crate::audit::{self, Details, Event, EventType, SubjectType};
use crate::state::AppState;
use crate::store::page::{Page, PageRequest};
use crate::store::tenants::{self, TenantRow};
use crate::store::workspaces;
use crate::store::{DbConn, StoreResult};

/// The tenant and workspace every installation has.
pub const DEFAULT: &str = "default";

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Tenant {
    pub id: String,
    pub name: String,
    pub created_at: i64,
}

impl From<TenantRow> for Tenant {
    fn from(r: TenantRow) -> Self {
        Tenant {
            id: r.id,
            name: r.name,
            created_at: r.created_at,
        }
    }
}

/// Creates a tenant; its first audit event, `tenant.created`, is written with it.
pub async fn create(app: &AppState, ctx: &audit::Context, id: &str, name: &str) -> Result<Tenant> {
    let row = TenantRow {
        id: super::slug::parse("id", id)?,
        name: super::slug::parse_name("name", name)?,
        created_at: app.clock.now(),
    };
    let ctx = ctx.clone();
    app.db
        .transaction(move |c| {
            tenants::insert(c, &row)
                .map_err(unique_as_conflict("a tenant with this id already exists"))?;
            let event = Event::new(EventType::TenantCreated)
                .subject(SubjectType::Tenant, &row.id)
                .details(Details::new().with("name", &row.name));
            audit::record(c, &row.id, &ctx, row.created_at, event)?;
            Ok(Tenant::from(row))
        })
        .await
}

pub async fn list(app: &AppState, page: PageRequest) -> Result<Page<Tenant>> {
    app.db
        .run(move |c| {
            let (rows, next) = tenants::list(c, &page)?;
            Ok((rows.into_iter().map(Tenant::from).collect(), next))
        })
        .await
}

/// The tenant, or `NotFound`.
pub async fn find(app: &AppState, id: &str) -> Result<Tenant> {
    let id = id.to_owned();
    app.db.run(move |c| require(c, &id).map(Tenant::from)).await
}

/// The tenant row, or `NotFound`.
pub fn require(conn: &mut DbConn, id: &str) -> Result<TenantRow> {
    tenants::find(conn, id)?.ok_or(Error::NotFound("tenant"))
}

/// Creates tenant `default` with workspace `default` on a fresh database; a no-op afterwards.
pub fn ensure_default(conn: &mut DbConn, now: i64) -> StoreResult<()> {
    if tenants::find(conn, DEFAULT)?.is_some() {
        return Ok(());
    }
    tenants::insert(
        conn,
        &TenantRow {
            id: DEFAULT.into(),
            name: "Default".into(),
            created_at: now,
        },
    )?;
    workspaces::insert(
        conn,
        &super::workspace::new_row(DEFAULT, DEFAULT, "Default", now),
    )
}
