//! Permission modes and the approval flow over real sockets (scripted model calling tools).

use pretty_assertions::assert_eq;
use serde_json::{json, Value};

use super::harness::{of_type, Client, Server};

/// A user message that makes the scripted model call `tool` with `args`.
fn call(tool: &str, args: Value) -> String {
    format!("tool: {tool} {args}")
}

fn scope(agent_id: &str, conversation_id: &str) -> Value {
    json!({ "agent_id": agent_id, "conversation_id": conversation_id })
}

async fn answer(client: &mut Client, agent_id: &str, conversation_id: &str, request_id: &str, approval: Value, decision: Value) {
    client
        .send(json!({ "type": "input", "request_id": request_id, "runtime": scope(agent_id, conversation_id),
            "payload": { "kind": "approval_response", "request_id": approval, "decision": decision } }))
        .await;
}

fn tool_returns(frames: &[Value]) -> Vec<&Value> {
    frames.iter().filter(|f| f["delta"]["message_type"] == "tool_return_message").map(|f| &f["delta"]).collect()
}

async fn start(server: &Server, mode: &str) -> (Client, String, String) {
    let mut client = server.connect().await;
    let (agent_id, conversation_id) = client.start_new(json!({ "mode": mode })).await;
    (client, agent_id, conversation_id)
}

#[tokio::test]
async fn bash_asks_in_standard_mode_and_runs_once_allowed() {
    let server = Server::start();
    let (mut client, agent_id, conversation_id) = start(&server, "standard").await;
    client.say(&agent_id, &conversation_id, "in", &call("Bash", json!({ "command": "echo hello-from-bash" }))).await;
    let mut asked = client.until(|f| f["type"] == "control_request").await;
    let request = asked.last().expect("control_request").clone();
    assert_eq!(request["request"]["subtype"], "can_use_tool");
    assert_eq!(request["request"]["tool_name"], "Bash");
    assert_eq!(request["request"]["input"], json!({ "command": "echo hello-from-bash" }));
    assert_eq!(request["request"]["blocked_path"], Value::Null);
    assert!(!request["request"]["permission_suggestions"].as_array().expect("suggestions").is_empty());
    asked.extend(client.until(|f| f["type"] == "update_device_status").await);
    assert!(asked.iter().any(|f| f["delta"]["message_type"] == "approval_request_message"));
    assert!(asked.iter().any(|f| f["type"] == "approval_requested" && f["request_id"] == request["request_id"]));
    let status = &asked.last().expect("status")["device_status"];
    assert_eq!(status["pending_control_requests"][0]["request_id"], request["request_id"]);
    assert!(asked.iter().any(|f| f["loop_status"]["status"] == "WAITING_ON_APPROVAL"));

    answer(&mut client, &agent_id, &conversation_id, "ans", request["request_id"].clone(), json!({ "behavior": "allow" })).await;
    let frames = client.until_turn_finished().await;
    let accepted = of_type(&frames, "input_accepted");
    assert_eq!(accepted[0]["accepted"], true);
    let order: Vec<String> = frames
        .iter()
        .filter_map(|f| match f["type"].as_str() {
            Some("stream_delta") => f["delta"]["message_type"].as_str().map(str::to_owned),
            Some(other) => Some(other.to_owned()),
            None => None,
        })
        .filter(|t| {
            ["approval_received", "client_tool_start", "tool_execution_started", "tool_return_message", "client_tool_end", "tool_execution_finished"]
                .contains(&t.as_str())
        })
        .collect();
    assert_eq!(
        order,
        ["approval_received", "client_tool_start", "tool_execution_started", "tool_return_message", "client_tool_end", "tool_execution_finished"]
    );
    let returns = tool_returns(&frames);
    assert_eq!(returns[0]["status"], "success");
    assert!(returns[0]["tool_return"].as_str().unwrap_or("").contains("hello-from-bash"));
    let live: String = frames
        .iter()
        .filter(|f| f["delta"]["message_type"] == "client_tool_output")
        .filter_map(|f| f["delta"]["output"].as_str())
        .collect();
    assert!(live.contains("hello-from-bash"), "output streams while the tool runs: {live:?}");
    assert!(super::harness::assistant_text(&frames).contains("hello-from-bash"), "the model quotes the result");
    assert_eq!(frames.last().expect("finished")["stop_reason"], "end_turn");
}

#[tokio::test]
async fn allow_with_updated_input_runs_the_edited_command() {
    let server = Server::start();
    let (mut client, agent_id, conversation_id) = start(&server, "standard").await;
    client.say(&agent_id, &conversation_id, "in", &call("Bash", json!({ "command": "echo original" }))).await;
    let request = client.until(|f| f["type"] == "control_request").await.pop().expect("request");
    answer(&mut client, &agent_id, &conversation_id, "ans", request["request_id"].clone(),
        json!({ "behavior": "allow", "updated_input": { "command": "echo edited-by-human" } })).await;
    let frames = client.until_turn_finished().await;
    let output = tool_returns(&frames)[0]["tool_return"].as_str().unwrap_or("").to_owned();
    assert!(output.contains("edited-by-human") && !output.contains("original"), "{output}");
}

