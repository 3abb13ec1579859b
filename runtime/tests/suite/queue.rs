//! The queue: inputs while busy, coalescing, removal, abort and resume.

use pretty_assertions::assert_eq;
use serde_json::{json, Value};

use super::harness::{of_type, Client, Server};

fn runtime(agent_id: &str, conversation_id: &str) -> Value {
    json!({ "agent_id": agent_id, "conversation_id": conversation_id })
}

/// Waits until the running turn has streamed its first assistant chunk.
async fn until_streaming(client: &mut Client) -> Vec<Value> {
    client.until(|f| f["type"] == "stream_delta" && f["delta"]["message_type"] == "assistant_message").await
}

fn user_messages(frames: &[Value]) -> Vec<String> {
    frames
        .iter()
        .filter(|f| f["type"] == "stream_delta" && f["delta"]["message_type"] == "user_message")
        .filter_map(|f| f["delta"]["content"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn inputs_while_busy_are_queued_then_coalesced_into_one_turn() {
    let server = Server::start();
    let mut client = server.connect().await;
    let (agent_id, conversation_id) = client.start_new(json!({})).await;
    client.say(&agent_id, &conversation_id, "slow", "sleep: 150\nthink slowly").await;
    until_streaming(&mut client).await;
    client.say(&agent_id, &conversation_id, "q-1", "second").await;
    client.say(&agent_id, &conversation_id, "q-2", "third").await;

    let first = client.until_turn_finished().await;
    let accepted: Vec<_> = of_type(&first, "input_accepted").iter().map(|f| (f["request_id"].clone(), f["disposition"].clone())).collect();
    assert_eq!(accepted, vec![(json!("q-1"), json!("queued")), (json!("q-2"), json!("queued"))]);
    let queued = of_type(&first, "update_queue");
    let last_queue = &queued.last().expect("queue update")["queue"];
    assert_eq!(last_queue.as_array().map(Vec::len), Some(2), "both waiting: {last_queue}");
    assert_eq!(last_queue[0]["client_message_id"], "cm-q-1");

    let second = client.until_turn_finished().await;
    assert_eq!(user_messages(&second), vec!["second".to_owned(), "third".to_owned()], "coalesced into one turn");
    let dequeued: Vec<_> = of_type(&second, "update_queue")
        .iter()
        .flat_map(|f| f["removed"].as_array().cloned().unwrap_or_default())
        .collect();
    assert_eq!(
        dequeued,
        vec![
            json!({ "client_message_id": "cm-q-1", "disposition": "dequeued" }),
            json!({ "client_message_id": "cm-q-2", "disposition": "dequeued" }),
        ]
    );
    let running = of_type(&second, "update_loop_status")
        .into_iter()
        .find(|f| f["loop_status"]["status"] == "SENDING_API_REQUEST")
        .expect("the second turn's loop status");
    let by_run = running["loop_status"]["client_message_ids_by_run_id"].as_object().expect("ids by run");
    assert_eq!(by_run.values().next(), Some(&json!(["cm-q-1", "cm-q-2"])));
}

#[tokio::test]
async fn remove_queue_item_cancels_a_queued_input() {
    let server = Server::start();
    let mut client = server.connect().await;
    let (agent_id, conversation_id) = client.start_new(json!({})).await;
    client.say(&agent_id, &conversation_id, "slow", "sleep: 150\nslow").await;
    until_streaming(&mut client).await;
    client.say(&agent_id, &conversation_id, "q-1", "never runs").await;
    let frames = client.until(|f| f["type"] == "update_queue" && f["queue"].as_array().is_some_and(|q| !q.is_empty())).await;
    let item_id = frames.last().expect("queue")["queue"][0]["id"].as_str().expect("id").to_owned();

    let (response, before) = client
        .request(json!({ "type": "remove_queue_item", "request_id": "rm", "runtime": runtime(&agent_id, &conversation_id), "item_id": item_id }))
        .await;
    assert_eq!(response, json!({ "type": "remove_queue_item_response", "request_id": "rm", "success": true, "item_id": item_id }));
    let mut frames = before;
    frames.extend(client.until_turn_finished().await);
    let cancelled = of_type(&frames, "update_queue")
        .into_iter()
        .find(|f| f["removed"].as_array().is_some_and(|r| !r.is_empty()))
        .expect("a removal");
    assert_eq!(cancelled["removed"], json!([{ "client_message_id": "cm-q-1", "disposition": "cancelled" }]));

    // It does not run: the next turn is the next input's.
    client.say(&agent_id, &conversation_id, "next", "after").await;
    let next = client.until_turn_finished().await;
    assert_eq!(user_messages(&next), vec!["after".to_owned()]);

    let (again, _) = client
        .request(json!({ "type": "remove_queue_item", "request_id": "rm2", "runtime": runtime(&agent_id, &conversation_id), "item_id": "queue-nope" }))
        .await;
    assert_eq!(again["success"], false);
}

#[tokio::test]
async fn abort_interrupts_a_streaming_turn_and_parks_the_queue_until_resumed() {
    let server = Server::start();
    let mut client = server.connect().await;
    let (agent_id, conversation_id) = client.start_new(json!({})).await;
    client.say(&agent_id, &conversation_id, "slow", "sleep: 2000\nvery slow").await;
    until_streaming(&mut client).await;
    client.say(&agent_id, &conversation_id, "q-1", "waits").await;
    client.until(|f| f["type"] == "input_accepted").await;

    let (response, _) = client
        .request(json!({ "type": "abort_message", "request_id": "ab", "runtime": runtime(&agent_id, &conversation_id) }))
        .await;
    assert_eq!(response["aborted"], true);
    assert_eq!(response["success"], true);
    let frames = client.until_turn_finished().await;
    assert_eq!(frames.last().expect("finished")["stop_reason"], "cancelled");
    let parked = of_type(&frames, "update_queue").last().map(|f| f["queue"].clone()).unwrap_or(Value::Null);
    // The parked snapshot may have been sent before the turn ended; ask for the state.
    let (sync, replay) = client
        .request(json!({ "type": "sync", "request_id": "s", "runtime": runtime(&agent_id, &conversation_id) }))
        .await;
    assert_eq!(sync["success"], true);
    let queue = &of_type(&replay, "update_queue").last().expect("queue replay")["queue"];
    assert_eq!(queue[0]["paused"], true, "parked after abort (saw {parked})");
    let loop_status = &of_type(&replay, "update_loop_status").last().expect("loop")["loop_status"];
    assert_eq!(loop_status["status"], "WAITING_ON_INPUT", "nothing runs while parked");

    let (resumed, _) = client
        .request(json!({ "type": "resume_queue", "request_id": "rq", "runtime": runtime(&agent_id, &conversation_id) }))
        .await;
    assert_eq!(resumed["resumed"], 1);
    let next = client.until_turn_finished().await;
    assert_eq!(user_messages(&next), vec!["waits".to_owned()]);
    assert_eq!(next.last().expect("finished")["stop_reason"], "end_turn");

    let (idle, _) = client
        .request(json!({ "type": "abort_message", "request_id": "ab2", "runtime": runtime(&agent_id, &conversation_id) }))
        .await;
    assert_eq!(idle["aborted"], false, "nothing to abort when idle");
}

#[tokio::test]
async fn commands_for_unknown_conversations_fail_without_dropping_the_connection() {
    let server = Server::start();
    let mut client = server.connect().await;
    let scope = runtime("agent-x", "conv-x");
    let (sync, _) = client.request(json!({ "type": "sync", "request_id": "s", "runtime": scope })).await;
    assert_eq!(sync["success"], false);
    client.say("agent-x", "conv-x", "i", "hello").await;
    let accepted = client.until(|f| f["type"] == "input_accepted").await;
    assert_eq!(accepted.last().expect("ack")["accepted"], false);
    let (abort, _) = client.request(json!({ "type": "abort_message", "request_id": "a", "runtime": scope })).await;
    assert_eq!(abort["type"], "abort_message_response");
    assert_eq!(abort["success"], false);
    let (info, _) = client.request(json!({ "type": "app_server_info", "request_id": "still-up" })).await;
    assert_eq!(info["success"], true);
}
