//! In-test delivery endpoints on 127.0.0.1:0: an SMTP server that speaks just enough SMTP to take messages, and
//! an SMS webhook that answers with a fixed status. Both record what they received. Admin actions deliver before
//! their answer, so tests read the records at once; codes are delivered by the background worker after the
//! answer, so tests wait for them with [`SmtpServer::wait_for`] / [`SmsWebhook::wait_for`] (bounded polling).
//! The SMTP server can be slowed down and made to fail transactions, to test what the visitor sees meanwhile.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::tcp::OwnedWriteHalf;
use tokio::net::{TcpListener, TcpStream};

/// How long `wait_for` waits before it gives up: far above any delivery on a loaded machine.
const PATIENCE: Duration = Duration::from_secs(20);

/// Polls `ready` every 20 ms until it gives `Some`, for at most [`PATIENCE`]; panics with `what` otherwise.
pub async fn eventually<T>(what: &str, mut ready: impl FnMut() -> Option<T>) -> T {
    let deadline = tokio::time::Instant::now() + PATIENCE;
    loop {
        if let Some(found) = ready() {
            return found;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "gave up waiting for {what}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// A message as the SMTP server received it.
#[derive(Debug, Clone)]
pub struct ReceivedMail {
    pub from: String,
    pub to: Vec<String>,
    /// The DATA section with dot-stuffing undone and quoted-printable decoded (headers and every MIME part).
    pub data: String,
}

/// What the SMTP server has seen and how it behaves; shared with its sessions.
#[derive(Default)]
struct SmtpState {
    received: Vec<ReceivedMail>,
    refused: usize,
    refuse_recipients: bool,
    /// Waited before a message is accepted.
    delay: Duration,
    /// Transactions still to fail with `451` (`usize::MAX`: every one).
    fail_next: usize,
    /// Transactions failed so far.
    failures: usize,
}

/// A minimal SMTP server: 220 greeting, EHLO/HELO → 250, MAIL FROM/RCPT TO → 250, DATA → 354 … 250, QUIT → 221.
pub struct SmtpServer {
    pub url: url::Url,
    state: Arc<Mutex<SmtpState>>,
}

impl SmtpServer {
    /// A server that takes every message.
    pub async fn start() -> SmtpServer {
        Self::start_with(SmtpState::default()).await
    }

    /// A server that refuses every recipient for good (`550`), as for an address that does not exist.
    pub async fn start_refusing_recipients() -> SmtpServer {
        Self::start_with(SmtpState {
            refuse_recipients: true,
            ..SmtpState::default()
        })
        .await
    }

    async fn start_with(state: SmtpState) -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(state));
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(smtp_session(stream, shared.clone()));
            }
        });
        SmtpServer {
            url: url::Url::parse(&format!("smtp://127.0.0.1:{port}")).unwrap(),
            state,
        }
    }

    /// Waits `delay` before accepting each message, like a slow mail server.
    pub fn set_delay(&self, delay: Duration) {
        self.state.lock().unwrap().delay = delay;
    }

    /// Fails the next `n` transactions with a temporary error (`451` to `MAIL FROM`).
    pub fn fail_next(&self, n: usize) {
        self.state.lock().unwrap().fail_next = n;
    }

    /// Fails every transaction from now on, until [`SmtpServer::recover`].
    pub fn fail_always(&self) {
        self.fail_next(usize::MAX);
    }

    /// Takes messages again.
    pub fn recover(&self) {
        self.fail_next(0);
    }

    /// Every message received so far.
    pub fn received(&self) -> Vec<ReceivedMail> {
        self.state.lock().unwrap().received.clone()
    }

    /// Waits (bounded) until at least `n` messages arrived; returns them all.
    pub async fn wait_for(&self, n: usize) -> Vec<ReceivedMail> {
        eventually(&format!("{n} mails"), || {
            let received = self.received();
            (received.len() >= n).then_some(received)
        })
        .await
    }

    /// How many recipients were refused so far.
    pub fn refused(&self) -> usize {
        self.state.lock().unwrap().refused
    }

    /// How many transactions were failed so far.
    pub fn failures(&self) -> usize {
        self.state.lock().unwrap().failures
    }

    /// Waits (bounded) until at least `n` transactions were failed.
    pub async fn wait_for_failures(&self, n: usize) {
        eventually(&format!("{n} failed transactions"), || {
            (self.failures() >= n).then_some(())
        })
        .await
    }
}

/// Whether the transaction starting now is to fail; counts it when it is.
fn fails_now(state: &Mutex<SmtpState>) -> bool {
    let mut state = state.lock().unwrap();
    if state.fail_next == 0 {
        return false;
    }
    if state.fail_next != usize::MAX {
        state.fail_next -= 1;
    }
    state.failures += 1;
    true
}

