//! Passwords: the pool's policy, and argon2id hashing bounded so a login storm queues instead of exhausting memory.

use std::sync::Arc;
use std::time::Duration;

use argon2::password_hash::phc::PasswordHash;
use argon2::{Algorithm, Argon2, Block, Params, Version};
use base64::Engine;
use base64::engine::general_purpose::STANDARD_NO_PAD;
use serde::{Deserialize, Serialize};
use subtle::ConstantTimeEq;
use tokio::sync::Semaphore;

/// A pool's password rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PasswordPolicy {
    pub min_length: u32,
    pub max_length: u32,
    pub require_lowercase: bool,
    pub require_uppercase: bool,
    pub require_digit: bool,
    pub require_special: bool,
}

impl Default for PasswordPolicy {
    fn default() -> Self {
        PasswordPolicy {
            min_length: 8,
            max_length: 128,
            require_lowercase: false,
            require_uppercase: false,
            require_digit: false,
            require_special: false,
        }
    }
}

/// Upper bound on `max_length`: argon2 accepts more, but nobody types it and it bounds request work.
pub const MAX_PASSWORD_LENGTH: u32 = 1024;

impl PasswordPolicy {
    /// Whether the policy itself is coherent; the message says what is wrong.
    pub fn problem(&self) -> Option<String> {
        if self.min_length < 1
            || self.min_length > self.max_length
            || self.max_length > MAX_PASSWORD_LENGTH
        {
            return Some(format!(
                "lengths must satisfy 1 <= min_length <= max_length <= {MAX_PASSWORD_LENGTH}"
            ));
        }
        None
    }

    /// The rules in one sentence, for the pages that ask for a new password.
    pub fn describe(&self) -> String {
        let mut rules = vec![format!(
            "{} to {} characters",
            self.min_length, self.max_length
        )];
        let classes = [
            (self.require_lowercase, "a lowercase letter"),
            (self.require_uppercase, "an uppercase letter"),
            (self.require_digit, "a digit"),
            (self.require_special, "a symbol"),
        ];
        rules.extend(
            classes
                .iter()
                .filter(|(on, _)| *on)
                .map(|(_, what)| format!("with {what}")),
        );
        format!("{}; not a commonly used password.", rules.join(", "))
    }

    /// The first rule `password` breaks, as a sentence for the user; `None` when it passes.
    /// `identifiers` are the user's email/mobile, which a password must not equal.
    pub fn violation(&self, password: &str, identifiers: &[&str]) -> Option<String> {
        let length = u32::try_from(password.chars().count()).unwrap_or(u32::MAX);
        let has = |f: fn(&char) -> bool| password.chars().any(|c| f(&c));
        if length < self.min_length {
            return Some(format!(
                "must be at least {} characters long",
                self.min_length
            ));
        }
        if length > self.max_length {
            return Some(format!(
                "must be at most {} characters long",
                self.max_length
            ));
        }
        if self.require_lowercase && !has(char::is_ascii_lowercase) {
            return Some("must contain a lowercase letter".into());
        }
        if self.require_uppercase && !has(char::is_ascii_uppercase) {
            return Some("must contain an uppercase letter".into());
        }
        if self.require_digit && !has(char::is_ascii_digit) {
            return Some("must contain a digit".into());
        }
        if self.require_special && !has(|c| !c.is_alphanumeric()) {
            return Some("must contain a character that is neither a letter nor a digit".into());
        }
        if identifiers
            .iter()
            .any(|id| id.eq_ignore_ascii_case(password))
        {
            return Some("must not be the same as your email or mobile number".into());
        }
        if is_common(password) {
            return Some("is one of the most commonly used passwords; choose another".into());
        }
        None
    }
}

/// The 10,000 most common passwords of at least four characters (lower-cased), from the frequency list of
/// zxcvbn (MIT licence, © 2016 Joshua Holmer), compiled into the binary.
const COMMON_PASSWORDS: &str = include_str!("common_passwords.txt");

/// Whether `password` is on the common-passwords list (case-insensitive).
pub fn is_common(password: &str) -> bool {
    static LIST: std::sync::LazyLock<std::collections::HashSet<&'static str>> =
        std::sync::LazyLock::new(|| COMMON_PASSWORDS.lines().collect());
    LIST.contains(password.to_lowercase().as_str())
}

