//! Passwords: the pool's policy, and argon2id hashing bounded so a login storm queues instead of exhausting memory.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::sync::Semaphore;

use super::argon2id::{self, Engine, HashParams, Verified};

/// A pool's password rules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
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

/// How long a hashing thread keeps its working memory (19 MiB at the default cost) once it has nothing to do.
/// Short, because an idle server should not hold tens of MiB for the next sign-in, and long enough that a
/// steady trickle of sign-ins never pays to map the memory again.
pub const IDLE_RELEASE: Duration = Duration::from_secs(1);

/// Hashes and verifies passwords with argon2id (`argon2id`) on a few dedicated threads (one per core), never on
/// the async workers; a caller that waits longer than the deadline is shed.
///
/// Dedicated threads, not the blocking pool: at most one hash per core runs at once, so at most that many
/// working memories exist. Each is a private mapping that a thread keeps while it is busy and gives back to the
/// system after `IDLE_RELEASE` without work, so neither a storm nor its end leaves the process larger.
#[derive(Clone)]
pub struct Hasher {
    permits: Arc<Semaphore>,
    deadline: Duration,
    queue: Arc<Queue>,
    /// A hash of a random password, verified against when the user is unknown so failures cost the same.
    dummy: Arc<tokio::sync::OnceCell<String>>,
    /// Where each hash and verification records its time (the metrics' histogram, or a private one).
    durations: prometheus_client::metrics::histogram::Histogram,
}

/// Work for a hashing thread, given that thread's engine; what it returns hands the result to the caller once
/// the thread has noted the memory it now holds.
type Job = Box<dyn FnOnce(&mut Engine) -> Delivery + Send>;
type Delivery = Box<dyn FnOnce() + Send>;

/// The jobs the hashing threads take, and what memory each thread holds; the threads end when it is dropped.
struct Queue {
    shared: Arc<Shared>,
}

struct Shared {
    jobs: Mutex<Jobs>,
    ready: Condvar,
    /// KiB of working memory each thread holds.
    held: Vec<AtomicUsize>,
    /// How many times a thread mapped its working memory (again).
    acquired: AtomicUsize,
}

struct Jobs {
    waiting: VecDeque<Job>,
    closed: bool,
}

impl Drop for Queue {
    fn drop(&mut self) {
        if let Ok(mut jobs) = self.shared.jobs.lock() {
            jobs.closed = true;
        }
        self.shared.ready.notify_all();
    }
}

impl Shared {
    /// The next job for thread `me`; while none comes, the thread's memory is released after `IDLE_RELEASE`.
    fn next(&self, me: usize, engine: &mut Engine) -> Option<Job> {
        let mut jobs = self.jobs.lock().ok()?;
        loop {
            if let Some(job) = jobs.waiting.pop_front() {
                return Some(job);
            }
            if jobs.closed {
                return None;
            }
            if engine.held_kib() == 0 {
                jobs = self.ready.wait(jobs).ok()?;
                continue;
            }
            let (guard, waited) = self.ready.wait_timeout(jobs, IDLE_RELEASE).ok()?;
            jobs = guard;
            if waited.timed_out() && jobs.waiting.is_empty() {
                engine.release();
                self.note(me, engine);
            }
        }
    }

