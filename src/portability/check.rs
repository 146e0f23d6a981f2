//! The checks of an import, line by line, with the same rules as the admin API (slugs, names, schemas, pool
//! settings, redirect URIs and the rest of a client's registration, identifiers, hash formats and costs), plus
//! what only a whole file can break: ids unique, and every reference naming a line before it (a group's parent
//! may come anywhere; it is checked at the end).
//!
//! A check turns a line into the rows to insert, so the rows written are exactly the ones checked. What it
//! remembers per user is a 16-byte digest of each id and identifier, not the user: a million users cost tens of
//! megabytes, whatever their payloads.

use std::collections::{HashMap, HashSet};

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::line::{
    ClientLine, GroupLine, Header, IdpLine, Line, MembershipLine, PasskeyLine, PoolLine,
    SchemaLine, UserLine, VERSION, WorkspaceLine,
};
use crate::identity::client::{self, ClientRegistration};
use crate::identity::identifier::{normalise_email, normalise_mobile};
use crate::identity::pool::{self, Pool};
use crate::identity::{Error, group, profile_schema, slug};
use crate::store::clients::ClientRow;
use crate::store::groups::GroupRow;
use crate::store::passkeys::PasskeyRow;
use crate::store::pools::PoolRow;
use crate::store::schemas::SchemaRow;
use crate::store::tenants::TenantRow;
use crate::store::users::UserRow;
use crate::store::workspaces::{ConnectionRow, WorkspaceRow};

/// The rows one line becomes.
pub enum Rows {
    Tenant(TenantRow),
    Schema(SchemaRow),
    Pool(Box<PoolRow>),
    /// Without its parent, which is set once every group exists.
    Group(GroupRow),
    User(UserRow, Vec<PasskeyRow>),
    Membership {
        group: String,
        user: String,
        created_at: i64,
    },
    Workspace(WorkspaceRow),
    Idp(ConnectionRow),
    Client(ClientRow),
}

/// A refusal: the 1-based line and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub line: u64,
    pub message: String,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

/// What a pool's users are checked against.
struct PoolFacts {
    number: u32,
    payload: jsonschema::Validator,
    metadata: jsonschema::Validator,
    uses_passwords: bool,
}

struct GroupFacts {
    pool: u32,
    parent: Option<String>,
    line: u64,
}

/// What the lines read so far established.
pub struct Checker {
    now: i64,
    tenant: Option<String>,
    schemas: HashMap<String, Value>,
    names: HashSet<(&'static str, String)>,
    pools: HashMap<String, PoolFacts>,
    groups: HashMap<String, GroupFacts>,
    /// Digest of a user id → the number of its pool.
    users: HashMap<u128, u32>,
    /// Digests of every other id and identifier that must be unique (in its scope).
    taken: HashSet<u128>,
    workspaces: HashSet<String>,
    positions: HashMap<String, i64>,
    /// The line being checked.
    line: u64,
}

type Checked<T> = Result<T, String>;

impl Checker {
    pub fn new(now: i64) -> Checker {
        Checker {
            now,
            tenant: None,
            schemas: HashMap::new(),
            names: HashSet::new(),
            pools: HashMap::new(),
            groups: HashMap::new(),
            users: HashMap::new(),
            taken: HashSet::new(),
            workspaces: HashSet::new(),
            positions: HashMap::new(),
            line: 0,
        }
    }

    /// The tenant the header named (after line 1).
    pub fn tenant(&self) -> Option<&str> {
        self.tenant.as_deref()
    }

    /// Checks line number `line`, returning its rows.
    pub fn check(&mut self, line: u64, parsed: Line) -> Result<Rows, Refusal> {
        self.line = line;
        let kind = parsed.kind().as_str();
        self.rows(parsed).map_err(|message| Refusal {
            line,
            message: format!("{kind}: {message}"),
        })
    }

