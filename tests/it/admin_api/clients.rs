//! `/api/admin/{tenant}/workspaces/{ws}/clients`: RFC 7591 registration, defaults, secrets shown once, URI rules.

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{
    Admin, TestServer, assert_bad_request, assert_invalid, assert_no_content, assert_not_found, id,
    merged,
};

const CLIENTS: &str = "/default/workspaces/default/clients";

fn shop(extra: Value) -> Value {
    let base = json!({"client_name": "Shop", "redirect_uris": ["https://shop.example/cb"]});
    merged(base, extra)
}

async fn assert_no_clients(admin: &Admin) {
    let items = admin.items(CLIENTS).await;
    assert!(items.is_empty(), "{items:?}");
}

#[actix_web::test]
async fn a_client_gets_the_documented_defaults_and_a_secret_once() {
    let (_srv, admin) = TestServer::start().await;
    let client = admin.create(CLIENTS, shop(json!({}))).await;
    assert_eq!(client["id"], client["client_id"]);
    assert!(!id(&client).is_empty());
    assert_eq!(client["client_name"], "Shop");
    assert_eq!(client["workspace_id"], "default");
    assert_eq!(client["redirect_uris"], json!(["https://shop.example/cb"]));
    assert_eq!(client["post_logout_redirect_uris"], json!([]));
    assert_eq!(client["token_endpoint_auth_method"], "client_secret_basic");
    assert_eq!(client["grant_types"], json!(["authorization_code"]));
    assert_eq!(client["response_types"], json!(["code"]));
    assert_eq!(
        client["scope"],
        "openid profile email phone groups offline_access"
    );
    assert_eq!(client["id_token_signed_response_alg"], "RS256");
    assert_eq!(client["client_secret_expires_at"], 0);
    assert!(client["client_id_issued_at"].as_i64().unwrap() > 0);
    let secret = client["client_secret"].as_str().unwrap().to_owned();
    assert!(secret.len() >= 32, "{secret}");
    let path = format!("{CLIENTS}/{}", id(&client));
    let (status, fetched) = admin.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(fetched.get("client_secret"), None);
    let mut without_secret = client.clone();
    without_secret
        .as_object_mut()
        .unwrap()
        .remove("client_secret");
    assert_eq!(fetched, without_secret);
    let (_, list) = admin.get(CLIENTS).await;
    assert_eq!(list["items"], json!([without_secret]));
    assert_eq!(list["next_cursor"], Value::Null);
    assert!(!list.to_string().contains(&secret));
    let other = admin.create(CLIENTS, shop(json!({}))).await;
    assert_ne!(other["client_secret"].as_str().unwrap(), secret);
    assert_ne!(id(&other), id(&client));
}

#[actix_web::test]
async fn registered_metadata_is_kept() {
    let (_srv, admin) = TestServer::start().await;
    let client = admin
        .create(
            CLIENTS,
            shop(json!({
                "redirect_uris": ["https://shop.example/cb", "http://localhost:3000/cb", "http://127.0.0.1/cb", "http://[::1]:8080/cb"],
                "post_logout_redirect_uris": ["https://shop.example/bye"],
                "grant_types": ["authorization_code", "refresh_token"],
                "token_endpoint_auth_method": "client_secret_post",
                "scope": "openid  email openid",
                "id_token_signed_response_alg": "ES256",
            })),
        )
        .await;
    assert_eq!(client["redirect_uris"].as_array().unwrap().len(), 4);
    assert_eq!(
        client["post_logout_redirect_uris"],
        json!(["https://shop.example/bye"])
    );
    assert_eq!(
        client["grant_types"],
        json!(["authorization_code", "refresh_token"])
    );
    assert_eq!(client["token_endpoint_auth_method"], "client_secret_post");
    assert_eq!(
        client["scope"], "openid email",
        "duplicates and extra spaces are dropped"
    );
    assert_eq!(client["id_token_signed_response_alg"], "ES256");
    assert!(client["client_secret"].is_string());
    let (_, fetched) = admin.get(&format!("{CLIENTS}/{}", id(&client))).await;
    assert_eq!(fetched["scope"], "openid email");
    assert_eq!(fetched["grant_types"], client["grant_types"]);
}

