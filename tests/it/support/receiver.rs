//! An in-test HTTP receiver on 127.0.0.1:0 that records the bodies POSTed to it and answers `200 OK`, or
//! `503 Service Unavailable` while it is told to fail: the relying party's end of back-channel logout.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// How long `wait_for` waits: far above any delivery on a loaded machine.
const PATIENCE: Duration = Duration::from_secs(30);

#[derive(Default)]
struct State {
    /// Bodies of the requests answered 200.
    received: Vec<String>,
    /// Requests still to fail (`usize::MAX`: every one).
    fail_next: usize,
    /// Requests failed so far.
    failures: usize,
}

/// The receiver and what it has seen.
pub struct Receiver {
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl Receiver {
    pub async fn start() -> Receiver {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(exchange(stream, shared.clone()));
            }
        });
        Receiver {
            url: format!("http://127.0.0.1:{port}/backchannel-logout"),
            state,
        }
    }

    /// Fails the next `n` requests with 503.
    pub fn fail_next(&self, n: usize) {
        self.state.lock().unwrap().fail_next = n;
    }

    /// Fails every request until [`Receiver::recover`].
    pub fn fail_always(&self) {
        self.fail_next(usize::MAX);
    }

    pub fn recover(&self) {
        self.fail_next(0);
    }

    pub fn failures(&self) -> usize {
        self.state.lock().unwrap().failures
    }

    pub fn received(&self) -> Vec<String> {
        self.state.lock().unwrap().received.clone()
    }

    /// Waits (bounded) until `n` requests were answered 200; returns their bodies.
    pub async fn wait_for(&self, n: usize) -> Vec<String> {
        self.until(&format!("{n} accepted requests"), |s| s.received.len() >= n)
            .await;
        self.received()
    }

    /// Waits (bounded) until `n` requests were failed.
    pub async fn wait_for_failures(&self, n: usize) {
        self.until(&format!("{n} failed requests"), |s| s.failures >= n)
            .await;
    }

    async fn until(&self, what: &str, ready: impl Fn(&State) -> bool) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while !ready(&self.state.lock().unwrap()) {
            assert!(
                tokio::time::Instant::now() < deadline,
                "gave up waiting for {what}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Reads one HTTP/1.1 request (headers, then `Content-Length` bytes) and answers it.
async fn exchange(stream: TcpStream, state: Arc<Mutex<State>>) {
    let mut stream = BufReader::new(stream);
    let mut length = 0;
    let mut form = false;
    loop {
        let mut line = String::new();
        if stream.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        if line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.eq_ignore_ascii_case("content-length") {
                length = value.trim().parse().unwrap_or(0);
            }
            if name.eq_ignore_ascii_case("content-type") {
                form = value.trim() == "application/x-www-form-urlencoded";
            }
        }
    }
    let mut body = vec![0; length];
    if stream.read_exact(&mut body).await.is_err() {
        return;
    }
    let status = {
        let mut s = state.lock().unwrap();
        if s.fail_next > 0 {
            if s.fail_next != usize::MAX {
                s.fail_next -= 1;
            }
            s.failures += 1;
            "503 Service Unavailable"
        } else if !form {
            "415 Unsupported Media Type"
        } else {
            s.received.push(String::from_utf8_lossy(&body).into_owned());
            "200 OK"
        }
    };
    let answer = format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
    let _ = stream.get_mut().write_all(answer.as_bytes()).await;
}
