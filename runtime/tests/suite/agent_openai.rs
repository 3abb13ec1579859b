//! The agent loop end to end: a real runtime, a real socket, and a fake OpenAI-compatible
//! endpoint speaking the real SSE wire format.

use pretty_assertions::assert_eq;
use serde_json::{json, Value};

use super::harness::{assistant_text, of_type, Client, Server, TOKEN};
use super::model_fake::{FakeServer, Reply};

fn chunk(delta: Value, finish_reason: Option<&str>) -> String {
    let body = json!({ "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-test",
        "choices": [{ "index": 0, "delta": delta, "finish_reason": finish_reason }] });
    format!("data: {body}\n\n")
}

fn usage(prompt: u64, completion: u64) -> String {
    let body = json!({ "id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": "gpt-test", "choices": [],
        "usage": { "prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion } });
    format!("data: {body}\n\n")
}

const DONE: &str = "data: [DONE]\n\n";

/// A reply that calls Bash with `command`, its arguments split in small fragments.
fn bash_call(command: &str) -> Reply {
    let arguments = json!({ "command": command }).to_string();
    let mut chunks = vec![chunk(json!({ "role": "assistant", "content": null,
        "tool_calls": [{ "index": 0, "id": "call_e2e", "type": "function", "function": { "name": "Bash", "arguments": "" } }] }), None)];
    let pieces: Vec<char> = arguments.chars().collect();
    for piece in pieces.chunks(4) {
        let fragment: String = piece.iter().collect();
        chunks.push(chunk(json!({ "tool_calls": [{ "index": 0, "function": { "arguments": fragment } }] }), None));
    }
    chunks.push(chunk(json!({}), Some("tool_calls")));
    chunks.push(usage(50, 10));
    chunks.push(DONE.to_owned());
    Reply::sse(chunks)
}

fn text(parts: &[&str]) -> Reply {
    let mut chunks = vec![chunk(json!({ "role": "assistant", "content": "" }), None)];
    chunks.extend(parts.iter().map(|p| chunk(json!({ "content": p }), None)));
    chunks.push(chunk(json!({}), Some("stop")));
    chunks.push(usage(80, 5));
    chunks.push(DONE.to_owned());
    Reply::sse(chunks)
}

fn server_for(fake: &FakeServer, extra_env: &[(&str, &str)]) -> Server {
    let base = format!("{}/v1", fake.url);
    let mut env = vec![("OPENAI_BASE_URL", base.as_str()), ("OPENAI_API_KEY", "sk-e2e-secret")];
    env.extend_from_slice(extra_env);
    Server::start_env(&["--token", TOKEN, "--model", "openai/gpt-test"], &env)
}

async fn start(server: &Server, mode: &str) -> (Client, String, String) {
    let mut client = server.connect().await;
    let (agent_id, conversation_id) = client
        .start_new(json!({ "create_agent": { "body": { "name": "e2e", "system": "You are tested." } }, "mode": mode }))
        .await;
    (client, agent_id, conversation_id)
}

#[tokio::test]
async fn a_turn_calls_bash_gets_approved_and_finishes_with_the_models_text() {
    let fake = FakeServer::start(vec![bash_call("echo hello-e2e"), text(&["All done: ", "the command said ", "hello-e2e."])]).await;
    let server = server_for(&fake, &[]);
    let (mut client, agent_id, conversation_id) = start(&server, "standard").await;
    client.say(&agent_id, &conversation_id, "in", "please run the greeting").await;
    let asked = client.until(|f| f["type"] == "control_request").await;
    let request = asked.last().expect("request");
    assert_eq!(request["request"]["tool_name"], "Bash");
    assert_eq!(request["request"]["input"], json!({ "command": "echo hello-e2e" }));
    let fragments = asked.iter().filter(|f| f["delta"]["message_type"] == "tool_call_message").count();
    assert!(fragments > 3, "tool call arguments stream in fragments ({fragments})");
    client
        .send(json!({ "type": "input", "request_id": "ok", "runtime": { "agent_id": agent_id, "conversation_id": conversation_id },
            "payload": { "kind": "approval_response", "request_id": request["request_id"], "decision": { "behavior": "allow" } } }))
        .await;
    let frames = client.until_turn_finished().await;
    assert_eq!(assistant_text(&frames), "All done: the command said hello-e2e.");
    let finished = frames.last().expect("finished");
    assert_eq!(finished["stop_reason"], "end_turn");
    assert_eq!(finished["usage"]["prompt_tokens"], 130);
    assert_eq!(finished["usage"]["completion_tokens"], 15);

    // What the model saw: system prompt with the cwd, the user message, its own call, the result.
    let requests = fake.requests();
    assert_eq!(requests.len(), 2);
    assert_eq!(requests[0].headers.get("authorization").map(|v| v.to_str().unwrap_or("")), Some("Bearer sk-e2e-secret"));
    let first = &requests[0].body;
    assert_eq!(first["model"], "gpt-test");
    assert_eq!(first["stream"], true);
    assert!(first["messages"][0]["content"].as_str().unwrap_or("").contains("You are tested."));
    let tool_names: Vec<_> = first["tools"].as_array().expect("tools").iter().map(|t| t["function"]["name"].clone()).collect();
    for name in ["Bash", "Read", "Write", "Edit", "Glob", "Grep", "LS"] {
        assert!(tool_names.contains(&json!(name)), "{name} offered: {tool_names:?}");
    }
    let second = requests[1].body["messages"].as_array().expect("messages").clone();
    let tool_result = second.iter().find(|m| m["role"] == "tool").expect("a tool result");
    assert_eq!(tool_result["tool_call_id"], "call_e2e");
    assert!(tool_result["content"].as_str().unwrap_or("").contains("hello-e2e"));

    // The transcript is persisted: a new connection lists it.
    let mut other = server.connect().await;
    let (listed, _) = other
        .request(json!({ "type": "conversation_messages_list", "request_id": "m", "conversation_id": conversation_id,
            "query": { "order": "asc" } }))
        .await;
    let kinds: Vec<_> = listed["messages"].as_array().expect("messages").iter().map(|m| m["message_type"].clone()).collect();
    assert_eq!(kinds, vec![json!("user_message"), json!("tool_call_message"), json!("tool_return_message"), json!("assistant_message")]);

    // History uses the ids and run id the messages were streamed with, so a client can merge.
    let mut streamed: Vec<(Value, Value)> = asked
        .iter()
        .chain(frames.iter())
        .filter(|f| {
            ["user_message", "tool_call_message", "tool_return_message", "assistant_message"]
                .contains(&f["delta"]["message_type"].as_str().unwrap_or(""))
        })
        .map(|f| (f["delta"]["id"].clone(), f["delta"]["run_id"].clone()))
        .collect();
    streamed.dedup();
    for message in listed["messages"].as_array().expect("messages") {
        let pair = (message["id"].clone(), message["run_id"].clone());
        assert!(streamed.contains(&pair), "history {pair:?} was streamed as one of {streamed:?}");
    }
}

/// The conversation keeps its transcript in memory between turns; what it sends the model
/// must be exactly what a restarted runtime reloads from the store.
#[tokio::test]
async fn the_history_kept_between_turns_equals_the_history_reloaded_after_a_restart() {
    let fake = FakeServer::start(vec![
        bash_call("echo kept-output"),
        text(&["ran ", "it"]),
        text(&["second answer"]),
        text(&["third answer"]),
        text(&["after the restart"]),
    ])
    .await;
    let base = format!("{}/v1", fake.url);
    let env = [("OPENAI_BASE_URL", base.as_str()), ("OPENAI_API_KEY", "sk-e2e-secret")];
    let args = ["--token", TOKEN, "--model", "openai/gpt-test"];
    let server = Server::start_env(&args, &env);
    let (mut client, agent_id, conversation_id) = start(&server, "unrestricted").await;
    for (id, text) in [("t1", "run the command"), ("t2", "and again"), ("t3", "once more")] {
        client.say(&agent_id, &conversation_id, id, text).await;
        let frames = client.until_turn_finished().await;
        assert_eq!(frames.last().expect("finished")["stop_reason"], "end_turn");
    }
    let (data_dir, workspace) = server.kill9();
    let server = Server::start_in_env(data_dir, workspace, &args, &env);
    let mut client = server.connect().await;
    client.say(&agent_id, &conversation_id, "t4", "after a restart").await;
    let frames = client.until_turn_finished().await;
    assert_eq!(frames.last().expect("finished")["stop_reason"], "end_turn");

    let requests = fake.requests();
    assert_eq!(requests.len(), 5);
    let messages = |n: usize| requests[n].body["messages"].as_array().expect("messages").clone();
    // Turn 3 ran on the history kept in memory; turn 4 on the history read back from the store.
    let (kept, reloaded) = (messages(3), messages(4));
    assert_eq!(reloaded[..kept.len()], kept[..], "the reloaded history starts with exactly what was sent before");
    assert_eq!(
        reloaded[kept.len()..],
        [json!({ "role": "assistant", "content": "third answer" }), json!({ "role": "user", "content": "after a restart" })]
    );
    let roles: Vec<_> = kept.iter().map(|m| m["role"].clone()).collect();
    let expected = ["system", "user", "assistant", "tool", "assistant", "user", "assistant", "user"];
    assert_eq!(roles, expected.map(|r| json!(r)));
    assert!(kept[3]["content"].as_str().unwrap_or("").contains("kept-output"), "{:?}", kept[3]);
    // Each turn's request extends the previous one: nothing is lost or repeated in memory.
    for n in 1..4 {
        let (before, after) = (messages(n - 1), messages(n));
        assert_eq!(after[..before.len()], before[..], "request {n} extends request {}", n - 1);
    }
}

#[tokio::test]
async fn a_429_is_retried_with_a_retry_delta_then_succeeds() {
    let fake = FakeServer::start(vec![
        Reply::json(429, json!({ "error": { "message": "slow down" } })).header("retry-after", "0.05"),
        text(&["recovered"]),
    ])
    .await;
    let server = server_for(&fake, &[]);
    let (mut client, agent_id, conversation_id) = start(&server, "standard").await;
    client.say(&agent_id, &conversation_id, "in", "hi").await;
    let frames = client.until_turn_finished().await;
    let retries: Vec<_> = frames.iter().filter(|f| f["delta"]["message_type"] == "retry").collect();
    assert_eq!(retries.len(), 1);
    assert_eq!(retries[0]["delta"]["attempt"], 1);
    assert_eq!(retries[0]["delta"]["delay_ms"], 50);
    assert!(retries[0]["delta"]["message"].as_str().unwrap_or("").contains("slow down"));
    assert_eq!(assistant_text(&frames), "recovered");
    assert_eq!(frames.last().expect("finished")["stop_reason"], "end_turn");
}

#[tokio::test]
async fn a_401_ends_the_turn_with_a_loop_error_and_llm_api_error() {
    let fake = FakeServer::start(vec![Reply::json(401, json!({ "error": { "message": "Incorrect API key provided" } }))]).await;
    let server = server_for(&fake, &[]);
    let (mut client, agent_id, conversation_id) = start(&server, "standard").await;
    client.say(&agent_id, &conversation_id, "in", "hi").await;
    let frames = client.until_turn_finished().await;
    assert!(frames.iter().all(|f| f["delta"]["message_type"] != "retry"), "401 is not retried");
    let error = frames.iter().find(|f| f["delta"]["message_type"] == "loop_error").expect("loop_error");
    assert!(error["delta"]["message"].as_str().unwrap_or("").contains("Incorrect API key provided"), "{error}");
    let finished = frames.last().expect("finished");
    assert_eq!(finished["stop_reason"], "llm_api_error");
    assert!(finished["error"].as_str().unwrap_or("").contains("Incorrect API key"));
    assert_eq!(fake.requests().len(), 1);
}

#[tokio::test]
async fn a_missing_key_is_a_clear_error_naming_the_variable() {
    let server = Server::start_with(&["--token", TOKEN, "--model", "openai/gpt-test"]);
    let (mut client, agent_id, conversation_id) = start(&server, "standard").await;
    client.say(&agent_id, &conversation_id, "in", "hi").await;
    let frames = client.until_turn_finished().await;
    let error = frames.iter().find(|f| f["delta"]["message_type"] == "loop_error").expect("loop_error");
    assert!(error["delta"]["message"].as_str().unwrap_or("").contains("OPENAI_API_KEY"), "{error}");
    assert_eq!(frames.last().expect("finished")["stop_reason"], "error");
    // The runtime is fine: the next command works.
    let (info, _) = client.request(json!({ "type": "app_server_info", "request_id": "i" })).await;
    assert_eq!(info["success"], true);
}

#[tokio::test]
async fn the_step_limit_ends_a_turn_with_max_steps() {
    let server = Server::start_env(&["--token", TOKEN], &[("TETHER_MAX_STEPS", "1")]);
    let mut client = server.connect().await;
    let (agent_id, conversation_id) = client.start_new(json!({ "mode": "unrestricted" })).await;
    client.say(&agent_id, &conversation_id, "in", r#"tool: Bash {"command":"echo one step"}"#).await;
    let frames = client.until_turn_finished().await;
    assert_eq!(frames.last().expect("finished")["stop_reason"], "max_steps");
    assert_eq!(of_type(&frames, "turn_finished").len(), 1);
}

#[tokio::test]
async fn list_models_and_update_model_choose_a_conversations_model() {
    let fake = FakeServer::start(vec![Reply::json(200, json!({ "object": "list", "data": [{ "id": "gpt-a" }, { "id": "gpt-b" }] }))]).await;
    let server = server_for(&fake, &[]);
    let (mut client, agent_id, conversation_id) = start(&server, "standard").await;
    let (models, _) = client.request(json!({ "type": "list_models", "request_id": "lm" })).await;
    let handles: Vec<_> = models["entries"].as_array().expect("entries").iter().map(|e| e["handle"].clone()).collect();
    for handle in ["scripted", "openai/gpt-test", "openai/gpt-a", "openai/gpt-b"] {
        assert!(handles.contains(&json!(handle)), "{handle} in {handles:?}");
    }
    let runtime = json!({ "agent_id": agent_id, "conversation_id": conversation_id });
    let (updated, _) = client
        .request(json!({ "type": "update_model", "request_id": "um", "runtime": runtime, "payload": { "model_handle": "scripted" } }))
        .await;
    assert_eq!(updated["success"], true);
    assert_eq!(updated["applied_to"], "conversation");
    let status = client.until(|f| f["type"] == "update_device_status" && f["device_status"]["tether_model"] == "scripted").await;
    assert!(status.last().is_some());
    client.say(&agent_id, &conversation_id, "in", "hi").await;
    let frames = client.until_turn_finished().await;
    assert!(assistant_text(&frames).contains("scripted"), "the conversation now uses the scripted model");

    let (bad, _) = client
        .request(json!({ "type": "update_model", "request_id": "bad", "runtime": runtime, "payload": { "model_handle": "nope/x" } }))
        .await;
    assert_eq!(bad["success"], false);
    assert!(bad["error"].as_str().unwrap_or("").contains("nope"), "{bad}");
}
