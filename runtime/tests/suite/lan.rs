#![allow(dead_code)] // shared by suites; not every suite uses every helper
//! A real `tether app-server` with TLS (or not) and test hooks, and raw clients for
//! attacking it: shared by the security and devices suites.
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use tether::server::localclient::{self, ServerFile};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite};
use tokio::net::{TcpSocket, TcpStream};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::WebSocketStream;

use super::harness::TOKEN;

/// Guard against a hang (not a timing assertion).
pub(super) const WAIT: Duration = Duration::from_secs(30);

/// A `tether app-server` with TLS (or not) and test hooks on; killed when dropped.
pub(super) struct Lan {
    pub(super) child: Child,
    pub(super) data_dir: tempfile::TempDir,
    _workspace: tempfile::TempDir,
    pub(super) server: ServerFile,
    pub(super) first_line: String,
}

impl Lan {
    /// TLS on loopback (`wss://`), pairing on, the test clock enabled.
    pub(super) fn start(extra: &[&str]) -> Self {
        let mut args = vec!["--listen", "wss://127.0.0.1:0", "--lan", "--token", TOKEN];
        args.extend_from_slice(extra);
        Self::start_with(&args)
    }

    pub(super) fn start_with(args: &[&str]) -> Self {
        Self::start_in(tempfile::tempdir().expect("data dir"), args)
    }

