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

#[tokio::test]
async fn empty_model_and_token_variables_mean_unset_not_empty_values() {
    let server = Server::start_env(&["--token", super::harness::TOKEN], &[("TETHER_MODEL", "")]);
    let mut client = server.connect().await;
    let (response, _) = client
        .request(serde_json::json!({ "type": "runtime_start", "request_id": "rs", "create_agent": { "body": { "name": "no model" } } }))
        .await;
    assert_eq!(response["success"], true);
    assert_eq!(response["agent"]["model"], serde_json::Value::Null, "no model named \"\"");
    let (agent_id, conversation_id) = (
        response["runtime"]["agent_id"].as_str().expect("agent").to_owned(),
        response["runtime"]["conversation_id"].as_str().expect("conversation").to_owned(),
    );
    client.say(&agent_id, &conversation_id, "in", "hello").await;
    let frames = client.until_turn_finished().await;
    assert_eq!(frames.last().expect("finished")["stop_reason"], "end_turn", "falls back to the scripted model");

    let dir = tempfile::tempdir().expect("dir");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_tether"))
        .args(["app-server", "--data-dir"])
        .arg(dir.path())
        .env("TETHER_TOKEN", "")
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    // An empty token would let an empty `Bearer` header in: tether refuses to start.
    assert!(!out.status.success());
    assert!(stderr.contains("token given with --token or TETHER_TOKEN is empty"), "{stderr}");
    assert!(out.stdout.is_empty(), "it never listened");
}
