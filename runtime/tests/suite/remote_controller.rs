#![allow(dead_code)] // shared by the remote suites; not every suite uses every helper
//! A small controller for direct-mode tests: a plain WebSocket server (tokio-tungstenite)
//! that the real `tether remote` dials, plus a handle on that process.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read};
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tether::remote::socket::Io;
use tokio::net::TcpListener;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
use tokio_tungstenite::tungstenite::protocol::CloseFrame;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::WebSocketStream;

/// How long a test waits for one expected event before failing (a guard against hanging,
/// not a timing assertion).
pub const WAIT: Duration = Duration::from_secs(20);

pub const TOKEN: &str = "remote-token-0123456789";

/// The controller's listening socket (plain, or TLS for `wss://`).
pub struct Controller {
    listener: TcpListener,
    pub port: u16,
    tls: Option<tokio_rustls::TlsAcceptor>,
}

/// What the runtime's handshake carried.
#[derive(Debug, Clone)]
pub struct Handshake {
    pub path: String,
    pub query: HashMap<String, String>,
    pub authorization: Option<String>,
}

impl Controller {
    pub async fn bind() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let port = listener.local_addr().expect("addr").port();
        Controller { listener, port, tls: None }
    }

    /// A `wss://` controller presenting `chain` (leaf first) with `key` (PKCS#8 DER).
    pub async fn bind_tls(chain: Vec<Vec<u8>>, key: Vec<u8>) -> Self {
        use tokio_rustls::rustls;
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let chain = chain.into_iter().map(rustls::pki_types::CertificateDer::from).collect();
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(key.into());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("versions")
            .with_no_client_auth()
            .with_single_cert(chain, key)
            .expect("server cert");
        let mut controller = Self::bind().await;
        controller.tls = Some(tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config)));
        controller
    }

    pub fn url(&self) -> String {
        match self.tls {
            Some(_) => format!("wss://localhost:{}/agent", self.port),
            None => format!("ws://127.0.0.1:{}/agent", self.port),
        }
    }

    /// Accepts the next runtime connection, whatever its credential.
    pub async fn accept(&self) -> (Conn, Handshake) {
        self.accept_answering(None).await.expect("upgrade")
    }

    /// Accepts the next connection; with `refuse`, answers the upgrade with that HTTP status.
    #[allow(clippy::result_large_err)] // the callback's shape is tungstenite's
    pub async fn accept_answering(&self, refuse: Option<u16>) -> Option<(Conn, Handshake)> {
        let (tcp, _) = tokio::time::timeout(WAIT, self.listener.accept()).await.expect("runtime dialled in time").expect("accept");
        let stream: Box<dyn Io> = match &self.tls {
            Some(acceptor) => Box::new(acceptor.accept(tcp).await.ok()?),
            None => Box::new(tcp),
        };
        let seen = Arc::new(Mutex::new(None));
        let record = seen.clone();
        let callback = move |request: &Request, response: Response| -> Result<Response, ErrorResponse> {
            let uri = request.uri();
            let query = uri
                .query()
                .map(|q| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect())
                .unwrap_or_default();
            let authorization = request.headers().get("authorization").and_then(|v| v.to_str().ok()).map(str::to_owned);
            *record.lock().expect("lock") = Some(Handshake { path: uri.path().to_owned(), query, authorization });
            match refuse {
                Some(status) => {
                    let mut refusal = ErrorResponse::new(Some("refused".to_owned()));
                    *refusal.status_mut() = status.try_into().expect("status");
                    Err(refusal)
                }
                None => Ok(response),
            }
        };
        let ws = tokio_tungstenite::accept_hdr_async(stream, callback).await;
        let handshake = seen.lock().expect("lock").clone().expect("handshake seen");
        ws.ok().map(|ws| (Conn { ws }, handshake))
    }
}

/// One accepted socket, seen from the controller.
pub struct Conn {
    ws: WebSocketStream<Box<dyn Io>>,
}

impl Conn {
    pub async fn send(&mut self, frame: Value) {
        self.ws.send(Message::Text(frame.to_string().into())).await.expect("send");
    }

