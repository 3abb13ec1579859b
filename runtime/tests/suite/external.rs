//! Controller-owned tools over real sockets: registration, scopes, calls, timeouts.

use pretty_assertions::assert_eq;
use serde_json::{json, Value};

use super::harness::{of_type, Client, Server};

fn lookup_group(scope_id: Option<&str>) -> Value {
    let mut group = json!({ "tools": [{ "name": "lookup", "description": "Looks a word up in the controller's dictionary.",
        "parameters": { "type": "object", "properties": { "q": { "type": "string" } }, "required": ["q"] } }] });
    if let Some(scope_id) = scope_id {
        group["scope_id"] = json!(scope_id);
    }
    group
}

async fn start(server: &Server, groups: Value) -> (Client, String, String) {
    let mut client = server.connect().await;
    let (agent_id, conversation_id) = client.start_new(json!({ "mode": "unrestricted", "external_tools": groups })).await;
    (client, agent_id, conversation_id)
}

fn tool_returns(frames: &[Value]) -> Vec<Value> {
    frames.iter().filter(|f| f["delta"]["message_type"] == "tool_return_message").map(|f| f["delta"].clone()).collect()
}

#[tokio::test]
async fn the_model_calls_a_controller_tool_and_gets_its_answer() {
    let server = Server::start();
    let (mut client, agent_id, conversation_id) = start(&server, json!([lookup_group(None)])).await;
    client.say(&agent_id, &conversation_id, "in", r#"tool: lookup {"q":"tether"}"#).await;
    let asked = client.until(|f| f["type"] == "external_tool_call_request").await;
    let call = asked.last().expect("call");
    assert_eq!(call["tool_name"], "lookup");
    assert_eq!(call["input"], json!({ "q": "tether" }));
    assert_eq!(call["runtime"]["conversation_id"], conversation_id.as_str());
    client
        .send(json!({ "type": "external_tool_call_response", "request_id": call["request_id"],
            "result": { "content": [{ "type": "text", "text": "a rope that holds things together" }] } }))
        .await;
    let frames = client.until_turn_finished().await;
    let returns = tool_returns(&frames);
    assert_eq!(returns[0]["status"], "success");
    assert_eq!(returns[0]["tool_return"], "a rope that holds things together");
    assert!(super::harness::assistant_text(&frames).contains("a rope that holds things together"));
}

#[tokio::test]
async fn an_error_answer_is_a_tool_error_the_model_sees() {
    let server = Server::start();
    let (mut client, agent_id, conversation_id) = start(&server, json!([lookup_group(None)])).await;
    client.say(&agent_id, &conversation_id, "in", r#"tool: lookup {"q":"x"}"#).await;
    let call = client.until(|f| f["type"] == "external_tool_call_request").await.pop().expect("call");
    client.send(json!({ "type": "external_tool_call_response", "request_id": call["request_id"], "error": "dictionary offline" })).await;
    let frames = client.until_turn_finished().await;
    let returns = tool_returns(&frames);
    assert_eq!(returns[0]["status"], "error");
    assert_eq!(returns[0]["tool_return"], "dictionary offline");
}

#[tokio::test]
async fn scoped_tools_are_visible_only_in_turns_that_name_their_scope() {
    let server = Server::start();
    let (mut client, agent_id, conversation_id) = start(&server, json!([lookup_group(Some("dict"))])).await;
    client.say(&agent_id, &conversation_id, "in", r#"tool: lookup {"q":"x"}"#).await;
    let frames = client.until_turn_finished().await;
    assert!(of_type(&frames, "external_tool_call_request").is_empty());
    assert!(tool_returns(&frames)[0]["tool_return"].as_str().unwrap_or("").contains("unknown or unavailable tool"));

    client
        .send(json!({ "type": "input", "request_id": "scoped", "runtime": { "agent_id": agent_id, "conversation_id": conversation_id },
            "payload": { "kind": "create_message", "external_tool_scope_ids": ["dict"],
                "messages": [{ "role": "user", "content": r#"tool: lookup {"q":"y"}"# }] } }))
        .await;
    let call = client.until(|f| f["type"] == "external_tool_call_request").await.pop().expect("call");
    assert_eq!(call["scope_id"], "dict");
    client
        .send(json!({ "type": "external_tool_call_response", "request_id": call["request_id"], "result": { "content": [{ "type": "text", "text": "ok" }] } }))
        .await;
    client.until_turn_finished().await;
}

#[tokio::test]
async fn an_unanswered_call_times_out_into_a_tool_error() {
    let server = Server::start_env(&["--token", super::harness::TOKEN], &[("TETHER_EXTERNAL_TOOL_TIMEOUT_MS", "300")]);
    let (mut client, agent_id, conversation_id) = start(&server, json!([lookup_group(None)])).await;
    client.say(&agent_id, &conversation_id, "in", r#"tool: lookup {"q":"x"}"#).await;
    let frames = client.until_turn_finished().await;
    let returns = tool_returns(&frames);
    assert_eq!(returns[0]["status"], "error");
    assert!(returns[0]["tool_return"].as_str().unwrap_or("").contains("did not answer"), "{returns:?}");
    assert_eq!(frames.last().expect("finished")["stop_reason"], "end_turn");
    // A late answer is refused clearly.
    let call = of_type(&frames, "external_tool_call_request")[0].clone();
    client.send(json!({ "type": "external_tool_call_response", "request_id": call["request_id"], "error": "late" })).await;
    let refusal = client.until(|f| f["type"] == "error").await.pop().expect("error");
    assert_eq!(refusal["code"], "unknown_call");
}

#[tokio::test]
async fn registrations_die_with_their_connection() {
    let server = Server::start();
    let (controller, agent_id, conversation_id) = start(&server, json!([lookup_group(None)])).await;
    drop(controller);
    let mut other = server.connect().await;
    // Give the server a moment to notice the close: sync round-trips until it does.
    let mut frames = Vec::new();
    for attempt in 0..50 {
        other.say(&agent_id, &conversation_id, &format!("in-{attempt}"), r#"tool: lookup {"q":"x"}"#).await;
        frames = other.until_turn_finished().await;
        if of_type(&frames, "external_tool_call_request").is_empty() && !tool_returns(&frames).is_empty() {
            break;
        }
    }
    assert!(tool_returns(&frames)[0]["tool_return"].as_str().unwrap_or("").contains("unknown or unavailable tool"));
}

#[tokio::test]
async fn external_tools_ask_for_approval_outside_unrestricted_mode() {
    let server = Server::start();
    let mut client = server.connect().await;
    let (agent_id, conversation_id) =
        client.start_new(json!({ "mode": "standard", "external_tools": [lookup_group(None)] })).await;
    client.say(&agent_id, &conversation_id, "in", r#"tool: lookup {"q":"x"}"#).await;
    let request = client.until(|f| f["type"] == "control_request").await.pop().expect("request");
    assert_eq!(request["request"]["tool_name"], "lookup");
}