    fn rows(&mut self, parsed: Line) -> Checked<Rows> {
        let Some(tenant) = self.tenant.clone() else {
            return match parsed {
                Line::Header(h) => self.header(h),
                _ => Err("the first line must be the tarn-export header".into()),
            };
        };
        match parsed {
            Line::Header(_) => Err("only the first line may be a header".into()),
            Line::Schema(s) => self.schema(&tenant, s),
            Line::Pool(p) => self.pool(&tenant, p),
            Line::User(u) => self.user(u),
            Line::Group(g) => self.group(g),
            Line::Membership(m) => self.membership(m),
            Line::Workspace(w) => self.workspace(&tenant, w),
            Line::Idp(i) => self.idp(&tenant, i),
            Line::Client(c) => self.client(&tenant, c),
        }
    }

    /// After the last line: every group's parent exists in its pool, and no parent chain loops. Returns the
    /// `(group, parent)` pairs to set.
    pub fn finish(&self) -> Result<Vec<(String, String)>, Refusal> {
        if self.tenant.is_none() {
            return Err(Refusal {
                line: 1,
                message: "the file is empty: it needs at least the tarn-export header".into(),
            });
        }
        let mut parents = Vec::new();
        for (id, facts) in &self.groups {
            let Some(parent) = &facts.parent else {
                continue;
            };
            let refuse = |message: &str| Refusal {
                line: facts.line,
                message: format!("group: parent_id: {message}"),
            };
            match self.groups.get(parent) {
                None => return Err(refuse("no group with this id in the file")),
                Some(p) if p.pool != facts.pool => {
                    return Err(refuse("the parent group is in another pool"));
                }
                Some(_) => {}
            }
            if self.loops(id) {
                return Err(refuse("would make the group its own ancestor"));
            }
            parents.push((id.clone(), parent.clone()));
        }
        // Deterministic order, so that both passes and every run write the same.
        parents.sort();
        Ok(parents)
    }

    fn loops(&self, start: &str) -> bool {
        let mut at = start;
        for _ in 0..=self.groups.len() {
            match self.groups.get(at).and_then(|g| g.parent.as_deref()) {
                Some(p) if p == start => return true,
                Some(p) => at = p,
                None => return false,
            }
        }
        true
    }

    fn time(&self, t: Option<i64>) -> i64 {
        t.unwrap_or(self.now)
    }

    /// Claims a unique key; an error when an earlier line has it.
    fn claim(&mut self, parts: &[&str], what: &str) -> Checked<()> {
        match self.taken.insert(digest(parts)) {
            true => Ok(()),
            false => Err(format!("{what} is already used by an earlier line")),
        }
    }

    fn name(&mut self, scope: &'static str, key: String, what: &str) -> Checked<()> {
        match self.names.insert((scope, key)) {
            true => Ok(()),
            false => Err(format!("name: an earlier {what} has this name")),
        }
    }

    fn header(&mut self, h: Header) -> Checked<Rows> {
        if h.version != VERSION {
            return Err(format!(
                "version {} is not supported (this Tarn reads version {VERSION})",
                h.version
            ));
        }
        let id = slug::parse("tenant.id", &h.tenant.id).map_err(text)?;
        let name = slug::parse_name("tenant.name", &h.tenant.name).map_err(text)?;
        self.tenant = Some(id.clone());
        Ok(Rows::Tenant(TenantRow {
            id,
            name,
            created_at: self.time(h.tenant.created_at),
        }))
    }

    fn schema(&mut self, tenant: &str, s: SchemaLine) -> Checked<Rows> {
        plausible_id("id", &s.id)?;
        let name = slug::parse_name("name", &s.name).map_err(text)?;
        profile_schema::check_document(&s.schema).map_err(text)?;
        self.claim(&["schema", &s.id], "id")?;
        self.name("schema", name.clone(), "schema")?;
        self.schemas.insert(s.id.clone(), s.schema.clone());
        Ok(Rows::Schema(SchemaRow {
            id: s.id,
            tenant_id: tenant.into(),
            name,
            document: s.schema.to_string(),
            created_at: self.time(s.created_at),
        }))
    }

