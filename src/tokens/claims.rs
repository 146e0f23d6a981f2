//! User claims by scope (OIDC Core §5.4), shared by ID tokens and UserInfo.

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

/// `sub` plus the claims the scopes grant: `profile` (the user's schema payload), `email`, `phone`, `groups`
/// (names of every group the user is in, directly or through a sub-group).
pub fn user_claims(user: &UserRow, groups: &[String], scope: &str) -> Map<String, Value> {
    let mut claims = Map::new();
    claims.insert("sub".into(), json!(user.id));
    if has_scope(scope, "profile") {
        if let Ok(Value::Object(payload)) = serde_json::from_str::<Value>(&user.payload) {
            let fields = payload
                .into_iter()
                .filter(|(k, _)| !RESERVED.contains(&k.as_str()) && !k.ends_with("_verified"));
            claims.extend(fields);
        }
        claims.insert("updated_at".into(), json!(user.updated_at));
    }
    if has_scope(scope, "email")
        && let Some(email) = &user.email
    {
        claims.insert("email".into(), json!(email));
        claims.insert("email_verified".into(), json!(user.email_verified));
    }
    if has_scope(scope, "phone")
        && let Some(mobile) = &user.mobile
    {
        claims.insert("phone_number".into(), json!(mobile));
        claims.insert("phone_number_verified".into(), json!(user.mobile_verified));
    }
    if has_scope(scope, "groups") {
        claims.insert("groups".into(), json!(groups));
    }
    claims
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
}
