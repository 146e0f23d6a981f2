//! User claims by scope (OIDC Core §5.4) and by name (the `claims` request parameter, §5.5), shared by ID tokens,
//! UserInfo and the admin's claim preview: [`decide`] is the one place that says which claims a user gets and
//! where each comes from.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use crate::store::users::UserRow;

/// Claims a payload field may never override: they are set by Tarn or belong to another scope.
const RESERVED: [&str; 16] = [
    "sub",
    "iss",
    "aud",
    "exp",
    "iat",
    "nbf",
    "jti",
    "auth_time",
    "nonce",
    "acr",
    "amr",
    "azp",
    "at_hash",
    "email",
    "phone_number",
    "groups",
];

/// Whether the space-separated `scope` contains `name`.
pub fn has_scope(scope: &str, name: &str) -> bool {
    scope.split(' ').any(|s| s == name)
}

/// Where a claim's value comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
#[schema(as = ClaimSource)]
pub enum Source {
    /// Set by Tarn itself (`sub`, `updated_at`, `iss`).
    BuiltIn,
    /// A field of the user's payload (scope `profile`).
    PayloadField,
    /// The user's email or mobile and its verification.
    Identifier,
    /// The groups the user is in, directly or through a sub-group.
    GroupMembership,
}

/// One claim with its value and where it comes from.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
pub struct Claim {
    pub name: String,
    pub value: Value,
    pub source: Source,
}

fn claim(name: &str, value: Value, source: Source) -> Claim {
    Claim {
        name: name.to_owned(),
        value,
        source,
    }
}

/// Claims the `claims` parameter cannot ask for: Tarn sets them on every token (or never), whatever is asked.
const PROTOCOL: [&str; 13] = [
    "iss",
    "aud",
    "exp",
    "iat",
    "nbf",
    "jti",
    "auth_time",
    "nonce",
    "acr",
    "amr",
    "azp",
    "at_hash",
    "sid",
];

/// At most this many names per target: a request is stored until sign-in, so it stays small.
const MAX_REQUESTED: usize = 64;

/// The scope whose claims `name` is one of; `None` for `sub`, which every token carries.
pub fn scope_of_claim(name: &str) -> Option<&'static str> {
    match name {
        "sub" => None,
        "email" | "email_verified" => Some("email"),
        "phone_number" | "phone_number_verified" => Some("phone"),
        "groups" => Some("groups"),
        _ => Some("profile"),
    }
}

/// The claims a request named one by one (OIDC Core §5.5): for UserInfo and for the ID token. Kept with the
/// grant, so the code's tokens, every refresh and UserInfo give the same ones.
#[derive(Debug, Default, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestedClaims {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub userinfo: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub id_token: Vec<String>,
}

impl RequestedClaims {
    /// Reads the `claims` parameter: a JSON object whose `userinfo` and `id_token` members map claim names to
    /// `null` or to an object (`essential`, `value`, `values`). Other members are ignored, as are protocol claims;
    /// names Tarn has no value for simply give nothing. `essential` is honoured by giving the claim whenever the
    /// user has it, which Tarn does for every requested claim, so it changes nothing; `value(s)` do not filter.
    pub fn parse(json: &str) -> Result<RequestedClaims, &'static str> {
        let Ok(Value::Object(request)) = serde_json::from_str::<Value>(json) else {
            return Err("claims must be a JSON object");
        };
        Ok(RequestedClaims {
            userinfo: names(request.get("userinfo"))?,
            id_token: names(request.get("id_token"))?,
        })
    }

    /// Keeps the names of claims whose scope the client may have (`allowed`, its registered `scope`).
    pub fn allowed_by(mut self, allowed: &str) -> RequestedClaims {
        let may = |n: &String| scope_of_claim(n).is_none_or(|s| has_scope(allowed, s));
        self.userinfo.retain(may);
        self.id_token.retain(may);
        self
    }

    pub fn is_empty(&self) -> bool {
        self.userinfo.is_empty() && self.id_token.is_empty()
    }

    /// What a grant stores: `None` when nothing was requested.
    pub fn to_stored(&self) -> Option<String> {
        (!self.is_empty()).then(|| json!(self).to_string())
    }

    /// A grant's stored claims; a grant without (or with unreadable) ones asked for none.
    pub fn from_stored(stored: Option<&str>) -> RequestedClaims {
        stored
            .and_then(|s| serde_json::from_str(s).ok())
            .unwrap_or_default()
    }
}

/// The claim names of one target of the `claims` parameter.
fn names(target: Option<&Value>) -> Result<Vec<String>, &'static str> {
    let members = match target {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Object(members)) => members,
        Some(_) => return Err("claims.userinfo and claims.id_token must be JSON objects"),
    };
    let mut names = Vec::new();
    for (name, request) in members {
        match request {
            Value::Null => {}
            Value::Object(r) if r.get("essential").is_none_or(Value::is_boolean) => {}
            _ => {
                return Err(
                    "each requested claim must be null or an object with a boolean essential",
                );
            }
        }
        if !PROTOCOL.contains(&name.as_str()) && !names.contains(name) {
            names.push(name.clone());
        }
    }
    if names.len() > MAX_REQUESTED {
        return Err("claims names too many claims");
    }
    Ok(names)
}

