//! The socket itself: auth, origin, malformed and unknown frames, JSON ping.

use pretty_assertions::assert_eq;
use serde_json::json;
use tokio_tungstenite::tungstenite::Error as WsError;

use super::harness::{Client, Server, TOKEN};

fn refused_status(result: Result<Client, WsError>) -> u16 {
    match result {
        Err(WsError::Http(response)) => response.status().as_u16(),
        Err(other) => panic!("expected an HTTP refusal, got {other:?}"),
        Ok(_) => panic!("expected the upgrade to be refused"),
    }
}

#[tokio::test]
async fn upgrade_without_token_is_refused_with_401() {
    let server = Server::start();
    assert_eq!(refused_status(Client::connect(&server.url(), None, None).await), 401);
}

#[tokio::test]
async fn upgrade_with_wrong_token_is_refused_with_401() {
    let server = Server::start();
    assert_eq!(refused_status(Client::connect(&server.url(), Some("nope"), None).await), 401);
}

#[tokio::test]
async fn foreign_origin_is_refused_with_403_even_with_the_token() {
    let server = Server::start();
    let result = Client::connect(&server.url(), Some(TOKEN), Some("http://evil.example")).await;
    assert_eq!(refused_status(result), 403);
}

#[tokio::test]
async fn own_origin_and_allowed_origin_are_accepted() {
    let server = Server::start_with(&["--token", TOKEN, "--allow-origin", "https://ui.example"]);
    let own = format!("http://127.0.0.1:{}", server.port);
    assert!(Client::connect(&server.url(), Some(TOKEN), Some(&own)).await.is_ok());
    assert!(Client::connect(&server.url(), Some(TOKEN), Some("https://ui.example")).await.is_ok());
}

#[tokio::test]
async fn root_path_and_channel_query_serve_the_same_socket() {
    let server = Server::start();
    for path in ["/", "/ws?channel=control", "/ws?channel=stream"] {
        let url = format!("ws://127.0.0.1:{}{path}", server.port);
        let mut client = Client::connect(&url, Some(TOKEN), None).await.expect("connect");
        client.send(json!({ "type": "app_server_info", "request_id": path })).await;
        assert_eq!(client.recv().await["request_id"], path);
    }
}

#[tokio::test]
async fn generated_token_is_stored_private_and_accepted() {
    use std::os::unix::fs::PermissionsExt;
    let server = Server::start_with(&[]);
    let path = server.data_dir.path().join("token");
    let token = std::fs::read_to_string(&path).expect("token file");
    assert_eq!(std::fs::metadata(&path).expect("meta").permissions().mode() & 0o777, 0o600);
    assert!(Client::connect(&server.url(), Some(token.trim()), None).await.is_ok());
}

#[tokio::test]
async fn malformed_frames_get_error_frames_and_the_connection_survives() {
    let server = Server::start();
    let mut client = server.connect().await;

    client.send_text("{not json").await;
    let reply = client.recv().await;
    assert_eq!(reply["type"], "error");
    assert_eq!(reply["code"], "invalid_frame");

    client.send(json!({ "type": "app_server_info", "request_id": 5 })).await;
    let reply = client.recv().await;
    assert_eq!(reply["type"], "error");
    assert_eq!(reply["frame_type"], "app_server_info");
    assert!(reply["message"].as_str().unwrap_or("").contains("request_id"), "{reply}");

    client.send(json!({ "type": "no_such_command", "request_id": "x-1" })).await;
    let reply = client.recv().await;
    assert_eq!(
        reply,
        json!({
            "type": "no_such_command_response",
            "request_id": "x-1",
            "success": false,
            "error": "unsupported command: no_such_command",
        })
    );

    client.send(json!({ "type": "ping" })).await;
    assert_eq!(client.recv().await, json!({ "type": "pong" }));

    client.send(json!({ "type": "app_server_info", "request_id": "still-up" })).await;
    assert_eq!(client.recv().await["request_id"], "still-up");
}

