//! Direct mode over real sockets: the real `tether remote` dials a small controller
//! written here, which drives it with the same v2 commands as `tether app-server`.

use std::time::Duration;

use pretty_assertions::assert_eq;
use serde_json::{json, Value};

use super::remote_controller::{assistant_text, Conn, Controller, Remote, TOKEN};

fn token_args() -> Vec<&'static str> {
    vec!["--token", TOKEN]
}

fn scope(agent_id: &str, conversation_id: &str) -> Value {
    json!({ "agent_id": agent_id, "conversation_id": conversation_id })
}

fn dirs() -> (tempfile::TempDir, tempfile::TempDir) {
    (tempfile::tempdir().expect("data dir"), tempfile::tempdir().expect("workspace"))
}

#[tokio::test]
async fn dials_with_bearer_and_identity_and_serves_a_turn_with_an_approval() {
    let controller = Controller::bind().await;
    let (data, workspace) = dirs();
    let logs = tempfile::tempdir().expect("log dir");
    let log_dir = logs.path().join("transport");
    let mut args = token_args();
    args.extend(["--log-dir", log_dir.to_str().expect("utf-8")]);
    let _remote = Remote::start(&controller.url(), "env-a", data.path(), workspace.path(), &args, &[]);

    let (mut conn, handshake) = controller.accept().await;
    assert_eq!(handshake.authorization.as_deref(), Some(format!("Bearer {TOKEN}").as_str()));
    assert_eq!(handshake.path, "/agent");
    let device_id = std::fs::read_to_string(data.path().join("device-id")).expect("device id kept in the data dir");
    assert_eq!(handshake.query.get("deviceId").map(String::as_str), Some(device_id.trim()));
    assert_eq!(handshake.query.get("connectionName").map(String::as_str), Some("env-a"));
    assert_eq!(handshake.query.get("version").map(String::as_str), Some(env!("CARGO_PKG_VERSION")));

    let (agent_id, conversation_id) = conn.start_new(json!({ "mode": "standard" })).await;
    conn.say(&agent_id, &conversation_id, "in", r#"tool: Bash {"command":"echo hi"}"#).await;
    let asked = conn.until(|f| f["type"] == "control_request").await;
    let request = asked.last().expect("control_request").clone();
    assert_eq!(request["request"]["tool_name"], "Bash");
    assert_eq!(request["request"]["input"], json!({ "command": "echo hi" }));
    conn.send(json!({ "type": "input", "request_id": "ans", "runtime": scope(&agent_id, &conversation_id),
        "payload": { "kind": "approval_response", "request_id": request["request_id"], "decision": { "behavior": "allow" } } }))
        .await;
    let frames = conn.until_turn_finished().await;
    let returns: Vec<&Value> = frames.iter().filter(|f| f["delta"]["message_type"] == "tool_return_message").collect();
    assert_eq!(returns.len(), 1, "{frames:?}");
    assert_eq!(returns[0]["delta"]["status"], "success");
    assert!(returns[0]["delta"]["tool_return"].as_str().unwrap_or("").contains("hi"));
    assert!(assistant_text(&frames).contains("hi"), "the model summarises the output");
    assert_eq!(frames.last().expect("finished")["stop_reason"], "end_turn");

    // The transport log went to --log-dir, not to <data>/logs/remote.
    let mut logged = String::new();
    for _ in 0..100 {
        logged = std::fs::read_dir(&log_dir)
            .expect("log dir created")
            .filter_map(|e| std::fs::read_to_string(e.expect("entry").path()).ok())
            .collect();
        if logged.contains("turn_finished") {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(logged.contains("connected to ws://127.0.0.1"), "{logged}");
    assert!(logged.contains("turn_finished"), "{logged}");
    assert!(!logged.contains(TOKEN), "the token never reaches the log");
    assert!(!data.path().join("logs").join("remote").exists());
}

#[tokio::test]
async fn a_close_with_1008_means_refused_and_the_process_exits_non_zero() {
    let controller = Controller::bind().await;
    let (data, workspace) = dirs();
    let mut remote = Remote::start(&controller.url(), "env-a", data.path(), workspace.path(), &["--token", "wrong"], &[]);
    let (conn, handshake) = controller.accept().await;
    assert_eq!(handshake.authorization.as_deref(), Some("Bearer wrong"));
    conn.close(1008, "invalid token").await;
    let (status, stderr) = remote.exited().await;
    assert_eq!(status.code(), Some(3), "refused has its own exit status");
    assert!(stderr.contains("refused the credential"), "{stderr}");
    assert!(stderr.contains("1008 invalid token"), "{stderr}");
}

#[tokio::test]
async fn an_http_401_on_the_handshake_means_refused_too() {
    let controller = Controller::bind().await;
    let (data, workspace) = dirs();
    let mut remote = Remote::start(&controller.url(), "env-a", data.path(), workspace.path(), &["--token", "wrong"], &[]);
    assert!(controller.accept_answering(Some(401)).await.is_none());
    let (status, stderr) = remote.exited().await;
    assert_eq!(status.code(), Some(3));
    assert!(stderr.contains("refused the credential (HTTP 401 on the handshake)"), "{stderr}");
}

#[tokio::test]
async fn gives_up_with_a_clear_message_when_the_controller_stays_down() {
    // A port with nothing listening: bind, note it, release it.
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let (data, workspace) = dirs();
    let url = format!("ws://127.0.0.1:{port}/agent");
    let mut remote =
        Remote::start(&url, "env-a", data.path(), workspace.path(), &token_args(), &[("TETHER_REMOTE_BUDGET_SECS", "2")]);
    let (status, stderr) = remote.exited().await;
    assert_eq!(status.code(), Some(1));
    assert!(stderr.contains("could not reach the controller for 2 s"), "{stderr}");
    assert!(stderr.contains("--forever"), "{stderr}");
    assert!(stderr.contains("retrying in 1.0 s"), "it retried before giving up: {stderr}");
}

/// Drops the socket without a close frame once it has been quiet briefly (so nothing is
/// in flight), the way a controller crash or a network cut looks to the runtime.
async fn drop_when_quiet(mut conn: Conn, seen: &mut Vec<Value>) {
    seen.extend(conn.drain_for(Duration::from_millis(100)).await);
    drop(conn);
}

#[tokio::test]
async fn a_drop_mid_turn_reconnects_replays_and_delivers_the_rest_in_order() {
    let controller = Controller::bind().await;
    let (data, workspace) = dirs();
    let _remote = Remote::start(&controller.url(), "env-a", data.path(), workspace.path(), &token_args(), &[]);
    let (mut conn, first) = controller.accept().await;
    let (agent_id, conversation_id) = conn.start_new(json!({})).await;
    conn.say(&agent_id, &conversation_id, "slow", "sleep: 300\nhello").await;
    let mut before = conn.until(|f| f["delta"]["message_type"] == "assistant_message").await;
    drop_when_quiet(conn, &mut before).await;

    // The runtime dials again by itself, as the same environment.
    let (mut conn, second) = controller.accept().await;
    assert_eq!(second.query.get("deviceId"), first.query.get("deviceId"));
    assert_eq!(second.query.get("connectionName"), first.query.get("connectionName"));
    // The rest of the turn, and the state replay, unasked (the controller sends nothing):
    // device status, loop status and the queue. The turn never touches the queue after
    // it started, so an `update_queue` on this socket can only be the replay.
    let mut after = conn.until_turn_finished().await;
    if !after.iter().any(|f| f["type"] == "update_queue") {
        after.extend(conn.until(|f| f["type"] == "update_queue").await);
    }
    let finished: Vec<&Value> = after.iter().filter(|f| f["type"] == "turn_finished").collect();
    assert_eq!(finished.len(), 1);
    assert_eq!(finished[0]["stop_reason"], "end_turn");
    let replayed = after.iter().position(|f| f["type"] == "update_queue").expect("replayed queue");
    let replay_types: Vec<&str> = after[..replayed].iter().rev().take(2).filter_map(|f| f["type"].as_str()).collect();
    assert_eq!(replay_types, vec!["update_loop_status", "update_device_status"], "replay order: device, loop, queue");
    let loop_status = after.iter().rev().find(|f| f["type"] == "update_loop_status").expect("loop status");
    assert_eq!(loop_status["loop_status"]["status"], "WAITING_ON_INPUT");

    // Nothing lost, nothing repeated, in order: event_seq only increases across both
    // sockets, and the answer is whole (the same text an undisturbed turn gives).
    let seqs: Vec<u64> = before.iter().chain(&after).filter_map(|f| f["event_seq"].as_u64()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "event_seq must increase: {seqs:?}");
    let interrupted_text = assistant_text(&before) + &assistant_text(&after);
    conn.say(&agent_id, &conversation_id, "again", "hello").await;
    let undisturbed = conn.until_turn_finished().await;
    assert_eq!(interrupted_text, assistant_text(&undisturbed));
    assert!(!assistant_text(&before).is_empty() && !assistant_text(&after).is_empty(), "the drop was mid-answer");

    // `sync` is still answered as usual.
    let (synced, _) =
        conn.request(json!({ "type": "sync", "request_id": "s", "runtime": scope(&agent_id, &conversation_id) })).await;
    assert_eq!(synced["success"], true);
}

#[tokio::test]
async fn an_approval_waits_across_a_drop_and_is_replayed() {
    let controller = Controller::bind().await;
    let (data, workspace) = dirs();
    let _remote = Remote::start(&controller.url(), "env-a", data.path(), workspace.path(), &token_args(), &[]);
    let (mut conn, _) = controller.accept().await;
    let (agent_id, conversation_id) = conn.start_new(json!({ "mode": "standard" })).await;
    conn.say(&agent_id, &conversation_id, "in", r#"tool: Bash {"command":"echo still-here"}"#).await;
    let mut seen = conn.until(|f| f["type"] == "control_request").await;
    let request_id = seen.last().expect("asked")["request_id"].clone();
    drop_when_quiet(conn, &mut seen).await;

    let (mut conn, _) = controller.accept().await;
    let replay = conn.until(|f| f["type"] == "control_request").await;
    assert_eq!(replay.last().expect("replayed")["request_id"], request_id);
    let status = replay.iter().rev().find(|f| f["type"] == "update_device_status").expect("device status");
    assert_eq!(status["device_status"]["pending_control_requests"][0]["request_id"], request_id);
    conn.send(json!({ "type": "input", "request_id": "ans", "runtime": scope(&agent_id, &conversation_id),
        "payload": { "kind": "approval_response", "request_id": request_id, "decision": { "behavior": "allow" } } }))
        .await;
    let frames = conn.until_turn_finished().await;
    assert!(assistant_text(&frames).contains("still-here"), "{frames:?}");
}

#[tokio::test]
async fn after_a_restart_cwd_and_mode_come_back_and_queued_inputs_run() {
    let controller = Controller::bind().await;
    let (data, workspace) = dirs();
    let cwd = std::fs::canonicalize(workspace.path()).expect("cwd").join("project");
    std::fs::create_dir(&cwd).expect("mkdir");
    let mut remote = Remote::start(&controller.url(), "env-a", data.path(), workspace.path(), &token_args(), &[]);
    let (mut conn, _) = controller.accept().await;
    let (agent_id, conversation_id) = conn.start_new(json!({ "mode": "acceptEdits", "cwd": cwd })).await;
    conn.say(&agent_id, &conversation_id, "slow", "sleep: 5000\ninterrupted by the restart").await;
    conn.until(|f| f["type"] == "input_accepted" && f["request_id"] == "slow").await;
    conn.say(&agent_id, &conversation_id, "queued", "queued before the restart").await;
    let ack = conn.until(|f| f["type"] == "input_accepted" && f["request_id"] == "queued").await;
    assert_eq!(ack.last().expect("ack")["disposition"], "queued");
    remote.kill9();
    drop(conn);

    let _remote = Remote::start(&controller.url(), "env-a", data.path(), workspace.path(), &token_args(), &[]);
    let (mut conn, _) = controller.accept().await;
    // The queued input runs by itself, and the controller hears about it unasked.
    let frames = conn.until_turn_finished().await;
    let frames = if frames.last().expect("finished")["stop_reason"] == "error" {
        // The turn the restart interrupted is reported first, with a reason.
        let mut rest = conn.until_turn_finished().await;
        rest.splice(0..0, frames);
        rest
    } else {
        frames
    };
    let finished: Vec<&Value> = frames.iter().filter(|f| f["type"] == "turn_finished").collect();
    assert_eq!(finished.last().expect("finished")["stop_reason"], "end_turn", "{frames:?}");
    let status = frames.iter().find(|f| f["type"] == "update_device_status").expect("device status");
    assert_eq!(status["device_status"]["current_permission_mode"], "acceptEdits");
    assert_eq!(status["device_status"]["current_working_directory"], cwd.display().to_string());

    // runtime_start without cwd or mode sees the same restored state.
    let (started, replay) = conn
        .request(json!({ "type": "runtime_start", "request_id": "rs", "agent_id": agent_id, "conversation_id": conversation_id }))
        .await;
    assert_eq!(started["success"], true, "{started}");
    let mut replay = replay;
    replay.extend(conn.until(|f| f["type"] == "update_device_status").await);
    let status = replay.iter().rev().find(|f| f["type"] == "update_device_status").expect("device status");
    assert_eq!(status["device_status"]["current_permission_mode"], "acceptEdits");
    assert_eq!(status["device_status"]["current_working_directory"], cwd.display().to_string());
}

#[tokio::test]
async fn two_environments_serve_their_own_conversations_on_one_controller() {
    let controller = Controller::bind().await;
    let (data_a, workspace_a) = dirs();
    let (data_b, workspace_b) = dirs();
    let _a = Remote::start(&controller.url(), "alpha", data_a.path(), workspace_a.path(), &token_args(), &[]);
    // The second one reads its credential from a file.
    let token_file = data_b.path().join("controller-token");
    std::fs::write(&token_file, format!("{TOKEN}\n")).expect("token file");
    let file_args = ["--token-file", token_file.to_str().expect("utf-8")];
    let _b = Remote::start(&controller.url(), "beta", data_b.path(), workspace_b.path(), &file_args, &[]);
    let mut conns = Vec::new();
    for _ in 0..2 {
        conns.push(controller.accept().await);
    }
    conns.sort_by(|x, y| x.1.query["connectionName"].cmp(&y.1.query["connectionName"]));
    let names: Vec<&str> = conns.iter().map(|(_, h)| h.query["connectionName"].as_str()).collect();
    assert_eq!(names, vec!["alpha", "beta"]);
    assert_ne!(conns[0].1.query["deviceId"], conns[1].1.query["deviceId"]);
    for (_, handshake) in &conns {
        assert_eq!(handshake.authorization.as_deref(), Some(format!("Bearer {TOKEN}").as_str()));
    }

    let mut started = Vec::new();
    for (conn, _) in &mut conns {
        started.push(conn.start_new(json!({ "cwd": "." })).await);
    }
    for ((conn, handshake), (agent_id, conversation_id)) in conns.iter_mut().zip(&started) {
        let name = &handshake.query["connectionName"];
        conn.say(agent_id, conversation_id, "in", &format!("hello from the controller to {name}")).await;
        let frames = conn.until_turn_finished().await;
        assert!(frames.iter().filter_map(|f| f["runtime"]["conversation_id"].as_str()).all(|c| c == conversation_id), "{name}");
        let status = frames.iter().rev().find(|f| f["type"] == "update_device_status").expect("status");
        let cwd = status["device_status"]["current_working_directory"].as_str().expect("cwd").to_owned();
        let expected = if name == "alpha" { &workspace_a } else { &workspace_b };
        assert_eq!(cwd, std::fs::canonicalize(expected.path()).expect("canon").display().to_string(), "{name}");
    }
    assert_ne!(started[0].1, started[1].1);
}

#[tokio::test]
async fn sigterm_closes_the_socket_with_1001_and_exits_cleanly() {
    let controller = Controller::bind().await;
    let (data, workspace) = dirs();
    let mut remote = Remote::start(&controller.url(), "env-a", data.path(), workspace.path(), &token_args(), &[]);
    let (mut conn, _) = controller.accept().await;
    conn.start_new(json!({})).await;
    remote.terminate();
    assert_eq!(conn.close_code().await, Some(1001));
    let (status, _) = remote.exited().await;
    assert!(status.success(), "{status:?}");
}
