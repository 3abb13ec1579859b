#![allow(dead_code)] // shared by suites; not every suite uses every helper
//! Starts a real `tether app-server` and speaks to it over a real WebSocket.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::Value;
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

/// How long a test waits for one expected frame before failing (not a timing assertion:
/// only a guard against hanging forever).
const FRAME_WAIT: Duration = Duration::from_secs(20);

pub const TOKEN: &str = "test-token-0123456789";

/// A running `tether app-server`, killed when dropped.
pub struct Server {
    child: Child,
    pub port: u16,
    pub data_dir: tempfile::TempDir,
    /// The working directory conversations start in (a fresh, empty directory).
    pub workspace: tempfile::TempDir,
    pub stdout_lines: Vec<String>,
    /// Everything the server wrote to stderr so far (its log; also echoed to the test's).
    pub stderr_lines: Arc<Mutex<Vec<String>>>,
}

impl Server {
    pub fn start() -> Self {
        Self::start_with(&["--token", TOKEN])
    }

    pub fn start_with(args: &[&str]) -> Self {
        Self::start_in(tempfile::tempdir().expect("temp data dir"), tempfile::tempdir().expect("workspace"), args)
    }

    /// Starts with extra environment variables (e.g. a model endpoint, a short timeout).
    pub fn start_env(args: &[&str], env: &[(&str, &str)]) -> Self {
        Self::spawn(tempfile::tempdir().expect("temp data dir"), tempfile::tempdir().expect("workspace"), args, env)
    }

    /// Starts on a given data dir and workspace (to restart on the same store).
    pub fn start_in(data_dir: tempfile::TempDir, workspace: tempfile::TempDir, args: &[&str]) -> Self {
        Self::spawn(data_dir, workspace, args, &[])
    }

    /// Starts on a given data dir and workspace with extra environment variables.
    pub fn start_in_env(data_dir: tempfile::TempDir, workspace: tempfile::TempDir, args: &[&str], env: &[(&str, &str)]) -> Self {
        Self::spawn(data_dir, workspace, args, env)
    }