#[tokio::test]
async fn every_frame_is_logged_per_session_without_the_token() {
    let server = Server::start();
    let mut client = server.connect().await;
    client.send(json!({ "type": "app_server_info", "request_id": "logged-1" })).await;
    client.recv().await;
    let _ = Client::connect(&server.url(), Some("wrong-token"), None).await;
    let dir = server.data_dir.path().join("logs/remote");
    // The writer flushes every 200 ms; wait for the line rather than for a fixed time.
    let mut text = String::new();
    for _ in 0..100 {
        let files: Vec<_> = std::fs::read_dir(&dir).expect("log dir").filter_map(Result::ok).collect();
        assert_eq!(files.len(), 1, "one file per server session");
        text = std::fs::read_to_string(files[0].path()).expect("log");
        if text.contains("logged-1") && text.contains("app_server_info_response") && text.contains("refused") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(text.contains("<- {") && text.contains("\"request_id\":\"logged-1\""), "{text}");
    assert!(text.contains("-> {") && text.contains("app_server_info_response"), "{text}");
    assert!(text.contains("refused upgrade: invalid token"), "{text}");
    assert!(!text.contains(TOKEN) && !text.contains("wrong-token"), "no credential in the log");
}

#[tokio::test]
async fn sigterm_closes_sockets_and_exits_cleanly() {
    let mut server = Server::start();
    let mut client = server.connect().await;
    client.send(json!({ "type": "app_server_info", "request_id": "before" })).await;
    client.recv().await;
    let status = server.terminate();
    assert!(status.success(), "exit status {status:?}");
}

#[tokio::test]
async fn browsers_may_send_the_token_as_a_subprotocol() {
    let server = Server::start();
    let protocols = format!("tether.v1, tether.bearer.{TOKEN}");
    let (mut client, response) = Client::connect_with(&server.url(), &[("Sec-WebSocket-Protocol", &protocols)]).await.expect("connect");
    assert_eq!(response.headers().get("sec-websocket-protocol").map(|v| v.to_str().unwrap_or("")), Some("tether.v1"));
    client.send(json!({ "type": "app_server_info", "request_id": "p" })).await;
    assert_eq!(client.recv().await["request_id"], "p");
    let wrong = Client::connect_with(&server.url(), &[("Sec-WebSocket-Protocol", "tether.v1, tether.bearer.nope")]).await;
    assert_eq!(refused_status(wrong.map(|(c, _)| c)), 401);
}

#[tokio::test]
async fn the_token_buys_a_same_origin_session_cookie() {
    let server = Server::start();
    let own = format!("http://127.0.0.1:{}", server.port);
    let bearer = format!("Bearer {TOKEN}");
    let (status, _, _) = super::harness::http(server.port, "POST", "/auth/session", &[("Origin", &own)]).await;
    assert_eq!(status, 401, "no token, no session");
    let (status, _, _) =
        super::harness::http(server.port, "POST", "/auth/session", &[("Authorization", &bearer), ("Origin", "http://evil.example")]).await;
    assert_eq!(status, 403, "no session for a foreign page");
    let (status, headers, body) = super::harness::http(
        server.port,
        "POST",
        "/auth/session",
        &[("Authorization", &bearer), ("Origin", &own), ("User-Agent", "Mozilla/5.0 (Linux; Android 14) Chrome/120.0 Mobile")],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("Chrome on Android"), "{body}");
    let set_cookie = headers.iter().find(|(k, _)| k == "set-cookie").map(|(_, v)| v.clone()).expect("set-cookie");
    for attribute in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(set_cookie.contains(attribute), "{set_cookie}");
    }
    let cookie = set_cookie.split(';').next().expect("cookie").to_owned();
    assert!(!cookie.contains(TOKEN), "the cookie is a new credential, not the token");

    let (mut client, _) = Client::connect_with(&server.url(), &[("Cookie", &cookie), ("Origin", &own)]).await.expect("cookie works");
    client.send(json!({ "type": "app_server_info", "request_id": "c" })).await;
    assert_eq!(client.recv().await["request_id"], "c");

    let foreign = Client::connect_with(&server.url(), &[("Cookie", &cookie), ("Origin", "http://evil.example")]).await;
    assert_eq!(refused_status(foreign.map(|(c, _)| c)), 403);
    let no_origin = Client::connect_with(&server.url(), &[("Cookie", &cookie)]).await;
    assert_eq!(refused_status(no_origin.map(|(c, _)| c)), 401, "a cookie alone is not enough outside a page");
    let forged = Client::connect_with(&server.url(), &[("Cookie", "tether_session=forged"), ("Origin", &own)]).await;
    assert_eq!(refused_status(forged.map(|(c, _)| c)), 401);
}

#[tokio::test]
async fn health_readiness_and_the_web_ui_share_the_port() {
    let dist = tempfile::tempdir().expect("dist");
    std::fs::write(dist.path().join("index.html"), "<!doctype html><title>tether test ui</title>").expect("index");
    let dist_arg = dist.path().display().to_string();
    let server = Server::start_with(&["--token", TOKEN, "--web-dist", &dist_arg]);
    let (status, _, body) = super::harness::http(server.port, "GET", "/healthz", &[]).await;
    assert_eq!((status, body.trim()), (200, "ok"));
    let (status, _, body) = super::harness::http(server.port, "GET", "/readyz", &[]).await;
    assert_eq!((status, body.trim()), (200, "ready"));
    let (status, _, body) = super::harness::http(server.port, "GET", "/", &[]).await;
    assert_eq!(status, 200);
    assert!(body.contains("tether test ui"));
    let (status, _, body) = super::harness::http(server.port, "GET", "/c/some/deep/link", &[]).await;
    assert_eq!(status, 200, "client-side routes fall back to the app");
    assert!(body.contains("tether test ui"));
}
