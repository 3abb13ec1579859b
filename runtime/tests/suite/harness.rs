#![allow(dead_code)] // shared by suites; not every suite uses every helper
//! Starts a real `tether app-server` and speaks to it over a real WebSocket.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
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
    pub stdout_lines: Vec<String>,
}

impl Server {
    pub fn start() -> Self {
        Self::start_with(&["--token", TOKEN])
    }

    pub fn start_with(args: &[&str]) -> Self {
        let data_dir = tempfile::tempdir().expect("temp data dir");
        let mut child = Command::new(env!("CARGO_BIN_EXE_tether"))
            .arg("app-server")
            .arg("--data-dir")
            .arg(data_dir.path())
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
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
        Server { child, port, data_dir, stdout_lines: vec![first.trim().to_owned()] }
    }

    pub fn url(&self) -> String {
        format!("ws://127.0.0.1:{}/ws", self.port)
    }

    pub async fn connect(&self) -> Client {
        Client::connect(&self.url(), Some(TOKEN), None).await.expect("connect")
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
