//! Identity pools: their settings (sign-in methods, self-registration, schemas, password and code policies).

use serde::{Deserialize, Serialize};

use super::error::{Error, Result, unique_as_conflict};
use super::patch::Patch;
use crate::audit::{self, Details, Event, EventType, SubjectType};
use crate::authn::password::PasswordPolicy;
use crate::state::AppState;
use crate::store::DbConn;
use crate::store::page::{Page, PageRequest};
use crate::store::pools::{self, PoolRow};

/// A way users of a pool can sign in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Mechanism {
    Password,
    /// A one-time verification code sent by email or SMS.
    Otp,
    Passkey,
}

/// Verification-code settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct OtpSettings {
    pub length: u32,
    pub ttl_seconds: u32,
    pub max_attempts: u32,
}

impl Default for OtpSettings {
    fn default() -> Self {
        OtpSettings {
            length: 6,
            ttl_seconds: 300,
            max_attempts: 5,
        }
    }
}

/// A pool as the admin sees it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Pool {
    pub id: String,
    pub tenant_id: String,
    pub name: String,
    pub description: String,
    pub tag_color: Option<String>,
    pub authentication_mechanisms: Vec<Mechanism>,
    pub preferred_authentication_mechanism: Mechanism,
    pub public_registration_allowed: bool,
    pub payload_schema_id: Option<String>,
    pub metadata_schema_id: Option<String>,
    pub password_policy: PasswordPolicy,
    pub otp_settings: OtpSettings,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Pool {
    /// Whether users of this pool sign in with a password.
    pub fn uses_passwords(&self) -> bool {
        self.offers(Mechanism::Password)
    }

    /// Whether the pool offers `mechanism` among its sign-in methods.
    pub fn offers(&self, mechanism: Mechanism) -> bool {
        self.authentication_mechanisms.contains(&mechanism)
    }
}

/// The input of pool creation.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPool {
    pub name: String,
    #[serde(default)]
    pub description: String,
    pub tag_color: Option<String>,
    #[serde(default = "default_mechanisms")]
    pub authentication_mechanisms: Vec<Mechanism>,
    pub preferred_authentication_mechanism: Option<Mechanism>,
    #[serde(default)]
    pub public_registration_allowed: bool,
    pub payload_schema_id: Option<String>,
    pub metadata_schema_id: Option<String>,
    #[serde(default)]
    pub password_policy: PasswordPolicy,
    #[serde(default)]
    pub otp_settings: OtpSettings,
}

fn default_mechanisms() -> Vec<Mechanism> {
    vec![Mechanism::Password]
}

/// A partial update; absent fields keep their value, `null` clears an optional one.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PoolPatch {
    pub name: Option<String>,
    pub description: Option<String>,
    #[schema(value_type = Option<String>, nullable)]
    #[serde(default)]
    pub tag_color: Patch<String>,
    pub authentication_mechanisms: Option<Vec<Mechanism>>,
    pub preferred_authentication_mechanism: Option<Mechanism>,
    pub public_registration_allowed: Option<bool>,
    #[schema(value_type = Option<String>, nullable)]
    #[serde(default)]
    pub payload_schema_id: Patch<String>,
    #[schema(value_type = Option<String>, nullable)]
    #[serde(default)]
    pub metadata_schema_id: Patch<String>,
    /// Only the given keys change; the others keep their value.
    #[schema(value_type = Option<PasswordPolicy>)]
    pub password_policy: Option<serde_json::Map<String, serde_json::Value>>,
    /// Only the given keys change; the others keep their value.
    #[schema(value_type = Option<OtpSettings>)]
    pub otp_settings: Option<serde_json::Map<String, serde_json::Value>>,
}