/// `sub` plus the claims the scopes grant and those `requested` by name (which Tarn has): `profile` (the user's
/// schema payload), `email`, `phone`, `groups` (names of every group the user is in, directly or through a
/// sub-group), in this order.
pub fn decide(user: &UserRow, groups: &[String], scope: &str, requested: &[String]) -> Vec<Claim> {
    let mut wanted = scope.to_owned();
    for s in requested.iter().filter_map(|n| scope_of_claim(n)) {
        wanted.push(' ');
        wanted.push_str(s);
    }
    let granted = |c: &Claim| {
        scope_of_claim(&c.name).is_none_or(|s| has_scope(scope, s)) || requested.contains(&c.name)
    };
    by_scope(user, groups, &wanted)
        .into_iter()
        .filter(granted)
        .collect()
}

/// `sub` plus every claim of the scopes in `scope`.
fn by_scope(user: &UserRow, groups: &[String], scope: &str) -> Vec<Claim> {
    let mut claims = vec![claim("sub", json!(user.id), Source::BuiltIn)];
    if has_scope(scope, "profile") {
        if let Ok(Value::Object(payload)) = serde_json::from_str::<Value>(&user.payload) {
            let fields = payload
                .into_iter()
                .filter(|(k, _)| !RESERVED.contains(&k.as_str()) && !k.ends_with("_verified"))
                .filter(|(k, _)| k != "updated_at")
                .map(|(k, v)| claim(&k, v, Source::PayloadField));
            claims.extend(fields);
        }
        claims.push(claim("updated_at", json!(user.updated_at), Source::BuiltIn));
    }
    if has_scope(scope, "email")
        && let Some(email) = &user.email
    {
        claims.push(claim("email", json!(email), Source::Identifier));
        claims.push(claim(
            "email_verified",
            json!(user.email_verified),
            Source::Identifier,
        ));
    }
    if has_scope(scope, "phone")
        && let Some(mobile) = &user.mobile
    {
        claims.push(claim("phone_number", json!(mobile), Source::Identifier));
        let verified = json!(user.mobile_verified);
        claims.push(claim("phone_number_verified", verified, Source::Identifier));
    }
    if has_scope(scope, "groups") {
        claims.push(claim("groups", json!(groups), Source::GroupMembership));
    }
    claims
}

/// The claims [`decide`] gives, as a JSON object (what tokens and UserInfo carry).
pub fn user_claims(
    user: &UserRow,
    groups: &[String],
    scope: &str,
    requested: &[String],
) -> Map<String, Value> {
    decide(user, groups, scope, requested)
        .into_iter()
        .map(|c| (c.name, c.value))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::users::Status;

    fn user() -> UserRow {
        UserRow {
            id: "u1".into(),
            pool_id: "p".into(),
            email: Some("ada@example.com".into()),
            mobile: None,
            email_verified: true,
            mobile_verified: false,
            status: Status::Active,
            payload: r#"{"given_name":"Ada","sub":"forged","email":"x@y.z"}"#.into(),
            metadata: "{}".into(),
            password_hash: None,
            created_at: 1,
            updated_at: 2,
        }
    }

    #[test]
    fn scopes_select_claims_and_payload_cannot_forge_reserved_ones() {
        let c = user_claims(
            &user(),
            &["staff".into()],
            "openid profile email groups",
            &[],
        );
        assert_eq!(c["sub"], "u1");
        assert_eq!(c["given_name"], "Ada");
        assert_eq!(c["email"], "ada@example.com");
        assert_eq!(c["email_verified"], true);
        assert_eq!(c["groups"], json!(["staff"]));
        assert!(!c.contains_key("phone_number"));
        let bare = user_claims(&user(), &[], "openid", &[]);
        assert_eq!(bare.len(), 1);
    }

    #[test]
    fn each_claim_says_where_it_comes_from() {
        let sources: Vec<(String, Source)> =
            decide(&user(), &[], "openid profile email groups", &[])
                .into_iter()
                .map(|c| (c.name, c.source))
                .collect();
        let s = |n: &str, src| (n.to_owned(), src);
        assert_eq!(
            sources,
            [
                s("sub", Source::BuiltIn),
                s("given_name", Source::PayloadField),
                s("updated_at", Source::BuiltIn),
                s("email", Source::Identifier),
                s("email_verified", Source::Identifier),
                s("groups", Source::GroupMembership),
            ]
        );
    }

    #[test]
    fn claims_requested_by_name_come_without_their_scope() {
        let requested = [
            "email_verified".to_owned(),
            "given_name".to_owned(),
            "shoe_size".to_owned(),
        ];
        let c = user_claims(&user(), &["staff".into()], "openid", &requested);
        let mut names: Vec<&str> = c.keys().map(String::as_str).collect();
        names.sort_unstable();
        assert_eq!(names, ["email_verified", "given_name", "sub"]);
    }

    #[test]
    fn the_claims_parameter_is_read_strictly_and_filtered_kindly() {
        let r = RequestedClaims::parse(
            r#"{"userinfo": {"email": {"essential": true}, "nonce": null, "groups": null},
                "id_token": {"phone_number": {"value": "x"}}, "other": 1}"#,
        )
        .unwrap();
        assert_eq!(r.userinfo, ["email", "groups"]);
        assert_eq!(r.id_token, ["phone_number"]);
        let allowed = r.clone().allowed_by("openid email");
        assert_eq!(allowed.userinfo, ["email"]);
        assert!(allowed.id_token.is_empty());
        assert!(RequestedClaims::parse("not json").is_err());
        assert!(RequestedClaims::parse(r#"{"userinfo": []}"#).is_err());
        assert!(RequestedClaims::parse(r#"{"userinfo": {"email": {"essential": 1}}}"#).is_err());
        assert_eq!(RequestedClaims::from_stored(r.to_stored().as_deref()), r);
    }
}