#[actix_web::test]
async fn public_and_private_key_clients_get_no_secret() {
    let (_srv, admin) = TestServer::start().await;
    let public = admin
        .create(CLIENTS, shop(json!({"token_endpoint_auth_method": "none"})))
        .await;
    assert_eq!(public["token_endpoint_auth_method"], "none");
    assert_eq!(public.get("client_secret"), None);
    assert_eq!(public.get("client_secret_expires_at"), None);
    let jwks = json!({"keys": [{"kty": "EC", "crv": "P-256", "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU", "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}]});
    let pkj = admin
        .create(
            CLIENTS,
            shop(json!({"token_endpoint_auth_method": "private_key_jwt", "jwks": jwks})),
        )
        .await;
    assert_eq!(pkj.get("client_secret"), None);
    assert_eq!(pkj["jwks"], jwks);
    let (_, fetched) = admin.get(&format!("{CLIENTS}/{}", id(&pkj))).await;
    assert_eq!(fetched["jwks"], jwks);
}

#[actix_web::test]
async fn a_machine_client_needs_no_redirect_uri_but_a_secret() {
    let (_srv, admin) = TestServer::start().await;
    let machine = admin
        .create(
            CLIENTS,
            json!({"client_name": "Batch", "grant_types": ["client_credentials"]}),
        )
        .await;
    assert_eq!(machine["grant_types"], json!(["client_credentials"]));
    assert_eq!(machine["response_types"], json!([]));
    assert_eq!(machine["redirect_uris"], json!([]));
    assert!(machine["client_secret"].is_string());
    let res = admin
        .post(
            CLIENTS,
            json!({"grant_types": ["client_credentials"], "token_endpoint_auth_method": "none"}),
        )
        .await;
    assert_invalid(&res, "grant_types");
    assert_eq!(admin.items(CLIENTS).await.len(), 1);
}

#[actix_web::test]
async fn redirect_uris_must_be_absolute_https_or_loopback_without_fragment() {
    let (_srv, admin) = TestServer::start().await;
    for bad in [
        "http://example.com/cb",
        "http://localhost.example.com/cb",
        "/cb",
        "shop.example/cb",
        "https://shop.example/cb#section",
        "https://user:pass@shop.example/cb",
        "ftp://shop.example/cb",
        "",
    ] {
        let res = admin
            .post(CLIENTS, shop(json!({"redirect_uris": [bad]})))
            .await;
        assert_invalid(&res, "redirect_uris");
        let res = admin
            .post(CLIENTS, shop(json!({"post_logout_redirect_uris": [bad]})))
            .await;
        assert_invalid(&res, "post_logout_redirect_uris");
    }
    let res = admin
        .post(
            CLIENTS,
            shop(json!({"redirect_uris": ["https://ok.example/cb", "http://example.com/cb"]})),
        )
        .await;
    assert_invalid(&res, "redirect_uris");
    let res = admin
        .post(CLIENTS, shop(json!({"redirect_uris": []})))
        .await;
    assert_invalid(&res, "redirect_uris");
    let res = admin.post(CLIENTS, json!({"client_name": "No URIs"})).await;
    assert_invalid(&res, "redirect_uris");
    assert_no_clients(&admin).await;
}

#[actix_web::test]
async fn inconsistent_registrations_are_refused_naming_the_field() {
    let (_srv, admin) = TestServer::start().await;
    let cases = [
        (
            json!({"token_endpoint_auth_method": "private_key_jwt"}),
            "jwks",
        ),
        (
            json!({"token_endpoint_auth_method": "private_key_jwt", "jwks": {"keys": []}}),
            "jwks",
        ),
        (json!({"jwks": {"kty": "RSA"}}), "jwks"),
        (json!({"grant_types": ["implicit"]}), "grant_types"),
        (
            json!({"grant_types": ["authorization_code", "authorization_code"]}),
            "grant_types",
        ),
        (json!({"grant_types": ["refresh_token"]}), "grant_types"),
        (json!({"response_types": ["token"]}), "response_types"),
        (json!({"response_types": []}), "response_types"),
        (
            json!({"grant_types": ["client_credentials"], "response_types": ["code"]}),
            "response_types",
        ),
        (json!({"scope": "openid \"quoted\""}), "scope"),
        (json!({"client_name": "n".repeat(201)}), "client_name"),
    ];
    for (extra, field) in cases {
        assert_invalid(&admin.post(CLIENTS, shop(extra)).await, field);
    }
    assert_no_clients(&admin).await;
}

#[actix_web::test]
async fn malformed_registrations_are_refused() {
    let (_srv, admin) = TestServer::start().await;
    for extra in [
        json!({"software_id": "x"}),
        json!({"client_secret": "chosen"}),
        json!({"token_endpoint_auth_method": "client_secret_jwt"}),
        json!({"id_token_signed_response_alg": "none"}),
        json!({"redirect_uris": "https://shop.example/cb"}),
    ] {
        let res = admin.post(CLIENTS, shop(extra)).await;
        assert_bad_request(&res);
    }
    let (_, res) = admin.post(CLIENTS, shop(json!({"software_id": "x"}))).await;
    assert!(
        res["error_description"]
            .as_str()
            .unwrap()
            .contains("software_id")
    );
    assert_no_clients(&admin).await;
}

#[actix_web::test]
async fn clients_of_unknown_workspaces_are_not_found() {
    let (_srv, admin) = TestServer::start().await;
    for path in [
        "/default/workspaces/nope/clients",
        "/nope/workspaces/default/clients",
    ] {
        assert_not_found(&admin.post(path, shop(json!({}))).await);
        assert_not_found(&admin.get(path).await);
    }
    assert_no_clients(&admin).await;
}

#[actix_web::test]
async fn a_deleted_client_is_gone() {
    let (_srv, admin) = TestServer::start().await;
    let keep = admin.create(CLIENTS, shop(json!({}))).await;
    let client = admin.create(CLIENTS, shop(json!({}))).await;
    let path = format!("{CLIENTS}/{}", id(&client));
    assert_no_content(&admin.delete(&path).await);
    assert_not_found(&admin.get(&path).await);
    assert_not_found(&admin.delete(&path).await);
    let remaining: Vec<String> = admin.items(CLIENTS).await.iter().map(id).collect();
    assert_eq!(remaining, [id(&keep)]);
}

#[actix_web::test]
async fn clients_are_reached_only_through_their_own_workspace() {
    let (_srv, admin) = TestServer::start().await;
    admin.create_workspace("shop").await;
    let client = admin
        .create("/default/workspaces/shop/clients", shop(json!({})))
        .await;
    let elsewhere = format!("{CLIENTS}/{}", id(&client));
    assert_not_found(&admin.get(&elsewhere).await);
    assert_not_found(&admin.delete(&elsewhere).await);
    assert_not_found(&admin.get(&format!("{CLIENTS}/no-such-client")).await);
    assert_no_clients(&admin).await;
    // A workspace of the same id in another tenant is another workspace.
    admin.create_tenant("acme").await;
    let acme_shop = "/acme/workspaces/shop/clients";
    admin
        .create("/acme/workspaces", json!({"id": "shop", "name": "Shop"}))
        .await;
    assert_not_found(&admin.get(&format!("{acme_shop}/{}", id(&client))).await);
    assert_not_found(&admin.delete(&format!("{acme_shop}/{}", id(&client))).await);
    assert!(admin.items(acme_shop).await.is_empty());
    let (status, _) = admin
        .get(&format!("/default/workspaces/shop/clients/{}", id(&client)))
        .await;
    assert_eq!(status, StatusCode::OK);
}

#[actix_web::test]
async fn the_client_list_pages() {
    let (_srv, admin) = TestServer::start().await;
    for _ in 0..3 {
        admin.create(CLIENTS, shop(json!({}))).await;
    }
    let all = admin.list_all(CLIENTS, 2).await;
    assert_eq!(all.len(), 3);
    assert!(all.iter().all(|c| c.get("client_secret").is_none()));
    for query in ["limit=0", "limit=501", "cursor=garbage"] {
        let res = admin.get(&format!("{CLIENTS}?{query}")).await;
        assert_bad_request(&res);
    }
}

/// Issue 11 item 15: the authorization endpoint matches redirect URIs as strings but redirects to their parsed
/// form, so a URI is registered only as a URL parser (the WHATWG URL Standard, as the `url` crate and browsers
/// implement it) writes it, and never with control characters.
#[actix_web::test]
async fn redirect_uris_are_refused_unless_a_url_parser_writes_them_as_given() {
    let (_srv, admin) = TestServer::start().await;
    let rewritten = [
        ("https:/a.example.com/cb", "https://a.example.com/cb"),
        (
            "https://a.example.com/cb/../../x",
            "https://a.example.com/x",
        ),
        ("https://a.example.com/cb/./x", "https://a.example.com/cb/x"),
        ("HTTPS://a.example.com/cb", "https://a.example.com/cb"),
        ("https://A.Example.com/cb", "https://a.example.com/cb"),
        ("https://a.example.com", "https://a.example.com/"),
        ("https://a.example.com:443/cb", "https://a.example.com/cb"),
        ("https://a.example.com/c b", "https://a.example.com/c%20b"),
        (
            "https://a.example.com/cb?q=a b",
            "https://a.example.com/cb?q=a%20b",
        ),
        (
            "https://bücher.example/cb",
            "https://xn--bcher-kva.example/cb",
        ),
        ("http://127.1/cb", "http://127.0.0.1/cb"),
        ("http://[0:0::1]/cb", "http://[::1]/cb"),
        ("https:\\\\a.example.com\\cb", "https://a.example.com/cb"),
    ];
    for field in ["redirect_uris", "post_logout_redirect_uris"] {
        for (given, parsed) in rewritten {
            let res = admin.post(CLIENTS, shop(json!({field: [given]}))).await;
            assert_invalid(&res, field);
            let description = res.1["error_description"].as_str().unwrap();
            assert!(description.contains(parsed), "{given}: {description}");
        }
        for given in [
            "https://a.example.com/\r\nX: y",
            "https://a.example.com/cb\u{0}",
            "https://a.example.com/c\tb",
            "https://a.example.com/cb\u{7f}",
            "https://a.example.com/cb\u{85}",
            " https://a.example.com/cb",
        ] {
            let res = admin.post(CLIENTS, shop(json!({field: [given]}))).await;
            assert_invalid(&res, field);
            let description = res.1["error_description"].as_str().unwrap();
            assert!(
                !description.contains(['\r', '\n', '\u{0}']),
                "{description:?}"
            );
        }
    }
    assert_no_clients(&admin).await;
    let kept = [
        "https://a.example.com/",
        "https://a.example.com/cb?x=1&y=%20",
        "https://a.example.com:8443/cb",
        "https://xn--bcher-kva.example/cb",
        "http://127.0.0.1/cb",
        "http://[::1]:8080/cb",
        "http://localhost:3000/cb",
    ];
    let client = admin
        .create(
            CLIENTS,
            shop(json!({"redirect_uris": kept, "post_logout_redirect_uris": kept})),
        )
        .await;
    assert_eq!(client["redirect_uris"], json!(kept));
    assert_eq!(client["post_logout_redirect_uris"], json!(kept));
}

/// A base64url (no padding) string of `len` bytes, the first one `first`.
fn b64_bytes(first: u8, len: usize) -> String {
    use base64::Engine;
    let mut bytes = vec![0x5a_u8; len];
    bytes[0] = first;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// A real RSA public key of `bits` as a JWK.
fn rsa_jwk(bits: aws_lc_rs::rsa::KeySize) -> Value {
    use base64::Engine;
    let b64 = |b: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(b);
    let pair = aws_lc_rs::rsa::KeyPair::generate(bits).unwrap();
    let public = aws_lc_rs::signature::KeyPair::public_key(&pair);
    json!({"kty": "RSA", "kid": "rsa", "n": b64(public.modulus().big_endian_without_leading_zero()),
           "e": b64(public.exponent().big_endian_without_leading_zero())})
}

/// Issue 11 item 16: a client's `jwks` holds public signature keys of a strength Tarn accepts: RSA of at least
/// 2048 bits, EC on P-256, P-384 or P-521, OKP Ed25519; never a symmetric (`oct`) or a private key.
#[actix_web::test]
async fn client_jwks_with_weak_or_unsuitable_keys_are_refused() {
    let (_srv, admin) = TestServer::start().await;
    let p256 = json!({"kty": "EC", "crv": "P-256", "x": b64_bytes(1, 32), "y": b64_bytes(2, 32)});
    let e = "AQAB";
    let with = |extra: Value| merged(p256.clone(), extra);
    let refused = [
        (
            json!({"kty": "RSA", "n": b64_bytes(0xc3, 3), "e": e}),
            "2048",
        ),
        (
            json!({"kty": "RSA", "n": b64_bytes(0xff, 128), "e": e}),
            "2048",
        ),
        (
            json!({"kty": "RSA", "n": b64_bytes(0x7f, 256), "e": e}),
            "2048",
        ),
        (
            json!({"kty": "RSA", "n": format!("AA{}", &b64_bytes(0xff, 256)[2..]), "e": e}),
            "2048",
        ),
        (
            json!({"kty": "RSA", "n": b64_bytes(0xff, 1025), "e": e}),
            "8192",
        ),
        (json!({"kty": "RSA", "e": e}), "`n`"),
        (json!({"kty": "RSA", "n": b64_bytes(0xff, 256)}), "`e`"),
        (json!({"kty": "RSA", "n": "not base64!", "e": e}), "`n`"),
        (json!({"kty": "oct", "k": "c2VjcmV0LXNoYXJlZC1rZXk"}), "oct"),
        (
            json!({"kty": "EC", "crv": "secp256k1", "x": b64_bytes(1, 32), "y": b64_bytes(2, 32)}),
            "secp256k1",
        ),
        (
            json!({"kty": "EC", "crv": "P-192", "x": b64_bytes(1, 24), "y": b64_bytes(2, 24)}),
            "P-192",
        ),
        (
            json!({"kty": "EC", "crv": "P-256", "x": b64_bytes(1, 31), "y": b64_bytes(2, 32)}),
            "`x`",
        ),
        (
            json!({"kty": "EC", "crv": "P-256", "x": b64_bytes(1, 32)}),
            "`y`",
        ),
        (
            json!({"kty": "OKP", "crv": "X25519", "x": b64_bytes(1, 32)}),
            "X25519",
        ),
        (
            json!({"kty": "OKP", "crv": "Ed448", "x": b64_bytes(1, 57)}),
            "Ed448",
        ),
        (
            json!({"kty": "OKP", "crv": "Ed25519", "x": b64_bytes(1, 31)}),
            "`x`",
        ),
        (json!({"kty": "foo"}), "foo"),
        (with(json!({"d": b64_bytes(3, 32)})), "private"),
        (with(json!({"use": "enc"})), "`use`"),
        (with(json!({"alg": "RS256"})), "`alg`"),
        (with(json!({"alg": "HS256"})), "`alg`"),
    ];
    for (bad, why) in refused {
        let jwks = json!({"keys": [p256.clone(), bad.clone()]});
        let res = admin
            .post(
                CLIENTS,
                shop(json!({"token_endpoint_auth_method": "private_key_jwt", "jwks": jwks})),
            )
            .await;
        assert_invalid(&res, "jwks.keys[1]");
        let description = res.1["error_description"].as_str().unwrap();
        assert!(description.contains(why), "{bad}: {description}");
        // The same rules hold for a client that does not authenticate with its keys.
        assert_invalid(
            &admin
                .post(CLIENTS, shop(json!({"jwks": {"keys": [bad]}})))
                .await,
            "jwks.keys[0]",
        );
    }
    assert_no_clients(&admin).await;
    let accepted = json!({"keys": [
        rsa_jwk(aws_lc_rs::rsa::KeySize::Rsa2048),
        {"kty": "RSA", "n": b64_bytes(0x80, 512), "e": e},
        {"kty": "RSA", "n": b64_bytes(0x80, 256), "e": e, "alg": "PS256", "use": "sig"},
        p256,
        crate::support::client_key::ClientKey::generate_p384("p384").jwk,
        {"kty": "EC", "crv": "P-521", "x": b64_bytes(1, 66), "y": b64_bytes(1, 66)},
        {"kty": "OKP", "crv": "Ed25519", "x": b64_bytes(1, 32), "alg": "EdDSA"},
    ]});
    let client = admin
        .create(
            CLIENTS,
            shop(json!({"token_endpoint_auth_method": "private_key_jwt", "jwks": accepted})),
        )
        .await;
    assert_eq!(client["jwks"], accepted);
}
