//! The NDJSON line model of an export: one serde type per `kind`, shared by the exporter and the importer.
//!
//! Unknown fields are ignored rather than refused, so that the views' derived fields (`password_set`, `issuer`)
//! and lines written by a newer Tarn still read. Times may be left out by hand-written files (the import time
//! is used).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::authn::password::PasswordPolicy;
use crate::identity::pool::{Mechanism, OtpSettings};
use crate::identity::user::Status;
use crate::identity::workspace::{Lifetimes, RegistrationMode};

/// The only format version this Tarn writes and reads.
pub const VERSION: u32 = 1;

/// One line of an export.
#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Line {
    #[serde(rename = "tarn-export")]
    Header(Header),
    Schema(SchemaLine),
    Pool(PoolLine),
    User(UserLine),
    Group(GroupLine),
    Membership(MembershipLine),
    Workspace(WorkspaceLine),
    Idp(IdpLine),
    Client(ClientLine),
}

impl Line {
    /// The line's `kind`, as written.
    pub fn kind(&self) -> Kind {
        match self {
            Line::Header(_) => Kind::Header,
            Line::Schema(_) => Kind::Schema,
            Line::Pool(_) => Kind::Pool,
            Line::User(_) => Kind::User,
            Line::Group(_) => Kind::Group,
            Line::Membership(_) => Kind::Membership,
            Line::Workspace(_) => Kind::Workspace,
            Line::Idp(_) => Kind::Idp,
            Line::Client(_) => Kind::Client,
        }
    }
}

/// The kinds of line, in the order an export writes them (every reference points to an earlier line, except a
/// group's parent, which may come later).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    Header,
    Schema,
    Pool,
    Group,
    User,
    Membership,
    Workspace,
    Idp,
    Client,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Header => "tarn-export",
            Kind::Schema => "schema",
            Kind::Pool => "pool",
            Kind::Group => "group",
            Kind::User => "user",
            Kind::Membership => "membership",
            Kind::Workspace => "workspace",
            Kind::Idp => "idp",
            Kind::Client => "client",
        }
    }
}

/// The first line: which format, and the tenant the other lines belong to.
#[derive(Debug, Serialize, Deserialize)]
pub struct Header {
    pub version: u32,
    pub tenant: TenantLine,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct TenantLine {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub created_at: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct SchemaLine {
    pub id: String,
    pub name: String,
    pub schema: Value,
    #[serde(default)]
    pub created_at: Option<i64>,
}

/// A pool as the admin API shows it.
#[derive(Debug, Serialize, Deserialize)]
pub struct PoolLine {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub tag_color: Option<String>,
    pub authentication_mechanisms: Vec<Mechanism>,
    #[serde(default)]
    pub preferred_authentication_mechanism: Option<Mechanism>,
    #[serde(default)]
    pub public_registration_allowed: bool,
    #[serde(default)]
    pub payload_schema_id: Option<String>,
    #[serde(default)]
    pub metadata_schema_id: Option<String>,
    #[serde(default)]
    pub password_policy: PasswordPolicy,
    #[serde(default)]
    pub otp_settings: OtpSettings,
    #[serde(default)]
    pub created_at: Option<i64>,
    #[serde(default)]
    pub updated_at: Option<i64>,
}

/// A user as the admin API shows it, plus the password hash and the passkeys.
#[derive(Debug, Serialize, Deserialize)]
pub struct UserLine {
    pub id: String,
    pub pool_id: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub mobile: Option<String>,
    #[serde(default)]
    pub email_verified: bool,
    #[serde(default)]
    pub mobile_verified: bool,
    #[serde(default = "active")]
    pub status: Status,
    #[serde(default = "empty_object")]
    pub payload: Value,
    #[serde(default = "empty_object")]
    pub metadata: Value,
    /// Written for readers of the file (the admin API's field); the import looks at `password_hash`.
    #[serde(default)]
    pub password_set: bool,
    #[serde(default)]
    pub created_at: Option<i64>,
    #[serde(default)]
    pub updated_at: Option<i64>,
    /// A PHC string (argon2, scrypt, PBKDF2), bcrypt, or Django's PBKDF2 format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password_hash: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub passkeys: Vec<PasskeyLine>,
}

fn active() -> Status {
    Status::Active
}

fn empty_object() -> Value {
    Value::Object(Default::default())
}

/// A passkey: webauthn-rs's credential JSON as stored, with its name, counters and dates.
#[derive(Debug, Serialize, Deserialize)]
pub struct PasskeyLine {
    pub id: String,
    #[serde(default)]
    pub name: String,
    pub credential: Value,
    #[serde(default)]
    pub sign_count: i64,
    #[serde(default)]
    pub backup_eligible: bool,
    #[serde(default)]
    pub backup_state: bool,
    #[serde(default)]
    pub created_at: Option<i64>,
    #[serde(default)]
    pub last_used_at: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct GroupLine {
    pub id: String,
    pub pool_id: String,
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub parent_id: Option<String>,
    #[serde(default)]
    pub created_at: Option<i64>,
    #[serde(default)]
    pub updated_at: Option<i64>,
}

/// A user put directly in a group (nested membership follows from the groups' parents).
#[derive(Debug, Serialize, Deserialize)]
pub struct MembershipLine {
    pub group_id: String,
    pub user_id: String,
    #[serde(default)]
    pub created_at: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct WorkspaceLine {
    pub id: String,
    pub name: String,
    #[serde(default)]
    pub lifetimes: Lifetimes,
    #[serde(default)]
    pub dpop_nonce_required: bool,
    #[serde(default)]
    pub require_pushed_authorization_requests: bool,
    #[serde(default)]
    pub dynamic_registration: RegistrationMode,
    #[serde(default)]
    pub created_at: Option<i64>,
}

/// A pool connected to a workspace as an identity provider.
#[derive(Debug, Serialize, Deserialize)]
pub struct IdpLine {
    pub workspace_id: String,
    pub pool_id: String,
    #[serde(default)]
    pub position: Option<i64>,
    #[serde(default)]
    pub created_at: Option<i64>,
}

/// A client with its id and the stored hash of its secret (never the secret itself).
#[derive(Debug, Serialize, Deserialize)]
pub struct ClientLine {
    pub id: String,
    pub workspace_id: String,
    /// Lowercase hex SHA-256 of the secret, as Tarn stores it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_hash: Option<String>,
    /// The registered metadata (RFC 7591), as the admin API shows it.
    pub metadata: Value,
    #[serde(default)]
    pub created_at: Option<i64>,
}