    pub(super) fn start_in(data_dir: tempfile::TempDir, args: &[&str]) -> Self {
        // A killed server leaves its file behind; wait for the new one's.
        let _ = std::fs::remove_file(data_dir.path().join("server.json"));
        let workspace = tempfile::tempdir().expect("workspace");
        let mut child = Command::new(env!("CARGO_BIN_EXE_tether"))
            .arg("app-server")
            .arg("--data-dir")
            .arg(data_dir.path())
            .arg("--cwd")
            .arg(workspace.path())
            .args(["--web-dist", "/nonexistent-ui"])
            .env("TETHER_TEST_HOOKS", "1")
            .env_remove("TETHER_MODEL")
            .env_remove("TETHER_TOKEN")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("spawn tether");
        let mut reader = BufReader::new(child.stdout.take().expect("stdout"));
        let mut first_line = String::new();
        reader.read_line(&mut first_line).expect("first line");
        assert!(first_line.starts_with("Listening on ws"), "unexpected first line {first_line:?}");
        std::thread::spawn(move || for _ in reader.lines() {});
        // The server file is written once the listener is up; wait for it.
        let mut server = None;
        for _ in 0..200 {
            if let Ok(file) = localclient::read_server_file(data_dir.path()) {
                server = Some(file);
                break;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        let server = server.expect("server.json written");
        Lan { child, data_dir, _workspace: workspace, server, first_line: first_line.trim().to_owned() }
    }

    pub(super) fn port(&self) -> u16 {
        self.server.addr.port()
    }

    /// A TCP connection from a chosen loopback address (127.0.0.2 is "another machine").
    pub(super) async fn tcp_from(&self, from: [u8; 4]) -> TcpStream {
        let socket = TcpSocket::new_v4().expect("socket");
        socket.bind(SocketAddr::from((from, 0))).expect("bind client address");
        socket.connect(self.server.addr).await.expect("connect")
    }

    /// One HTTP request over TLS from `from`: (status, raw head, body).
    pub(super) async fn https(&self, from: [u8; 4], method: &str, path: &str, headers: &[(&str, String)], body: &str) -> (u16, String, String) {
        let tcp = self.tcp_from(from).await;
        let stream = if self.server.tls {
            let fingerprint = self.server.fingerprint.as_deref().expect("fingerprint");
            Box::new(localclient::connect_pinned(tcp, fingerprint).await.expect("TLS")) as Box<dyn Stream>
        } else {
            Box::new(tcp) as Box<dyn Stream>
        };
        raw_exchange(stream, method, &format!("127.0.0.1:{}", self.port()), path, headers, body).await
    }

    /// Opens a WebSocket on `path` from `from` with these headers.
    pub(super) async fn ws(&self, from: [u8; 4], path: &str, headers: &[(&str, String)]) -> Result<Ws, WsError> {
        let scheme = if self.server.tls { "wss" } else { "ws" };
        let mut request = format!("{scheme}://127.0.0.1:{}{path}", self.port()).into_client_request()?;
        for (name, value) in headers {
            request.headers_mut().insert(
                tokio_tungstenite::tungstenite::http::HeaderName::from_bytes(name.as_bytes()).expect("name"),
                value.parse().expect("value"),
            );
        }
        let tcp = self.tcp_from(from).await;
        let config = WebSocketConfig::default().max_frame_size(None).max_message_size(None);
        let stream: Box<dyn Stream> = if self.server.tls {
            let fingerprint = self.server.fingerprint.as_deref().expect("fingerprint");
            Box::new(localclient::connect_pinned(tcp, fingerprint).await.expect("TLS"))
        } else {
            Box::new(tcp)
        };
        let (ws, _) = tokio_tungstenite::client_async_with_config(request, stream, Some(config)).await?;
        Ok(ws)
    }

    /// Asks the running server for a pairing code (as `tether pair` does).
    pub(super) async fn pair_code(&self) -> String {
        let (status, body) = localclient::call(&self.server, "POST", "/auth/pair-code", TOKEN, "").await.expect("pair-code");
        assert_eq!(status, 200, "{body}");
        let answer: Value = serde_json::from_str(&body).expect("json");
        let url = answer["url"].as_str().expect("url");
        assert!(url.starts_with("https://") && url.contains("/pair#"), "{url}");
        answer["code"].as_str().expect("code").to_owned()
    }

    /// Trades a code for a cookie as the pairing page does: (status, set-cookie value).
    pub(super) async fn redeem(&self, code: &str) -> (u16, Option<String>) {
        let origin = format!("https://127.0.0.1:{}", self.port());
        let (status, head, body) = self
            .https([127, 0, 0, 1], "POST", "/auth/pair", &[("Origin", origin), ("Content-Type", "application/json".into())], &json!({ "code": code }).to_string())
            .await;
        let cookie = header(&head, "set-cookie");
        if status == 200 {
            let answer: Value = serde_json::from_str(&body).expect("json");
            assert!(answer["device_id"].as_str().is_some_and(|id| id.starts_with("device-")), "{body}");
        }
        (status, cookie)
    }

    pub(super) async fn paired_cookie(&self) -> String {
        let code = self.pair_code().await;
        let (status, cookie) = self.redeem(&code).await;
        assert_eq!(status, 200);
        let cookie = cookie.expect("set-cookie");
        for attribute in ["HttpOnly", "Secure", "SameSite=Strict", "Path=/"] {
            assert!(cookie.contains(attribute), "cookie lacks {attribute}: {cookie}");
        }
        cookie.split(';').next().expect("pair").to_owned()
    }

    pub(super) fn own_origin(&self) -> String {
        format!("https://127.0.0.1:{}", self.port())
    }
}

impl Drop for Lan {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(super) trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

pub(super) type Ws = WebSocketStream<Box<dyn Stream>>;

async fn raw_exchange(
    mut stream: Box<dyn Stream>,
    method: &str,
    host: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &str,
) -> (u16, String, String) {
    use tokio::io::AsyncWriteExt;
    let mut request = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    // A test may name another host (a rebinding DNS name); else ours.
    if !headers.iter().any(|(name, _)| name.eq_ignore_ascii_case("host")) {
        request.push_str(&format!("Host: {host}\r\n"));
    }
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(body);
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    let _ = tokio::time::timeout(WAIT, stream.read_to_end(&mut raw)).await.expect("response in time");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).unwrap_or_else(|| panic!("no status in {text:?}"));
    (status, head.to_owned(), body.to_owned())
}

pub(super) fn header(head: &str, name: &str) -> Option<String> {
    head.lines().filter_map(|l| l.split_once(':')).find(|(k, _)| k.trim().eq_ignore_ascii_case(name)).map(|(_, v)| v.trim().to_owned())
}

pub(super) fn refused(result: Result<Ws, WsError>) -> (u16, String) {
    match result {
        Err(WsError::Http(response)) => {
            let body = response.body().as_ref().map(|b| String::from_utf8_lossy(b).into_owned()).unwrap_or_default();
            (response.status().as_u16(), body)
        }
        Err(other) => panic!("expected an HTTP refusal, got {other:?}"),
        Ok(_) => panic!("expected the upgrade to be refused"),
    }
}

pub(super) fn bearer() -> (&'static str, String) {
    ("Authorization", format!("Bearer {TOKEN}"))
}

async fn recv_json(ws: &mut Ws) -> Value {
    loop {
        let message = tokio::time::timeout(WAIT, ws.next()).await.expect("a frame in time").expect("open").expect("ok");
        match message {
            Message::Text(text) => return serde_json::from_str(&text).expect("json"),
            Message::Ping(_) | Message::Pong(_) => continue,
            other => panic!("unexpected {other:?}"),
        }
    }
}

/// Waits for the close frame, returning its code (None: closed without one).
pub(super) async fn close_code(ws: &mut Ws) -> Option<u16> {
    loop {
        match tokio::time::timeout(WAIT, ws.next()).await.expect("close in time") {
            Some(Ok(Message::Close(frame))) => return frame.map(|f| u16::from(f.code)),
            Some(Ok(_)) => continue,
            Some(Err(_)) | None => return None,
        }
    }
}

/// A socket can talk: `ping` → `pong`.
pub(super) async fn assert_alive(ws: &mut Ws) {
    ws.send(Message::Text(json!({ "type": "ping" }).to_string().into())).await.expect("send");
    assert_eq!(recv_json(ws).await["type"], "pong");
}