/// Hashing refused because too many hashes are already waiting.
#[derive(Debug, thiserror::Error)]
#[error("password hashing is overloaded")]
pub struct Overloaded;

/// Hashes and verifies passwords with argon2id (m=19456 KiB, t=2, p=1) on a few dedicated threads (one per
/// core), never on the async workers; a caller that waits longer than the deadline is shed.
///
/// Dedicated threads, not the blocking pool: each hash takes 19 MiB, and the allocator keeps that memory in a
/// per-thread arena, so hashing on hundreds of pool threads would grow the process by 19 MiB per thread.
#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    deadline: Duration,
    jobs: std::sync::mpsc::Sender<Job>,
    /// A hash of a random password, verified against when the user is unknown so failures cost the same.
    dummy: Arc<tokio::sync::OnceCell<String>>,
}

/// Work for a hashing thread, given that thread's argon2 memory.
type Job = Box<dyn FnOnce(&mut Vec<Block>) + Send>;

impl Default for Hasher {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let (jobs, queue) = std::sync::mpsc::channel::<Job>();
        let queue = Arc::new(std::sync::Mutex::new(queue));
        for i in 0..cores {
            let queue = queue.clone();
            // Each thread allocates its 19 MiB once and reuses it; the threads end when the last Hasher clone
            // drops the sender.
            let _ = std::thread::Builder::new()
                .name(format!("tarn-argon2-{i}"))
                .spawn(move || {
                    let mut memory = Vec::new();
                    loop {
                        let job = match queue.lock() {
                            Ok(q) => q.recv(),
                            Err(_) => return,
                        };
                        match job {
                            Ok(job) => job(&mut memory),
                            Err(_) => return,
                        }
                    }
                });
        }
        Hasher {
            permits: Arc::new(Semaphore::new(cores)),
            deadline: Duration::from_secs(10),
            jobs,
            dummy: Arc::new(tokio::sync::OnceCell::new()),
        }
    }
}

impl Hasher {
    /// The PHC string of `password` with a fresh salt.
    pub async fn hash(&self, password: String) -> Result<String, Overloaded> {
        self.bounded(move |memory| hash_phc(password.as_bytes(), memory))
            .await?
            .ok_or(Overloaded)
    }

    /// Whether `password` matches the stored PHC string; a malformed stored hash never matches.
    pub async fn verify(&self, password: String, phc: String) -> Result<bool, Overloaded> {
        self.bounded(move |memory| verify_phc(password.as_bytes(), &phc, memory))
            .await
    }

    /// Spends the time of a real verification and fails: for unknown users and users without a password.
    pub async fn verify_dummy(&self, password: String) -> Result<bool, Overloaded> {
        let dummy = self
            .dummy
            .get_or_try_init(|| self.hash(crate::secret::generate()))
            .await?
            .clone();
        self.verify(password, dummy).await.map(|_| false)
    }

    async fn bounded<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Vec<Block>) -> T + Send + 'static,
    ) -> Result<T, Overloaded> {
        let permit = tokio::time::timeout(self.deadline, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| Overloaded)?
            .map_err(|_| Overloaded)?;
        let (done, result) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |memory| {
            let _permit = permit;
            let _ = done.send(work(memory));
        });
        self.jobs.send(job).map_err(|_| Overloaded)?;
        result.await.map_err(|_| Overloaded)
    }
}

/// Argon2id with OWASP's parameters (the crate's defaults: m=19456 KiB, t=2, p=1), 16-byte salt, 32-byte hash,
/// written as a PHC string `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`.
fn hash_phc(password: &[u8], memory: &mut Vec<Block>) -> Option<String> {
    let params = Params::default();
    let mut salt = [0u8; 16];
    getrandom::fill(&mut salt).ok()?;
    let mut out = [0u8; 32];
    argon2id(params.clone(), password, &salt, &mut out, memory)?;
    Some(format!(
        "$argon2id$v=19$m={},t={},p={}${}${}",
        params.m_cost(),
        params.t_cost(),
        params.p_cost(),
        STANDARD_NO_PAD.encode(salt),
        STANDARD_NO_PAD.encode(out)
    ))
}

