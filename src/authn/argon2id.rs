//! Argon2id password hashes as PHC strings (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`), computed by `argon2-rust`,
//! whose compression function is picked at run time by CPU feature (AVX-512, AVX2, SSE2, or portable scalar).
//! The strings are the ones the `argon2` crate writes and reads, so hashes stored before keep verifying.

use argon2_rust::params::{Memory, TagLen};
use argon2_rust::{Algorithm, Argon2, Params, Version};

/// The cost of new hashes, validated: OWASP's minimum for argon2id (m=19456 KiB, t=2, p=1) unless said otherwise,
/// and what Tarn has always used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashParams(Params);

const OWASP: Params = Params::builder()
    .memory(Memory::kib(19_456))
    .passes(2)
    .lanes(1)
    .threads(1)
    .tag_len(TagLen::bytes(TAG_LEN))
    .build_or_panic();

impl Default for HashParams {
    fn default() -> Self {
        HashParams(OWASP)
    }
}

impl HashParams {
    /// `m` KiB of memory, `t` passes, `p` lanes; `None` outside argon2's range.
    pub fn new(memory_kib: u32, passes: u32, lanes: u32) -> Option<HashParams> {
        Params::builder()
            .memory(Memory::kib(u64::from(memory_kib)))
            .passes(passes)
            .lanes(lanes)
            .threads(1)
            .tag_len(TagLen::bytes(TAG_LEN))
            .build()
            .ok()
            .map(HashParams)
    }

    /// The working memory one hash takes, in KiB.
    pub fn memory_kib(&self) -> u32 {
        self.0.memory_kib()
    }
}

const SALT_LEN: usize = 16;
const TAG_LEN: u64 = 32;

/// The most a stored hash may ask for before it is refused unread: a PHC string names its own cost, and one
/// imported from elsewhere must not make a sign-in allocate gigabytes or spin for minutes.
const CEILING: Params = Params::builder()
    .memory(Memory::mib(256))
    .passes(16)
    .lanes(16)
    .threads(1)
    .tag_len(TagLen::bytes(64))
    .build_or_panic();

/// A password that matched; `needs_rehash` when its hash was made with other parameters than today's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verified {
    pub needs_rehash: bool,
}

/// One hashing thread's engine: argon2id at the current parameters, keeping its working memory between hashes
/// until `release` gives it back.
pub struct Engine {
    inner: argon2_rust::Hasher,
    params: HashParams,
}

impl Engine {
    pub fn new(params: HashParams) -> Engine {
        Engine {
            inner: Argon2::new(Algorithm::Argon2id, Version::V0x13, params.0).hasher(),
            params,
        }
    }

    /// The PHC string of `password` with a fresh random salt.
    pub fn hash(&mut self, password: &[u8]) -> Option<String> {
        let mut salt = [0u8; SALT_LEN];
        getrandom::fill(&mut salt).ok()?;
        self.inner.hash_encoded(password, &salt).ok()
    }

    /// Whether `password` matches the PHC string `phc`; a malformed, non-argon2id or over-costly string never
    /// matches. The comparison is constant-time.
    /// Argon2i strings and the foreign formats of `foreign_hash` verify too, and always ask for a rehash.
    pub fn verify(&mut self, password: &[u8], phc: &str) -> Option<Verified> {
        if phc.starts_with("$argon2i$") {
            self.inner
                .verify_encoded_bounded(phc, password, Algorithm::Argon2i, &CEILING)
                .ok()?;
            return Some(Verified { needs_rehash: true });
        }
        if super::foreign_hash::is_foreign(phc) {
            return super::foreign_hash::verify(password, phc)
                .then_some(Verified { needs_rehash: true });
        }
        self.inner
            .verify_encoded_bounded(phc, password, Algorithm::Argon2id, &CEILING)
            .ok()?;
        let decoded = argon2_rust::decode_string(phc, Algorithm::Argon2id).ok()?;
        let (p, want) = (decoded.params, self.params.0);
        let current = decoded.version == Version::V0x13
            && p.memory_kib() == want.memory_kib()
            && p.passes() == want.passes()
            && p.lanes() == want.lanes()
            && p.tag_len_bytes() == want.tag_len_bytes()
            && decoded.salt.len() >= SALT_LEN;
        Some(Verified {
            needs_rehash: !current,
        })
    }

    /// KiB of working memory this engine is holding on to (0 after `release`).
    pub fn held_kib(&self) -> usize {
        self.inner.reserved_blocks()
    }

    /// Gives the working memory back to the system (it is a private mapping, so it leaves the process rather
    /// than staying in an allocator arena); the next hash maps it again.
    pub fn release(&mut self) {
        self.inner.clear();
    }
}

/// Whether `phc` is an argon2id or argon2i PHC string within the cost ceiling that verification enforces; a
/// refusal says why (an import names it with the line).
pub fn check_stored(phc: &str) -> Result<(), String> {
    let algorithm = match phc {
        p if p.starts_with("$argon2id$") => Algorithm::Argon2id,
        p if p.starts_with("$argon2i$") => Algorithm::Argon2i,
        _ => return Err("is not an argon2 PHC string".into()),
    };
    let decoded = argon2_rust::decode_string(phc, algorithm)
        .map_err(|_| "is not a well-formed argon2 PHC string".to_owned())?;
    let p = decoded.params;
    if p.memory_kib() > CEILING.memory_kib() {
        return Err("asks for more than 256 MiB of memory".into());
    }
    if p.passes() > CEILING.passes() || p.lanes() > CEILING.lanes() {
        return Err(format!(
            "needs at most {} passes and {} lanes",
            CEILING.passes(),
            CEILING.lanes()
        ));
    }
    if p.tag_len_bytes() > CEILING.tag_len_bytes() {
        return Err("has a hash longer than 64 bytes".into());
    }
    Ok(())
}

