//! What a reader of the audit trail wants beside each event: whether its subject still exists and where (the pool
//! or workspace it lives in, so a page can link to it), and which administrator acted (their email, the event
//! holds only their user id). Looked up for one page of events at a time, one primary-key read per distinct
//! object, in one connection.

use std::collections::HashMap;

use super::query::AuditEvent;
use crate::identity::Result;
use crate::identity::admin;
use crate::state::AppState;
use crate::store::{DbConn, StoreError, clients, groups, pools, schemas, users, workspaces};

/// Where an event's subject lives now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    User { pool: String },
    Group { pool: String },
    Pool,
    Workspace,
    Client { workspace: String },
    Schema,
}

/// The places and administrators named by a page of events.
#[derive(Debug, Default)]
pub struct About {
    places: HashMap<(String, String), Place>,
    admins: HashMap<String, String>,
}

impl About {
    /// Where the subject of `event` is now; `None` when it is gone, or is not an object with a page.
    pub fn place(&self, event: &AuditEvent) -> Option<&Place> {
        let s = event.subject.as_ref()?;
        self.places.get(&(s.kind.clone(), s.id.clone()))
    }

    /// The email (else mobile) of the administrator with user id `id`, while they exist.
    pub fn admin(&self, id: &str) -> Option<&str> {
        self.admins.get(id).map(String::as_str)
    }
}

/// Looks up the subjects and administrator actors of `events`, all from `tenant`'s trail.
pub async fn about(app: &AppState, tenant: &str, events: &[AuditEvent]) -> Result<About> {
    let tenant = tenant.to_owned();
    let wanted: Vec<Wanted> = events.iter().map(Wanted::of).collect();
    app.db
        .run(move |c| {
            let mut found = About::default();
            for w in &wanted {
                if let Some((kind, id)) = &w.subject {
                    let key = (kind.clone(), id.clone());
                    if !found.places.contains_key(&key)
                        && let Some(place) = locate(c, &tenant, w, kind, id)?
                    {
                        found.places.insert(key, place);
                    }
                }
                if let Some(id) = &w.admin
                    && !found.admins.contains_key(id)
                    && let Some(name) = admin_name(c, id)?
                {
                    found.admins.insert(id.clone(), name);
                }
            }
            Ok(found)
        })
        .await
}

/// What one event asks to look up.
struct Wanted {
    subject: Option<(String, String)>,
    workspace: Option<String>,
    /// A portal administrator's user id (not the admin API token).
    admin: Option<String>,
}

impl Wanted {
    fn of(e: &AuditEvent) -> Wanted {
        let admin = match (e.actor.kind.as_str(), &e.actor.id) {
            ("admin", Some(id)) if id != "token" => Some(id.clone()),
            _ => None,
        };
        Wanted {
            subject: e.subject.as_ref().map(|s| (s.kind.clone(), s.id.clone())),
            workspace: e.workspace_id.clone(),
            admin,
        }
    }
}

fn locate(
    c: &mut DbConn,
    tenant: &str,
    w: &Wanted,
    kind: &str,
    id: &str,
) -> std::result::Result<Option<Place>, StoreError> {
    let in_tenant = |c: &mut DbConn, pool: &str| pools::find(c, tenant, pool).map(|p| p.is_some());
    Ok(match kind {
        "user" => match users::find_by_id(c, id)? {
            Some(u) if in_tenant(c, &u.pool_id)? => Some(Place::User { pool: u.pool_id }),
            _ => None,
        },
        "group" => match groups::find_many(c, &[id.to_owned()])?.pop() {
            Some(g) if in_tenant(c, &g.pool_id)? => Some(Place::Group { pool: g.pool_id }),
            _ => None,
        },
        "pool" => in_tenant(c, id)?.then_some(Place::Pool),
        "workspace" => workspaces::find(c, tenant, id)?.map(|_| Place::Workspace),
        "client" => match &w.workspace {
            Some(ws) => clients::find(c, tenant, ws, id)?.map(|_| Place::Client {
                workspace: ws.clone(),
            }),
            None => None,
        },
        "schema" => schemas::find(c, tenant, id)?.map(|_| Place::Schema),
        _ => None,
    })
}

/// How the trail names a portal administrator: only users of the Administrators pool qualify.
fn admin_name(c: &mut DbConn, id: &str) -> std::result::Result<Option<String>, StoreError> {
    Ok(users::find_by_id(c, id)?
        .filter(|u| u.pool_id == admin::POOL)
        .and_then(|u| u.email.or(u.mobile)))
}
