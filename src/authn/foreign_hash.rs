//! Password hashes written by other systems, accepted so users can move to Tarn without resetting their
//! passwords: scrypt and PBKDF2 PHC strings (as the RustCrypto crates write them), bcrypt (`$2a$`/`$2b$`/`$2y$`)
//! and Django's `pbkdf2_sha256$…`. Each one's cost is read from the string itself, so every parse is bounded
//! before any work is done; a matching password is rehashed to argon2id by the caller.

use std::num::NonZeroU32;

use aws_lc_rs::pbkdf2;
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD};
use subtle::ConstantTimeEq;

/// The most memory a stored hash may make one verification allocate (the same ceiling as argon2's).
pub const MAX_MEMORY_BYTES: u64 = 256 * 1024 * 1024;
/// The highest bcrypt cost accepted: 2^16 rounds take about four seconds; 20 would take a minute.
pub const MAX_BCRYPT_COST: u32 = 16;
/// The most PBKDF2 iterations accepted (about ten times what OWASP asks of PBKDF2-HMAC-SHA256 today).
pub const MAX_PBKDF2_ITERATIONS: u32 = 10_000_000;
/// scrypt's parallelism runs sequentially here, so it multiplies the time; no real deployment uses more.
const MAX_SCRYPT_P: u32 = 16;
/// Derived keys longer than this are not stored by any system we import from, and bound the work per check.
const MAX_DERIVED_LEN: usize = 64;

/// A parsed foreign hash whose cost has been checked; a refusal says why (unknown format, malformed, absurd cost).
enum Foreign {
    Scrypt {
        params: scrypt::Params,
        salt: Vec<u8>,
        hash: Vec<u8>,
    },
    Pbkdf2 {
        algorithm: pbkdf2::Algorithm,
        iterations: NonZeroU32,
        salt: Vec<u8>,
        hash: Vec<u8>,
    },
    Bcrypt(String),
}

/// Whether `stored` is a foreign hash this module handles (whatever its parameters).
pub fn is_foreign(stored: &str) -> bool {
    [
        "$scrypt$",
        "$pbkdf2-sha256$",
        "$pbkdf2-sha512$",
        "$2a$",
        "$2b$",
        "$2y$",
        "pbkdf2_sha256$",
    ]
    .iter()
    .any(|prefix| stored.starts_with(prefix))
}

/// Whether `password` matches the foreign hash `stored`, compared in constant time; a malformed or over-costly
/// string never matches.
pub fn verify(password: &[u8], stored: &str) -> bool {
    match parse(stored) {
        Ok(Foreign::Scrypt { params, salt, hash }) => {
            let mut out = vec![0u8; hash.len()];
            scrypt::scrypt(password, &salt, &params, &mut out).is_ok()
                && bool::from(out.ct_eq(&hash))
        }
        Ok(Foreign::Pbkdf2 {
            algorithm,
            iterations,
            salt,
            hash,
        }) => pbkdf2::verify(algorithm, iterations, &salt, password, &hash).is_ok(),
        Ok(Foreign::Bcrypt(stored)) => bcrypt::verify(password, &stored).unwrap_or(false),
        Err(_) => false,
    }
}

/// Whether `stored` is a foreign hash whose format and cost are acceptable; a refusal says why (an import names it
/// with the line).
pub fn check(stored: &str) -> Result<(), String> {
    parse(stored).map(|_| ())
}

fn parse(stored: &str) -> Result<Foreign, String> {
    if let Some(rest) = stored.strip_prefix("pbkdf2_sha256$") {
        return parse_django(rest);
    }
    if ["$2a$", "$2b$", "$2y$"]
        .iter()
        .any(|p| stored.starts_with(p))
    {
        return parse_bcrypt(stored);
    }
    let fields: Vec<&str> = stored.split('$').collect();
    match fields.as_slice() {
        ["", "scrypt", params, salt, hash] => parse_scrypt(params, salt, hash),
        ["", "pbkdf2-sha256", params, salt, hash] => {
            parse_pbkdf2(pbkdf2::PBKDF2_HMAC_SHA256, params, salt, hash)
        }
        ["", "pbkdf2-sha512", params, salt, hash] => {
            parse_pbkdf2(pbkdf2::PBKDF2_HMAC_SHA512, params, salt, hash)
        }
        _ => Err("is not a password hash format Tarn accepts".into()),
    }
}