/// One SMTP conversation, behaving as `state` says.
async fn smtp_session(stream: TcpStream, state: Arc<Mutex<SmtpState>>) {
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    if reply(&mut write, "220 127.0.0.1 ESMTP tarn-test")
        .await
        .is_err()
    {
        return;
    }
    let (mut from, mut to) = (String::new(), Vec::new());
    loop {
        let mut line = String::new();
        if read.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        let command = line.trim_end().to_owned();
        let upper = command.to_ascii_uppercase();
        let answer = if upper.starts_with("EHLO") || upper.starts_with("HELO") {
            "250 127.0.0.1"
        } else if upper.starts_with("MAIL FROM:") {
            if fails_now(&state) {
                "451 4.3.0 temporarily unavailable, try again later"
            } else {
                from = address(&command);
                to.clear();
                "250 OK"
            }
        } else if upper.starts_with("RCPT TO:") {
            let mut state = state.lock().unwrap();
            if state.refuse_recipients {
                state.refused += 1;
                "550 5.1.1 no such user"
            } else {
                to.push(address(&command));
                "250 OK"
            }
        } else if upper == "DATA" {
            if reply(&mut write, "354 end data with <CR><LF>.<CR><LF>")
                .await
                .is_err()
            {
                return;
            }
            let mut data = String::new();
            loop {
                let mut line = String::new();
                if read.read_line(&mut line).await.unwrap_or(0) == 0 {
                    return;
                }
                if line == ".\r\n" {
                    break;
                }
                // RFC 5321 §4.5.2: the client doubled every leading dot.
                data.push_str(line.strip_prefix('.').unwrap_or(&line));
            }
            let delay = state.lock().unwrap().delay;
            tokio::time::sleep(delay).await;
            state.lock().unwrap().received.push(ReceivedMail {
                from: from.clone(),
                to: to.clone(),
                data: quoted_printable_decoded(&data),
            });
            "250 OK: queued"
        } else if upper == "QUIT" {
            let _ = reply(&mut write, "221 bye").await;
            return;
        } else {
            // RSET, NOOP (the pool's liveness check) and anything else.
            "250 OK"
        };
        if reply(&mut write, answer).await.is_err() {
            return;
        }
    }
}

async fn reply(write: &mut OwnedWriteHalf, line: &str) -> std::io::Result<()> {
    write.write_all(format!("{line}\r\n").as_bytes()).await
}

/// `<a@b>` out of `MAIL FROM:<a@b>` or `RCPT TO:<a@b> …`.
fn address(command: &str) -> String {
    let start = command.find('<').map_or(0, |i| i + 1);
    let end = command.find('>').unwrap_or(command.len());
    command[start..end].to_owned()
}

/// Decodes quoted-printable soft line breaks (`=\r\n`) and `=XX` escapes; other text passes through unchanged.
fn quoted_printable_decoded(text: &str) -> String {
    let bytes = text.replace("=\r\n", "").into_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .filter(|h| {
                h.chars()
                    .all(|c| c.is_ascii_digit() || ('A'..='F').contains(&c))
            })
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'=', Some(byte)) => {
                out.push(byte);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap()
}

/// An SMS gateway stand-in: answers every request with one fixed status and records each JSON body.
pub struct SmsWebhook {
    pub url: url::Url,
    received: Arc<Mutex<Vec<Value>>>,
}

impl SmsWebhook {
    /// A webhook that accepts every message (`200 OK`).
    pub async fn start() -> SmsWebhook {
        Self::start_answering("200 OK").await
    }

    /// A webhook that answers every request with `status` (e.g. `503 Service Unavailable`).
    pub async fn start_answering(status: &'static str) -> SmsWebhook {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let received = Arc::new(Mutex::new(Vec::new()));
        let sink = received.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(http_exchange(stream, sink.clone(), status));
            }
        });
        SmsWebhook {
            url: url::Url::parse(&format!("http://127.0.0.1:{port}/sms")).unwrap(),
            received,
        }
    }

    /// Every JSON body received so far.
    pub fn received(&self) -> Vec<Value> {
        self.received.lock().unwrap().clone()
    }

    /// Waits (bounded) until at least `n` requests arrived; returns them all.
    pub async fn wait_for(&self, n: usize) -> Vec<Value> {
        eventually(&format!("{n} SMS"), || {
            let received = self.received();
            (received.len() >= n).then_some(received)
        })
        .await
    }
}

/// Reads one HTTP/1.1 request (headers, then `Content-Length` bytes), records its body, answers with `status`.
async fn http_exchange(stream: TcpStream, sink: Arc<Mutex<Vec<Value>>>, status: &str) {
    let mut stream = BufReader::new(stream);
    let mut length = 0;
    loop {
        let mut line = String::new();
        if stream.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        if line == "\r\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap();
        }
    }
    let mut body = vec![0; length];
    if stream.read_exact(&mut body).await.is_err() {
        return;
    }
    sink.lock()
        .unwrap()
        .push(serde_json::from_slice(&body).unwrap());
    let response = format!("HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    let _ = stream.get_mut().write_all(response.as_bytes()).await;
}

/// An `smtp://` URL on a loopback port nobody listens on (bound, then released).
pub fn unused_smtp_url() -> url::Url {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    url::Url::parse(&format!("smtp://127.0.0.1:{port}")).unwrap()
}

/// The first invitation link in `text` (`http…/invitations/{token}`), or a panic naming the text.
pub fn invitation_link(text: &str) -> String {
    let at = text
        .find("/invitations/")
        .unwrap_or_else(|| panic!("no invitation link in {text}"));
    let start = text[..at].rfind("http").expect("link has a scheme");
    let token_start = at + "/invitations/".len();
    let token_len = text[token_start..]
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(text.len() - token_start);
    text[start..token_start + token_len].to_owned()
}