    fn pool(&mut self, tenant: &str, p: PoolLine) -> Checked<Rows> {
        plausible_id("id", &p.id)?;
        let created_at = self.time(p.created_at);
        let preferred = p
            .preferred_authentication_mechanism
            .or(p.authentication_mechanisms.first().copied())
            .unwrap_or(pool::Mechanism::Password);
        let pool = pool::normalise(Pool {
            id: p.id,
            tenant_id: tenant.into(),
            name: p.name,
            description: p.description,
            tag_color: p.tag_color,
            authentication_mechanisms: p.authentication_mechanisms,
            preferred_authentication_mechanism: preferred,
            public_registration_allowed: p.public_registration_allowed,
            payload_schema_id: p.payload_schema_id,
            metadata_schema_id: p.metadata_schema_id,
            password_policy: p.password_policy,
            otp_settings: p.otp_settings,
            created_at,
            updated_at: p.updated_at.unwrap_or(created_at),
        })
        .map_err(text)?;
        let payload = self.document("payload_schema_id", pool.payload_schema_id.as_deref())?;
        let metadata = self.document("metadata_schema_id", pool.metadata_schema_id.as_deref())?;
        let payload = payload.unwrap_or_else(profile_schema::default_user_schema);
        let metadata = metadata.unwrap_or_else(|| serde_json::json!({"type": "object"}));
        self.claim(&["pool", &pool.id], "id")?;
        self.name("pool", pool.name.clone(), "pool")?;
        let facts = PoolFacts {
            number: u32::try_from(self.pools.len()).map_err(|_| "too many pools")?,
            payload: profile_schema::validator(&payload, "payload").map_err(text)?,
            metadata: profile_schema::validator(&metadata, "metadata").map_err(text)?,
            uses_passwords: pool.uses_passwords(),
        };
        self.pools.insert(pool.id.clone(), facts);
        Ok(Rows::Pool(Box::new(pool::to_row(&pool))))
    }

    fn document(&self, field: &str, id: Option<&str>) -> Checked<Option<Value>> {
        match id {
            None => Ok(None),
            Some(id) => match self.schemas.get(id) {
                Some(doc) => Ok(Some(doc.clone())),
                None => Err(format!("{field}: no schema with this id before this line")),
            },
        }
    }

    fn pool_facts(&self, id: &str) -> Checked<&PoolFacts> {
        self.pools
            .get(id)
            .ok_or_else(|| "pool_id: no pool with this id before this line".to_owned())
    }

    fn group(&mut self, g: GroupLine) -> Checked<Rows> {
        plausible_id("id", &g.id)?;
        let pool = self.pool_facts(&g.pool_id)?.number;
        let name = slug::parse_name("name", &g.name).map_err(text)?;
        let description = group::description(g.description).map_err(text)?;
        if let Some(parent) = &g.parent_id {
            plausible_id("parent_id", parent)?;
        }
        if self.groups.contains_key(&g.id) {
            return Err("id is already used by an earlier line".into());
        }
        self.name(
            "group",
            format!("{}\0{name}", g.pool_id),
            "group of the pool",
        )?;
        let created_at = self.time(g.created_at);
        self.groups.insert(
            g.id.clone(),
            GroupFacts {
                pool,
                parent: g.parent_id,
                line: self.line,
            },
        );
        Ok(Rows::Group(GroupRow {
            id: g.id,
            pool_id: g.pool_id,
            name,
            description,
            parent_id: None,
            created_at,
            updated_at: g.updated_at.unwrap_or(created_at),
        }))
    }