#[tokio::test]
async fn deny_leaves_the_file_untouched_and_tells_the_model_why() {
    let server = Server::start();
    let (mut client, agent_id, conversation_id) = start(&server, "standard").await;
    let file = server.workspace.path().join("keep.txt");
    std::fs::write(&file, "original\n").expect("write");
    client.say(&agent_id, &conversation_id, "in",
        &call("Write", json!({ "file_path": file, "content": "overwritten\n" }))).await;
    let request = client.until(|f| f["type"] == "control_request").await.pop().expect("request");
    let diffs = &request["request"]["diffs"];
    assert_eq!(diffs[0]["mode"], "advanced", "{diffs}");
    let lines: Vec<_> = diffs[0]["hunks"][0]["lines"].as_array().expect("lines").iter().map(|l| (l["type"].clone(), l["content"].clone())).collect();
    assert!(lines.contains(&(json!("remove"), json!("original"))), "{lines:?}");
    assert!(lines.contains(&(json!("add"), json!("overwritten"))), "{lines:?}");

    answer(&mut client, &agent_id, &conversation_id, "ans", request["request_id"].clone(),
        json!({ "behavior": "deny", "message": "not this file" })).await;
    let frames = client.until_turn_finished().await;
    assert_eq!(std::fs::read_to_string(&file).expect("read"), "original\n");
    let result = tool_returns(&frames)[0];
    assert_eq!(result["status"], "error");
    assert!(result["tool_return"].as_str().unwrap_or("").contains("not this file"), "{result}");
    let received = of_type(&frames, "approval_received");
    assert_eq!(received[0]["decision"], "deny");
}

#[tokio::test]
async fn a_pending_approval_is_replayed_on_sync_and_the_first_answer_wins() {
    let server = Server::start();
    let (mut laptop, agent_id, conversation_id) = start(&server, "standard").await;
    laptop.say(&agent_id, &conversation_id, "in", &call("Bash", json!({ "command": "echo raced" }))).await;
    let request = laptop.until(|f| f["type"] == "control_request").await.pop().expect("request");

    let mut phone = server.connect().await;
    let (synced, replay) = phone
        .request(json!({ "type": "sync", "request_id": "s", "runtime": scope(&agent_id, &conversation_id) }))
        .await;
    assert_eq!(synced["success"], true);
    let replayed = of_type(&replay, "control_request");
    assert_eq!(replayed.len(), 1, "the pending approval is replayed");
    assert_eq!(replayed[0]["request_id"], request["request_id"]);

    answer(&mut phone, &agent_id, &conversation_id, "phone-ans", request["request_id"].clone(), json!({ "behavior": "allow" })).await;
    let ack = phone.until(|f| f["type"] == "input_accepted").await.pop().expect("ack");
    assert_eq!(ack["accepted"], true);
    answer(&mut laptop, &agent_id, &conversation_id, "laptop-ans", request["request_id"].clone(), json!({ "behavior": "deny", "message": "late" })).await;
    // The late refusal and the end of the turn may arrive in either order.
    let mut frames = Vec::new();
    while !(frames.iter().any(|f: &Value| f["request_id"] == "laptop-ans") && frames.iter().any(|f| f["type"] == "turn_finished")) {
        frames.push(laptop.recv().await);
    }
    let late = frames.iter().find(|f| f["request_id"] == "laptop-ans").expect("late ack");
    assert_eq!(late["type"], "input_accepted");
    assert_eq!(late["accepted"], false);
    assert!(late["error"].as_str().unwrap_or("").contains("no pending approval"), "{late}");
    assert_eq!(tool_returns(&frames)[0]["status"], "success", "the first answer (allow) won");
    let statuses = of_type(&frames, "update_device_status");
    assert_eq!(statuses.last().expect("status")["device_status"]["pending_control_requests"], json!([]));
    let on_phone = phone.until_turn_finished().await;
    assert!(!tool_returns(&on_phone).is_empty(), "the phone sees the result too");
}