/// Recomputes the hash with the PHC string's own parameters and salt; compares in constant time.
fn verify_phc(password: &[u8], phc: &str, memory: &mut Vec<Block>) -> bool {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return false;
    };
    let Ok(params) = Params::try_from(&parsed) else {
        return false;
    };
    let parts: Vec<&str> = phc.split('$').collect();
    let (Some(salt), Some(expected)) = (parts.get(4), parts.get(5)) else {
        return false;
    };
    let (Ok(salt), Ok(expected)) = (
        STANDARD_NO_PAD.decode(salt),
        STANDARD_NO_PAD.decode(expected),
    ) else {
        return false;
    };
    if parsed.algorithm.as_str() != "argon2id" || expected.is_empty() {
        return false;
    }
    let mut out = vec![0u8; expected.len()];
    argon2id(params, password, &salt, &mut out, memory).is_some()
        && bool::from(out.ct_eq(&expected))
}

fn argon2id(
    params: Params,
    password: &[u8],
    salt: &[u8],
    out: &mut [u8],
    memory: &mut Vec<Block>,
) -> Option<()> {
    let blocks = params.block_count();
    // Reuse the thread's memory; only a hash made with larger parameters grows it.
    if memory.len() < blocks {
        memory.resize(blocks, Block::default());
    }
    let params = argon2::ParamsBuilder::new()
        .m_cost(params.m_cost())
        .t_cost(params.t_cost())
        .p_cost(params.p_cost())
        .output_len(out.len())
        .build()
        .ok()?;
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into_with_memory(password, salt, out, &mut memory[..blocks])
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_policy_checks_length_only() {
        let p = PasswordPolicy::default();
        assert!(p.violation("short", &[]).is_some());
        assert!(p.violation("longenough", &[]).is_none());
        assert!(p.violation(&"x".repeat(129), &[]).is_some());
    }

    #[test]
    fn character_classes_and_identifier() {
        let p = PasswordPolicy {
            require_lowercase: true,
            require_uppercase: true,
            require_digit: true,
            require_special: true,
            ..PasswordPolicy::default()
        };
        assert_eq!(
            p.violation("ALLUPPER1!", &[]).as_deref(),
            Some("must contain a lowercase letter")
        );
        assert_eq!(
            p.violation("alllower1!", &[]).as_deref(),
            Some("must contain an uppercase letter")
        );
        assert_eq!(
            p.violation("NoDigits!!", &[]).as_deref(),
            Some("must contain a digit")
        );
        assert!(
            p.violation("NoSpecial12", &[])
                .unwrap()
                .contains("neither a letter")
        );
        assert!(p.violation("Good-pass1", &[]).is_none());
        let plain = PasswordPolicy::default();
        assert!(
            plain
                .violation("Alice@Example.com", &["alice@example.com"])
                .is_some()
        );
        assert!(
            plain
                .violation("Password1", &[])
                .unwrap()
                .contains("commonly used")
        );
        assert!(plain.violation("baseball", &[]).is_some());
        assert!(plain.violation("correct horse battery", &[]).is_none());
    }

    #[test]
    fn incoherent_policies_are_named() {
        let p = PasswordPolicy {
            min_length: 20,
            max_length: 10,
            ..PasswordPolicy::default()
        };
        assert!(p.problem().is_some());
        assert!(PasswordPolicy::default().problem().is_none());
    }

    #[tokio::test]
    async fn hashes_are_argon2id_and_verify() {
        let h = Hasher::default();
        let phc = h.hash("correct horse".into()).await.unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(h.verify("correct horse".into(), phc.clone()).await.unwrap());
        assert!(!h.verify("wrong".into(), phc.clone()).await.unwrap());
        assert!(!h.verify("x".into(), "not a hash".into()).await.unwrap());
        // Interoperable with the argon2 crate's own PHC hashing and verification.
        use argon2::password_hash::{PasswordHasher, PasswordVerifier};
        let theirs = Argon2::default()
            .hash_password(b"correct horse")
            .unwrap()
            .to_string();
        assert!(h.verify("correct horse".into(), theirs).await.unwrap());
        let parsed = PasswordHash::new(&phc).unwrap();
        assert!(
            Argon2::default()
                .verify_password(b"correct horse", &parsed)
                .is_ok()
        );
    }
}
