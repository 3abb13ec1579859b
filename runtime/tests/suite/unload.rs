//! Idle conversations are unloaded from memory and come back whole on their next use;
//! a conversation someone watches, or one with work pending, stays loaded.

use pretty_assertions::assert_eq;
use serde_json::{json, Value};

use super::harness::{assistant_text, Server, TOKEN};
use super::model_fake::{FakeServer, Reply};

/// Short enough that a test sees several idle periods pass in well under a second.
const IDLE_MS: &str = "100";

fn text_reply(text: &str) -> Reply {
    let chunk = |delta: Value, finish: Option<&str>| {
        let body = json!({ "id": "c", "object": "chat.completion.chunk", "created": 1, "model": "gpt-test",
            "choices": [{ "index": 0, "delta": delta, "finish_reason": finish }] });
        format!("data: {body}\n\n")
    };
    Reply::sse([
        chunk(json!({ "role": "assistant", "content": text }), None),
        chunk(json!({}), Some("stop")),
        "data: [DONE]\n\n".to_owned(),
    ])
}

fn server_for(fake: &FakeServer) -> Server {
    let base = format!("{}/v1", fake.url);
    let env = [
        ("OPENAI_BASE_URL", base.as_str()),
        ("OPENAI_API_KEY", "sk-unload"),
        ("TETHER_CONVERSATION_IDLE_MS", IDLE_MS),
        ("TETHER_LOG", "tether=debug"),
    ];
    Server::start_env(&["--token", TOKEN, "--model", "openai/gpt-test"], &env)
}

fn unloaded(conversation_id: &str) -> impl Fn(&str) -> bool + '_ {
    move |line: &str| line.contains("unloaded after") && line.contains(conversation_id)
}

#[tokio::test]
async fn an_idle_conversation_is_unloaded_and_its_next_turn_sees_the_whole_history() {
    let fake = FakeServer::start(vec![text_reply("first answer"), text_reply("second answer")]).await;
    let server = server_for(&fake);
    let mut client = server.connect().await;
    let (agent_id, conversation_id) = client
        .start_new(json!({ "create_agent": { "body": { "name": "unload" } }, "mode": "acceptEdits" }))
        .await;
    client.say(&agent_id, &conversation_id, "one", "remember the word kumquat").await;
    assert_eq!(assistant_text(&client.until_turn_finished().await), "first answer");
    drop(client);

    // Nobody watches and nothing is pending: the actor goes away.
    server.until_logged(unloaded(&conversation_id)).await;

    // The next client finds the conversation as it was, mode included, and the model is
    // sent the first exchange again (read back from the store, not from memory).
    let mut client = server.connect().await;
    let (response, replay) = client
        .request(json!({ "type": "runtime_start", "request_id": "again", "agent_id": agent_id,
            "conversation_id": conversation_id }))
        .await;
    assert_eq!(response["success"], true, "{response}");
    let status = client
        .until(|f| f["type"] == "update_device_status")
        .await
        .pop()
        .or_else(|| replay.into_iter().find(|f| f["type"] == "update_device_status"))
        .expect("device status");
    assert_eq!(status["device_status"]["current_permission_mode"], "acceptEdits");
    client.say(&agent_id, &conversation_id, "two", "which word?").await;
    assert_eq!(assistant_text(&client.until_turn_finished().await), "second answer");

    let requests = fake.requests();
    assert_eq!(requests.len(), 2);
    let seen: Vec<(String, String)> = requests[1].body["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter(|m| m["role"] != "system")
        .map(|m| (m["role"].as_str().unwrap_or("").to_owned(), m["content"].as_str().unwrap_or("").to_owned()))
        .collect();
    let expected = [("user", "remember the word kumquat"), ("assistant", "first answer"), ("user", "which word?")]
        .map(|(r, c)| (r.to_owned(), c.to_owned()));
    assert_eq!(seen, expected);
}

#[tokio::test]
async fn a_watched_conversation_stays_loaded_and_its_watchers_keep_streaming() {
    let fake = FakeServer::start(vec![text_reply("for both")]).await;
    let server = server_for(&fake);
    let mut watcher = server.connect().await;
    let (agent_id, conversation_id) = watcher.start_new(json!({ "create_agent": { "body": { "name": "watched" } } })).await;

    // Idle for many idle periods, but watched: the watcher must still get the next turn
    // another device starts (an unloaded actor would have forgotten it).
    let other = server.connect().await;
    drop(other);
    tokio::time::sleep(std::time::Duration::from_millis(1_000)).await;
    assert_eq!(server.logged(unloaded(&conversation_id)), None);

    let mut speaker = server.connect().await;
    speaker.say(&agent_id, &conversation_id, "hi", "hello").await;
    assert_eq!(assistant_text(&speaker.until_turn_finished().await), "for both");
    assert_eq!(assistant_text(&watcher.until_turn_finished().await), "for both");
}

#[tokio::test]
async fn a_parked_queue_keeps_its_conversation_loaded() {
    let server = Server::start_env(
        &["--token", TOKEN],
        &[("TETHER_CONVERSATION_IDLE_MS", IDLE_MS), ("TETHER_LOG", "tether=debug")],
    );
    let mut client = server.connect().await;
    let (agent_id, conversation_id) = client.start_new(json!({})).await;
    let runtime = json!({ "agent_id": agent_id, "conversation_id": conversation_id });
    client.say(&agent_id, &conversation_id, "slow", "sleep: 5000\nslow").await;
    client.until(|f| f["type"] == "stream_delta").await;
    client.say(&agent_id, &conversation_id, "queued", "after the abort").await;
    client.until(|f| f["type"] == "input_accepted" && f["request_id"] == "queued").await;
    client.send(json!({ "type": "abort_message", "request_id": "stop", "runtime": runtime })).await;
    client.until_turn_finished().await;
    drop(client);

    tokio::time::sleep(std::time::Duration::from_millis(1_000)).await;
    assert_eq!(server.logged(unloaded(&conversation_id)), None);
    let mut client = server.connect().await;
    client
        .send(json!({ "type": "runtime_start", "request_id": "back", "agent_id": agent_id, "conversation_id": conversation_id }))
        .await;
    let queue = client.until(|f| f["type"] == "update_queue").await.pop().expect("queue")["queue"].clone();
    assert_eq!(queue.as_array().map(Vec::len), Some(1), "{queue}");
    assert_eq!(queue[0]["paused"], true, "{queue}");
}