pub async fn create(
    app: &AppState,
    ctx: &audit::Context,
    tenant: &str,
    input: NewPool,
) -> Result<Pool> {
    let (now, ctx) = (app.clock.now(), ctx.clone());
    let pool = Pool {
        id: crate::secret::new_id(),
        tenant_id: tenant.to_owned(),
        name: input.name,
        description: input.description,
        tag_color: input.tag_color,
        preferred_authentication_mechanism: input
            .preferred_authentication_mechanism
            .or(input.authentication_mechanisms.first().copied())
            .unwrap_or(Mechanism::Password),
        authentication_mechanisms: input.authentication_mechanisms,
        public_registration_allowed: input.public_registration_allowed,
        payload_schema_id: input.payload_schema_id,
        metadata_schema_id: input.metadata_schema_id,
        password_policy: input.password_policy,
        otp_settings: input.otp_settings,
        created_at: now,
        updated_at: now,
    };
    let pool = normalise(pool)?;
    app.db
        .transaction(move |c| {
            super::tenant::require(c, &pool.tenant_id)?;
            check_schemas(c, &pool)?;
            pools::insert(c, &to_row(&pool))
                .map_err(unique_as_conflict("a pool with this name already exists"))?;
            let details = Details::new().with("name", &pool.name);
            let event = pool_event(EventType::PoolCreated, &pool.id).details(details);
            audit::record(c, &pool.tenant_id, &ctx, now, event)?;
            Ok(pool)
        })
        .await
}

fn pool_event(kind: EventType, id: &str) -> Event {
    Event::new(kind).subject(SubjectType::Pool, id).pool(id)
}

/// A pool's fields as JSON, for the changes of an update (a pool holds no secret).
fn rendered(pool: &Pool) -> serde_json::Value {
    serde_json::to_value(pool).unwrap_or_default()
}

pub async fn update(
    app: &AppState,
    ctx: &audit::Context,
    tenant: &str,
    id: &str,
    patch: PoolPatch,
) -> Result<Pool> {
    let (tenant, id, now) = (tenant.to_owned(), id.to_owned(), app.clock.now());
    let ctx = ctx.clone();
    app.db
        .transaction(move |c| {
            let before = require(c, &tenant, &id)?;
            let old = rendered(&before);
            let old_name = before.name.clone();
            let pool = apply(before, patch, now)?;
            if pool.name != old_name {
                super::admin::guard_pool(&tenant, &id)?;
            }
            check_schemas(c, &pool)?;
            pools::update(c, &to_row(&pool))
                .map_err(unique_as_conflict("a pool with this name already exists"))?;
            let changes = Details::new().diff(&old, &rendered(&pool));
            if changes.has_changes() {
                let event = pool_event(EventType::PoolUpdated, &pool.id).details(changes);
                audit::record(c, &tenant, &ctx, now, event)?;
            }
            Ok(pool)
        })
        .await
}

fn apply(mut pool: Pool, patch: PoolPatch, now: i64) -> Result<Pool> {
    if let Some(v) = patch.name {
        pool.name = v;
    }
    if let Some(v) = patch.description {
        pool.description = v;
    }
    patch.tag_color.apply_to(&mut pool.tag_color);
    if let Some(v) = patch.authentication_mechanisms {
        pool.authentication_mechanisms = v;
        if !pool
            .authentication_mechanisms
            .contains(&pool.preferred_authentication_mechanism)
            && let Some(first) = pool.authentication_mechanisms.first()
        {
            pool.preferred_authentication_mechanism = *first;
        }
    }
    if let Some(v) = patch.preferred_authentication_mechanism {
        pool.preferred_authentication_mechanism = v;
    }
    if let Some(v) = patch.public_registration_allowed {
        pool.public_registration_allowed = v;
    }
    patch
        .payload_schema_id
        .apply_to(&mut pool.payload_schema_id);
    patch
        .metadata_schema_id
        .apply_to(&mut pool.metadata_schema_id);
    if let Some(changes) = patch.password_policy {
        pool.password_policy = merged("password_policy", &pool.password_policy, changes)?;
    }
    if let Some(changes) = patch.otp_settings {
        pool.otp_settings = merged("otp_settings", &pool.otp_settings, changes)?;
    }
    pool.updated_at = now;
    normalise(pool)
}

