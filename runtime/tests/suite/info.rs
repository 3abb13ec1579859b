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

#[test]
fn doctor_checks_the_data_dir_and_reports_each_finding() {
    let dir = tempfile::tempdir().expect("dir");
    let data = dir.path().join("data");
    let dist = dir.path().join("dist");
    std::fs::create_dir(&dist).expect("dist");
    std::fs::write(dist.join("index.html"), "<!doctype html>").expect("index");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tether"))
        .args(["doctor", "--data-dir"])
        .arg(&data)
        .arg("--web-dist")
        .arg(&dist)
        .env_remove("TETHER_MODEL")
        .output()
        .expect("run doctor");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{text}");
    for name in ["data dir", "store", "model", "web UI", "shell"] {
        assert!(text.lines().any(|l| l.starts_with("ok") && l.contains(name)), "{name}: {text}");
    }
    let bad = std::process::Command::new(env!("CARGO_BIN_EXE_tether"))
        .args(["doctor", "--data-dir"])
        .arg(&data)
        .args(["--model", "nope/x"])
        .output()
        .expect("run doctor");
    assert!(!bad.status.success());
    assert!(String::from_utf8_lossy(&bad.stdout).lines().any(|l| l.starts_with("FAIL") && l.contains("model")));
}
