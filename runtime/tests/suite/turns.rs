//! Turns over real sockets with the scripted model: streaming, fan-out, order of events.

use pretty_assertions::assert_eq;
use serde_json::json;

use super::harness::{assistant_text, of_type, Server};

#[tokio::test]
async fn a_text_turn_streams_deltas_then_finishes_with_usage() {
    let server = Server::start();
    let mut client = server.connect().await;
    let (agent_id, conversation_id) = client.start_new(json!({})).await;
    client.say(&agent_id, &conversation_id, "in-1", "hello there").await;
    let frames = client.until_turn_finished().await;

    let accepted = of_type(&frames, "input_accepted");
    assert_eq!(accepted.len(), 1);
    assert_eq!(accepted[0]["request_id"], "in-1");
    assert_eq!(accepted[0]["accepted"], true);
    assert_eq!(accepted[0]["disposition"], "started");

    let assistant: Vec<_> = frames
        .iter()
        .filter(|f| f["type"] == "stream_delta" && f["delta"]["message_type"] == "assistant_message")
        .collect();
    assert!(assistant.len() >= 3, "the reply streams in several chunks, got {}", assistant.len());
    let message_ids: std::collections::HashSet<_> = assistant.iter().map(|f| f["delta"]["id"].clone()).collect();
    assert_eq!(message_ids.len(), 1, "one message id across its chunks");
    for delta in &assistant {
        for key in ["id", "date", "run_id", "step_id", "seq_id"] {
            assert!(!delta["delta"][key].is_null(), "delta without {key}: {delta}");
        }
    }
    assert!(assistant_text(&frames).to_lowercase().contains("scripted"), "{}", assistant_text(&frames));

    let echoed: Vec<_> = frames.iter().filter(|f| f["delta"]["message_type"] == "user_message").collect();
    assert_eq!(echoed.len(), 1);
    assert_eq!(echoed[0]["delta"]["content"], "hello there");

    let statuses: Vec<_> = of_type(&frames, "update_loop_status")
        .iter()
        .map(|f| f["loop_status"]["status"].as_str().unwrap_or("").to_owned())
        .collect();
    let position = |s: &str| statuses.iter().position(|x| x == s).unwrap_or_else(|| panic!("no {s} in {statuses:?}"));
    assert!(position("SENDING_API_REQUEST") < position("PROCESSING_API_RESPONSE"));
    assert_eq!(statuses.last().map(String::as_str), Some("WAITING_ON_INPUT"));

    let finished = frames.last().expect("turn_finished");
    assert_eq!(finished["stop_reason"], "end_turn");
    assert!(finished["usage"]["total_tokens"].as_u64().unwrap_or(0) > 0, "{finished}");
    assert!(finished["turn_id"].as_str().is_some());

    let seqs: Vec<u64> = frames.iter().filter_map(|f| f["event_seq"].as_u64()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "event_seq must increase: {seqs:?}");
}

#[tokio::test]
async fn two_clients_on_one_scope_both_see_the_turn() {
    let server = Server::start();
    let mut laptop = server.connect().await;
    let (agent_id, conversation_id) = laptop.start_new(json!({})).await;
    let mut phone = server.connect().await;
    let (synced, _) = phone
        .request(json!({ "type": "sync", "request_id": "s-1",
            "runtime": { "agent_id": agent_id, "conversation_id": conversation_id } }))
        .await;
    assert_eq!(synced["success"], true);

    laptop.say(&agent_id, &conversation_id, "in-1", "hi from the laptop").await;
    let on_laptop = laptop.until_turn_finished().await;
    let on_phone = phone.until_turn_finished().await;
    assert_eq!(assistant_text(&on_laptop), assistant_text(&on_phone));
    assert!(!assistant_text(&on_phone).is_empty());
    let echoed: Vec<_> = on_phone.iter().filter(|f| f["delta"]["message_type"] == "user_message").collect();
    assert_eq!(echoed[0]["delta"]["content"], "hi from the laptop");
    assert_eq!(of_type(&on_phone, "input_accepted").len(), 0, "acks go to the sender only");
}

#[tokio::test]
async fn two_hundred_back_to_back_turns_with_zero_delay_all_complete() {
    let server = Server::start();
    let mut client = server.connect().await;
    let (agent_id, conversation_id) = client.start_new(json!({})).await;
    for i in 0..200 {
        client.say(&agent_id, &conversation_id, &format!("in-{i}"), &format!("message {i}")).await;
        let frames = client.until_turn_finished().await;
        let finished = frames.last().expect("finished");
        assert_eq!(finished["stop_reason"], "end_turn", "turn {i}: {finished}");
        let accepted = of_type(&frames, "input_accepted");
        assert_eq!(accepted[0]["disposition"], "started", "turn {i} must start at once");
    }
    let (messages, _) = client
        .request(json!({ "type": "conversation_messages_list", "request_id": "m",
            "conversation_id": conversation_id, "query": { "limit": 1000, "order": "asc" } }))
        .await;
    let users = messages["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .filter(|m| m["message_type"] == "user_message")
        .count();
    assert_eq!(users, 200);
}
