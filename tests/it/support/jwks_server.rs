//! An in-test HTTP server on 127.0.0.1:0 that answers every GET with the JSON document it holds (a client's
//! JWK Set at its `jwks_uri`), optionally only after a pause, and counts the requests: the relying party's end of
//! `jwks_uri`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

#[derive(Default)]
struct State {
    body: String,
    delay: Duration,
    requests: usize,
}

pub struct JwksServer {
    /// `http://127.0.0.1:{port}/jwks.json`.
    pub url: String,
    state: Arc<Mutex<State>>,
}

impl JwksServer {
    /// A server answering with `document`.
    pub async fn start(document: &Value) -> JwksServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(Mutex::new(State {
            body: document.to_string(),
            ..State::default()
        }));
        let shared = state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                tokio::spawn(answer(stream, shared.clone()));
            }
        });
        JwksServer {
            url: format!("http://127.0.0.1:{port}/jwks.json"),
            state,
        }
    }

    /// Serves `document` from now on.
    pub fn serve(&self, document: &Value) {
        self.state.lock().unwrap().body = document.to_string();
    }

    /// Serves `body` as is (not necessarily JSON, of any size).
    pub fn serve_raw(&self, body: String) {
        self.state.lock().unwrap().body = body;
    }

    /// Waits `delay` before each answer.
    pub fn delay(&self, delay: Duration) {
        self.state.lock().unwrap().delay = delay;
    }

    /// How many requests came so far.
    pub fn requests(&self) -> usize {
        self.state.lock().unwrap().requests
    }
}

/// Reads the request's head and answers with the current document.
async fn answer(stream: TcpStream, state: Arc<Mutex<State>>) {
    let mut stream = BufReader::new(stream);
    loop {
        let mut line = String::new();
        if stream.read_line(&mut line).await.unwrap_or(0) == 0 {
            return;
        }
        if line == "\r\n" {
            break;
        }
    }
    let (body, delay) = {
        let mut s = state.lock().unwrap();
        s.requests += 1;
        (s.body.clone(), s.delay)
    };
    tokio::time::sleep(delay).await;
    let head = format!(
        "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.get_mut().write_all(head.as_bytes()).await;
    let _ = stream.get_mut().write_all(body.as_bytes()).await;
}
