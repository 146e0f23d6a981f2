//! Single-core ceilings on this machine: RS256 and ES256 signatures per second with a parsed key held in memory
//! (as Tarn signs), argon2id hashes per second at Tarn's parameters (m=19456 KiB, t=2, p=1), and passkey
//! assertions per second as webauthn-rs verifies them (P-256, from a software authenticator).
//! Run with `cargo run --release --example crypto_ceilings`.

use std::time::{Duration, Instant};

use argon2::Argon2;
use argon2::password_hash::PasswordHasher;
use aws_lc_rs::encoding::AsDer;
use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{self as sig, EcdsaKeyPair};
use webauthn_authenticator_rs::WebauthnAuthenticator;
use webauthn_authenticator_rs::softpasskey::SoftPasskey;
use webauthn_rs::prelude::{Url, Uuid, WebauthnBuilder};

fn rate(label: &str, budget: Duration, mut op: impl FnMut()) {
    let start = Instant::now();
    let mut n = 0u64;
    while start.elapsed() < budget {
        op();
        n += 1;
    }
    println!(
        "{label}: {:.0}/s per core",
        n as f64 / start.elapsed().as_secs_f64()
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let rng = SystemRandom::new();
    let message = [7u8; 600];
    let rsa_der = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
        .map_err(|_| "rsa keygen")?
        .as_der()
        .map_err(|_| "rsa der")?;
    let rsa = sig::RsaKeyPair::from_pkcs8(rsa_der.as_ref()).map_err(|_| "rsa parse")?;
    let mut out = vec![0; rsa.public_modulus_len()];
    rate("RS256 signatures", Duration::from_secs(3), || {
        let _ = rsa.sign(&sig::RSA_PKCS1_SHA256, &rng, &message, &mut out);
    });
    let ec_der = EcdsaKeyPair::generate_pkcs8(&sig::ECDSA_P256_SHA256_FIXED_SIGNING, &rng)
        .map_err(|_| "ec keygen")?;
    let ec = EcdsaKeyPair::from_pkcs8(&sig::ECDSA_P256_SHA256_FIXED_SIGNING, ec_der.as_ref())
        .map_err(|_| "ec parse")?;
    rate("ES256 signatures", Duration::from_secs(3), || {
        let _ = ec.sign(&rng, &message);
    });
    rate(
        "argon2id hashes (m=19456, t=2, p=1)",
        Duration::from_secs(5),
        || {
            let _ = Argon2::default().hash_password(b"correct horse battery staple");
        },
    );
    // The cryptographic part of finishing a passkey sign-in: one assertion, verified again and again (verifying
    // changes neither the ceremony state nor the credential).
    let origin = Url::parse("http://localhost:8080")?;
    let rp = WebauthnBuilder::new("localhost", &origin)?.build()?;
    let mut authenticator = SoftPasskey::new(true);
    let (creation, registration) =
        rp.start_passkey_registration(Uuid::new_v4(), "bench", "Bench", None)?;
    let created = authenticator
        .do_registration(origin.clone(), creation)
        .map_err(|e| format!("registration: {e:?}"))?;
    let passkey = rp.finish_passkey_registration(&created, &registration)?;
    let (request, state) = rp.start_passkey_authentication(&[passkey])?;
    let assertion = authenticator
        .do_authentication(origin, request)
        .map_err(|e| format!("authentication: {e:?}"))?;
    rp.finish_passkey_authentication(&assertion, &state)?;
    rate(
        "passkey assertions verified (webauthn-rs, P-256)",
        Duration::from_secs(3),
        || {
            let _ = rp.finish_passkey_authentication(&assertion, &state);
        },
    );
    Ok(())
}