/// Which implementation of the compression function this CPU runs, for the start-up log.
pub fn backend() -> String {
    format!("{:?}", argon2_rust::detected_backend())
}

#[cfg(test)]
mod tests {
    use super::*;
    use argon2::password_hash::phc::PasswordHash;
    use argon2::password_hash::{PasswordHasher, PasswordVerifier};

    fn engine() -> Engine {
        Engine::new(HashParams::default())
    }

    #[test]
    fn rfc_9106_argon2id_vector() {
        // RFC 9106 §5.3: m=32 KiB, t=3, p=4, with secret and associated data.
        let params = Params::builder()
            .memory(Memory::kib(32))
            .passes(3)
            .lanes(4)
            .tag_len(TagLen::bytes(32))
            .build()
            .unwrap();
        let mut tag = [0u8; 32];
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
            .hash_into_with_ad(&[1; 32], &[2; 16], &[3; 8], &[4; 12], &mut tag)
            .unwrap();
        let expected = "0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659";
        let hex: String = tag.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(hex, expected);
    }

    #[test]
    fn verifies_a_known_string_of_the_argon2_crate() {
        // Written by `argon2` 0.6 (`Argon2::default().hash_password_with_salt`) for "correct horse" with this salt.
        let phc = "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$k9ohroejZy1PN5E1SbHNPug6vB8eQAahb5SOAp6iGF4";
        let ours = Argon2::new(Algorithm::Argon2id, Version::V0x13, Params::default());
        let theirs = argon2::Argon2::default();
        let mut a = [0u8; 32];
        let mut b = [0u8; 32];
        ours.hash_into(b"correct horse", b"somesaltsomesalt", &mut a)
            .unwrap();
        theirs
            .hash_password_into(b"correct horse", b"somesaltsomesalt", &mut b)
            .unwrap();
        assert_eq!(a, b, "both implementations compute the same tag");
        let mut e = engine();
        assert_eq!(
            e.verify(b"correct horse", phc),
            Some(Verified {
                needs_rehash: false
            })
        );
        assert_eq!(e.verify(b"correct hors", phc), None);
    }

    #[test]
    fn the_argon2_crate_verifies_ours() {
        let phc = engine().hash(b"correct horse").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        let parsed = PasswordHash::new(&phc).unwrap();
        let theirs = argon2::Argon2::default();
        assert!(theirs.verify_password(b"correct horse", &parsed).is_ok());
        assert!(theirs.verify_password(b"wrong", &parsed).is_err());
    }

    #[test]
    fn we_verify_the_argon2_crates_fresh_hashes() {
        let phc = argon2::Argon2::default()
            .hash_password(b"correct horse")
            .unwrap()
            .to_string();
        let mut e = engine();
        assert!(e.verify(b"correct horse", &phc).is_some());
        assert!(e.verify(b"wrong", &phc).is_none());
    }

    #[test]
    fn other_parameters_verify_and_ask_for_a_rehash() {
        assert!(
            HashParams::new(4, 1, 1).is_none(),
            "below argon2's minimum memory"
        );
        let params = argon2::Params::new(4096, 3, 1, Some(32)).unwrap();
        let phc = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params)
            .hash_password(b"pw")
            .unwrap()
            .to_string();
        let mut e = engine();
        assert_eq!(e.verify(b"pw", &phc), Some(Verified { needs_rehash: true }));
        let mut at_those = Engine::new(HashParams::new(4096, 3, 1).unwrap());
        assert_eq!(
            at_those.verify(b"pw", &phc),
            Some(Verified {
                needs_rehash: false
            })
        );
    }

    #[test]
    fn malformed_foreign_and_costly_strings_never_match() {
        let mut e = engine();
        assert!(e.verify(b"x", "not a hash").is_none());
        assert!(e.verify(b"x", "").is_none());
        let argon2i = argon2::Argon2::new(
            argon2::Algorithm::Argon2i,
            argon2::Version::V0x13,
            argon2::Params::default(),
        )
        .hash_password(b"x")
        .unwrap()
        .to_string();
        assert_eq!(
            e.verify(b"x", &argon2i),
            Some(Verified { needs_rehash: true }),
            "argon2i verifies, to be rehashed"
        );
        assert!(e.verify(b"y", &argon2i).is_none());
        let hostile = "$argon2id$v=19$m=4294967295,t=1,p=1$c29tZXNhbHQ$CTFhFdXPJO1aFaMaO6Mm5c8y7cJHAph8ArZWb2GRPPc";
        assert!(e.verify(b"pw", hostile).is_none());
    }

    #[test]
    fn released_memory_comes_back_on_the_next_hash() {
        let mut e = engine();
        let phc = e.hash(b"pw").unwrap();
        assert_eq!(e.held_kib(), 19_456);
        e.release();
        assert_eq!(e.held_kib(), 0);
        assert!(e.verify(b"pw", &phc).is_some());
        assert_eq!(e.held_kib(), 19_456);
    }
}
