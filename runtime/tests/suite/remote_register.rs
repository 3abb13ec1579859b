//! Registration with a Letta-style environments service (a fake written here): the runtime
//! POSTs `/v1/environments/register`, then dials the `wsUrl` it is given.

use pretty_assertions::assert_eq;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

use super::remote_controller::{Controller, Remote, TOKEN, WAIT};

/// One HTTP request as the fake service saw it.
#[derive(Debug)]
struct Seen {
    request_line: String,
    headers: Vec<(String, String)>,
    body: Value,
}

/// Accepts one HTTP request and answers it with `status` and `body`.
async fn serve_once(listener: &TcpListener, status: u16, body: &Value) -> Seen {
    let (mut tcp, _) = tokio::time::timeout(WAIT, listener.accept()).await.expect("registration in time").expect("accept");
    let mut raw = Vec::new();
    let mut buf = [0u8; 4096];
    let (head, mut rest) = loop {
        let n = tcp.read(&mut buf).await.expect("read");
        assert!(n > 0, "request ended early");
        raw.extend_from_slice(&buf[..n]);
        if let Some(at) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break (String::from_utf8_lossy(&raw[..at]).into_owned(), raw[at + 4..].to_vec());
        }
    };
    let mut lines = head.lines();
    let request_line = lines.next().expect("request line").to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let length: usize = headers.iter().find(|(k, _)| k == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    while rest.len() < length {
        let n = tcp.read(&mut buf).await.expect("read body");
        assert!(n > 0, "body ended early");
        rest.extend_from_slice(&buf[..n]);
    }
    let text = body.to_string();
    let response = format!(
        "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{text}",
        text.len()
    );
    tcp.write_all(response.as_bytes()).await.expect("write");
    let body = serde_json::from_slice(&rest).unwrap_or(Value::Null);
    Seen { request_line, headers, body }
}

fn header<'a>(seen: &'a Seen, name: &str) -> Option<&'a str> {
    seen.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

#[tokio::test]
async fn registers_then_dials_the_returned_socket_with_its_identity() {
    let service = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://127.0.0.1:{}", service.local_addr().expect("addr").port());
    let controller = Controller::bind().await;
    let data = tempfile::tempdir().expect("data");
    let workspace = tempfile::tempdir().expect("workspace");
    let _remote = Remote::start(&base, "desk", data.path(), workspace.path(), &["--token", TOKEN], &[]);

    let ws_url = format!("ws://127.0.0.1:{}/v1/environments/conn-1/ws", controller.port);
    let seen = serve_once(&service, 200, &json!({ "connectionId": "conn-1", "wsUrl": ws_url })).await;
    assert_eq!(seen.request_line, "POST /v1/environments/register HTTP/1.1");
    assert_eq!(header(&seen, "authorization"), Some(format!("Bearer {TOKEN}").as_str()));
    let device_id = std::fs::read_to_string(data.path().join("device-id")).expect("device id");
    assert_eq!(seen.body["deviceId"], device_id.trim());
    assert_eq!(seen.body["connectionName"], "desk");
    assert_eq!(seen.body["metadata"]["tetherVersion"], env!("CARGO_PKG_VERSION"));

    let (mut conn, handshake) = controller.accept().await;
    assert_eq!(handshake.path, "/v1/environments/conn-1/ws");
    assert_eq!(handshake.query.get("deviceId").map(String::as_str), Some(device_id.trim()));
    assert_eq!(handshake.query.get("connectionName").map(String::as_str), Some("desk"));
    assert_eq!(handshake.authorization.as_deref(), Some(format!("Bearer {TOKEN}").as_str()));
    let (agent_id, conversation_id) = conn.start_new(json!({})).await;
    conn.say(&agent_id, &conversation_id, "hi", "hello").await;
    let frames = conn.until_turn_finished().await;
    assert_eq!(frames.last().expect("finished")["stop_reason"], "end_turn");
}

#[tokio::test]
async fn a_refused_registration_stops_with_the_services_message() {
    let service = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://127.0.0.1:{}", service.local_addr().expect("addr").port());
    let data = tempfile::tempdir().expect("data");
    let workspace = tempfile::tempdir().expect("workspace");
    let mut remote = Remote::start(&base, "desk", data.path(), workspace.path(), &["--token", "nope"], &[]);
    serve_once(&service, 401, &json!({ "message": "Invalid API key" })).await;
    let (status, stderr) = remote.exited().await;
    assert_eq!(status.code(), Some(3));
    assert!(stderr.contains("refused the credential (registration answered HTTP 401: Invalid API key)"), "{stderr}");
}