    fn user(&mut self, u: UserLine) -> Checked<Rows> {
        plausible_id("id", &u.id)?;
        let facts = self.pool_facts(&u.pool_id)?;
        let email = u
            .email
            .as_deref()
            .map(|e| normalise_email("email", e))
            .transpose()
            .map_err(text)?;
        let mobile = u
            .mobile
            .as_deref()
            .map(|m| normalise_mobile("mobile", m))
            .transpose()
            .map_err(text)?;
        if email.is_none() && mobile.is_none() {
            return Err("email: a user needs an email or a mobile number".into());
        }
        profile_schema::validate_with(&facts.payload, &u.payload, "payload").map_err(text)?;
        profile_schema::validate_with(&facts.metadata, &u.metadata, "metadata").map_err(text)?;
        if let Some(hash) = &u.password_hash {
            if !facts.uses_passwords {
                return Err("password_hash: this pool does not use passwords".into());
            }
            check_hash(hash).map_err(|why| format!("password_hash: {why}"))?;
        }
        let pool = facts.number;
        let user_key = digest(&["user", &u.id]);
        if self.users.contains_key(&user_key) {
            return Err("id is already used by an earlier line".into());
        }
        if let Some(e) = &email {
            self.claim(&["email", &u.pool_id, e], "email (in this pool)")?;
        }
        if let Some(m) = &mobile {
            self.claim(&["mobile", &u.pool_id, m], "mobile (in this pool)")?;
        }
        let mut passkeys = Vec::with_capacity(u.passkeys.len());
        for (i, k) in u.passkeys.into_iter().enumerate() {
            let row = self
                .passkey(&u.id, k)
                .map_err(|why| format!("passkeys.{i}.{why}"))?;
            passkeys.push(row);
        }
        self.users.insert(user_key, pool);
        let created_at = self.time(u.created_at);
        Ok(Rows::User(
            UserRow {
                id: u.id,
                pool_id: u.pool_id,
                email,
                mobile,
                email_verified: u.email_verified,
                mobile_verified: u.mobile_verified,
                status: u.status,
                payload: u.payload.to_string(),
                metadata: u.metadata.to_string(),
                password_hash: u.password_hash,
                created_at,
                updated_at: u.updated_at.unwrap_or(created_at),
            },
            passkeys,
        ))
    }

    fn passkey(&mut self, user: &str, k: PasskeyLine) -> Checked<PasskeyRow> {
        plausible_id("id", &k.id)?;
        let passkey: webauthn_rs::prelude::Passkey =
            serde_json::from_value(k.credential.clone())
                .map_err(|e| format!("credential: is not a webauthn-rs passkey ({e})"))?;
        let credential_id = crate::authn::passkey::credential_key(passkey.cred_id());
        self.claim(&["passkey", &k.id], "id")?;
        self.claim(&["credential", &credential_id], "credential")?;
        let name = match k.name.trim() {
            "" => "Passkey".to_owned(),
            given => given.chars().take(64).collect(),
        };
        Ok(PasskeyRow {
            id: k.id,
            user_id: user.into(),
            credential_id,
            passkey: k.credential.to_string(),
            name,
            sign_count: k.sign_count,
            backup_eligible: k.backup_eligible,
            backup_state: k.backup_state,
            created_at: self.time(k.created_at),
            last_used_at: k.last_used_at,
        })
    }

    fn membership(&mut self, m: MembershipLine) -> Checked<Rows> {
        let group = self
            .groups
            .get(&m.group_id)
            .ok_or("group_id: no group with this id before this line")?
            .pool;
        let user = *self
            .users
            .get(&digest(&["user", &m.user_id]))
            .ok_or("user_id: no user with this id before this line")?;
        if group != user {
            return Err("the user and the group are in different pools".into());
        }
        self.claim(&["member", &m.group_id, &m.user_id], "this membership")?;
        Ok(Rows::Membership {
            group: m.group_id,
            user: m.user_id,
            created_at: self.time(m.created_at),
        })
    }

