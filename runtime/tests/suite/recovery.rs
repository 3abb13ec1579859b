//! Durability: a `kill -9` mid-turn loses nothing that was acknowledged.

use std::time::Duration;

use pretty_assertions::assert_eq;
use serde_json::{json, Value};

use super::harness::{of_type, Client, Server};

async fn messages(client: &mut Client, conversation_id: &str) -> Vec<Value> {
    let (response, _) = client
        .request(json!({ "type": "conversation_messages_list", "request_id": "m",
            "conversation_id": conversation_id, "query": { "limit": 1000, "order": "asc" } }))
        .await;
    response["messages"].as_array().cloned().unwrap_or_default()
}

#[tokio::test]
async fn kill_9_mid_turn_keeps_conversation_transcript_queue_cwd_and_mode() {
    let server = Server::start();
    let cwd = std::fs::canonicalize(server.workspace.path()).expect("cwd").join("project");
    std::fs::create_dir(&cwd).expect("mkdir");
    let mut client = server.connect().await;
    let (agent_id, conversation_id) = client.start_new(json!({ "mode": "strict", "cwd": cwd })).await;
    let scope = json!({ "agent_id": agent_id, "conversation_id": conversation_id });

    client.say(&agent_id, &conversation_id, "slow", "sleep: 5000\nthis turn is interrupted").await;
    client.until(|f| f["type"] == "input_accepted").await;
    client.say(&agent_id, &conversation_id, "q-1", "first queued").await;
    client.say(&agent_id, &conversation_id, "q-2", "second queued").await;
    let acks = client.until(|f| f["type"] == "input_accepted" && f["request_id"] == "q-2").await;
    assert!(acks.iter().filter(|f| f["type"] == "input_accepted").all(|f| f["disposition"] == "queued"));

    let (data_dir, workspace) = server.kill9();
    let server = Server::start_in(data_dir, workspace, &["--token", super::harness::TOKEN]);
    let mut client = server.connect().await;
    let (started, _) = client
        .request(json!({ "type": "runtime_start", "request_id": "rs", "agent_id": agent_id, "conversation_id": conversation_id }))
        .await;
    assert_eq!(started["success"], true, "{started}");
    assert_eq!(started["created"], json!({ "agent": false, "conversation": false }));
    let replay = client.until(|f| f["type"] == "update_queue").await;
    let status = &of_type(&replay, "update_device_status").last().expect("device status")["device_status"];
    assert_eq!(status["current_permission_mode"], "strict");
    assert_eq!(status["current_working_directory"], cwd.display().to_string());

    // The interrupted turn is reported, exactly once, with a reason (in the start's replay).
    let (_, mut frames) = client.request(json!({ "type": "sync", "request_id": "s", "runtime": scope })).await;
    frames.extend(replay);
    let errors: Vec<_> = frames.iter().filter(|f| f["delta"]["message_type"] == "loop_error").collect();
    assert_eq!(errors.len(), 1, "{frames:?}");
    assert!(errors[0]["delta"]["message"].as_str().unwrap_or("").contains("interrupted"));
    let interrupted: Vec<_> = of_type(&frames, "turn_finished").into_iter().filter(|f| f["stop_reason"] == "error").collect();
    assert_eq!(interrupted.len(), 1);
    let (_, again) = client.request(json!({ "type": "sync", "request_id": "s2", "runtime": scope })).await;
    assert!(!again.iter().any(|f| f["delta"]["message_type"] == "loop_error"), "reported only once");

    // Both queued messages run after the restart, without being asked.
    let mut transcript = Vec::new();
    for _ in 0..200 {
        transcript = messages(&mut client, &conversation_id).await;
        let users: Vec<_> = transcript.iter().filter(|m| m["message_type"] == "user_message").collect();
        let answered = transcript.last().is_some_and(|m| m["message_type"] == "assistant_message");
        if users.len() == 3 && answered {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let users: Vec<_> = transcript
        .iter()
        .filter(|m| m["message_type"] == "user_message")
        .map(|m| m["content"].as_str().unwrap_or("").to_owned())
        .collect();
    assert_eq!(users, vec!["sleep: 5000\nthis turn is interrupted", "first queued", "second queued"]);
    assert_eq!(transcript.last().map(|m| m["message_type"].clone()), Some(json!("assistant_message")), "{transcript:?}");
}

#[tokio::test]
async fn a_pending_approval_is_settled_as_interrupted_after_a_crash_and_the_model_is_told() {
    let server = Server::start();
    let mut client = server.connect().await;
    let (agent_id, conversation_id) = client.start_new(json!({ "mode": "standard" })).await;
    let scope = json!({ "agent_id": agent_id, "conversation_id": conversation_id });
    client.say(&agent_id, &conversation_id, "in", r#"tool: Bash {"command":"echo should-not-run"}"#).await;
    client.until(|f| f["type"] == "control_request").await;

    let (data_dir, workspace) = server.kill9();
    let server = Server::start_in(data_dir, workspace, &["--token", super::harness::TOKEN]);
    let mut client = server.connect().await;
    let (_, frames) = client.request(json!({ "type": "sync", "request_id": "s", "runtime": scope })).await;
    assert!(of_type(&frames, "control_request").is_empty(), "nobody can answer it any more");
    assert_eq!(of_type(&frames, "turn_finished").len(), 1, "the interrupted turn is reported");

    client.say(&agent_id, &conversation_id, "next", "what happened?").await;
    let next = client.until_turn_finished().await;
    assert_eq!(next.last().expect("finished")["stop_reason"], "end_turn");
    let transcript = messages(&mut client, &conversation_id).await;
    let result = transcript.iter().find(|m| m["message_type"] == "tool_return_message").expect("the call got a result");
    assert_eq!(result["status"], "error");
    assert!(result["tool_return"].as_str().unwrap_or("").contains("Not run"), "{result}");
    assert!(!transcript.iter().any(|m| m["tool_return"].as_str().unwrap_or("").contains("should-not-run\n")));
}

#[tokio::test]
async fn sigterm_interrupts_running_turns_cleanly_and_keeps_the_queue() {
    let mut server = Server::start();
    let mut client = server.connect().await;
    let (agent_id, conversation_id) = client.start_new(json!({})).await;
    let scope = json!({ "agent_id": agent_id, "conversation_id": conversation_id });
    client.say(&agent_id, &conversation_id, "slow", "sleep: 3000\nslow").await;
    client.until(|f| f["type"] == "update_loop_status" && f["loop_status"]["status"] == "WAITING_FOR_API_RESPONSE").await;
    client.say(&agent_id, &conversation_id, "q", "queued before shutdown").await;
    client.until(|f| f["type"] == "input_accepted" && f["request_id"] == "q").await;
    assert!(server.terminate().success());

    let (data_dir, workspace) = server.kill9();
    let server = Server::start_in(data_dir, workspace, &["--token", super::harness::TOKEN]);
    let mut client = server.connect().await;
    let (_, frames) = client.request(json!({ "type": "sync", "request_id": "s", "runtime": scope })).await;
    assert!(
        !frames.iter().any(|f| f["delta"]["message_type"] == "loop_error"),
        "a clean shutdown records the turn as cancelled, not as interrupted: {frames:?}"
    );
    // The queued input survived and runs after the restart.
    let mut transcript = Vec::new();
    for _ in 0..200 {
        transcript = messages(&mut client, &conversation_id).await;
        if transcript.iter().any(|m| m["content"] == "queued before shutdown")
            && transcript.last().is_some_and(|m| m["message_type"] == "assistant_message")
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(transcript.iter().any(|m| m["content"] == "queued before shutdown"), "{transcript:?}");
    assert_eq!(transcript.last().map(|m| m["message_type"].clone()), Some(json!("assistant_message")));
}