/// `current` with the keys of `changes` replaced (a JSON merge one level deep).
fn merged<T: Serialize + serde::de::DeserializeOwned>(
    field: &str,
    current: &T,
    changes: serde_json::Map<String, serde_json::Value>,
) -> Result<T> {
    let mut value = serde_json::json!(current);
    if let Some(object) = value.as_object_mut() {
        object.extend(changes);
    }
    serde_json::from_value(value).map_err(|e| Error::invalid(field, e.to_string()))
}

/// Checks every setting, and puts names and colours in their canonical form.
pub fn normalise(mut pool: Pool) -> Result<Pool> {
    pool.name = super::slug::parse_name("name", &pool.name)?;
    pool.description = pool.description.trim().to_owned();
    if pool.description.chars().count() > 1000 {
        return Err(Error::invalid(
            "description",
            "must be at most 1000 characters",
        ));
    }
    if let Some(color) = &pool.tag_color {
        let hex = color
            .strip_prefix('#')
            .filter(|h| h.len() == 6 && h.chars().all(|c| c.is_ascii_hexdigit()));
        let Some(hex) = hex else {
            return Err(Error::invalid("tag_color", "must be a colour like #1A2B3C"));
        };
        pool.tag_color = Some(format!("#{}", hex.to_ascii_lowercase()));
    }
    let mechanisms = &pool.authentication_mechanisms;
    if mechanisms.is_empty() {
        return Err(Error::invalid(
            "authentication_mechanisms",
            "must name at least one of password, otp, passkey",
        ));
    }
    if mechanisms
        .iter()
        .enumerate()
        .any(|(i, m)| mechanisms[..i].contains(m))
    {
        return Err(Error::invalid(
            "authentication_mechanisms",
            "must not repeat a mechanism",
        ));
    }
    if !mechanisms.contains(&pool.preferred_authentication_mechanism) {
        return Err(Error::invalid(
            "preferred_authentication_mechanism",
            "must be one of the pool's authentication_mechanisms",
        ));
    }
    if let Some(problem) = pool.password_policy.problem() {
        return Err(Error::invalid("password_policy", problem));
    }
    let otp = &pool.otp_settings;
    if !(4..=10).contains(&otp.length) {
        return Err(Error::invalid(
            "otp_settings.length",
            "must be between 4 and 10",
        ));
    }
    if !(30..=86_400).contains(&otp.ttl_seconds) {
        return Err(Error::invalid(
            "otp_settings.ttl_seconds",
            "must be between 30 and 86400",
        ));
    }
    if !(1..=20).contains(&otp.max_attempts) {
        return Err(Error::invalid(
            "otp_settings.max_attempts",
            "must be between 1 and 20",
        ));
    }
    Ok(pool)
}

fn check_schemas(conn: &mut DbConn, pool: &Pool) -> Result<()> {
    for (field, id) in [
        ("payload_schema_id", &pool.payload_schema_id),
        ("metadata_schema_id", &pool.metadata_schema_id),
    ] {
        if let Some(id) = id
            && super::profile_schema::require(conn, &pool.tenant_id, id).is_err()
        {
            return Err(Error::invalid(
                field,
                "no schema with this id in the tenant",
            ));
        }
    }
    Ok(())
}

pub async fn find(app: &AppState, tenant: &str, id: &str) -> Result<Pool> {
    let (tenant, id) = (tenant.to_owned(), id.to_owned());
    app.db.run(move |c| require(c, &tenant, &id)).await
}

pub async fn list(app: &AppState, tenant: &str, page: PageRequest) -> Result<Page<Pool>> {
    let tenant = tenant.to_owned();
    app.db
        .run(move |c| {
            super::tenant::require(c, &tenant)?;
            let (rows, next) = pools::list(c, &tenant, &page)?;
            Ok((rows.into_iter().map(from_row).collect::<Result<_>>()?, next))
        })
        .await
}

/// The pool with its number of users and the ids of the workspaces it is connected to.
pub async fn overview(app: &AppState, tenant: &str, id: &str) -> Result<(Pool, i64, Vec<String>)> {
    let (tenant, id) = (tenant.to_owned(), id.to_owned());
    app.db
        .run(move |c| {
            let pool = require(c, &tenant, &id)?;
            let users = pools::count_users(c, &pool.id)?;
            Ok((pool, users, pools::connected_workspaces(c, &id)?))
        })
        .await
}