    fn workspace(&mut self, tenant: &str, w: WorkspaceLine) -> Checked<Rows> {
        let id = slug::parse("id", &w.id).map_err(text)?;
        let name = slug::parse_name("name", &w.name).map_err(text)?;
        w.lifetimes.check().map_err(text)?;
        if !self.workspaces.insert(id.clone()) {
            return Err("id is already used by an earlier line".into());
        }
        Ok(Rows::Workspace(WorkspaceRow {
            tenant_id: tenant.into(),
            id,
            name,
            created_at: self.time(w.created_at),
            access_token_ttl: w.lifetimes.access_token,
            id_token_ttl: w.lifetimes.id_token,
            refresh_token_ttl: w.lifetimes.refresh_token,
            session_ttl: w.lifetimes.session,
            dpop_nonce_required: w.dpop_nonce_required,
            require_pushed_authorization_requests: w.require_pushed_authorization_requests,
            dynamic_registration: w.dynamic_registration.as_str().to_owned(),
        }))
    }

    fn idp(&mut self, tenant: &str, i: IdpLine) -> Checked<Rows> {
        if !self.workspaces.contains(&i.workspace_id) {
            return Err("workspace_id: no workspace with this id before this line".into());
        }
        self.pool_facts(&i.pool_id)?;
        self.claim(
            &["idp", &i.workspace_id, &i.pool_id],
            "this pool connection",
        )?;
        let next = self.positions.entry(i.workspace_id.clone()).or_insert(0);
        let position = i.position.unwrap_or(*next);
        *next = (*next).max(position + 1);
        Ok(Rows::Idp(ConnectionRow {
            tenant_id: tenant.into(),
            workspace_id: i.workspace_id,
            pool_id: i.pool_id,
            position,
            created_at: self.time(i.created_at),
        }))
    }

    fn client(&mut self, tenant: &str, c: ClientLine) -> Checked<Rows> {
        if !client::is_plausible_id(&c.id) {
            return Err("id: must be 1-255 characters without control characters".into());
        }
        if !self.workspaces.contains(&c.workspace_id) {
            return Err("workspace_id: no workspace with this id before this line".into());
        }
        let registration: ClientRegistration = serde_json::from_value(c.metadata)
            .map_err(|e| format!("metadata: is not a client registration ({e})"))?;
        let metadata = client::validate(registration).map_err(|e| format!("metadata.{e}"))?;
        match (
            &c.secret_hash,
            metadata.token_endpoint_auth_method.uses_secret(),
        ) {
            (Some(hash), true) if is_secret_hash(hash) => {}
            (Some(_), true) => {
                return Err(
                    "secret_hash: must be the stored form (64 lowercase hex digits)".into(),
                );
            }
            (None, true) => {
                return Err("secret_hash: this client authenticates with a secret".into());
            }
            (Some(_), false) => {
                return Err("secret_hash: this client has no secret".into());
            }
            (None, false) => {}
        }
        self.claim(&["client", &c.id], "id")?;
        Ok(Rows::Client(ClientRow {
            id: c.id,
            tenant_id: tenant.into(),
            workspace_id: c.workspace_id,
            client_name: metadata.client_name.clone(),
            secret_hash: c.secret_hash,
            metadata: serde_json::json!(metadata).to_string(),
            created_at: self.time(c.created_at),
        }))
    }
}

/// A stored password hash Tarn can verify, at a bounded cost.
fn check_hash(hash: &str) -> Result<(), String> {
    if hash.starts_with("$argon2") {
        return crate::authn::argon2id::check_stored(hash);
    }
    if crate::authn::foreign_hash::is_foreign(hash) {
        return crate::authn::foreign_hash::check(hash);
    }
    Err("is not a password hash format Tarn accepts".into())
}

fn is_secret_hash(hash: &str) -> bool {
    hash.len() == 64 && hash.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

fn plausible_id(field: &str, id: &str) -> Checked<()> {
    match client::is_plausible_id(id) {
        true => Ok(()),
        false => Err(format!(
            "{field}: must be 1-255 characters without control characters"
        )),
    }
}

fn text(e: Error) -> String {
    e.to_string()
}

/// 128 bits of SHA-256 over the parts, each ended by a NUL (no part holds one: ids and identifiers are checked).
fn digest(parts: &[&str]) -> u128 {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update([0]);
    }
    let d = h.finalize();
    let mut first = [0u8; 16];
    first.copy_from_slice(&d[..16]);
    u128::from_le_bytes(first)
}