    fn spawn(data_dir: tempfile::TempDir, workspace: tempfile::TempDir, args: &[&str], env: &[(&str, &str)]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_tether"))
            .arg("app-server")
            .arg("--data-dir")
            .arg(data_dir.path())
            .arg("--cwd")
            .arg(workspace.path())
            .env_remove("TETHER_MODEL")
            .env_remove("OPENAI_API_KEY")
            .env_remove("ANTHROPIC_API_KEY")
            .envs(env.iter().copied())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn tether");
        let stdout = child.stdout.take().expect("stdout");
        let mut reader = BufReader::new(stdout);
        let mut first = String::new();
        reader.read_line(&mut first).expect("read first line");
        let port = first
            .trim()
            .strip_prefix("Listening on ws://")
            .and_then(|addr| addr.rsplit(':').next())
            .and_then(|port| port.parse().ok())
            .unwrap_or_else(|| panic!("unexpected first line: {first:?}"));
        // Keep draining stdout so the server never blocks on a full pipe.
        std::thread::spawn(move || for _ in reader.lines() {});
        let stderr_lines = Arc::new(Mutex::new(Vec::new()));
        let stderr = child.stderr.take().expect("stderr");
        let sink = stderr_lines.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("{line}");
                sink.lock().expect("stderr lines").push(line);
            }
        });
        Server { child, port, data_dir, workspace, stdout_lines: vec![first.trim().to_owned()], stderr_lines }
    }

    pub fn url(&self) -> String {
        format!("ws://127.0.0.1:{}/ws", self.port)
    }

    pub async fn connect(&self) -> Client {
        Client::connect(&self.url(), Some(TOKEN), None).await.expect("connect")
    }

    /// Waits until the server logs a line matching `pred` and returns it (panics after
    /// the usual wait: a guard against hanging, not a timing assertion).
    pub async fn until_logged(&self, pred: impl Fn(&str) -> bool) -> String {
        let deadline = tokio::time::Instant::now() + FRAME_WAIT;
        loop {
            if let Some(line) = self.logged(&pred) {
                return line;
            }
            assert!(tokio::time::Instant::now() < deadline, "the server never logged the expected line");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// The first logged line matching `pred`, if any yet.
    pub fn logged(&self, pred: impl Fn(&str) -> bool) -> Option<String> {
        self.stderr_lines.lock().expect("stderr lines").iter().find(|l| pred(l)).cloned()
    }
}

impl Server {
    /// Sends SIGTERM and waits for the process to exit (graceful shutdown).
    pub fn terminate(&mut self) -> std::process::ExitStatus {
        let pid = nix::unistd::Pid::from_raw(self.child.id() as i32);
        nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM).expect("kill");
        for _ in 0..400 {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                return status;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("tether did not exit within 20 s of SIGTERM");
    }

    /// Kills the process at once (SIGKILL: no shutdown, no flush) and returns its dirs.
    pub fn kill9(mut self) -> (tempfile::TempDir, tempfile::TempDir) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let data_dir = std::mem::replace(&mut self.data_dir, tempfile::tempdir().expect("dir"));
        let workspace = std::mem::replace(&mut self.workspace, tempfile::tempdir().expect("dir"));
        (data_dir, workspace)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A raw protocol client: send JSON, receive JSON.
pub struct Client {
    ws: WebSocketStream<MaybeTlsStream<TcpStream>>,
}

impl Client {
    pub async fn connect(
        url: &str,
        token: Option<&str>,
        origin: Option<&str>,
    ) -> Result<Self, tokio_tungstenite::tungstenite::Error> {
        let mut request = url.into_client_request()?;
        if let Some(token) = token {
            request.headers_mut().insert("Authorization", format!("Bearer {token}").parse().expect("header"));
        }
        if let Some(origin) = origin {
            request.headers_mut().insert("Origin", origin.parse().expect("header"));
        }
        let (ws, _) = tokio_tungstenite::connect_async(request).await?;
        Ok(Client { ws })
    }

    pub async fn send(&mut self, frame: Value) {
        self.send_text(&frame.to_string()).await;
    }

    pub async fn send_text(&mut self, text: &str) {
        self.ws.send(Message::Text(text.into())).await.expect("send");
    }

    /// The next text frame, parsed; panics if none arrives in time or the socket closes.
    pub async fn recv(&mut self) -> Value {
        loop {
            let message = tokio::time::timeout(FRAME_WAIT, self.ws.next())
                .await
                .expect("timed out waiting for a frame")
                .expect("socket closed")
                .expect("socket error");
            match message {
                Message::Text(text) => return serde_json::from_str(&text).expect("server sent JSON"),
                Message::Ping(_) | Message::Pong(_) => continue,
                other => panic!("unexpected message {other:?}"),
            }
        }
    }

    /// Receives frames until one has `type == frame_type`, returning it.
    pub async fn recv_type(&mut self, frame_type: &str) -> Value {
        loop {
            let frame = self.recv().await;
            if frame["type"] == frame_type {
                return frame;
            }
        }
    }
}

impl Client {
    /// Sends a command and returns the frame that answers its `request_id`, with the
    /// frames that arrived before it.
    pub async fn request(&mut self, frame: Value) -> (Value, Vec<Value>) {
        let request_id = frame["request_id"].as_str().expect("request_id").to_owned();
        self.send(frame).await;
        let mut others = Vec::new();
        loop {
            let frame = self.recv().await;
            if frame["request_id"] == request_id.as_str() && frame["type"] != "control_request" {
                return (frame, others);
            }
            others.push(frame);
        }
    }

    /// `runtime_start` creating an agent and a conversation; returns (agent_id, conversation_id).
    pub async fn start_new(&mut self, extra: Value) -> (String, String) {
        let mut frame = serde_json::json!({
            "type": "runtime_start",
            "request_id": "start-new",
            "create_agent": { "body": { "name": "test agent", "model": "scripted" } },
            "create_conversation": {},
        });
        if let (Some(target), Some(extra)) = (frame.as_object_mut(), extra.as_object()) {
            for (key, value) in extra {
                target.insert(key.clone(), value.clone());
            }
        }
        let (response, _) = self.request(frame).await;
        assert_eq!(response["success"], true, "runtime_start failed: {response}");
        let scope = &response["runtime"];
        (
            scope["agent_id"].as_str().expect("agent_id").to_owned(),
            scope["conversation_id"].as_str().expect("conversation_id").to_owned(),
        )
    }

    /// Sends a text `input` (with a request_id) to a scope.
    pub async fn say(&mut self, agent_id: &str, conversation_id: &str, request_id: &str, text: &str) {
        self.send(serde_json::json!({
            "type": "input",
            "request_id": request_id,
            "runtime": { "agent_id": agent_id, "conversation_id": conversation_id },
            "payload": {
                "kind": "create_message",
                "messages": [{ "role": "user", "content": text, "client_message_id": format!("cm-{request_id}") }],
            },
        }))
        .await;
    }

    /// Every frame up to and including the next `turn_finished`.
    pub async fn until_turn_finished(&mut self) -> Vec<Value> {
        let mut frames = Vec::new();
        loop {
            let frame = self.recv().await;
            let done = frame["type"] == "turn_finished";
            frames.push(frame);
            if done {
                return frames;
            }
        }
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
}

/// The text of every `assistant_message` delta in `frames`, concatenated.
pub fn assistant_text(frames: &[Value]) -> String {
    frames
        .iter()
        .filter(|f| f["type"] == "stream_delta" && f["delta"]["message_type"] == "assistant_message")
        .filter_map(|f| f["delta"]["content"].as_str())
        .collect()
}

/// The frames of one type.
pub fn of_type<'a>(frames: &'a [Value], frame_type: &str) -> Vec<&'a Value> {
    frames.iter().filter(|f| f["type"] == frame_type).collect()
}

/// A minimal HTTP/1.1 request over a fresh TCP connection: (status, headers, body).
pub async fn http(port: u16, method: &str, path: &str, headers: &[(&str, &str)]) -> (u16, Vec<(String, String)>, String) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut stream = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nContent-Length: 0\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    tokio::time::timeout(FRAME_WAIT, stream.read_to_end(&mut raw)).await.expect("response in time").expect("read");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let mut lines = head.lines();
    let status = lines.next().and_then(|l| l.split_whitespace().nth(1)).and_then(|s| s.parse().ok()).expect("status");
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    (status, headers, body.to_owned())
}

impl Client {
    /// Connects with arbitrary extra headers (cookies, subprotocols).
    pub async fn connect_with(
        url: &str,
        headers: &[(&str, &str)],
    ) -> Result<(Self, tokio_tungstenite::tungstenite::handshake::client::Response), tokio_tungstenite::tungstenite::Error> {
        let mut request = url.into_client_request()?;
        for (name, value) in headers {
            request.headers_mut().insert(
                tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(name.as_bytes()).expect("name"),
                value.parse().expect("value"),
            );
        }
        let (ws, response) = tokio_tungstenite::connect_async(request).await?;
        Ok((Client { ws }, response))
    }
}
