//! Password hashes made by other systems: each format signs its user in once, and that sign-in replaces it with
//! Tarn's own argon2id at the current parameters; a wrong password or an absurd cost never signs in.

use std::num::NonZeroU32;

use argon2::password_hash::PasswordHasher;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use diesel::prelude::*;
use serde_json::json;
use tarn::store::StoreError;
use tarn::store::schema::users;

use crate::support::TestServer;
use crate::support::oidc::{ALICE, Browser, PASSWORD, Setup};

/// The password hash stored for `user`.
pub async fn stored_hash(srv: &TestServer, user: &str) -> String {
    let user = user.to_owned();
    srv.state
        .db
        .run(move |c| {
            users::table
                .find(user)
                .select(users::password_hash.assume_not_null())
                .get_result::<String>(c)
                .map_err(StoreError::from)
        })
        .await
        .unwrap()
}

/// Writes the hash as an import would have stored it.
async fn store_hash(srv: &TestServer, user: &str, hash: String) {
    let user = user.to_owned();
    srv.state
        .db
        .run(move |c| {
            diesel::update(users::table.find(user))
                .set(users::password_hash.eq(hash))
                .execute(c)
                .map_err(StoreError::from)
        })
        .await
        .unwrap();
}

/// `$argon2id$v=19$m=…,t=…,p=…$`: the part of a PHC string that names its algorithm and cost.
fn cost_prefix(phc: &str) -> String {
    phc.split('$').take(4).collect::<Vec<_>>().join("$")
}

fn pbkdf2(algorithm: aws_lc_rs::pbkdf2::Algorithm, iterations: u32, salt: &[u8]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let iterations = NonZeroU32::new(iterations).unwrap();
    aws_lc_rs::pbkdf2::derive(algorithm, iterations, salt, PASSWORD.as_bytes(), &mut out);
    out
}

/// One hash of `PASSWORD` in each accepted foreign format.
pub fn foreign_hashes() -> Vec<String> {
    let b64 = |bytes: &[u8]| STANDARD_NO_PAD.encode(bytes);
    let salt = b"NaClNaClNaClNaCl";
    let argon2i = argon2::Argon2::new(
        argon2::Algorithm::Argon2i,
        argon2::Version::V0x13,
        argon2::Params::new(4096, 2, 1, Some(32)).unwrap(),
    )
    .hash_password(PASSWORD.as_bytes())
    .unwrap()
    .to_string();
    let weaker_argon2id = argon2::Argon2::new(
        argon2::Algorithm::Argon2id,
        argon2::Version::V0x13,
        argon2::Params::new(1024, 1, 1, Some(32)).unwrap(),
    )
    .hash_password(PASSWORD.as_bytes())
    .unwrap()
    .to_string();
    let mut scrypt_out = [0u8; 32];
    let params = scrypt::Params::new(10, 8, 1).unwrap();
    scrypt::scrypt(PASSWORD.as_bytes(), salt, &params, &mut scrypt_out).unwrap();
    let bcrypt = bcrypt::hash_with_salt(PASSWORD, 5, *salt)
        .unwrap()
        .format_for_version(bcrypt::Version::TwoB);
    let sha256 = pbkdf2(aws_lc_rs::pbkdf2::PBKDF2_HMAC_SHA256, 1000, salt);
    let sha512 = pbkdf2(aws_lc_rs::pbkdf2::PBKDF2_HMAC_SHA512, 1000, salt);
    let django = pbkdf2(aws_lc_rs::pbkdf2::PBKDF2_HMAC_SHA256, 1000, b"seasalt");
    vec![
        argon2i,
        weaker_argon2id,
        format!("$scrypt$ln=10,r=8,p=1${}${}", b64(salt), b64(&scrypt_out)),
        format!("$pbkdf2-sha256$i=1000,l=32${}${}", b64(salt), b64(&sha256)),
        format!("$pbkdf2-sha512$i=1000,l=32${}${}", b64(salt), b64(&sha512)),
        format!("$2a${}", &bcrypt[4..]),
        format!("$2y${}", &bcrypt[4..]),
        bcrypt,
        format!("pbkdf2_sha256$1000$seasalt${}", STANDARD.encode(django)),
    ]
}

#[actix_web::test]
async fn each_foreign_format_signs_in_once_and_is_rehashed_to_current_argon2id() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let current = cost_prefix(&stored_hash(&srv, &setup.user).await);
    assert!(current.starts_with("$argon2id$"), "{current}");
    let formats = foreign_hashes();
    for foreign in &formats {
        store_hash(&srv, &setup.user, foreign.clone()).await;
        setup.code(&Browser::default(), &[]).await;
        let rehashed = stored_hash(&srv, &setup.user).await;
        assert_ne!(&rehashed, foreign, "{foreign} was not replaced");
        assert_eq!(cost_prefix(&rehashed), current, "{foreign} → {rehashed}");
        // The new hash is the password's: the next sign-in works with it.
        setup.code(&Browser::default(), &[]).await;
        assert_eq!(stored_hash(&srv, &setup.user).await, rehashed);
    }
    let samples = crate::ops::metrics::scrape(&srv).await;
    let rehashes = crate::ops::metrics::value(&samples, "tarn_password_rehashes_total", &[]);
    assert_eq!(
        rehashes,
        formats.len() as f64,
        "one rehash per foreign hash, none after"
    );
}

#[actix_web::test]
async fn a_wrong_password_or_an_absurd_cost_signs_nobody_in_and_keeps_the_hash() {
    let (srv, admin) = TestServer::start().await;
    let setup = Setup::new(&srv, &admin, json!({})).await;
    let salt = STANDARD_NO_PAD.encode(b"NaClNaClNaClNaCl");
    let hash = STANDARD_NO_PAD.encode([7u8; 32]);
    let mut refused = vec![
        format!("$scrypt$ln=31,r=8,p=1${salt}${hash}"),
        format!("$pbkdf2-sha256$i=10000001${salt}${hash}"),
        format!("$2b$17${}", "a".repeat(53)),
    ];
    refused.extend(foreign_hashes().into_iter().take(3));
    for stored in refused {
        store_hash(&srv, &setup.user, stored.clone()).await;
        let browser = Browser::default();
        let login = browser.login_page(&setup.authorize_url(&[])).await;
        let wrong =
            if stored.contains("=31,") || stored.contains("10000001") || stored.contains("$17$") {
                PASSWORD.to_owned()
            } else {
                format!("{PASSWORD}!")
            };
        let back = browser.submit_login(&login, ALICE, &wrong).await;
        assert_eq!(back.location, None, "{stored} signed in");
        assert!(back.alert().is_some(), "{}", back.body);
        assert_eq!(stored_hash(&srv, &setup.user).await, stored);
    }
}