    /// The next JSON text frame (heartbeat pings skipped); panics on close or timeout.
    pub async fn recv(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(WAIT, self.ws.next())
                .await
                .expect("timed out waiting for a frame")
                .expect("socket closed")
                .expect("socket error");
            match message {
                Message::Text(text) => {
                    let frame: Value = serde_json::from_str(&text).expect("runtime sent JSON");
                    if frame["type"] != "ping" {
                        return frame;
                    }
                }
                Message::Ping(_) | Message::Pong(_) => continue,
                other => panic!("unexpected message {other:?}"),
            }
        }
    }

    /// Frames arriving within `quiet` of each other; returns once the socket is quiet.
    pub async fn drain_for(&mut self, quiet: Duration) -> Vec<Value> {
        let mut frames = Vec::new();
        while let Ok(Some(Ok(message))) = tokio::time::timeout(quiet, self.ws.next()).await {
            if let Message::Text(text) = message {
                frames.push(serde_json::from_str(&text).expect("JSON"));
            }
        }
        frames
    }

    /// Every frame up to and including the first one `pred` accepts.
    pub async fn until(&mut self, pred: impl Fn(&Value) -> bool) -> Vec<Value> {
        let mut frames = Vec::new();
        loop {
            let frame = self.recv().await;
            let done = pred(&frame);
            frames.push(frame);
            if done {
                return frames;
            }
        }
    }

    pub async fn until_turn_finished(&mut self) -> Vec<Value> {
        self.until(|f| f["type"] == "turn_finished").await
    }

    /// Sends a command; returns its answer and the frames before it.
    pub async fn request(&mut self, frame: Value) -> (Value, Vec<Value>) {
        let request_id = frame["request_id"].as_str().expect("request_id").to_owned();
        self.send(frame).await;
        let mut others = self.until(|f| f["request_id"] == request_id.as_str() && f["type"] != "control_request").await;
        let answer = others.pop().expect("answer");
        (answer, others)
    }

    /// `runtime_start` creating an agent and a conversation; returns (agent_id, conversation_id).
    pub async fn start_new(&mut self, extra: Value) -> (String, String) {
        let mut frame = json!({
            "type": "runtime_start",
            "request_id": "start-new",
            "create_agent": { "body": { "name": "remote agent", "model": "scripted" } },
            "create_conversation": {},
        });
        for (key, value) in extra.as_object().expect("object") {
            frame[key] = value.clone();
        }
        let (response, _) = self.request(frame).await;
        assert_eq!(response["success"], true, "runtime_start failed: {response}");
        (
            response["runtime"]["agent_id"].as_str().expect("agent_id").to_owned(),
            response["runtime"]["conversation_id"].as_str().expect("conversation_id").to_owned(),
        )
    }

    pub async fn say(&mut self, agent_id: &str, conversation_id: &str, request_id: &str, text: &str) {
        self.send(json!({
            "type": "input",
            "request_id": request_id,
            "runtime": { "agent_id": agent_id, "conversation_id": conversation_id },
            "payload": { "kind": "create_message",
                "messages": [{ "role": "user", "content": text, "client_message_id": format!("cm-{request_id}") }] },
        }))
        .await;
    }

    /// Reads until the runtime closes the socket; returns its close code.
    pub async fn close_code(&mut self) -> Option<u16> {
        loop {
            match tokio::time::timeout(WAIT, self.ws.next()).await.expect("close in time") {
                Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
                Some(Ok(_)) => continue,
                _ => return None,
            }
        }
    }

    /// Closes the socket with a code (the runtime should see it).
    pub async fn close(mut self, code: u16, reason: &str) {
        let frame = CloseFrame { code: CloseCode::from(code), reason: reason.to_owned().into() };
        let _ = self.ws.close(Some(frame)).await;
        // Wait for the runtime's side of the handshake, briefly.
        let _ = tokio::time::timeout(Duration::from_secs(2), async { while let Some(Ok(_)) = self.ws.next().await {} }).await;
    }
}

/// A running `tether remote`, killed when dropped.
pub struct Remote {
    child: Child,
    stderr: Arc<Mutex<String>>,
    pub stdout: Arc<Mutex<Vec<String>>>,
}

impl Remote {
    /// Starts `tether remote` on a data dir and workspace with extra arguments and env.
    pub fn start(url: &str, name: &str, data_dir: &Path, workspace: &Path, args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(env!("CARGO_BIN_EXE_tether"));
        command
            .arg("remote")
            .args(["--url", url, "--env-name", name])
            .arg("--data-dir")
            .arg(data_dir)
            .arg("--cwd")
            .arg(workspace)
            .env_remove("TETHER_MODEL")
            .env_remove("TETHER_TOKEN")
            .env_remove("OPENAI_API_KEY")
            .env_remove("ANTHROPIC_API_KEY")
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (key, value) in env {
            command.env(key, value);
        }
        let mut child = command.spawn().expect("spawn tether remote");
        let stdout = Arc::new(Mutex::new(Vec::new()));
        let lines = stdout.clone();
        let out = child.stdout.take().expect("stdout");
        std::thread::spawn(move || {
            for line in BufReader::new(out).lines().map_while(Result::ok) {
                lines.lock().expect("lock").push(line);
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let text = stderr.clone();
        let mut err = child.stderr.take().expect("stderr");
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                let chunk = String::from_utf8_lossy(&buf[..n]).into_owned();
                eprint!("{chunk}");
                text.lock().expect("lock").push_str(&chunk);
            }
        });
        Remote { child, stderr, stdout }
    }

    /// Waits for the process to exit on its own; returns its status and stderr.
    pub async fn exited(&mut self) -> (ExitStatus, String) {
        for _ in 0..400 {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                // Let the stderr reader catch up with the last lines.
                tokio::time::sleep(Duration::from_millis(100)).await;
                return (status, self.stderr.lock().expect("lock").clone());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("tether remote did not exit within 20 s; stderr: {}", self.stderr.lock().expect("lock"));
    }

    /// Sends SIGTERM (graceful shutdown).
    pub fn terminate(&self) {
        let pid = nix::unistd::Pid::from_raw(i32::try_from(self.child.id()).expect("pid"));
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).expect("kill");
    }

    /// Kills the process at once (SIGKILL: no shutdown, no flush).
    pub fn kill9(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Remote {
    fn drop(&mut self) {
        self.kill9();
    }
}

/// The text of every `assistant_message` delta in `frames`, concatenated.
pub fn assistant_text(frames: &[Value]) -> String {
    frames
        .iter()
        .filter(|f| f["type"] == "stream_delta" && f["delta"]["message_type"] == "assistant_message")
        .filter_map(|f| f["delta"]["content"].as_str())
        .collect()
}