#[tokio::test]
async fn abort_during_a_pending_approval_cancels_the_turn() {
    let server = Server::start();
    let (mut client, agent_id, conversation_id) = start(&server, "standard").await;
    client.say(&agent_id, &conversation_id, "in", &call("Bash", json!({ "command": "echo never" }))).await;
    let request = client.until(|f| f["type"] == "control_request").await.pop().expect("request");
    let (aborted, _) = client
        .request(json!({ "type": "abort_message", "request_id": "ab", "runtime": scope(&agent_id, &conversation_id) }))
        .await;
    assert_eq!(aborted["aborted"], true);
    let frames = client.until_turn_finished().await;
    assert_eq!(frames.last().expect("finished")["stop_reason"], "cancelled");
    assert!(tool_returns(&frames).iter().all(|r| !r["tool_return"].as_str().unwrap_or("").contains("never\n")));
    answer(&mut client, &agent_id, &conversation_id, "late", request["request_id"].clone(), json!({ "behavior": "allow" })).await;
    let late = client.until(|f| f["type"] == "input_accepted").await.pop().expect("ack");
    assert_eq!(late["accepted"], false);

    // The next turn still works, and the model was told the call never ran.
    client.say(&agent_id, &conversation_id, "next", "hello again").await;
    let next = client.until_turn_finished().await;
    assert_eq!(next.last().expect("finished")["stop_reason"], "end_turn");
}

#[tokio::test]
async fn a_suggestion_accepted_once_becomes_a_persistent_rule() {
    let server = Server::start();
    let (mut client, agent_id, conversation_id) = start(&server, "standard").await;
    let command = json!({ "command": "echo rule-me" });
    client.say(&agent_id, &conversation_id, "in", &call("Bash", command.clone())).await;
    let request = client.until(|f| f["type"] == "control_request").await.pop().expect("request");
    let suggestion = request["request"]["permission_suggestions"][0].clone();
    answer(&mut client, &agent_id, &conversation_id, "ans", request["request_id"].clone(),
        json!({ "behavior": "allow", "selected_permission_suggestion_ids": [suggestion["id"]] })).await;
    client.until_turn_finished().await;
    let settings = std::fs::read_to_string(server.workspace.path().join(".tether/settings.json")).expect("settings file");
    assert!(settings.contains("Bash("), "{settings}");

    client.say(&agent_id, &conversation_id, "again", &call("Bash", command)).await;
    let frames = client.until_turn_finished().await;
    assert!(of_type(&frames, "control_request").is_empty(), "the rule allows it now ({suggestion})");
    assert!(tool_returns(&frames)[0]["tool_return"].as_str().unwrap_or("").contains("rule-me"));
}

#[tokio::test]
async fn writes_outside_the_cwd_ask_with_blocked_path_even_in_accept_edits() {
    let server = Server::start();
    let (mut client, agent_id, conversation_id) = start(&server, "acceptEdits").await;
    let outside = tempfile::tempdir().expect("outside");
    let target = outside.path().join("escape.txt");
    client.say(&agent_id, &conversation_id, "in", &call("Write", json!({ "file_path": target, "content": "x" }))).await;
    let request = client.until(|f| f["type"] == "control_request").await.pop().expect("request");
    let real = std::fs::canonicalize(outside.path()).expect("real").join("escape.txt");
    assert_eq!(request["request"]["blocked_path"], real.display().to_string());

    // Inside the cwd, acceptEdits writes without asking.
    let (_, _) = (answer(&mut client, &agent_id, &conversation_id, "d", request["request_id"].clone(), json!({ "behavior": "deny", "message": "no" })).await, ());
    client.until_turn_finished().await;
    let inside = server.workspace.path().join("inside.txt");
    client.say(&agent_id, &conversation_id, "in2", &call("Write", json!({ "file_path": inside, "content": "ok\n" }))).await;
    let frames = client.until_turn_finished().await;
    assert!(of_type(&frames, "control_request").is_empty());
    assert_eq!(std::fs::read_to_string(inside).expect("written"), "ok\n");
    assert!(!target.exists());
}

#[tokio::test]
async fn each_mode_asks_for_what_it_should() {
    let server = Server::start();
    let file = server.workspace.path().join("notes.txt");
    std::fs::write(&file, "line one\n").expect("write");
    // (mode, tool, args, expect a question)
    let cases = [
        ("standard", "Read", json!({ "file_path": file }), false),
        ("standard", "Bash", json!({ "command": "true" }), true),
        ("strict", "Read", json!({ "file_path": file }), true),
        ("unrestricted", "Bash", json!({ "command": "echo free" }), false),
        ("acceptEdits", "Bash", json!({ "command": "true" }), true),
    ];
    for (mode, tool, args, asks) in cases {
        let (mut client, agent_id, conversation_id) = start(&server, mode).await;
        client.say(&agent_id, &conversation_id, "in", &call(tool, args)).await;
        let frames = client.until(|f| f["type"] == "control_request" || f["type"] == "turn_finished").await;
        let asked = frames.last().expect("frame")["type"] == "control_request";
        assert_eq!(asked, asks, "{mode} / {tool}");
        if asked {
            let request = frames.last().expect("request");
            answer(&mut client, &agent_id, &conversation_id, "ans", request["request_id"].clone(), json!({ "behavior": "allow" })).await;
            client.until_turn_finished().await;
        }
    }
}
