//! `app_server_info` over a real socket.

use pretty_assertions::assert_eq;
use serde_json::json;

use super::harness::Server;

#[tokio::test]
async fn answers_app_server_info_with_true_capabilities() {
    let server = Server::start();
    let mut client = server.connect().await;
    client.send(json!({ "type": "app_server_info", "request_id": "info-1" })).await;
    let reply = client.recv().await;
    assert_eq!(reply["type"], "app_server_info_response");
    assert_eq!(reply["request_id"], "info-1");
    assert_eq!(reply["success"], true);
    assert_eq!(reply["backend"], "local");
    assert_eq!(reply["protocol_version"], 1);
    assert_eq!(reply["letta_code_version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(reply["capabilities"]["split_channels"], false);
}

#[tokio::test]
async fn first_stdout_line_names_the_bound_port() {
    let server = Server::start();
    assert_eq!(server.stdout_lines[0], format!("Listening on ws://127.0.0.1:{}", server.port));
    assert_ne!(server.port, 0);
}