/// `key=value` pairs of a PHC parameter field, as numbers.
fn phc_params(field: &str) -> Result<Vec<(&str, u64)>, String> {
    field
        .split(',')
        .map(|pair| {
            let (key, value) = pair
                .split_once('=')
                .ok_or_else(|| format!("has a malformed parameter {pair:?}"))?;
            let value = value
                .parse::<u64>()
                .map_err(|_| format!("has a non-numeric parameter {key}"))?;
            Ok((key, value))
        })
        .collect()
}

fn param(params: &[(&str, u64)], key: &str) -> Option<u64> {
    params.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
}

/// Salt and hash of a PHC string: the standard base64 alphabet without padding.
fn phc_bytes(salt: &str, hash: &str) -> Result<(Vec<u8>, Vec<u8>), String> {
    let salt = STANDARD_NO_PAD
        .decode(salt)
        .map_err(|_| "has a salt that is not PHC base64".to_owned())?;
    let hash = STANDARD_NO_PAD
        .decode(hash)
        .map_err(|_| "has a hash that is not PHC base64".to_owned())?;
    derived_len_ok(&hash)?;
    Ok((salt, hash))
}

fn derived_len_ok(hash: &[u8]) -> Result<(), String> {
    match hash.len() {
        0 => Err("has an empty hash".into()),
        n if n > MAX_DERIVED_LEN => Err(format!("has a hash longer than {MAX_DERIVED_LEN} bytes")),
        _ => Ok(()),
    }
}

fn parse_scrypt(params: &str, salt: &str, hash: &str) -> Result<Foreign, String> {
    let params = phc_params(params)?;
    let (Some(log_n), Some(r), Some(p)) = (
        param(&params, "ln"),
        param(&params, "r"),
        param(&params, "p"),
    ) else {
        return Err("lacks one of the scrypt parameters ln, r, p".into());
    };
    // scrypt's working memory is 128 · r · 2^ln bytes.
    let memory = (128u128 * u128::from(r)) << log_n.min(63);
    if log_n >= 64 || memory > u128::from(MAX_MEMORY_BYTES) {
        return Err("asks for more than 256 MiB of memory".into());
    }
    if p == 0 || p > u64::from(MAX_SCRYPT_P) || r == 0 {
        return Err(format!("needs 1 <= r and 1 <= p <= {MAX_SCRYPT_P}"));
    }
    let (log_n, r, p) = (log_n as u8, r as u32, p as u32);
    let params = scrypt::Params::new(log_n, r, p).map_err(|_| "has invalid scrypt parameters")?;
    let (salt, hash) = phc_bytes(salt, hash)?;
    Ok(Foreign::Scrypt { params, salt, hash })
}

fn parse_pbkdf2(
    algorithm: pbkdf2::Algorithm,
    params: &str,
    salt: &str,
    hash: &str,
) -> Result<Foreign, String> {
    let params = phc_params(params)?;
    let iterations = param(&params, "i").ok_or("lacks the iteration count i")?;
    let iterations = bounded_iterations(iterations)?;
    let (salt, hash) = phc_bytes(salt, hash)?;
    if let Some(length) = param(&params, "l")
        && length != hash.len() as u64
    {
        return Err("has a hash whose length is not its parameter l".into());
    }
    Ok(Foreign::Pbkdf2 {
        algorithm,
        iterations,
        salt,
        hash,
    })
}

fn bounded_iterations(iterations: u64) -> Result<NonZeroU32, String> {
    u32::try_from(iterations)
        .ok()
        .filter(|i| *i <= MAX_PBKDF2_ITERATIONS)
        .and_then(NonZeroU32::new)
        .ok_or_else(|| format!("needs 1 to {MAX_PBKDF2_ITERATIONS} PBKDF2 iterations"))
}

/// Django's `pbkdf2_sha256$ITERATIONS$SALT$HASH`: the salt is used as its text, the hash is padded base64.
fn parse_django(rest: &str) -> Result<Foreign, String> {
    let mut fields = rest.split('$');
    let (Some(iterations), Some(salt), Some(hash), None) =
        (fields.next(), fields.next(), fields.next(), fields.next())
    else {
        return Err("is not of the form pbkdf2_sha256$ITERATIONS$SALT$HASH".into());
    };
    let iterations = iterations
        .parse::<u64>()
        .map_err(|_| "has a non-numeric iteration count".to_owned())?;
    let iterations = bounded_iterations(iterations)?;
    let hash = STANDARD
        .decode(hash)
        .map_err(|_| "has a hash that is not base64".to_owned())?;
    derived_len_ok(&hash)?;
    if salt.is_empty() {
        return Err("has an empty salt".into());
    }
    Ok(Foreign::Pbkdf2 {
        algorithm: pbkdf2::PBKDF2_HMAC_SHA256,
        iterations,
        salt: salt.as_bytes().to_vec(),
        hash,
    })
}

