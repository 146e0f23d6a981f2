//! User claims by scope (OIDC Core §5.4), shared by ID tokens, UserInfo and the admin's claim preview: [`decide`]
//! is the one place that says which claims a user gets and where each comes from.

use serde::Serialize;
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
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
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
#[derive(Debug, Clone, PartialEq, Serialize)]
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

/// `sub` plus the claims the scopes grant: `profile` (the user's schema payload), `email`, `phone`, `groups`
/// (names of every group the user is in, directly or through a sub-group), in this order.
pub fn decide(user: &UserRow, groups: &[String], scope: &str) -> Vec<Claim> {
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
pub fn user_claims(user: &UserRow, groups: &[String], scope: &str) -> Map<String, Value> {
    decide(user, groups, scope)
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
        let c = user_claims(&user(), &["staff".into()], "openid profile email groups");
        assert_eq!(c["sub"], "u1");
        assert_eq!(c["given_name"], "Ada");
        assert_eq!(c["email"], "ada@example.com");
        assert_eq!(c["email_verified"], true);
        assert_eq!(c["groups"], json!(["staff"]));
        assert!(!c.contains_key("phone_number"));
        let bare = user_claims(&user(), &[], "openid");
        assert_eq!(bare.len(), 1);
    }

    #[test]
    fn each_claim_says_where_it_comes_from() {
        let sources: Vec<(String, Source)> = decide(&user(), &[], "openid profile email groups")
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
}