/// One page of the tenant's pools, each with its number of users.
pub async fn list_with_user_counts(
    app: &AppState,
    tenant: &str,
    page: PageRequest,
) -> Result<Page<(Pool, i64)>> {
    let tenant = tenant.to_owned();
    app.db
        .run(move |c| {
            super::tenant::require(c, &tenant)?;
            let (rows, next) = pools::list(c, &tenant, &page)?;
            let mut counted = Vec::with_capacity(rows.len());
            for row in rows {
                let users = pools::count_users(c, &row.id)?;
                counted.push((from_row(row)?, users));
            }
            Ok((counted, next))
        })
        .await
}

/// Deletes a pool, with its users and groups, unless a workspace still uses it.
pub async fn delete(app: &AppState, ctx: &audit::Context, tenant: &str, id: &str) -> Result<()> {
    let (tenant, id) = (tenant.to_owned(), id.to_owned());
    let (ctx, now) = (ctx.clone(), app.clock.now());
    app.db
        .transaction(move |c| {
            let pool = require(c, &tenant, &id)?;
            super::admin::guard_pool(&tenant, &id)?;
            if pools::is_connected(c, &id)? {
                return Err(Error::Conflict(
                    "the pool is connected to a workspace; disconnect it first".into(),
                ));
            }
            pools::delete(c, &id)?;
            let details = Details::new().with("name", &pool.name);
            let event = pool_event(EventType::PoolDeleted, &id).details(details);
            audit::record(c, &tenant, &ctx, now, event)?;
            Ok(())
        })
        .await
}

/// The pool, or `NotFound` when the tenant has no pool with this id.
pub fn require(conn: &mut DbConn, tenant: &str, id: &str) -> Result<Pool> {
    from_row(pools::find(conn, tenant, id)?.ok_or(Error::NotFound("pool"))?)
}

/// A pool by id alone (callers reached it through one of its users).
pub fn by_id(conn: &mut DbConn, id: &str) -> Result<Pool> {
    from_row(pools::find_by_id(conn, id)?.ok_or(Error::NotFound("pool"))?)
}

pub fn to_row(p: &Pool) -> PoolRow {
    PoolRow {
        id: p.id.clone(),
        tenant_id: p.tenant_id.clone(),
        name: p.name.clone(),
        description: p.description.clone(),
        tag_color: p.tag_color.clone(),
        authentication_mechanisms: serde_json::json!(p.authentication_mechanisms).to_string(),
        preferred_authentication_mechanism: serde_json::json!(p.preferred_authentication_mechanism)
            .as_str()
            .unwrap_or("password")
            .to_owned(),
        public_registration_allowed: p.public_registration_allowed,
        payload_schema_id: p.payload_schema_id.clone(),
        metadata_schema_id: p.metadata_schema_id.clone(),
        password_policy: serde_json::json!(p.password_policy).to_string(),
        otp_settings: serde_json::json!(p.otp_settings).to_string(),
        created_at: p.created_at,
        updated_at: p.updated_at,
    }
}

pub fn from_row(r: PoolRow) -> Result<Pool> {
    let corrupt = |e: serde_json::Error| {
        Error::Store(crate::store::StoreError::Blocking(format!(
            "pool {}: {e}",
            r.id
        )))
    };
    Ok(Pool {
        authentication_mechanisms: serde_json::from_str(&r.authentication_mechanisms)
            .map_err(corrupt)?,
        preferred_authentication_mechanism: serde_json::from_value(serde_json::Value::String(
            r.preferred_authentication_mechanism.clone(),
        ))
        .map_err(corrupt)?,
        password_policy: serde_json::from_str(&r.password_policy).map_err(corrupt)?,
        otp_settings: serde_json::from_str(&r.otp_settings).map_err(corrupt)?,
        id: r.id,
        tenant_id: r.tenant_id,
        name: r.name,
        description: r.description,
        tag_color: r.tag_color,
        public_registration_allowed: r.public_registration_allowed,
        payload_schema_id: r.payload_schema_id,
        metadata_schema_id: r.metadata_schema_id,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}