/// bcrypt's `$2b$CC$` + 22 characters of salt + 31 of hash; the cost is checked before anything is computed.
fn parse_bcrypt(stored: &str) -> Result<Foreign, String> {
    let cost = stored
        .get(4..6)
        .filter(|_| stored.get(6..7) == Some("$") && stored.len() == 60)
        .and_then(|c| c.parse::<u32>().ok())
        .ok_or("is not a bcrypt hash of the form $2b$CC$ followed by 53 characters")?;
    if !(4..=MAX_BCRYPT_COST).contains(&cost) {
        return Err(format!("needs a bcrypt cost from 4 to {MAX_BCRYPT_COST}"));
    }
    Ok(Foreign::Bcrypt(stored.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem(stored: &str) -> Option<String> {
        parse(stored).err()
    }

    #[test]
    fn django_pbkdf2_sha256_vector() {
        // Django's own test vector (auth_tests.test_hashers): password "lètmein", salt "seasalt", 260000 rounds.
        let stored = "pbkdf2_sha256$260000$seasalt$YlZ2Vggtqdc61YjArZuoApoBh9JNGYoDRBUGu6tcJQo=";
        assert!(verify("lètmein".as_bytes(), stored));
        assert!(!verify(b"letmein", stored));
    }

    #[test]
    fn bcrypt_verifies_every_prefix() {
        let hashed = bcrypt::hash_with_salt(b"hunter22", 4, [7; 16])
            .unwrap()
            .format_for_version(bcrypt::Version::TwoB);
        for prefix in ["$2a$", "$2b$", "$2y$"] {
            let stored = format!("{prefix}{}", &hashed[4..]);
            assert!(verify(b"hunter22", &stored), "{stored}");
            assert!(!verify(b"hunter23", &stored));
        }
    }

    #[test]
    fn pbkdf2_and_scrypt_phc_strings_verify() {
        let mut out = [0u8; 32];
        let iterations = NonZeroU32::new(1000).unwrap();
        pbkdf2::derive(
            pbkdf2::PBKDF2_HMAC_SHA512,
            iterations,
            b"saltsalt",
            b"pw",
            &mut out,
        );
        let stored = format!(
            "$pbkdf2-sha512$i=1000,l=32${}${}",
            STANDARD_NO_PAD.encode(b"saltsalt"),
            STANDARD_NO_PAD.encode(out)
        );
        assert!(verify(b"pw", &stored));
        assert!(!verify(b"pX", &stored));
        let params = scrypt::Params::new(10, 8, 1).unwrap();
        scrypt::scrypt(b"pw", b"saltsalt", &params, &mut out).unwrap();
        let stored = format!(
            "$scrypt$ln=10,r=8,p=1${}${}",
            STANDARD_NO_PAD.encode(b"saltsalt"),
            STANDARD_NO_PAD.encode(out)
        );
        assert!(verify(b"pw", &stored));
        assert!(!verify(b"pX", &stored));
    }

    #[test]
    fn absurd_costs_are_refused_before_any_work() {
        let salt = STANDARD_NO_PAD.encode(b"saltsalt");
        let hash = STANDARD_NO_PAD.encode([1u8; 32]);
        let scrypt = format!("$scrypt$ln=31,r=8,p=1${salt}${hash}");
        assert!(problem(&scrypt).unwrap().contains("256 MiB"));
        let pbkdf2 = format!("$pbkdf2-sha256$i=10000001${salt}${hash}");
        assert!(problem(&pbkdf2).unwrap().contains("iterations"));
        let django = format!("pbkdf2_sha256$20000000$salt${}", STANDARD.encode([1u8; 32]));
        assert!(problem(&django).is_some());
        let bcrypt = format!("$2b$17${}", "a".repeat(53));
        assert!(problem(&bcrypt).unwrap().contains("cost"));
        assert!(problem("$md5$whatever").is_some());
        assert!(!verify(b"x", &bcrypt));
    }
}
