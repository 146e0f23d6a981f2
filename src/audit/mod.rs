//! The audit trail (domain): who did what to which object, from where, with what outcome. An event is written
//! with [`record`] on the connection of the transaction that makes the change, so the two land together or not
//! at all. Events hold only what [`Details`] accepts: plain text, numbers, booleans and profile JSON, never a
//! secret (the secret-bearing types of the crate do not implement the traits it asks for).

pub mod about;
mod details;
mod event_type;
pub mod identifier;
pub mod query;
pub mod retention;

use serde::Serialize;

pub use details::Details;
pub use event_type::EventType;

use crate::store::DbConn;
use crate::store::StoreError;
use crate::store::audit_events::{self, AuditRow};

/// Who acted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Actor {
    /// The admin API token (id `token`) or a portal administrator (their user id).
    Admin(String),
    User(String),
    Client(String),
    System,
    Anonymous,
}

impl Actor {
    /// The admin API token as actor.
    pub fn admin_token() -> Actor {
        Actor::Admin("token".to_owned())
    }

    fn parts(&self) -> (&'static str, Option<&str>) {
        match self {
            Actor::Admin(id) => ("admin", Some(id)),
            Actor::User(id) => ("user", Some(id)),
            Actor::Client(id) => ("client", Some(id)),
            Actor::System => ("system", None),
            Actor::Anonymous => ("anonymous", None),
        }
    }
}

/// Where a request came from, as the web layer saw it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Origin {
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    pub request_id: Option<String>,
}

/// The actor and origin of the request being served, built by the web layer and passed down to the domain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Context {
    pub actor: Actor,
    pub origin: Origin,
}

impl Context {
    pub fn new(actor: Actor, origin: Origin) -> Context {
        Context { actor, origin }
    }

    /// Work Tarn does on its own (maintenance, imports from the command line).
    pub fn system() -> Context {
        Context::new(Actor::System, Origin::default())
    }
}

/// Whether the recorded action succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    Success,
    Failure,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
        }
    }
}

/// What kind of object an event is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectType {
    User,
    Group,
    Pool,
    Workspace,
    Client,
    Tenant,
    Schema,
}

impl SubjectType {
    /// Every kind, for checking a filter.
    pub const ALL: &'static [SubjectType] = &[
        SubjectType::User,
        SubjectType::Group,
        SubjectType::Pool,
        SubjectType::Workspace,
        SubjectType::Client,
        SubjectType::Tenant,
        SubjectType::Schema,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SubjectType::User => "user",
            SubjectType::Group => "group",
            SubjectType::Pool => "pool",
            SubjectType::Workspace => "workspace",
            SubjectType::Client => "client",
            SubjectType::Tenant => "tenant",
            SubjectType::Schema => "schema",
        }
    }
}

/// One event before it is written: built with the setters, then [`record`]ed.
#[derive(Debug, Clone)]
pub struct Event {
    event_type: EventType,
    outcome: Outcome,
    reason: Option<&'static str>,
    subject: Option<(SubjectType, String)>,
    workspace_id: Option<String>,
    pool_id: Option<String>,
    client_id: Option<String>,
    details: Details,
}

impl Event {
    /// A successful event of `event_type`.
    pub fn new(event_type: EventType) -> Event {
        Event {
            event_type,
            outcome: Outcome::Success,
            reason: None,
            subject: None,
            workspace_id: None,
            pool_id: None,
            client_id: None,
            details: Details::new(),
        }
    }

    /// A failed event with its reason (a fixed code such as `wrong_password`, never input).
    pub fn failed(mut self, reason: &'static str) -> Event {
        self.outcome = Outcome::Failure;
        self.reason = Some(reason);
        self
    }

    /// A reason on a successful event (`authn.locked`, `token.revoked`).
    pub fn reason(mut self, reason: &'static str) -> Event {
        self.reason = Some(reason);
        self
    }

    pub fn subject(mut self, kind: SubjectType, id: impl Into<String>) -> Event {
        self.subject = Some((kind, id.into()));
        self
    }

    pub fn workspace(mut self, id: impl Into<String>) -> Event {
        self.workspace_id = Some(id.into());
        self
    }

    pub fn pool(mut self, id: impl Into<String>) -> Event {
        self.pool_id = Some(id.into());
        self
    }

    pub fn client(mut self, id: impl Into<String>) -> Event {
        self.client_id = Some(id.into());
        self
    }

    pub fn details(mut self, details: Details) -> Event {
        self.details = details;
        self
    }
}

/// Writes `event` for `tenant` at `now` (unix seconds) on `conn`: call it inside the transaction of the change.
pub fn record(
    conn: &mut DbConn,
    tenant: &str,
    ctx: &Context,
    now: i64,
    event: Event,
) -> Result<(), StoreError> {
    let (actor_type, actor_id) = ctx.actor.parts();
    let (subject_type, subject_id) = match event.subject {
        Some((kind, id)) => (Some(kind.as_str().to_owned()), Some(id)),
        None => (None, None),
    };
    let row = AuditRow {
        id: crate::secret::new_id(),
        tenant_id: tenant.to_owned(),
        occurred_at: now.saturating_mul(1000),
        event_type: event.event_type.as_str().to_owned(),
        outcome: event.outcome.as_str().to_owned(),
        reason: event.reason.map(str::to_owned),
        actor_type: actor_type.to_owned(),
        actor_id: actor_id.map(str::to_owned),
        subject_type,
        subject_id,
        workspace_id: event.workspace_id,
        pool_id: event.pool_id,
        client_id: event.client_id,
        ip: ctx.origin.ip.clone(),
        user_agent: ctx.origin.user_agent.clone(),
        request_id: ctx.origin.request_id.clone(),
        details: event.details.into_json().to_string(),
    };
    audit_events::insert(conn, &row)
}

/// Writes `import.completed` for an import into `tenant`, with how many objects of each kind it wrote
/// (`[("user", 1200), ("group", 14)]`): the import calls it in its own transaction, so the event lands with the
/// data or not at all.
pub fn record_import(
    conn: &mut DbConn,
    tenant: &str,
    ctx: &Context,
    now: i64,
    counts: &[(&str, i64)],
) -> Result<(), StoreError> {
    let details = counts
        .iter()
        .fold(Details::new(), |d, (kind, n)| d.with(kind, *n));
    let event = Event::new(EventType::ImportCompleted)
        .subject(SubjectType::Tenant, tenant)
        .details(details);
    record(conn, tenant, ctx, now, event)
}