    fn note(&self, me: usize, engine: &Engine) {
        let now = engine.held_kib();
        if let Some(slot) = self.held.get(me)
            && slot.swap(now, Ordering::Relaxed) == 0
            && now > 0
        {
            self.acquired.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn run(&self, me: usize, mut engine: Engine) {
        while let Some(job) = self.next(me, &mut engine) {
            let deliver = job(&mut engine);
            self.note(me, &engine);
            deliver();
        }
    }
}

impl Default for Hasher {
    fn default() -> Self {
        Hasher::new(HashParams::default())
    }
}

impl Hasher {
    /// Hashing threads for new hashes at `params`, one per core.
    pub fn new(params: HashParams) -> Hasher {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        let shared = Arc::new(Shared {
            jobs: Mutex::new(Jobs {
                waiting: VecDeque::new(),
                closed: false,
            }),
            ready: Condvar::new(),
            held: (0..cores).map(|_| AtomicUsize::new(0)).collect(),
            acquired: AtomicUsize::new(0),
        });
        for me in 0..cores {
            let shared = shared.clone();
            let _ = std::thread::Builder::new()
                .name(format!("tarn-argon2-{me}"))
                .spawn(move || shared.run(me, Engine::new(params)));
        }
        tracing::debug!(backend = %argon2id::backend(), "argon2id hashing threads started");
        Hasher {
            permits: Arc::new(Semaphore::new(cores)),
            deadline: Duration::from_secs(10),
            queue: Arc::new(Queue { shared }),
            dummy: Arc::new(tokio::sync::OnceCell::new()),
            durations: prometheus_client::metrics::histogram::Histogram::new([]),
        }
    }

    /// This hasher, recording the time of each hash and verification in `durations`.
    pub fn timed_in(self, durations: prometheus_client::metrics::histogram::Histogram) -> Hasher {
        Hasher { durations, ..self }
    }

    /// The PHC string of `password` with a fresh salt.
    pub async fn hash(&self, password: String) -> Result<String, Overloaded> {
        self.bounded(move |engine| engine.hash(password.as_bytes()))
            .await?
            .ok_or(Overloaded)
    }

    /// `Some` when `password` matches the stored PHC string; a malformed stored hash never matches.
    pub async fn verify(
        &self,
        password: String,
        phc: String,
    ) -> Result<Option<Verified>, Overloaded> {
        self.bounded(move |engine| engine.verify(password.as_bytes(), &phc))
            .await
    }

    /// Spends the time of a real verification and fails: for unknown users and users without a password.
    pub async fn verify_dummy(&self, password: String) -> Result<Option<Verified>, Overloaded> {
        let dummy = self
            .dummy
            .get_or_try_init(|| self.hash(crate::secret::generate()))
            .await?
            .clone();
        self.verify(password, dummy).await.map(|_| None)
    }

    /// KiB of argon2 working memory the hashing threads hold right now (0 once they have been idle).
    pub fn held_kib(&self) -> usize {
        let held = &self.queue.shared.held;
        held.iter().map(|h| h.load(Ordering::Relaxed)).sum()
    }

    /// How many times a hashing thread has acquired its working memory: once at its first hash, and again at
    /// the first hash after each release.
    pub fn acquisitions(&self) -> usize {
        self.queue.shared.acquired.load(Ordering::Relaxed)
    }

    async fn bounded<T: Send + 'static>(
        &self,
        work: impl FnOnce(&mut Engine) -> T + Send + 'static,
    ) -> Result<T, Overloaded> {
        let permit = tokio::time::timeout(self.deadline, self.permits.clone().acquire_owned())
            .await
            .map_err(|_| Overloaded)?
            .map_err(|_| Overloaded)?;
        let (done, result) = tokio::sync::oneshot::channel();
        let durations = self.durations.clone();
        let job: Job = Box::new(move |engine| {
            let started = std::time::Instant::now();
            let result = work(engine);
            durations.observe(started.elapsed().as_secs_f64());
            Box::new(move || {
                let _ = done.send(result);
                drop(permit);
            })
        });
        let shared = &self.queue.shared;
        shared
            .jobs
            .lock()
            .map_err(|_| Overloaded)?
            .waiting
            .push_back(job);
        shared.ready.notify_one();
        result.await.map_err(|_| Overloaded)
    }
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
        let good = h.verify("correct horse".into(), phc.clone()).await.unwrap();
        assert_eq!(good.map(|v| v.needs_rehash), Some(false));
        assert!(
            h.verify("wrong".into(), phc.clone())
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            h.verify("x".into(), "not a hash".into())
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            h.verify_dummy("correct horse".into())
                .await
                .unwrap()
                .is_none()
        );
    }

    #[tokio::test]
    async fn idle_threads_give_their_memory_back_and_hash_again() {
        let h = Hasher::default();
        let phc = h.hash("correct horse".into()).await.unwrap();
        assert_eq!(h.acquisitions(), 1);
        let mut waited = 0;
        while h.held_kib() > 0 && waited < 100 {
            tokio::time::sleep(Duration::from_millis(100)).await;
            waited += 1;
        }
        assert_eq!(h.held_kib(), 0, "memory released after {waited} waits");
        assert!(
            h.verify("correct horse".into(), phc)
                .await
                .unwrap()
                .is_some()
        );
        assert_eq!(h.acquisitions(), 2);
    }
}
