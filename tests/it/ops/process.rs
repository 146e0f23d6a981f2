//! The real `tarn` binary as a child process: started on a chosen port and database, waited for until ready,
//! signalled, killed, and its log read when a test fails.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use tarn::store::Backend;

use crate::support::ADMIN_TOKEN;

/// One `tarn serve` process.
pub struct Process {
    child: Child,
    /// `http://localhost:{port}`: where this process listens (the host browsers and cookies use).
    pub base: String,
    pub port: u16,
    log: PathBuf,
    _dir: tempfile::TempDir,
}

/// A port nobody listens on right now.
pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// The `TARN_DATABASE_URL` of a backend.
pub fn database_url(backend: &Backend) -> String {
    match backend {
        Backend::Sqlite(path) => format!("sqlite://{path}"),
        Backend::Postgres(url) => url.clone(),
    }
}

impl Process {
    /// Starts `tarn serve` on `port` with the database, the public URL and extra `env`; does not wait.
    pub fn spawn(port: u16, database: &str, public_url: &str, env: &[(&str, &str)]) -> Process {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("tarn.log");
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_tarn"));
        cmd.arg("serve").current_dir(dir.path());
        for (name, _) in std::env::vars().filter(|(n, _)| n.starts_with("TARN_")) {
            cmd.env_remove(name);
        }
        let listen = format!("127.0.0.1:{port}");
        cmd.envs([
            ("TARN_LISTEN", listen.as_str()),
            ("TARN_PUBLIC_URL", public_url),
            ("TARN_DATABASE_URL", database),
            ("TARN_ADMIN_TOKEN", ADMIN_TOKEN),
            ("TARN_LOG", "info"),
        ]);
        cmd.envs(env.iter().copied());
        let out = std::fs::File::create(&log).unwrap();
        cmd.stdout(Stdio::null()).stderr(out);
        Process {
            child: cmd.spawn().unwrap(),
            base: format!("http://localhost:{port}"),
            port,
            log,
            _dir: dir,
        }
    }

    /// Waits (at most a minute) until `/readyz` answers 200; panics with the log if the process exits first.
    pub async fn ready(&mut self) {
        let deadline = Instant::now() + Duration::from_secs(60);
        let http = reqwest::Client::new();
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "tarn exited ({status}) before it was ready:\n{}",
                    self.log()
                );
            }
            let url = format!("http://127.0.0.1:{}/readyz", self.port);
            if let Ok(res) = http.get(url).timeout(Duration::from_secs(2)).send().await
                && res.status().is_success()
            {
                return;
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("tarn was not ready within a minute:\n{}", self.log());
    }

    /// Everything the process wrote to standard error.
    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Sends SIGTERM, as a service manager stops a process.
    pub fn terminate(&self) {
        let status = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Sends SIGKILL and reaps the process: a crash.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Waits (at most `limit`) for the process to exit; `None` if it still runs.
    pub async fn exited_within(&mut self, limit: Duration) -> Option<ExitStatus> {
        let deadline = Instant::now() + limit;
        while Instant::now() < deadline {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            actix_web::rt::time::sleep(Duration::from_millis(50)).await;
        }
        None
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
        // A failing test shows what the process said: the cause is often only there.
        if std::thread::panicking() {
            let log = self.log();
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            let tail: Vec<&str> = tail.into_iter().rev().collect();
            eprintln!(
                "--- tarn on port {} (last lines):\n{}",
                self.port,
                tail.join("\n")
            );
        }
    }
}
